#!/bin/sh
# A chained build (record --from) of a tree where a source was added with
# the makefile line that names its object (a patch that adds b.c and
# `OBJS = a.o b.o` to a Makefile.am): the new build wrote b.o, which the
# old build never knew, and the added b.c is a prerequisite of b.o by
# make's `%.o: %.c`. To the old make the name b.c did not matter (it
# knew no b.o): its jobs that this build left alone are still valid, and
# kept. They were taken for stale, and the next level of the chain
# compiled a.c again (libyaml: 56 commands where make in place runs 32).
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS
mkdir -p P/sub
cat > P/conf <<'SH'
#!/bin/sh
cp Makefile.top.in Makefile
cp sub/Makefile.in sub/Makefile
SH
chmod +x P/conf
printf '%s\n' 'all: sub/Makefile' '	$(MAKE) -C sub' \
	'sub/Makefile.in: sub/Makefile.am' '	cp sub/Makefile.am sub/Makefile.in' \
	'sub/Makefile: sub/Makefile.in' '	cp sub/Makefile.in sub/Makefile' > P/Makefile.top.in
printf '%s\n' 'OBJS = a.o' 'prog: $(OBJS)' '	$(CC) -o prog $(OBJS)' > P/sub/Makefile.am
cp P/sub/Makefile.am P/sub/Makefile.in
echo 'int main(void) { return 0; }' > P/sub/a.c
backdate P/conf P/Makefile.top.in P/sub/*

# edit TREE TEXT: b.c added with TEXT, and named in the Makefile.am.
edit() {
	echo "$2" > "$1/sub/b.c" &&
		sed -i 's/^OBJS = a.o$/OBJS = a.o b.o/' "$1/sub/Makefile.am"
}
cp -a P A && (cd A && "$CKPT" record -- sh -c './conf && make') > a.log 2>&1 ||
	fail "record A: $(cat a.log)"
cp -a P B && edit B 'int b(void) { return 1; }'
(cd B && "$CKPT" restore -d ../A/.ckpt && "$CKPT" record --from ../A/.ckpt -- make) \
	> b.log 2>&1 || fail "record B: $(cat b.log)"
grep -q "cc *-c -o b.o b.c" b.log || fail "B did not compile b.c: $(cat b.log)"
grep -q "^cc *-c -o a.o" b.log && fail "B compiled a.c: $(cat b.log)"
grep -q "has invalid in this tree" b.log &&
	fail "B's record took kept jobs for stale: $(cat b.log)"

# The next level: the same edits with b.c edited again, restored from B.
cp -a P C && edit C 'int b(void) { return 2; }'
(cd C && "$CKPT" restore -d ../B/.ckpt && make) > c.log 2>&1 ||
	fail "restore + make C: $(cat c.log)"
expect_eq "C's compiles" "cc -c -o b.o b.c" "$(grep '^cc .*-c' c.log | tr -s ' ')"
cp -a P D && edit D 'int b(void) { return 2; }'
(cd D && ./conf && make) > d.log 2>&1 || fail "clean build D: $(cat d.log)"
cmp C/sub/prog D/sub/prog || fail "C's prog is not a clean build's"
pass
