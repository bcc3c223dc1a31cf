#!/bin/sh
# ckpt record: exits with the build's status, keeps the checkpoint when the
# build fails; status --json and explain after an edit; chaining an
# incremental build on top of a restored tree; usage errors.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
cp -a "$TOP/examples/basic" orig
cd orig
check "$CKPT" record -- make -s
cp .ckpt/manifest ../manifest.good
# A failing build: its status, and the checkpoint untouched.
"$CKPT" record -- sh -c 'exit 3' 2>../fail.log
expect_eq "exit status" 3 "$?"
grep -q "checkpoint not updated" ../fail.log || fail "no message: $(cat ../fail.log)"
cmp -s .ckpt/manifest ../manifest.good || fail "a failed build changed the checkpoint"
"$CKPT" record -- /nonexistent/program 2>/dev/null
expect_eq "exit status of a missing program" 127 "$?"
cd ..

# status --json and explain in an edited copy.
cp -a "$TOP/examples/basic" fresh
echo '/* x */' >> fresh/extra.c
(cd fresh && "$CKPT" status --json -d ../orig/.ckpt) > status.json || fail "status"
python3 - <<'PY' || fail "status --json: $(cat status.json)"
import json
s = json.load(open("status.json"))
assert s["changed"] == ["extra.c"], s["changed"]
assert sorted(s["affected"]) == ["extra.o", "libutil.a", "prog"], s["affected"]
PY
(cd fresh && "$CKPT" explain -d ../orig/.ckpt prog) > explain.txt || fail "explain"
grep -q "extra.c was changed" explain.txt || fail "explain: $(cat explain.txt)"
grep -q "ar rcs libutil.a" explain.txt || fail "explain lacks the chain: $(cat explain.txt)"
(cd fresh && "$CKPT" explain -d ../orig/.ckpt main.o) | grep -q "is valid" ||
	fail "main.o should be valid"

# Chain: restore, make, record on top (--from); a third copy restored from
# the new checkpoint builds nothing and equals a clean build.
(cd fresh && "$CKPT" restore -d ../orig/.ckpt >/dev/null 2>&1 &&
	"$CKPT" record --from ../orig/.ckpt -- make) > chain.log 2>&1 ||
	fail "chained record: $(cat chain.log)"
grep -q "jobs kept from the previous checkpoint" chain.log ||
	fail "nothing kept: $(cat chain.log)"
cp -a "$TOP/examples/basic" third
echo '/* x */' >> third/extra.c
cp -a third oracle && (cd oracle && make >/dev/null)
(cd third && "$CKPT" restore -d ../fresh/.ckpt >/dev/null 2>&1) || fail "restore 3"
(cd third && make) > make3.log 2>&1
grep -q "is up to date" make3.log || fail "third copy rebuilt: $(cat make3.log)"
snapshot third | cut -d' ' -f1-3 > t.snap
snapshot oracle | cut -d' ' -f1-3 > o.snap
cmp -s t.snap o.snap || fail "third copy differs from a clean build"

# A checkpoint directory outside the tree (-d): the trace goes there too.
cp -a "$TOP/examples/basic" away && cd away
"$CKPT" record -d "$TRASH/elsewhere" -- make -s > ../away.log 2>&1 || fail "record -d: $(cat ../away.log)"
[ -e .ckpt ] && fail "record -d wrote .ckpt into the tree"
[ -f "$TRASH/elsewhere/manifest" ] || fail "no manifest in the -d directory"
cd "$TRASH"
cp -a "$TOP/examples/basic" away2
(cd away2 && "$CKPT" restore -d "$TRASH/elsewhere" >/dev/null 2>&1 && make) > away2.log 2>&1
grep -q "is up to date" away2.log || fail "restore from a -d checkpoint: $(cat away2.log)"

# Usage errors and help.
"$CKPT" restore --bogus 2>/dev/null; expect_eq "unknown option" 2 "$?"
"$CKPT" frobnicate 2>/dev/null; expect_eq "unknown command" 2 "$?"
"$CKPT" record 2>/dev/null; expect_eq "record without a command" 2 "$?"
for c in record save status restore explain audit compdb graph dump; do
	"$CKPT" $c --help > help.txt || fail "$c --help failed"
	grep -q "usage: ckpt $c" help.txt || fail "$c --help: $(cat help.txt)"
done
pass
