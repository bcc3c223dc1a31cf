#!/bin/sh
# `date` printing the time it runs at reads TZ and the locale only to
# write the clock, which no checkpoint takes for an input: a login with
# TZ set where the record had none changes nothing (diffutils' cfg.mk,
# `_date_time := $(shell date +%F.%T)`: all 301 outputs rerun). A date
# of a given time (`-d @0`) depends on TZ: that still counts.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS
mkdir now && cat > now/Makefile <<'MK'
T := $(shell date +%F.%T)
out: in
	cp in out
MK
echo 1 > now/in
(cd now && env -u TZ "$CKPT" record -- make) > now.log 2>&1 || fail "record: $(cat now.log)"
cp -a now now2 && rm -rf now2/.ckpt
(cd now2 && TZ=Asia/Tokyo "$CKPT" status --json -d ../now/.ckpt) > now.json 2>&1 ||
	fail "status: $(cat now.json)"
python3 - now.json <<'PY' || fail "the clock's TZ counted: $(cat now.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert "TZ" not in s["environment"] and s["affected"] == [], s
PY

mkdir fixed && cat > fixed/Makefile <<'MK'
H := $(shell date -d @0 +%H)
out: in
	echo $(H) > out
MK
echo 1 > fixed/in
(cd fixed && env -u TZ "$CKPT" record -- make) > fixed.log 2>&1 || fail "record: $(cat fixed.log)"
cp -a fixed fixed2 && rm -rf fixed2/.ckpt
(cd fixed2 && TZ=Asia/Tokyo "$CKPT" status --json -d ../fixed/.ckpt) > fixed.json 2>&1 ||
	fail "status: $(cat fixed.json)"
python3 - fixed.json <<'PY' || fail "date -d @0 without its TZ: $(cat fixed.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert "TZ" in s["environment"] and s["affected"] == ["out"], s
PY
pass
