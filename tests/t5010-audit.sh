#!/bin/sh
# ckpt audit finds, with the right job: a read of $HOME/.something, an
# environment variable, a static tool, a write/write conflict, a read
# before write race, a header make does not know; a clean build, none.
# (Environment variables are seen when a program calls getenv(); a shell
# expanding $VAR reads its environ directly, which no tracer can see.)
# File names that are not UTF-8 give valid JSON (audit, status, graph),
# each stray byte as \udcXX, which Python's surrogateescape gives back.
. "$(dirname "$0")/lib.sh"

mkdir clean && cd clean
cat > Makefile <<'MK'
CC = cc
prog: main.o util.o
	$(CC) -o $@ main.o util.o
main.o: main.c util.h
	$(CC) -c -o $@ main.c
util.o: util.c util.h
	$(CC) -c -o $@ util.c
MK
printf '#include "util.h"\nint main(void){return util();}\n' > main.c
printf '#include "util.h"\nint util(void){return 0;}\n' > util.c
printf 'int util(void);\n' > util.h
check $CKPT record -- make -s
check $CKPT audit --json > audit.json
python3 - <<'PY' || fail "clean build: audit is not as expected"
import json
a = json.load(open("audit.json"))
assert a["hazards"] == [], a["hazards"]
assert a["untraced"] == [], a["untraced"]
assert a["home"] == [], a["home"]
srcs = {s["path"] for s in a["sources"]}
assert {"main.c", "util.c", "util.h", "Makefile"} <= srcs, srcs
assert any(h["path"].endswith("/stdio.h") or h["path"].startswith("/usr/")
           for h in a["system_headers"] + a["programs"]), "no externals"
PY
$CKPT audit --missing-deps > missing.txt || fail "missing-deps failed"
grep -q "no missing dependencies" missing.txt || fail "clean: $(cat missing.txt)"
cd ..

mkdir bad && cd bad
export HOME="$TRASH/home"
mkdir -p "$HOME" && echo 'secret' > "$HOME/.buildrc"
cat > static.c <<'C'
#include <stdio.h>
int main(int argc, char **argv) { FILE *f = fopen(argv[1], "w"); fputs("x\n", f); return fclose(f); }
C
cc -static -o tool static.c 2>/dev/null || skip "no static libc"
cat > Makefile <<'MK'
all: out.txt dup.txt race.txt prog lib.lo
out.txt:
	./tool out.txt
conf.txt:
	cat $(HOME)/.buildrc > conf.txt
dup.txt: conf.txt
	echo one > dup.txt; echo two > dup.tmp
dup2: conf.txt
	echo two > dup.txt
race.txt: dup2 early.txt
	echo new > stamp.txt; cp stamp.txt race.txt
early.txt:
	cat stamp.txt > early.txt
prog: main.c
	cc -o prog main.c
	./prog > ver.txt || true
lib.lo: lib.c
	cc -c -o lib.tmp.o lib.c
	mv lib.tmp.o lib.lo
MK
printf '#include "libpriv.h"\n#include "libpriv2.h"\nint lib(void) { return LIBV; }\n' > lib.c
printf '#define LIBV 2\n' > libpriv.h
: > libpriv2.h
cat > main.c <<'C'
#include "hidden.h"
#include <stdlib.h>
int main(void) { return getenv("BUILD_VERSION") ? HIDDEN : 1; }
C
printf '#define HIDDEN 0\n' > hidden.h
echo old > stamp.txt
check $CKPT record -- make -s
check $CKPT audit --json > audit.json
$CKPT audit > audit.txt || fail "audit failed"
python3 - <<'PY' || fail "audit misses a finding (see audit.json)"
import json
a = json.load(open("audit.json"))
jobs = {j["id"]: j["command"] for j in a["jobs"]}
def cmd(i): return jobs[i]
home = [h for h in a["home"] if h["path"].endswith("/.buildrc")]
assert home and any("buildrc" in cmd(j) for j in home[0]["jobs"]), a["home"]
ut = [u for u in a["untraced"] if u["path"].endswith("/tool")]
assert ut and "static" in ut[0]["reason"] and "static" in ut[0]["elf"] and "./tool" in cmd(ut[0]["job"]), a["untraced"]
env = {e["name"] for e in a["environment"]}
assert "BUILD_VERSION" in env, env
kinds = {(h["kind"], h["path"]) for h in a["hazards"]}
assert ("write_write", "dup.txt") in kinds, kinds
rbw = [h for h in a["hazards"] if h["kind"] == "read_before_write"]
assert [h["path"] for h in rbw] == ["stamp.txt"], rbw
assert "cat stamp.txt" in cmd(rbw[0]["jobs"][0]), cmd(rbw[0]["jobs"][0])
assert "echo new" in cmd(rbw[0]["jobs"][1]), cmd(rbw[0]["jobs"][1])
ww = [h for h in a["hazards"] if h["kind"] == "write_write" and h["path"] == "dup.txt"][0]
cmds = " / ".join(cmd(j) for j in ww["jobs"])
assert "echo one" in cmds and "echo two" in cmds, cmds
PY
grep -q "dup.txt is written by two jobs" audit.txt || fail "text report lacks the conflict"
$CKPT audit --missing-deps > missing.txt || fail "missing-deps failed"
grep -q "^prog: missing prerequisite hidden.h" missing.txt ||
	fail "hidden.h not reported: $(cat missing.txt)"
grep -q "missing prerequisite main.c" missing.txt && fail "main.c is a known prerequisite: $(cat missing.txt)"
# lib.lo is moved from what the line before compiled: that line's
# inputs are lib.lo's (zlib's objs/x.o, then mv to x.lo). One line a
# target and command.
grep -qx "lib.lo: missing prerequisites libpriv.h, libpriv2.h (read by: cc -c -o lib.tmp.o lib.c)" missing.txt ||
	fail "libpriv.h not reported for lib.lo: $(cat missing.txt)"
grep -q "missing prerequisite lib.c" missing.txt && fail "lib.c is a known prerequisite: $(cat missing.txt)"
cd ..

# --missing-deps on what automake and libtool make of a build: the
# outputs of configure (not run by a make) and the dependency files that
# are targets of a rule of their own (.Plo) are not targets to check; an
# output of the recipe that wrote a known prerequisite is known (libtool's
# .libs/x.o beside x.lo); a make that ran in a directory gone since
# (configure's conftest.dir) is skipped without a word. What is left is
# the inputs make does not know: the link's map file, and the script a
# recipe runs without listing it (ver.sh, a source). The libtool script
# configure wrote, which every libtool target runs and none lists, is
# one line for all of them, not one a target (85 lines for xz).
mkdir am && cd am
cat > configure <<'SH'
mkdir conftest.dir && printf 'all:\n\t@true\n' > conftest.dir/Makefile &&
	(cd conftest.dir && make -s) && rm -r conftest.dir
cat Makefile.in > Makefile && cat config.h.in > config.h
printf 'exec "$@"\n' > libtool
SH
cat > Makefile.in <<'MK'
all: prog ver.h
.deps/x.Plo:
	mkdir -p .deps && echo '# dummy' > $@
include .deps/x.Plo
x.lo: x.c
	mkdir -p .libs && $(SHELL) ./libtool cc -MD -MT x.lo -MF .deps/x.Plo -c -o .libs/x.o x.c && echo x > x.lo
y.lo: y.c
	mkdir -p .libs && $(SHELL) ./libtool cc -c -o .libs/y.o y.c && echo y > y.lo
prog: x.lo y.lo
	cc -Wl,--version-script=prog.map -o prog .libs/x.o
ver.h:
	sh ./ver.sh > ver.h
MK
printf '#include "config.h"\nint main(void) { return 0; }\n' > x.c
echo '#define X 1' > config.h.in
echo '{ global: main; local: *; };' > prog.map
echo 'echo "#define V 1"' > ver.sh
echo 'int y;' > y.c
check $CKPT record -- sh -c 'sh ./configure && make -s'
$CKPT audit --missing-deps > missing.txt 2> missing.err || fail "missing-deps failed"
expect_eq "missing-deps stderr" "" "$(cat missing.err)"
expect_eq "missing-deps" "prog: missing prerequisite prog.map (read by: cc -Wl,--version-script=prog.map -o prog .libs/x.o)
ver.h: missing prerequisite ver.sh (read by: /bin/sh -c 'sh ./ver.sh > ver.h')
libtool: run by 2 targets that do not list it, written by a command no make ran (sh ./configure): make does not rebuild them when it changes" \
	"$(cat missing.txt)"
$CKPT audit --missing-deps --json > missing.json || fail "missing-deps --json failed"
python3 - missing.json <<'PY' || fail "missing-deps --json: $(cat missing.json)"
import json, sys
v = json.load(open(sys.argv[1]))
progs = sorted(e["target"] for e in v if e.get("program"))
assert progs == ["x.lo", "y.lo"], progs
assert all(e["missing"] == "libtool" for e in v if e.get("program")), v
others = sorted(e["missing"] for e in v if not e.get("program"))
assert others == ["prog.map", "ver.sh"], others
PY
cd ..

# make -pq is given the variables the recorded make was (git's NO_PERL=1
# picks a branch of its Makefile).
mkdir vars && cd vars
cat > Makefile <<'MK'
ifdef USE_A
out.txt: a.in
	test -e /dev/ckpt-probe || cat /dev/null a.in > out.txt
else
out.txt: b.in
	cp b.in out.txt
endif
MK
echo a > a.in && echo b > b.in
check $CKPT record -- make USE_A=1
$CKPT audit --missing-deps > missing.txt 2>&1 || fail "missing-deps failed"
grep -q "^no missing dependencies" missing.txt || fail "vars: $(cat missing.txt)"
# A /dev path only looked for is no input; one read is.
$CKPT audit > audit.txt 2>&1 || fail "audit failed"
grep -q "/dev/ckpt-probe" audit.txt && fail "audit lists a path only looked for: $(cat audit.txt)"
grep -q "/dev/null .*read by 1 job" audit.txt || fail "audit omits /dev/null: $(cat audit.txt)"
cd ..

# configure's dummy .deps/x.Po, then the compile's: written by two jobs,
# but one ran before any make: no race under -j, no hazard; nor when a
# make configure ran wrote it (automake 1.16's config.status runs `make
# -f - am--depfiles`). Two recipes of make writing one file still are.
mkdir deps && cd deps
printf 'mkdir -p .deps && echo "# dummy" > .deps/x.Po\n' > configure
cat >> configure <<'SH'
printf '.deps/y.Po:\n\t@echo dummy > $@\n' | make -s -f - .deps/y.Po
SH
printf 'all: x.o y.o dup\nx.o: x.c\n\tcc -MD -MF .deps/x.Po -c x.c\ny.o: x.c\n\tcc -MD -MF .deps/y.Po -c -o y.o x.c\ndup:\n\techo 1 > dup.txt\n\techo 2 > dup.txt\n' > Makefile
printf 'x:\n\techo 3 > dup.txt\n' >> Makefile
sed -i 's/^all: x.o y.o dup$/all: x.o y.o dup x/' Makefile
echo 'int x;' > x.c
check $CKPT record -- sh -c 'sh ./configure && make -s'
check $CKPT audit --json > audit.json
python3 - audit.json <<'PY' || fail "deps hazards: $(cat audit.json)"
import json, sys
a = json.load(open(sys.argv[1]))
paths = [h["path"] for h in a["hazards"] if h["kind"] == "write_write"]
assert ".deps/x.Po" not in paths, paths
assert ".deps/y.Po" not in paths, paths
assert "dup.txt" in paths, paths
PY
cd ..

# The make whose database counts is the one that read the directory's
# makefile, with its variables: not the shell that ran it (its script
# word was given to make -pq as a variable), nor a make of another
# makefile there first (configure's `make -f conftest.make`).
mkdir byshell && cd byshell
printf 'all:\n\t@true\n' > probe.mk
cat > Makefile <<'MK'
ifdef X
out.txt: in.txt
endif
out.txt:
	cat in.txt > out.txt
MK
echo a > in.txt
check $CKPT record -- sh -c 'make -s -f probe.mk && make -s X=1'
$CKPT audit --missing-deps > missing.txt 2>&1 || fail "missing-deps failed"
grep -q "^no missing dependencies" missing.txt || fail "byshell: $(cat missing.txt)"
cd ..

# In a copy of the tree, make is asked there, not in the recorded tree
# (which may be gone): the copy's Makefile lists extra, the recorded
# one's does not.
mkdir copy.orig
printf 'out: in\n\tcat in extra > out\n' > copy.orig/Makefile
echo in > copy.orig/in && echo extra > copy.orig/extra
cp -a copy.orig copy.fresh
(cd copy.orig && $CKPT record -- make -s) > copy.log 2>&1 || fail "record: $(cat copy.log)"
(cd copy.orig && $CKPT audit --missing-deps) > copy.log 2>&1 || fail "missing-deps: $(cat copy.log)"
grep -q "^out: missing prerequisite extra" copy.log || fail "copy.orig: $(cat copy.log)"
printf 'out: in extra\n\tcat in extra > out\n' > copy.fresh/Makefile
mv copy.orig copy.moved
(cd copy.fresh && $CKPT audit -d ../copy.moved/.ckpt --missing-deps) > copy.log 2>&1 ||
	fail "missing-deps in a copy: $(cat copy.log)"
grep -q "^no missing dependencies" copy.log || fail "copy.fresh: $(cat copy.log)"

# A directory's makefile made again with other variables (zstd's lib/
# with BUILD_DIR=...) has rules the first make does not: each set of
# variables is asked, and their rules merged. (make -q runs a $(MAKE)
# line itself only in a recipe it would run: not out's, up to date.)
mkdir again && cd again
cat > Makefile <<'MK'
out: in
	cat in > out
	$(MAKE) -s X=1 out2
ifdef X
out2: in2
endif
out2:
	cat in2 > out2
MK
echo a > in && echo b > in2
check $CKPT record -- make -s
$CKPT audit --missing-deps > missing.txt 2>&1 || fail "missing-deps failed"
grep -q "^no missing dependencies" missing.txt || fail "again: $(cat missing.txt)"
cd ..

# `make -C sub` starts where it was run and reads sub/Makefile: asked
# there, with its variables.
mkdir dashc && mkdir dashc/sub && cd dashc
printf 'ifdef X\nout: in\nendif\nout:\n\tcat in > out\n' > sub/Makefile
echo a > sub/in
check $CKPT record -- make -s -C sub X=1
$CKPT audit --missing-deps > missing.txt 2>&1 || fail "missing-deps failed: $(cat missing.txt)"
grep -q "^no missing dependencies" missing.txt || fail "dashc: $(cat missing.txt)"
cd ..

# A target out of date after every build (bash's .build, whose recipe
# only prints a banner) comes first: make -pq stopped at it and never
# searched the suffix rule for a.o, whose a.c was then reported missing.
mkdir banner && cd banner
cat > Makefile <<'MK'
all: banner prog
banner: prog.h
	@echo building
prog: a.o
	cc -o prog a.o
.c.o:
	cc -c $<
a.o: prog.h
MK
echo 'int main(void) { return 0; }' > a.c && : > prog.h
check $CKPT record -- make -s
$CKPT audit --missing-deps > missing.txt 2>&1 || fail "missing-deps failed"
grep -q "^no missing dependencies" missing.txt || fail "banner: $(cat missing.txt)"
cd ..

# A name with a byte 0xff (not UTF-8) and one in UTF-8 (passed through).
mkdir names && cd names
printf 'a\n' > "$(printf 'n\377.txt')"
printf 'b\n' > "$(printf 'caf\303\251.txt')"
check $CKPT record -- sh -c 'cat n*.txt caf*.txt > out.txt'
printf 'c\n' > "$(printf 'n\377.txt')"
check $CKPT audit --json > audit.json
check $CKPT status --json > status.json
check $CKPT graph --json > graph.json
python3 - <<'PY' || fail "names not UTF-8: $(od -c audit.json status.json | head -40)"
import json
def load(name):		# strict: the bytes must be UTF-8 JSON
	return json.loads(open(name, "rb").read())
def raw(s):
	return s.encode("utf-8", "surrogateescape")
odd, cafe = b"n\xff.txt", "caf\u00e9.txt".encode()
a = load("audit.json")
srcs = {raw(s["path"]) for s in a["sources"]}
assert odd in srcs and cafe in srcs, srcs
assert b'\\udcff' in open("audit.json", "rb").read()
s = load("status.json")
assert [raw(p) for p in s["modified"]] == [odd], s
assert [raw(p) for p in s["affected"]] == [b"out.txt"], s
g = load("graph.json")
files = {raw(n["label"]) for n in g["nodes"] if n["kind"] == "file"}
assert odd in files and cafe in files, files
PY
cd "$TRASH"

# --missing-deps: a file the recipe reads (conv.awk) in a line whose
# output a later line moves to the target, with a line between that
# writes nothing (libpng's `rm -f $*.tf1`), is named; a file an earlier
# line of the recipe wrote (x.tf1) is the recipe's own, not named.
mkdir tf && cd tf
echo 'int x;' > x.c && echo 'int y;' > y.c && echo '{ print "/* " $0 " */" }' > conv.awk
cat > Makefile <<'MK'
all: x.out y.out
.SUFFIXES: .c .out .ou2
.c.out:
	awk -f conv.awk $< > $*.tf2
	true
	mv $*.tf2 $@
.c.ou2:
	cat $< > $*.tf1
	awk -f conv.awk $*.tf1 > $*.tf2
	mv $*.tf2 $@
MK
sed -i 's/^all: x.out y.out$/all: x.out y.ou2/' Makefile
check $CKPT record -- make -s
check $CKPT audit --missing-deps > md.txt
grep -q "^x.out: missing prerequisite conv.awk" md.txt || fail "missing-deps past a line that writes nothing: $(cat md.txt)"
grep -q "^y.ou2: missing prerequisite conv.awk" md.txt || fail "missing-deps: $(cat md.txt)"
grep -q "missing prerequisite y.tf1" md.txt && fail "missing-deps names the recipe's own file: $(cat md.txt)"
cd "$TRASH"

# CMake's layout: the top Makefile's `all` waits on a phony check before
# `$(MAKE) -f sub.mk`, so make -pq of it never printed sub.mk's rules, and
# the -f make in the same directory was not asked: "make knows every
# in-tree input of every target". A make of a makefile on its standard
# input (config.status's `make -f -`) cannot be asked: its targets are
# said to be unchecked.
mkdir -p cm/build && cd cm
printf 'all: check_build_system\n\t$(MAKE) -f sub.mk out.o\ncheck_build_system:\n\ttrue\n.PHONY: all check_build_system\n' > build/Makefile
printf 'out.o: ../main.c\n\tcc -c -o out.o ../main.c\n' > build/sub.mk
echo '#include "hdr.h"' > main.c && echo 'int x;' > hdr.h
check $CKPT record -- make -s -C build
check $CKPT audit --missing-deps > md.txt
grep -qx "build/out.o: missing prerequisite hdr.h (read by: cc -c -o out.o ../main.c)" md.txt ||
	fail "missing-deps of a -f make: $(cat md.txt)"
cd "$TRASH" && mkdir stdin && cd stdin
printf 'y.out:\n\techo y > y.out\n' > Makefile
check $CKPT record -- sh -c "make -s && printf 'x.out:\\n\\techo x > x.out\\n' | make -s -f -"
check $CKPT audit --missing-deps > md.txt < /dev/null
grep -qx "no missing dependencies found; 1 target that make built is not in the rules make -pq printed, and was not checked" md.txt ||
	fail "missing-deps of a make -f -: $(cat md.txt)"
# A prerequisite make reaches through another (zsh's zsh.h through
# zsh.mdh; rsync's *.c through proto.h-tstamp) is known to it: an edit
# remakes the one between, and then the target. Order-only is not.
cd "$TRASH" && mkdir reach && cd reach
printf 'prog: prog.c gen.h | dir\n\tcc -o prog prog.c\ngen.h: base.h\n\techo "#include \\"base.h\\"" > gen.h\ndir:\n\tmkdir -p dir\n' > Makefile
printf '#include "gen.h"\n#include "dir/d.h"\nint main(void) { return X; }\n' > prog.c
echo '#define X 0' > base.h
mkdir dir && echo 'int d;' > dir/d.h
check $CKPT record -- make -s
check $CKPT audit --missing-deps > md.txt
grep -q "base.h" md.txt && fail "missing-deps names base.h, which make reaches through gen.h: $(cat md.txt)"
grep -qx "prog: missing prerequisite dir/d.h (read by: cc -o prog prog.c)" md.txt ||
	fail "missing-deps through an order-only prerequisite: $(cat md.txt)"
pass
