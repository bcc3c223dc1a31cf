#!/bin/sh
# A log the tree held before the build, which a job only appends to
# (config.status's `exec 5>>config.log`, rerun by make in e2fsprogs): the
# job does not read what the log held, so a copy of the tree as it was
# configured (the log without the build's lines) changes nothing, and
# restore leaves the log as the tree holds it. A job that reads the log
# read what the build left: it is a source, and in that copy changed.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS
mkdir src
cat > src/Makefile <<'MK'
all: out.txt
out.txt: in.txt
	echo "config.status ran" >> config.log; cp in.txt out.txt
MK
echo 1 > src/in.txt
echo "configure ran" > src/config.log	# ./configure, outside the record
cp -a src orig
(cd orig && "$CKPT" record -- make) > rec.log 2>&1 || fail "record: $(cat rec.log)"
manifest_text orig/.ckpt/manifest | grep -q '^f X .* config.log$' ||
	fail "config.log is not a file only looked at: $(manifest_text orig/.ckpt/manifest | grep config.log)"

# The configured tree copied: nothing to rebuild, the log not touched.
cp -a src fresh
(cd fresh && "$CKPT" status --json -d ../orig/.ckpt) > st.json 2>&1 || fail "status: $(cat st.json)"
python3 - st.json <<'PY' || fail "status: $(cat st.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["modified"] == [] and s["affected"] == [], s
assert s["looked_at"] == [], s["looked_at"]   # the log is no file make decides by
PY
(cd fresh && "$CKPT" restore -d ../orig/.ckpt && make) > fresh.log 2>&1 ||
	fail "restore + make: $(cat fresh.log)"
grep -q "config.status ran" fresh.log && fail "make ran the recipe again: $(cat fresh.log)"
expect_eq "the log, as the tree held it" "configure ran" "$(cat fresh/config.log)"
expect_eq "out.txt" 1 "$(cat fresh/out.txt)"

# An edit still reruns the job that appends.
cp -a src edit && echo 2 > edit/in.txt
(cd edit && "$CKPT" restore -d ../orig/.ckpt && make) > edit.log 2>&1 ||
	fail "restore + make: $(cat edit.log)"
expect_eq "out.txt after the edit" 2 "$(cat edit/out.txt)"

# A job that reads the log read what the build had appended: in the
# configured copy, which lacks it, that job is invalid, the appender not.
cat >> src/Makefile <<'MK'
all: summary.txt
summary.txt: out.txt
	wc -l < config.log > summary.txt
MK
rm -rf orig fresh && cp -a src orig
(cd orig && "$CKPT" record -- make) > rec2.log 2>&1 || fail "record 2: $(cat rec2.log)"
manifest_text orig/.ckpt/manifest | grep -q '^f S .* config.log$' ||
	fail "a log a job read is not a source: $(manifest_text orig/.ckpt/manifest | grep config.log)"
cp -a src fresh
(cd fresh && "$CKPT" status --json -d ../orig/.ckpt) > st2.json 2>&1 || fail "status 2: $(cat st2.json)"
python3 - st2.json <<'PY' || fail "status 2: $(cat st2.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["modified"] == ["config.log"], s["modified"]
assert s["affected"] == ["summary.txt"], s["affected"]
PY
pass
