#!/bin/sh
# The shim does not disturb: stdout, stderr, exit status and errno of the
# test programs and of real tools are the same with and without it, also
# on small stacks.
. "$(dirname "$0")/lib.sh"
cc -O2 -o errno "$TOP/tests/shim/errno.c" || fail "compile errno.c"
cc -O2 -o fs "$TOP/tests/shim/fs.c" -ldl || fail "compile fs.c"
mkdir -p w/sub w/tree/a && echo x > w/exists.txt && echo y > w/sub/in-sub.txt &&
	ln -s exists.txt w/link-to-exists
compare() { # compare NAME CMD...: same output and status, traced or not
	_n=$1; shift
	"$@" > "$_n.out1" 2> "$_n.err1"; _s1=$?
	LD_PRELOAD=$SHIM CKPT_DIR=$TRASH/tr "$@" > "$_n.out2" 2> "$_n.err2"; _s2=$?
	expect_eq "$_n: exit status" "$_s1" "$_s2"
	cmp -s "$_n.out1" "$_n.out2" || fail "$_n: stdout differs: $(diff "$_n.out1" "$_n.out2")"
	cmp -s "$_n.err1" "$_n.err2" || fail "$_n: stderr differs: $(diff "$_n.err1" "$_n.err2")"
}
compare errno ./errno
grep -q "errno=4242" errno.out1 || fail "errno.c does not test preservation"
# Small stacks: a crash handler's sigaltstack, a PTHREAD_STACK_MIN thread,
# an exec with a huge environment from a thread (stack.c). Linked with
# -z now: the program's own lazy binding in the handler is not the test.
cc -O2 -Wl,-z,now -o stack "$TOP/tests/shim/stack.c" -lpthread ||
	fail "compile stack.c"
compare stack sh -c "rm -rf st && mkdir st && ./stack $TRASH/st; echo \$?"
grep -q '^sigaltstack: ok' stack.out1 && grep -q '^thread: ok' stack.out1 &&
	grep -q '^execve: exit 0' stack.out1 &&
	grep -q '^vfork: 40 of 40 ran, memory kept' stack.out1 ||
	fail "stack.c: its cases do not run: $(cat stack.out1)"
# A fork child of a multithreaded program, another thread of which held
# a lock at the fork: ld.so's (dlopen), the shim's (spawn file actions).
cc -O2 -o forklock "$TOP/tests/shim/forklock.c" -ldl -lpthread ||
	fail "compile forklock.c"
for m in dl fa; do
	compare "forklock-$m" ./forklock $m
	grep -qx "$m: a child hung: no" "forklock-$m.out1" ||
		fail "forklock $m: $(cat "forklock-$m.out1")"
done
# Paths and addresses the kernel did not read: not read by the shim.
cc -O2 -o badptr "$TOP/tests/shim/badptr.c" || fail "compile badptr.c"
compare badptr ./badptr
grep -q "^connect, 2 bytes of AF_INET6: -1 Invalid argument" badptr.out1 &&
	grep -q "^open, no end: -1 File name too long" badptr.out1 ||
	fail "badptr.c: its cases do not run: $(cat badptr.out1)"
cp -a w w2
compare fs sh -c "rm -rf w && cp -a w2 w && ./fs $TRASH/w; echo \$?"
compare ls ls -la /etc/ /nonexistent
compare sh sh -c 'cd /nonexistent; echo $?; false; echo $?; exit 5'
compare make make -C /nonexistent
compare python python3 -c 'import os, sys; print(os.path.exists("/x/y")); sys.exit(3)'
compare perl perl -e 'print -e "/nope" ? "y" : "n"; open(F, "/nope") or print " $!\n"; exit 4'
compare env-i env -i /bin/sh -c 'echo $PATH; exit 2'
# An exec of a FIFO, or of a script whose #! names one: EACCES at once
# (the shim's look at the file must not wait for a writer).
mkfifo fifo && chmod 755 fifo && printf '#!%s/fifo\n' "$TRASH" > fifo.sh &&
	chmod 755 fifo.sh || fail "mkfifo"
compare fifo timeout 20 sh -c './fifo; echo $?; ./fifo.sh; echo $?'
# RLIMIT_FSIZE under the trace window: growing the trace file must not
# raise SIGXFSZ, neither for the first window (at start) nor a later one.
compare fsize sh -c 'ulimit -f 100; /bin/echo hi; echo $?'
compare fsize2 sh -c 'ulimit -f 1536; i=0
	while [ $i -lt 30000 ]; do [ -e /nonexistent/some/path/$i ]; i=$((i + 1)); done
	echo $i'
pass
