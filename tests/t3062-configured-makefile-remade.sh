#!/bin/sh
# configure run inside the record writes the Makefile from a Makefile.in
# that make remakes from a Makefile.am (automake's rules). An edit of the
# Makefile.am (other flags): make remakes Makefile.in, configure rewrites
# the Makefile, and make reads it again, but reruns no recipe for its
# changed text, so every object restored stayed built with the old flags
# (popt's AM_CPPFLAGS). The Makefile.am is the make's input, as it is
# with configure run before the record; not what configure itself read
# (the Makefile.in), which reaches the make through configure's job.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

mkdir p && cd p || fail "mkdir"
echo 'FLAGS = -DV=1' > Makefile.am
printf '%s\n' 'all: prog other.o' 'prog: prog.c' '	cc $(FLAGS) prog.c -o prog' \
	'other.o: other.c' '	cc -c other.c' \
	'Makefile.in: Makefile.am rules.in' '	cat Makefile.am rules.in > Makefile.in' \
	'Makefile: Makefile.in' '	./configure' > rules.in
cat Makefile.am rules.in > Makefile.in
printf '#!/bin/sh\ncp Makefile.in Makefile\n' > configure && chmod +x configure
printf '#include <stdio.h>\nint main(void) { printf("%%d\\n", V); return 0; }\n' > prog.c
echo 'int other;' > other.c
touch -d @1577836800 Makefile.am rules.in configure prog.c other.c
touch -d @1577836860 Makefile.in
cd ..

cp -a p a && (cd a && "$CKPT" record -- sh -c './configure && make') > a.log 2>&1 ||
	fail "record: $(cat a.log)"
expect_eq "recorded prog" 1 "$(a/prog)"

# fresh NAME EDIT: a copy of the sources, EDIT run in it; restored, made.
fresh() {
	cp -a p "$1" && (cd "$1" && eval "$2") || fail "copy $1"
	(cd "$1" && "$CKPT" restore -d ../a/.ckpt && make) > "$1.log" 2>&1 ||
		fail "restore and make $1: $(cat "$1.log")"
}
fresh flags "sed -i 's/V=1/V=2/' Makefile.am && touch -d @1577836900 Makefile.am"
expect_eq "prog built with the edited flags" 2 "$(flags/prog)"
fresh other "echo 'int more;' >> other.c"
expect_eq "an edit of other.c" "cc -c other.c" "$(grep '^cc \|configure' other.log)"
fresh none true
grep -q "^cc \|^cat \|configure" none.log && fail "an unchanged copy ran a step: $(cat none.log)"
pass
