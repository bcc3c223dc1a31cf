#!/bin/sh
# Scenario 5: add a source file that $(wildcard) picks up: the listing make
# read changed, so everything make ran re-runs, and the new file is built.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { printf 'int added(void)\n{\n\treturn 7;\n}\n' > src/added.c; }
scenario wild edit
grep -q "added.o src/added.c" make.log || fail "added.c was not compiled"
expect_same
nm fresh/app | grep -q added || fail "added() is not in the program"
# explain says what happened to the listing, in words.
(cd fresh && "$CKPT" explain -d ../orig/.ckpt src) > explain.log 2>&1
grep -qx "src is a directory the build listed, not an output; it was changed: a name added or removed" explain.log ||
	fail "explain src: $(cat explain.log)"
pass
