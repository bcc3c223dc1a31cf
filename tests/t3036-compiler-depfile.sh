#!/bin/sh
# A file a compiler wrote its make rules to is a dependency file, whatever
# its name: `cc -MM *.c > Makefile.dep` (redis), `-MF x.dep`. make
# includes it only to learn when to remake a target; that it read one an
# invalid job wrote does not make every job of the make invalid (every
# edit under redis's src/ rebuilt all of redis).
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
echo 'int f(void) { return 1; }' > "$P/a.c"
printf 'int f(void);\nint main(void) { return f(); }\n' > "$P/b.c"
cat > "$P/Makefile" <<'MK'
all: prog
Makefile.dep:
	cc -MM a.c b.c > Makefile.dep
-include Makefile.dep
prog: a.o b.o
	cc -o prog a.o b.o
%.o: %.c
	cc -c -o $@ $<
MK
edit() { echo '/* edited */' >> a.c; }
scenario "$P" edit
expect_status modified a.c
expect_jobs "cc -c -o a.o a.c" "cc -o prog a.o b.o"
expect_same

cd "$TRASH" && rm -rf orig fresh oracle
cat > "$P/Makefile" <<'MK'
prog: a.o b.o
	cc -o prog a.o b.o
%.o: %.c
	cc -c -MD -MF $*.dep -o $@ $<
-include a.dep b.dep
MK
scenario "$P" edit
expect_jobs "cc -c -MD -MF a.dep -o a.o a.c" "cc -o prog a.o b.o"
expect_same
pass
