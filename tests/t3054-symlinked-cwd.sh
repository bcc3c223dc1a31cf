#!/bin/sh
# A build recorded from a path through a symbolic link to the tree: a
# shell's $PWD keeps the link, and paths made from it (configure's
# `$ac_pwd/conftest.dir`) named the tree by a path outside it. An edit of
# such a file in a fresh copy went unseen, and a directory made and
# removed through it was "deleted" in the recorded tree itself, so
# restore removed what its job wrote. ckpt record passes the tree's real
# path on as PWD; a bare LD_PRELOAD run from the link is noted at save.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

mkdir real && ln -s real lnk || fail "mkdir"
cat > real/Makefile <<'MK'
all: out.txt ok.txt
out.txt: in.txt
	cat $$PWD/in.txt > out.txt
ok.txt:
	mkdir t && test -d $$PWD/t && rmdir t && echo ok > ok.txt
MK
echo v1 > real/in.txt
# sh -c, as a user's shell would: cd through the link keeps it in PWD.
sh -c 'cd lnk && "$1" record -- make' sh "$CKPT" > record.log 2>&1 ||
	fail "record: $(cat record.log)"
grep -q "symbolic link" record.log && fail "record noted a link: $(cat record.log)"

(cd lnk && "$CKPT" status) > status.log 2>&1 || fail "status: $(cat status.log)"
grep -qx "nothing changed since the checkpoint" status.log ||
	fail "the recorded tree is not as recorded: $(cat status.log)"

mkdir fresh && cp real/Makefile fresh/ && echo v2 > fresh/in.txt &&
	backdate fresh/* || fail "copy"
(cd fresh && "$CKPT" restore -d ../real/.ckpt && make) > fresh.log 2>&1 ||
	fail "restore and make: $(cat fresh.log)"
expect_eq "out.txt with in.txt edited" v2 "$(cat fresh/out.txt)"
expect_eq "ok.txt" ok "$(cat fresh/ok.txt)"

# A bare LD_PRELOAD build from the link: the save says what it saw.
mkdir bare && cp real/Makefile real/in.txt bare/ && ln -s bare blnk || fail "copy"
sh -c 'cd blnk && LD_PRELOAD="$1" make && "$2" save' sh "$SHIM" "$CKPT" > bare.log 2>&1 ||
	fail "bare build and save: $(cat bare.log)"
grep -q "ckpt: note: the build ran in $TRASH/blnk, a symbolic link to the tree" bare.log ||
	fail "no note of the link: $(cat bare.log)"
pass
