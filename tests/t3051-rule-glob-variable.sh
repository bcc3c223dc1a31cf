#!/bin/sh
# make globs a rule's targets and prerequisites after expanding their
# variables: `SRCS = *.c` then `prog: $(SRCS)` takes every .c. A .c
# added to a fresh copy must invalidate prog, whatever the mtimes say
# (all 1, as in the Nix store); a README added must not.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

mkdir a && cd a || fail "mkdir"
printf 'SRCS = *.c\nprog: $(SRCS)\n\tcat $^ > $@\n' > Makefile
echo a > a.c
"$CKPT" record -- make > ../record.log 2>&1 || fail "record: $(cat ../record.log)"
cd ..

# fresh NAME: a copy of the recorded sources, mtimes 1.
fresh() {
	mkdir "$1" && cp a/Makefile a/a.c "$1/" || fail "copy $1"
}

fresh added
echo b > added/b.c
backdate added/*
(cd added && "$CKPT" restore -d ../a/.ckpt && make) > added.log 2>&1 ||
	fail "restore and make: $(cat added.log)"
expect_eq "prog with b.c added" "a
b" "$(cat added/prog)"

fresh readme
echo hello > readme/README
backdate readme/*
(cd readme && "$CKPT" restore -d ../a/.ckpt && make) > readme.log 2>&1 ||
	fail "restore and make: $(cat readme.log)"
grep -q "^cat" readme.log && fail "a README reran prog: $(cat readme.log)"
expect_eq "prog with a README added" "a" "$(cat readme/prog)"
pass
