#!/bin/sh
# A shell glob through directories (`*/*.c`, busybox's gen_build_files.sh)
# opens every name of the directory as one: `opendir("Makefile/")` fails
# with ENOTDIR. That says Makefile is there and is not a directory, not
# that it was missing. Taken for a missing path that existed at the end,
# with an untraced program in the build, it was made an output of that
# program, and restore removed the Makefile and every other source file
# of the top directory from a fresh tree. So also for `test -d NOTES/.`,
# `cd` into a file and `rmdir` of one.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
echo 'int main(void){return 0;}' > s.c
cc -static -o s s.c 2>/dev/null || skip "no static libc (libc6-dev)"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
mkdir "$P/lib"
echo 'int f(void) { return 1; }' > "$P/lib/f.c"
echo 'notes' > "$P/NOTES"
mkdir "$P/d" && for x in x1 x2 x3; do echo $x > "$P/d/$x"; done
cp s "$P/stamper"
cat > "$P/Makefile" <<'MK'
all: list checks stamp
list: lib/f.c
	echo */*.c > list
checks:
	(test -d d/x1/. || cd d/x2 || rmdir d/x3 || true) 2>/dev/null; touch checks
stamp:
	./stamper && touch stamp
MK

edit() { :; }
scenario "$P" edit
grep -q 'removed' restore.log && grep -q '([1-9][0-9]* removed)' restore.log &&
	fail "restore removed files of an unchanged tree: $(cat restore.log)"
[ -f fresh/Makefile ] && [ -f fresh/NOTES ] && [ -f fresh/lib/f.c ] &&
	[ -f fresh/d/x1 ] && [ -f fresh/d/x2 ] && [ -f fresh/d/x3 ] ||
	fail "restore removed a source: $(ls fresh)"
for f in Makefile NOTES lib/f.c d/x1 d/x2 d/x3; do
	(cd fresh && "$CKPT" explain -d ../orig/.ckpt $f) > explain.log 2>&1
	grep -q 'is a source\|not an output' explain.log || fail "$f: $(cat explain.log)"
done
expect_jobs "./stamper && touch stamp"
expect_same
pass
