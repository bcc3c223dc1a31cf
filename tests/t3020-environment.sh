#!/bin/sh
# Environment variables the build used are inputs: one a job looked up
# (`date` reads TZ) invalidates that job; one a makefile refers to, or
# that make's built-in rules use (CFLAGS), invalidates all of that make's
# jobs, as an edit of the makefile would; one a recipe's shell expands
# ($$GREETING, also under bash -euo pipefail), that line. Variables that differ between
# shells (PWD, TERM, SHLVL) are not compared. Each restore is followed by
# make and compared with a clean build in the same environment.
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS MAKEOVERRIDES GNUMAKEFLAGS CFLAGS VERSION \
	GREETING PLACE UNRELATED
mkdir src
cat > src/Makefile <<'MK'
all: prog ver.txt epoch.txt greet.txt lit.txt gen.txt sb.txt
prog: main.o
	$(CC) -o prog main.o
ver.txt:
	echo $(VERSION) > ver.txt
epoch.txt:
	date -d @0 +%H > epoch.txt
greet.txt:
	echo "hello $${GREETING:-you}" > greet.txt
lit.txt:
	v="$$(echo x | tr -d "'")"; echo "$$v $$PLACE" > lit.txt
gen.txt: gen.sh
	sh gen.sh > gen.txt
sb.txt: sb.sh
	./sb.sh > sb.txt
MK
echo 'echo "at ${PLACE:-home}"' > src/gen.sh
printf '#!/bin/sh\necho "sb $PLACE"\n' > src/sb.sh && chmod +x src/sb.sh
echo 'int main(void) { return 0; }' > src/main.c
export TZ=UTC VERSION=1
cp -a src orig && (cd orig && "$CKPT" record -- make) > rec.log 2>&1 ||
	fail "record: $(cat rec.log)"

# restore_in NAME ENV...: restore a fresh copy with ENV set, make there,
# compare with a clean build in the same environment; the recipe lines
# make ran are in NAME.jobs.
restore_in() {
	_n=$1; shift
	rm -rf "$_n" "$_n.oracle" && cp -a src "$_n" && cp -a src "$_n.oracle"
	(cd "$_n.oracle" && env "$@" make) > "$_n.oracle.log" 2>&1 ||
		fail "$_n: clean build"
	(cd "$_n" && env "$@" "$CKPT" status --json -d ../orig/.ckpt) > "$_n.json" ||
		fail "$_n: status"
	(cd "$_n" && env "$@" "$CKPT" restore -d ../orig/.ckpt) > "$_n.restore" 2>&1 ||
		fail "$_n: restore: $(cat "$_n.restore")"
	(cd "$_n" && env "$@" make) > "$_n.make" 2>&1 || fail "$_n: make"
	grep -v '^make' "$_n.make" | sort > "$_n.jobs"
	for f in prog ver.txt epoch.txt greet.txt lit.txt gen.txt sb.txt; do
		cmp -s "$_n/$f" "$_n.oracle/$f" ||
			fail "$_n: $f differs from a clean build's"
	done
}
json_list() { # json_list FILE KEY
	python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1]))[sys.argv[2]])))' "$1" "$2"
}

restore_in same TERM=dumb SHLVL=7
expect_eq "same environment: rebuilt" "" "$(cat same.jobs)"
expect_eq "same environment: changed" "" "$(json_list same.json environment)"

restore_in tz TZ=Asia/Tokyo
expect_eq "TZ: changed" "TZ" "$(json_list tz.json environment)"
expect_eq "TZ: affected" "epoch.txt" "$(json_list tz.json affected)"
expect_eq "TZ: rebuilt" "date -d @0 +%H > epoch.txt" "$(cat tz.jobs)"

restore_in ver VERSION=2
expect_eq "VERSION: changed" "VERSION" "$(json_list ver.json environment)"
expect_eq "VERSION: affected" \
	"epoch.txt gen.txt greet.txt lit.txt main.o prog sb.txt ver.txt" \
	"$(json_list ver.json affected)"
(cd ver && VERSION=2 "$CKPT" explain -d ../orig/.ckpt ver.txt) > explain.txt
grep -q "environment variable VERSION has another value" explain.txt ||
	fail "explain: $(cat explain.txt)"

# The shell of a recipe line reads its environment without getenv: what
# it expands is the line's. Quoting is not followed: a `'` in "$(...)"
# hid $PLACE from the first version of the scan.
restore_in greet GREETING=world
expect_eq "GREETING: changed" "GREETING" "$(json_list greet.json environment)"
expect_eq "GREETING: affected" "greet.txt" "$(json_list greet.json affected)"
expect_eq "GREETING: rebuilt" 'echo "hello ${GREETING:-you}" > greet.txt' \
	"$(cat greet.jobs)"
grep -qx "hello world" greet/greet.txt || fail "greet.txt: $(cat greet/greet.txt)"
restore_in place PLACE=here
# And what a script file a recipe runs expands: sh gen.sh, ./sb.sh (#!).
expect_eq "PLACE: affected" "gen.txt lit.txt sb.txt" "$(json_list place.json affected)"
restore_in unrelated UNRELATED=1
expect_eq "UNRELATED: rebuilt" "" "$(cat unrelated.jobs)"

# Programs that read the environment without getenv: printenv NAME, and
# env, which prints all of it ("*": any variable set, unset or changed,
# but those that differ between shells). A script make deletes as an
# intermediate file is gone when the save would scan it: "*" too. Words
# in a script's comments and messages ("not set", "declare") are not
# commands that print the environment.
mkdir whole.src && cat > whole.src/Makefile <<'MK'
all: pe.txt all.txt mid.txt note.txt
pe.txt:
	printenv PLACE > pe.txt || true
all.txt:
	env | grep '^PLACE=' > all.txt || true
%.txt: %.sh
	sh $< > $@
%.sh: %.sh.in
	cp $< $@
note.txt: note.sh
	sh note.sh > note.txt
MK
echo 'echo "mid ${PLACE:-none}"' > whole.src/mid.sh.in
printf '%s\n' '# fail if CC is not set' 'echo "CC not set; using cc"' \
	'# declare the format; names we export' > whole.src/note.sh
cp -a whole.src whole.orig && (cd whole.orig && "$CKPT" record -- make) > whole.log 2>&1 ||
	fail "whole: record: $(cat whole.log)"
for v in PLACE=here TERM=dumb UNRELATED=1; do
	rm -rf whole.fresh && cp -a whole.src whole.fresh
	(cd whole.fresh && env "$v" "$CKPT" restore -d ../whole.orig/.ckpt &&
		env "$v" make) > whole.log 2>&1 || fail "whole, $v: $(cat whole.log)"
	ran=$(grep '^printenv\|^env\|^sh ' whole.log | sort | tr '\n' ,)
	case $v in
	PLACE=*) expect_eq "whole, $v: rebuilt" \
			"env | grep '^PLACE=' > all.txt || true,printenv PLACE > pe.txt || true,sh mid.sh > mid.txt," "$ran"
		 grep -qx here whole.fresh/pe.txt &&
		 grep -qx PLACE=here whole.fresh/all.txt &&
		 grep -qx "mid here" whole.fresh/mid.txt ||
		 fail "whole, $v: $(cat whole.log)" ;;
	TERM=*) expect_eq "whole, $v: rebuilt" "" "$ran" ;;
	*) expect_eq "whole, $v: rebuilt" \
			"env | grep '^PLACE=' > all.txt || true,sh mid.sh > mid.txt," "$ran" ;;
	esac
done
# explain and status name the variables that differ from the start.
home="HOME changed"; [ -n "${HOME+x}" ] || home="HOME set"
(cd whole.fresh && PLACE=1 HOME=/elsewhere "$CKPT" explain -d ../whole.orig/.ckpt all.txt) > explain.txt
grep -q "environment is not the one the build was recorded in ($home, PLACE set)" explain.txt ||
	fail "explain: $(cat explain.txt)"
(cd whole.fresh && PLACE=1 HOME=/elsewhere "$CKPT" status -d ../whole.orig/.ckpt) > status.txt
grep -qx "  \* (the whole environment: a job printed it, or ran code ckpt could not read): $home, PLACE set" status.txt ||
	fail "status: $(cat status.txt)"
(cd whole.fresh && PLACE=1 "$CKPT" status --json -d ../whole.orig/.ckpt) > status.json
python3 -c 'import json, sys
got = json.load(open("status.json"))["environment_changes"]
sys.exit(0 if got == [{"name": "PLACE", "change": "set"}] else "got %r" % (got,))' ||
	fail "status --json: environment_changes"

# bash with options that take a word before -c (.SHELLFLAGS).
mkdir bash.src && cat > bash.src/Makefile <<'MK'
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
out.txt:
	echo "hello $${GREETING:-none}" > out.txt
MK
cp -a bash.src bash.orig && (cd bash.orig && "$CKPT" record -- make) > bash.log 2>&1 ||
	fail "bash: record: $(cat bash.log)"
cp -a bash.src bash.fresh
(cd bash.fresh && GREETING=2 "$CKPT" restore -d ../bash.orig/.ckpt &&
	GREETING=2 make) > bash.log 2>&1 || fail "bash: restore, make: $(cat bash.log)"
grep -qx "hello 2" bash.fresh/out.txt || fail "bash: out.txt: $(cat bash.fresh/out.txt)"

# Unset when recorded, set now: make's built-in rule for main.o uses it.
restore_in cflags CFLAGS=-O1
expect_eq "CFLAGS: changed" "CFLAGS" "$(json_list cflags.json environment)"
grep -q "cc -O1 *-c -o main.o main.c" cflags.jobs ||
	fail "CFLAGS: main.o not rebuilt: $(cat cflags.jobs)"

# A bare traced build with CKPT_DIR set: the process that made the trace
# directory records the environment, and the values are compared.
rm -rf bare bare.ckpt && cp -a src bare &&
	(cd bare && CKPT_DIR="$TRASH/bare.ckpt" LD_PRELOAD="$SHIM" make &&
	 "$CKPT" save -d "$TRASH/bare.ckpt") > bare.log 2>&1 ||
	fail "bare build and save: $(cat bare.log)"
grep -q "no record of the environment" bare.log && fail "no environment: $(cat bare.log)"
zstdcat bare.ckpt/manifest | grep -q "^v TZ [0-9a-f]\{32\}$" ||
	fail "bare: no record of TZ"
(cd bare && TZ=Asia/Tokyo "$CKPT" status --json -d ../bare.ckpt) > bare.json
expect_eq "bare, TZ: changed" "TZ" "$(json_list bare.json environment)"
(cd bare && "$CKPT" status --json -d ../bare.ckpt) > bare.json
expect_eq "bare, same: changed" "" "$(json_list bare.json environment)"

# A script that is a named pipe: the save reads script files to scan
# them, and opening a FIFO with no writer waited forever.
mkdir fifo && mkfifo fifo/pipe.sh &&
	printf 'out:\n\t(echo "echo hi" > pipe.sh &); sh pipe.sh > out\n' > fifo/Makefile
(cd fifo && timeout 60 "$CKPT" record -- make) > fifo.log 2>&1 ||
	fail "a FIFO script: record failed or hung: $(cat fifo.log)"
grep -qx hi fifo/out || fail "a FIFO script: $(cat fifo/out)"

# The checkpoint holds hashes of the values, never the values.
zstdcat orig/.ckpt/manifest | grep -q "Asia\|UTC" && fail "a value is in the manifest"
zstdcat orig/.ckpt/manifest | grep -q "^v TZ [0-9a-f]\{32\}$" ||
	fail "no record of TZ"
pass
