#!/bin/sh
# Environment variables read without getenv by a script in a file that
# the recipe's argv does not name: one a shell sources (`. ./vars.sh`),
# one given on its standard input (`sh -s < in.sh`), one bash runs in a
# copy of itself (no #! line); and programs in files that index their
# language's environment object by name (Python's os.environ, awk's
# ENVIRON: that name) or walk it (Perl's %ENV copied whole: "*").
# Scripts and programs gone by the save: written by the job that ran them
# (a copy of a template; an awk program from a heredoc, as config.status
# makes), they use what their source names; written by another job
# (make's intermediate file), they could have used anything: "*".
# A file that such a job reads and removes, written by another job (the
# confinc.out of a make that automake 1.16's configure runs), has that
# job's variables, not all; one that no traced write made (a FIFO), none.
# C that a script writes in a heredoc, as configure does, is not taken
# for the shell's `set` (sigemptyset(&set)).
# And what libc reads itself: the locale (`wc -m` counts characters by
# it) and the time zone (find's local time).
# Each restore is followed by make and compared with a clean build in the
# same environment.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS MAKEOVERRIDES GNUMAKEFLAGS PLACE UNRELATED
# The interpreter itself: a python3 found through PATH may be a wrapper
# script (pyenv's shims are bash scripts, which walk the environment).
PY=$(python3 -c 'import sys; print(sys.executable)') || fail "python3"
mkdir src
{ echo "PY = $PY"; cat <<'MK'; } > src/Makefile
OUT = sourced.txt stdin.txt plain.txt py.txt pl.txt awk.txt data.txt \
	quiet.txt tmpsh.txt tmpawk.txt gone.txt both.txt tmpl.txt cprog.txt \
	conf.txt
all: $(OUT)
sourced.txt: vars.sh
	. ./vars.sh; echo "$$where" > sourced.txt
stdin.txt: in.sh
	sh -s < in.sh > stdin.txt
plain.txt: plain.sh
	bash -c ./plain.sh > plain.txt
py.txt: gen.py
	$(PY) gen.py > py.txt
pl.txt: gen.pl
	perl -w gen.pl > pl.txt
awk.txt: gen.awk
	awk -f gen.awk /dev/null > awk.txt
data.txt: big.bin
	wc -c < big.bin > data.txt
quiet.txt: quiet.sh
	. ./quiet.sh; echo "$$q" > quiet.txt
tmpsh.txt: gen.sh.in
	mkdir -p t1 && cp gen.sh.in t1/gen.sh && (sh t1/gen.sh; rm -r t1) > tmpsh.txt
tmpawk.txt: mkawk.sh
	sh mkawk.sh > tmpawk.txt
conf.txt: mkconf.sh
	sh mkconf.sh > conf.txt
cprog.txt: mkc.sh
	sh mkc.sh > cprog.txt
.INTERMEDIATE: gone.sh
gone.sh:
	printf 'echo gone\n' > gone.sh
gone.txt: gone.sh
	sh gone.sh > gone.txt
.INTERMEDIATE: gone2.sh
gone2.sh:
	printf 'echo gone2\n' > gone2.sh
tmpl.txt: run.tmpl
	mkdir -p t4 && sed s/X/Y/ run.tmpl > t4/r && (sh t4/r; rm -r t4) > tmpl.txt
both.txt: gen.sh.in gone2.sh
	mkdir -p t3 && cp gen.sh.in t3/g.sh && (sh t3/g.sh; rm -r t3; sh gone2.sh) > both.txt
MK
echo 'echo "tmp ${PLACE:-none}"' > src/gen.sh.in
echo 'echo "X ${PLACE:-none}"' > src/run.tmpl	# no #!, no .sh: a template
cat > src/mkawk.sh <<'SH'
mkdir -p t2
# A FIFO of its own, which no write the shim sees made (rsync's
# configure: conftest.fifi), read and removed with the rest.
mkfifo t2/f && dd if=t2/f iflag=nonblock count=0 2>/dev/null
cat > t2/p.awk <<'AWK'
BEGIN { p = ENVIRON["PLACE"]; print (p == "" ? "none" : p) }
AWK
awk -f t2/p.awk /dev/null
rm -r t2
SH
cat > src/mkconf.sh <<'SH'
mkdir -p t6 && printf 'echo conf\n' > t6/conftest.sh && sh t6/conftest.sh
printf 'all:\n\techo this is the am__doit target > confinc.out\n' > confinc.mk
make -s -f confinc.mk && cat confinc.out
rm -rf t6 confinc.out confinc.mk
SH
# C in a heredoc, as configure writes its tests (bash 5.2's): `&set` and
# `f(set)` are not the shell's set, which prints every variable.
cat > src/mkc.sh <<'SH'
cat > t5.c <<EOF
#include <signal.h>
int main(void) { sigset_t set; sigemptyset(&set); return f(set); }
EOF
wc -l < t5.c && rm t5.c
SH
echo 'where="at ${PLACE:-home}"' > src/vars.sh
echo 'echo "stdin ${PLACE:-none}"' > src/in.sh
printf 'echo "plain ${PLACE:-none}"\n' > src/plain.sh && chmod +x src/plain.sh
printf 'import os\nprint(os.environ.get("PLACE", "none"))\n' > src/gen.py
printf 'my %%e = %%ENV;\nprint(($e{PLACE} // "none") . "\\n");\n' > src/gen.pl
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
	for f in sourced stdin plain py pl awk data quiet tmpsh tmpawk gone both tmpl cprog conf; do
		cmp -s "$_n/$f.txt" "$_n.oracle/$f.txt" ||
			fail "$_n: $f.txt differs from a clean build's"
	done
}

restore_in same
expect_eq "same environment: rebuilt" "" "$(cat same.jobs)"
# PLACE is read by each but the data line and quiet.sh's.
restore_in place PLACE=here
expect_eq "PLACE: rebuilt" "awk.txt both.txt gone.txt pl.txt plain.txt py.txt sourced.txt stdin.txt tmpawk.txt tmpl.txt tmpsh.txt " \
	"$(cat place.jobs)"
grep -qx "at here" place/sourced.txt || fail "sourced.txt: $(cat place/sourced.txt)"
grep -qx here place/py.txt || fail "py.txt: $(cat place/py.txt)"
# A variable nothing names: only the program that walks all of it.
restore_in unrelated UNRELATED=1
# both.txt ran one script it wrote and one another job wrote: all.
expect_eq "UNRELATED: rebuilt" "both.txt gone.txt pl.txt " "$(cat unrelated.jobs)"

# setlocale(LC_ALL, "") and localtime read LC_ALL, LANG and TZ inside
# libc, where no getenv of ours sees them.
mkdir libc.src && cat > libc.src/Makefile <<'MK'
all: count.txt hour.txt
count.txt: u.txt
	wc -m < u.txt > count.txt
hour.txt:
	touch -d @0 stamp && find stamp -printf '%TH\n' > hour.txt
MK
printf 'h\303\251llo\n' > libc.src/u.txt
cp -a libc.src libc.orig && (cd libc.orig && LC_ALL=C TZ=UTC "$CKPT" record -- make) \
	> libc.log 2>&1 || fail "libc: record: $(cat libc.log)"
for v in LC_ALL=C LC_ALL=C.UTF-8 TZ=Asia/Tokyo; do
	rm -rf libc.fresh libc.oracle && cp -a libc.src libc.fresh &&
		cp -a libc.src libc.oracle
	case $v in TZ=*) set -- LC_ALL=C "$v" ;; *) set -- TZ=UTC "$v" ;; esac
	(cd libc.oracle && env "$@" make) > libc.log 2>&1 || fail "libc, $v: clean build"
	(cd libc.fresh && env "$@" "$CKPT" restore -d ../libc.orig/.ckpt &&
		env "$@" make) > libc.log 2>&1 || fail "libc, $v: $(cat libc.log)"
	ran=$(sed -n 's/.*> \([a-z]*\.txt\)$/\1/p' libc.log | tr '\n' ' ')
	case $v in
	LC_ALL=C) expect_eq "libc, $v: rebuilt" "" "$ran" ;;
	LC_ALL=*) expect_eq "libc, $v: rebuilt" "count.txt hour.txt " "$ran" ;;
	TZ=*) expect_eq "libc, $v: rebuilt" "hour.txt " "$ran" ;;
	esac
	for f in count.txt hour.txt; do
		cmp -s libc.fresh/$f libc.oracle/$f ||
			fail "libc, $v: $f differs from a clean build's"
	done
done
pass
