#!/bin/sh
# Scenario 2: edit a header the Makefile does not list: the objects that
# include it are rebuilt (plain make would rebuild nothing).
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { sed -i 's/EXTRA_FACTOR 2/EXTRA_FACTOR 3/' include/extra.h; }
scenario basic edit
expect_jobs "cc -O2 -Ioverride -Iinclude -c -o extra.o extra.c" \
	"ar rcs libutil.a util.o extra.o" "cc -o prog main.o libutil.a"
expect_same
expect_status changed include/extra.h
expect_status affected extra.o libutil.a prog
expect_eq "program output" "util 5 63" "$(./fresh/prog)"
pass
