#!/bin/sh
# find opens each directory (openat) before it lists it (fdopendir): the
# job read the directory and listed it, and the listing is what it used.
# The read was taken for the whole of it, so a source added where a
# `$(shell find ...)` looks was not seen: restore kept prog as valid, and
# in a tree where every file has one mtime (the Nix store) make found it
# up to date, without the new source (nasm's ALLPERLSRC).
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
mkdir -p "$P/src" "$P/lib" "$P/empty"
echo a > "$P/src/a.c"
echo l > "$P/lib/l.c"
cat > "$P/Makefile" <<'MK'
SRCS := $(sort $(shell find . -type f -name '*.c'))
prog: $(SRCS)
	cat $(SRCS) > prog
MK
edit() { echo new > lib/n.c; }
scenario "$P" edit mtime1
expect_jobs "cat ./lib/l.c ./lib/n.c ./src/a.c > prog"
expect_same

cd "$TRASH" && rm -rf orig fresh oracle
edit() { echo new > empty/n.c; }
scenario "$P" edit mtime1
expect_jobs "cat ./empty/n.c ./lib/l.c ./src/a.c > prog"
expect_same
pass
