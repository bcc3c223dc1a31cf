#!/bin/sh
# A process whose trace fills many 1 MiB windows, ending each with every
# possible remainder: it runs to the end under the shim (it used to die
# of SIGSEGV when less than a record header was left), and the analyzer
# reads back every record. A short process brings no more of its window
# into memory than it writes: the trace file is sparse, and a fault that
# read ahead zeroed the whole 1 MiB (2 ms a process on ext4).
. "$(dirname "$0")/lib.sh"
cc -O2 -o windows "$TOP/tests/shim/windows.c" || fail "cannot compile windows.c"
n=1500000
out=$(traced "$TRASH/tr" ./windows $n) || fail "windows died under the shim (status $?)"
expect_eq "output" "$n" "$out"
windows=$(( $(stat -c %s tr/trace/*.trc) / 1048576 ))
[ "$windows" -ge 100 ] || fail "only $windows windows: the test does not cross enough"
got=$("$CKPT" dump --json -d tr | grep -c '"op":"read".*"ok":false') ||
	fail "dump failed"
expect_eq "failed opens read back" "$n" "$got"
# Where the area the trace files are mapped side by side in cannot be
# reserved (1 TiB of address space, over ulimit -v), each file is mapped
# on its own: the same records. (Not where ckpt cannot start under the
# limit at all: a build with -fsanitize=address reserves terabytes.)
if (ulimit -v 2000000 && "$CKPT" --version) >/dev/null 2>&1; then
	got=$( (ulimit -v 2000000 && "$CKPT" dump --json -d tr) |
		grep -c '"op":"read".*"ok":false') ||
		fail "dump under ulimit -v failed"
	expect_eq "failed opens read back under ulimit -v" "$n" "$got"
else
	echo "note: ckpt does not start under ulimit -v 2000000; not tried"
fi

if command -v fincore >/dev/null; then
	traced "$TRASH/short" /bin/true || fail "true failed under the shim"
	f=$(ls short/trace/*.trc) && used=$(stat -c %s "$f") || fail "no trace file"
	res=$(fincore -n -b -o RES "$f") || fail "fincore $f"
	[ "$res" -le 65536 ] ||
		fail "a 'true' left $res bytes of its trace file in memory (file $used bytes)"
fi
pass
