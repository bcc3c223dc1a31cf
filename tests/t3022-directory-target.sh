#!/bin/sh
# A directory as make's target, filled by its own recipe: `mkdir -p site`
# (reads nothing, stays valid), then `cp ... site/`. An edit of a page
# invalidates the cp; if site were restored newer than the pages, make
# would find it up to date and never copy them again. A directory that an
# earlier line of the invalid line's recipe made is restored with the
# oldest mtime (the epoch), so make reruns the recipe. A directory that
# other recipes write into keeps its mtime: as a prerequisite, order-only
# (| obj) or not (obj), it rebuilds nothing, and a directory target whose
# recipe starts over (rm -rf) does not rerun and delete what was restored.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
P=$TOP/tests/trash/$TEST_NAME.src
trap 'rm -rf "$P"' EXIT

project() {	# $1: MAKEFLAGS for the recorded build and the ones after
	rm -rf "$P" && mkdir -p "$P/pages" || fail "mkdir"
	{
		[ -n "$1" ] && echo "MAKEFLAGS += $1"
		cat <<'MK'
all: site prog
site: pages/a.txt pages/b.txt
	mkdir -p site/sub
	cp pages/a.txt site/sub/
	cp pages/b.txt site/
obj:
	mkdir -p obj
obj/x.o: x.c | obj
	gcc -c -o obj/x.o x.c
obj/y.o: y.c obj | obj/x.o
	gcc -c -o obj/y.o y.c
prog: obj/x.o obj/y.o
	gcc -o prog obj/x.o obj/y.o
MK
	} > "$P/Makefile"
	# y.o after x.o: under -j2 x.o could be made in obj/ after y.o was
	# written, obj/ then newer than y.o, and make would rebuild y.o, in
	# place as after a restore (CI saw it once).
	echo a > "$P/pages/a.txt"
	echo b > "$P/pages/b.txt"
	echo 'int x(void) { return 1; }' > "$P/x.c"
	echo 'int x(void); int main(void) { return x(); }' > "$P/y.c"
}

for flags in "" -j2; do
	project "$flags"
	# A page two directories down: site/sub and site both get the epoch.
	edit() { echo A > pages/a.txt; }
	scenario "$P" edit
	expect_jobs "mkdir -p site/sub" "cp pages/a.txt site/sub/" \
		"cp pages/b.txt site/"
	expect_same
	for d in site site/sub; do
		grep -q "^ckpt: $d: given the epoch" restore.log ||
			fail "restore does not say that $d got the epoch: $(cat restore.log)"
	done
	# Every source has mtime 1, as in the Nix store: still older.
	cd "$TRASH" && rm -rf orig fresh oracle
	scenario "$P" edit mtime1
	expect_jobs "mkdir -p site/sub" "cp pages/a.txt site/sub/" \
		"cp pages/b.txt site/"
	expect_same
	cd "$TRASH" && rm -rf orig fresh oracle

	# obj/ holds the invalid obj/x.o and gets the epoch; `obj:` has no
	# prerequisite, and obj/y.o, which lists obj, is newer than it.
	edit() { echo 'int x(void) { return 2; }' > x.c; }
	scenario "$P" edit
	expect_jobs "gcc -c -o obj/x.o x.c" "gcc -o prog obj/x.o obj/y.o"
	expect_same
	grep -q "epoch" restore.log && fail "a directory got the epoch: $(cat restore.log)"
	[ "$(stat -c %Y fresh/site)" -gt 1 ] ||
		fail "site holds nothing invalid, yet got an old mtime"
	cd "$TRASH" && rm -rf orig fresh oracle
done

# Found by attacking an earlier form of the rule, which aged every
# directory holding an invalid output: recipes that start over.
project2() {	# $1: MAKEFLAGS
	rm -rf "$P" && mkdir -p "$P/pages" || fail "mkdir"
	{
		[ -n "$1" ] && echo "MAKEFLAGS += $1"
		cat <<'MK'
all: site/other.txt site/gen.txt prog
site: pages/a.txt
	rm -rf site
	mkdir site
	cp pages/a.txt site/
site/gen.txt: gen.in | site
	cp gen.in site/gen.txt
site/other.txt: other.in | site
	cp other.in site/other.txt
prog: build/x.o build/y.o
	gcc -o prog build/x.o build/y.o
build: config.mk
	rm -rf build
	mkdir build
build/%.o: %.c | build
	gcc -c -o $@ $<
MK
	} > "$P/Makefile"
	echo a > "$P/pages/a.txt"
	echo g > "$P/gen.in"
	echo o > "$P/other.in"
	echo 'CFLAGS = -O2' > "$P/config.mk"
	echo 'int x(void) { return 1; }' > "$P/x.c"
	echo 'int x(void); int main(void) { return x(); }' > "$P/y.c"
}
for flags in "" -j2; do
	project2 "$flags"
	edit() { echo G > gen.in; }
	scenario "$P" edit
	expect_jobs "cp gen.in site/gen.txt"
	expect_same
	cd "$TRASH" && rm -rf orig fresh oracle
	edit() { echo 'int x(void) { return 2; }' > x.c; }
	scenario "$P" edit
	expect_jobs "gcc -c -o build/x.o x.c" "gcc -o prog build/x.o build/y.o"
	expect_same
	cd "$TRASH" && rm -rf orig fresh oracle
done

# A long recipe: the invalid line is the seventh, six after the mkdir.
rm -rf "$P" && mkdir -p "$P/pages" || fail "mkdir"
{
	echo 'site: pages/a.txt pages/b.txt pages/c.txt pages/d.txt pages/e.txt pages/f.txt'
	echo '	mkdir -p site'
	for f in a b c d e f; do
		echo "$f" > "$P/pages/$f.txt"
		printf '\tcp pages/%s.txt site/\n' "$f"
	done
} > "$P/Makefile"
edit() { echo F > pages/f.txt; }
scenario "$P" edit
expect_jobs "mkdir -p site" "cp pages/a.txt site/" "cp pages/b.txt site/" \
	"cp pages/c.txt site/" "cp pages/d.txt site/" "cp pages/e.txt site/" \
	"cp pages/f.txt site/"
expect_same
pass
