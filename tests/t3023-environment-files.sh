#!/bin/sh
# Environment variables read without getenv by a script in a file that
# the recipe's argv does not name: one a shell sources (`. ./vars.sh`),
# one given on its standard input (`sh -s < in.sh`), one bash runs in a
# copy of itself (no #! line); and programs in files that walk the whole
# environment (Python's os.environ, Perl's %ENV, awk's ENVIRON: "*").
# Each restore is followed by make and compared with a clean build in the
# same environment.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS MAKEOVERRIDES GNUMAKEFLAGS PLACE UNRELATED
mkdir src
cat > src/Makefile <<'MK'
OUT = sourced.txt stdin.txt plain.txt py.txt pl.txt awk.txt data.txt \
	quiet.txt
all: $(OUT)
sourced.txt: vars.sh
	. ./vars.sh; echo "$$where" > sourced.txt
stdin.txt: in.sh
	sh -s < in.sh > stdin.txt
plain.txt: plain.sh
	bash -c ./plain.sh > plain.txt
py.txt: gen.py
	python3 gen.py > py.txt
pl.txt: gen.pl
	perl -w gen.pl > pl.txt
awk.txt: gen.awk
	awk -f gen.awk /dev/null > awk.txt
data.txt: big.bin
	wc -c < big.bin > data.txt
quiet.txt: quiet.sh
	. ./quiet.sh; echo "$$q" > quiet.txt
MK
echo 'where="at ${PLACE:-home}"' > src/vars.sh
echo 'echo "stdin ${PLACE:-none}"' > src/in.sh
printf 'echo "plain ${PLACE:-none}"\n' > src/plain.sh && chmod +x src/plain.sh
printf 'import os\nprint(os.environ.get("PLACE", "none"))\n' > src/gen.py
printf 'print(($ENV{PLACE} // "none") . "\\n");\n' > src/gen.pl
printf 'BEGIN { p = ENVIRON["PLACE"]; print (p == "" ? "none" : p) }\n' > src/gen.awk
# Data a redirection reads: binary, and over the size a script could be.
head -c 20000000 /dev/urandom > src/big.bin
echo 'q="quiet"' > src/quiet.sh
cp -a src orig && (cd orig && "$CKPT" record -- make) > rec.log 2>&1 ||
	fail "record: $(cat rec.log)"

# restore_in NAME ENV...: restore a fresh copy with ENV set, make there,
# compare with a clean build in the same environment; the outputs make
# wrote again are in NAME.jobs.
restore_in() {
	_n=$1; shift
	rm -rf "$_n" "$_n.oracle" && cp -a src "$_n" && cp -a src "$_n.oracle"
	(cd "$_n.oracle" && env "$@" make) > "$_n.oracle.log" 2>&1 ||
		fail "$_n: clean build"
	(cd "$_n" && env "$@" "$CKPT" restore -d ../orig/.ckpt) > "$_n.restore" 2>&1 ||
		fail "$_n: restore: $(cat "$_n.restore")"
	(cd "$_n" && env "$@" make) > "$_n.make" 2>&1 || fail "$_n: make"
	sed -n 's/.*> \([a-z]*\.txt\)$/\1/p' "$_n.make" | sort | tr '\n' ' ' > "$_n.jobs"
	for f in sourced stdin plain py pl awk data quiet; do
		cmp -s "$_n/$f.txt" "$_n.oracle/$f.txt" ||
			fail "$_n: $f.txt differs from a clean build's"
	done
}

restore_in same
expect_eq "same environment: rebuilt" "" "$(cat same.jobs)"
# PLACE is read by each but the data line and quiet.sh's.
restore_in place PLACE=here
expect_eq "PLACE: rebuilt" "awk.txt pl.txt plain.txt py.txt sourced.txt stdin.txt " \
	"$(cat place.jobs)"
grep -qx "at here" place/sourced.txt || fail "sourced.txt: $(cat place/sourced.txt)"
grep -qx here place/py.txt || fail "py.txt: $(cat place/py.txt)"
# A variable nothing names: only the programs that walk all of it.
restore_in unrelated UNRELATED=1
expect_eq "UNRELATED: rebuilt" "awk.txt pl.txt py.txt " "$(cat unrelated.jobs)"
pass
