#!/bin/sh
# A tree under /dev/shm (a tmpfs, where builds are often run for speed) is a
# tree like any other: the kernel's interfaces in /dev are left out of a
# checkpoint, /dev/shm is not. (It was: nothing was stored, and a restore
# left every target to rebuild.) Scenario 1 (t3001), run there.
. "$(dirname "$0")/lib.sh"
[ -d /dev/shm ] && [ -w /dev/shm ] || skip "no writable /dev/shm"
SHM=$(mktemp -d /dev/shm/ckpt-t3017.XXXXXX) || fail "mktemp in /dev/shm"
CKPT_TRASH_DIR=$SHM sh "$TOP/tests/t3001-edit-c.sh" ||
	fail "scenario 1 under /dev/shm failed (its directory: $SHM)"
rm -rf "$SHM"
pass
