#!/bin/sh
# kill -9 during save: the previous checkpoint stays usable. Big outputs
# (3 x 20 MB, new random content each round) make the save long enough to
# be killed at several points: while hashing, storing objects, writing the
# manifest. After each kill the checkpoint reads (status), and a restore
# into an empty copy gives the outputs of ONE build, old or new (never a
# mix, never a damaged file), verified against the sets kept aside. The
# set is a make argument: in the environment it would be a variable the
# build used, whose absence at restore invalidates every output.
. "$(dirname "$0")/lib.sh"
mkdir p sets
cat > p/Makefile <<'MK'
all: big1 big2 big3
big%: FORCE
	cp $(SET)/big$* $@
FORCE:
MK
mkset() { # mkset N: three random files in sets/N
	mkdir "sets/$1" && for f in big1 big2 big3; do
		head -c 20000000 /dev/urandom > "sets/$1/$f"
	done
}
# which_set DIR: the set whose three files DIR holds, or "mixed"
which_set() {
	for s in sets/*; do
		cmp -s "$1/big1" "$s/big1" && cmp -s "$1/big2" "$s/big2" &&
			cmp -s "$1/big3" "$s/big3" && { basename "$s"; return; }
	done
	echo mixed
}
mkset 0
(cd p && "$CKPT" record -- make -s SET=../sets/0) > rec.log 2>&1 || fail "record: $(cat rec.log)"
round=1 killed=0
for delay in 0.05 0.15 0.3 0.5 0.8 1.2; do
	mkset $round
	(cd p && exec "$CKPT" record -- make -s SET=../sets/$round) > rec.log 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	sleep 0.1	# make's children, orphaned, finish their cp
	(cd p && "$CKPT" status) > status.log 2>&1 ||
		fail "after kill at ${delay}s: status: $(cat status.log)"
	rm -rf copy && mkdir copy && cp p/Makefile copy/
	(cd copy && "$CKPT" restore -d ../p/.ckpt) > r.log 2>&1 ||
		fail "after kill at ${delay}s: restore: $(cat r.log)"
	s=$(which_set copy)
	[ "$s" = mixed ] && fail "after kill at ${delay}s: restored outputs of no single build"
	echo "kill at ${delay}s: checkpoint of build $s"
	rm -rf p/.ckpt/trace
	round=$((round + 1))
done
[ "$killed" -gt 0 ] || fail "no record was killed: the save is too fast for this test"

# The same with a bare LD_PRELOAD trace and `ckpt save`.
for delay in 0.05 0.2 0.4; do
	mkset $round
	(cd p && LD_PRELOAD=$SHIM CKPT_DIR=$TRASH/p/.ckpt make -s SET=../sets/$round) ||
		fail "traced make"
	(cd p && exec "$CKPT" save) > save.log 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	(cd p && "$CKPT" status) > status.log 2>&1 ||
		fail "after kill of save at ${delay}s: $(cat status.log)"
	rm -rf copy && mkdir copy && cp p/Makefile copy/
	(cd copy && "$CKPT" restore -d ../p/.ckpt) > r.log 2>&1 ||
		fail "after kill of save at ${delay}s: restore: $(cat r.log)"
	[ "$(which_set copy)" = mixed ] && fail "save killed at ${delay}s: mixed outputs"
	rm -rf p/.ckpt/trace
	round=$((round + 1))
done
# A save that is not killed still works on top of what the kills left.
mkset $round
(cd p && "$CKPT" record -- make -s SET=../sets/$round) > rec.log 2>&1 || fail "final record: $(cat rec.log)"
rm -rf copy && mkdir copy && cp p/Makefile copy/
(cd copy && "$CKPT" restore -d ../p/.ckpt) > r.log 2>&1 || fail "final restore: $(cat r.log)"
expect_eq "the last build restored" "$round" "$(which_set copy)"
pass
