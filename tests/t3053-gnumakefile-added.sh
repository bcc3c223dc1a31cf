#!/bin/sh
# Without -f, make reads the first of GNUmakefile, makefile and Makefile
# in its directory, found in its directory cache with no system call of
# its own: the trace holds no look-up of the two it did not find. One
# added to a fresh copy (mtimes 1, as in the Nix store) is read instead
# of the Makefile: what that make did is invalid.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

mkdir a && cd a || fail "mkdir"
printf 'out: in\n\tcp in out\n' > Makefile
echo 1 > in
"$CKPT" record -- make > ../record.log 2>&1 || fail "record: $(cat ../record.log)"
cd ..

for name in GNUmakefile makefile; do
	mkdir "$name" && cp a/Makefile a/in "$name/" || fail "copy"
	printf 'out: in\n\techo other > out\n' > "$name/$name"
	backdate "$name"/*
	(cd "$name" && "$CKPT" restore -d ../a/.ckpt && make) > "$name.log" 2>&1 ||
		fail "restore and make with $name: $(cat "$name.log")"
	expect_eq "out with a $name added" other "$(cat "$name/out")"
done
pass
