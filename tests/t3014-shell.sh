#!/bin/sh
# $(shell ...) results reach make: a change to what a $(shell) read
# re-runs every job of that make; a recipe without outputs (a check) that
# reads a changed file affects nothing else.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
cat > "$P/Makefile" <<'MK'
VER := $(shell cat VERSION)
all: banner.txt other.txt check
banner.txt:
	echo "version $(VER)" > banner.txt
other.txt: other.in
	cp other.in other.txt
check: other.txt
	cmp -s other.txt CHECKED || true
MK
echo 1.0 > "$P/VERSION"; echo other > "$P/other.in"; echo checked > "$P/CHECKED"
trap 'rm -rf "$P"' EXIT
edit() { echo 2.0 > VERSION; }
scenario "$P" edit
expect_jobs 'echo "version 2.0" > banner.txt' "cp other.in other.txt" \
	"cmp -s other.txt CHECKED || true"
expect_same
cd "$TRASH" && rm -rf orig fresh oracle
edit() { echo changed > CHECKED; }
scenario "$P" edit
expect_jobs "cmp -s other.txt CHECKED || true"
expect_same
pass
