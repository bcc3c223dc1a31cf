#!/bin/sh
# Real tools under the shim: make -j4, dash, bash, cp -r, mv, install,
# rm -r, python3 subprocess, perl; and gcc -c, whose traced header reads
# are exactly gcc -MM's, with the probes of -I directories recorded as
# failed look-ups.
. "$(dirname "$0")/lib.sh"
export T="$TRASH/t"
mkdir -p t/src t/inc1 t/inc2 && cd t
echo 'int a;' > src/a.c && echo 'b' > src/b.txt
cat > Makefile <<'MK'
all: out1 out2 out3 out4
out%:
	cp src/b.txt $@
MK
traced "$TRASH/tr" make -s -j4 || fail "make -j4"
traced "$TRASH/tr" dash -c 'cat src/b.txt > dash.out' || fail "dash"
traced "$TRASH/tr" bash -c 'cat < src/a.c > bash.out' || fail "bash"
traced "$TRASH/tr" cp -r src copy || fail "cp -r"
traced "$TRASH/tr" mv copy moved || fail "mv"
traced "$TRASH/tr" install -m 644 src/b.txt installed.txt || fail "install"
traced "$TRASH/tr" rm -r moved || fail "rm -r"
traced "$TRASH/tr" python3 -c 'import subprocess; subprocess.run(["cat", "src/a.c"], check=True, stdout=subprocess.DEVNULL)' || fail "python3"
# Python's subprocess starts its child with vfork; given an environment of
# 200 variables, without ours, the child is traced all the same.
traced "$TRASH/tr" python3 -c 'import subprocess
env = {"V%d" % i: "x" for i in range(200)}
env["PATH"] = "/usr/bin:/bin"
subprocess.run(["/bin/sh", "-c", "echo hi > py-env.out"], env=env, check=True)' ||
	fail "python3, 200 variables"
# ... and with cwd=, a chdir in the vfork child, which shares the parent's
# memory: the parent's own paths stay its own.
echo top > top.txt
traced "$TRASH/tr" python3 -c 'import subprocess
subprocess.run(["true"], cwd="src", check=True)
open("top.txt").read()' || fail "python3, cwd="
traced "$TRASH/tr" perl -e 'open(F, "<", "src/b.txt") or die; system("cat src/a.c > perl.out") == 0 or die' || fail "perl"
"$CKPT" dump --json -d "$TRASH/tr" > ../ev.json || fail "dump"
python3 "$TOP/tests/shim/expect.py" ../ev.json - <<'X' || fail "tools: records are not as expected"
write $T/out1 ok
write $T/out4 ok
read $T/src/b.txt ok
write $T/dash.out ok
write $T/bash.out ok
read $T/src/a.c ok
readdir $T/src ok
write $T/copy/a.c ok
rename $T/copy ok to=$T/moved
write $T/installed.txt *
unlink $T/moved/a.c ok
rmdir $T/moved ok
exec */cat ok
write $T/perl.out ok
write $T/py-env.out ok
read $T/top.txt ok
X
grep -q "\"$T/src/top.txt\"" ../ev.json && fail "the parent's read is under its vfork child's directory"
# Every make child is traced: 4 cp processes.
[ "$(grep -c '"op":"start","path":"[^"]*/cp"' ../ev.json)" -ge 5 ] || fail "not every cp was traced"

# gcc: reads match gcc -MM; the probes of earlier -I directories are there.
cd "$TRASH" && mkdir g && cd g
mkdir inc1 inc2 sub
printf '#include "one.h"\n#include "two.h"\n#include <stdio.h>\nint main(void){return ONE+TWO;}\n' > m.c
echo '#include "three.h"
#define ONE 1' > inc2/one.h
echo '#define TWO 2' > inc2/two.h
echo '#define THREE 3' > sub/three.h
traced "$TRASH/trg" gcc -Iinc1 -Iinc2 -Isub -c m.c -o m.o || fail "gcc"
"$CKPT" dump --json -d "$TRASH/trg" > ../evg.json || fail "dump"
gcc -MM -Iinc1 -Iinc2 -Isub m.c | tr -d '\\\n' | tr ' ' '\n' | grep -v ':$' | grep . | sort > mm.txt
python3 - "$PWD" ../evg.json <<'PY' > traced.txt || fail "parse"
import json, os, sys
root = sys.argv[1]
seen = set()
for l in open(sys.argv[2]):
    e = json.loads(l)
    if e["op"] == "read" and e["ok"] and e["path"].startswith(root + "/"):
        p = os.path.normpath(e["path"])[len(root) + 1:]
        if not p.endswith(".o"):
            seen.add(p)
print("\n".join(sorted(seen)))
PY
cmp -s mm.txt traced.txt || fail "traced reads differ from gcc -MM: $(diff mm.txt traced.txt)"
export T="$TRASH/g"
python3 "$TOP/tests/shim/expect.py" ../evg.json - <<'X' || fail "gcc probes"
read $T/inc1/one.h ENOENT
read $T/inc1/two.h ENOENT
read $T/inc1/three.h ENOENT
read $T/inc2/three.h ENOENT
write $T/m.o ok
X
pass
