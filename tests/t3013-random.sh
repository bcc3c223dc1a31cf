#!/bin/sh
# Randomized: many random edits (content, add, delete, shadow, mtime) of the
# examples, each restored into a fresh copy and checked against a clean
# build of the same tree (files byte for byte). CKPT_SEED picks the edits;
# CKPT_ROUNDS how many (default 16).
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
SEED=${CKPT_SEED:-20261122}
ROUNDS=${CKPT_ROUNDS:-16}
echo "seed $SEED, $ROUNDS rounds"
_n=0
# rand N: R = a number in [0, N), from the seed and a counter (no
# subshell, or the counter would not move).
_state=$((SEED % 2147483648))
rand() {
	_n=$((_n + 1))
	_state=$(((_state * 1103515245 + 12345) % 2147483648))
	R=$(((_state / 65536) % $1))
}
pick() { # pick WORD...: P = one of the words
	rand $#
	shift "$R"
	P=$1
}

# Edits: each takes effect in the current directory (a copy of the project).
edit_comment() { printf '/* edit %s */\n' "$_n" >> "$1"; }
edit_value() { rand 9; sed -i "s/return \\(.*\\);/return \\1 + $((R + 1));/" "$1"; }
edit_basic_shadow() {
	rand 7
	sed "s/EXTRA_FACTOR 2/EXTRA_FACTOR $((R + 3))/" include/extra.h \
		> override/extra.h
}
edit_wild_add() {
	rand 100
	printf 'int extra%s(void)\n{\n\treturn %s;\n}\n' "$_n" "$R" \
		> "src/extra$_n.c"
}
edit_wild_delete() { # remove an added source, if there is one
	for f in src/extra*.c; do [ -e "$f" ] && rm "$f" && return 0; done
	edit_wild_add
}
edit_asset() { rand 1000; printf 'x%s' "$R" >> asset.bin; }

random_edit() {
	case $PROJ in
	basic)
		rand 5
		case $R in
		0) pick main.c util.c extra.c include/util.h; edit_comment "$P" ;;
		1) pick util.c extra.c; edit_value "$P" ;;
		2) edit_basic_shadow ;;
		3) rand 9; sed -i "s/EXTRA_FACTOR [0-9]*/EXTRA_FACTOR $((R + 1))/" include/extra.h ;;
		4) edit_comment main.c; edit_value util.c ;;
		esac ;;
	wild)
		rand 6
		case $R in
		0) pick src/main.c src/scale.c mkgen.c include/real.h; edit_comment "$P" ;;
		1) edit_wild_add ;;
		2) edit_wild_delete ;;
		3) edit_asset ;;
		4) rand 50; echo "banner $R" > .banner ;;
		5) rand 9; sed -i "s/REAL_FACTOR [0-9]*/REAL_FACTOR $((R + 1))/" include/real.h ;;
		esac ;;
	esac
}

# Each project is recorded once; every round edits a fresh copy of the
# sources, possibly more than once, possibly with every mtime set to 1.
for PROJ in basic wild; do
	mkdir -p "$TRASH/$PROJ" && cd "$TRASH/$PROJ"
	cp -a "$TOP/examples/$PROJ" orig
	(cd orig && "$CKPT" record -- make) > record.log 2>&1 ||
		fail "record of $PROJ failed: $(cat record.log)"
	r=0
	while [ "$r" -lt "$ROUNDS" ]; do
		r=$((r + 1))
		rm -rf fresh oracle
		cp -a "$TOP/examples/$PROJ" fresh
		cd fresh
		rand 3; edits=$((R + 1))
		while [ "$edits" -gt 0 ]; do random_edit; edits=$((edits - 1)); done
		rand 4; [ "$R" -eq 0 ] && find . -exec touch -h -d @1 {} +
		cd ..
		what="$PROJ round $r (seed $SEED)"
		cp -a fresh oracle
		(cd oracle && make) > oracle.log 2>&1 ||
			fail "$what: clean build failed: $(cat oracle.log)"
		(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > restore.log 2>&1 ||
			fail "$what: restore failed: $(cat restore.log)"
		(cd fresh && make) > make.log 2>&1 ||
			fail "$what: make after restore failed: $(cat make.log)"
		snapshot fresh | cut -d' ' -f1-3 > fresh.snap
		snapshot oracle | cut -d' ' -f1-3 > oracle.snap
		cmp -s fresh.snap oracle.snap ||
			fail "$what: differs from a clean build:
$(diff oracle.snap fresh.snap)
$(cd fresh && "$CKPT" status -d ../orig/.ckpt)"
		echo "$what: ok, $(grep -c . make.log) make lines; $(cat restore.log)"
	done
	cd "$TRASH"
done
pass
