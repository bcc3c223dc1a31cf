#!/bin/sh
# An invalid dependency file that make includes is kept as recorded, at
# the epoch, not removed. automake up to 1.15 writes `include
# .deps/a.Po` (no `-`): config.status makes each one "# dummy", the
# compile rewrites it, and with it gone make stops ("No such file or
# directory"), in a fresh tree and in the recorded one alike. The epoch
# makes make remake one it has a rule for (`a.d: a.c`), before it
# reads it, as it would in the tree edited in place. And an invalid
# ./configure, which make does not run: status and restore name it.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT

# automake 1.15: configure makes the Makefile and the dummy .Po files.
rm -rf "$P" && mkdir -p "$P" || fail "mkdir"
cat > "$P/configure" <<'SH'
#!/bin/sh
sed 's/@CC@/gcc/' Makefile.in > Makefile
mkdir -p .deps
for f in a b; do echo '# dummy' > .deps/$f.Po; done
SH
chmod +x "$P/configure"
cat > "$P/Makefile.in" <<'MK'
CC = @CC@
DEPDIR = .deps
prog: a.o b.o
	$(CC) -o prog a.o b.o
.c.o:
	$(CC) -MT $@ -MD -MP -MF $(DEPDIR)/$*.Tpo -c -o $@ $<
	mv -f $(DEPDIR)/$*.Tpo $(DEPDIR)/$*.Po
include $(DEPDIR)/a.Po
include $(DEPDIR)/b.Po
MK
printf '#include "a.h"\nint main(void) { return A; }\n' > "$P/a.c"
echo '#define A 1' > "$P/a.h"
echo 'int b(void) { return 2; }' > "$P/b.c"
edit() { echo '#define A 2' > a.h; }
BUILD='./configure && make' scenario "$P" edit
grep -q "^ckpt: 1 invalid dependency file that make reads kept" restore.log ||
	fail "restore does not say it kept .deps/a.Po: $(cat restore.log)"
expect_status run_again
rm -rf fresh3 && cp -a "$P" fresh3 && echo '#define A 2' > fresh3/a.h
(cd fresh3 && "$CKPT" restore --dry-run -d ../orig/.ckpt) > dry.log 2>&1 || fail "dry run: $(cat dry.log)"
grep -qx "keep .deps/a.Po" dry.log || fail "--dry-run does not say it keeps .deps/a.Po: $(cat dry.log)"
grep -qx "invalid a.o" dry.log || fail "--dry-run does not say a.o is invalid: $(cat dry.log)"
expect_jobs "gcc -MT a.o -MD -MP -MF .deps/a.Tpo -c -o a.o a.c" \
	"mv -f .deps/a.Tpo .deps/a.Po" "gcc -o prog a.o b.o"
expect_same
# configure's own input changed: make does not run configure, so status
# and restore say to.
rm -rf fresh2 && cp -a "$P" fresh2 && echo 'LDFLAGS =' >> fresh2/Makefile.in
(cd fresh2 && "$CKPT" status --json -d ../orig/.ckpt) > status.json ||
	fail "status after a Makefile.in edit"
expect_status run_again "/bin/sh ./configure"
(cd fresh2 && "$CKPT" restore -d ../orig/.ckpt) > again.log 2>&1 || fail "restore: $(cat again.log)"
grep -q "^ckpt: invalid, and make does not run it: /bin/sh ./configure (run it again" again.log ||
	fail "restore does not say to run configure again: $(cat again.log)"
# With the variables and options the recorded command gave it (nginx's
# `CFLAGS='-O2 -Wall' ./configure`): the command is named whole.
grep -qx "ckpt: the recorded command, with the variables and options it ran it with: sh -c './configure && make'" again.log ||
	fail "restore does not name the recorded command: $(cat again.log)"
(cd fresh2 && "$CKPT" status -d ../orig/.ckpt) > again-status.log 2>&1
grep -q "^  (as the recorded command ran them: sh -c " again-status.log ||
	fail "status does not name the recorded command: $(cat again-status.log)"
(cd fresh2 && ./configure && make) > again-make.log 2>&1 || fail "configure && make: $(cat again-make.log)"
# The recorded tree, edited in place: the .Po stays, at the epoch.
(cd orig && echo '#define A 3' > a.h && "$CKPT" restore) > inplace.log 2>&1 ||
	fail "restore in the recorded tree: $(cat inplace.log)"
[ "$(stat -c %Y orig/.deps/a.Po)" = 0 ] || fail "a.Po not at the epoch"
(cd orig && make) > inplace-make.log 2>&1 ||
	fail "make in the recorded tree: $(cat inplace-make.log)"
grep -q "^gcc -MT a.o" inplace-make.log || fail "a.o not rebuilt in place"
[ "$(cd orig && ./prog; echo $?)" = 3 ] || fail "prog not rebuilt in place"

# A rule for the dependency file: the kept one is older than its source,
# so make remakes it before reading it, now naming the header a.c newly
# includes.
cd "$TRASH" && rm -rf orig fresh oracle "$P" && mkdir -p "$P" || fail "mkdir"
cat > "$P/Makefile" <<'MK'
prog: a.o
	gcc -o prog a.o
a.o: a.c
	gcc -c -o a.o a.c
a.d: a.c
	gcc -MM a.c > a.d
include a.d
MK
echo 'int main(void) { return 1; }' > "$P/a.c"
echo '#define C 4' > "$P/c.h"
edit() { printf '#include "c.h"\nint main(void) { return C; }\n' > a.c; }
BUILD=make scenario "$P" edit
expect_jobs "gcc -MM a.c > a.d" "gcc -c -o a.o a.c" "gcc -o prog a.o"
expect_same
grep -q "c.h" fresh/a.d || fail "a.d not remade: $(cat fresh/a.d)"
pass
