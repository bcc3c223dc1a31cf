#!/bin/sh
# Scenario 1: edit a .c file: its compile, the archive and the link re-run.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { sed -i 's/return a + b;/return a + b + 1;/' util.c; }
scenario basic edit
expect_jobs "cc -O2 -Ioverride -Iinclude -c -o util.o util.c" \
	"ar rcs libutil.a util.o extra.o" "cc -o prog main.o libutil.a"
expect_same
[ "$KEPT" -ge 2 ] || fail "main.o and extra.o should have been kept"
expect_eq "program output" "util 6 42" "$(./fresh/prog)"
pass
