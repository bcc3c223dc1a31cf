#!/bin/sh
# Scenario 10: a flag changes in the Makefile: everything make ran re-runs.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { sed -i 's/^CFLAGS = -O2/CFLAGS = -O1/' Makefile; }
scenario basic edit
expect_jobs "cc -O1 -Ioverride -Iinclude -c -o main.o main.c" \
	"cc -O1 -Ioverride -Iinclude -c -o util.o util.c" \
	"cc -O1 -Ioverride -Iinclude -c -o extra.o extra.c" \
	"ar rcs libutil.a util.o extra.o" "cc -o prog main.o libutil.a"
expect_same
pass
