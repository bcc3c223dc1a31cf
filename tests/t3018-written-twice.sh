#!/bin/sh
# A change reaches what depends on it through every file a job wrote, not
# only through the file's last writer: an output rewritten in place by a
# later recipe line (`strip`, `sed -i`), a temporary renamed over the
# output, and make's intermediate files, gone by the end of the build.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir -p "$TOP/tests/trash/$TEST_NAME.src" && P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT
command -v strip > /dev/null || skip "no strip"
cat > "$P/Makefile" <<'MK'
all: prog out.txt conf.txt gen.o
prog: main.c
	gcc -o prog main.c
	strip prog
out.txt: in.txt
	tr a-z A-Z < in.txt > out.txt.tmp
	mv out.txt.tmp out.txt
conf.txt: conf.in
	cp conf.in conf.txt
	sed -i 's/@V@/1/' conf.txt
%.c: %.tmpl
	sed 's/@N@/7/' $< > $@
%.o: %.c
	gcc -c -o $@ $<
MK
echo 'int main(void) { return 1; }' > "$P/main.c"
echo abc > "$P/in.txt"
echo 'v=@V@' > "$P/conf.in"
echo 'int gen(void) { return @N@; }' > "$P/gen.tmpl"

edit() { echo 'int main(void) { return 2; }' > main.c; }
scenario "$P" edit
expect_jobs "gcc -o prog main.c" "strip prog"
expect_same
cd "$TRASH" && rm -rf orig fresh oracle
edit() { echo xyz > in.txt; }
scenario "$P" edit
expect_jobs "tr a-z A-Z < in.txt > out.txt.tmp" "mv out.txt.tmp out.txt"
expect_same
cd "$TRASH" && rm -rf orig fresh oracle
edit() { echo 'w=@V@' > conf.in; }
scenario "$P" edit
expect_jobs "cp conf.in conf.txt" "sed -i 's/@V@/1/' conf.txt"
expect_same
cd "$TRASH" && rm -rf orig fresh oracle
# gen.c is make's intermediate: made from gen.tmpl, deleted at the end.
edit() { echo 'int gen(void) { return @N@ + 1; }' > gen.tmpl; }
scenario "$P" edit
expect_jobs "gcc -c -o gen.o gen.c" "rm gen.c" "sed 's/@N@/7/' gen.tmpl > gen.c"
expect_same
pass
