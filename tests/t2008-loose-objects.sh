#!/bin/sh
# Objects larger than a pack takes are files of their own
# (objects/<hh>/<rest>.zst). A record in place keeps exactly the ones its
# manifest names: a stray well-formed name, and a raw copy (format 1) and
# an upper-case name of a live object go, the live object stays; after an
# edit the replaced output's object goes and the new one holds the new
# content.
. "$(dirname "$0")/lib.sh"
mkdir t
cat > t/Makefile <<'MK'
all: big.bin small.txt
big.bin: seed
	head -c 1500000 /dev/zero | tr '\0' x > $@
	cat seed >> $@
small.txt: seed
	cp seed $@
MK
echo 1 > t/seed
record() {
	(cd t && "$CKPT" record -d "$TRASH/ck" -- make >/dev/null 2>&1) ||
		fail "record $1"
}
loose() { find ck/objects -path ck/objects/packs -prune -o -type f -print | sort; }
# object NAME: where the object of output NAME must be, from the manifest
object() {
	_h=$(manifest_text ck/manifest |
		awk -v n="$1" '$1 == "f" && $2 == "O" && $NF == n { print $3 }')
	[ -n "$_h" ] || fail "no output $1 in the manifest"
	echo "ck/objects/$(echo "$_h" | cut -c1-2)/$(echo "$_h" | cut -c3-).zst"
}
record first
obj1=$(object big.bin)
expect_eq "loose objects after the first record" "$obj1" "$(loose)"

mkdir -p ck/objects/00
echo junk > ck/objects/00/000000000000000000000000000000.zst
cp t/big.bin "${obj1%.zst}"	# a raw copy, as format 1 stored it
# The live object's name in upper case: not a name ckpt reads.
upper=$(dirname "$obj1")/$(basename "$obj1" .zst | tr a-f A-F).zst
[ "$upper" = "$obj1" ] || cp "$obj1" "$upper"
record "again, nothing changed"
expect_eq "loose objects after recording again" "$obj1" "$(loose)"
[ -d ck/objects/00 ] && fail "the emptied directory objects/00 was left"

echo 2 > t/seed
record "after an edit"
obj2=$(object big.bin)
[ "$obj1" != "$obj2" ] || fail "big.bin has the same object after the edit"
expect_eq "loose objects after the edit" "$obj2" "$(loose)"
zstdcat "$obj2" | cmp -s - t/big.bin || fail "$obj2 is not big.bin's content"
pass
