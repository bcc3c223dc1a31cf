#!/bin/sh
# Scenario 3: a header added earlier in the include path shadows the one
# that was used: gcc's failed look-up there was recorded.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { mkdir -p override && echo '#define EXTRA_FACTOR 5' > override/extra.h; }
scenario basic edit
expect_jobs "cc -O2 -Ioverride -Iinclude -c -o extra.o extra.c" \
	"ar rcs libutil.a util.o extra.o" "cc -o prog main.o libutil.a"
expect_same
expect_status changed override/extra.h
expect_status affected extra.o libutil.a prog
expect_eq "program output" "util 5 105" "$(./fresh/prog)"
pass
