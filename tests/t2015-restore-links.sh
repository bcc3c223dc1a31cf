#!/bin/sh
# Outputs that were hard links of one file (git links each built-in to
# git: `ln git git-add`) are restored as links of one file, not as copies;
# and make then has nothing to do. One whose place is taken is written.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS MAKEOVERRIDES GNUMAKEFLAGS
mkdir src && cat > src/Makefile <<'MK'
all: prog-a prog-b
prog: main.c
	cc -o prog main.c
prog-a prog-b: prog
	rm -f $@ && ln prog $@
MK
echo 'int main(void) { return 0; }' > src/main.c
cp -a src orig && (cd orig && "$CKPT" record -- make) > rec.log 2>&1 || fail "record: $(cat rec.log)"
expect_eq "links when recorded" 3 "$(stat -c %h orig/prog)"
cp -a src fresh
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > restore.log 2>&1 || fail "restore: $(cat restore.log)"
grep -q "restored 3," restore.log || fail "restore: $(cat restore.log)"
expect_eq "links restored" 3 "$(stat -c %h fresh/prog)"
[ "$(stat -c %i fresh/prog)" = "$(stat -c %i fresh/prog-b)" ] || fail "prog-b is not a link of prog"
cmp -s fresh/prog orig/prog || fail "prog differs"
(cd fresh && make) > make.log 2>&1 || fail "make: $(cat make.log)"
grep -q "Nothing to be done" make.log || fail "make did work: $(cat make.log)"
# prog-a's place taken by a directory of the user's: prog-a cannot be
# linked there, and the restore says why; prog-b is linked still.
cp -a src fresh2 && mkdir fresh2/prog-a
(cd fresh2 && "$CKPT" restore -d ../orig/.ckpt) > restore2.log 2>&1 &&
	fail "restore over a directory succeeded: $(cat restore2.log)"
grep -q "prog-a" restore2.log || fail "no word of prog-a: $(cat restore2.log)"
expect_eq "prog-b linked" 2 "$(stat -c %h fresh2/prog)"
pass
