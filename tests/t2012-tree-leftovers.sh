#!/bin/sh
# What ckpt itself leaves in a tree changes no listing (make lists the
# root): compile_commands.json, a partly written file of a killed restore
# (which the next restore names), a checkpoint directory of any name.
# Restore removes an invalid output only if it is the file the build
# wrote; it sets no time through a symbolic link; and two restores do not
# run at once in one tree.
. "$(dirname "$0")/lib.sh"
mkdir src
cat > src/Makefile <<'MK'
all: prog out/x.txt
prog: main.c gen.h
	gcc -o prog main.c
gen.h: gen.in
	sed 's/@/42/' gen.in > gen.h
out/x.txt: x.in
	mkdir -p out && cp x.in out/x.txt
MK
echo 'int v = @;' > src/gen.in
printf '#include "gen.h"\nint main(void) { return v; }\n' > src/main.c
echo x > src/x.in
cp -a src orig
(cd orig && "$CKPT" record -- make >/dev/null 2>&1) || fail "record"
affected() { # affected TREE [CKPT]: the outputs status says to rebuild
	(cd "$1" && "$CKPT" status --json -d "${2:-$TRASH/orig/.ckpt}") |
		python3 -c 'import json, sys; print(" ".join(json.load(sys.stdin)["affected"]))'
}
[ -z "$(affected orig)" ] || fail "the recorded tree is not unchanged"

# compile_commands.json, from `ckpt compdb`.
(cd orig && "$CKPT" compdb >/dev/null 2>&1) || fail "compdb"
[ -f orig/compile_commands.json ] || fail "no compile_commands.json"
[ -z "$(affected orig)" ] || fail "compile_commands.json invalidated: $(affected orig)"

# A partly written file that a killed restore left: no change; the next
# restore says it can be deleted, and leaves it.
echo partial > orig/.ckpt-tmp.999999999.3
[ -z "$(affected orig)" ] || fail "a leftover temporary file invalidated: $(affected orig)"
(cd orig && "$CKPT" restore) > r.log 2>&1 || fail "restore: $(cat r.log)"
grep -q "ckpt-tmp.999999999.3: left by a restore that was stopped" r.log ||
	fail "the leftover was not named: $(cat r.log)"
[ -f orig/.ckpt-tmp.999999999.3 ] || fail "the leftover was removed"
rm orig/.ckpt-tmp.999999999.3 orig/compile_commands.json

# A checkpoint directory inside the tree, not named .ckpt: a copy of the
# tree without it is unchanged, and so is one with it.
cp -a src named
(cd named && "$CKPT" record -d cp1 -- make >/dev/null 2>&1) || fail "record -d cp1"
cp -a src copy1
[ -z "$(affected copy1 "$TRASH/named/cp1")" ] ||
	fail "a copy without cp1/ is changed: $(affected copy1 "$TRASH/named/cp1")"
[ -z "$(affected named "$TRASH/named/cp1")" ] || fail "the recorded tree with cp1/ is changed"

# gen.h, an output then, is a source in this copy (its rule gone): the
# change invalidates it, but restore must not delete the user's file.
cp -a src own
cat > own/Makefile <<'MK'
all: prog out/x.txt
prog: main.c gen.h
	gcc -o prog main.c
out/x.txt: x.in
	mkdir -p out && cp x.in out/x.txt
MK
echo 'int v = 7;' > own/gen.h
# --dry-run says so: "leave", not "remove".
(cd own && "$CKPT" restore --dry-run -d ../orig/.ckpt) > dry.log 2>&1 || fail "dry run: $(cat dry.log)"
grep -qx "leave gen.h" dry.log || fail "--dry-run does not say it leaves gen.h: $(cat dry.log)"
(cd own && "$CKPT" restore -d ../orig/.ckpt) > r.log 2>&1 || fail "restore: $(cat r.log)"
grep -q "gen.h: left in place" r.log || fail "gen.h not reported: $(cat r.log)"
# Such a file may be one the sources ship (bash's y.tab.c): the advice
# to delete it says when not to.
grep -q "gen.h: left in place.*delete it if it is a stale output, not if the sources ship it" r.log ||
	fail "gen.h: delete it, unconditionally: $(cat r.log)"
[ "$(cat own/gen.h)" = 'int v = 7;' ] || fail "the user's gen.h was removed or changed"
(cd own && make >/dev/null 2>&1 && ./prog; [ $? = 7 ]) || fail "make in own/ did not build from the user's gen.h"
# ... while an invalid output that is the recorded file is removed.
cp -a orig inplace && echo 'int v = @ + 1;' > inplace/gen.in
(cd inplace && "$CKPT" restore --dry-run) > dry.log 2>&1 || fail "dry run: $(cat dry.log)"
grep -qx "remove gen.h" dry.log || fail "--dry-run does not say it removes gen.h: $(cat dry.log)"
(cd inplace && "$CKPT" restore) > r.log 2>&1 || fail "restore in place: $(cat r.log)"
[ ! -e inplace/gen.h ] && [ ! -e inplace/prog ] || fail "stale gen.h or prog kept: $(cat r.log)"

# out/ is a symbolic link to a directory outside: its time is not set.
cp -a src linked && mkdir outside && touch -d @1000000000 outside
ln -s "$TRASH/outside" linked/out
(cd linked && "$CKPT" restore -d ../orig/.ckpt) > r.log 2>&1
[ "$(stat -c %Y outside)" = 1000000000 ] || fail "restore set the time of a directory outside the tree"

# out/ is a file now, and the edit invalidates out/x.txt: nothing of the
# tree is at that path to remove, and the rest is restored.
cp -a src flat && echo 'a file' > flat/out && echo y > flat/x.in
(cd flat && "$CKPT" restore -d ../orig/.ckpt) > r.log 2>&1 ||
	fail "restore with out/ a file: $(cat r.log)"
[ -f flat/prog ] && [ "$(cat flat/out)" = 'a file' ] || fail "restore with out/ a file: $(cat r.log)"

# A second restore while one runs: refused, nothing changed.
cp -a src busy
(cd busy && flock . sleep 3) &
sleep 1
(cd busy && "$CKPT" restore -d ../orig/.ckpt) > r.log 2>&1 && fail "a second restore ran"
grep -q "another ckpt restore is running" r.log || fail "no clear message: $(cat r.log)"
[ ! -e busy/prog ] || fail "the refused restore changed the tree"
wait
pass
