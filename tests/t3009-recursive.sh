#!/bin/sh
# Scenario 9: recursive make across subdirectories.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { sed -i 's/3 \* r \* r/4 * r * r/' lib/circle.c; }
scenario recursive edit
expect_jobs "cc -O2 -c -o circle.o circle.c" \
	"ar rcs libshapes.a square.o circle.o" \
	"cc -o shapes main.o ../lib/libshapes.a"
expect_same
expect_eq "program output" "16 16" "$(./fresh/app/shapes)"
pass
