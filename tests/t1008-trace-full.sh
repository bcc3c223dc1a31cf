#!/bin/sh
# The file system of the trace fills up: the traced program goes on as it
# would untraced (it used to die of SIGBUS writing its next trace page),
# its trace ends with a `lost` record that the analyzer reads back wherever
# it falls, a process that had no room for a single record leaves a *.lost
# file, and no checkpoint is made from such a trace.
. "$(dirname "$0")/lib.sh"
mkdir -p full
mount -t tmpfs -o size=128k tmpfs full 2>/dev/null ||
	skip "cannot mount a small tmpfs (not root?)"
trap 'umount "$TRASH/full" 2>/dev/null' EXIT

# 20,000 failed look-ups are about 2 MB of records: far more than fits.
loop='i=0; while [ $i -lt 20000 ]; do [ -e no-such-$i ]; i=$((i + 1)); done; echo done'
out=$(traced "$TRASH/full/ck" sh -c "$loop") ||
	fail "the traced shell failed (status $?) when its trace had no room"
expect_eq "output of the traced shell" done "$out"
"$CKPT" dump --json -d full/ck > ev.json 2> dump.err || fail "dump: $(cat dump.err)"
grep -q '"op":"lost".*"error":"ENOSPC"' ev.json ||
	fail "no lost record: $(tail -n 2 ev.json)"
grep -q "the trace is incomplete: 1 process could not write all its records (.*: No space left on device)" dump.err ||
	fail "dump did not warn: $(cat dump.err)"
n=$(grep -c '"op":"stat","path":"[^"]*/no-such-' ev.json) || true
[ "$n" -gt 100 ] && [ "$n" -lt 20000 ] || fail "$n look-ups recorded, expected some, not all"
"$CKPT" save -d full/ck 2> save.err && fail "a checkpoint was saved from an incomplete trace"
grep -q "the trace is incomplete, no checkpoint made from it: 1 process could not write all its records (.*: No space left on device). Make room where the trace goes" save.err ||
	fail "save: $(cat save.err)"
[ ! -e full/ck/manifest ] || fail "a manifest was written"

# The room runs out in the trace's second window, at whatever offset the
# file system's size puts it: dump reads every case to its lost record.
umount "$TRASH/full"
loop2='i=0; while [ $i -lt 30000 ]; do [ -e no-such-$i ]; i=$((i + 1)); done'
for kib in 1028 1032 1036 1040 1044 1048; do
	mount -t tmpfs -o size=${kib}k tmpfs full || fail "mount ${kib}k"
	traced "$TRASH/full/ck" sh -c "$loop2" || fail "the traced shell failed (${kib}k)"
	"$CKPT" dump --json -d full/ck > ev2.json 2> /dev/null ||
		fail "dump of a trace cut in its second window failed (status $?, ${kib}k)"
	tail -n 1 ev2.json | grep -q '"op":"lost"' || fail "${kib}k: the last record is not lost"
	umount "$TRASH/full"
done
mount -t tmpfs -o size=128k tmpfs full || fail "mount"

# A trace file whose last record ends exactly on a page, the hole after it,
# on a full tmpfs: the reader stops at the end of the data and never reads
# the hole (which tmpfs, full, answers with SIGBUS).
mkdir -p full/hole/trace
python3 - full/hole/trace/4242-0.trc "$TRASH" <<'PY' || fail "making the trace"
import struct, sys
path, cwd = sys.argv[1], sys.argv[2]
def rec(op, strs, arg=0):
    body = b"".join(s.encode() + b"\0" for s in strs)
    n = 32 + len(body) + (-(32 + len(body)) % 8)
    return (struct.pack("<IHHiiQQ", n, op, len(strs), 4242, 0, 1, arg) + body).ljust(n, b"\0")
head = b"CKPTTRC\0" + struct.pack("<II", 1, 1 << 20) + b"\0" * 16
start = rec(1, ["/bin/true", cwd, "true"], 1)
room = 4096 - len(head) - len(start) - 32 - 1   # the last path, NUL excluded
last = rec(6, [(cwd + "/" + "x" * 4096)[:room]])
assert len(head) + len(start) + len(last) == 4096
with open(path, "wb") as f:
    f.write(head + start + last)
    f.truncate(1 << 20)
PY
dd if=/dev/zero of=full/filler bs=4k count=64 2>/dev/null || true
"$CKPT" dump --json -d full/hole > hole.json ||
	fail "dump of a trace that ends on a page, a hole after it, failed (status $?)"
grep -q '"op":"stat","path":"'"$TRASH"'/xxx' hole.json || fail "the last record was not read"
rm -rf full/hole full/filler

# No room at all: the file of the next process is renamed *.lost.
rm -rf full/ck
dd if=/dev/zero of=full/filler bs=4k count=64 2>/dev/null || true
out=$(traced "$TRASH/full/ck" sh -c 'echo ran') || fail "a traced sh failed on a full file system"
expect_eq "output on a full file system" ran "$out"
ls full/ck/trace/*.lost > /dev/null 2>&1 || fail "no *.lost file: $(ls full/ck/trace)"
"$CKPT" save -d full/ck 2> save.err && fail "a checkpoint was saved without a process's records"
grep -q "the trace is incomplete, no checkpoint made from it: .*\.lost: No space left on device" save.err || fail "save: $(cat save.err)"
umount "$TRASH/full"

# No descriptor left for the trace file: a fork child of a process at its
# limit of open files (RLIMIT_NOFILE) makes a directory of the lost name,
# which takes none, and the save says what to raise.
cat > nofile.c <<'C'
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	struct rlimit rl = { 3, 3 };
	setrlimit(RLIMIT_NOFILE, &rl);
	pid_t p = fork();
	if (p == 0) {
		mkdir("made-by-child", 0755);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	printf("child: %d\n", WEXITSTATUS(st));
	return 0;
}
C
cc -o nofile nofile.c || fail "compile nofile.c"
# The save fails; record's stage in /dev/shm is gone all the same (it is
# removed while the save reads it, whatever comes of the save). The
# stage is the CKPT_DIR the build sees: other records may run beside us.
mkdir nf && (cd nf && "$CKPT" record -- sh -c 'echo "$CKPT_DIR" > ../stage.txt && exec ../nofile') \
	> nf.out 2> nf.err &&
	fail "record saved a checkpoint without a fork child's records"
grep -qx "child: 0" nf.out || fail "nofile: $(cat nf.out)"
grep -q "the trace is incomplete, .*\.lost: Too many open files). Raise the limit of open files" nf.err ||
	fail "nofile: $(cat nf.err)"
stage=$(cat stage.txt)
case $stage in
/dev/shm/ckpt-trace.*) [ -e "$stage" ] && fail "stage left after a failed save: $stage" ;;
*) fail "the build's CKPT_DIR is not a stage in /dev/shm: $stage" ;;
esac
pass
