#!/bin/sh
# Reading a trace back (docs/trace-format.md): its files are read side by
# side, each process's records in order. A file cut short, even inside a
# record, ends there; a file that was created and never written counts for
# nothing; anything else damaged is an error naming the file and offset.
. "$(dirname "$0")/lib.sh"
mkdir -p t && echo x > t/a && echo y > t/b
traced "$TRASH/tr" sh -c 'cat t/a; cat t/b; cat t/a' > out || fail "traced sh failed"
expect_eq "output" "x y x" "$(echo $(cat out))"
nfiles=$(ls tr/trace/*.trc | wc -l)
[ "$nfiles" -ge 4 ] || fail "only $nfiles trace files"
"$CKPT" dump --json -d tr > all.json || fail "dump of a sound trace"
n_all=$(wc -l < all.json)
reads() { grep -c "\"op\":\"read\",\"path\":\"$TRASH/t/$1\"" "$2" || true; }
expect_eq "reads of t/a" 2 "$(reads a all.json)"
expect_eq "reads of t/b" 1 "$(reads b all.json)"

# damage FILE OFFSET HEXBYTES: overwrite bytes of a copy of the trace
fresh() { rm -rf bad && cp -r tr bad; }
damage() {
	python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); f.write(bytes.fromhex(sys.argv[3]))' "$@"
}
# The trace file of the process that read t/b, and the offset of its record.
locate() {
	python3 - "$TRASH/t/b" bad/trace/*.trc <<'PY'
import struct, sys
want = sys.argv[1].encode() + b"\0"
for name in sys.argv[2:]:
    data = open(name, "rb").read()
    off = 32
    while off + 32 <= len(data):
        ln, op = struct.unpack_from("<IH", data, off)
        if ln == 0:
            break
        if op == 4 and data[off + 32:off + 32 + len(want)] == want:
            print(name, off, ln)
            sys.exit(0)
        off += ln
sys.exit(1)
PY
}

# Cut short inside the read of t/b: that record and what follows are gone.
fresh
set -- $(locate) || fail "no record of the read of t/b"
file=$1 off=$2
truncate -s $((off + 20)) "$file"
"$CKPT" dump --json -d bad > cut.json || fail "a file cut inside a record is not tolerated"
expect_eq "reads of t/b once cut" 0 "$(reads b cut.json)"
expect_eq "reads of t/a once cut" 2 "$(reads a cut.json)"

# Created and never written (a process killed at once): nothing to read.
fresh
: > bad/trace/99999-0.trc
"$CKPT" dump --json -d bad > empty.json || fail "an empty trace file is refused"
expect_eq "records with an empty file beside" "$n_all" "$(wc -l < empty.json)"

# A record length that is not a multiple of 8.
fresh
set -- $(locate)
file=$1 off=$2
damage "$file" "$off" 0d000000
"$CKPT" dump -d bad > /dev/null 2> err && fail "a corrupt record is accepted"
grep -q "$(basename "$file"): corrupt record at offset $off (length 13)" err ||
	fail "corrupt record: $(cat err)"

# An unknown operation.
fresh
set -- $(locate)
file=$1 off=$2
damage "$file" $((off + 4)) ff00
"$CKPT" dump -d bad > /dev/null 2> err && fail "an unknown operation is accepted"
grep -q "$(basename "$file"): unknown operation 255 at offset $off" err ||
	fail "unknown operation: $(cat err)"

# Not a trace file at all.
fresh
set -- $(locate)
file=$1
damage "$file" 0 58585858
"$CKPT" save -d bad 2> err && fail "a file with a bad magic is accepted"
grep -q "$(basename "$file"): not a ckpt trace file (bad magic at offset 0)" err ||
	fail "bad magic: $(cat err)"
pass
