#!/bin/sh
# gcc's driver looks up LIBRARY_PATH on every run, but only a link uses
# it: a compile that does not link (-c, -S, -E, -M) does not depend on it.
# Counted, a login without it reran every compile of a build recorded in
# a shell that set it (ncurses: 680 of 702 outputs). The link still does.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS LIBRARY_PATH
mkdir src
cat > src/Makefile <<'MK'
all: f.o f.s prog
f.o: f.c
	gcc -c f.c -o f.o
f.s: f.c
	gcc -S f.c -o f.s
prog: f.o m.c
	gcc -o prog m.c f.o
MK
echo 'int f(void) { return 0; }' > src/f.c
echo 'int f(void); int main(void) { return f(); }' > src/m.c
cp -a src orig
(cd orig && LIBRARY_PATH=$TRASH/nolib "$CKPT" record -- make) > rec.log 2>&1 ||
	fail "record: $(cat rec.log)"
cp -a src fresh
(cd fresh && "$CKPT" status --json -d ../orig/.ckpt) > st.json 2>&1 || fail "status: $(cat st.json)"
python3 - st.json <<'PY' || fail "status: $(cat st.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["affected"] == ["prog"], s["affected"]
PY
(cd fresh && "$CKPT" restore -d ../orig/.ckpt && make) > fresh.log 2>&1 ||
	fail "restore + make: $(cat fresh.log)"
expect_eq "make's commands" "gcc -o prog m.c f.o" "$(grep '^gcc' fresh.log)"
pass
