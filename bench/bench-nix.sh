#!/bin/sh
# bench-nix.sh - under real nix-build (Debian's nix-bin, the mini stdenv of
# examples/nix), on the same generated project: ckpt's drop-in for
# checkpointBuildTools (examples/nix/checkpoint-build.nix) against a
# re-implementation of nixpkgs' copy-everything original
# (examples/nix/checkpoint-build-copy.nix). The derivations are in
# bench/bench-nix.nix.
#
# 1. prepareCheckpointBuild of the original sources, both ways: the size of
#    each checkpoint in the store (du -sk, nix path-info -s/-S).
# 2. One .c edited: mkCheckpointBuild both ways, REPS times each in pairs of
#    alternating order (a `rep` attribute forces each rebuild). From each
#    build's log: the restore time as the tool reports it (ckpt's
#    "ckpt: restored ... in S s", the copy's "copy-restore: S s"), the same
#    span timed alike for both (from a timestamp just before the restore
#    step to the start of the build phase, "restore-wall: S s"), the steps
#    make ran; and the whole nix-build's wall time. Every result is
#    compared (diff -r) with a plain build of the changed sources.
# 3. Correctness only (ADDED=1): a source file added (picked up by the
#    Makefile's $(wildcard)), one build each way, against a plain build.
#
# Every derivation carries a salt unique to the run, so nothing comes from
# an earlier run's store paths; the outputs built are deleted from the
# store at the end (KEEP=1 keeps them and the work directory).
#
# Environment: REPS (5), NFILES (300), NHEADERS (100), JOBS (nproc: make
# -j inside the builds), ADDED (1).
. "$(dirname "$0")/lib.sh"
REPS=${REPS:-5}
NFILES=${NFILES:-300}
NHEADERS=${NHEADERS:-100}
ADDED=${ADDED:-1}
EDIT=src/d03/f0003.c
NIXFILE=$TOP/bench/bench-nix.nix
command -v nix-build >/dev/null || { say "nix-build missing: make deps-nix"; exit 1; }
[ "$NHEADERS" -ge 12 ] || { say "NHEADERS must be at least 12"; exit 1; }
SALT=$$.$(date +%s)
[ -n "${KEEP:-}" ] || trap 'cleanup_store; rm -rf "$WORK"' EXIT
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
BUILT=$WORK/built   # the store paths built, deleted at the end
: > "$BUILT"
cleanup_store() {
	[ -z "${KEEP:-}" ] || return 0
	rm -f "$WORK"/r-*
	# Incremental builds first: nothing refers to them.
	for p in $(tac "$BUILT"); do
		nix-store --delete "$p" > /dev/null 2>&1 || true
	done
}

# nb ATTR OUT SRC [NIX-BUILD ARGS...]: nix-build one attribute of
# bench-nix.nix (SRC the changed sources, base the original ones), result
# $WORK/r-OUT, nix-build's output in OUT.out, the build's log in OUT.log;
# prints the wall time. A failed build stops the benchmark, unless MAYFAIL
# is set: then nb returns 1 (the output is in OUT.out).
nb() {
	_a=$1 _o=$2 _s=$3; shift 3
	_cmd="nix-build $NIXFILE -A $_a -o $WORK/r-$_o --arg src $_s --arg base $WORK/orig"
	_cmd="$_cmd --argstr ckpt $TOP/build --argstr jobs $JOBS --argstr salt $SALT $*"
	_cmd="$_cmd --option sandbox false --option build-users-group '' --option substituters ''"
	if ! _t=$(timed "$_cmd > $WORK/$_o.out 2>&1" 2>/dev/null); then
		[ -z "${MAYFAIL:-}" ] || return 1
		tail -30 "$WORK/$_o.out" >&2
		say "bench-nix: nix-build $_a failed"
		exit 1
	fi
	grep -q "^building '" "$WORK/$_o.out" ||
		{ say "bench-nix: $_a ($_o) was not built, it came from the store"; exit 1; }
	readlink "$WORK/r-$_o" >> "$BUILT"
	nix-store -l "$(readlink "$WORK/r-$_o")" > "$WORK/$_o.log" 2>/dev/null
	echo "${_t%% *}"
}
# field LOG PATTERN: the number before " s" on the line matching PATTERN
field() { grep "$2" "$1" | tail -n 1 | awk '$NF == "s" { print $(NF - 1) }'; }
# steps LOG: "COMPILES ALL", the recipe lines make ran in the build phase
steps() {
	sed -n '/^phase: build$/,/^phase: postBuild$/p' "$1" |
		grep -v '^phase:\|^make\|is up to date\|^restore-wall:' > "$1.steps" || true
	echo "$(grep -c '^cc .* -c ' "$1.steps" || true) $(wc -l < "$1.steps")"
}
# same RESULT: yes if RESULT's tree is the plain build's, else NO (diff kept)
same() {
	if diff -r --no-dereference "$WORK/r-$1/" "$WORK/r-${2:-plain}/" > "$WORK/$1.diff" 2>&1; then
		echo yes
	else
		echo NO
	fi
}
kib() { du -sk "$1" | cut -f1; }
pathinfo() { # pathinfo STORE-PATH: "NAR-KiB CLOSURE-KiB" from nix path-info -sS
	nix --extra-experimental-features nix-command path-info -sS "$1" 2>/dev/null |
		awk '{ printf "%d %d\n", $2 / 1024, $3 / 1024 }' | grep . || echo "? ?"
}

python3 "$TOP/bench/gen-project.py" "$WORK/orig" "$NFILES" "$NHEADERS"
cp -a "$WORK/orig" "$WORK/new"
sed -i 's/^\tint r = x;$/\tint r = x + 1;/' "$WORK/new/$EDIT"
! cmp -s "$WORK/orig/$EDIT" "$WORK/new/$EDIT" || { say "the edit did not apply"; exit 1; }

say "bench-nix: $NFILES C files, $NHEADERS headers, make -j$JOBS, $REPS pairs, load $LOAD0"
say "building the checkpoints and a plain build of the changed sources (full builds)"
t_ck=$(nb ckptCheckpoint ck "$WORK/new"); say "  ckpt prepareCheckpointBuild: ${t_ck}s"
t_cb=$(nb copyCheckpoint cb "$WORK/new"); say "  copy prepareCheckpointBuild: ${t_cb}s"
t_pl=$(nb plain plain "$WORK/new"); say "  plain build of the changed sources: ${t_pl}s"
pl_steps=$(steps "$WORK/plain.log")
CK=$(readlink "$WORK/r-ck"); CB=$(readlink "$WORK/r-cb")

: > "$WORK/o.self"; : > "$WORK/o.wall"; : > "$WORK/o.nix"; : > "$WORK/o.steps"; : > "$WORK/o.same"
: > "$WORK/t.self"; : > "$WORK/t.wall"; : > "$WORK/t.nix"; : > "$WORK/t.steps"; : > "$WORK/t.same"
: > "$WORK/r.self"; : > "$WORK/r.wall"; : > "$WORK/r.nix"
inc() { # inc ours|copy I: one incremental build, its figures appended
	if [ "$1" = ours ]; then _a=ckptInc _k=o; else _a=copyInc _k=t; fi
	_n=$(nb "$_a" "$_k$2" "$WORK/new" --argstr rep "$2")
	_l=$WORK/$_k$2.log
	if [ "$1" = ours ]; then _s=$(field "$_l" "ckpt: restored"); else _s=$(field "$_l" "copy-restore:"); fi
	_w=$(field "$_l" "restore-wall:")
	[ -n "$_s" ] && [ -n "$_w" ] || { cat "$_l" >&2; say "bench-nix: no restore time in the log of $_a"; exit 1; }
	echo "$_n" >> "$WORK/$_k.nix"; echo "$_s" >> "$WORK/$_k.self"; echo "$_w" >> "$WORK/$_k.wall"
	steps "$_l" >> "$WORK/$_k.steps"
	same "$_k$2" >> "$WORK/$_k.same"
	say "  $_a $2: restore ${_s}s (self), ${_w}s (timed alike), nix-build ${_n}s, steps $(tail -n 1 "$WORK/$_k.steps"), same as plain: $(tail -n 1 "$WORK/$_k.same")"
}
say "incremental builds after editing $EDIT"
i=0
while [ "$i" -lt "$REPS" ]; do
	i=$((i + 1))
	if [ $((i % 2)) -eq 1 ]; then inc ours "$i"; inc copy "$i"; else inc copy "$i"; inc ours "$i"; fi
	for f in self wall nix; do
		ratio "$(sed -n "${i}p" "$WORK/t.$f")" "$(sed -n "${i}p" "$WORK/o.$f")" >> "$WORK/r.$f"
	done
done
# The edit reached the program: the copy checkpoint's prog is the old one.
changed=yes; cmp -s "$WORK/r-o1/prog" "$CB/outputs/prog" && changed=NO
# steps of every rep: the distinct "COMPILES ALL" pairs
stepsum() { sort -u "$1" | awk '{ printf "%s%s compile%s of %s steps", (NR > 1 ? "; " : ""), $1, ($1 == 1 ? "" : "s"), $2 }'; }
samesum() { echo "$(grep -c '^yes$' "$1" || true)/$(wc -l < "$1")"; }

# Correctness only: sources added. check NAME DESCRIPTION: the tree
# $WORK/NAME built plain, and from each checkpoint; one line of Markdown.
check() {
	_n=$1
	say "$2: one build each way, a plain build"
	nb plain "$_n-plain" "$WORK/$_n" > /dev/null
	_r=
	for _k in o t; do
		if [ $_k = o ]; then _a=ckptInc _w=ckpt; else _a=copyInc _w=copy-everything; fi
		if MAYFAIL=1 nb "$_a" "$_n-$_k" "$WORK/$_n" --argstr rep "$_n" > /dev/null; then
			_same=$(same "$_n-$_k" "$_n-plain")
			_r="$_r; $_w: identical $_same ($(steps "$WORK/$_n-$_k.log" | stepsum /dev/stdin))"
			[ "$_same" = yes ] || _r="$_r, diff -r: $(grep -c . "$WORK/$_n-$_k.diff") lines: \`$(head -n 3 "$WORK/$_n-$_k.diff" | sed "s|$WORK/||g" | tr '\n' ';' | sed 's/;$//')\`"
		else
			_r="$_r; $_w: **the build failed**: \`$(grep -v "build-users-group\|^error: builder" "$WORK/$_n-$_k.out" | tail -n 1)\`"
		fi
	done
	echo "| $2 | ${_r#; } |"
}
added=
if [ "$ADDED" = 1 ]; then
	ADD=src/d05/added.c
	for n in added added-edit; do
		rm -rf "$WORK/$n"; cp -a "$WORK/orig" "$WORK/$n"
		printf 'int added(int x)\n{\n\treturn x + 7;\n}\n' > "$WORK/$n/$ADD"
	done
	cp "$WORK/new/$EDIT" "$WORK/added-edit/$EDIT"
	l1=$(check added "a source added")
	l2=$(check added-edit "a source added and \`$EDIT\` edited")
	added="
Correctness only, one build each, against a plain build of the same tree (\`$ADD\` is picked up by the Makefile's \`\$(wildcard)\`):

| change | result |
|---|---|
$l1
$l2"
fi

# Sizes.
set -- $(pathinfo "$CK"); ck_nar=$1 ck_clo=$2
set -- $(pathinfo "$CB"); cb_nar=$1 cb_clo=$2
ck_du=$(kib "$CK"); cb_du=$(kib "$CB")
ck_man=$(kib "$CK/manifest"); ck_obj=$(kib "$CK/objects")
cb_src=$(kib "$CB/sources"); cb_out=$(kib "$CB/outputs")
ck_n=$(find "$CK" -type f | wc -l); cb_n=$(find "$CB" -type f | wc -l)
src_du=$(kib "$WORK/orig"); pl_du=$(kib "$WORK/r-plain/")
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
mo=$(median < "$WORK/o.nix"); mt=$(median < "$WORK/t.nix")

cat <<OUT

## Nix: ckpt's drop-in vs checkpointBuildTools

    sh bench/bench-nix.sh    # REPS=$REPS NFILES=$NFILES NHEADERS=$NHEADERS JOBS=$JOBS

Real \`nix-build\` (Nix $(nix-build --version | awk '{ print $NF }'), no sandbox, the mini stdenv of \`examples/nix\`) of a project from \`bench/gen-project.py\`: $NFILES C files, $NHEADERS headers, a library and a program; make -j$JOBS inside the builds; $(nproc) cores; load average before: $LOAD0, after: $LOAD1. ckpt is \`examples/nix/checkpoint-build.nix\`; copy-everything is \`examples/nix/checkpoint-build-copy.nix\`, nixpkgs' checkpointBuildTools re-implemented step for step (sources/ and outputs/ copies; diff -ur, rm -r, rsync --checksum, patch -p1).

| checkpoint in the store | du -sk KiB | NAR KiB (path-info -s) | closure KiB (-S) | files |
|---|---|---|---|---|
| ckpt (manifest $ck_man KiB, objects $ck_obj KiB) | $ck_du | $ck_nar | $ck_clo | $ck_n |
| copy-everything (sources/ $cb_src KiB, outputs/ $cb_out KiB) | $cb_du | $cb_nar | $cb_clo | $cb_n |
| copy-everything / ckpt | $(ratio "$cb_du" "$ck_du") | $(ratio "$cb_nar" "$ck_nar") | | |
| for scale: the sources; a plain build's output (sources + build products) | $src_du; $pl_du | | | |

Full builds, one each: ckpt's prepareCheckpointBuild (traced) ${t_ck} s, copy-everything's ${t_cb} s, a plain build ${t_pl} s ($(echo $pl_steps | awk '{ print $1 }') compiles).

One \`.c\` edited (\`$EDIT\`: \`r = x\` → \`r = x + 1\`), mkCheckpointBuild both ways, $REPS pairs in alternating order:

| incremental build | ckpt median s | ckpt range s | copy median s | copy range s | copy / ckpt, median of pair ratios (range) |
|---|---|---|---|---|---|
| restore, as each reports it (ckpt: \`ckpt: restored … in S s\`; copy: date before diff, after patch) | $(median < "$WORK/o.self") | $(range < "$WORK/o.self") | $(median < "$WORK/t.self") | $(range < "$WORK/t.self") | $(median < "$WORK/r.self") ($(range < "$WORK/r.self")) |
| restore, timed alike (preBuild's start to the build phase's) | $(median < "$WORK/o.wall") | $(range < "$WORK/o.wall") | $(median < "$WORK/t.wall") | $(range < "$WORK/t.wall") | $(median < "$WORK/r.wall") ($(range < "$WORK/r.wall")) |
| the whole nix-build | $mo | $(range < "$WORK/o.nix") | $mt | $(range < "$WORK/t.nix") | $(median < "$WORK/r.nix") ($(range < "$WORK/r.nix")) |

Steps make ran: ckpt $(stepsum "$WORK/o.steps"); copy-everything $(stepsum "$WORK/t.steps") (expected: 1 compile, the archive, the link). Identical (diff -r) to a plain build of the changed sources: ckpt $(samesum "$WORK/o.same"), copy-everything $(samesum "$WORK/t.same"); the edit changed the program: $changed.
$added
OUT
