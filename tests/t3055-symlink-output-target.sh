#!/bin/sh
# A symbolic link the build makes (pcre2: `ln -s .../pcre2_chartables.c.dist
# src/pcre2_chartables.c`) is read through: who reads it reads what it
# leads to, which the link's own job never touched. An edit of the .dist
# file in a fresh copy must rebuild the program; a link with an absolute
# target inside the recorded tree must name the fresh tree once restored.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS

for form in rel abs; do
	mkdir "a-$form" && cd "a-$form" || fail "mkdir"
	printf 'int tab[] = {1,2,3};\nint main(void){return tab[0];}\n' > gen.c.dist
	cat > Makefile <<'MK'
prog: gen.c
	cc -o prog gen.c
gen.c: gen.c.dist
	rm -f $@
	ln -s $(if $(filter abs,$(LINK)),$(CURDIR)/)gen.c.dist gen.c
MK
	"$CKPT" record -- make LINK=$form > ../record.log 2>&1 || fail "record: $(cat ../record.log)"
	cd ..
	mkdir "b-$form" && cp "a-$form/Makefile" "a-$form/gen.c.dist" "b-$form/" &&
		sed -i 's/{1,2,3}/{7,2,3}/' "b-$form/gen.c.dist" &&
		backdate "b-$form"/* || fail "copy"
	(cd "b-$form" && "$CKPT" restore -d "../a-$form/.ckpt" && make LINK=$form) > "b-$form.log" 2>&1 ||
		fail "restore and make ($form): $(cat "b-$form.log")"
	rc=0; "./b-$form/prog" || rc=$?
	expect_eq "prog's table, $form link, .dist edited" 7 "$rc"

	# Unchanged: the link comes back, naming this tree's file.
	mkdir "c-$form" && cp "a-$form/Makefile" "a-$form/gen.c.dist" "c-$form/" || fail "copy"
	(cd "c-$form" && "$CKPT" restore -d "../a-$form/.ckpt") > "c-$form.log" 2>&1 ||
		fail "restore ($form): $(cat "c-$form.log")"
	want=gen.c.dist
	[ $form = abs ] && want=$TRASH/c-$form/gen.c.dist
	expect_eq "the restored link ($form)" "$want" "$(readlink "c-$form/gen.c")"
done
pass
