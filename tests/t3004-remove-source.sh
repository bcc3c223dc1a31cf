#!/bin/sh
# Scenario 4: remove a source and its Makefile entry: its object is gone
# from the archive and the program (the Makefile changed: make's jobs all
# re-run).
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() {
	rm extra.c
	sed -i 's/^LIBOBJS = util.o extra.o/LIBOBJS = util.o/' Makefile
	sed -i 's/, extra_twice(21)/, 42/' main.c
}
scenario basic edit
expect_jobs "cc -O2 -Ioverride -Iinclude -c -o main.o main.c" \
	"cc -O2 -Ioverride -Iinclude -c -o util.o util.c" \
	"ar rcs libutil.a util.o" "cc -o prog main.o libutil.a"
expect_same
expect_eq "archive members" "util.o" "$(ar t fresh/libutil.a)"
nm fresh/prog | grep -q extra_twice && fail "extra_twice still linked"
[ -e fresh/extra.o ] && fail "extra.o was restored although nothing makes it now"
pass
