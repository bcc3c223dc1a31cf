#!/bin/sh
# Scenario 7: a header reached through a symlink in the tree, and a
# top-level dotfile read by a build step.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { sed -i 's/REAL_FACTOR 3/REAL_FACTOR 4/' include/real.h; }
scenario wild edit
expect_jobs "cc -Iinclude -I. -c -o scale.o src/scale.c" \
	"cc -o app main.o scale.o asset.o"
expect_same
[ -L fresh/src/link.h ] || fail "the symlink is gone"
cd "$TRASH" && rm -rf orig fresh oracle
edit() { echo 'a new banner' > .banner; }
scenario wild edit
# make itself rebuilds scale.o too: its rule lists banner.h.
expect_jobs "printf '#define BANNER \"%s\"\\n' \"\$(cat .banner)\" > banner.h" \
	"cc -Iinclude -I. -c -o main.o src/main.c" \
	"cc -Iinclude -I. -c -o scale.o src/scale.c" \
	"cc -o app main.o scale.o asset.o"
expect_same
case "$(./fresh/app)" in "a new banner "*) ;; *) fail "banner: $(./fresh/app)" ;; esac
pass
