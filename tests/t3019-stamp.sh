#!/bin/sh
# The stamp idiom: make runs a target's whole recipe, one line at a time,
# and the target is often written by a line that reads nothing (`touch
# stamp`). An edit that invalidates an earlier line must take the stamp
# with it, or make finds the stamp up to date and never writes what the
# earlier line wrote. The next target's recipe, run after a look at that
# target, is not part of it: an unrelated `echo > ver.h` stays valid.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT

project() {	# $1: MAKEFLAGS for the recorded build and the ones after
	rm -rf "$P" && mkdir -p "$P" || fail "mkdir"
	{
		[ -n "$1" ] && echo "MAKEFLAGS += $1"
		cat <<'MK'
all: stamp gen.stamp x.o y.o
stamp: in.txt
	cp in.txt out.txt
	echo copied > copy.log
	touch stamp
gen.stamp: gen.sh
	sh gen.sh
	touch gen.stamp
a.c: gen.stamp
x.o: x.c
	gcc -c -o x.o x.c
ver.h:
	echo '#define V 1' > ver.h
y.o: y.c ver.h
	gcc -c -o y.o y.c
MK
	} > "$P/Makefile"
	echo abc > "$P/in.txt"
	echo 'echo "int a(void) { return 1; }" > a.c' > "$P/gen.sh"
	echo 'int x(void) { return 1; }' > "$P/x.c"
	printf '#include "ver.h"\nint y(void) { return V; }\n' > "$P/y.c"
}

for flags in "" -j2; do
	project "$flags"
	edit() { echo xyz > in.txt; }
	scenario "$P" edit
	expect_jobs "cp in.txt out.txt" "echo copied > copy.log" "touch stamp"
	expect_same
	cd "$TRASH" && rm -rf orig fresh oracle

	edit() { echo 'echo "int a(void) { return 2; }" > a.c' > gen.sh; }
	scenario "$P" edit
	expect_jobs "sh gen.sh" "touch gen.stamp"
	expect_same
	cd "$TRASH" && rm -rf orig fresh oracle

	# ver.h's recipe reads nothing and runs right after x.o's (-j1).
	edit() { echo 'int x(void) { return 2; }' > x.c; }
	scenario "$P" edit
	expect_jobs "gcc -c -o x.o x.c"
	expect_same
	cd "$TRASH" && rm -rf orig fresh oracle
done
pass
