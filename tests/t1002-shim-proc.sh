#!/bin/sh
# Processes: posix_spawn with file actions, vfork+exec, system, popen, an
# exec with an empty environment, fork; tracing survives close_range and
# dup2 over every descriptor; 8 threads lose no record; a static
# executable is recorded as untraced.
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
start */dash ok
read $T/exists.txt ok
X
run popen
expect popen <<'X'
read $T/sub/in-sub.txt ok
X
run env-i
expect env-i <<'X'
exec */cat ok
read $T/exists.txt ok
X
run fork
grep -q '"fork":true' ev-fork.json || fail "the fork child has no START with fork=true"
expect fork <<'X'
read $T/exists.txt ok
X
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
run static
expect static <<'X'
untraced $T/*static-tool ok reason=static
X
pass
