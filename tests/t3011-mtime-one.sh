#!/bin/sh
# Scenario 11: a fresh copy where every mtime is 1, as in the Nix store,
# the edited file included: make's timestamps alone could not tell.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { sed -i 's/return a + b;/return a * b;/' util.c; }
scenario basic edit mtime1
expect_jobs "cc -O2 -Ioverride -Iinclude -c -o util.o util.c" \
	"ar rcs libutil.a util.o extra.o" "cc -o prog main.o libutil.a"
expect_same
expect_eq "program output" "util 6 42" "$(./fresh/prog)"
cd "$TRASH" && rm -rf orig fresh oracle

# Dependency files that list system headers (gcc -MD, as automake's
# .deps): restored objects must be newer than /usr/include/stdio.h, not
# only than the tree's newest file (1 s), or make rebuilds them all.
P=$TRASH/md.src
mkdir -p "$P" && cat > "$P/Makefile" <<'MK'
prog: a.o b.o
	cc -o prog a.o b.o
%.o: %.c
	cc -MD -c -o $@ $<
-include $(wildcard *.d)
MK
printf '#include <stdio.h>\nint b(void);\nint main(void) { printf("%%d\\n", b()); return 0; }\n' > "$P/a.c"
echo 'int b(void) { return 1; }' > "$P/b.c"
edit() { sed -i 's/return 1/return 2/' b.c; }
scenario "$P" edit mtime1
grep -q '/usr/include/stdio.h' orig/a.d || fail "a.d lists no system header"
expect_jobs "cc -MD -c -o b.o b.c" "cc -o prog a.o b.o"
expect_same
expect_eq "program output, -MD" "2" "$(./fresh/prog)"
pass
