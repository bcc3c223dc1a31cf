# scenario.sh - the end-to-end check behind every scenario test (sourced
# after lib.sh). `scenario PROJECT EDIT [mtime1]`:
#   1. copies examples/PROJECT (or the absolute path PROJECT) to orig/ and
#      records a clean build there ($BUILD, a shell command: make unless
#      set, `./configure && make` for a project configured first);
#   2. copies the pristine sources to fresh/ (every mtime set to 1 with
#      `mtime1`, as in the Nix store) and runs the shell function EDIT in it;
#   3. copies the edited tree to oracle/ and builds it from scratch;
#   4. in fresh/: `ckpt restore -d ../orig/.ckpt`, then make.
# Then `expect_jobs LINE...` checks that make ran exactly those recipe lines,
# and `expect_same` that fresh/ and oracle/ hold the same files, byte for
# byte, and that every restored output make did not rebuild is the one of
# the original build. `expect_status KEY PATH...` checks one list of
# `ckpt status --json`, taken in fresh/ just before the restore.

# make's own variables from a calling make (`make check`) would change what
# the builds print (make[1]: ...) and how they run (-j, jobserver).
unset MAKEFLAGS MAKELEVEL MFLAGS MAKEOVERRIDES GNUMAKEFLAGS
BUILD=${BUILD:-make}

# snapshot DIR: "path type hash mtime" of every file but .ckpt, sorted.
snapshot() {
	(cd "$1" && find . -path ./.ckpt -prune -o ! -type d -print | sort |
	while read -r f; do
		if [ -L "$f" ]; then
			echo "$f link $(readlink "$f") -"
		else
			echo "$f file $(cksum < "$f" | tr ' ' :) $(stat -c %Y.%y "$f" | tr ' ' _)"
		fi
	done)
}

scenario() {
	_proj=$1 _edit=$2 _mode=${3:-}
	case $_proj in /*) _src=$_proj ;; *) _src=$TOP/examples/$_proj ;; esac
	cp -a "$_src" orig || fail "copy"
	(cd orig && "$CKPT" record -- sh -c "$BUILD") > record.log 2>&1 ||
		fail "record failed: $(cat record.log)"
	cp -a "$_src" fresh || fail "copy"
	[ "$_mode" = mtime1 ] && find fresh -exec touch -h -d @1 {} +
	(cd fresh && $_edit) || fail "the edit failed"
	[ "$_mode" = mtime1 ] && find fresh -exec touch -h -d @1 {} +
	cp -a fresh oracle || fail "copy"
	(cd oracle && sh -c "$BUILD") > oracle.log 2>&1 ||
		fail "clean build of the changed tree failed: $(cat oracle.log)"
	(cd fresh && "$CKPT" status --json -d ../orig/.ckpt) > status.json 2> status.err ||
		fail "status failed: $(cat status.err)"
	(cd fresh && "$CKPT" restore -d ../orig/.ckpt) > restore.log 2>&1 ||
		fail "restore failed: $(cat restore.log)"
	snapshot fresh > restored.snap
	(cd fresh && make) > make.log 2>&1 ||
		fail "make after restore failed: $(cat make.log)"
	cat status.json restore.log make.log
}

# The recipe lines make printed after the restore (sub-make chatter out).
ran_jobs() {
	grep -v '^make' make.log | grep -v "is up to date" | sort
}

expect_jobs() {
	: > expected.jobs
	for _j in "$@"; do printf '%s\n' "$_j" >> expected.jobs; done
	sort -o expected.jobs expected.jobs
	ran_jobs > ran.jobs
	cmp -s expected.jobs ran.jobs || fail "jobs that ran differ from the expected ones
$(diff expected.jobs ran.jobs | sed 's/^</  missing:/; s/^>/  unexpected:/' | grep -v '^---\|^[0-9]')"
}

expect_same() {
	snapshot fresh | cut -d' ' -f1-3 > fresh.snap
	snapshot oracle | cut -d' ' -f1-3 > oracle.snap
	cmp -s fresh.snap oracle.snap || fail "the restored and rebuilt tree differs from a clean build:
$(diff oracle.snap fresh.snap)"
	# Outputs kept from the checkpoint (not rebuilt) equal the original's.
	snapshot fresh > final.snap
	snapshot orig > orig.snap
	_kept=0
	while read -r _f _t _h _m; do
		grep -qxF "$_f $_t $_h $_m" final.snap || continue   # rebuilt
		[ -e "$_src/$_f" ] && continue        # a source
		_o=$(grep -F "$_f " orig.snap | grep "^$_f " | cut -d' ' -f1-3)
		[ -n "$_o" ] || continue                             # added
		[ "$_o" = "$_f $_t $_h" ] || fail "kept output $_f differs from the recorded build"
		_kept=$((_kept + 1))
	done < restored.snap
	echo "outputs kept from the checkpoint: $_kept"
	KEPT=$_kept
}

# expect_status KEY PATH...: the list KEY of `ckpt status --json` (taken
# before the restore) holds exactly these paths, in any order.
expect_status() {
	_key=$1; shift
	_got=$(python3 -c 'import json, sys
print(" ".join(sorted(json.load(open(sys.argv[1]))[sys.argv[2]])))' status.json "$_key") ||
		fail "status --json: no list '$_key' in: $(cat status.json)"
	_want=$(for _p in "$@"; do echo "$_p"; done | LC_ALL=C sort | tr '\n' ' ')
	_want=${_want% }
	[ "$_got" = "$_want" ] || fail "status --json '$_key': expected [$_want], got [$_got]"
}
