#!/bin/sh
# `date` printing the time it runs at reads TZ and the locale only to
# write the clock, which no checkpoint takes for an input: a login with
# TZ set where the record had none changes nothing (diffutils' cfg.mk,
# `_date_time := $(shell date +%F.%T)`: all 301 outputs rerun). A date
# of a given time (`-d @0`) depends on TZ: that still counts.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

# tz_status NAME MAKEFILE-LINE: record make without TZ in NAME, whose
# Makefile begins with that line; status with TZ set in a copy, into
# NAME.json.
tz_status() {
	mkdir "$1" && printf '%s\nout: in\n\techo $(V) > out\n' "$2" > "$1/Makefile"
	echo 1 > "$1/in"
	(cd "$1" && env -u TZ "$CKPT" record -- make) > "$1.log" 2>&1 ||
		fail "record $1: $(cat "$1.log")"
	cp -a "$1" "$1.copy" && rm -rf "$1.copy/.ckpt"
	(cd "$1.copy" && TZ=Asia/Tokyo "$CKPT" status --json -d "../$1/.ckpt") > "$1.json" 2>&1 ||
		fail "status $1: $(cat "$1.json")"
}

tz_status now 'V := $(shell date +%F.%T)'
python3 - now.json <<'PY' || fail "the clock's TZ counted: $(cat now.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert "TZ" not in s["environment"] and s["affected"] == [], s
PY

tz_status fixed 'V := $(shell date -d @0 +%H)'
python3 - fixed.json <<'PY' || fail "date -d @0 without its TZ: $(cat fixed.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert "TZ" in s["environment"] and s["affected"] == ["out"], s
PY
pass
