#!/bin/sh
# A file made in each tree before the build, by a configuration step that
# is not recorded, may name the tree (busybox's `make O=out defconfig`
# writes the tree's path into the .cmd files of the host tools it builds;
# make reads them). In a tree at another path it names that tree: no
# change, as restore relocates outputs that name the tree. It was taken
# for an edit of a file make reads, and after a chained record every job
# was invalid. Any other difference still counts.
. "$(dirname "$0")/lib.sh"
mkdir src && echo in > src/in.txt &&
printf 'include gen.mk\nout.txt: in.txt\n\tcp in.txt out.txt\n' > src/Makefile || fail "project"
configure() { echo "# generated in $PWD" > gen.mk; }
cp -a src orig && (cd orig && configure && "$CKPT" record -- make) > record.log 2>&1 ||
	fail "record: $(cat record.log)"
cp -a src fresh && (cd fresh && configure && "$CKPT" status -d ../orig/.ckpt) > status.log 2>&1 ||
	fail "status: $(cat status.log)"
grep -q 'nothing changed' status.log || fail "gen.mk naming this tree is a change: $(cat status.log)"
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > restore.log 2>&1 || fail "$(cat restore.log)"
(cd fresh && make -q) || fail "make has work after the restore: $(cat restore.log)"

# The same at a path as long as the recorded one (orig, twin).
cp -a src twin && (cd twin && configure && "$CKPT" status -d ../orig/.ckpt) > status1.log 2>&1 ||
	fail "status: $(cat status1.log)"
grep -q 'nothing changed' status1.log || fail "gen.mk naming twin/ is a change: $(cat status1.log)"

# Naming this tree and saying something else: a change.
cp -a src fresh2 && (cd fresh2 && configure && echo "# more" >> gen.mk &&
	"$CKPT" status -d ../orig/.ckpt) > status2.log 2>&1 || fail "status: $(cat status2.log)"
grep -q 'gen.mk' status2.log || fail "an edited gen.mk is no change: $(cat status2.log)"
# Naming the recorded tree, in this one: a change too.
cp -a src fresh3 && (cd fresh3 && echo "# generated in $TRASH/orig-not" > gen.mk &&
	"$CKPT" status -d ../orig/.ckpt) > status3.log 2>&1 || fail "status: $(cat status3.log)"
grep -q 'gen.mk' status3.log || fail "gen.mk naming another tree is no change: $(cat status3.log)"
pass
