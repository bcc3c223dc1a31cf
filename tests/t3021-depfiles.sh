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
pass
