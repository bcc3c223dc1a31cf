#!/bin/sh
# A file the sources ship that one job reads and a later one generates
# anew (redis: `cc -MM` of every source reads commands.c, then a newer
# commands/*.json has it generated again; nasm: a -j race reads
# x86/insnsi.h while insns.pl writes it) is the generator's output, not a
# source the build updated in place: only the job that writes a file
# updates it in place, by reading it first. Taken for a source with the
# generated content, every fresh tree held it "modified": its readers
# were rebuilt, and the valid generated file was never restored.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
cat > "$P/Makefile" <<'MK'
SUM := $(shell cksum gen.c)
prog: gen.c
	cat gen.c > prog
gen.c: in.txt
	sed 's/^/gen /' in.txt > gen.c
MK
echo 'gen 1' > "$P/gen.c"
echo 2 > "$P/in.txt"
touch -d '2024-01-01 00:00' "$P/gen.c" "$P/Makefile"
touch -d '2024-01-02 00:00' "$P/in.txt"

edit() { :; }
scenario "$P" edit
expect_status modified
expect_jobs
expect_same
[ "$(cat fresh/prog)" = "gen 2" ] || fail "prog: $(cat fresh/prog)"
pass
