#!/bin/sh
# A script a job runs and then writes anew (config.status --recheck, run
# by the recorded build after a patch to configure.ac) was taken for a
# file read and rewritten: a source "updated in place" with its new text,
# and every later copy of the tree as configured called it modified
# (diffutils: 334 outputs where make in place ran 2 compiles). Running a
# file is no use of its data: the script is the job's output, which
# restore puts back. A file the job reads as data and rewrites stays a
# source (kbuild's .config).
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
P=$TRASH/proj.src
mkdir -p "$P"
cat > "$P/conf.sh" <<'SH'
printf 'echo rechecked\n# in %s\n' "$PWD" > tmp.sh
cat tmp.sh > conf.sh
rm tmp.sh
cat in.txt > out
SH
printf 'all: out2\nout2: out\n\tcp out out2\nout: in.txt\n\tsh ./conf.sh\n' > "$P/Makefile"
echo 1 > "$P/in.txt"

mkdir same && cd same
edit() { :; }
scenario "$P" edit
expect_status modified
expect_status affected
expect_jobs
expect_eq "conf.sh names" "# in $TRASH/same/fresh" "$(sed -n 2p fresh/conf.sh)"
cd "$TRASH"

# Read as data, then rewritten: a source, and an edit of it counts.
mkdir data && cd data
cp -a "$P" src && cat > src/conf.sh <<'SH'
sed 's/^#.*//' conf.sh > tmp.sh
cat tmp.sh > conf.sh
rm tmp.sh
cat in.txt > out
SH
cp -a src orig && (cd orig && "$CKPT" record -- make) > rec.log 2>&1 ||
	fail "record: $(cat rec.log)"
cp -a src fresh && echo '# edited' >> fresh/conf.sh
(cd fresh && "$CKPT" status --json -d ../orig/.ckpt) > st.json 2>&1 || fail "status: $(cat st.json)"
python3 - st.json <<'PY' || fail "a file read as data and rewritten: $(cat st.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["modified"] == ["conf.sh"], s
PY
cd "$TRASH"
pass
