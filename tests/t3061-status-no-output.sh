#!/bin/sh
# status, where the changes affect jobs that write nothing the checkpoint
# keeps (a recipe that only prints; a make that configure runs in
# backquotes, whose output goes to configure): no output to rebuild, and
# why, rather than a changed input that a make takes and nothing after.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

mkdir a && cd a || fail "mkdir"
printf '%s\n' 'all: out show' 'out: in' '	cp in out' 'show:' '	cat notes.txt' \
	'.PHONY: show' > Makefile
echo in > in && echo notes > notes.txt
"$CKPT" record -- make > ../record.log 2>&1 || fail "record: $(cat ../record.log)"
echo more >> notes.txt
"$CKPT" status > ../status.log 2>&1 || fail "status: $(cat ../status.log)"
grep -qx "no output to rebuild: the 1 job the changes affect wrote none that the checkpoint keeps" \
	../status.log || fail "status: $(cat ../status.log)"
echo other > in
"$CKPT" status > ../status2.log 2>&1 || fail "status: $(cat ../status2.log)"
grep -q "no output to rebuild" ../status2.log && fail "status: $(cat ../status2.log)"
grep -qx "  out" ../status2.log || fail "status does not name out: $(cat ../status2.log)"
pass
