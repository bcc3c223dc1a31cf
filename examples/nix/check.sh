#!/bin/sh
# check.sh - `make check-nix`: the checkpointBuildTools drop-in under real
# nix-build (Debian's nix-bin, no nixpkgs). For each scenario, an
# incremental derivation built from the checkpoint of the original
# sources must equal a plain derivation build of the changed sources, and
# run only the expected steps:
#   A. edit a .c file: its compile, the archive and the link;
#   B. remove a source and its Makefile entry: gone from archive and program;
#   C. add a source, change a binary asset, edit through a symlink and a
#      top-level dotfile.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$TOP/examples/nix
W=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-nix.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT
command -v nix-build >/dev/null || { echo "nix-build missing: make deps-nix" >&2; exit 1; }
unset MAKEFLAGS MAKELEVEL MFLAGS

nb() { # nb ATTR OUT ARGS...: nix-build of test.nix, log in OUT.log
	_a=$1 _o=$2; shift 2
	nix-build "$HERE/test.nix" -A "$_a" -o "$W/$_o" --argstr ckpt "$TOP/build" \
		--option sandbox false --option build-users-group "" \
		--option substituters "" "$@" > "$W/$_o.log" 2>&1 ||
		{ tail -30 "$W/$_o.log"; fail "nix-build $_a ($_o) failed"; }
	# The build's own log, also when the result was already in the store.
	nix-store -l "$(readlink "$W/$_o")" > "$W/$_o.log" 2>/dev/null || true
}
fail() { echo "check-nix: FAIL: $*" >&2; exit 1; }
steps() { # the recipe lines make ran in a build log
	sed -n '/^phase: build$/,/^phase: postBuild$/p' "$1" | grep -v '^phase:' |
		grep -v "^make\|is up to date" | sort
}
expect_steps() { # expect_steps NAME LINE...
	_n=$1; shift
	: > "$W/$_n.want"
	for l in "$@"; do printf '%s\n' "$l" >> "$W/$_n.want"; done
	sort -o "$W/$_n.want" "$W/$_n.want"
	steps "$W/$_n-inc.log" > "$W/$_n.ran"
	cmp -s "$W/$_n.want" "$W/$_n.ran" ||
		fail "$_n: steps differ: $(diff "$W/$_n.want" "$W/$_n.ran")"
}
same_as_plain() { # same_as_plain NAME: incremental output == plain build
	diff -r --no-dereference "$W/$1-inc/" "$W/$1-plain/" > "$W/$1.diff" ||
		fail "$1: the incremental build differs from a plain one: $(head -20 "$W/$1.diff")"
}
scenario() { # scenario NAME PROJECT EDIT
	_n=$1 _p=$2 _e=$3
	echo "== $_n"
	rm -rf "$W/$_n.orig" "$W/$_n.new"
	cp -a "$TOP/examples/$_p" "$W/$_n.orig"
	cp -a "$TOP/examples/$_p" "$W/$_n.new"
	(cd "$W/$_n.new" && $_e)
	nb checkpoint "$_n-ckpt" --arg src "$W/$_n.orig" --argstr name "$_n"
	nb incremental "$_n-inc" --arg src "$W/$_n.new" --arg base "$W/$_n.orig" --argstr name "$_n"
	nb plain "$_n-plain" --arg src "$W/$_n.new" --argstr name "$_n"
	same_as_plain "$_n"
	grep -o "ckpt: restored.*" "$W/$_n-inc.log"
	# The checkpoint holds no copy of the sources.
	for f in $(cd "$W/$_n.orig" && find . -name '*.c'); do
		[ ! -e "$W/$_n-ckpt/$f" ] || fail "$_n: the checkpoint holds $f"
	done
}

edit_a() { sed -i 's/return a + b;/return a + b + 1;/' util.c; }
scenario A basic edit_a
expect_steps A "cc -O2 -Ioverride -Iinclude -c -o util.o util.c" \
	"ar rcs libutil.a util.o extra.o" "cc -o prog main.o libutil.a"
# Unchanged objects kept their content: they are the checkpoint's (each
# stored as a zstd frame, small ones in a pack; binary outputs are
# restored as recorded, not relocated).
command -v zstdcat >/dev/null || fail "zstdcat missing (Debian: zstd)"
for o in main.o extra.o; do
	h=$(sha256sum < "$W/A-inc/$o")
	obj=$(zstd -dcfq < "$W/A-ckpt/manifest" | grep "^f O .* $o\$" | cut -d' ' -f3)
	c=$(sh "$TOP/tests/object-cat.sh" "$W/A-ckpt" "$obj" | sha256sum) ||
		fail "A: no object for $o"
	[ "$c" = "$h" ] || fail "A: $o is not the checkpoint's"
done

edit_b() {
	rm extra.c
	sed -i 's/^LIBOBJS = util.o extra.o/LIBOBJS = util.o/' Makefile
	sed -i 's/, extra_twice(21)/, 42/' main.c
}
scenario B basic edit_b
[ "$(ar t "$W/B-inc/libutil.a")" = util.o ] || fail "B: extra.o still in the archive"
nm "$W/B-inc/prog" | grep -q extra_twice && fail "B: extra_twice still linked"
[ -e "$W/B-inc/extra.o" ] && fail "B: extra.o restored"

edit_c() {
	printf 'int added(void)\n{\n\treturn 7;\n}\n' > src/added.c
	printf '\377\376new asset' > asset.bin
	sed -i 's/REAL_FACTOR 3/REAL_FACTOR 5/' include/real.h
	echo 'banner from nix' > .banner
}
scenario C wild edit_c
[ -L "$W/C-inc/src/link.h" ] || fail "C: the symlink is not a symlink"
"$W/C-inc/app" | grep -q "banner from nix" || fail "C: the dotfile change is lost"
nm "$W/C-inc/app" | grep -q added || fail "C: the added source is not built"

echo "check-nix: all passed"
