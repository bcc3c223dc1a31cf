#!/bin/sh
# A tree under /dev/shm (a tmpfs, where builds are often run for speed) is a
# tree like any other: the kernel's interfaces in /dev are left out of a
# checkpoint, /dev/shm is not. (It was: nothing was stored, and a restore
# left every target to rebuild.)
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
[ -d /dev/shm ] && [ -w /dev/shm ] || skip "no writable /dev/shm"
SHM=$(mktemp -d /dev/shm/ckpt-t3017.XXXXXX) || fail "mktemp in /dev/shm"
trap 'rm -rf "$SHM"' EXIT
cd "$SHM" || fail "cd $SHM"
edit() { sed -i 's/return a + b;/return a + b + 1;/' util.c; }
scenario basic edit
expect_jobs "cc -O2 -Ioverride -Iinclude -c -o util.o util.c" \
	"ar rcs libutil.a util.o extra.o" "cc -o prog main.o libutil.a"
expect_same
[ "$KEPT" -ge 2 ] || fail "main.o and extra.o should have been kept"
pass
