#!/bin/sh
# object-cat.sh DIR HASH [--where]: print the content of the object HASH
# (32 hex digits, as in the manifest) of the checkpoint in DIR, whether it
# is a file of its own or in a pack (docs/checkpoint-format.md); with
# --where, print where its zstd frame is instead: "FILE" or "PACK OFFSET
# LENGTH". Exit 1 if no object has that hash. Used by the tests that
# damage objects or compare them, without going through ckpt.
set -eu
dir=$1 h=$2
loose=$dir/objects/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-).zst
if [ -f "$loose" ]; then
	if [ "${3:-}" = --where ]; then echo "$loose"; else zstdcat "$loose"; fi
	exit 0
fi
u64() { od -An -v -t "$1" -j "$3" -N 8 "$2" | tr -d ' '; }
for pack in "$dir"/objects/packs/*.pack; do
	[ -f "$pack" ] || continue
	size=$(stat -c %s "$pack")
	start=$(u64 u8 "$pack" $((size - 16)))
	n=$(( (size - start - 24) / 32 ))
	i=0
	while [ "$i" -lt "$n" ]; do
		e=$((start + 8 + i * 32))
		if [ "$(u64 x8 "$pack" "$e")$(u64 x8 "$pack" $((e + 8)))" = "$h" ]; then
			off=$(u64 u8 "$pack" $((e + 16))) len=$(u64 u8 "$pack" $((e + 24)))
			if [ "${3:-}" = --where ]; then
				echo "$pack $off $len"
			else
				tail -c +$((off + 1)) "$pack" | head -c "$len" | zstdcat
			fi
			exit 0
		fi
		i=$((i + 1))
	done
done
echo "object-cat: no object $h in $dir" >&2
exit 1
