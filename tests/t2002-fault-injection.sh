#!/bin/sh
# ENOSPC and EIO at every write of save and of restore (CKPT_FAULT=KIND:N
# fails the N-th write, fsio.c), N from 1 until the run succeeds:
# - save (record on top of a checkpoint, new content to store: objects of
#   several blocks, a small one, the manifest): either success, and the new
#   checkpoint restores the new tree; or a clean failure that says so, the
#   previous manifest byte for byte, no temporary file in the checkpoint,
#   and the previous checkpoint restores the old tree correctly.
# - restore: either success, or a failure that leaves no temporary file,
#   after which a restore without fault gives a correct tree; and a
#   correct tree where unnamed files cannot be made.
# - restore killed at each write (CKPT_FAULT=kill:N, a crash): make, run
#   at once, builds what a clean build does; gen/, missing from the tree,
#   is not there at all (it is filled under another name, then renamed).
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir src
cat > src/Makefile <<'MK'
all: out/big.bin small.txt prog gen/sub/a.txt gen/sub/b.txt
gen/sub/a.txt gen/sub/b.txt: seed
	mkdir -p gen/sub
	cat seed > $@
out/big.bin: seed
	yes "$$(cat seed)" | head -c 1500000 > $@
small.txt: seed
	cat seed seed > $@
prog: main.c
	cc -o $@ main.c
MK
echo 'int main(void) { return 0; }' > src/main.c
mkdir src/out && echo keep > src/out/.keep	# (mkdir -p in a recipe: t2005)
echo v1 > src/seed
cp -a src v1 && cp -a src v2 && echo v2 > v2/seed
for v in v1 v2; do
	cp -a $v oracle-$v && (cd oracle-$v && make >/dev/null 2>&1) || fail "oracle $v"
done
cp -a v1 orig
(cd orig && "$CKPT" record -- make >/dev/null 2>&1) || fail "record"
cp -a orig/.ckpt good
cp -a orig v1-built

# verify_restores CKPTDIR VERSION WHY: a fresh copy of VERSION's sources
# restored from CKPTDIR: make has nothing to do, the tree is a clean build.
verify_restores() {
	rm -rf v && cp -a "$2" v
	(cd v && "$CKPT" restore -d "$1") > v.log 2>&1 || fail "$3: restore from $1 failed: $(cat v.log)"
	(cd v && make) > v.log 2>&1 || fail "$3: make failed"
	grep -q "Nothing to be done" v.log || fail "$3: make rebuilt: $(cat v.log)"
	snapshot v | cut -d' ' -f1-3 > v.snap
	snapshot "oracle-$2" | cut -d' ' -f1-3 > o.snap
	cmp -s v.snap o.snap || fail "$3: restored tree differs: $(diff o.snap v.snap)"
}

for kind in enospc eio; do
	n=1
	while :; do
		[ "$n" -le 60 ] || fail "save with $kind:$n still fails"
		rm -rf orig && cp -a v1-built orig && rm -rf orig/.ckpt &&
			cp -a good orig/.ckpt && echo v2 > orig/seed
		(cd orig && CKPT_FAULT=$kind:$n "$CKPT" record -- make) > save.log 2>&1
		rc=$?
		left=$(find orig/.ckpt -name '*.tmp.*' -o -name '.ckpt-tmp.*')
		[ -z "$left" ] || fail "save with $kind:$n left temporary files: $left"
		[ "$rc" -eq 0 ] && break
		grep -q "checkpoint not saved" save.log ||
			fail "$kind:$n failed without saying so: $(cat save.log)"
		case $kind in
		enospc) grep -q "No space left" save.log ;;
		eio) grep -q "Input/output error" save.log ;;
		esac || fail "$kind:$n: the error is not named: $(cat save.log)"
		cmp -s good/manifest orig/.ckpt/manifest ||
			fail "save with $kind:$n changed the previous manifest"
		verify_restores "$TRASH/orig/.ckpt" v1 "previous checkpoint after $kind:$n"
		n=$((n + 1))
	done
	# The writes: blocks of out/big.bin (256 KiB each), small.txt, the
	# manifest: a fault at each of them was seen to fail cleanly.
	[ "$n" -gt 8 ] || fail "only $((n - 1)) writes failed with $kind: are objects written through fsio?"
	verify_restores "$TRASH/orig/.ckpt" v2 "the checkpoint saved with $kind:$n"
	echo "save: $kind at each of the first $((n - 1)) writes failed cleanly"
done

for kind in enospc eio; do
	n=1
	while :; do
		[ "$n" -le 60 ] || fail "restore with $kind:$n still fails"
		rm -rf v && cp -a v1 v
		(cd v && CKPT_FAULT=$kind:$n "$CKPT" restore -d "$TRASH/good") > r.log 2>&1 && break
		left=$(find v -name '*.tmp.*' -o -name '.ckpt-restore.*' -o -name '.ckpt-tmp.*')
		[ -z "$left" ] || fail "restore with $kind:$n left temporary files: $left"
		grep -q "cannot restore" r.log || fail "restore $kind:$n: $(cat r.log)"
		(cd v && "$CKPT" restore -d "$TRASH/good") > r2.log 2>&1 ||
			fail "second restore after $kind:$n: $(cat r2.log)"
		(cd v && make) > v.log 2>&1 || fail "make"
		grep -q "Nothing to be done" v.log || fail "after a failed restore ($kind:$n): $(cat v.log)"
		snapshot v | cut -d' ' -f1-3 > v.snap
		snapshot oracle-v1 | cut -d' ' -f1-3 > o.snap
		cmp -s v.snap o.snap || fail "after $kind:$n and a second restore: $(diff o.snap v.snap)"
		n=$((n + 1))
	done
	[ "$n" -gt 7 ] || fail "only $((n - 1)) restore writes failed with $kind"
	echo "restore: $kind at each of the first $((n - 1)) writes failed cleanly"
done

# A missing output is made as an unnamed file linked in when whole; where
# there are no unnamed files (CKPT_FAULT=notmpfile: O_TMPFILE refused, as
# some file systems do), it is written under a temporary name instead.
rm -rf v && cp -a v1 v
(cd v && CKPT_FAULT=notmpfile "$CKPT" restore -d "$TRASH/good") > r.log 2>&1 ||
	fail "restore without unnamed files: $(cat r.log)"
grep -q "restored [1-9]" r.log || fail "nothing restored: $(cat r.log)"
left=$(find v -name '*.tmp.*' -o -name '.ckpt-restore.*' -o -name '.ckpt-tmp.*')
[ -z "$left" ] || fail "restore without unnamed files left $left"
(cd v && make) > v.log 2>&1 || fail "make"
grep -q "Nothing to be done" v.log || fail "without unnamed files: $(cat v.log)"
snapshot v | cut -d' ' -f1-3 > v.snap
snapshot oracle-v1 | cut -d' ' -f1-3 > o.snap
cmp -s v.snap o.snap || fail "without unnamed files: $(diff o.snap v.snap)"

n=1
while :; do
	[ "$n" -le 60 ] || fail "restore with kill:$n still killed"
	rm -rf v && cp -a v1 v
	# (with a command after it, the subshell waits for ckpt and its
	# "Killed" goes to r.log)
	(cd v && CKPT_FAULT=kill:$n "$CKPT" restore -d "$TRASH/good"
		echo $? > ../rc) > r.log 2>&1
	[ "$(cat rc)" -eq 0 ] && break
	[ "$(cat rc)" -eq 137 ] || fail "kill:$n: status $(cat rc): $(cat r.log)"
	[ ! -e v/gen ] || fail "a restore killed at write $n left gen/: $(find v/gen)"
	ls -d v/.ckpt-restore.* >/dev/null 2>&1 ||
		fail "kill:$n: gen/ was not being made under another name"
	(cd v && make) > v.log 2>&1 || fail "make after kill:$n: $(cat v.log)"
	snapshot v | grep -v '^\./\.ckpt-restore\.' | cut -d' ' -f1-3 > v.snap
	snapshot oracle-v1 | cut -d' ' -f1-3 > o.snap
	cmp -s v.snap o.snap ||
		fail "make after a restore killed at write $n: $(diff o.snap v.snap)"
	n=$((n + 1))
done
[ "$n" -gt 7 ] || fail "only $((n - 1)) restore writes were killed"
left=$(find v -name '*.tmp.*' -o -name '.ckpt-restore.*' -o -name '.ckpt-tmp.*')
[ -z "$left" ] || fail "the restore after the kills left $left"
echo "restore: killed at each of the first $((n - 1)) writes, make built it right"
pass
