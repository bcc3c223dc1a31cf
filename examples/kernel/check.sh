#!/bin/sh
# check.sh - `make check-kernel`: ckpt on a real kernel (Debian's
# linux-source-6.1, tinyconfig, x86_64). Records a clean build; then, for
# a .c edit, a header edit and a .config change: a fresh tree restored from
# the checkpoint must rebuild exactly the CC/LD/AR steps that kbuild's own
# incremental build of the recorded tree, edited in place, runs, and end
# with the same vmlinux and bzImage; and the same through a checkpoint
# chained with `record --from`, as when bisecting. KERNEL_WORK (default
# /tmp/ckpt-kernel) holds the trees; KEEP=1 keeps them.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CKPT=$TOP/build/ckpt
export CKPT_LIB=$TOP/build/libckpt.so
TARBALL=${TARBALL:-/usr/src/linux-source-6.1.tar.xz}
K=${KERNEL_WORK:-/tmp/ckpt-kernel}
JOBS=${JOBS:-$(nproc)}
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=ckpt KBUILD_BUILD_HOST=ckpt KBUILD_BUILD_VERSION=1
# Configure, then `make syncconfig`, in every tree, with the same ARCH as
# the build: `make tinyconfig` leaves include/config/auto.conf from its
# first pass, older than .config, and the first build's syncconfig then
# rewrites files that were there before it. ckpt keeps such files as the
# user's (restore never writes them) and compares them with what the build
# left: a fresh tree that only ran tinyconfig differs, and everything would
# be rebuilt (correct, not precise; docs/kernel.md).
export ARCH=x86_64
unset MAKEFLAGS MAKELEVEL MFLAGS
[ -f "$TARBALL" ] || { echo "no $TARBALL: run make deps-kernel" >&2; exit 1; }

step() { printf '\n[%s] == %s\n' "$(date +%T)" "$*"; }
die() { echo "check-kernel: FAIL: $*" >&2; exit 1; }
unpack() { # unpack DIR: a pristine, configured tree
	rm -rf "$1" && mkdir -p "$1"
	tar xf "$TARBALL" -C "$1" --strip-components=1
	(cd "$1" && make tinyconfig && make syncconfig) >/dev/null 2>&1 ||
		die "tinyconfig in $1"
}
steps() { # the kbuild steps a make log shows, sorted
	grep -E '^  (CC|LD|AR|AS|HOSTCC|HOSTLD|CPP|OBJCOPY|GEN|UPD|SYNC|BUILD)[ ]' "$1" |
		grep -v 'CHK' | sed 's/  */ /g' | sort
}

rm -rf "$K" && mkdir -p "$K"
step "unpacking and configuring the recorded tree"
unpack "$K/a"
step "recording a clean build (ckpt record -- make -j$JOBS)"
t0=$(date +%s)
(cd "$K/a" && "$CKPT" record -- make -j"$JOBS") > "$K/record.log" 2>&1 ||
	{ tail -30 "$K/record.log"; die "the recorded build failed"; }
echo "recorded in $(( $(date +%s) - t0 )) s; $(tail -n 1 "$K/record.log")"
du -sh "$K/a/.ckpt"

# Each edit names the files it changes, so that the recorded tree can be
# put back after its in-place build.
edit_c() { sed -i '$a /* ckpt check */' kernel/panic.c; }
files_c=kernel/panic.c
edit_h() { sed -i '$a /* ckpt check */' include/linux/delay.h; }
files_h=include/linux/delay.h
edit_config() { ./scripts/config --enable CONFIG_PRINTK; }
files_config=.config

# same_as_in_place NAME TREE: TREE's make ($K/NAME.fresh.log) ran the
# steps kbuild ran in place ($K/NAME.inplace.log), and built the same
# vmlinux and bzImage as the recorded tree.
same_as_in_place() {
	steps "$K/$1.inplace.log" > "$K/$1.inplace.steps"
	steps "$K/$1.fresh.log" > "$K/$1.fresh.steps"
	echo "kbuild in place ran $(wc -l < "$K/$1.inplace.steps") steps; the restored tree $(wc -l < "$K/$1.fresh.steps")"
	if ! cmp -s "$K/$1.inplace.steps" "$K/$1.fresh.steps"; then
		diff "$K/$1.inplace.steps" "$K/$1.fresh.steps" | head -40
		die "$1: the restored tree did not run exactly kbuild's incremental steps"
	fi
	for f in vmlinux arch/x86/boot/bzImage; do
		cmp -s "$K/a/$f" "$2/$f" || die "$1: $f differs from kbuild's own"
	done
	echo "$1: ok (same steps, same vmlinux and bzImage)"
}

scenario() { # scenario NAME EDIT FILES [last]
	name=$1 edit=$2 files=$3
	step "$name: fresh tree, ckpt restore, make"
	unpack "$K/fresh"
	(cd "$K/fresh" && $edit) || die "$name: edit"
	t0=$(date +%s.%N)
	(cd "$K/fresh" && "$CKPT" restore -d "$K/a/.ckpt") > "$K/$name.restore.log" 2>&1 ||
		{ cat "$K/$name.restore.log"; die "$name: restore failed"; }
	t1=$(date +%s.%N)
	(cd "$K/fresh" && make -j"$JOBS") > "$K/$name.fresh.log" 2>&1 ||
		{ tail -20 "$K/$name.fresh.log"; die "$name: make after restore failed"; }
	t2=$(date +%s.%N)
	cat "$K/$name.restore.log"
	echo "restore $(echo "$t0 $t1" | awk '{printf "%.2f", $2-$1}') s, make $(echo "$t1 $t2" | awk '{printf "%.1f", $2-$1}') s"
	# kbuild's own incremental build: the recorded tree, edited in place
	# (a copy elsewhere would not do: tools/objtool's build names its
	# directory, and a copy rebuilds objtool and with it everything).
	step "$name: kbuild's incremental build of the recorded tree, edited in place"
	mkdir -p "$K/saved"
	for f in $files; do cp "$K/a/$f" "$K/saved/$(echo "$f" | tr / _)"; done
	t0=$(date +%s.%N)
	(cd "$K/a" && $edit && make -j"$JOBS") > "$K/$name.inplace.log" 2>&1 ||
		{ tail -20 "$K/$name.inplace.log"; die "$name: in-place make failed"; }
	t1=$(date +%s.%N)
	echo "in place: make $(echo "$t0 $t1" | awk '{printf "%.1f", $2-$1}') s"
	same_as_in_place "$name" "$K/fresh"
	cp "$K/fresh/vmlinux" "$K/$name.vmlinux"
	[ "${4:-}" = last ] && return	# nothing uses the recorded tree after
	step "$name: undoing the edit in the recorded tree"
	for f in $files; do cat "$K/saved/$(echo "$f" | tr / _)" > "$K/a/$f"; done
	(cd "$K/a" && make -j"$JOBS") > "$K/$name.undo.log" 2>&1 ||
		{ tail -20 "$K/$name.undo.log"; die "$name: make after undoing the edit failed"; }
}

scenario c-edit edit_c "$files_c"
scenario h-edit edit_h "$files_h"

# Chaining, as when bisecting: the .c edit restored in a fresh tree and
# its make recorded on top of the checkpoint (--from); then a tree with
# both edits restored from that checkpoint must run the steps kbuild runs
# for the header edit in the recorded tree with the .c edit already built.
step "chain: the .c edit restored, its make recorded with --from"
unpack "$K/fresh"
(cd "$K/fresh" && edit_c && "$CKPT" restore -d "$K/a/.ckpt" &&
	"$CKPT" record --from "$K/a/.ckpt" -d "$K/ck2" -- make -j"$JOBS") > "$K/chain.record.log" 2>&1 ||
	{ tail -20 "$K/chain.record.log"; die "chain: restore and record --from failed"; }
tail -n 1 "$K/chain.record.log"
step "chain: both edits in a fresh tree, restored from the chained checkpoint"
rm -rf "$K/fresh"
unpack "$K/fresh2"
(cd "$K/fresh2" && edit_c && edit_h && "$CKPT" restore -d "$K/ck2") > "$K/chain.restore.log" 2>&1 ||
	{ cat "$K/chain.restore.log"; die "chain: restore failed"; }
(cd "$K/fresh2" && make -j"$JOBS") > "$K/chain.fresh.log" 2>&1 ||
	{ tail -20 "$K/chain.fresh.log"; die "chain: make after restore failed"; }
step "chain: in place, the .c edit built, then the header edit"
(cd "$K/a" && edit_c && make -j"$JOBS" && edit_h) > /dev/null 2>&1 &&
	(cd "$K/a" && make -j"$JOBS") > "$K/chain.inplace.log" 2>&1 ||
	{ tail -20 "$K/chain.inplace.log"; die "chain: in-place make failed"; }
same_as_in_place chain "$K/fresh2"
rm -rf "$K/fresh2" "$K/ck2"
step "chain: undoing both edits in the recorded tree"
for f in $files_c $files_h; do cat "$K/saved/$(echo "$f" | tr / _)" > "$K/a/$f"; done
(cd "$K/a" && make -j"$JOBS") > "$K/chain.undo.log" 2>&1 ||
	{ tail -20 "$K/chain.undo.log"; die "chain: make after undoing the edits failed"; }

scenario config edit_config "$files_config" last

step "a clean build of the .c-edited tree: in place == clean"
unpack "$K/clean"
(cd "$K/clean" && edit_c && make -j"$JOBS") > "$K/clean.log" 2>&1 || die "clean build"
cmp -s "$K/clean/vmlinux" "$K/c-edit.vmlinux" || die "vmlinux of a clean build differs"
echo "clean build of the edited tree: same vmlinux"
[ "${KEEP:-0}" = 1 ] || rm -rf "$K"
echo "check-kernel: all passed"
