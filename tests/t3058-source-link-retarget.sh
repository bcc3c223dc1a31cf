#!/bin/sh
# A symbolic link among the sources that names another file now, with
# the same bytes behind it: what copies the link itself (`cp -P`) or
# asks where it leads (`realpath`) does something else, though every
# file it leads to reads the same. Likewise a file that became a link,
# and a link that became a file. A copy of the tree that holds the same
# links, or an absolute link into the tree made again in a tree
# elsewhere, changes nothing; nor does make's own look at a link.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

mkdir a && cd a || fail "mkdir"
cat > Makefile <<'MK'
all: copy where plain-copy link-copy abs-copy read.txt
copy: cur
	cp -P cur copy
where: cur
	realpath --relative-to=. cur > where
plain-copy: plain
	cp -P plain plain-copy
link-copy: was-link
	cp -P was-link link-copy
abs-copy: abs
	cp -P abs abs-copy
read.txt: cur
	cat cur > read.txt
MK
echo same > v1.txt && echo same > v2.txt && echo same > plain &&
	ln -s v1.txt cur && ln -s v1.txt was-link && ln -s "$PWD/v1.txt" abs ||
	fail "sources"
"$CKPT" record -- make > ../record.log 2>&1 || fail "record: $(cat ../record.log)"
expect_eq "recorded where" v1.txt "$(cat where)"
# What abs leads to in a copy that keeps it: as old as the copy's files,
# or make would remake abs-copy for being older than it.
backdate v1.txt
cd ..

# fresh NAME EDIT: a copy of the sources at another path, EDIT run in it,
# mtimes 1; restored and made.
fresh() {
	mkdir "$1" && (cd a && cp -P Makefile v1.txt v2.txt plain cur \
		was-link abs "../$1/") && (cd "$1" && eval "$2") &&
		find "$1" -exec touch -h -d @1 {} + || fail "copy $1"
	(cd "$1" && "$CKPT" restore -d ../a/.ckpt && make) > "$1.log" 2>&1 ||
		fail "restore and make $1: $(cat "$1.log")"
}

fresh same true
grep -q "^cp\|^realpath\|^cat" same.log && fail "an unchanged copy reran: $(cat same.log)"
expect_eq "copy kept" v1.txt "$(readlink same/copy)"

fresh moved 'ln -sfn "$PWD/v1.txt" abs'
grep -q "^cp\|^realpath\|^cat" moved.log &&
	fail "an absolute link made again here reran: $(cat moved.log)"
expect_eq "abs-copy relocated" "$PWD/moved/v1.txt" "$(readlink moved/abs-copy)"

fresh retarget 'ln -sfn v2.txt cur && rm plain && ln -s v1.txt plain &&
	rm was-link && echo same > was-link'
expect_eq "copy names v2.txt" v2.txt "$(readlink retarget/copy)"
expect_eq "where" v2.txt "$(cat retarget/where)"
expect_eq "plain-copy is a link" v1.txt "$(readlink retarget/plain-copy)"
[ -L retarget/link-copy ] && fail "link-copy is still a link: $(ls -l retarget)"
expect_eq "link-copy" same "$(cat retarget/link-copy)"
grep -q "^cp -P abs" retarget.log && fail "abs-copy reran: $(cat retarget.log)"
(cd retarget && "$CKPT" explain -d ../a/.ckpt copy) > explain.txt 2>&1
grep -q "cur was changed: a symbolic link that names another file" explain.txt ||
	fail "explain does not name the link: $(cat explain.txt)"

# Restore dates what it keeps after what make sees through a link that
# names another file now, as after an edited input: else make remade
# read.txt's neighbours for being older than the new target (dropbear's
# `%.o: %.c $(HEADERS)` reran 78 commands for 38).
mkdir m && cd m || fail "mkdir m"
printf '%s\n' 'all: out1 out2' 'out1: in1 h.h' '	cat in1 > out1' \
	'out2: in2 h.h' '	cat in2 h.h > out2' > Makefile
mkdir real && echo h > real/h.h && ln -s real/h.h h.h && echo 1 > in1 &&
	echo 2 > in2 || fail "sources"
"$CKPT" record -- make > ../m.log 2>&1 || fail "record m: $(cat ../m.log)"
cd ..
cp -a m m2 && rm -rf m2/.ckpt m2/out1 m2/out2 && sleep 1 &&
	cp m2/real/h.h m2/real/h2.h && ln -sfn real/h2.h m2/h.h || fail "copy m2"
(cd m2 && "$CKPT" restore -d ../m/.ckpt && make) > m2.log 2>&1 ||
	fail "restore and make m2: $(cat m2.log)"
expect_eq "m2's steps" "cat in2 h.h > out2" "$(grep '^cat' m2.log)"
pass
