#!/bin/sh
# check.sh - `make check-autotools`: ckpt on a real autotools project, GNU
# hello 2.10 (autoconf 2.69, automake 1.15, gnulib), configured and built
# under `ckpt record -- sh -c './configure && make'`. For a .c edit, a
# gnulib header edit and an edit of a library source: a fresh tree at
# another path, restored from the checkpoint, must run exactly the
# commands that make's own incremental build of the recorded tree, edited
# in place, runs, and end with the same `hello`, which must also be what a
# clean `./configure && make` of the edited tree builds. Then the same
# through a checkpoint chained with `record --from`. AUTOTOOLS_WORK
# (default /tmp/ckpt-autotools) holds the trees; KEEP=1 keeps them.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CKPT=$TOP/build/ckpt
export CKPT_LIB=$TOP/build/libckpt.so
TARBALL=${HELLO_TARBALL:-/var/cache/ckpt/hello_2.10.orig.tar.gz}
W=${AUTOTOOLS_WORK:-/tmp/ckpt-autotools}
JOBS=${JOBS:-$(nproc)}
# No -g: the binaries then name no directory, and trees at other paths
# build the same bytes.
BUILD="./configure -q CFLAGS=-O2 && make -j$JOBS V=1"
unset MAKEFLAGS MAKELEVEL MFLAGS
[ -f "$TARBALL" ] || { echo "no $TARBALL: run make deps-autotools" >&2; exit 1; }

step() { printf '\n[%s] == %s\n' "$(date +%T)" "$*"; }
die() { echo "check-autotools: FAIL: $*" >&2; exit 1; }
unpack() { rm -rf "$1" && mkdir -p "$1" && tar xzf "$TARBALL" -C "$1" --strip-components=1; }
# The commands a make log shows (make's own chatter out), sorted.
commands() { grep -v -e '^make' -e '^Making ' -e '^$' "$1" | sort; }

rm -rf "$W" && mkdir -p "$W"
step "recording a clean build (ckpt record -- sh -c '$BUILD')"
unpack "$W/a"
(cd "$W/a" && "$CKPT" record -- sh -c "$BUILD") > "$W/record.log" 2>&1 ||
	{ tail -30 "$W/record.log"; die "the recorded build failed"; }
tail -n 1 "$W/record.log"

# Each edit names the files it changes, so that the recorded tree can be
# put back after its in-place build.
edit_c() { sed -i 's/Hello, world!/Hello, checkpoint!/' src/hello.c; }
files_c=src/hello.c
edit_h() { sed -i '$a /* ckpt check */' lib/progname.h; }
files_h=lib/progname.h
edit_lib() { sed -i 's/memory exhausted/out of memory/' lib/xalloc-die.c; }
files_lib=lib/xalloc-die.c

scenario() { # scenario NAME EDIT FILES
	name=$1 edit=$2 files=$3
	step "$name: fresh tree, ckpt restore, make"
	unpack "$W/fresh"
	(cd "$W/fresh" && $edit) || die "$name: edit"
	(cd "$W/fresh" && "$CKPT" restore -d "$W/a/.ckpt") > "$W/$name.restore.log" 2>&1 ||
		{ cat "$W/$name.restore.log"; die "$name: restore failed"; }
	cat "$W/$name.restore.log"
	(cd "$W/fresh" && make -j"$JOBS" V=1) > "$W/$name.fresh.log" 2>&1 ||
		{ tail -20 "$W/$name.fresh.log"; die "$name: make after restore failed"; }
	step "$name: make's incremental build of the recorded tree, edited in place"
	mkdir -p "$W/saved"
	for f in $files; do cp "$W/a/$f" "$W/saved/$(echo "$f" | tr / _)"; done
	(cd "$W/a" && $edit && make -j"$JOBS" V=1) > "$W/$name.inplace.log" 2>&1 ||
		{ tail -20 "$W/$name.inplace.log"; die "$name: in-place make failed"; }
	commands "$W/$name.inplace.log" > "$W/$name.inplace.cmds"
	commands "$W/$name.fresh.log" > "$W/$name.fresh.cmds"
	echo "in place make ran $(wc -l < "$W/$name.inplace.cmds") command lines; the restored tree $(wc -l < "$W/$name.fresh.cmds")"
	grep -q . "$W/$name.inplace.cmds" || die "$name: the edit rebuilt nothing in place"
	if ! cmp -s "$W/$name.inplace.cmds" "$W/$name.fresh.cmds"; then
		diff "$W/$name.inplace.cmds" "$W/$name.fresh.cmds" | head -40
		die "$name: the restored tree did not run exactly make's incremental commands"
	fi
	cmp -s "$W/a/hello" "$W/fresh/hello" || die "$name: hello differs from make's own"
	step "$name: a clean ./configure && make of the edited tree"
	unpack "$W/clean"
	(cd "$W/clean" && $edit && sh -c "$BUILD") > "$W/$name.clean.log" 2>&1 ||
		{ tail -20 "$W/$name.clean.log"; die "$name: clean build failed"; }
	cmp -s "$W/clean/hello" "$W/fresh/hello" || die "$name: hello differs from a clean build's"
	echo "$name: ok (same commands as in place, same hello as in place and as a clean build)"
	step "$name: undoing the edit in the recorded tree"
	for f in $files; do cat "$W/saved/$(echo "$f" | tr / _)" > "$W/a/$f"; done
	(cd "$W/a" && make -j"$JOBS") > "$W/$name.undo.log" 2>&1 ||
		{ tail -20 "$W/$name.undo.log"; die "$name: make after undoing the edit failed"; }
}

scenario c-edit edit_c "$files_c"
scenario h-edit edit_h "$files_h"
scenario lib-edit edit_lib "$files_lib"

# Chaining: make in a restored tree recorded on top of the checkpoint
# (--from), then a second edit restored from that one: the library edit's
# commands again, and the hello of a clean build with both edits.
step "chain: the .c edit restored and its make recorded with --from; then the library edit"
unpack "$W/fresh"
(cd "$W/fresh" && edit_c && "$CKPT" restore -d "$W/a/.ckpt" &&
	"$CKPT" record --from "$W/a/.ckpt" -d "$W/ck2" -- make -j"$JOBS" V=1) > "$W/chain.record.log" 2>&1 ||
	{ tail -20 "$W/chain.record.log"; die "chain: restore and record --from failed"; }
tail -n 1 "$W/chain.record.log"
unpack "$W/fresh2"
(cd "$W/fresh2" && edit_c && edit_lib && "$CKPT" restore -d "$W/ck2" &&
	make -j"$JOBS" V=1) > "$W/chain.fresh.log" 2>&1 ||
	{ tail -20 "$W/chain.fresh.log"; die "chain: restore from the chained checkpoint and make failed"; }
grep -v '^ckpt:' "$W/chain.fresh.log" > "$W/chain.make.log"
commands "$W/chain.make.log" > "$W/chain.fresh.cmds"
if ! cmp -s "$W/lib-edit.inplace.cmds" "$W/chain.fresh.cmds"; then
	diff "$W/lib-edit.inplace.cmds" "$W/chain.fresh.cmds" | head -40
	die "chain: the library edit did not run make's incremental commands"
fi
unpack "$W/clean"
(cd "$W/clean" && edit_c && edit_lib && sh -c "$BUILD") > "$W/chain.clean.log" 2>&1 ||
	{ tail -20 "$W/chain.clean.log"; die "chain: clean build failed"; }
cmp -s "$W/clean/hello" "$W/fresh2/hello" || die "chain: hello differs from a clean build's"
echo "chain: ok (the library edit's commands, the same hello as a clean build)"
[ "${KEEP:-0}" = 1 ] || rm -rf "$W"
echo "check-autotools: all passed"
