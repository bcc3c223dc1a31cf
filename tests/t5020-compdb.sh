#!/bin/sh
# ckpt compdb: one entry per compiled file, with its directory, arguments
# and output, valid JSON that clang-tidy accepts.
. "$(dirname "$0")/lib.sh"
mkdir -p p/sub p/inc && cd p
cat > Makefile <<'MK'
all: prog
prog: main.o sub/part.o
	cc -o prog main.o sub/part.o
main.o: main.c
	cc -Iinc -DMODE=2 -O1 -c -o main.o main.c
sub/part.o: sub/part.c
	cd sub && cc -I../inc -c part.c
MK
printf '#include "defs.h"\nint part(void);\nint main(void){return part() + MODE - DEFS;}\n' > main.c
printf '#include "defs.h"\nint part(void){return DEFS - 2;}\n' > sub/part.c
printf '#define DEFS 1\n' > inc/defs.h
check "$CKPT" record -- make -s
check "$CKPT" compdb
python3 - "$PWD" <<'PY' || fail "compile_commands.json: $(cat compile_commands.json)"
import json, sys
root = sys.argv[1]
db = json.load(open("compile_commands.json"))
assert len(db) == 2, db
by = {e["file"]: e for e in db}
m = by[root + "/main.c"]
assert m["directory"] == root and m["output"] == "main.o", m
assert m["arguments"] == ["cc", "-Iinc", "-DMODE=2", "-O1", "-c", "-o", "main.o", "main.c"], m
p = by[root + "/sub/part.c"]
assert p["directory"] == root + "/sub" and p["output"] == "part.o", p
assert "-I../inc" in p["arguments"], p
PY
"$CKPT" compdb -o - | cmp -s - compile_commands.json || fail "-o - differs"
if command -v clang-tidy >/dev/null; then
	# One file a run: clang-tidy 14 caches relative include look-ups
	# across files of different directories.
	for f in main.c sub/part.c; do
		clang-tidy -p . --checks='-*,clang-analyzer-core.*' "$PWD/$f" \
			> tidy.log 2>&1 || fail "clang-tidy rejected it: $(cat tidy.log)"
		grep -q "error:" tidy.log && fail "clang-tidy: $(cat tidy.log)"
	done
fi
pass
