#!/bin/sh
# A build that writes its tree's absolute path into outputs (kbuild's
# if_changed .cmd files, as in tools/objtool), restored into a tree at
# another path: the text outputs name the new tree, so make reruns only
# what the edit affects; a binary output that names the tree is restored
# byte for byte as recorded.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
cp -a "$TOP/examples/abspath" rec
(cd rec && "$CKPT" record -- make) > rec.log 2>&1 || fail "record: $(cat rec.log)"

# Unchanged, in a tree elsewhere: nothing to rebuild.
cp -a "$TOP/examples/abspath" same
(cd same && "$CKPT" restore -d ../rec/.ckpt && make) > same.log 2>&1 ||
	fail "restore + make: $(cat same.log)"
grep -v '^ckpt:\|^make' same.log > same.ran || true
[ -s same.ran ] && fail "an unchanged tree elsewhere rebuilt: $(cat same.ran)"
expect_eq "saved command" "cc -O2 -c -o $TRASH/same/main.o $TRASH/same/main.c" \
	"$(cat same/.main.o.cmd)"
cmp -s rec/where.bin same/where.bin || fail "the binary output was rewritten"
grep -q "$TRASH/same" same/where.bin && fail "the binary output names the new tree"
expect_eq "program" "abspath 21" "$(./same/prog)"
# A second restore finds the rewritten text valid.
(cd same && "$CKPT" restore -d ../rec/.ckpt) > again.log 2>&1 || fail "restore again"
grep -q "restored 0, already valid" again.log || fail "second restore: $(cat again.log)"

# An edit: its compile and the link, nothing else; the result is what a
# clean build of the edited tree gives.
edit() { sed -i 's/x + 1/x + 2/' util.c; }
scenario abspath edit
expect_jobs "cc -O2 -c -o $TRASH/fresh/util.o $TRASH/fresh/util.c" \
	"cc -o prog main.o util.o" \
	"printf 'recorded in %s\\000' '$TRASH/fresh' > where.bin"
for f in main.o util.o prog; do
	cmp -s fresh/$f oracle/$f || fail "$f differs from a clean build"
done
expect_eq "saved command" "cc -O2 -c -o $TRASH/fresh/main.o $TRASH/fresh/main.c" \
	"$(cat fresh/.main.o.cmd)"
expect_eq "program" "abspath 22" "$(./fresh/prog)"

# A copy of the recorded tree (cp -a) holds the outputs as recorded,
# naming the recorded tree: restore rewrites them to name the copy, and
# says nothing of outputs it replaced (they are the recorded build's).
cp -a rec copy
(cd copy && "$CKPT" restore -d ../rec/.ckpt) > copy.log 2>&1 || fail "restore: $(cat copy.log)"
grep -q "replaced" copy.log && fail "the recorded files were taken for other content: $(cat copy.log)"
expect_eq "saved command in the copy" "cc -O2 -c -o $TRASH/copy/main.o $TRASH/copy/main.c" \
	"$(cat copy/.main.o.cmd)"

# An invalid output of such a copy, naming the recorded tree, is the one
# the recorded build wrote: removed, as in the recorded tree, not left
# as "not the file the recorded build wrote" with its job's others.
mkdir cfg && cd cfg
printf 'echo "ac_pwd=$PWD" > config.status\ncat Makefile.in > Makefile\n' > configure
printf 'all: out\nout: in\n\tcp in out\n' > Makefile.in && echo x > in
"$CKPT" record -- sh -c 'sh ./configure && make' > ../cfg.log 2>&1 || fail "record: $(cat ../cfg.log)"
cd "$TRASH" && cp -a cfg cfg.copy && echo '# edit' >> cfg.copy/Makefile.in
(cd cfg.copy && "$CKPT" restore -d ../cfg/.ckpt) > cfg.log 2>&1 || fail "restore: $(cat cfg.log)"
grep -q "left in place" cfg.log && fail "the recorded build's config.status was left: $(cat cfg.log)"
[ -e cfg.copy/config.status ] && fail "config.status of the copy not removed: $(cat cfg.log)"

# A program linked with a RUNPATH in the tree (CMake's build tree) would
# load the recorded tree's library: in another tree it is linked again,
# and names this one. In the recorded tree it stays valid.
mkdir -p rp/lib && cd rp
echo 'int f(void) { return 3; }' > lib/f.c
echo 'int f(void); int main(void) { return f(); }' > main.c
cat > Makefile <<'MK'
prog: main.c lib/libf.so
	cc -o prog main.c -Llib -lf -Wl,-rpath,$(CURDIR)/lib
lib/libf.so: lib/f.c
	cc -shared -fPIC -o lib/libf.so lib/f.c
MK
cd "$TRASH" && cp -a rp rp.src
(cd rp && "$CKPT" record -- make) > rp.log 2>&1 || fail "record: $(cat rp.log)"
(cd rp && "$CKPT" status) > rp.log 2>&1 || fail "status: $(cat rp.log)"
expect_eq "status in the recorded tree" "nothing changed since the checkpoint" "$(cat rp.log)"
cp -a rp.src rp.fresh
(cd rp.fresh && "$CKPT" restore -d ../rp/.ckpt && make) > rp.log 2>&1 || fail "restore: $(cat rp.log)"
grep -q "^cc -o prog" rp.log || fail "prog not linked again: $(cat rp.log)"
readelf -d rp.fresh/prog | grep -q "RUNPATH.*$TRASH/rp.fresh/lib" ||
	fail "prog's RUNPATH: $(readelf -d rp.fresh/prog | grep -i path)"
(cd rp.fresh && "$CKPT" explain -d ../rp/.ckpt prog) > rp.log 2>&1
grep -q "prog loads its libraries from the recorded tree" rp.log || fail "explain prog: $(cat rp.log)"
pass
