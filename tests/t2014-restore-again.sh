#!/bin/sh
# A second restore in a tree that make rebuilt after the first: of one
# job's outputs, one a later build rewrote (not the recorded build's file)
# is left, and so are the others of that job, even one with the recorded
# bytes. Removing it beside the one left gave make a rule it cannot run:
# sqlite's `parse.h: parse.c`, no recipe, after lemon, which writes the
# same parse.h whatever parse.y says (found on sqlite 3.40).
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS MAKEOVERRIDES GNUMAKEFLAGS
mkdir a && cd a
cat > Makefile <<'MK'
all: use
out.c: in gen.sh
	sh gen.sh
out.h: out.c
use: out.h
	cat out.h > use
MK
printf 'cp in out.c\necho "#define X 1" > out.h\n' > gen.sh
echo one > in
"$CKPT" record -- make > ../record.log 2>&1 || fail "record: $(cat ../record.log)"
cd .. && mkdir b && cp a/Makefile a/gen.sh b/ && echo two > b/in
(cd b && "$CKPT" restore -d ../a/.ckpt && make) > first.log 2>&1 ||
	fail "first restore, make: $(cat first.log)"
(cd b && "$CKPT" restore -n -d ../a/.ckpt) > dry.log 2>&1 || fail "dry run: $(cat dry.log)"
grep -qx "leave out.h" dry.log || fail "--dry-run: out.h not left: $(cat dry.log)"
grep -qx "leave out.c" dry.log || fail "--dry-run: out.c not left: $(cat dry.log)"
(cd b && "$CKPT" restore -d ../a/.ckpt) > again.log 2>&1 || fail "restore again: $(cat again.log)"
[ -e b/out.h ] || fail "out.h was removed beside out.c, which was left: $(cat again.log)"
grep -q "out.h: left in place, though the change invalidates it, with another output of its job" again.log ||
	fail "out.h left without a word: $(cat again.log)"
(cd b && make) > make.log 2>&1 || fail "make after the second restore: $(cat make.log)"
expect_eq "use" "#define X 1" "$(cat b/use)"
pass
