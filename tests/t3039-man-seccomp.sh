#!/bin/sh
# man-db runs its filters (preconv, col) under a seccomp sandbox, where
# the shim cannot make its trace file: a build that runs man (vim's
# configure: "checking how to run man with a section nr") had them
# untraced, so that job was invalid in every tree, even the recorded one,
# and everything after it. `ckpt record` runs the build with
# MAN_DISABLE_SECCOMP=1, a variable status does not compare.
. "$(dirname "$0")/lib.sh"
command -v man > /dev/null && MANPAGER=cat man -s 1 ls > /dev/null 2>&1 ||
	skip "no man(1) with a page for ls(1)"
mkdir a && cd a || fail "mkdir"
cat > Makefile <<'MK'
out: in.txt
	(MANPAGER=cat PAGER=cat man -s 1 ls) > man.txt 2>&1; cat in.txt > out
MK
echo abc > in.txt
env -u MAN_DISABLE_SECCOMP "$CKPT" record -- make > ../record.log 2>&1 ||
	fail "record: $(cat ../record.log)"
grep -q 'NAME' man.txt || fail "man printed no page: $(head man.txt)"
"$CKPT" audit > ../audit.log 2>&1 || fail "audit: $(cat ../audit.log)"
grep -A2 "could not be traced" ../audit.log && fail "audit names untraced programs"
"$CKPT" status > ../status.log 2>&1 || fail "status: $(cat ../status.log)"
grep -qx "nothing changed since the checkpoint" ../status.log ||
	fail "status in the recorded tree: $(cat ../status.log)"
pass
