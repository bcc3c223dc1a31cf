#!/bin/sh
# A file name with a newline or another control character is shown in
# bash's $'...' quoting by status, explain, audit and restore --dry-run,
# which print a path a line: printed raw, it would start a line of their
# own (`remove` of an output that is not one). A command with a word that
# has a space is shown as a shell would take it (`'a b'`), not as the
# checkpoint stores it (`a%20b`). And status's outputs to rebuild are
# files, not the directories restore leaves; files only looked at and
# since edited are named apart.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS
NL='
'
mkdir src
cat > src/Makefile <<'MK'
all: out
out: gen.txt
	cat we*ird gen.txt > "$$(printf 'o\nut')" && cat we*ird > out
MK
printf 'echo "$1" > gen.txt\n' > src/conf.sh
printf 'data\n' > "src/we${NL}ird"
printf 'x\033[2Jy\n' > "src/esc$(printf '\033')[2J"
cp -a src orig
(cd orig && "$CKPT" record -- sh -c 'sh ./conf.sh "a b" && cat esc* > /dev/null && make -s') \
	> rec.log 2>&1 || fail "record: $(cat rec.log)"

cp -a src new
printf 'more\n' >> "new/we${NL}ird"
printf 'echo changed\n' >> new/conf.sh
cd new
"$CKPT" status -d ../orig/.ckpt > ../status.txt 2>&1 || fail "status: $(cat ../status.txt)"
grep -qx "  \$'we\\\\nird'" ../status.txt || fail "status: the name not quoted: $(cat ../status.txt)"
grep -qx "  \$'o\\\\nut'" ../status.txt || fail "status: the output not quoted: $(cat ../status.txt)"
grep -qx "  sh ./conf.sh 'a b'" ../status.txt || fail "status: the command as stored: $(cat ../status.txt)"
grep -qx "ird" ../status.txt && fail "status printed a raw newline: $(cat ../status.txt)"
"$CKPT" status -d ../orig/.ckpt --json > ../status.json || fail "status --json"
python3 - ../status.json <<'PY' || fail "status --json: $(cat ../status.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert "we\nird" in s["modified"], s["modified"]
assert "o\nut" in s["affected"], s["affected"]
assert s["run_again"] == ["sh ./conf.sh 'a b'"], s["run_again"]
PY

"$CKPT" explain -d ../orig/.ckpt out > ../explain.txt 2>&1 || fail "explain: $(cat ../explain.txt)"
grep -q "^  \$'we\\\\nird' was changed (a source)" ../explain.txt ||
	fail "explain: $(cat ../explain.txt)"

"$CKPT" restore -d ../orig/.ckpt --dry-run > ../dry.txt 2>&1 || fail "dry-run: $(cat ../dry.txt)"
expect_eq "dry-run lines" 3 "$(wc -l < ../dry.txt)"
grep -qx "invalid \$'o\\\\nut'" ../dry.txt || fail "dry-run: $(cat ../dry.txt)"

cd ../orig
"$CKPT" audit > ../audit.txt 2>&1 || fail "audit: $(cat ../audit.txt)"
grep -q "^  \$'we\\\\nird' " ../audit.txt || fail "audit: $(cat ../audit.txt)"
grep -q "^  \$'esc\\\\x1b\[2J' " ../audit.txt || fail "audit: the escape not quoted: $(cat ../audit.txt)"
grep -q "$(printf '\033')" ../audit.txt && fail "audit printed a raw escape: $(cat ../audit.txt)"
cd ..

# status lists the files to rebuild, not a directory the invalid job
# made, which restore leaves in place (git's 1,223 "outputs to rebuild"
# held 20 directories against record's 1,203 outputs).
mkdir dirs && cd dirs
printf 'all: out/in.txt\nout/in.txt: in.txt\n\tmkdir -p out && cp in.txt out/\n' > Makefile
echo 1 > in.txt
"$CKPT" record -- make -s > ../dirs.log 2>&1 || fail "record: $(cat ../dirs.log)"
echo 2 > in.txt
"$CKPT" status --json > ../dirs.json || fail "status --json"
python3 - ../dirs.json <<'PY' || fail "status --json: $(cat ../dirs.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["affected"] == ["out/in.txt"], s["affected"]
PY
"$CKPT" restore > ../dirs.log 2>&1 || fail "restore: $(cat ../dirs.log)"
[ -d out ] && [ ! -e out/in.txt ] || fail "restore: $(ls -R)"
cd ..

# A file the build only looked at (bash's parse.y, older than the y.tab.c
# shipped beside it) is no input, and has no hash kept; edited, status
# names it apart, for make rebuilds from it (it ran bison).
mkdir looked && cd looked
printf 'out.txt: gen.c\n\tcat gen.c > out.txt\ngen.c: gen.y\n\tcp gen.y gen.c\n' > Makefile
echo 'y' > gen.y && echo 'y' > gen.c && touch -d @1000 gen.y
"$CKPT" record -- make -s > ../looked.log 2>&1 || fail "record: $(cat ../looked.log)"
"$CKPT" status > ../looked.log 2>&1 || fail "status: $(cat ../looked.log)"
expect_eq "status unchanged" "nothing changed since the checkpoint" "$(cat ../looked.log)"
# In another tree a newer time alone says nothing (a git worktree gives
# every file one); another size does.
cp -a . ../looked.copy && touch ../looked.copy/gen.y
(cd ../looked.copy && "$CKPT" status -d ../looked/.ckpt) > ../looked.log 2>&1 || fail "status"
expect_eq "status of a copy, gen.y touched" "nothing changed since the checkpoint" "$(cat ../looked.log)"
echo 'y22' > ../looked.copy/gen.y
(cd ../looked.copy && "$CKPT" status -d ../looked/.ckpt) > ../looked.log 2>&1 || fail "status"
grep -qx "  gen.y" ../looked.log || fail "status of a copy does not name gen.y: $(cat ../looked.log)"
echo 'y2' > gen.y
"$CKPT" status > ../looked.log 2>&1 || fail "status: $(cat ../looked.log)"
head -1 ../looked.log | grep -qx "no input changed since the checkpoint" ||
	fail "status: $(cat ../looked.log)"
grep -q "^files the build only looked at" ../looked.log && grep -qx "  gen.y" ../looked.log ||
	fail "status does not name gen.y: $(cat ../looked.log)"
"$CKPT" status --json > ../looked.json || fail "status --json"
python3 - ../looked.json <<'PY' || fail "status --json: $(cat ../looked.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["looked_at"] == ["gen.y"], s["looked_at"]
assert s["changed"] == [] and s["affected"] == [], s
PY
cd "$TRASH"

# A file make looks at that names its tree (config.status, from a
# configure run in each tree, outside the record) is of another size in
# a tree at a path of another length, and the same once the paths are.
for t in cs cs.longer.path; do
	mkdir $t && echo hi > $t/in.txt &&
		printf 'all: out.txt\nout.txt: in.txt config.status\n\tcp in.txt out.txt\n' > $t/Makefile &&
		(cd $t && echo "ac_pwd='$PWD' # $PWD" > config.status)
done
(cd cs && "$CKPT" record -- make >/dev/null 2>&1) || fail "record cs"
(cd cs.longer.path && "$CKPT" status -d ../cs/.ckpt) > cs.log 2>&1 || fail "status: $(cat cs.log)"
expect_eq "status of a tree configured at a longer path" "nothing changed since the checkpoint" "$(cat cs.log)"
echo "# edited" >> cs.longer.path/config.status
(cd cs.longer.path && "$CKPT" status -d ../cs/.ckpt) > cs.log 2>&1 || fail "status: $(cat cs.log)"
grep -qx "  config.status" cs.log || fail "status does not name an edited config.status: $(cat cs.log)"
pass
