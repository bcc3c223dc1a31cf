#!/bin/sh
# Scenario 5: add a source file that $(wildcard) picks up: the listing make
# read changed, so everything make ran re-runs, and the new file is built.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { printf 'int added(void)\n{\n\treturn 7;\n}\n' > src/added.c; }
scenario wild edit
grep -q "added.o src/added.c" make.log || fail "added.c was not compiled"
expect_same
nm fresh/app | grep -q added || fail "added() is not in the program"
expect_status listings src
# status names what was added to the listing, and explain says it in words.
python3 -c 'import json, sys
want = [{"path": "src", "added": ["added.c"], "removed": [], "used": True}]
got = json.load(open("status.json"))["listing_changes"]
sys.exit(0 if got == want else "got %r" % got)' || fail "status --json: listing_changes"
(cd fresh && "$CKPT" explain -d ../orig/.ckpt src) > explain.log 2>&1
grep -qx "src is a directory the build listed, not an output; it was changed: added.c added" explain.log ||
	fail "explain src: $(cat explain.log)"
mkdir fresh/src/sub && rm fresh/src/main.c
(cd fresh && "$CKPT" status -d ../orig/.ckpt) > status.log 2>&1
grep -qx "  src: added.c, sub/ added; main.c removed (a glob or rule of make's takes them: make)" status.log ||
	fail "status: $(cat status.log)"
pass
