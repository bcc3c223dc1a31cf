#!/bin/sh
# ckpt compdb: one entry per compiled file (the last, for a file compiled
# twice), with its directory, arguments and output, valid JSON that
# clang-tidy accepts; written to a FIFO, through a symbolic link or a hard
# link, into another user's file or an immutable directory, as a shell's >
# would; a new file's mode from the umask, a replaced file's kept.
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
# What a shell's > keeps is kept: a new file's mode is the umask's, a
# replaced file keeps its mode, a file with another hard link stays linked,
# another user's file stays theirs, and a file in a directory that takes
# no new name is written all the same.
rm -f compile_commands.json
(umask 077 && "$CKPT" compdb) || fail "compdb under umask 077"
expect_eq "mode of a new file, umask 077" 600 "$(stat -c %a compile_commands.json)"
chmod 640 compile_commands.json
check "$CKPT" compdb
expect_eq "mode of a replaced file" 640 "$(stat -c %a compile_commands.json)"
echo old > hard-a.json && ln hard-a.json hard-b.json
check "$CKPT" compdb -o hard-a.json
expect_eq "links of a hard-linked FILE" 2 "$(stat -c %h hard-a.json)"
cmp -s hard-b.json compile_commands.json || fail "the other link differs"
if [ "$(id -u)" = 0 ]; then
	echo old > theirs.json && chown 65534:65534 theirs.json
	check "$CKPT" compdb -o theirs.json
	expect_eq "owner of another user's FILE" 65534:65534 \
		"$(stat -c %u:%g theirs.json)"
	cmp -s theirs.json compile_commands.json || fail "theirs.json differs"
fi
mkdir fixed && echo old > fixed/cc.json
if chattr +i fixed 2>/dev/null; then
	"$CKPT" compdb -o fixed/cc.json 2> fixed.err
	rc=$?
	chattr -i fixed
	[ $rc -eq 0 ] || fail "-o in an immutable directory: $(cat fixed.err)"
	cmp -s fixed/cc.json compile_commands.json || fail "fixed/cc.json differs"
fi
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
