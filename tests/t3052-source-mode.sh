#!/bin/sh
# A source made executable, or no longer (a patch's `new mode`), changes
# what runs it or copies it with its mode, with the same bytes. chmod
# leaves size and mtime as they were, and in a fresh copy every mtime
# may be 1 (the Nix store): the owner's execute bit is compared itself.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

mkdir a && cd a || fail "mkdir"
cat > Makefile <<'MK'
run.txt: out.sh
	if [ -x out.sh ]; then ./out.sh; else echo plain; fi > run.txt
out.sh: gen.sh
	cp gen.sh out.sh
MK
printf '#!/bin/sh\necho ran\n' > gen.sh && chmod 755 gen.sh
"$CKPT" record -- make > ../record.log 2>&1 || fail "record: $(cat ../record.log)"
expect_eq "recorded run.txt" ran "$(cat run.txt)"
cd ..

# fresh NAME MODE: a copy of the sources, gen.sh of that mode, mtimes 1;
# restored and made.
fresh() {
	mkdir "$1" && cp a/Makefile a/gen.sh "$1/" && chmod "$2" "$1/gen.sh" &&
		backdate "$1"/* || fail "copy $1"
	(cd "$1" && "$CKPT" restore -d ../a/.ckpt && make) > "$1.log" 2>&1 ||
		fail "restore and make $1: $(cat "$1.log")"
}

fresh plain 644
expect_eq "run.txt, gen.sh not executable" plain "$(cat plain/run.txt)"
[ -x plain/out.sh ] && fail "out.sh kept executable: $(ls -l plain)"
(cd plain && "$CKPT" explain -d ../a/.ckpt out.sh) > explain.txt 2>&1
grep -q "gen.sh was changed: made executable, or no longer" explain.txt ||
	fail "explain does not name the mode: $(cat explain.txt)"

fresh same 755
expect_eq "run.txt, the same mode" ran "$(cat same/run.txt)"
grep -q "^cp\|^if" same.log && fail "the same mode reran a step: $(cat same.log)"
pass
