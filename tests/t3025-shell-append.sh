#!/bin/sh
# A job's processes are read one after another, not in time order: a
# shell's own `>>` is seen before the write of the child it forked
# earlier (`(cat in) > log; echo footer >> log`; the subshell is forked,
# where a plain `cat` would be vfork'ed and recorded in the shell's own
# file, in order). The job wrote `log` first and then appended to it:
# `log` is its output, not a source it updated in place, so a fresh tree
# gets it restored and its reader kept. (Configure's config.log, written
# by a here-document's cat and appended to by configure: every job of a
# `./configure && make` was invalid in any fresh tree.)
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
cat > "$P/Makefile" <<'MK'
all: report other
stamp: in.txt
	(cat in.txt) > log; echo footer >> log; touch stamp
report: stamp
	cp log report
other: other.txt
	cp other.txt other
MK
echo abc > "$P/in.txt"
echo one > "$P/other.txt"

edit() { echo two > other.txt; }
scenario "$P" edit
expect_status modified other.txt
expect_status deleted
expect_jobs "cp other.txt other"
expect_same
[ "$KEPT" -ge 3 ] || fail "log, stamp and report not kept from the checkpoint ($KEPT kept)"
cd "$TRASH" && rm -rf orig fresh oracle
edit() { echo xyz > in.txt; }
scenario "$P" edit
expect_jobs "(cat in.txt) > log; echo footer >> log; touch stamp" "cp log report"
expect_same
pass
