#!/bin/sh
# A shell glob through directories (`*/*.c`, busybox's gen_build_files.sh)
# opens every name of the directory as one: `opendir("Makefile/")` fails
# with ENOTDIR. That says Makefile is there and is not a directory, not
# that it was missing. Taken for a missing path that existed at the end,
# with an untraced program in the build, it was made an output of that
# program, and restore removed the Makefile and every other source file
# of the top directory from a fresh tree.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
echo 'int main(void){return 0;}' > s.c
cc -static -o s s.c 2>/dev/null || skip "no static libc (libc6-dev)"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
mkdir "$P/lib"
echo 'int f(void) { return 1; }' > "$P/lib/f.c"
echo 'notes' > "$P/NOTES"
cp s "$P/stamper"
cat > "$P/Makefile" <<'MK'
all: list stamp
list: lib/f.c
	echo */*.c > list
stamp:
	./stamper && touch stamp
MK

edit() { :; }
scenario "$P" edit
grep -q 'removed' restore.log && grep -q '([1-9][0-9]* removed)' restore.log &&
	fail "restore removed files of an unchanged tree: $(cat restore.log)"
[ -f fresh/Makefile ] && [ -f fresh/NOTES ] && [ -f fresh/lib/f.c ] ||
	fail "restore removed a source: $(ls fresh)"
(cd fresh && "$CKPT" explain -d ../orig/.ckpt Makefile) > explain.log 2>&1
grep -q 'is a source' explain.log || fail "Makefile is not a source: $(cat explain.log)"
expect_jobs "./stamper && touch stamp"
expect_same
pass
