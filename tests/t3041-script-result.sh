#!/bin/sh
# The recorded command is a script, not make, and decides from what a
# command it runs found (`if grep -q FOO config.txt; then echo yes > out`).
# The command wrote nothing, so its being invalid reached nothing: status
# said to run grep again, and restore put back the old `out` as valid.
# Now a job that wrote nothing makes the script that ran it invalid, as
# a $(shell ...) does make.
. "$(dirname "$0")/lib.sh"
mkdir a && cd a || fail "mkdir"
cat > build.sh <<'SH'
#!/bin/sh
if grep -q FOO config.txt; then echo yes > out; else echo no > out; fi
cp other.txt other
SH
chmod +x build.sh
echo FOO > config.txt
echo one > other.txt
"$CKPT" record -- ./build.sh > ../record.log 2>&1 || fail "record: $(cat ../record.log)"
[ "$(cat out)" = yes ] || fail "recorded out: $(cat out)"
cd .. && mkdir fresh && cp a/build.sh a/config.txt a/other.txt fresh/ || fail "copy"
cd fresh

# An edit to what grep read: the script's own output is invalid.
echo BAR > config.txt
"$CKPT" status --json -d ../a/.ckpt > ../status.json || fail "status"
python3 - ../status.json <<'PY' || fail "status: $(cat ../status.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert sorted(s["affected"]) == ["other", "out"], s["affected"]
assert s["run_again"] == ["/bin/sh ./build.sh"], s["run_again"]
PY
"$CKPT" status -d ../a/.ckpt > ../status.log 2>&1
grep -q "as the recorded command ran them" ../status.log &&
	fail "status names the script twice: $(cat ../status.log)"
"$CKPT" explain -d ../a/.ckpt out > ../explain.log || fail "explain"
grep -q "its result (exit status, output) went to the script that ran it" ../explain.log ||
	fail "explain: $(cat ../explain.log)"
"$CKPT" restore -d ../a/.ckpt > ../restore.log 2>&1 || fail "restore: $(cat ../restore.log)"
[ -e out ] && fail "restore kept the invalid out: $(cat out)"

# Nothing a job that wrote nothing read changed: the rest is valid.
rm -f out other
echo FOO > config.txt
echo two > other.txt
"$CKPT" status --json -d ../a/.ckpt > ../status.json || fail "status"
python3 - ../status.json <<'PY' || fail "status: $(cat ../status.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["affected"] == ["other"], s["affected"]
PY
"$CKPT" restore -d ../a/.ckpt > ../restore.log 2>&1 || fail "restore: $(cat ../restore.log)"
[ "$(cat out)" = yes ] || fail "out not restored: $(cat out 2>&1)"
pass
