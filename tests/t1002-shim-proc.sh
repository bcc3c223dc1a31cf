#!/bin/sh
# Processes: posix_spawn with file actions, vfork+exec, system, popen, an
# exec with an empty environment, fork; tracing survives close_range and
# dup2 over every descriptor; 8 threads lose no record; execvp's PATH
# search, fexecve and getenv; a static executable is recorded as untraced;
# what program each START names; which children were reaped.
. "$(dirname "$0")/lib.sh"
export T="$TRASH/t"
mkdir -p t/sub && echo x > t/exists.txt && echo y > t/sub/in-sub.txt
cc -O2 -o proc "$TOP/tests/shim/proc.c" -lpthread || fail "compile"
echo 'int main(void){return 0;}' > st.c
cc -static -o t/static-tool st.c 2>/dev/null || skip "no static libc"

run() { # run MODE: proc MODE under the shim; events in ev-MODE.json
	rm -rf "tr-$1"
	traced "$TRASH/tr-$1" ./proc "$1" "$T" || fail "proc $1 failed under the shim"
	"$CKPT" dump --json -d "tr-$1" > "ev-$1.json" || fail "dump $1"
}
expect() { # expect MODE < expectations
	python3 "$TOP/tests/shim/expect.py" "ev-$1.json" - || fail "$1: records are not as expected"
}
pid_of() { # pid_of MODE OP PATH: the pid of that event
	python3 -c 'import fnmatch,json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["op"] == sys.argv[2] and fnmatch.fnmatchcase(e["path"], sys.argv[3]):
        print(e["pid"]); break' "ev-$1.json" "$2" "$3"
}

run spawn
expect spawn <<'X'
exec */cat ok spawn=true
read $T/sub/in-sub.txt ok
write $T/sub/spawn-out.txt ok
X
expect_eq "spawned output" y "$(cat t/sub/spawn-out.txt)"
# The child's own records carry its pid, not the parent's.
[ "$(pid_of spawn exec "*/cat")" = "$(pid_of spawn read "$T/sub/in-sub.txt")" ] ||
	fail "the spawned child's read is not under its pid"

run vfork
expect vfork <<'X'
exec */cat ok
read $T/exists.txt ok
X
run system
expect system <<'X'
start /bin/sh ok
read $T/exists.txt ok
X
run popen
expect popen <<'X'
read $T/sub/in-sub.txt ok
X
# A program's own environ array, without our variables: its children are
# traced, and environ is still that array, for the program to edit.
run system-environ
expect system-environ <<'X'
read $T/exists.txt ok
read $T/sub/in-sub.txt ok
X
# system and popen keep the program's own LD_PRELOAD, after ours.
echo 'int nothing;' > nothing.c && cc -shared -fPIC -o libnothing.so nothing.c ||
	fail "compile libnothing.so"
rm -rf tr-sp
traced "$TRASH/tr-sp" ./proc system-preload "$T" "$TRASH/libnothing.so" ||
	fail "proc system-preload failed under the shim"
expect_eq "LD_PRELOAD under system()" "$SHIM $TRASH/libnothing.so" "$(cat t/system-preload.txt)"
expect_eq "LD_PRELOAD under popen()" "$SHIM $TRASH/libnothing.so" "$(cat t/popen-preload.txt)"
run env-i
expect env-i <<'X'
exec */cat ok
read $T/exists.txt ok
X
# fork() in a signal handler that interrupted the shim (holding its trace
# lock): no deadlock, and the children are traced.
rm -rf tr-sigfork
traced "$TRASH/tr-sigfork" timeout 60 ./proc sigfork "$T" ||
	fail "fork in a signal handler failed under the shim ($?; 124: it hung)"
"$CKPT" dump --json -d tr-sigfork > ev-sigfork.json || fail "dump sigfork"
[ "$(grep -c '"fork":true' ev-sigfork.json)" -ge 200 ] ||
	fail "fork in a signal handler: not every child has a START"
run fork
grep -q '"fork":true' ev-fork.json || fail "the fork child has no START with fork=true"
expect fork <<'X'
read $T/exists.txt ok
X
# A fork by raw system call (syscall(SYS_fork), clone3 without CLONE_VM),
# by _Fork or glibc's clone, which run no atfork handler: the child's
# records go to a file of its own, under its own pid.
for mode in rawfork rawclone3 _Fork clone; do
	run $mode
	expect $mode <<'X'
read $T/raw-parent ENOENT
read $T/raw-child ENOENT
X
	[ "$(grep -c '"fork":true' ev-$mode.json)" -eq 1 ] ||
		fail "$mode: the child has no START with fork=true"
	[ "$(pid_of $mode read "$T/raw-parent")" != "$(pid_of $mode read "$T/raw-child")" ] ||
		fail "$mode: the child's records are under the parent's pid"
	[ "$(grep -c '"op":"read","path":"[^"]*/raw-' ev-$mode.json)" -eq 10 ] ||
		fail "$mode: records lost"
done
# argv of START records: the parent's as exec'd, a fork child's as the
# parent left it (what /proc/self/cmdline shows in the child).
run fork-argv
python3 - ev-fork-argv.json "$T" <<'PY' || fail "START argv of a fork child"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
starts = [e for e in ev if e["op"] == "start" and e["path"].endswith("/proc")]
parent = [e for e in starts if not e.get("fork")]
child = [e for e in starts if e.get("fork")]
want = ["./proc", "fork-argv", sys.argv[2]]
assert len(parent) == 1 and parent[0]["argv"] == want, parent
proc = open(sys.argv[2] + "/cmdline.txt", "rb").read().decode().split("\0")[:-1]
assert proc == ["./proc", "FORK_ARGV", sys.argv[2]], proc
assert len(child) == 1 and child[0]["argv"] == proc, child
PY
# A library constructor that runs before the shim's opens a file: the shim
# starts then, takes argv from /proc, and loses no record.
cat > early.c <<'C'
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((constructor)) static void early(void)
{
	int fd = open(getenv("EARLY_FILE"), O_RDONLY);
	if (fd >= 0)
		close(fd);
}
int early_linked(void) { return 0; }
C
echo 'int early_linked(void); int main(void) { return early_linked(); }' > early-main.c
cc -shared -fPIC -o libearly.so early.c && cc -o early early-main.c -L. -learly ||
	fail "compile early"
rm -rf tr-early
EARLY_FILE=$T/exists.txt LD_LIBRARY_PATH=$TRASH traced "$TRASH/tr-early" ./early "a b" c ||
	fail "early failed under the shim"
"$CKPT" dump --json -d tr-early > ev-early.json || fail "dump early"
expect early <<'X'
read $T/exists.txt ok
X
python3 - ev-early.json <<'PY' || fail "START argv of a start before the shim's constructor"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
s = [e for e in ev if e["op"] == "start" and e["path"].endswith("/early")]
assert len(s) == 1 and s[0]["argv"] == ["./early", "a b", "c"], s
PY
run close-range
expect close-range <<'X'
read $T/exists.txt ok
X
run dup2-all
expect dup2-all <<'X'
read $T/sub/in-sub.txt *
X
run threads
n=$(grep -c "\"op\":\"read\",\"path\":\"$T/thr-" ev-threads.json)
expect_eq "records of 8 threads x 200 failed opens" 1600 "$n"
[ "$(grep "\"path\":\"$T/thr-" ev-threads.json | sort -u | wc -l)" -eq 1600 ] ||
	fail "duplicated or torn records"
# execvp: the PATH entry without the program is a dependency (a program
# put there later changes what runs), and the exec names the one found.
mkdir -p t/bin && printf '#!/bin/sh\nexit 0\n' > t/bin/tool && chmod +x t/bin/tool
run execvp
expect execvp <<'X'
stat $T/nobin/tool ENOENT
exec $T/bin/tool ok
X
# A START names the program: for a script its interpreter (the kernel
# runs that, with the script's name among its arguments; the shim asks
# /proc/self/exe, which resolves links), else the name it was executed by.
expect execvp <<X
start $(readlink -f /bin/sh) ok
! start \$T/bin/tool ok
X
run fexecve
expect fexecve <<X
exec */cat ok
read \$T/exists.txt ok
start $(readlink -f "$(command -v cat)") ok
X
ln -s /bin/true t/true-link
rm -rf tr-link
traced "$TRASH/tr-link" "$T/true-link" || fail "a link to true failed under the shim"
"$CKPT" dump --json -d tr-link > ev-link.json || fail "dump link"
expect link <<'X'
start $T/true-link ok
X
# Each name read is recorded once, also past what the shim's table of
# names holds (then a name may be recorded again, never lost).
run getenv
python3 - ev-getenv.json <<'PY' || fail "getenv records"
import collections, json, sys
n = collections.Counter(e["path"] for e in map(json.loads, open(sys.argv[1]))
                        if e["op"] == "getenv" and e["path"].startswith("CKPT_T_"))
assert set(n) == {"CKPT_T_%d" % i for i in range(300)}, sorted(n)
assert all(n["CKPT_T_%d" % i] == 1 for i in range(100)), {k: v for k, v in n.items() if v != 1}
PY
# Every child whose end a wait function returned, once; a stop and a
# WNOWAIT peek are not ends. wait's return value and status are the
# program's (proc checks them).
run wait
python3 - ev-wait.json t/pids <<'PY' || fail "reap records"
import json, sys
pids = [int(l) for l in open(sys.argv[2])]
reaps = [json.loads(l) for l in open(sys.argv[1])]
reaps = [e["child"] for e in reaps if e["op"] == "reap"]
if sorted(reaps) != sorted(pids):
    sys.exit("reaped %s, expected %s" % (sorted(reaps), sorted(pids)))
PY
run static
expect static <<'X'
untraced $T/*static-tool ok reason=static
X
pass
