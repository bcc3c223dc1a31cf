#!/bin/sh
# Chaining: an incremental build recorded on top of a restored tree keeps
# the jobs that did not re-run, whether into a new directory (--from OLD
# -d NEW) or in place (the same -d); a later restore of the updated
# checkpoint into a third fresh copy gives a tree where make does nothing,
# equal to a clean build; only the jobs that re-ran were replaced. The
# project creates its output directories in the recipes (mkdir -p $(@D)),
# the usual way.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir src
cat > src/Makefile <<'MK'
all: bin/prog
obj/%.o: %.c
	mkdir -p $(@D)
	cc -c -o $@ $<
bin/prog: obj/a.o obj/b.o
	mkdir -p $(@D)
	cc -o $@ obj/a.o obj/b.o
MK
echo 'int b(void); int main(void) { return b(); }' > src/a.c
echo 'int b(void) { return 0; }' > src/b.c
cp -a src orig
(cd orig && "$CKPT" record -d "$TRASH/ck1" -- make >/dev/null 2>&1) || fail "record"

edit1() { echo 'int b(void) { return 1; }' > b.c; }
edit2() { echo 'int b(void); int main(void) { return !b(); }' > a.c; }
oracle() { # oracle NAME EDITS...: a clean build of src with the edits
	_n=$1; shift
	rm -rf "$_n" && cp -a src "$_n"
	for _e in "$@"; do (cd "$_n" && $_e); done
	(cd "$_n" && make >/dev/null 2>&1) || fail "oracle $_n"
}
# same_as DIR ORACLE: same files, same bytes (mtimes aside).
same_as() {
	snapshot "$1" | cut -d' ' -f1-3 > a.snap
	snapshot "$2" | cut -d' ' -f1-3 > b.snap
	cmp -s a.snap b.snap || fail "$1 differs from $2: $(diff b.snap a.snap)"
}
# restore_builds_nothing DIR CKPT: restore, then make has nothing to do.
restore_builds_nothing() {
	(cd "$1" && "$CKPT" restore -d "$2") > r.log 2>&1 || fail "restore $1 from $2: $(cat r.log)"
	(cd "$1" && "$CKPT" status -d "$2") > s.log 2>&1
	(cd "$1" && make) > m.log 2>&1 || fail "make in $1"
	grep -q "Nothing to be done" m.log ||
		fail "$1 restored from $2 rebuilt:
$(cat m.log)
status before make:
$(cat s.log)"
}

# Chain into a new directory: restore ck1 into an edited copy, make
# (b.o and prog re-run), record --from ck1 -d ck2.
cp -a src second && (cd second && edit1)
(cd second && "$CKPT" restore -d "$TRASH/ck1") > r.log 2>&1 || fail "restore: $(cat r.log)"
cp ck1/manifest ck1.manifest
(cd second && "$CKPT" record --from "$TRASH/ck1" -d "$TRASH/ck2" -- make) > rec.log 2>&1 ||
	fail "record --from: $(cat rec.log)"
expect_eq "jobs of the incremental build" "mkdir -p obj
cc -c -o obj/b.o b.c
mkdir -p bin
cc -o bin/prog obj/a.o obj/b.o" "$(grep -v '^ckpt:\|^make' rec.log)"
grep -q "jobs kept from the previous checkpoint" rec.log || fail "nothing kept: $(cat rec.log)"
cmp -s ck1/manifest ck1.manifest || fail "record --from changed the old checkpoint"
oracle oracle1 edit1
cp -a src third && (cd third && edit1)
restore_builds_nothing third "$TRASH/ck2"
same_as third oracle1
# The kept job (a.o) is the one of the first build, byte for byte.
cmp -s third/obj/a.o orig/obj/a.o || fail "obj/a.o is not the recorded one"

# In place: a second edit in `third`, restore and record with the same -d.
cp ck2/manifest ck2.before
(cd third && edit2 && "$CKPT" restore -d "$TRASH/ck2") > r.log 2>&1 || fail "restore: $(cat r.log)"
[ -e third/obj/a.o ] && fail "obj/a.o should be invalid after editing a.c"
[ -e third/obj/b.o ] || fail "obj/b.o should be restored"
(cd third && "$CKPT" record -d "$TRASH/ck2" -- make) > rec.log 2>&1 || fail "record in place: $(cat rec.log)"
grep -q "cc -c -o obj/b.o" rec.log && fail "b.o rebuilt although valid: $(cat rec.log)"
cmp -s ck2/manifest ck2.before && fail "record in place did not update the checkpoint"
oracle oracle2 edit1 edit2
cp -a src fourth && (cd fourth && edit1 && edit2)
restore_builds_nothing fourth "$TRASH/ck2"
same_as fourth oracle2
# A copy with only edit1 restored from the updated checkpoint: a.o (and
# prog) are rebuilt, b.o is kept; the result equals oracle1.
cp -a src fifth && (cd fifth && edit1)
(cd fifth && "$CKPT" restore -d "$TRASH/ck2" >/dev/null 2>&1 && make) > m.log 2>&1 || fail "fifth"
grep -q "cc -c -o obj/b.o" m.log && fail "fifth rebuilt b.o: $(cat m.log)"
grep -q "cc -c -o obj/a.o" m.log || fail "fifth did not rebuild a.o: $(cat m.log)"
same_as fifth oracle1

# ck2 keeps no object its manifest does not name: after the in-place
# record the first pack held mostly replaced objects, and was rewritten.
packed=0
for p in ck2/objects/packs/*.pack; do
	size=$(stat -c %s "$p")
	start=$(od -An -t u8 -j $((size - 16)) -N 8 "$p" | tr -d ' ')
	packed=$((packed + (size - start - 24) / 32))
done
named=$(manifest_text ck2/manifest | awk '$1 == "f" && $2 == "O" { print $3 }' | sort -u | wc -l)
expect_eq "objects in ck2's packs" "$named" "$packed"

# A kept job's make is what it depends on too. A sub-make whose makefile
# uses VERSION and writes v.txt; a second build in a restored copy edits
# sub/w.in, so only `cp w.in w.txt` re-runs and v.txt's job is kept. It
# goes under the new sub-make (same directory, same command): a third
# copy with another VERSION, or an edited sub/Makefile, rebuilds v.txt.
for dir in sub '$(CURDIR)/sub'; do
rm -rf rsrc && mkdir -p rsrc/sub
printf 'all:\n\t$(MAKE) -C %s\n' "$dir" > rsrc/Makefile
printf 'all: v.txt w.txt\nv.txt:\n\techo $(VERSION) > v.txt\nw.txt: w.in\n\tcp w.in w.txt\n' > rsrc/sub/Makefile
echo w1 > rsrc/sub/w.in
export VERSION=1
rm -rf r1 r2 && cp -a rsrc r1 && cp -a rsrc r2 && echo w2 > r2/sub/w.in &&
	(cd r1 && "$CKPT" record -- make) > r.log 2>&1 &&
	(cd r2 && "$CKPT" restore -d ../r1/.ckpt && "$CKPT" record --from ../r1/.ckpt -- make) >> r.log 2>&1 ||
	fail "chained record: $(cat r.log)"
grep -q "echo 1 > v.txt" r.log && [ "$(grep -c 'echo 1 > v.txt' r.log)" = 1 ] ||
	fail "v.txt was rebuilt in the second build: $(cat r.log)"
for case in version makefile; do
	rm -rf r3 && cp -a rsrc r3 && echo w2 > r3/sub/w.in
	want=2
	[ $case = makefile ] && sed -i 's/echo \$(VERSION)/echo v$(VERSION)/' r3/sub/Makefile && want=v1
	[ $case = version ] && v=2 || v=1
	(cd r3 && VERSION=$v "$CKPT" restore -d ../r2/.ckpt && VERSION=$v make) > r3.log 2>&1 ||
		fail "$case: restore and make: $(cat r3.log)"
	expect_eq "$dir, $case: v.txt" "$want" "$(cat r3/sub/v.txt)"
done
unset VERSION
done

# Recorded again in place with another VERSION: make rebuilds nothing, and
# the kept job is no longer vouched for.
rm -rf r4 && cp -a rsrc r4 && (cd r4 && VERSION=1 "$CKPT" record -- make &&
	VERSION=2 "$CKPT" record -- make) > r4.log 2>&1 || fail "record twice: $(cat r4.log)"
rm -rf r5 && cp -a rsrc r5 &&
	(cd r5 && VERSION=2 "$CKPT" restore -d ../r4/.ckpt && VERSION=2 make) > r5.log 2>&1 ||
	fail "restore of r4: $(cat r5.log)"
expect_eq "in place, VERSION=2: v.txt" 2 "$(cat r5/sub/v.txt)"

# chain_record NAME EDIT: NAME1 (made by the caller) copied to NAME2 and
# NAME3, both edited by EDIT; NAME1 recorded; NAME2 restored from it and
# its make recorded on top (--from).
chain_record() {
	rm -rf "${1}2" "${1}3" && cp -a "${1}1" "${1}2" && cp -a "${1}1" "${1}3" &&
	(cd "${1}3" && $2) && (cd "${1}1" && "$CKPT" record -- make) > "$1.log" 2>&1 &&
	(cd "${1}2" && $2 && "$CKPT" restore -d "../${1}1/.ckpt" &&
		"$CKPT" record --from "../${1}1/.ckpt" -- make) >> "$1.log" 2>&1 ||
		fail "$1: chained record: $(cat "$1.log")"
}
# chain_same NAME EDIT: chain_record, then NAME3 is the tree of NAME2's
# checkpoint: nothing changed, make rebuilds nothing.
chain_same() {
	chain_record "$1" "$2"
	(cd "${1}3" && "$CKPT" status -d "../${1}2/.ckpt") > "$1.status" 2>&1
	grep -q "nothing changed" "$1.status" || fail "$1: not the tree of ${1}2's checkpoint: $(cat "$1.status")"
	(cd "${1}3" && "$CKPT" restore -d "../${1}2/.ckpt" && make) > "$1.make" 2>&1 ||
		fail "$1: restore and make: $(cat "$1.make")"
	grep -q "Nothing to be done" "$1.make" || fail "$1: rebuilt: $(cat "$1.make")"
}
edit_other() { echo two > other.txt; }

# A line whose output a later line rewrites (`cc -o prog main.c`, then
# `strip prog`, as `ar` then `ranlib`) is kept with the later one: it is
# what read main.c. Dropped, the chained checkpoint saw no change in an
# edited main.c, and restored the old prog as valid.
rm -rf s1 && mkdir s1 &&
printf 'all: prog other\nprog: main.c\n\tcc -o prog main.c\n\tstrip prog\nother: other.c\n\tcc -o other other.c\n' > s1/Makefile &&
echo 'int main(void) { return 1; }' > s1/main.c &&
echo 'int main(void) { return 5; }' > s1/other.c || fail "s1"
edit_other_c() { echo 'int main(void) { return 6; }' > other.c; }
chain_record s edit_other_c
[ "$(grep -c 'strip prog' s.log)" = 1 ] || fail "prog was rebuilt in the second build: $(cat s.log)"
echo 'int main(void) { return 2; }' > s3/main.c
(cd s3 && "$CKPT" restore -d ../s2/.ckpt && make) > s3.log 2>&1 || fail "restore s3: $(cat s3.log)"
grep -q "cc -o prog main.c" s3.log || fail "prog not rebuilt after main.c's edit: $(cat s3.log)"
(cd s3 && ./prog); expect_eq "s3's prog exits with" 2 "$?"

# A directory made by `$(shell mkdir -p gen)` (kbuild's
# arch/x86/include/generated): the second build's $(shell) finds it and
# writes nothing, so the first build's job is kept as its maker. Dropped,
# the directory was a path that existed, gone from any fresh copy: make
# and every job it ran invalid.
rm -rf g1 && mkdir g1 &&
printf '$(shell mkdir -p gen)\nall: gen/out other\ngen/out: in.txt\n\tcp in.txt gen/out\nother: other.txt\n\tcp other.txt other\n' > g1/Makefile &&
echo in > g1/in.txt && echo one > g1/other.txt || fail "g1"
chain_same g edit_other

# A recipe's middle line that writes nothing (`test -s out`) is not kept,
# but the lines around it stay linked through it: an edit of in.txt
# invalidates `cp in.txt out` and with it `touch stamp`, so make reruns
# the recipe. Unlinked, stamp was restored valid and out left missing.
rm -rf l1 && mkdir l1 &&
printf 'all: stamp other\nstamp: in.txt\n\tcp in.txt out\n\ttest -s out\n\ttouch stamp\nother: other.txt\n\tcp other.txt other\n' > l1/Makefile &&
echo in > l1/in.txt && echo one > l1/other.txt || fail "l1"
chain_record l edit_other
echo changed > l3/in.txt
(cd l3 && "$CKPT" restore -d ../l2/.ckpt && make) > l3.log 2>&1 || fail "restore l3: $(cat l3.log)"
expect_eq "l3/out after make" changed "$(cat l3/out 2>&1)"

# A directory that a re-run job made the first time (libtool's first
# compile makes .libs) and found there the second time: mkdir fails with
# EEXIST, which is no write. It is still that job's, not a directory the
# build only listed, missing from any fresh copy.
rm -rf d1 d2 d3 && mkdir d1 &&
printf 'all: list.txt\nobjs/a.o: a.c\n\tmkdir -p objs; cc -c -o objs/a.o a.c\nobjs/b.o: b.c objs/a.o\n\tcc -c -o objs/b.o b.c\nlist.txt: objs/a.o objs/b.o\n\tls objs > list.txt\n' > d1/Makefile &&
echo 'int a(void) { return 1; }' > d1/a.c && echo 'int b(void) { return 2; }' > d1/b.c || fail "d1"
edit_a() { echo 'int a(void) { return 3; }' > a.c; }
chain_same d edit_a
# A source a kept job updates in place, to the same bytes (config.status
# rewriting libogg.spec, shipped in the tree): still a source, not an
# output that nothing traced made, which invalidated its readers.
rm -rf u1 u2 u3 && mkdir u1 &&
printf 'all: stamp other\nstamp: in.txt\n\tsed -i s/a/a/ conf.txt; cp in.txt stamp\nother: other.txt\n\tcp other.txt other\n' > u1/Makefile &&
echo in > u1/in.txt && echo a > u1/conf.txt && echo one > u1/other.txt || fail "u1"
chain_same u edit_other
# The second build writes over a file of an old job with another command
# (cmake's --check-build-system over a file of the configure step): only
# that file is the new build's; the old job keeps the rest. And a path an
# old job looked for and did not find, which the second build made
# (cmake's configure probes compiler_depend.internal, a later make
# writes it): the build's own output, not a change for the prober; in
# sub/, and again in the root, which make lists: a name the second build
# adds there is no change of that listing either.
# w_project DIR LATE: that project, LATE the path the second build adds.
w_project() {
	rm -rf "$1" && mkdir -p "$1/sub" && echo s > "$1/sub/s.txt" &&
	printf 'all: out probe other\nout: in.txt\n\tcp in.txt f2; echo x > f1; cp f2 out\nprobe: in.txt\n\tif [ -e %s ]; then echo yes; fi > probe\nother: other.txt\n\tcp other.txt other\n\tif grep -q two other; then echo y > f1; echo late > %s; fi\n' "$2" "$2" > "$1/Makefile" &&
	echo in > "$1/in.txt" && echo one > "$1/other.txt" || fail "$1"
}
w_project w1 sub/late.txt
chain_same w edit_other
w_project v1 late.txt
chain_same v edit_other

# A line that writes a temporary the next line reads (`cp $< $*.tmp`
# then `mv $*.tmp $@`; zlib's `gcc -o objs/x.o` then `mv objs/x.o x.lo`)
# is kept with it: it is what read the source. Dropped, the mv alone was
# kept, and an edit of b.c restored the old b.out as valid.
rm -rf t1 && mkdir t1 && echo a > t1/a.c && echo b > t1/b.c &&
printf 'all: a.out b.out\n%%.out: %%.c\n\tcp $< $*.tmp\n\tmv $*.tmp $@\n' > t1/Makefile ||
	fail "t1"
edit_a() { echo a2 > a.c; }
chain_record t edit_a
echo b2 > t3/b.c
(cd t3 && "$CKPT" restore -d ../t2/.ckpt && make) > t3.log 2>&1 || fail "restore t3: $(cat t3.log)"
grep -q "cp b.c b.tmp" t3.log || fail "b.out not rebuilt after b.c's edit: $(cat t3.log)"
expect_eq "t3's b.out" b2 "$(cat t3/b.out)"

# A kept job already invalid when the build is recorded on top (make did
# not know hdr.h was read): its output has no producer, always rebuilt,
# and explain says why rather than blaming an untraced program.
rm -rf x1 x2 && mkdir x1 &&
printf 'out: in.txt\n\tcat in.txt hdr.h > out\n' > x1/Makefile &&
echo in > x1/in.txt && echo h1 > x1/hdr.h &&
(cd x1 && "$CKPT" record -- make) > x.log 2>&1 && cp -a x1 x2 && rm -rf x2/.ckpt &&
echo h2 > x2/hdr.h && (cd x2 && "$CKPT" record --from ../x1/.ckpt -- make) >> x.log 2>&1 ||
	fail "x: $(cat x.log)"
(cd x2 && "$CKPT" explain out) > x.explain 2>&1
grep -q "already invalid when the checkpoint was recorded on top of an older one" x.explain ||
	fail "explain of a stale kept job's output: $(cat x.explain)"
# status there: no input changed, but out is rebuilt all the same; it
# does not say "nothing changed" above "outputs to rebuild".
(cd x2 && "$CKPT" status) > x.status 2>&1
grep -q "^no input changed since the checkpoint (the outputs below are rebuilt all the same" x.status ||
	fail "status of a stale kept job's output: $(cat x.status)"
grep -q "nothing changed" x.status && fail "status says nothing changed: $(cat x.status)"

# The jobs a chained checkpoint keeps are under its tree, not the old
# one (compdb named the old tree's directories), and a ./configure that
# the old recorded command ran, no make, stays one to run again when it
# is invalid (it was put under the new top make, and nothing said so).
mkdir cfg.src && cat > cfg.src/configure <<'SH'
sed 's/@CC@/cc/' Makefile.in > Makefile
SH
printf 'CC = @CC@\nprog: main.c\n\t$(CC) -c main.c && $(CC) -o prog main.o\n' > cfg.src/Makefile.in
echo 'int main(void) { return 0; }' > cfg.src/main.c
cp -a cfg.src cfg.a && (cd cfg.a && "$CKPT" record -- sh -c 'sh ./configure && make') \
	> cfg.log 2>&1 || fail "record: $(cat cfg.log)"
cp -a cfg.src cfg.b && echo '/* b */' >> cfg.b/main.c
(cd cfg.b && "$CKPT" restore -d ../cfg.a/.ckpt && "$CKPT" record --from ../cfg.a/.ckpt -- make) \
	> cfg.log 2>&1 || fail "chained record: $(cat cfg.log)"
manifest_text cfg.b/.ckpt/manifest | grep '^j ' | grep -F "$TRASH/cfg.a" &&
	fail "the chained checkpoint keeps jobs under the old tree"
cp -a cfg.src cfg.c && echo '/* b */' >> cfg.c/main.c && echo '# edit' >> cfg.c/Makefile.in
(cd cfg.c && "$CKPT" status -d ../cfg.b/.ckpt --json) > cfg.json || fail "status"
python3 - cfg.json <<'PY' || fail "status of the chained checkpoint: $(cat cfg.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["run_again"] == ["sh ./configure"], s["run_again"]
PY
(cd cfg.c && "$CKPT" restore -d ../cfg.b/.ckpt) > cfg.log 2>&1 || fail "restore: $(cat cfg.log)"
grep -q "make does not run it: sh ./configure" cfg.log ||
	fail "restore does not say to run configure again: $(cat cfg.log)"

# A template the old configure read, which the new build's make rewrote
# (automake's Makefile.in from an edited Makefile.am, then config.status
# of the Makefile): configure was valid as the build began, and what the
# build rewrote is its own. It was taken for a change: the chained
# checkpoint dropped configure, and the next tree, with nothing else
# changed, lost its Makefile and every output (jq 1.6's Debian patches).
mkdir am.src && cd am.src
cat > Makefile.am <<'AM'
all: out
out: in.txt
	cp in.txt out
Makefile.in: Makefile.am
	cp Makefile.am Makefile.in
Makefile: Makefile.in
	sh ./config.status
AM
cp Makefile.am Makefile.in
printf 'sed "s/@X@/x/" Makefile.in > Makefile\n' > config.status.in
printf 'cp config.status.in config.status\nsh ./config.status\necho ok > config.stamp\n' > configure
echo hello > in.txt
touch -d '2020-01-01 00:00:00' Makefile.am in.txt configure config.status.in
touch -d '2020-01-01 00:00:01' Makefile.in
cd "$TRASH"
cp -a am.src am.a && (cd am.a && "$CKPT" record -- sh -c 'sh ./configure && make') \
	> am.log 2>&1 || fail "record: $(cat am.log)"
for t in am.b am.c; do
	cp -a am.src $t && echo '# edited' >> $t/Makefile.am
done
(cd am.b && "$CKPT" restore -d ../am.a/.ckpt && "$CKPT" record --from ../am.a/.ckpt -- make) \
	> am.log 2>&1 || fail "chained record: $(cat am.log)"
grep -q "sh ./config.status" am.log || fail "make did not regenerate the Makefile: $(cat am.log)"
(cd am.c && "$CKPT" status -d ../am.b/.ckpt --json) > am.json || fail "status"
python3 - am.json <<'PY' || fail "status of the chained checkpoint: $(cat am.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["affected"] == [] and s["run_again"] == [], s
PY
(cd am.c && "$CKPT" restore -d ../am.b/.ckpt && make) > am.log 2>&1 ||
	fail "restore and make: $(cat am.log)"
grep -q "Nothing to be done" am.log || fail "make after the restore: $(cat am.log)"

# Chained twice: a checkpoint of a chain has two tops, the make of its
# build and the kept `sh -c './configure && make'`. The second chain put
# the jobs of the first top make under the kept shell, and status and
# restore said to run a compile again by hand (less 590's Debian patches).
mkdir c2.src && printf 'printf "prog: a.o b.o\\n\\tcc -o prog a.o b.o\\n" > Makefile\n' > c2.src/configure
echo 'int b(void) { return 1; }' > c2.src/b.c
echo 'int b(void); int main(void) { return b(); }' > c2.src/a.c
cp -a c2.src c2.0 && (cd c2.0 && "$CKPT" record -- sh -c 'sh ./configure && make') \
	> c2.log 2>&1 || fail "record: $(cat c2.log)"
for t in c2.1 c2.2 c2.3; do cp -a c2.src $t && echo '/* 1 */' >> $t/a.c; done
echo '/* 3 */' >> c2.3/b.c
(cd c2.1 && "$CKPT" restore -d ../c2.0/.ckpt && "$CKPT" record --from ../c2.0/.ckpt -- make) \
	> c2.log 2>&1 || fail "chain 1: $(cat c2.log)"
(cd c2.2 && "$CKPT" restore -d ../c2.1/.ckpt && "$CKPT" record --from ../c2.1/.ckpt -- make) \
	> c2.log 2>&1 || fail "chain 2: $(cat c2.log)"
(cd c2.3 && "$CKPT" status --json -d ../c2.2/.ckpt) > c2.json || fail "status"
python3 - c2.json <<'PY' || fail "status after two chains: $(cat c2.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["run_again"] == [] and "b.o" in s["affected"], s
PY
pass
