#!/bin/sh
# A program that prints a file's time or size (`date -r FILE`, `ls -l`,
# automake's mdate-sh: `ls -L -l`; `stat`) reads it: its output changes
# with the file. gzip's version.texi, from mdate-sh of gzip.texi, was
# kept valid for a tree with another gzip.texi: a checkpoint of the
# edited tree restored into the shipped one put its version.texi over
# the shipped file, which a clean build keeps.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

mkdir t0 && cd t0 || fail "mkdir"
cat > Makefile <<'MK'
all: out.txt size.txt
ver.txt: in.txt
	date -u -r in.txt +%F > ver.txt
out.txt: ver.txt in.txt
	cat ver.txt in.txt > out.txt
size.txt: in.txt
	ls -l in.txt | cut -d' ' -f5 > size.txt
MK
echo a > in.txt && touch -d 2020-01-01 in.txt Makefile || fail "sources"
make > ../t0.log 2>&1 || fail "make: $(cat ../t0.log)"
touch -d 2020-01-02 ver.txt out.txt size.txt	# shipped, up to date
cd ..
cp -a t0 t1 && echo edited > t1/in.txt || fail "copy"
(cd t1 && "$CKPT" record -- make) > t1.log 2>&1 || fail "record: $(cat t1.log)"

# Back to the shipped sources, as a bisect steps back.
cp -a t0 t2 || fail "copy"
(cd t2 && "$CKPT" restore -d ../t1/.ckpt && make) > t2.log 2>&1 ||
	fail "restore and make: $(cat t2.log)"
for f in ver.txt out.txt size.txt; do
	cmp -s "t0/$f" "t2/$f" || fail "$f is not the shipped one: $(cat "t2/$f")"
done
(cd t1 && "$CKPT" status) > t1-status.log 2>&1
grep -qx "nothing changed since the checkpoint" t1-status.log ||
	fail "the recorded tree changed: $(cat t1-status.log)"

# In a $(shell), what it prints goes to make: a read there would make
# every job of that make invalid when the file changes (kbuild's
# size_append: `ls -dn vmlinux.bin`, a whole directory recompiled).
mkdir s0 && cd s0 || fail "mkdir"
cat > Makefile <<'MK'
all: sz.txt other.txt
big.txt: in.txt
	cat in.txt in.txt > big.txt
sz.txt: big.txt
	echo $(shell ls -dn big.txt | cut -d' ' -f5) > sz.txt
other.txt: o.txt
	cp o.txt other.txt
MK
echo a > in.txt && echo o > o.txt
"$CKPT" record -- make > ../s0.log 2>&1 || fail "record: $(cat ../s0.log)"
cd ..
mkdir s1 && cp s0/Makefile s0/o.txt s1/ && echo longer > s1/in.txt || fail "copy"
(cd s1 && "$CKPT" restore -d ../s0/.ckpt && make) > s1.log 2>&1 ||
	fail "restore and make: $(cat s1.log)"
grep -q "^cp o.txt" s1.log && fail "other.txt rebuilt: $(cat s1.log)"
expect_eq "sz.txt" 14 "$(cat s1/sz.txt)"
pass
