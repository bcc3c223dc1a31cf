#!/bin/sh
# zlib's configure starts its log with `echo ... >> configure.log`: an
# open that appends to what is there, and creates the file when nothing
# is. Taken for an update in place of a file that was there, the log was
# a source, "deleted" in every fresh tree, and every output of
# `./configure && make` invalid. The shim now says when such an open
# found the path missing (t1001: and not when it found it there).
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
cat > "$P/configure" <<'SH'
echo "configure $*" >> configure.log
echo "checking for cc" >> configure.log
sed 's/@NAME@/zprog/' Makefile.in > Makefile
SH
cat > "$P/Makefile.in" <<'MK'
all: @NAME@
@NAME@: main.c
	cc -o @NAME@ main.c
MK
echo 'int main(void) { return 0; }' > "$P/main.c"

edit() { :; }
BUILD='sh configure && make' scenario "$P" edit
expect_status deleted
expect_status affected
grep -q 'restored 3, already valid 0, invalidated 0' restore.log ||
	fail "configure.log, Makefile and zprog not all restored: $(cat restore.log)"
expect_jobs
(cd fresh && "$CKPT" explain -d ../orig/.ckpt configure.log) > explain.log 2>&1
grep -q 'configure.log is valid' explain.log || fail "configure.log: $(cat explain.log)"
cd "$TRASH" && rm -rf orig fresh oracle

edit() { sed -i 's/return 0/return 1/' main.c; }
BUILD='sh configure && make' scenario "$P" edit
expect_jobs "cc -o zprog main.c"
expect_same
pass
