#!/bin/sh
# ckpt record: exits with the build's status, keeps the checkpoint when the
# build fails; status --json and explain after an edit; chaining an
# incremental build on top of a restored tree; a bad --from or -d refused
# before the build; usage errors.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
cp -a "$TOP/examples/basic" orig
cd orig
check "$CKPT" record -- make -s
cp .ckpt/manifest ../manifest.good
# A failing build: its status, and the checkpoint untouched.
"$CKPT" record -- sh -c 'exit 3' 2>../fail.log
expect_eq "exit status" 3 "$?"
grep -q "checkpoint not updated" ../fail.log || fail "no message: $(cat ../fail.log)"
cmp -s .ckpt/manifest ../manifest.good || fail "a failed build changed the checkpoint"
"$CKPT" record -- /nonexistent/program 2>/dev/null
expect_eq "exit status of a missing program" 127 "$?"
cd ..

# status --json and explain in an edited copy.
cp -a "$TOP/examples/basic" fresh
echo '/* x */' >> fresh/extra.c
(cd fresh && "$CKPT" status --json -d ../orig/.ckpt) > status.json || fail "status"
python3 - <<'PY' || fail "status --json: $(cat status.json)"
import json
s = json.load(open("status.json"))
assert s["changed"] == ["extra.c"], s["changed"]
assert sorted(s["affected"]) == ["extra.o", "libutil.a", "prog"], s["affected"]
PY
(cd fresh && "$CKPT" explain -d ../orig/.ckpt prog) > explain.txt || fail "explain"
grep -q "extra.c was changed" explain.txt || fail "explain: $(cat explain.txt)"
grep -q "ar rcs libutil.a" explain.txt || fail "explain lacks the chain: $(cat explain.txt)"
grep -q "extra\.c" explain.txt && grep -q "cc .*-o extra\.o\|cc .*extra\.c" explain.txt ||
	fail "explain lacks the compile of extra.c: $(cat explain.txt)"
grep -q "util\.c" explain.txt && fail "explain names util.c, which did not change: $(cat explain.txt)"
# --dry-run lists what would be restored, and the invalid outputs, which
# are not there to remove; it does nothing.
snapshot fresh > dry.before
(cd fresh && "$CKPT" restore --dry-run -d ../orig/.ckpt) > dry.txt || fail "dry run"
for o in extra.o libutil.a prog; do
	grep -qx "invalid $o" dry.txt || fail "dry run does not say $o is invalid: $(cat dry.txt)"
done
for o in main.o util.o; do
	grep -qx "restore $o" dry.txt || fail "dry run does not restore $o: $(cat dry.txt)"
done
snapshot fresh > dry.after
cmp -s dry.before dry.after || fail "--dry-run changed the tree"
(cd fresh && "$CKPT" explain -d ../orig/.ckpt main.o) | grep -q "is valid" ||
	fail "main.o should be valid"

# Chain: restore, make, record on top (--from); a third copy restored from
# the new checkpoint builds nothing and equals a clean build.
(cd fresh && "$CKPT" restore -d ../orig/.ckpt >/dev/null 2>&1 &&
	"$CKPT" record --from ../orig/.ckpt -- make) > chain.log 2>&1 ||
	fail "chained record: $(cat chain.log)"
grep -q "jobs kept from the previous checkpoint" chain.log ||
	fail "nothing kept: $(cat chain.log)"
grep -q "object file" chain.log && fail "record --from took restored objects for sources: $(cat chain.log)"
# Recorded without --from, the restored objects are read, not made: the
# save says so, and how to record on top.
cp -a "$TOP/examples/basic" nofrom
echo '/* y */' >> nofrom/extra.c
(cd nofrom && "$CKPT" restore -d ../orig/.ckpt >/dev/null 2>&1 &&
	"$CKPT" record -- make) > nofrom.log 2>&1 || fail "record: $(cat nofrom.log)"
grep -q "^ckpt: note: the build read [0-9]* object files\{0,1\} it did not make (.*\.o.*record --from OLD" nofrom.log ||
	fail "no note of the restored objects: $(cat nofrom.log)"
cp -a "$TOP/examples/basic" third
echo '/* x */' >> third/extra.c
cp -a third oracle && (cd oracle && make >/dev/null)
(cd third && "$CKPT" restore -d ../fresh/.ckpt >/dev/null 2>&1) || fail "restore 3"
(cd third && make) > make3.log 2>&1
grep -q "is up to date" make3.log || fail "third copy rebuilt: $(cat make3.log)"
snapshot third | cut -d' ' -f1-3 > t.snap
snapshot oracle | cut -d' ' -f1-3 > o.snap
cmp -s t.snap o.snap || fail "third copy differs from a clean build"

# A checkpoint directory outside the tree (-d): the trace goes there too.
cp -a "$TOP/examples/basic" away && cd away
"$CKPT" record -d "$TRASH/elsewhere" -- make -s > ../away.log 2>&1 || fail "record -d: $(cat ../away.log)"
[ -e .ckpt ] && fail "record -d wrote .ckpt into the tree"
[ -f "$TRASH/elsewhere/manifest" ] || fail "no manifest in the -d directory"
cd "$TRASH"
cp -a "$TOP/examples/basic" away2
(cd away2 && "$CKPT" restore -d "$TRASH/elsewhere" >/dev/null 2>&1 && make) > away2.log 2>&1
grep -q "is up to date" away2.log || fail "restore from a -d checkpoint: $(cat away2.log)"

# A --from without a checkpoint (a typo) and a -d that is not a writable
# directory are refused before the build runs, not found out at the save
# after it (or, for --from, not at all: the jobs that did not re-run were
# dropped). The build would exit 5, so a status of 5 means it ran.
refused() {
	_what=$1 _rc=$2 _path=$3; shift 3
	rm -f "$TRASH/ran"
	"$CKPT" record "$@" -- sh -c ': > "$1"; exit 5' sh "$TRASH/ran" \
		> refused.out 2> refused.err
	expect_eq "$_what: exit status" "$_rc" "$?"
	[ "$(wc -l < refused.err)" = 1 ] && grep -qF "$_path: " refused.err ||
		fail "$_what: not one line naming $_path: $(cat refused.err)"
	[ -e "$TRASH/ran" ] && fail "$_what: the build ran"
}
mkdir nockpt && : > notadir
refused "--from a missing path" 2 "$TRASH/typo" --from "$TRASH/typo"
refused "--from a directory without a checkpoint" 2 "$TRASH/nockpt" \
	--from "$TRASH/nockpt"
refused "-d a regular file" 1 "$TRASH/notadir" -d "$TRASH/notadir"
[ -s notadir ] && fail "-d a regular file: it was written to"
mkdir ro
trap 'chattr -i "$TRASH/ro" 2>/dev/null' EXIT
if chattr +i ro 2>/dev/null; then
	refused "-d an unwritable directory" 1 "$TRASH/ro" -d "$TRASH/ro"
	chattr -i ro
else
	echo "(chattr +i not supported here: unwritable -d not checked)"
fi
trap - EXIT
# Without --from, a fresh tree and a -d not yet there: a new checkpoint.
cp -a "$TOP/examples/basic" plain
(cd plain && "$CKPT" record -d "$TRASH/new/ck" -- make -s) > plain.log 2>&1 ||
	fail "record into a new -d: $(cat plain.log)"
[ -f new/ck/manifest ] || fail "no manifest in the new -d directory"
grep -q "kept from the previous" plain.log && fail "a fresh record kept jobs"

# Usage errors and help: every command refuses an unknown option with
# exit 2 and a message naming it (explain used to take it for a PATH).
for c in record save status restore explain audit compdb graph dump; do
	"$CKPT" $c --bogus > usage.out 2> usage.err
	expect_eq "$c --bogus" 2 "$?"
	grep -q -- "$c: unknown option --bogus (see ckpt $c --help)" usage.err ||
		fail "$c --bogus: no message naming it: $(cat usage.err)"
done
for c in save status restore audit compdb dump; do
	"$CKPT" $c bogus > usage.out 2> usage.err
	expect_eq "$c bogus" 2 "$?"
	grep -q -- "$c: unexpected argument bogus (see ckpt $c --help)" usage.err ||
		fail "$c bogus: $(cat usage.err)"
done
"$CKPT" > /dev/null 2>&1; expect_eq "no command" 2 "$?"
"$CKPT" status -d 2>/dev/null; expect_eq "-d without a directory" 2 "$?"
"$CKPT" restore --target 2>/dev/null; expect_eq "--target without a path" 2 "$?"
"$CKPT" explain 2>/dev/null; expect_eq "explain without a path" 2 "$?"
"$CKPT" --help > help.txt; expect_eq "ckpt --help" 0 "$?"
"$CKPT" restore --bogus 2>/dev/null; expect_eq "unknown option" 2 "$?"
"$CKPT" frobnicate 2>/dev/null; expect_eq "unknown command" 2 "$?"
"$CKPT" record 2>/dev/null; expect_eq "record without a command" 2 "$?"
for c in record save status restore explain audit compdb graph dump; do
	"$CKPT" $c --help > help.txt || fail "$c --help failed"
	grep -q "usage: ckpt $c" help.txt || fail "$c --help: $(cat help.txt)"
done

# `ckpt save` where the build did not run (a subdirectory of it): refused,
# the trace kept; saved where it ran, with its outputs.
rm -rf "$TRASH/where" && cp -a "$TOP/examples/basic" "$TRASH/where" &&
	mkdir -p "$TRASH/where/sub" || fail "copy"
(cd "$TRASH/where" && CKPT_DIR="$TRASH/where.ckpt" LD_PRELOAD="$SHIM" make) \
	> where.log 2>&1 || fail "traced build: $(cat where.log)"
(cd "$TRASH/where/sub" && "$CKPT" save -d "$TRASH/where.ckpt") > where.log 2>&1
expect_eq "save from a subdirectory" 1 "$?"
grep -q "the build ran in $TRASH/where and wrote" where.log ||
	fail "no reason given: $(cat where.log)"
[ -d "$TRASH/where.ckpt/trace" ] || fail "the trace was not kept"
[ -e "$TRASH/where.ckpt/manifest" ] && fail "a checkpoint was written"
(cd "$TRASH/where" && "$CKPT" save -d "$TRASH/where.ckpt") > where.log 2>&1 ||
	fail "save where the build ran: $(cat where.log)"
grep -q " 0 outputs" where.log && fail "no outputs: $(cat where.log)"

# The trace is staged in /dev/shm (when it has room) and nothing is left
# there; a stage of a record that was killed (its pid is gone) is removed
# by the next record, one of a live process is not.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	rm -rf "$TRASH/stage" && cp -a "$TOP/examples/basic" "$TRASH/stage"
	dead=$(sh -c 'echo $$')
	mkdir -p "/dev/shm/ckpt-trace.$dead.test/trace" "/dev/shm/ckpt-trace.$$.test"
	before=$(ls -d /dev/shm/ckpt-trace.* | grep -v '[.]test$' | sort)
	(cd "$TRASH/stage" && "$CKPT" record -- make) > stage.log 2>&1 ||
		fail "record: $(cat stage.log)"
	grep -q "^ckpt: saved" stage.log || fail "no save: $(cat stage.log)"
	after=$(ls -d /dev/shm/ckpt-trace.* 2>/dev/null | grep -v '[.]test$' | sort)
	# New since, and of a process that is gone: ours (another record
	# may run beside the tests, as CI's kernel check does).
	left=$(for d in $after; do
		printf '%s\n' "$before" | grep -qxF "$d" && continue
		pid=${d#/dev/shm/ckpt-trace.}
		kill -0 "${pid%%.*}" 2>/dev/null || echo "$d"
	done)
	expect_eq "stages left in /dev/shm" "" "$left"
	[ -e "/dev/shm/ckpt-trace.$dead.test" ] && fail "a dead record's stage was kept"
	[ -e "/dev/shm/ckpt-trace.$$.test" ] || fail "a live process's stage was removed"
	rmdir "/dev/shm/ckpt-trace.$$.test"
fi
# A VPATH build recorded in its build directory reads its sources beside
# the tree: the save says so, and how to take them in; recorded from
# their parent, nothing is said.
mkdir -p vp/src vp/build && echo 'int main(void) { return 0; }' > vp/src/a.c &&
	printf 'VPATH = ../src\na: a.c\n\tcc -o $@ $<\n' > vp/build/Makefile
(cd vp/build && "$CKPT" record -- make) > vp.log 2>&1 || fail "vpath: $(cat vp.log)"
grep -q "note: the build read 1 file beside the tree, in $TRASH/vp ($TRASH/vp/src/a.c)" vp.log &&
	grep -q "record from $TRASH/vp (ckpt record -- make -C build)" vp.log ||
	fail "vpath: no note: $(cat vp.log)"
# A copy of the whole parent: restore in its build/ says that its own
# src/ is not what is checked.
cp -a vp vp2 && echo 'int main(void) { return 1; }' > vp2/src/a.c
(cd vp2/build && "$CKPT" restore) > vp2.log 2>&1 || fail "vpath copy: $(cat vp2.log)"
grep -q "warning: this tree has 1 file beside it ($TRASH/vp2/src/a.c) that the build read beside its own, in $TRASH/vp:" vp2.log ||
	fail "vpath copy: no warning: $(cat vp2.log)"
(cd vp/build && "$CKPT" status) > vp.log 2>&1 || fail "vpath status: $(cat vp.log)"
grep -q "beside" vp.log && fail "vpath, the recorded tree: $(cat vp.log)"
rm -rf vp/build/a vp/build/.ckpt
(cd vp && "$CKPT" record -- make -C build) > vp.log 2>&1 || fail "vpath -C: $(cat vp.log)"
grep -q "beside the tree" vp.log && fail "vpath -C: $(cat vp.log)"
pass
