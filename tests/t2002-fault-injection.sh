#!/bin/sh
# ENOSPC and EIO at every write of save and restore: each run succeeds or
# fails cleanly; after a failed save the previous checkpoint restores a
# correct tree, and no temporary file is left in the checkpoint.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
cp -a "$TOP/examples/basic" orig
(cd orig && "$CKPT" record -- make >/dev/null 2>&1) || fail "record"
cp -a orig/.ckpt good
cp -a "$TOP/examples/basic" oracle
(cd oracle && make >/dev/null) || fail "oracle build"

verify_restores() { # verify_restores DIR: a fresh copy restored from DIR builds nothing
	rm -rf v && cp -a "$TOP/examples/basic" v
	(cd v && "$CKPT" restore -d "$1" >/dev/null 2>&1) || fail "$2: restore from $1 failed"
	(cd v && make) > v.log 2>&1 || fail "$2: make failed"
	grep -q "is up to date" v.log || fail "$2: make rebuilt: $(cat v.log)"
	snapshot v | cut -d' ' -f1-3 > v.snap
	snapshot oracle | cut -d' ' -f1-3 > o.snap
	cmp -s v.snap o.snap || fail "$2: restored tree differs: $(diff o.snap v.snap)"
}

failures=0
for kind in enospc eio; do
	n=1
	while [ "$n" -le 12 ]; do
		rm -rf orig/.ckpt && cp -a good orig/.ckpt
		# A rebuild of everything in orig, recorded on top (chained).
		(cd orig && rm -f *.o libutil.a prog &&
			CKPT_FAULT=$kind:$n "$CKPT" record -- make) > save.log 2>&1
		rc=$?
		left=$(find orig/.ckpt -name '*.tmp.*' | wc -l)
		[ "$left" -eq 0 ] || fail "$kind:$n left temporary files"
		if [ "$rc" -ne 0 ]; then
			failures=$((failures + 1))
			grep -q "checkpoint not saved" save.log ||
				fail "$kind:$n failed without saying so: $(cat save.log)"
		fi
		verify_restores "$TRASH/orig/.ckpt" "save with $kind:$n"
		n=$((n + 1))
	done
done
[ "$failures" -gt 0 ] || fail "no injected fault made save fail: is CKPT_FAULT honoured?"
echo "save: $failures of 24 injected faults made it fail, all cleanly"

# Restore: a fault while writing outputs fails, and a second restore
# without fault gives a correct tree.
rfail=0
for kind in enospc eio; do
	for n in 1 2 3; do
		rm -rf v && cp -a "$TOP/examples/basic" v
		(cd v && CKPT_FAULT=$kind:$n "$CKPT" restore -d "$TRASH/good") > r.log 2>&1 &&
			continue
		rfail=$((rfail + 1))
		find v -name '*.tmp.*' | grep -q . && fail "restore left temp files"
		(cd v && "$CKPT" restore -d "$TRASH/good" >/dev/null 2>&1) || fail "second restore"
		(cd v && make) > v.log 2>&1 || fail "make"
		grep -q "is up to date" v.log || fail "after a failed restore: $(cat v.log)"
	done
done
[ "$rfail" -gt 0 ] || fail "no injected fault made restore fail"
pass
