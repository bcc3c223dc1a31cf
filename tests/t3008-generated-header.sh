#!/bin/sh
# Scenario 8: a header written by a tool that the build compiles first.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { sed -i 's/6 \* 7/6 * 8/' mkgen.c; }
scenario wild edit
# The objects' rules list gen.h, so make rebuilds both once it is new.
expect_jobs "cc -o mkgen mkgen.c" "./mkgen > gen.h" \
	"cc -Iinclude -I. -c -o main.o src/main.c" \
	"cc -Iinclude -I. -c -o scale.o src/scale.c" \
	"cc -o app main.o scale.o asset.o"
expect_same
case "$(./fresh/app)" in *" 48 "*) ;; *) fail "gen value: $(./fresh/app)" ;; esac
pass
