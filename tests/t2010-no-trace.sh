#!/bin/sh
# A program that started but left no trace (here: it runs as another user,
# who cannot create a file in the trace directory) is not taken as one
# that did nothing: its job is untraced and re-runs after a restore, so
# that a change to what it read is rebuilt. Before, the restore kept the
# old output.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (to run a step as another user)"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
chmod 755 "$TRASH"
mkdir -m 755 orig
cat > orig/Makefile <<'MK'
all: out copy
out: x
	setpriv --reuid=65534 --regid=65534 --clear-groups cat x > out
copy: y
	cat y > copy
MK
echo one > orig/x
echo why > orig/y
chmod 644 orig/x orig/y
setpriv --reuid=65534 --regid=65534 --clear-groups cat orig/x >/dev/null 2>&1 ||
	skip "user 65534 cannot read $TRASH/orig/x (a directory above is closed)"
(cd orig && "$CKPT" record -- make >/dev/null 2>&1) || fail "record"
expect_eq "the step ran" one "$(cat orig/out)"
(cd orig && "$CKPT" audit) > audit.txt || fail "audit"
grep -q '/usr/bin/cat: started, but left no trace' audit.txt ||
	fail "audit does not name the program without a trace: $(cat audit.txt)"
grep -q 'in job .*setpriv' audit.txt || fail "the wrong job: $(cat audit.txt)"

# x changes in a fresh copy: out is rebuilt, copy (traced) is restored.
mkdir -m 755 fresh
cp -p orig/Makefile orig/x orig/y fresh/
echo two > fresh/x
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > restore.log 2>&1 ||
	fail "restore: $(cat restore.log)"
grep -q 'not traced, always rebuilt: .*setpriv' restore.log ||
	fail "restore does not say the step re-runs: $(cat restore.log)"
[ -e fresh/out ] && fail "out restored although its step left no trace"
(cd fresh && "$CKPT" explain -d ../orig/.ckpt out) > explain.log 2>&1
grep -q 'cat could not be traced: started, but left no trace' explain.log ||
	fail "explain does not say why: $(cat explain.log)"
expect_eq "copy restored" why "$(cat fresh/copy)"
(cd fresh && make) > make.log 2>&1 || fail "make: $(cat make.log)"
expect_eq "out rebuilt from the new x" two "$(cat fresh/out)"
grep -q '^cat y' make.log && fail "the traced step re-ran: $(cat make.log)"
pass
