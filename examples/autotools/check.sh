#!/bin/sh
# check.sh - `make check-autotools`: ckpt on two real autotools projects,
# each configured and built under `ckpt record -- sh -c './configure &&
# make'`: GNU hello 2.10 (autoconf 2.69, automake 1.15, gnulib) and libogg
# 1.3.5 (automake 1.16, libtool, a shared library). For each edit, a fresh
# tree at another path, restored from the checkpoint, must run exactly
# the commands that make's own incremental build of the recorded tree,
# edited in place, runs, and end with the same binary, which must also be
# what a clean `./configure && make` of the edited tree builds. Then the
# same through a checkpoint chained with `record --from`. AUTOTOOLS_WORK
# (default /tmp/ckpt-autotools) holds the trees; KEEP=1 keeps them.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CKPT=$TOP/build/ckpt
export CKPT_LIB=$TOP/build/libckpt.so
CACHE=${CKPT_CACHE:-/var/cache/ckpt}
WORK=${AUTOTOOLS_WORK:-/tmp/ckpt-autotools}
JOBS=${JOBS:-$(nproc)}
# No -g: the binaries then name no directory, and trees at other paths
# build the same bytes. MAKE is how each project's incremental build runs.
AUTOTOOLS_BUILD="./configure -q CFLAGS=-O2 && make -j$JOBS V=1"
unset MAKEFLAGS MAKELEVEL MFLAGS

step() { printf '\n[%s] == %s\n' "$(date +%T)" "$*"; }
die() { echo "check-autotools: FAIL: $*" >&2; exit 1; }
unpack() { rm -rf "$1" && mkdir -p "$1" && tar xf "$TARBALL" -C "$1" --strip-components=1; }
# The commands a make log shows, sorted: make's own chatter out, and
# libtool's removal of the outputs a link replaces, which exist in place
# and were removed (invalid) in a restored tree.
# CMake's progress percentages, which -j orders differently, are cut.
commands() {
	grep -v -e '^make' -e '^Making ' -e '^$' -e '^libtool: link: rm -fr ' "$1" |
		sed 's/^\[ *[0-9]*%\] //' | sort
}

# record NAME TARBALL BINARY BUILD MAKE: the project's recorded tree, $W/a
record() {
	NAME=$1 TARBALL=$CACHE/$2 BIN=$3 BUILD=$4 MAKE=$5 W=$WORK/$1
	[ -f "$TARBALL" ] || die "no $TARBALL: run make deps-autotools"
	step "$NAME: recording a clean build (ckpt record -- sh -c '$BUILD')"
	unpack "$W/a"
	(cd "$W/a" && "$CKPT" record -- sh -c "$BUILD") > "$W/record.log" 2>&1 ||
		{ tail -30 "$W/record.log"; die "$NAME: the recorded build failed"; }
	tail -n 1 "$W/record.log"
}

# clean_same LABEL DIR EDIT...: a clean ./configure && make of the tree
# with the edits builds DIR's binary.
clean_same() {
	label=$1 dir=$2; shift 2
	unpack "$W/clean"
	(cd "$W/clean" && for e in "$@"; do $e; done && sh -c "$BUILD") > "$W/$label.clean.log" 2>&1 ||
		{ tail -20 "$W/$label.clean.log"; die "$label: clean build failed"; }
	cmp -s "$W/clean/$BIN" "$dir/$BIN" || die "$label: $BIN differs from a clean build's"
}

same_commands() { # same_commands LABEL INPLACE.cmds FRESH.log
	commands "$3" > "$W/$1.fresh.cmds"
	echo "in place make ran $(wc -l < "$2") command lines; the restored tree $(wc -l < "$W/$1.fresh.cmds")"
	grep -q . "$2" || die "$1: the edit rebuilt nothing in place"
	if ! cmp -s "$2" "$W/$1.fresh.cmds"; then
		diff "$2" "$W/$1.fresh.cmds" | head -40
		die "$1: the restored tree did not run exactly make's incremental commands"
	fi
}

scenario() { # scenario LABEL EDIT FILES
	label=$NAME-$1 edit=$2 files=$3
	step "$label: fresh tree, ckpt restore, make"
	unpack "$W/fresh"
	(cd "$W/fresh" && $edit) || die "$label: edit"
	(cd "$W/fresh" && "$CKPT" restore -d "$W/a/.ckpt") > "$W/$label.restore.log" 2>&1 ||
		{ cat "$W/$label.restore.log"; die "$label: restore failed"; }
	cat "$W/$label.restore.log"
	(cd "$W/fresh" && $MAKE) > "$W/$label.fresh.log" 2>&1 ||
		{ tail -20 "$W/$label.fresh.log"; die "$label: make after restore failed"; }
	step "$label: make's incremental build of the recorded tree, edited in place"
	mkdir -p "$W/saved"
	for f in $files; do cp "$W/a/$f" "$W/saved/$(echo "$f" | tr / _)"; done
	(cd "$W/a" && $edit && $MAKE) > "$W/$label.inplace.log" 2>&1 ||
		{ tail -20 "$W/$label.inplace.log"; die "$label: in-place make failed"; }
	commands "$W/$label.inplace.log" > "$W/$label.inplace.cmds"
	same_commands "$label" "$W/$label.inplace.cmds" "$W/$label.fresh.log"
	cmp -s "$W/a/$BIN" "$W/fresh/$BIN" || die "$label: $BIN differs from make's own"
	step "$label: a clean ./configure && make of the edited tree"
	clean_same "$label" "$W/fresh" "$edit"
	echo "$label: ok (same commands as in place, same $BIN as in place and as a clean build)"
	step "$label: undoing the edit in the recorded tree"
	for f in $files; do cat "$W/saved/$(echo "$f" | tr / _)" > "$W/a/$f"; done
	(cd "$W/a" && $MAKE) > "$W/$label.undo.log" 2>&1 ||
		{ tail -20 "$W/$label.undo.log"; die "$label: make after undoing the edit failed"; }
}

# chain FIRST SECOND: FIRST restored in a fresh tree and its make recorded
# with --from; then a tree with both edits restored from that checkpoint
# must run SECOND's commands in place (its scenario's) and build a clean
# build's binary.
chain() {
	label=$NAME-chain
	step "$label: $1 restored and its make recorded with --from; then $2 as well"
	unpack "$W/fresh"
	(cd "$W/fresh" && $1 && "$CKPT" restore -d "$W/a/.ckpt" &&
		"$CKPT" record --from "$W/a/.ckpt" -d "$W/ck2" -- $MAKE) > "$W/$label.record.log" 2>&1 ||
		{ tail -20 "$W/$label.record.log"; die "$label: restore and record --from failed"; }
	tail -n 1 "$W/$label.record.log"
	unpack "$W/fresh2"
	(cd "$W/fresh2" && $1 && $2 && "$CKPT" restore -d "$W/ck2" &&
		$MAKE) > "$W/$label.fresh.log" 2>&1 ||
		{ tail -20 "$W/$label.fresh.log"; die "$label: restore from the chained checkpoint and make failed"; }
	grep -v '^ckpt:' "$W/$label.fresh.log" > "$W/$label.make.log"
	same_commands "$label" "$W/$NAME-$3.inplace.cmds" "$W/$label.make.log"
	clean_same "$label" "$W/fresh2" "$1" "$2"
	echo "$label: ok ($3's commands, the same $BIN as a clean build)"
}

rm -rf "$WORK" && mkdir -p "$WORK"

record hello hello_2.10.orig.tar.gz hello "$AUTOTOOLS_BUILD" "make -j$JOBS V=1"
hello_c() { sed -i 's/Hello, world!/Hello, checkpoint!/' src/hello.c; }
hello_h() { sed -i '$a /* ckpt check */' lib/progname.h; }
hello_lib() { sed -i 's/memory exhausted/out of memory/' lib/xalloc-die.c; }
scenario c-edit hello_c src/hello.c
scenario h-edit hello_h lib/progname.h
scenario lib-edit hello_lib lib/xalloc-die.c
chain hello_c hello_lib lib-edit

record libogg libogg_1.3.5.orig.tar.xz src/.libs/libogg.so.0.8.5 \
	"$AUTOTOOLS_BUILD" "make -j$JOBS V=1"
ogg_c() { sed -i '$a /* ckpt check */' src/framing.c; }
ogg_c2() { sed -i '$a /* ckpt check */' src/bitwise.c; }
ogg_h() { sed -i '$a /* ckpt check */' include/ogg/ogg.h; }
scenario c-edit ogg_c src/framing.c
scenario c2-edit ogg_c2 src/bitwise.c
scenario h-edit ogg_h include/ogg/ogg.h
chain ogg_c ogg_c2 c2-edit

# libogg again, its CMake build: Makefiles that CMake generates, with
# their own dependency files (compiler_depend.make, hard-included).
record libogg-cmake libogg_1.3.5.orig.tar.xz build/libogg.a \
	"cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && make -C build -j$JOBS" \
	"make -C build -j$JOBS --no-print-directory"
scenario c-edit ogg_c src/framing.c
scenario c2-edit ogg_c2 src/bitwise.c
scenario h-edit ogg_h include/ogg/ogg.h
chain ogg_c ogg_c2 c2-edit

[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
echo "check-autotools: all passed"
