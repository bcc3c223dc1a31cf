#!/bin/sh
# A file the sources ship and a recipe only touches (redis's
# mkreleasehdr.sh: `touch release.c` to force a compile) is there before
# the build and keeps its content: the build updated it in place, it is a
# source. It was taken for an output of that recipe: with the recipe's
# input edited, restore removed the shipped file, and make's `touch` then
# made it empty.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
cat > "$P/Makefile" <<'MK'
all: out other
stamp: in.txt
	cat in.txt > stamp; touch release.c
out: stamp release.c
	cat stamp release.c > out
other: other.txt
	cp other.txt other
MK
echo '/* shipped */' > "$P/release.c"
echo abc > "$P/in.txt"
echo one > "$P/other.txt"

edit() { echo xyz > in.txt; }
scenario "$P" edit
expect_status modified in.txt
expect_status deleted
expect_jobs "cat in.txt > stamp; touch release.c" "cat stamp release.c > out"
expect_same
grep -q shipped fresh/out || fail "out lost release.c's content: $(cat fresh/out)"

# Touched by its own recipe after it made it, a file stays an output.
cd "$TRASH" && rm -rf orig fresh oracle
cat > "$P/Makefile" <<'MK'
copy: made
	cp made copy
made: in.txt
	cat in.txt > made; touch made
MK
rm -f "$P/release.c" "$P/other.txt"
edit() { :; }
scenario "$P" edit
expect_status modified
expect_jobs
expect_same
[ "$KEPT" -ge 2 ] || fail "made and copy not restored ($KEPT kept)"
pass
