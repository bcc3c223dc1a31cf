#!/bin/sh
# A file the sources ship that the recorded build deleted and did not
# make again is gone in a clean build too. m4 regenerates its shipped
# checks/NNN.* under new numbers after `rm -f`: restore kept the 65 old
# ones, and make check ran them. A restore whose deleting job is valid
# deletes such a file; one the build read before deleting it counts as
# changed for its readers wherever a tree holds it, its content then
# unknown (`cat in.txt > out && rm in.txt`: an edit was missed).
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

# 1. Deleted and not remade: the recorded build drops b from names.
mkdir -p ship/out && cd ship || fail "mkdir"
printf 'a\nb\n' > names
cat > Makefile <<'MK'
stamp: names
	rm -f out/*.t
	for n in `cat names`; do echo $$n > out/$$n.t; done
	echo ok > stamp
MK
echo a > out/a.t && echo b > out/b.t && echo ok > stamp
cd .. && cp -a ship rec && cp -a ship fresh && cp -a ship clean || fail "copy"
for t in rec fresh clean; do echo a > $t/names; done
(cd rec && "$CKPT" record -- make) > rec.log 2>&1 || fail "record: $(cat rec.log)"
(cd clean && make) > clean.log 2>&1 || fail "clean make: $(cat clean.log)"
(cd fresh && "$CKPT" status --json -d ../rec/.ckpt) > status.json 2>&1 ||
	fail "status: $(cat status.json)"
python3 - status.json <<'PY' || fail "status: $(cat status.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["gone"] == ["out/b.t"] and s["modified"] == [] and s["affected"] == [], s
PY
(cd fresh && "$CKPT" restore --dry-run -d ../rec/.ckpt) > dry.log 2>&1
grep -qx "remove out/b.t" dry.log || fail "dry run: $(cat dry.log)"
(cd fresh && "$CKPT" restore -d ../rec/.ckpt && make) > fresh.log 2>&1 ||
	fail "restore and make: $(cat fresh.log)"
grep -q "invalidated 0 (0 removed), 1 deleted as the recorded build did" fresh.log ||
	fail "restore's count: $(cat fresh.log)"
expect_eq "out/ after restore" "$(ls clean/out)" "$(ls fresh/out)"
expect_eq "out/a.t after restore" a "$(cat fresh/out/a.t)"

# A tree whose names still list b: the job that writes out/ runs again
# and may write b.t, so b.t stays (the rm line alone is valid).
cp -a ship keep && cp -a ship keep-clean || fail "copy"
(cd keep-clean && make -B) > keep-clean.log 2>&1 || fail "clean make: $(cat keep-clean.log)"
touch -d @1 keep/names keep/Makefile && touch -d @2 keep/stamp keep/out/* ||
	fail "mtimes"
(cd keep && "$CKPT" restore -d ../rec/.ckpt && make) > keep.log 2>&1 ||
	fail "restore and make: $(cat keep.log)"
grep -q "deleted as the recorded build did" keep.log &&
	fail "b.t deleted though its writer runs again: $(cat keep.log)"
expect_eq "out/ where names is unchanged" "$(ls keep-clean/out)" "$(ls keep/out)"

# 2. Read, then deleted: its readers cannot be kept where it is back.
mkdir eat && cd eat || fail "mkdir"
printf 'out:\n\tcat in.txt > out && rm in.txt\n' > Makefile
echo v1 > in.txt
"$CKPT" record -- make > ../eat.log 2>&1 || fail "record: $(cat ../eat.log)"
"$CKPT" status > ../eat-status.log 2>&1 || fail "status: $(cat ../eat-status.log)"
grep -qx "nothing changed since the checkpoint" ../eat-status.log ||
	fail "the recorded tree is not as recorded: $(cat ../eat-status.log)"
cd ..
mkdir eat2 && cp eat/Makefile eat2/ && echo v2 > eat2/in.txt && backdate eat2/* || fail "copy"
(cd eat2 && "$CKPT" restore -d ../eat/.ckpt && make) > eat2.log 2>&1 ||
	fail "restore and make: $(cat eat2.log)"
expect_eq "out, in.txt edited" v2 "$(cat eat2/out)"
[ -e eat2/in.txt ] && fail "in.txt not consumed: $(ls eat2)"
pass
