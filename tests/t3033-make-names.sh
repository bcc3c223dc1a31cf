#!/bin/sh
# make reads every directory it looks in, so a name added to or removed
# from one changed an input of that make, and every job it ran was rebuilt:
# for a README, a patch's .orig, an editor's swap file. Only names make
# could use matter: those a glob of its makefiles matches, and those its
# implicit rules could take for a prerequisite of a file the build knew,
# or the name of such a file itself (a vpath shadowed). Every mtime is 1
# here (the Nix store's), so make's timestamps cannot cover for a change
# ckpt lets pass.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
P=$TRASH/names.src
mkdir -p "$P/data" && cat > "$P/Makefile" <<'MK'
VPATH = data
all: prog msg.out
prog: main.o tab.o
	cc -o $@ main.o tab.o
%.o: %.fast
	cc -x c -c -o $@ $<
msg.out: msg.txt
	cp $< $@
list: $(wildcard *.list)
	cat $^ > $@
MK
printf 'int tab(void);\nint main(void) { return tab(); }\n' > "$P/main.c"
echo 'int tab(void) { return 1; }' > "$P/tab.c"
echo hello > "$P/data/msg.txt"
echo notes > "$P/data/NOTES"
echo a > "$P/a.list"

# Names nothing takes: nothing to rebuild, and status says why.
mkdir unused && cd unused
edit() {
	echo x > README && echo x > main.c.orig && echo x > .main.c.swp &&
	echo x > data/notes.txt && mkdir newdir && rm data/NOTES
}
scenario "$P" edit mtime1
expect_jobs
expect_same
expect_status affected
expect_status listings . data
python3 -c 'import json, sys
got = [(l["path"], l["used"]) for l in json.load(open("status.json"))["listing_changes"]]
sys.exit(0 if got == [(".", False), ("data", False)] else "got %r" % (got,))' ||
	fail "status --json: listing_changes used"
(cd fresh && "$CKPT" status -d ../orig/.ckpt) > status.log 2>&1
grep -qx "  data: notes.txt added; NOTES removed (no glob or rule of make's takes these names)" status.log &&
	grep -qx "no output to rebuild" status.log || fail "status: $(cat status.log)"
cd "$TRASH"

# A name the build knew, in a directory before the one make found it in
# through VPATH: make takes the new one.
mkdir shadow && cd shadow
edit() { echo shadowed > msg.txt; }
scenario "$P" edit mtime1
expect_same
expect_eq "msg.out" shadowed "$(cat fresh/msg.out)"
cd "$TRASH"

# A prerequisite by a rule of the Makefile (`%.o: %.fast`), of an object
# the build made: make builds tab.o from it now.
mkdir rule && cd rule
edit() { echo 'int tab(void) { return 9; }' > tab.fast; }
scenario "$P" edit mtime1
expect_same
(cd fresh && ./prog); expect_eq "prog's status" 9 $?
cd "$TRASH"

# A name that a $(wildcard) of a recipe's prerequisites matches.
mkdir glob && cd glob
edit() { echo more > b.list; }
BUILD='make all list'
scenario "$P" edit mtime1
(cd fresh && make list) > list.log 2>&1 || fail "make list: $(cat list.log)"
expect_eq "list" "a
more" "$(cat fresh/list)"
(cd oracle && "$CKPT" status -d ../orig/.ckpt) > status.log 2>&1
grep -qx "  .: b.list added (a glob or rule of make's takes them: make all list)" status.log ||
	fail "status does not say which make takes b.list: $(cat status.log)"
cd "$TRASH"

# make's built-in suffix rules (`.y.c`: main.y would make main.c) count
# only while .SUFFIXES holds both suffixes, as automake's Makefiles
# leave it (`.SUFFIXES:` then `.SUFFIXES: .c .o`), and not with -r
# (kbuild's MAKEFLAGS += -rR); the file project's softmagic.y rebuilt 80
# outputs.
for how in default automake kbuild; do
	mkdir "sfx-$how" && cd "sfx-$how"
	S=$TRASH/sfx-$how.src
	mkdir -p "$S" && cp "$P/main.c" "$P/tab.c" "$S/"
	case $how in
	automake) printf '.SUFFIXES:\n.SUFFIXES: .c .o\n' > "$S/Makefile" ;;
	kbuild) printf 'MAKEFLAGS += -rR\n' > "$S/Makefile" ;;
	*) : > "$S/Makefile" ;;
	esac
	printf 'prog: main.o tab.o\n\tcc -o $@ main.o tab.o\nmain.o: main.c\n\tcc -c -o $@ main.c\ntab.o: tab.c\n\tcc -c -o $@ tab.c\n' >> "$S/Makefile"
	edit() { echo '%%' > main.y; }
	BUILD=make
	scenario "$S" edit mtime1
	expect_same
	(cd fresh && "$CKPT" status -d ../orig/.ckpt) > status.log 2>&1
	if [ $how = default ]; then
		grep -qx "  .: main.y added (a glob or rule of make's takes them: make)" status.log ||
			fail "$how: $(cat status.log)"
	else
		grep -qx "  .: main.y added (no glob or rule of make's takes these names)" status.log &&
			grep -qx "no output to rebuild" status.log || fail "$how: $(cat status.log)"
		expect_jobs
	fi
	cd "$TRASH"
done
pass
