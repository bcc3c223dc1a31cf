#!/bin/sh
# A path missing when looked for and there at the end, with no traced
# writer, is taken for an untraced program's output, and restore removes
# it. Never so for a file a job had found before it was missed: it was
# there before the build, whatever a later look-up said (a cwd the shim
# got wrong, a look-up through a path it cannot see). The trace is
# patched so that a `test -e in.txt` after `cat in.txt` failed with
# ENOENT. And a dangling symlink in the tree that a job tried to read
# (`cat broken || ...`: ENOENT through it) was there all along: not an
# output either, and restore leaves it.
. "$(dirname "$0")/lib.sh"
echo 'int main(void){return 0;}' > s.c
cc -static -o s s.c 2>/dev/null || skip "no static libc (libc6-dev)"
mkdir src && cp s src/stamper && echo in > src/in.txt && ln -s nowhere src/broken &&
cat > src/Makefile <<'MK' || fail "project"
all: out probe stamp link
out: in.txt
	cat in.txt > out
probe: out
	test -e in.txt && echo there > probe
stamp:
	./stamper && touch stamp
link:
	cat broken > link 2>/dev/null || echo none > link
MK
cp -a src orig && (cd orig && LD_PRELOAD=$SHIM CKPT_DIR=$TRASH/orig/.ckpt make) > make.log 2>&1 ||
	fail "traced make: $(cat make.log)"
# The record of the probe's stat of in.txt (dash's builtin test, in the
# trace file of the `sh -c` that ran it), made to have failed with ENOENT.
python3 - "$TRASH/orig/in.txt" orig/.ckpt/trace/*.trc <<'PY' || fail "no stat record of in.txt to patch"
import struct, sys
want = sys.argv[1].encode() + b"\0"
for name in sys.argv[2:]:
    data = bytearray(open(name, "rb").read())
    ln, op = struct.unpack_from("<IH", data, 32)	# its START record
    if op != 1 or b"test -e in.txt" not in data[32:32 + ln]:
        continue
    off, hit = 32, False
    while off + 32 <= len(data):
        ln, op = struct.unpack_from("<IH", data, off)
        if ln == 0:
            break
        if op == 6 and data[off + 32:off + 32 + len(want)] == want:
            struct.pack_into("<i", data, off + 12, 2)	# err = ENOENT
            hit = True
        off += ln
    if hit:
        open(name, "wb").write(data)
        sys.exit(0)
sys.exit(1)
PY
"$CKPT" dump --json -d orig/.ckpt | grep -q "\"op\":\"stat\",\"path\":\"$TRASH/orig/in.txt\",\"ok\":false" ||
	fail "the patched record is not in the trace"
(cd orig && "$CKPT" save) > save.log 2>&1 || fail "save: $(cat save.log)"
cp -a src fresh && (cd fresh && "$CKPT" restore -d ../orig/.ckpt) > restore.log 2>&1 ||
	fail "restore: $(cat restore.log)"
[ -f fresh/in.txt ] || fail "restore removed the source in.txt: $(cat restore.log)"
[ -L fresh/broken ] || fail "restore removed the symlink broken: $(cat restore.log)"
for f in in.txt broken; do
	(cd fresh && "$CKPT" explain -d ../orig/.ckpt $f) > explain.log 2>&1
	grep -q 'not an output\|is a source' explain.log || fail "$f: $(cat explain.log)"
done
pass
