#!/bin/sh
# Scenario 11: a fresh copy where every mtime is 1, as in the Nix store,
# the edited file included: make's timestamps alone could not tell.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { sed -i 's/return a + b;/return a * b;/' util.c; }
scenario basic edit mtime1
expect_jobs "cc -O2 -Ioverride -Iinclude -c -o util.o util.c" \
	"ar rcs libutil.a util.o extra.o" "cc -o prog main.o libutil.a"
expect_same
expect_eq "program output" "util 6 42" "$(./fresh/prog)"
pass
