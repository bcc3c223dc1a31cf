#!/bin/sh
# check.sh - `make check-autotools`: ckpt on a real autotools project, GNU
# hello 2.10 (autoconf 2.69, automake 1.15, gnulib), configured and built
# under `ckpt record -- sh -c './configure && make'`. For a .c edit, a
# gnulib header edit and an edit of a library source: a fresh tree at
# another path, restored from the checkpoint, must run exactly the
# commands that make's own incremental build of the recorded tree, edited
# in place, runs, and end with the same `hello`, which must also be what a
# clean `./configure && make` of the edited tree builds. AUTOTOOLS_WORK
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
[ "${KEEP:-0}" = 1 ] || rm -rf "$W"
echo "check-autotools: all passed"
