#!/bin/sh
# make includes the dependency files its compiles write; reading one only
# tells make when to rebuild that object, so it must not make every job
# of that make invalid. gcc's `.d` beside the object, and automake's
# `.deps/*.Po` written as `.Tpo` and renamed.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
rm -rf "$P" && mkdir -p "$P/.deps" || fail "mkdir"
cat > "$P/Makefile" <<'MK'
DEPDIR = .deps
prog: a.o b.o
	gcc -o prog a.o b.o
%.o: %.c
	gcc -MT $@ -MD -MP -MF $(DEPDIR)/$*.Tpo -c -o $@ $<
	mv -f $(DEPDIR)/$*.Tpo $(DEPDIR)/$*.Po
-include $(DEPDIR)/a.Po $(DEPDIR)/b.Po
MK
printf '#include "a.h"\nint main(void) { return A; }\n' > "$P/a.c"
echo '#define A 1' > "$P/a.h"
echo 'int b(void) { return 2; }' > "$P/b.c"
edit() { echo '#define A 2' > a.h; }
scenario "$P" edit
expect_jobs "gcc -MT a.o -MD -MP -MF .deps/a.Tpo -c -o a.o a.c" \
	"mv -f .deps/a.Tpo .deps/a.Po" "gcc -o prog a.o b.o"
expect_same
cd "$TRASH"

# CMake's configure writes each compiler_depend.make empty, make includes
# it, and a recipe of the build reads it and fills it. Configured outside
# the record, it was kept a source with what the build left: a tree
# configured afresh called it modified, and all its make ran invalid.
mkdir cm.a && cat > cm.a/configure <<'SH'
mkdir -p CMakeFiles/x.dir
echo '# Empty compiler generated dependencies file' > CMakeFiles/x.dir/compiler_depend.make
SH
cat > cm.a/Makefile <<'MK'
all: x.o deps
include CMakeFiles/x.dir/compiler_depend.make
x.o: x.c
	gcc -c -o x.o x.c
deps: x.o
	cat CMakeFiles/x.dir/compiler_depend.make > /dev/null && echo "x.o: x.c" > CMakeFiles/x.dir/compiler_depend.make
.PHONY: deps
MK
echo 'int x;' > cm.a/x.c
cp -a cm.a cm.b
(cd cm.a && sh ./configure && "$CKPT" record -- make) > cm.log 2>&1 || fail "record: $(cat cm.log)"
(cd cm.b && sh ./configure && "$CKPT" status --json -d ../cm.a/.ckpt) > cm.json || fail "status"
python3 - cm.json <<'PY' || fail "compiler_depend.make taken for a source: $(cat cm.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["modified"] == [] and s["affected"] == [], s
PY
(cd cm.b && "$CKPT" restore -d ../cm.a/.ckpt && make) > cm.log 2>&1 || fail "restore: $(cat cm.log)"
grep -q "gcc -c" cm.log && fail "x.o rebuilt: $(cat cm.log)"
pass
