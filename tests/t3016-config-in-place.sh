#!/bin/sh
# A file the build rewrites in place (kbuild's .config, rewritten by
# syncconfig) is the user's: restore keeps the edited copy instead of the
# recorded one, and the edit rebuilds what read it.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { sed -i 's/CONFIG_SIZE=3/CONFIG_SIZE=5/' .config; }
scenario kconfig edit
expect_status changed .config
grep -q '^CONFIG_SIZE=5$' fresh/.config || fail "restore put the recorded .config over the edited one"
expect_jobs "sort -o .config .config" \
	"sed -n 's/^CONFIG_\\([A-Z_]*\\)=\\(.*\\)/#define CONFIG_\\1 \\2/p' .config > config.h" \
	"cc -O2 -o prog main.c"
expect_same
expect_eq "program output" "kconfig 5" "$(./fresh/prog)"

# Unchanged: restore leaves .config alone and make has nothing to do.
rm -rf fresh2 && cp -a "$TOP/examples/kconfig" fresh2
(cd fresh2 && "$CKPT" restore -d ../orig/.ckpt && make) > same.log 2>&1 || fail "$(cat same.log)"
grep -q "is up to date" same.log || fail "an unchanged copy rebuilt: $(cat same.log)"
cmp -s "$TOP/examples/kconfig/.config" fresh2/.config || fail ".config was rewritten"
pass
