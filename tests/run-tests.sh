#!/bin/sh
# run-tests.sh - run the cmocka unit tests given as arguments, then every
# tests/tNNNN-*.sh (or those whose name starts with $T: T=t1, T=t2005),
# and print the totals as "N passed, N failed, N skipped". A test script
# exits 0 (pass), 77 (skip) or anything else (fail); a failing script
# keeps its directory under tests/trash/ for inspection.
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 skip=0 failed=""
for u in "$@"; do
	if "$u"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $u"; fi
done
for t in tests/${T:-t}*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	start=$(date +%s)
	sh "$t" >"tests/$name.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "ok   $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "skip $name: $(tail -n 1 "tests/$name.log")" ;;
	*) fail=$((fail + 1)); failed="$failed $name"
	   echo "FAIL $name (exit $rc), log: tests/$name.log"; tail -n 20 "tests/$name.log" | sed 's/^/    /' ;;
	esac
done
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
