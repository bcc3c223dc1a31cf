#!/bin/sh
# kill -9 during save: the previous checkpoint stays usable.
. "$(dirname "$0")/lib.sh"
mkdir p && cd p
cat > Makefile <<'MK'
all: big1 big2 big3
big%:
	head -c 30000000 /dev/urandom > $@
MK
check "$CKPT" record -- make -s
cp -a .ckpt ../good
rm -f big1 big2 big3
make -s || fail "make"
for delay in 0.05 0.1 0.2 0.3; do
	LD_PRELOAD=$SHIM CKPT_DIR=$PWD/.ckpt make -s -B >/dev/null 2>&1
	"$CKPT" save > ../save.log 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# Whatever happened, the manifest is whole: the old one or the new.
	"$CKPT" status > ../status.log 2>&1 || fail "after kill at ${delay}s: $(cat ../status.log)"
	rm -rf .ckpt/trace
done
# And its outputs are all there: restore into a copy works.
mkdir ../copy && cp Makefile ../copy/
(cd ../copy && "$CKPT" restore -d ../p/.ckpt) || fail "restore after kills"
for f in big1 big2 big3; do [ -s ../copy/$f ] || fail "$f not restored"; done
pass
