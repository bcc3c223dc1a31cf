#!/bin/sh
# bench-restore.sh - restoring a checkpoint into a fresh copy of the tree
# with one .c edited: `ckpt restore` vs the copy-everything approach of
# nixpkgs' checkpointBuildTools, in pairs with alternating order; the size
# of each checkpoint; `ckpt status` on an unchanged tree, the recorded one
# and one of ~80,000 files.
#
# Copy-everything, as prepareCheckpointBuild / mkCheckpointBuild do it:
# saved = a copy of the sources before the build (sources/) and of the
# whole build directory after it (outputs/), every mtime 1 as in the Nix
# store; restore = diff -ur saved sources against the new tree into a
# patch, rm -r of the tree, rsync --checksum of outputs/ into it, patch.
#
# Environment: REPS (5), NFILES (1000), NHEADERS (300), BIG_FILES (80000,
# the file count of the tree for status; 0 skips it), JOBS (nproc),
# SETTLE (seconds waited before each timed restore: 61, 0 on a tmpfs),
# CACHE ("fresh cold" as root on a disk, else "fresh": see below),
# KEEP=1 keeps the work directory.
. "$(dirname "$0")/lib.sh"
REPS=${REPS:-5}
NFILES=${NFILES:-1000}
NHEADERS=${NHEADERS:-300}
BIG_FILES=${BIG_FILES:-80000}
EDIT=src/d03/f0003.c
for t in rsync diff patch; do
	command -v $t >/dev/null || { say "$t is needed"; exit 1; }
done
# Each tree in its own block group: with the Orlov allocator's "top of a
# hierarchy" flag on the work directory, ext4 spreads the directories made
# in it over the disk, and the files of a tree go near its directory.
# Copy-everything's rm -r then leaves recently freed inodes in its own
# tree's group only: without the flag, ckpt's restore, made next to it,
# was measured scanning past them (see "ext4 after a deletion" in
# docs/benchmarks.md): 0.52-0.64 s instead of 0.15 s.
chattr +T "$WORK" 2>/dev/null || true
python3 "$TOP/bench/gen-project.py" "$WORK/src" "$NFILES" "$NHEADERS"
cp -a "$WORK/src" "$WORK/orig"
say "bench-restore: recording a clean build of $NFILES C files (make -j$JOBS)"
rec=$(timed "cd $WORK/orig && $CKPT record -- make -j$JOBS")
say "  ckpt record: $rec (wall, cpu s)"
ntree=$(find "$WORK/orig" -path "$WORK/orig/.ckpt" -prune -o -type f -print | wc -l)
nout=$(cd "$WORK/orig" && find obj prog libbench.a -type f | wc -l)

# The copy-everything checkpoint.
mkdir -p "$WORK/cb/sources" "$WORK/cb/outputs"
(cd "$WORK/src" && cp -r ./* "$WORK/cb/sources/")
(cd "$WORK/orig" && cp -r ./* "$WORK/cb/outputs/")
find "$WORK/cb" -exec touch -h -d @1 {} +

# Fresh copies of the sources with one .c edited. None is deleted before
# the end: for minutes after a mass deletion ext4 skips the freed inodes
# when it allocates, and file creation (what both restores do) was seen
# to cost 1 ms instead of 20 us.
fresh() { # fresh NAME
	cp -a "$WORK/src" "$WORK/$1"
	echo '/* edited */' >> "$WORK/$1/$EDIT"
}
ours() { echo "cd $WORK/$1 && $CKPT restore -d $WORK/orig/.ckpt"; }
theirs() {
	echo "cd $WORK/$1 && bash -c '
	set +e; diff -ur $WORK/cb/sources ./ > $WORK/sources.patch; set -e
	shopt -s dotglob; rm -r *
	rsync --checksum --times --atimes --chmod=+w -r $WORK/cb/outputs/ .
	patch -p 1 -i $WORK/sources.patch'"
}
fresh om; fresh tm
# Each timed restore starts SETTLE seconds after the last deletion, its
# inode tables written out: on an ext4 without a journal (this machine's)
# the allocator skips the inodes freed within the last minute (five if
# their table is not yet written), reading each one's table block, and
# creating a file was seen at 0.3-0.7 ms instead of 30 us after the
# record's trace files and the compiler's temporaries were deleted, or
# after copy-everything's rm -r. Both restores create every file.
# A tmpfs keeps no such state.
settle() { sync; sleep "$SETTLE"; }
[ "$(stat -f -c %T "$WORK")" = tmpfs ] && SETTLE=${SETTLE:-0}
SETTLE=${SETTLE:-61}
# Where the trees are when a restore starts (CACHE, words of):
#   fresh  each copy is made just before its restore: a tree just
#          unpacked or checked out, then restored (a Nix build unpacks
#          its sources, then restores);
#   cold   the same, and the page cache is dropped before each timed
#          restore (root only): a tree, and a checkpoint, not read for a
#          long time; everything is read from the disk;
#   ahead  every copy made before the first pair, as the runs before
#          2026-11-24's eighth session did: this VM drops pages it sees
#          unused, so a tree made minutes before is partly read from the
#          disk again, and the checkpoint and copy-everything's saved
#          copy, read by every pair, are not.
can_drop=; [ -w /proc/sys/vm/drop_caches ] && can_drop=yes
# (a tmpfs's files are the page cache: nothing to drop)
[ "$(stat -f -c %T "$WORK")" = tmpfs ] && can_drop=
CACHE=${CACHE:-fresh${can_drop:+ cold}}
drop() { [ "$1" = cold ] || return 0; sync; echo 3 > /proc/sys/vm/drop_caches; }
# restore_in MODE WHO NAME: the restore WHO (ours or theirs) into the tree
# NAME, made now, after the wait, unless MODE is ahead: this VM drops
# pages it sees unused within a minute (a file read 30 s before had 8 %
# of its pages out of memory).
restore_in() {
	settle
	[ "$1" = ahead ] || { fresh "$3"; sync; }
	drop "$1"
	secs "$($2 "$3")"
}
pairs() { # pairs MODE: REPS pairs in alternating order
	: > "$WORK/r.o.$1"; : > "$WORK/r.t.$1"; : > "$WORK/r.$1"
	if [ "$1" = ahead ]; then
		i=0
		while [ "$i" -lt "$REPS" ]; do
			i=$((i + 1)); fresh "o-$1-$i"; fresh "t-$1-$i"
		done
	fi
	i=0
	while [ "$i" -lt "$REPS" ]; do
		i=$((i + 1))
		if [ $((i % 2)) -eq 1 ]; then
			o=$(restore_in "$1" ours "o-$1-$i")
			t=$(restore_in "$1" theirs "t-$1-$i")
		else
			t=$(restore_in "$1" theirs "t-$1-$i")
			o=$(restore_in "$1" ours "o-$1-$i")
		fi
		say "$1, pair $i: ckpt restore ${o}s, copy-everything ${t}s"
		echo "$o" >> "$WORK/r.o.$1"; echo "$t" >> "$WORK/r.t.$1"
		ratio "$t" "$o" >> "$WORK/r.$1"
	done
}
for mode in $CACHE; do
	case $mode in
	fresh | ahead) ;;
	cold) [ -n "$can_drop" ] || { say "CACHE=cold needs root (/proc/sys/vm/drop_caches)"; exit 1; } ;;
	*) say "CACHE: fresh, cold or ahead, not '$mode'"; exit 1 ;;
	esac
	pairs "$mode"
done

# What was timed is right: make after each restore runs the compile of the
# edited file, ar and the link (3 steps), and both end with the same files.
steps() { grep -c '^cc \|^ar ' "$1" || true; }
(eval "$(ours om)") > "$WORK/ours.log" 2>&1
m_o=$(secs "cd $WORK/om && make -j$JOBS > $WORK/make.o 2>&1")
(cd "$WORK/om" && cksum prog libbench.a obj/d03/f0003.o) > "$WORK/sum.o"
(eval "$(theirs tm)") > /dev/null 2>&1
m_t=$(secs "cd $WORK/tm && make -j$JOBS > $WORK/make.t 2>&1")
(cd "$WORK/tm" && cksum prog libbench.a obj/d03/f0003.o) > "$WORK/sum.t"
same=yes; cmp -s "$WORK/sum.o" "$WORK/sum.t" || same=NO
restored=$(tail -n 1 "$WORK/ours.log")

# Sizes: disk use (du -sk) and the bytes of the regular files (KiB).
kib() { du -sk "$@" | awk '{ s += $1 } END { print s }'; }
fkib() { find "$@" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d\n", s / 1024 }'; }
ck=$(kib "$WORK/orig/.ckpt"); ckf=$(fkib "$WORK/orig/.ckpt")
cb=$(kib "$WORK/cb"); cbf=$(fkib "$WORK/cb")
mf=$(fkib "$WORK/orig/.ckpt/manifest")
outf=$(cd "$WORK/orig" && fkib obj prog libbench.a)
srcf=$(fkib "$WORK/src")

# status on the unchanged recorded tree (stat data stand in for hashes),
# and on an unchanged fresh copy (every input hashed).
: > "$WORK/s1"; : > "$WORK/s2"
for k in 1 2 3 4 5; do
	secs "cd $WORK/orig && $CKPT status" >> "$WORK/s1"
done
cp -a "$WORK/orig" "$WORK/copy"; rm -rf "$WORK/copy/.ckpt"
for k in 1 2 3 4 5; do
	secs "cd $WORK/copy && $CKPT status -d $WORK/orig/.ckpt" >> "$WORK/s2"
done

# status on a tree of BIG_FILES files: a small build that also lists and
# reads a large data/ tree of files it never changes.
big=; bigsize=
if [ "$BIG_FILES" -gt 0 ]; then
	python3 "$TOP/bench/gen-project.py" "$WORK/big" 100 60 $((BIG_FILES - 400))
	say "recording the build of a tree of ~$BIG_FILES files"
	brec=$(timed "cd $WORK/big && $CKPT record -- make -j$JOBS")
	nbig=$(find "$WORK/big" -path "$WORK/big/.ckpt" -prune -o -type f -print | wc -l)
	: > "$WORK/s3"
	for k in 1 2 3 4 5; do
		secs "cd $WORK/big && $CKPT status" >> "$WORK/s3"
	done
	ninp=$(cd "$WORK/big" && "$CKPT" audit --json 2>/dev/null | python3 -c '
import json, sys
print(len(json.load(sys.stdin)["sources"]))' 2>/dev/null) || ninp=?
	nch=$(cd "$WORK/big" && "$CKPT" status --json 2>/dev/null | python3 -c '
import json, sys
print(len(json.load(sys.stdin)["changed"]))' 2>/dev/null) || nch=?
	bo="--exclude=./.ckpt --exclude=./obj --exclude=./prog --exclude=./libbench.a --exclude=./data.sum"
	bck=$(kib "$WORK/big/.ckpt"); bckf=$(fkib "$WORK/big/.ckpt")
	bcb=$(cd "$WORK/big" && echo $(( $(du -sk --exclude=./.ckpt . | cut -f1) + $(du -sk $bo . | cut -f1) )))
	bcbf=$(cd "$WORK/big" && echo $(( $(fkib . -path ./.ckpt -prune -o) + $(fkib . \( -path ./.ckpt -o -path ./obj -o -name prog -o -name libbench.a -o -name data.sum \) -prune -o) )))
	bigsize="| tree of $nbig files: ckpt; copy-everything (computed: sources + whole tree) | $bck; $bcb | $bckf; $bcbf | $(ratio "$bcb" "$bck") disk, $(ratio "$bcbf" "$bckf") in files |"
	big="| a tree of $nbig files, $ninp of them recorded sources ($nch reported changed) | $(median < "$WORK/s3") | $(range < "$WORK/s3") |"
fi

cat <<OUT

bench-restore: $NFILES C files and $NHEADERS headers, tree of $ntree files ($nout outputs), one .c edited, make -j$JOBS, $REPS pairs, $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)
ckpt record of the clean build: $(echo $rec | cut -d' ' -f1) s

| restore into a fresh copy (CACHE) | ckpt restore, median s (range) | copy-everything, median s (range) | copy-everything / ckpt, median of pair ratios (range) |
|---|---|---|---|
$(for mode in $CACHE; do
	echo "| $mode | $(median < "$WORK/r.o.$mode") ($(range < "$WORK/r.o.$mode")) | $(median < "$WORK/r.t.$mode") ($(range < "$WORK/r.t.$mode")) | $(median < "$WORK/r.$mode") ($(range < "$WORK/r.$mode")) |"
done)

ckpt restore said: $restored
make after ckpt restore: $(steps "$WORK/make.o") steps in $m_o s; after copy-everything: $(steps "$WORK/make.t") steps in $m_t s (expected 3 each); same prog, libbench.a and object: $same

| checkpoint | disk KiB (du -sk) | KiB in files | copy-everything / ckpt |
|---|---|---|---|
| ckpt (.ckpt: manifest $mf KiB, objects) | $ck | $ckf | |
| copy-everything (sources/ + outputs/) | $cb | $cbf | $(ratio "$cb" "$ck") disk, $(ratio "$cbf" "$ckf") in files |
| for scale: the sources; the outputs | | $srcf; $outf | |
$bigsize

| ckpt status, nothing changed | median s | range s |
|---|---|---|
| the recorded tree of $ntree files | $(median < "$WORK/s1") | $(range < "$WORK/s1") |
| a fresh copy of it (every input hashed) | $(median < "$WORK/s2") | $(range < "$WORK/s2") |
$big
OUT
