#!/bin/sh
# A save makes its objects durable before the manifest that names them,
# and flushes only its own files while they are few: each loose object it
# names (also one stored by an earlier save) and its directory, the new
# pack, the manifest; no syncfs, which would also wait for every other
# file waiting to be written on the file system.
# Past 64 loose objects it is one syncfs instead.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "no strace"
strace -f -o /dev/null true 2>/dev/null || skip "strace cannot trace here"

# make_tree N: a tree whose build writes N outputs too large for a pack,
# and one small one.
make_tree() {
	rm -rf t ck && mkdir t
	{
		printf 'all: small.txt'
		i=1; while [ $i -le "$1" ]; do printf ' big%d.bin' $i; i=$((i + 1)); done
		printf '\nbig%%.bin: seed\n'
		printf '\thead -c 1100000 /dev/zero | tr "\\0" x > $@\n'
		printf '\techo $@ >> $@\n'
		printf 'small.txt: seed\n\tcp seed $@\n'
	} > t/Makefile
	echo 1 > t/seed
}
# record: record the tree under strace; its fsync and syncfs calls, with
# the paths of their descriptors, in $TRASH/calls.
record() {
	(cd t && strace -f --seccomp-bpf -y -qq -e signal=none \
		-e trace=fsync,syncfs -o "$TRASH/calls" \
		"$CKPT" record -d "$TRASH/ck" -- make -j2 >/dev/null 2>&1) ||
		fail "record $1"
}
# flushed PATH: how many times PATH (under $TRASH) was fsync'd
flushed() { grep -c "fsync([0-9]*<$TRASH/$1>" calls; }
# line PATTERN first|last: the line of calls with PATTERN's first or last
# fsync, 0 for none
line() {
	grep -n "fsync([0-9]*<$TRASH/$1" calls | cut -d: -f1 |
		if [ "$2" = first ]; then head -1; else tail -1; fi |
		grep . || echo 0
}

make_tree 2
record "with two large outputs"
grep -q syncfs calls && fail "syncfs with two loose objects"
loose=$(find ck/objects -name '*.zst' | sort)
expect_eq "loose objects" 2 "$(echo "$loose" | wc -l)"
expect_eq "packs" 1 "$(find ck/objects -name '*.pack' | wc -l)"
for o in $loose; do
	expect_eq "flushes of $o" 1 "$(flushed "$o")"
	[ "$(flushed "$(dirname "$o")")" -ge 1 ] ||
		fail "$(dirname "$o") was not flushed"
done
for d in ck/objects ck/objects/packs ck; do
	[ "$(flushed $d)" -ge 1 ] || fail "$d was not flushed"
done
# the pack and the manifest, before they are renamed to their names
[ "$(line ck/objects/packs/.ckpt-tmp. last)" -gt 0 ] ||
	fail "the pack was not flushed"
manifest=$(line ck/.ckpt-tmp. first)
[ "$manifest" -gt 0 ] || fail "the manifest was not flushed"
[ "$(line ck/objects/ last)" -lt "$manifest" ] ||
	fail "an object was flushed after the manifest"

record "again, nothing changed"
grep -q syncfs calls && fail "syncfs on recording again"
for o in $loose; do
	expect_eq "flushes of $o on recording again" 1 "$(flushed "$o")"
done

make_tree 65
record "with 65 large outputs"
expect_eq "syncfs calls" 1 "$(grep -c '^[0-9]* *syncfs(' calls)"
loose=$(find ck/objects -name '*.zst')
expect_eq "loose objects" 65 "$(echo "$loose" | wc -l)"
for o in $loose; do
	expect_eq "flushes of $o on its own" 0 "$(flushed "$o")"
done
pass
