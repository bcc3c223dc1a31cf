#!/bin/sh
# A file the sources ship that a recipe writes over without reading it
# (jemalloc's configure: `echo $version > VERSION`; nasm's `: > x.time` on
# a shipped stamp) was there before the build: restore never removes it,
# though its job is invalid. It removed it when the tree's copy held the
# bytes the recorded build wrote, and one that make never remakes (a
# stamp only `make doc` needs) was gone for good.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
cat > "$P/Makefile" <<'MK'
final: out
	cat out VERSION > final
out: in.txt
	cat in.txt > out; echo 1.0 > VERSION
MK
echo 1.0 > "$P/VERSION"
echo abc > "$P/in.txt"

edit() { echo xyz > in.txt; }
scenario "$P" edit
expect_status modified in.txt
(cd oracle && "$CKPT" restore -n -d ../orig/.ckpt) > dry.log 2>&1 || fail "restore -n"
grep -qx "leave VERSION" dry.log || fail "restore -n: $(cat dry.log)"
grep -q '^\./VERSION ' restored.snap || fail "restore removed the shipped VERSION"
grep -q "VERSION: left in place.*there before the recorded build" restore.log ||
	fail "restore did not say why it left VERSION: $(cat restore.log)"
expect_jobs "cat in.txt > out; echo 1.0 > VERSION" "cat out VERSION > final"
expect_same

# What the build made itself and wrote over is still removed.
cd "$TRASH" && rm -rf orig fresh oracle
cat > "$P/Makefile" <<'MK'
final: out
	cat out > final; cat out > final
out: in.txt
	cat in.txt > out
MK
rm -f "$P/VERSION"
scenario "$P" edit
grep -q '^\./final ' restored.snap && fail "restore left the invalid final"
expect_jobs "cat in.txt > out" "cat out > final; cat out > final"
expect_same
pass
