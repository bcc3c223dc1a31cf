#!/bin/sh
# A generated file the sources ship, rewritten only if it changed
# (`cmp -s old new || mv new old`, automake's ylwrap, which does it from
# a directory of its own through `..`): the build's output, not a source
# the build updated in place. A pristine fresh copy has nothing to
# rebuild; an edit of the generator's input rebuilds it and its readers,
# as a clean build does. A file the build edits in place (sed -i) stays
# a source.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS
mkdir src
cat > src/Makefile <<'MK'
all: prog conf.txt
prog: main.c gen.h
	cc -O2 -o prog main.c
gen.h: gen.def
	mkdir -p d; cd d && sed 's/^/#define /' ../gen.def > t.h; cmp -s ../gen.h t.h || mv -f t.h ../gen.h
conf.txt: conf.in
	sed -i 's/^x$$/y/' conf.txt
MK
printf 'A 1\n' > src/gen.def
printf '#include "gen.h"\nint main(void) { return A; }\n' > src/main.c
printf '#define A 0\n' > src/gen.h	# shipped, out of date
printf 'x\n' > src/conf.txt && : > src/conf.in
touch -d 2017-01-01 src/Makefile src/main.c src/gen.h src/conf.txt
touch -d 2017-01-02 src/gen.def src/conf.in
cp -a src orig && (cd orig && "$CKPT" record -- make) > rec.log 2>&1 ||
	fail "record: $(cat rec.log)"

# A pristine copy: what the build started from, nothing to rebuild.
cp -a src same
(cd same && "$CKPT" status --json -d ../orig/.ckpt) > same.json 2>&1 || fail "status"
python3 - same.json <<'PY' || fail "gen.h taken for a source: $(cat same.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert "gen.h" not in s["modified"] and s["affected"] == [], s
assert s["replaced"] == ["gen.h"], s["replaced"]	# the shipped one
PY
(cd same && "$CKPT" restore -d ../orig/.ckpt && make) > same.log 2>&1 ||
	fail "restore + make: $(cat same.log)"
grep -q "cc -O2\|cmp -s" same.log && fail "a pristine copy rebuilt: $(cat same.log)"
(cd same && ./prog; [ $? = 1 ]) || fail "prog of the pristine copy"

# The generator's input edited: gen.h and prog rebuilt, as a clean build.
cp -a src edit && printf 'A 2\n' > edit/gen.def
(cd edit && "$CKPT" restore -d ../orig/.ckpt && make) > edit.log 2>&1 ||
	fail "restore + make: $(cat edit.log)"
grep -q "cc -O2 -o prog" edit.log || fail "prog not rebuilt: $(cat edit.log)"
(cd edit && ./prog; [ $? = 2 ]) || fail "prog of the edited copy is stale"

# conf.txt, edited in place by sed -i (which reads it, then renames over
# it), is still a source.
manifest_text orig/.ckpt/manifest | grep -q '^f S .* conf.txt$' ||
	fail "conf.txt is not a source: $(manifest_text orig/.ckpt/manifest | grep conf.txt)"
manifest_text orig/.ckpt/manifest | grep -q '^f O .* gen.h$' ||
	fail "gen.h is not an output: $(manifest_text orig/.ckpt/manifest | grep gen.h)"
pass
