#!/bin/sh
# A directory as make's target, filled by its own recipe: `mkdir -p site`
# (reads nothing, stays valid), then `cp ... site/`. An edit of a page
# invalidates the cp; if site were restored newer than the pages, make
# would find it up to date and never copy them again. A directory that
# holds an invalid output is restored with the oldest mtime (the epoch),
# so make reruns the recipe of a directory target; a directory that is a
# prerequisite, order-only (| obj) or not (obj), rebuilds nothing.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT

project() {	# $1: MAKEFLAGS for the recorded build and the ones after
	rm -rf "$P" && mkdir -p "$P/pages" || fail "mkdir"
	{
		[ -n "$1" ] && echo "MAKEFLAGS += $1"
		cat <<'MK'
all: site prog
site: pages/a.txt pages/b.txt
	mkdir -p site/sub
	cp pages/a.txt site/sub/
	cp pages/b.txt site/
obj:
	mkdir -p obj
obj/x.o: x.c | obj
	gcc -c -o obj/x.o x.c
obj/y.o: y.c obj
	gcc -c -o obj/y.o y.c
prog: obj/x.o obj/y.o
	gcc -o prog obj/x.o obj/y.o
MK
	} > "$P/Makefile"
	echo a > "$P/pages/a.txt"
	echo b > "$P/pages/b.txt"
	echo 'int x(void) { return 1; }' > "$P/x.c"
	echo 'int x(void); int main(void) { return x(); }' > "$P/y.c"
}

for flags in "" -j2; do
	project "$flags"
	# A page two directories down: site/sub and site both get the epoch.
	edit() { echo A > pages/a.txt; }
	scenario "$P" edit
	expect_jobs "mkdir -p site/sub" "cp pages/a.txt site/sub/" \
		"cp pages/b.txt site/"
	expect_same
	# Every source has mtime 1, as in the Nix store: still older.
	cd "$TRASH" && rm -rf orig fresh oracle
	scenario "$P" edit mtime1
	expect_jobs "mkdir -p site/sub" "cp pages/a.txt site/sub/" \
		"cp pages/b.txt site/"
	expect_same
	cd "$TRASH" && rm -rf orig fresh oracle

	# obj/ holds the invalid obj/x.o and gets the epoch; `obj:` has no
	# prerequisite, and obj/y.o, which lists obj, is newer than it.
	edit() { echo 'int x(void) { return 2; }' > x.c; }
	scenario "$P" edit
	expect_jobs "gcc -c -o obj/x.o x.c" "gcc -o prog obj/x.o obj/y.o"
	expect_same
	[ "$(stat -c %Y fresh/site)" -gt 1 ] ||
		fail "site holds nothing invalid, yet got an old mtime"
	cd "$TRASH" && rm -rf orig fresh oracle
done
pass
