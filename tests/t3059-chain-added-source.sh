#!/bin/sh
# A chained build (record --from) of a tree where a source was added
# with the line that builds it (b.c, and a rule for sub/b.o in another
# makefile): the new build wrote sub/b.o, which the old build never
# knew, and the added b.c is a prerequisite of b.o by make's `%.o: %.c`.
# To the old make of sub/, which knew no b.o, the name b.c did not
# matter: its jobs the new build left alone are still valid, and kept.
# They were taken for stale, and the next level of the chain compiled
# a.c again (libyaml, with configure inside the record before automake's
# Makefile.am became an input of its make: 56 commands where make in
# place runs 32).
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS
mkdir -p P/sub
printf '%s\n' 'prog: a.o' '	$(CC) -o prog a.o' > P/sub/Makefile
echo 'int main(void) { return 0; }' > P/sub/a.c
printf '%s\n' 'all:' > P/extra.mk
backdate P/extra.mk P/sub/*
BUILD='make -C sub && make -f extra.mk'

# edit TREE TEXT: sub/b.c added with TEXT, and built by extra.mk.
edit() {
	echo "$2" > "$1/sub/b.c" &&
		printf '%s\n' 'all: sub/b.o' 'sub/b.o: sub/b.c' \
			'	$(CC) -c -o sub/b.o sub/b.c' > "$1/extra.mk"
}
cp -a P A && (cd A && "$CKPT" record -- sh -c "$BUILD") > a.log 2>&1 ||
	fail "record A: $(cat a.log)"
cp -a P B && edit B 'int b(void) { return 1; }'
(cd B && "$CKPT" restore -d ../A/.ckpt &&
	"$CKPT" record --from ../A/.ckpt -- sh -c "$BUILD") > b.log 2>&1 ||
	fail "record B: $(cat b.log)"
grep -q "cc -c -o sub/b.o sub/b.c" b.log || fail "B did not compile b.c: $(cat b.log)"
grep -q "^cc *-c -o a.o" b.log && fail "B compiled a.c: $(cat b.log)"
grep -q "has invalid in this tree" b.log &&
	fail "B's record took kept jobs for stale: $(cat b.log)"

# The next level: the same edits with b.c edited again, restored from B.
cp -a P C && edit C 'int b(void) { return 2; }'
(cd C && "$CKPT" restore -d ../B/.ckpt && sh -c "$BUILD") > c.log 2>&1 ||
	fail "restore + build C: $(cat c.log)"
expect_eq "C's compiles" "cc -c -o sub/b.o sub/b.c" "$(grep '^cc .*-c' c.log | tr -s ' ')"
cp -a P D && edit D 'int b(void) { return 2; }'
(cd D && sh -c "$BUILD") > d.log 2>&1 || fail "clean build D: $(cat d.log)"
for f in sub/prog sub/a.o sub/b.o; do
	cmp "C/$f" "D/$f" || fail "C's $f is not a clean build's"
done
pass
