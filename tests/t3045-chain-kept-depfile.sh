#!/bin/sh
# A chained build (record --from) that does not write again a dependency
# file restore kept as recorded: a dummy .Po made by a rule without
# prerequisites (grep's gnulib-tests/.deps/alloca.Po, from config.status's
# `make -f - am--depfiles`), whose job was invalid when the build began.
# It has no producer in the new checkpoint, but only makes read it: what
# that make ran stays valid, and a tree restored from the chain builds
# nothing. (Made everything invalid in every later restore, for good.)
# And when the job that wrote it runs again and finds it there (`[ -f
# .Po ] || echo dummy > .Po`), it is still not a source: a tree of the
# same sources lacks it (restore called it deleted, and left make failing
# on its include).
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS
mkdir S0
cat > S0/setup.sh <<'SH'
cat setup.in > config.mk
make -s -f deps.mk
SH
cat > S0/deps.mk <<'MK'
include config.mk
.deps/check.Po:
	mkdir -p .deps && echo "# dummy" > $@
MK
cat > S0/Makefile <<'MK'
include config.mk
include .deps/check.Po
all: prog
prog: prog.c
	cc -o prog prog.c
check: check.c
	cc -MD -MF .deps/check.Po -o check check.c
MK
echo 'X = 1' > S0/setup.in
echo 'int main(void) { return 0; }' > S0/prog.c
echo 'int main(void) { return 1; }' > S0/check.c
BUILD="sh ./setup.sh && make"
cp -a S0 L0 && (cd L0 && "$CKPT" record -- sh -c "$BUILD") > rec0.log 2>&1 ||
	fail "record L0: $(cat rec0.log)"
cp -a S0 S1 && echo 'X = 2' > S1/setup.in
cp -a S1 L1
(cd L1 && "$CKPT" restore -d ../L0/.ckpt && "$CKPT" record --from ../L0/.ckpt -- sh -c "$BUILD") \
	> rec1.log 2>&1 || fail "record L1: $(cat rec1.log)"
grep -q "note: .*no traced job wrote" rec1.log && fail "the save calls the .Po unmade: $(cat rec1.log)"
(cd L1 && "$CKPT" status --json) > st.json 2>&1 || fail "status: $(cat st.json)"
python3 - st.json <<'PY' || fail "status in L1: $(cat st.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert "prog" not in s["affected"] and "config.mk" not in s["affected"], s["affected"]
PY
# A fresh copy of the same sources, restored from the chain: all valid.
cp -a S1 N1
(cd N1 && "$CKPT" restore -d ../L1/.ckpt && make) > n1.log 2>&1 || fail "restore + make: $(cat n1.log)"
grep -q "^cc " n1.log && fail "make rebuilt: $(cat n1.log)"
[ -x N1/prog ] || fail "prog not restored: $(cat n1.log)"

rm -rf L0 S1 L1 N1
cat > S0/setup.sh <<'SH'
cat setup.in > config.mk
[ -f .deps/check.Po ] || { mkdir -p .deps; echo '# dummy' > .deps/check.Po; }
SH
cp -a S0 L0 && (cd L0 && "$CKPT" record -- sh -c "$BUILD") > rec0.log 2>&1 ||
	fail "record L0 (2): $(cat rec0.log)"
cp -a S0 S1 && echo 'X = 2' > S1/setup.in
cp -a S1 L1
(cd L1 && "$CKPT" restore -d ../L0/.ckpt && "$CKPT" record --from ../L0/.ckpt -- sh -c "$BUILD") \
	> rec1.log 2>&1 || fail "record L1 (2): $(cat rec1.log)"
manifest_text L1/.ckpt/manifest | grep -q '^f S .* .deps/check.Po$' &&
	fail "the .Po is a source of the chain"
cp -a S1 N1
(cd N1 && "$CKPT" restore -d ../L1/.ckpt && make) > n1.log 2>&1 || fail "restore + make (2): $(cat n1.log)"
grep -q "^cc " n1.log && fail "make rebuilt (2): $(cat n1.log)"
[ -x N1/prog ] || fail "prog not restored (2): $(cat n1.log)"
pass
