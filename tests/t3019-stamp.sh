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
# Found by attacking the rule (make -j makes the order of lines vary, so
# each runs three times):
# - other targets whose lines read nothing run beside the stamp recipe;
# - a first line that reads nothing and writes what make never looked at
#   (t2.log) is not t2's target: with t2 kept, removing it would lose it;
# - a line between that reads a source (sh check.sh) does not stop the
#   stamp from going with the first line.
project2() {	# $1: MAKEFLAGS
	rm -rf "$P" && mkdir -p "$P" || fail "mkdir"
	{
		[ -n "$1" ] && echo "MAKEFLAGS += $1"
		cat <<'MK'
all: a.txt b.txt stamp t1 t2 mid.stamp
a.txt:
	echo a > a.txt
b.txt:
	echo b > b.txt
stamp: in.txt
	cp in.txt out.txt
	touch stamp
t1: in1
	cp in1 t1
t2: in2
	echo "t2 built" > t2.log
	cp in2 t2
mid.stamp: mid.in
	cp mid.in mid.out
	sh check.sh
	touch mid.stamp
MK
	} > "$P/Makefile"
	echo 1 > "$P/in.txt"; echo 1 > "$P/in1"; echo 2 > "$P/in2"
	echo 1 > "$P/mid.in"; echo 'test -s mid.out' > "$P/check.sh"
}
for flags in "" -j2 -j8; do
	project2 "$flags"
	for round in 1 2 3; do
		edit() { echo 2 > in.txt; }
		scenario "$P" edit
		expect_jobs "cp in.txt out.txt" "touch stamp"
		expect_same
		cd "$TRASH" && rm -rf orig fresh oracle
		edit() { echo 3 > in1; }
		scenario "$P" edit
		expect_jobs "cp in1 t1"
		expect_same
		cd "$TRASH" && rm -rf orig fresh oracle
	done
	edit() { echo 2 > mid.in; }
	scenario "$P" edit
	expect_jobs "cp mid.in mid.out" "sh check.sh" "touch mid.stamp"
	expect_same
	cd "$TRASH" && rm -rf orig fresh oracle
done
# Under -j make looks at a target (mid.stamp) while its slots are busy,
# just after it asked for a line of another one (cp in1 t1), and starts
# it when that line ends. The stamp is not that line's: the look came
# after the line began. It used to be taken as before, in 5 runs of 6
# here (and in project2 above, under load): a line's start was its own
# first record, which comes after the dynamic loader's work, not its
# exec.
project4() {
	rm -rf "$P" && mkdir -p "$P" || fail "mkdir"
	cat > "$P/Makefile" <<'MK'
MAKEFLAGS += -j2
all: slow t1 mid.stamp
slow:
	sleep 0.5; touch slow
t1: in1
	cp in1 t1
mid.stamp: mid.in
	cp mid.in mid.out
	touch mid.stamp
MK
	echo 1 > "$P/in1"; echo 1 > "$P/mid.in"
}
project4
for round in 1 2 3; do	# a look just after the exec: most runs
	edit() { echo 2 > in1; }
	scenario "$P" edit
	expect_jobs "cp in1 t1"
	expect_same
	cd "$TRASH" && rm -rf orig fresh oracle
done
edit() { echo 2 > mid.in; }
scenario "$P" edit
expect_jobs "cp mid.in mid.out" "touch mid.stamp"
expect_same
cd "$TRASH" && rm -rf orig fresh oracle
# A stamp after a sub-make, on its own line and on the same line: the
# sub-make's outputs are invalid, so the stamp must go too, or make would
# never enter the directory.
project3() {	# $1: MAKEFLAGS
	rm -rf "$P" && mkdir -p "$P/sub" "$P/one" || fail "mkdir"
	{
		[ -n "$1" ] && echo "MAKEFLAGS += $1"
		cat <<'MK'
all: sub.stamp one.stamp
sub.stamp:
	$(MAKE) -C sub
	touch sub.stamp
one.stamp:
	$(MAKE) -C one && touch one.stamp
MK
	} > "$P/Makefile"
	for d in sub one; do
		printf 'out.txt: in.txt\n\tcp in.txt out.txt\n' > "$P/$d/Makefile"
		echo 1 > "$P/$d/in.txt"
	done
}
for flags in "" -j2; do
	project3 "$flags"
	edit() { echo 2 > sub/in.txt; echo 3 > one/in.txt; }
	scenario "$P" edit
	expect_jobs "cp in.txt out.txt" "cp in.txt out.txt" "touch sub.stamp"
	expect_same
	cd "$TRASH" && rm -rf orig fresh oracle
done
pass
