#!/bin/sh
# Every family of file entry points records the right op, absolute path and
# result (failed look-ups with their errno), fortified or not; also relative
# to a deep directory.
. "$(dirname "$0")/lib.sh"
export T="$TRASH/t"
mkdir -p t/sub t/tree/a t/g && echo x > t/exists.txt && echo y > t/sub/in-sub.txt
echo v > t/g/one.txt
echo z > t/sub/b.txt && echo w > t/tree/a/leaf && ln -s exists.txt t/link-to-exists
for fortify in 0 2; do
	cc -O2 -D_FORTIFY_SOURCE=$fortify -o fs$fortify "$TOP/tests/shim/fs.c" -ldl ||
		fail "cannot compile fs.c"
	rm -rf tr && cp -a t t.orig
	CKPT_TEST_SET=1 traced "$TRASH/tr" ./fs$fortify "$T" || fail "fs$fortify failed under the shim"
	"$CKPT" dump --json -d tr > ev$fortify.json || fail "dump"
	rm -rf t && mv t.orig t
	python3 "$TOP/tests/shim/expect.py" ev$fortify.json - <<'X' || fail "fortify=$fortify: records are not as expected"
read $T/exists.txt ok
read $T/missing.txt ENOENT
read $T/exists.txt/x ENOTDIR
write $T/created.txt ok
write $T/creat.txt ok
read $T/sub/in-sub.txt ok
read $T/sub/nope.h ENOENT
read $T/missing-f.txt ENOENT
write $T/fopen-w.txt ok
write $T/freopen.txt ok
write $T/appended.txt ok created=true
write $T/appended.txt ok created=none
write $T/sub/b.txt ok
!write $T/sub/b.txt * created=true
write $T/fopen-a.txt ok created=true
write $T/touched.txt ok created=true
write $T/emptied.txt ok existed=none
write $T/emptied.txt ok existed=true
!write $T/created.txt * existed=true
write $T/touched.txt ok created=none
stat $T/exists.txt ok
stat $T/missing-stat.h ENOENT
stat $T/link-to-exists ok
stat $T/statx.h ENOENT
stat $T/missing-access ENOENT
stat $T/sub/missing-faccessat ENOENT
readdir $T/sub ok
stat $T/sub/in-sub.txt ok
stat $T/g/one.txt ok
stat $T/g/none.txt ENOENT
!readdir $T/g *
!stat $T/g/nocheck.txt *
readdir $T/tree ok
readdir $T/tree/a ok
rename $T/created.txt ok to=$T/renamed.txt
link $T/renamed.txt ok to=$T/hardlink.txt
symlink renamed.txt ok to=$T/symlink.txt
unlink $T/hardlink.txt ok
unlink $T/symlink.txt ok
unlink $T/missing-unlink ENOENT
mkdir $T/newdir ok
rmdir $T/newdir ok
truncate $T/renamed.txt ok
utime $T/renamed.txt ok
chmod $T/renamed.txt ok
read $T/swap-b.txt ok
link $T/swap-a.txt ok to=$T/swap-b.txt
link $T/swap-b.txt ok to=$T/swap-a.txt
chdir $T/sub ok
chdir $T ok
read $T/after-fchdir.txt ENOENT
getenv CKPT_TEST_SET ok
getenv CKPT_TEST_UNSET ENOENT
X
	grep -q '"op":"load","path":"[^"]*libm.so.6"' ev$fortify.json || fail "dlopen not recorded"
	grep -q '"op":"load","path":"[^"]*libc.so.6"' ev$fortify.json || fail "start-up objects not recorded"
	grep -q "\"path\":\"$T/tmp-" ev$fortify.json || fail "mkstemp's name not recorded"
	grep -q "\"op\":\"mkdir\",\"path\":\"$T/dtmp-" ev$fortify.json || fail "mkdtemp not recorded"
	[ "$(grep -c "\"op\":\"read\",\"path\":\"$T/exists.txt\",\"ok\":true" ev$fortify.json)" -eq 3 ] ||
		fail "open (__open_2 when fortified), fopen and syscall(openat) of exists.txt: not one record each"
	if [ $fortify = 2 ]; then
		nm -D fs2 | grep -q __open_2 || fail "fs2 does not call __open_2: the test is not testing it"
	fi
done
# Paths relative to a directory descriptor, and a descriptor's file, whose
# names are longer than the working directory's by far: the shim reads such
# a name twice (the first buffer is sized for the common case).
cat > deep.c <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct stat st;
	int d = open(argv[1], O_RDONLY | O_DIRECTORY);
	int fd = openat(d, "f.txt", O_WRONLY | O_CREAT, 0644);
	return d < 0 || fd < 0 || ftruncate(fd, 0) < 0 ||
	       fstatat(d, "missing", &st, 0) == 0 ||
	       renameat(d, "f.txt", d, "g.txt") < 0;
}
C
cc -O2 -o deep deep.c || fail "compile deep.c"
DEEP=$TRASH/deep.d
for i in 1 2 3 4 5 6 7 8; do
	DEEP=$DEEP/$i-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
done
mkdir -p "$DEEP" && rm -rf tr-deep
(cd / && traced "$TRASH/tr-deep" "$TRASH/deep" "$DEEP") || fail "deep failed under the shim"
"$CKPT" dump --json -d tr-deep > ev-deep.json || fail "dump deep"
python3 "$TOP/tests/shim/expect.py" ev-deep.json - <<X || fail "deep: records are not as expected"
write $DEEP/f.txt ok
truncate $DEEP/f.txt ok
stat $DEEP/missing ENOENT
rename $DEEP/f.txt ok to=$DEEP/g.txt
X
# dlopen looks for a bare name in its caller's RUNPATH and expands $ORIGIN
# to its caller's directory: under the shim the caller must still be the
# program. A plugin loaded so works as without the shim, and it and what
# it needs are recorded by their absolute paths, whichever comes first
# after the dlopen: exit, dlclose, or another record.
D=$TRASH/dl
mkdir -p dl/lib
echo 'int dep(void) { return 40; }' > dep.c
echo 'int dep(void); int plug(void) { return dep() + 2; }' > plug-a.c
echo 'int plug(void) { return 7; }' > plug-b.c
cc -shared -fPIC -o dl/lib/libplug-dep.so dep.c &&
	cc -shared -fPIC -o dl/lib/libplug-a.so plug-a.c -Ldl/lib -lplug-dep \
		-Wl,--enable-new-dtags,-rpath,'$ORIGIN' &&
	cc -shared -fPIC -o dl/lib/libplug-b.so plug-b.c &&
	cc -O2 -o dl/main "$TOP/tests/shim/dl.c" -ldl \
		-Wl,--enable-new-dtags,-rpath,'$ORIGIN/lib' || fail "cannot compile dl.c"
readelf -d dl/main | grep -q 'RUNPATH.*\$ORIGIN/lib' || fail "dl/main has no RUNPATH"
for m in bare origin next missing; do
	(cd t && "$D/main" $m) > dl-$m.plain 2>&1
	echo "exit $?" >> dl-$m.plain
	grep -q '^exit 0$' dl-$m.plain || fail "dl $m fails even without the shim"
	rm -rf tr-dl
	(cd t && traced "$TRASH/tr-dl" "$D/main" $m) > dl-$m.shim 2>&1
	echo "exit $?" >> dl-$m.shim
	cmp -s dl-$m.plain dl-$m.shim ||
		fail "dl $m under the shim: $(diff dl-$m.plain dl-$m.shim)"
	"$CKPT" dump --json -d tr-dl > ev-dl-$m.json || fail "dump dl $m"
done
python3 "$TOP/tests/shim/expect.py" ev-dl-bare.json - <<X || fail "dl bare: records are not as expected"
load $D/lib/libplug-a.so ok
load $D/lib/libplug-dep.so ok
X
python3 "$TOP/tests/shim/expect.py" ev-dl-origin.json - <<X || fail "dl origin: records are not as expected"
load $D/lib/libplug-b.so ok
X
python3 "$TOP/tests/shim/expect.py" ev-dl-missing.json - <<'X' || fail "dl missing: records are not as expected"
load $T/lib/libplug-missing.so ENOENT
X
python3 - ev-dl-next.json "$D/lib/libplug-b.so" "$T/next-file" <<'PY' || fail "dl next: the plugin is not recorded before the next record"
import json, sys
ev = [(e["op"], e["path"]) for e in map(json.loads, open(sys.argv[1]))]
assert ("load", sys.argv[2]) in ev and ("read", sys.argv[3]) in ev, ev
assert ev.index(("load", sys.argv[2])) < ev.index(("read", sys.argv[3])), ev
PY
pass
