#!/bin/sh
# Scenario 12: a step run by a static executable cannot be traced: its
# outputs are always rebuilt, and restore says so.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
echo 'int main(void){return 0;}' > s.c
cc -static -o s s.c 2>/dev/null || skip "no static libc (libc6-dev)"
edit() { :; }
scenario static edit
grep -q "not traced, always rebuilt: ./tabgen table.c" restore.log ||
	fail "restore did not say the static step re-runs"
(cd fresh && "$CKPT" explain -d ../orig/.ckpt table.c) > explain.log 2>&1
grep -q 'tabgen could not be traced: static executable' explain.log ||
	fail "explain does not say why: $(cat explain.log)"
expect_jobs "./tabgen table.c" "cc -c -o table.o table.c" \
	"cc -o report report.o table.o"
expect_same
cd "$TRASH" && rm -rf orig fresh oracle
edit() { sed -i 's/sum of squares/squares/' report.c; }
scenario static edit
expect_jobs "./tabgen table.c" "cc -c -o table.o table.c" \
	"cc -c -o report.o report.c" "cc -o report report.o table.o"
expect_same
pass
