#!/bin/sh
# Restore fills directories missing from the tree under a staging name
# (cmd_restore.c: stage_dirs). A directory made by an invalid job is not
# made (gen/, which the rebuilt recipe makes with a plain mkdir, nor
# obj/deep/ inside a restored obj/); a failed check (a damaged "d" line,
# read after the file table; a damaged object) leaves the tree as it was,
# with no staging directory. A staging directory that a killed restore
# left in a listed directory changes no listing, and the next restore
# beside it says it can be deleted.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir src
cat > src/Makefile <<'MK'
SRCS := $(wildcard *.c)
all: obj/a.o obj/b.o gen/x.txt obj/deep/d.txt
obj/%.o: %.c
	mkdir -p obj
	cp $< $@
gen/x.txt: x.src
	mkdir gen && cat x.src > $@
obj/deep/d.txt: x.src | obj/a.o
	mkdir obj/deep && cat x.src x.src > $@
MK
echo 'int a;' > src/a.c
echo 'int b;' > src/b.c
echo x1 > src/x.src
cp -a src orig
(cd orig && "$CKPT" record -- make >/dev/null 2>&1) || fail "record"

dirs() { (cd "$1" && find . -path ./.ckpt -prune -o -type d -print | sort); }

# An edit of x.src: gen/x.txt and obj/deep/d.txt are rebuilt; gen/ and
# obj/deep/ must not be there before make (its `mkdir gen` would fail).
for edit in x.src a.c; do
	rm -rf fresh oracle && cp -a src fresh
	echo changed >> "fresh/$edit"
	cp -a fresh oracle && (cd oracle && make >/dev/null 2>&1) || fail "oracle"
	(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > r.log 2>&1 ||
		fail "restore after an edit of $edit: $(cat r.log)"
	dirs fresh > after.dirs
	case $edit in
	x.src)
		! grep -q '^\./gen$' after.dirs || fail "gen/ was left for a rebuilt job"
		! grep -q '^\./obj/deep$' after.dirs || fail "obj/deep/ was left for a rebuilt job"
		[ -f fresh/obj/a.o ] && [ -f fresh/obj/b.o ] || fail "obj/*.o not restored"
		;;
	a.c)
		[ ! -e fresh/obj/a.o ] || fail "obj/a.o restored though a.c changed"
		[ -f fresh/obj/b.o ] && [ -f fresh/gen/x.txt ] || fail "valid outputs not restored"
		;;
	esac
	! grep -q ckpt-restore after.dirs || fail "a staging directory is left: $(cat after.dirs)"
	(cd fresh && make) > m.log 2>&1 || fail "make after an edit of $edit: $(cat m.log)"
	snapshot fresh | cut -d' ' -f1-3 > f.snap
	snapshot oracle | cut -d' ' -f1-3 > o.snap
	cmp -s f.snap o.snap || fail "after an edit of $edit: $(diff o.snap f.snap)"
	dirs fresh > f.dirs; dirs oracle > o.dirs
	cmp -s f.dirs o.dirs || fail "directories after $edit: $(diff o.dirs f.dirs)"
done

# Failed checks: the tree as it was, no staging directory.
cc -o reseal "$TOP/tests/reseal.c" -lxxhash || fail "cannot build the resealing helper"
manifest_text orig/.ckpt/manifest > orig.text
head -n -1 orig.text | ./reseal | cmp -s - orig.text ||
	fail "the helper does not reproduce the manifest's end line"
must_fail() { # must_fail WHAT MESSAGE: restore from bad/ fails, changes nothing
	rm -rf fresh && cp -a src fresh && echo changed >> fresh/a.c
	snapshot fresh > before.snap; dirs fresh > before.dirs
	(cd fresh && "$CKPT" restore -d ../bad) > r.log 2>&1 &&
		fail "restore with $1 succeeded"
	grep -q "$2" r.log || fail "$1: the message lacks '$2': $(cat r.log)"
	snapshot fresh > after.snap; dirs fresh > after.dirs
	cmp -s before.snap after.snap || fail "$1: files changed: $(diff before.snap after.snap)"
	cmp -s before.dirs after.dirs || fail "$1: directories changed: $(diff before.dirs after.dirs)"
}
# A dependency on a file that does not exist, in the last job's "d" line:
# read after the file table, while the outputs are being made.
rm -rf bad && cp -a orig/.ckpt bad
head -n -1 orig.text | awk '/^d / { last = NR } { l[NR] = $0 }
	END { for (i = 1; i <= NR; i++) print (i == last ? l[i] " 999999r" : l[i]) }' |
	./reseal > bad/manifest
cmp -s orig.text bad/manifest && fail "the manifest was not edited"
must_fail "a damaged d line" "unknown file"
# The object of obj/b.o (valid after the edit) cut short.
rm -rf bad && cp -a orig/.ckpt bad
h=$(grep '^f O .* obj/b.o$' orig.text | cut -d' ' -f3)
set -- $(sh "$TOP/tests/object-cat.sh" bad "$h" --where) || fail "no object for obj/b.o"
chmod u+w "$1" && truncate -s "$2" "$1"
must_fail "a damaged object" "missing or damaged"

# A staging directory in the root (which make lists for $(wildcard *.c))
# is not a change: nothing is invalid in an unchanged copy.
rm -rf fresh && cp -a src fresh && mkdir fresh/.ckpt-restore.1.0
(cd fresh && "$CKPT" status -d ../orig/.ckpt) > s.log 2>&1 || fail "status: $(cat s.log)"
grep -q "listing" s.log && fail "a staging directory changed a listing: $(cat s.log)"
mkdir fresh/.ckpt-restore.999999999.0 "fresh/.ckpt-restore.$$.0"
(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > r.log 2>&1 || fail "restore: $(cat r.log)"
grep -q "invalidated 0 " r.log || fail "a staging directory invalidated jobs: $(cat r.log)"
# Those of a process that is gone are reported, not those of one that
# runs (this shell), nor touched.
grep -q "ckpt-restore.1.0: left by a restore" r.log &&
	fail "a running process's staging directory was reported: $(cat r.log)"
grep -q "ckpt-restore.$$.0: left by a restore" r.log &&
	fail "a running process's staging directory was reported: $(cat r.log)"
grep -q "ckpt-restore.999999999.0: left by a restore that was stopped" r.log ||
	fail "a leftover staging directory was not reported: $(cat r.log)"
for d in 1 999999999 $$; do
	[ -d "fresh/.ckpt-restore.$d.0" ] || fail "restore removed .ckpt-restore.$d.0"
done
pass
