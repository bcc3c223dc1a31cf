#!/bin/sh
# bench-kernel.sh - ckpt on a real kernel (Debian's linux-source-6.1,
# tinyconfig, x86_64), side by side on one machine and one tree:
#   1. a clean build untraced vs under `ckpt record` (REPS pairs, the order
#      alternating), and the checkpoint's size and `ckpt status` time;
#   2. a one-file edit (kernel/panic.c) rebuilt four ways:
#      - kbuild's own incremental build of the edited original tree;
#      - a fresh tree: `ckpt restore` + make;
#      - a fresh tree: the copy-everything approach of nixpkgs'
#        checkpointBuildTools (saved sources and whole build directory,
#        every mtime 1 as in the store; diff -ur, rm, rsync --checksum,
#        patch) + make;
#      - a fresh tree built with ccache, the cache hot from a clean build;
#   each with its steps (CC/LD/AR lines) and whether vmlinux equals the
#   in-place one. The first two, the goal's pair, EDIT_REPS times in
#   alternating order. Prints Markdown for docs/benchmarks.md.
# No tree is deleted before the end: for minutes after a mass deletion,
# ext4 skips the freed inodes when it allocates (recently_deleted()), and
# file creation was seen to cost 1 ms instead of 20 us; that would tax
# whichever measured step creates files next (a restore, a build).
# Environment: REPS (2), EDIT_REPS (3), JOBS (nproc), NOCCACHE=1 skips
# ccache, KEEP=1.
. "$(dirname "$0")/lib.sh"
REPS=${REPS:-2}
EDIT_REPS=${EDIT_REPS:-3}
TARBALL=${TARBALL:-/usr/src/linux-source-6.1.tar.xz}
EDIT=kernel/panic.c
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=ckpt KBUILD_BUILD_HOST=ckpt KBUILD_BUILD_VERSION=1
export ARCH=x86_64	# configure and build alike (examples/kernel/check.sh)
[ -f "$TARBALL" ] || { say "no $TARBALL: run make deps-kernel"; exit 1; }
for t in rsync diff patch; do
	command -v $t >/dev/null || { say "$t is needed (make deps-kernel)"; exit 1; }
done
[ -n "${NOCCACHE:-}" ] || command -v ccache >/dev/null ||
	{ say "ccache is needed (make deps-kernel), or NOCCACHE=1"; exit 1; }
MAKE="make -j$JOBS"
step() { say "[$(date +%T)] $*"; }
# kbuild steps in a make log: compiles, links, archives
nsteps() { grep -cE '^  (CC|LD|AR|AS)[ ]' "$1" || true; }
edit() { echo '/* bench-kernel */' >> "$1/$EDIT"; }
copy() { cp -a "$1" "$2"; }	# to a new name: nothing is deleted

step "unpacking and configuring a pristine tree"
mkdir "$WORK/src"
tar xf "$TARBALL" -C "$WORK/src" --strip-components=1
(cd "$WORK/src" && make tinyconfig && make syncconfig) > /dev/null 2>&1
nsrc=$(find "$WORK/src" -type f | wc -l)

# 1. Clean builds, paired. The last pair's trees are kept: u (untraced)
# for kbuild's incremental build, t (traced) for its checkpoint.
: > "$WORK/cu"; : > "$WORK/ct"; : > "$WORK/rw"; : > "$WORK/rc"; : > "$WORK/rs"
i=0
while [ "$i" -lt "$REPS" ]; do
	i=$((i + 1))
	if [ $((i % 2)) -eq 1 ]; then order="U T"; else order="T U"; fi
	for m in $order; do
		case $m in
		U) copy "$WORK/src" "$WORK/u$i"; sync; step "clean build, untraced"
		   u=$(timed "cd $WORK/u$i && $MAKE") ;;
		T) copy "$WORK/src" "$WORK/t$i"; sync; step "clean build, ckpt record"
		   t=$(timed "cd $WORK/t$i && $CKPT record -- $MAKE 2> $WORK/record.err") ;;
		esac
	done
	set -- $u $t
	# what `ckpt record` said its save took ("...; 2.00 s")
	sv=$(sed -n 's/^ckpt: saved .*; \([0-9.]*\) s$/\1/p' "$WORK/record.err")
	say "pair $i ($order): untraced ${1}s (cpu $2), ckpt record ${3}s (cpu $4), of which save ${sv:-?}s"
	echo "$1" >> "$WORK/cu"; echo "$3" >> "$WORK/ct"
	ratio "$3" "$1" >> "$WORK/rw"; ratio "$4" "$2" >> "$WORK/rc"
	[ -z "$sv" ] || echo "$3 $sv $1" | awk '{ printf "%.3f\n", ($1 - $2) / $3 }' >> "$WORK/rs"
done
# The last pair's trees stay where they were built: kbuild's .cmd files
# (objtool's) name the tree's path, and a renamed tree rebuilds everything.
U_TREE=$WORK/u$REPS; T_TREE=$WORK/t$REPS
cmp -s "$U_TREE/vmlinux" "$T_TREE/vmlinux" && same_clean=yes || same_clean=NO
# The analyzer's share of the last record: what it said of its save.
saved=$(grep '^ckpt: saved' "$WORK/record.err" | sed 's/^ckpt: saved [^:]*: //')
ck=$(du -sk "$T_TREE/.ckpt" | cut -f1)
: > "$WORK/st"
for k in 1 2 3; do secs "cd $T_TREE && $CKPT status" >> "$WORK/st"; done
# With a variable the build used set otherwise: each of the jobs' some
# 100,000 uses of the 4,700 variables kbuild's makes look up is checked.
: > "$WORK/se"
for k in 1 2 3; do
	secs "cd $T_TREE && KBUILD_BUILD_USER=other $CKPT status" >> "$WORK/se"
done

# The trees of part 2, all made now, before anything of it is measured:
# fresh edited trees for ckpt, copy-everything and ccache; copy-everything's
# saved sources and build directory (the untraced build, before the edit).
step "copying the trees of the edit benchmarks"
k=0
while [ "$k" -lt "$EDIT_REPS" ]; do
	k=$((k + 1)); copy "$WORK/src" "$WORK/f$k"; edit "$WORK/f$k"
done
copy "$WORK/src" "$WORK/fce"; edit "$WORK/fce"
mkdir -p "$WORK/cb/sources" "$WORK/cb/outputs"
# nixpkgs copies `./*`, which misses the top-level dotfiles (.config
# among them, and the build then stops); we copy them too, which only
# favours this approach.
cp -r "$WORK/src/." "$WORK/cb/sources/"
cp -r "$U_TREE/." "$WORK/cb/outputs/"
find "$WORK/cb" -exec touch -h -d @1 {} +
cb=$(du -sk "$WORK/cb" | cut -f1)
if [ -z "${NOCCACHE:-}" ]; then
	copy "$WORK/src" "$WORK/c1"
	copy "$WORK/src" "$WORK/fcc"; edit "$WORK/fcc"
fi
sync

# 2a/2b. kbuild's own (a no-op make, then an edit in place: one more
# line each rep) against ckpt in a fresh edited tree, EDIT_REPS times.
step "kbuild no-op make"
noop=$(secs "cd $U_TREE && $MAKE")
: > "$WORK/e_in"; : > "$WORK/e_r"; : > "$WORK/e_m"; : > "$WORK/e_t"; : > "$WORK/e_ratio"
: > "$WORK/sf"
same_ours=yes
k=0
while [ "$k" -lt "$EDIT_REPS" ]; do
	k=$((k + 1)); f=$WORK/f$k
	secs "cd $f && $CKPT status -d $T_TREE/.ckpt" >> "$WORK/sf"
	if [ $((k % 2)) -eq 1 ]; then order="I C"; else order="C I"; fi
	for m in $order; do
		case $m in
		I) step "edit $k: kbuild in place"; edit "$U_TREE"
		   inplace=$(secs "cd $U_TREE && $MAKE > $WORK/inplace.log 2>&1") ;;
		C) step "edit $k: fresh tree, ckpt restore + make"
		   ours_r=$(secs "cd $f && $CKPT restore -d $T_TREE/.ckpt > $WORK/restore.log 2>&1")
		   ours_m=$(secs "cd $f && $MAKE > $WORK/ours.log 2>&1") ;;
		esac
	done
	cmp -s "$U_TREE/vmlinux" "$f/vmlinux" || same_ours=NO
	tot=$(echo "$ours_r $ours_m" | awk '{ printf "%.3f", $1 + $2 }')
	say "edit $k ($order): in place ${inplace}s; ckpt restore ${ours_r}s + make ${ours_m}s = ${tot}s"
	echo "$inplace" >> "$WORK/e_in"; echo "$ours_r" >> "$WORK/e_r"
	echo "$ours_m" >> "$WORK/e_m"; echo "$tot" >> "$WORK/e_t"
	ratio "$tot" "$inplace" >> "$WORK/e_ratio"
done
inplace=$(median < "$WORK/e_in")
# 2c. copy-everything, once.
step "copy-everything: fresh tree, restore, make"
theirs_r=$(secs "cd $WORK/fce && bash -c '
	set +e; diff -ur $WORK/cb/sources ./ > $WORK/sources.patch; set -e
	shopt -s dotglob; rm -r *
	rsync --checksum --times --atimes --chmod=+w -r $WORK/cb/outputs/ .
	patch -p 1 -i $WORK/sources.patch'")
theirs_m=$(secs "cd $WORK/fce && $MAKE > $WORK/theirs.log 2>&1")
cmp -s "$U_TREE/vmlinux" "$WORK/fce/vmlinux" && same_theirs=yes || same_theirs=NO
# 2d. ccache: a clean build fills the cache; a fresh edited tree at
# another path uses it (CCACHE_BASEDIR makes the paths relative).
if [ -z "${NOCCACHE:-}" ]; then
	export CCACHE_DIR=$WORK/ccache CCACHE_BASEDIR=$WORK CCACHE_NOHASHDIR=1
	step "ccache: filling the cache with a clean build"
	cold=$(secs "cd $WORK/c1 && $MAKE CC='ccache gcc'")
	step "ccache: fresh tree, hot cache"
	hot=$(secs "cd $WORK/fcc && $MAKE CC='ccache gcc' > $WORK/ccache.log 2>&1")
	cmp -s "$U_TREE/vmlinux" "$WORK/fcc/vmlinux" && same_cc=yes || same_cc=NO
	ccrow="| fresh tree, ccache hot (cold fill: $cold s) | - | $hot | $hot | $(ratio "$hot" "$inplace") | $(nsteps "$WORK/ccache.log") | $same_cc |"
fi

sum() { echo "$1 $2" | awk '{ printf "%.2f", $1 + $2 }'; }
cat <<OUT

bench-kernel: linux-source-6.1, tinyconfig x86_64 ($nsrc files in the configured tree), make -j$JOBS, $REPS pair(s), $(nproc) cores, load at the end: $(cut -d' ' -f1-3 /proc/loadavg)

| clean build | wall s, median | wall ratio, median (range) | CPU ratio, median (range) |
|---|---|---|---|
| untraced | $(median < "$WORK/cu") | 1 | 1 |
| ckpt record (traced, then saved) | $(median < "$WORK/ct") | $(median < "$WORK/rw") ($(range < "$WORK/rw")) | $(median < "$WORK/rc") ($(range < "$WORK/rc")) |
| ckpt record less its save | | $(median < "$WORK/rs") ($(range < "$WORK/rs")) | |

Same vmlinux traced and untraced: $same_clean. The save at the end of
\`ckpt record\` (included above): $saved. Checkpoint: $ck KiB
($(awk "BEGIN { printf \"%.1f\", $ck / 1024 }") MiB); copy-everything (sources + whole build directory): $cb KiB
($(awk "BEGIN { printf \"%.0f\", $cb / 1024 }") MiB), $(ratio "$cb" "$ck")x larger.
\`ckpt status\`, nothing changed: $(median < "$WORK/st") s in the recorded tree (stat data), $(median < "$WORK/sf") s in a fresh edited tree (every input hashed); KBUILD_BUILD_USER changed: $(median < "$WORK/se") s. kbuild no-op make: $noop s.

One-file edit ($EDIT); ckpt and in place: medians of $EDIT_REPS reps (ranges in brackets), the ratio the median of each rep's own:

| rebuild | restore s | make s | total s | / in-place | kbuild steps | vmlinux = in-place |
|---|---|---|---|---|---|---|
| kbuild in place (the original tree) | - | $inplace ($(range < "$WORK/e_in")) | $inplace | 1 | $(nsteps "$WORK/inplace.log") | - |
| fresh tree, ckpt restore + make | $(median < "$WORK/e_r") ($(range < "$WORK/e_r")) | $(median < "$WORK/e_m") ($(range < "$WORK/e_m")) | $(median < "$WORK/e_t") | $(median < "$WORK/e_ratio") ($(range < "$WORK/e_ratio")) | $(nsteps "$WORK/ours.log") | $same_ours |
| fresh tree, copy-everything + make | $theirs_r | $theirs_m | $(sum "$theirs_r" "$theirs_m") | $(ratio "$(sum "$theirs_r" "$theirs_m")" "$inplace") | $(nsteps "$WORK/theirs.log") | $same_theirs |
${ccrow:-}

ckpt restore said: $(tail -n 1 "$WORK/restore.log")
OUT
