#!/bin/sh
# Restore never writes, moves or deletes outside the root: not through a
# symlinked directory (neither to restore nor to remove an invalid output),
# not through an output that is itself a symlink out of the tree, not for a
# hand-crafted manifest (correct checksum) naming "..", a path through ".."
# or an absolute path as an output.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir orig
cat > orig/Makefile <<'MK'
all: obj/a.o obj/b.o other.txt deep/er/d.txt
obj/%.o: %.c
	mkdir -p obj
	cc -c -o $@ $<
other.txt:
	echo other > other.txt
deep/er/d.txt: b.c
	mkdir -p deep/er
	cat b.c > $@
MK
echo 'int a;' > orig/a.c
echo 'int b;' > orig/b.c
(cd orig && "$CKPT" record -- make >/dev/null 2>&1) || fail "record"

fresh() { # a fresh copy of the sources, and a pristine outside/
	rm -rf fresh outside && mkdir -p fresh outside/er
	cp orig/Makefile orig/a.c orig/b.c fresh/
	echo precious > outside/a.o
	echo precious > outside/b.o
	echo precious > outside/target
	echo precious > outside/er/d.txt
	snapshot outside > outside.before
}
outside_unchanged() {
	snapshot outside > outside.after
	cmp -s outside.before outside.after ||
		fail "$1: outside the tree changed: $(diff outside.before outside.after)"
}

# 1. a.c edited: obj/a.o is invalid and would be removed, obj/b.o restored;
# obj is a symlink out of the tree: both refused, nothing deleted there.
fresh
echo 'int a = 2;' > fresh/a.c
ln -s "$TRASH/outside" fresh/obj
snapshot fresh > fresh.before
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > out.log 2>&1 &&
	fail "restore through obj -> outside succeeded"
# One line for the link, not one an output: it names the link and where
# it points.
grep -q "refusing 2 outputs under obj: it is a symbolic link (to $TRASH/outside)" out.log ||
	fail "no refusal for obj/a.o and obj/b.o: $(cat out.log)"
expect_eq "refusal lines" 2 "$(wc -l < out.log)"	# and "nothing was changed"
outside_unchanged "removal through a symlinked directory"
snapshot fresh > fresh.after
cmp -s fresh.before fresh.after || fail "the tree changed although restore was refused"
# The dry run refuses too, and says so.
(cd fresh && "$CKPT" restore --dry-run -d ../orig/.ckpt) > dry.log 2>&1 &&
	fail "dry run through obj -> outside succeeded"
grep -q "refusing 2 outputs under obj: " dry.log || fail "dry run: $(cat dry.log)"

# 2. A symlink deeper down (deep/er -> outside/er), and a file where a
# directory should be (deep is a file).
fresh
mkdir fresh/deep && ln -s "$TRASH/outside/er" fresh/deep/er
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > out.log 2>&1 &&
	fail "restore through deep/er -> outside succeeded"
grep -q "refusing 1 output under deep/er: it is a symbolic link" out.log || fail "deep: $(cat out.log)"
outside_unchanged "a symlink in the middle"
fresh
echo 'not a dir' > fresh/deep
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > out.log 2>&1 &&
	fail "restore through a file on the way succeeded"
grep -q "refusing deep/er/d.txt" out.log || fail "file on the way: $(cat out.log)"
expect_eq "file in the way" "not a dir" "$(cat fresh/deep)"

# 3. An output that is itself a symlink out of the tree: replaced by the
# restored file, the target is not written.
fresh
ln -s "$TRASH/outside/target" fresh/other.txt
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > out.log 2>&1 || fail "restore: $(cat out.log)"
outside_unchanged "an output that is a symlink"
[ -L fresh/other.txt ] && fail "other.txt is still a symlink"
expect_eq "restored other.txt" "other" "$(cat fresh/other.txt)"
# And an invalid output that is a symlink: the link goes, not its target.
fresh
echo 'int a = 3;' > fresh/a.c
mkdir fresh/obj && ln -s "$TRASH/outside/a.o" fresh/obj/a.o
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > out.log 2>&1 || fail "restore: $(cat out.log)"
outside_unchanged "an invalid output that is a symlink"
[ -e fresh/obj/a.o ] || [ -L fresh/obj/a.o ] && fail "invalid obj/a.o not removed"

# 4. Hand-crafted manifests with a correct checksum.
cc -o reseal "$TOP/tests/reseal.c" -lxxhash || skip "cannot build the resealing helper"
manifest_text orig/.ckpt/manifest > orig.text
head -n -1 orig.text | ./reseal | cmp -s - orig.text ||
	fail "the helper does not reproduce the manifest's end line"
craft() { # craft SED: a copy of the checkpoint in crafted/, its manifest edited
	rm -rf crafted && cp -a orig/.ckpt crafted
	head -n -1 orig.text | sed "$1" | ./reseal > crafted/manifest
	cmp -s orig.text crafted/manifest && fail "the edit '$1' did nothing"
}
rename_out() { # the sed script that renames output $1 to $2
	printf 's#^\\(f O [^ ]* [^ ]* [^ ]* [^ ]* [^ ]* [^ ]*\\) %s$#\\1 %s#\n' "$1" "$2"
}
for evil in ../escape.o obj/../../escape.o obj/../escape.o; do
	fresh
	craft "$(rename_out other.txt "$evil")"
	snapshot fresh > fresh.before
	(cd fresh && "$CKPT" restore -d ../crafted) > out.log 2>&1 &&
		fail "restore accepted an output named $evil"
	grep -q "line [0-9]*: a path that escapes the root" out.log ||
		fail "$evil: $(cat out.log)"
	[ -e escape.o ] || [ -e fresh/escape.o ] && fail "$evil was written"
	snapshot fresh > fresh.after
	cmp -s fresh.before fresh.after || fail "$evil: the tree changed"
done
# An absolute path as an output: never written (outputs are relative).
fresh
craft "$(rename_out other.txt "$TRASH/outside/abs.txt")"
(cd fresh && "$CKPT" restore -d ../crafted) > out.log 2>&1
[ -e outside/abs.txt ] && fail "restore wrote an absolute output path"
outside_unchanged "an absolute output path"
# The sanity check of the helper: a harmless crafted rename is honoured.
fresh
craft "$(rename_out other.txt renamed.txt)"
(cd fresh && "$CKPT" restore -d ../crafted) > out.log 2>&1 || fail "crafted rename: $(cat out.log)"
expect_eq "renamed output" "other" "$(cat fresh/renamed.txt)"

# A build that wrote its outputs through a link of the tree (build ->
# build-x86) is told so when it is saved, not first at a restore.
mkdir -p linked/build-x86 && ln -s build-x86 linked/build
printf 'build/x.txt: x.in\n\tcp x.in build/x.txt\n' > linked/Makefile
echo x > linked/x.in
(cd linked && "$CKPT" record -- make) > linked.log 2>&1 || fail "record linked: $(cat linked.log)"
grep -q "warning: 1 output was written through the symbolic link build (to build-x86): restore refuses" linked.log ||
	fail "the save did not warn of the link: $(cat linked.log)"
(cd linked && "$CKPT" restore) > out.log 2>&1 && fail "restore through build -> build-x86 succeeded"
grep -q "refusing 1 output under build: it is a symbolic link (to build-x86)" out.log ||
	fail "refusal: $(cat out.log)"
pass
