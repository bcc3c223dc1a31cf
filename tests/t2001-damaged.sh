#!/bin/sh
# A damaged checkpoint (flipped byte, cut short, missing object) is a clear
# error, and restore changes nothing in the tree.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
cp -a "$TOP/examples/basic" orig
(cd orig && "$CKPT" record -- make >/dev/null 2>&1) || fail "record"
cp -a "$TOP/examples/basic" fresh
echo '/* edit */' >> fresh/util.c
snapshot fresh > before.snap

attempt() { # attempt WHAT: restore must fail, say WHAT, leave fresh alone
	(cd fresh && "$CKPT" restore -d "$TRASH/bad") > out.log 2>&1 &&
		fail "restore from a checkpoint with $1 succeeded"
	grep -q "$2" out.log || fail "$1: message lacks '$2': $(cat out.log)"
	snapshot fresh > after.snap
	cmp -s before.snap after.snap || fail "$1: the tree was changed"
	# status reads only the manifest (objects matter to restore alone)
	[ "${3:-}" = objects-only ] ||
	! (cd fresh && "$CKPT" status -d "$TRASH/bad") > /dev/null 2>&1 ||
		fail "status accepted a checkpoint with $1"
	rm -rf bad
}

cp -a orig/.ckpt bad
printf 'X' | dd of=bad/manifest bs=1 seek=200 conv=notrunc 2>/dev/null
attempt "a flipped byte" "damaged"

cp -a orig/.ckpt bad
truncate -s -20 bad/manifest
attempt "a cut manifest" "damaged"

# The stored copy of main.o, which stays valid after the edit: in the
# save's pack (small objects are packed): "PACK OFFSET LENGTH".
object() {
	h=$(manifest_text bad/manifest | grep '^f O .* main.o$' | cut -d' ' -f3)
	[ -n "$h" ] || fail "main.o is not in the manifest"
	sh "$TOP/tests/object-cat.sh" bad "$h" --where || fail "no object for main.o"
}
cp -a orig/.ckpt bad
set -- $(object)
[ $# -eq 3 ] || fail "main.o is not packed: $*"
rm "$1"
attempt "a missing pack" "missing or damaged" objects-only

cp -a orig/.ckpt bad
set -- $(object)
chmod u+w "$1" && truncate -s -1 "$1"
attempt "a pack cut short" "missing or damaged" objects-only

# Same size, one byte of main.o's frame different: only its hash tells
# (it used to be copied into the tree as if it were main.o).
cp -a orig/.ckpt bad
set -- $(object)
chmod u+w "$1" &&
	printf 'X' | dd of="$1" bs=1 seek=$(($2 + $3 / 2)) conv=notrunc 2>/dev/null
attempt "an object with a flipped byte" "missing or damaged" objects-only

# The same damage to the stored copy of util.o, which the edit
# invalidates: restore does not need it, and reads ahead quietly what it
# may not need. It succeeds without a word about it, and make rebuilds
# util.o from the edited util.c, as a clean build does.
cp -a orig/.ckpt bad
h=$(manifest_text bad/manifest | grep '^f O .* util.o$' | cut -d' ' -f3)
set -- $(sh "$TOP/tests/object-cat.sh" bad "$h" --where)
[ $# -eq 3 ] || fail "util.o is not packed: $*"
chmod u+w "$1" &&
	printf 'X' | dd of="$1" bs=1 seek=$(($2 + $3 / 2)) conv=notrunc 2>/dev/null
cp -a fresh unneeded
(cd unneeded && "$CKPT" restore -d "$TRASH/bad") > out.log 2>&1 ||
	fail "restore failed on an object it does not need: $(cat out.log)"
! grep -q damaged out.log || fail "restore named an unneeded object: $(cat out.log)"
[ ! -e unneeded/util.o ] || fail "the invalid util.o is there"
[ -e unneeded/main.o ] || fail "main.o was not restored"
(cd unneeded && make >/dev/null 2>&1) || fail "make after restore"
cp -a fresh clean && (cd clean && make >/dev/null 2>&1) || fail "clean make"
for f in util.o prog; do
	cmp -s unneeded/$f clean/$f || fail "$f differs from a clean build's"
done
rm -rf bad unneeded clean

# A pack that is now a directory.
cp -a orig/.ckpt bad
set -- $(object)
rm "$1" && mkdir "$1"
attempt "a pack that is a directory" "missing or damaged" objects-only

mkdir bad
attempt "no manifest" "no checkpoint"

# Any byte flipped in the manifest's text (sampled across it, the
# checksum line included), compressed again: refused, nothing changed.
manifest_text orig/.ckpt/manifest > text
size=$(wc -c < text)
for off in 0 1 13 14 20 $((size / 3)) $((size / 2)) $((size - 40)) \
	$((size - 33)) $((size - 2)) $((size - 1)); do
	cp -a orig/.ckpt bad && cp text flipped
	c=$(dd if=flipped bs=1 skip="$off" count=1 2>/dev/null)
	[ "$c" = Z ] && n=Y || n=Z
	printf '%s' "$n" | dd of=flipped bs=1 seek="$off" conv=notrunc 2>/dev/null
	zstd -qf flipped -o bad/manifest
	attempt "byte $off of $size flipped" "damaged"
done
# The compressed file itself: its magic broken, a byte added.
cp -a orig/.ckpt bad
printf 'X' | dd of=bad/manifest bs=1 seek=0 conv=notrunc 2>/dev/null
attempt "the manifest's first byte flipped" "damaged"
cp -a orig/.ckpt bad
printf 'X' >> bad/manifest
attempt "a byte after the manifest's frame" "damaged"
size=$(wc -c < orig/.ckpt/manifest)
# Cut at several lengths, down to nothing.
for len in 0 1 16 $((size / 2)) $((size - 37)) $((size - 1)); do
	cp -a orig/.ckpt bad
	truncate -s "$len" bad/manifest
	attempt "a manifest cut to $len bytes" "damaged"
done
pass
