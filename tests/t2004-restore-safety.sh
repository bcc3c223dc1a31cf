#!/bin/sh
# restore never writes through a symlink out of the tree, never touches
# what is not a recorded output; --dry-run changes nothing; --target
# restores only what the named output needs; nor the atimes of the
# sources it reads.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir -p orig/obj
cat > orig/Makefile <<'MK'
all: obj/a.o obj/b.o other.txt
obj/%.o: %.c
	cc -c -o $@ $<
other.txt:
	echo other > other.txt
MK
echo 'int a;' > orig/a.c
echo 'int b;' > orig/b.c
echo 'theirs' > orig/notes.txt	# a file of the user's that no job reads
(cd orig && "$CKPT" record -- make >/dev/null 2>&1) || fail "record"

# A symlink where an output directory was: refused, nothing written there.
mkdir fresh outside
cp orig/Makefile orig/a.c orig/b.c orig/notes.txt fresh/
ln -s "$TRASH/outside" fresh/obj
echo 'mine' > fresh/notes.txt
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > out.log 2>&1 &&
	fail "restore through a symlink succeeded"
grep -q "refusing 2 outputs under obj: it is a symbolic link" out.log || fail "no refusal message: $(cat out.log)"
[ -z "$(ls outside)" ] || fail "wrote outside the tree: $(ls outside)"
[ -e fresh/other.txt ] && fail "restored other files although the plan was refused"
expect_eq "user file" "mine" "$(cat fresh/notes.txt)"

# --dry-run lists and does nothing.
rm fresh/obj && mkdir fresh/obj
snapshot fresh > before.snap
(cd fresh && "$CKPT" restore --dry-run -d ../orig/.ckpt) > dry.log || fail "dry run"
grep -q "^restore obj/a.o" dry.log || fail "dry run does not list obj/a.o: $(cat dry.log)"
snapshot fresh > after.snap
cmp -s before.snap after.snap || fail "--dry-run changed the tree"

# --target: only what obj/a.o needs.
(cd fresh && "$CKPT" restore --target obj/a.o -d ../orig/.ckpt) || fail "--target"
[ -e fresh/obj/a.o ] || fail "target not restored"
[ -e fresh/obj/b.o ] && fail "--target restored more than asked"
[ -e fresh/other.txt ] && fail "--target restored more than asked"
(cd fresh && "$CKPT" restore --target nosuch -d ../orig/.ckpt) 2>/dev/null &&
	fail "--target accepted a path that is not an output"

# --target with a generated Makefile, as autoconf's: make needs the
# Makefile it reads, and config.status, written beside it, which the
# Makefile's own rule names; without them make fails where it had
# nothing to do.
mkdir -p gen.orig
cat > gen.orig/configure <<'SH'
cat > config.status <<'EOS'
case $1 in --recheck) exec sh ./configure ;; esac
sed 's/@CC@/cc/' Makefile.in > Makefile
EOS
sh ./config.status
SH
cat > gen.orig/Makefile.in <<'MK'
CC = @CC@
all: one.o two.o
%.o: %.c
	$(CC) -c -o $@ $<
Makefile: Makefile.in config.status
	sh ./config.status
config.status: configure
	sh ./config.status --recheck
MK
echo 'int one;' > gen.orig/one.c && echo 'int two;' > gen.orig/two.c
cp -a gen.orig gen.fresh
(cd gen.orig && "$CKPT" record -- sh -c 'sh ./configure && make') > gen.log 2>&1 ||
	fail "record: $(cat gen.log)"
(cd gen.fresh && "$CKPT" restore --target one.o -d ../gen.orig/.ckpt &&
	make one.o) > gen.log 2>&1 || fail "--target one.o, then make: $(cat gen.log)"
grep -q "up to date" gen.log || fail "make did work: $(cat gen.log)"
[ -e gen.fresh/config.status ] || fail "--target left config.status out"
[ -e gen.fresh/two.o ] && fail "--target restored two.o"

# --target takes what every writer of an output read, not only its last
# (lua's liblua.a: `ar rcu` reads the objects, then `ranlib`, which
# reads only the archive): else make remade the objects and relinked.
mkdir -p ar.orig
cat > ar.orig/Makefile <<'MK'
prog: main.o lib.a
	cat main.o lib.a > prog
lib.a: a.o b.o
	cat a.o b.o > lib.a
	touch lib.a
%.o: %.c
	cp $< $@
MK
for f in a b main; do echo "$f" > ar.orig/$f.c; done
cp -a ar.orig ar.fresh
(cd ar.orig && "$CKPT" record -- make) > ar.log 2>&1 || fail "record: $(cat ar.log)"
(cd ar.fresh && "$CKPT" restore --target prog -d ../ar.orig/.ckpt &&
	make prog) > ar.log 2>&1 || fail "--target prog, then make: $(cat ar.log)"
grep -q "up to date" ar.log || fail "--target prog left out what lib.a was made from: $(cat ar.log)"

# A full restore then leaves notes.txt alone and make has nothing to do.
# An output that was there with other content (a build of the user's) is
# replaced, and said so.
echo 'a build of mine' > fresh/other.txt
# status says so first (a configure run by hand since, with other
# options, changes no input ckpt sees: it said "nothing changed").
(cd fresh && "$CKPT" status -d ../orig/.ckpt) > st.log 2>&1 || fail "status: $(cat st.log)"
head -1 st.log | grep -qx "no input changed since the checkpoint" &&
	grep -A1 "^outputs the tree holds with other content" st.log | grep -qx "  other.txt" ||
	fail "status does not name the output restore replaces: $(cat st.log)"
(cd orig && "$CKPT" status) > st.log 2>&1 || fail "status: $(cat st.log)"
expect_eq "status of the recorded tree" "nothing changed since the checkpoint" "$(cat st.log)"
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > out.log 2>&1 || fail "restore: $(cat out.log)"
expect_eq "user file" "mine" "$(cat fresh/notes.txt)"
expect_eq "replaced output" "other" "$(cat fresh/other.txt)"
grep -q "^ckpt: replaced 1 output that the tree held with other content: other.txt " out.log ||
	fail "the replaced output is not named: $(cat out.log)"
# Not only a configuration of the user's: a file the sources ship that
# the recorded build rewrote (bash's support/bashbug.sh) is replaced too.
grep -q "a file the sources ship that the recorded build rewrote needs nothing more" out.log ||
	fail "the replaced output is taken for the user's own: $(cat out.log)"
(cd fresh && make) > make.log 2>&1
grep -q "Nothing to be done" make.log || fail "make did work: $(cat make.log)"
# --dry-run says "valid" of an output that is there as recorded.
rm fresh/obj/b.o
(cd fresh && "$CKPT" restore --dry-run -d ../orig/.ckpt) > dry2.log || fail "dry run"
grep -qx "valid obj/a.o" dry2.log || fail "--dry-run: obj/a.o: $(cat dry2.log)"
grep -qx "restore obj/b.o" dry2.log || fail "--dry-run: obj/b.o: $(cat dry2.log)"

# A directory the build made, whose job is invalid, is left as it is:
# --dry-run says "invalid" of what it has nothing to do for (not there),
# not "remove"; it was counted as invalidated
# (libtool's .libs: "restored 80, invalidated 17" where status said 15).
mkdir -p dir.a && printf 'gen/x.txt: in.txt\n\tmkdir -p gen && cp in.txt gen/x.txt\n' > dir.a/Makefile
echo 1 > dir.a/in.txt
(cd dir.a && "$CKPT" record -- make >/dev/null 2>&1) || fail "record dir.a"
mkdir dir.b && cp dir.a/Makefile dir.b/ && echo 2 > dir.b/in.txt
(cd dir.b && "$CKPT" restore --dry-run -d ../dir.a/.ckpt) > dry3.log || fail "dry run"
expect_eq "--dry-run of an invalid job that made a directory" "invalid gen/x.txt" "$(cat dry3.log)"
# In the recorded tree everything is there as recorded: the directory too
# is "valid", not "restore".
(cd dir.a && "$CKPT" restore --dry-run) > dry4.log || fail "dry run dir.a"
expect_eq "--dry-run in the recorded tree" "valid gen
valid gen/x.txt" "$(sort dry4.log)"
(cd dir.b && "$CKPT" restore -d ../dir.a/.ckpt) > dir.log 2>&1 || fail "restore dir.b"
grep -q "invalidated 1 (0 removed)" dir.log || fail "restore's count: $(cat dir.log)"

# --target follows what a later line moves into place: x.h is written by
# `mv x.tmp x.h`, and x.c is read by the line that wrote x.tmp (libpng's
# pnglibconf.out); left out, make remade x.c, x.h and lib.
mkdir tmp.a && cat > tmp.a/Makefile <<'MK'
lib: x.h main.c
	cat x.h main.c > lib
x.h: x.c
	cat x.c > x.tmp
	mv x.tmp x.h
x.c: x.dfa
	cp x.dfa x.c
MK
echo dfa > tmp.a/x.dfa && echo main > tmp.a/main.c
cp -a tmp.a tmp.b && echo main2 > tmp.b/main.c
(cd tmp.a && "$CKPT" record -- make >/dev/null 2>&1) || fail "record tmp.a"
(cd tmp.b && "$CKPT" restore --target lib -d ../tmp.a/.ckpt && make lib) > tmp.log 2>&1 ||
	fail "restore --target lib: $(cat tmp.log)"
expect_eq "make after restore --target lib" "cat x.h main.c > lib" "$(grep -v '^ckpt' tmp.log)"

# status and restore read the sources without changing their atimes: in a
# fresh copy each atime is older than the ctime, and under relatime the
# first read of a file would write its inode. notes.txt, which nothing
# reads, shows whether a read updates the atime here at all.
mkdir -p at/obj && cp orig/Makefile orig/a.c orig/b.c orig/notes.txt at/
touch -a -d @1000000000 at/a.c at/b.c at/Makefile at/notes.txt
cat at/notes.txt > /dev/null
if [ "$(stat -c %X at/notes.txt)" = 1000000000 ]; then
	echo "a read does not update the atime here: that check skipped"
else
	(cd at && "$CKPT" status -d ../orig/.ckpt && "$CKPT" restore -d ../orig/.ckpt) \
		> at.log 2>&1 || fail "status, restore: $(cat at.log)"
	grep -q "restored 3" at.log || fail "not restored: $(cat at.log)"
	for f in a.c b.c Makefile; do
		expect_eq "atime of $f after status and restore" 1000000000 \
			"$(stat -c %X at/$f)"
	done
fi
pass
