#!/bin/sh
# ckpt compdb: one entry per compiled file (the last, for a file compiled
# twice), with its directory, arguments and output, valid JSON that
# clang-tidy accepts; written to a FIFO or through a symbolic link, which
# stay what they were.
. "$(dirname "$0")/lib.sh"
mkdir -p p/sub p/inc && cd p
cat > Makefile <<'MK'
all: prog
prog: main.o sub/part.o
	cc -o prog main.o sub/part.o
main.o: main.c
	cc -Iinc -DMODE=9 -c -o main.o main.c
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
# Not a regular file: written to, never renamed over (as root, -o
# /dev/null used to leave a regular file in /dev/null's place).
mkfifo db.fifo
timeout 20 cat db.fifo > from-fifo &
reader=$!
timeout 20 "$CKPT" compdb -o db.fifo 2> fifo.err || fail "-o FIFO: $(cat fifo.err)"
wait $reader || fail "nothing read from the FIFO"
[ -p db.fifo ] || fail "the FIFO was replaced"
cmp -s from-fifo compile_commands.json || fail "the FIFO got other JSON"
mkdir -p build && ln -s build/cc.json linked.json
check "$CKPT" compdb -o linked.json
[ -L linked.json ] || fail "the symbolic link was replaced"
cmp -s build/cc.json compile_commands.json || fail "the link's target differs"
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
