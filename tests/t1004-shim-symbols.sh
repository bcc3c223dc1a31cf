#!/bin/sh
# Every symbol libckpt.so exports is a libc (or libdl) function, and every
# fortified, 64-bit or legacy twin of a wrapped name that libc exports is
# wrapped too (else calls through the twin would go unseen). Nothing else
# leaks out of the shim.
. "$(dirname "$0")/lib.sh"
LIBC=$(ldd /bin/true | awk '/libc.so/ { print $3 }')
[ -f "$LIBC" ] || skip "cannot find libc"
nm -D --defined-only "$SHIM" | awk '$2 ~ /[TW]/ { print $3 }' | sed 's/@.*//' | sort -u > ours
nm -D --defined-only "$LIBC" | awk '{ print $3 }' | sed 's/@.*//' | sort -u > libc
extra=$(comm -23 ours libc)
[ -z "$extra" ] || fail "exported by the shim but not by libc: $extra"
missing=""
while read -r f; do
	for twin in "${f}64" "__${f}_2" "__${f}64_2" "__${f}_chk" "__x${f}" \
		"__x${f}64" "__l${f}" "__fx${f}at" "${f}at" "${f}at64"; do
		grep -qx "$twin" libc || continue
		grep -qx "$twin" ours || missing="$missing $twin"
	done
done < ours
[ -z "$missing" ] || fail "libc twins of wrapped names that are not wrapped:$missing"
[ "$(wc -l < ours)" -gt 100 ] || fail "suspiciously few wrappers: $(wc -l < ours)"
# Every process of a build maps the shim: two segments (code and constants;
# data), and the small state a process writes fits in a page, with the big
# buffers it touches only at their start (.lbss) after it.
loads=$(readelf -lW "$SHIM" | grep -c '^ *LOAD')
expect_eq "LOAD segments of the shim" 2 "$loads"
bss=$(readelf -SW "$SHIM" | awk '$2 == ".bss" { print $6 }')
[ -n "$bss" ] && [ $((0x$bss)) -le 4096 ] || fail ".bss of the shim is $bss bytes, more than a page"
readelf -SW "$SHIM" | grep -q ' \.lbss ' || fail "no .lbss in the shim"
pass
