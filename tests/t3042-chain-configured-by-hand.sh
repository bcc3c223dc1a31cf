#!/bin/sh
# A restore said to run ./configure again (its template changed); the
# user did, by hand, and recorded only make on top (`record --from OLD --
# make`). No traced job wrote configure's outputs, so every restore from
# that checkpoint rebuilds all that reads them; the save said nothing
# (rsync's Debian patches). It says so now, and what to record instead.
. "$(dirname "$0")/lib.sh"
mkdir a && cd a || fail "mkdir"
printf '#!/bin/sh\nsed "s/@V@/1/" Makefile.in > Makefile\necho "#define V 1" > config.h\n' > configure
chmod +x configure
printf 'prog: main.c config.h\n\tcc -o prog main.c\n# v1\n' > Makefile.in
printf '#include "config.h"\nint main(void) { return V - 1; }\n' > main.c
"$CKPT" record -- sh -c './configure && make' > ../a.log 2>&1 || fail "record: $(cat ../a.log)"
cd .. && mkdir b && cp a/configure a/Makefile.in a/main.c b/ && cd b || fail "copy"
sed -i 's/# v1/# v2/' Makefile.in
"$CKPT" restore -d ../a/.ckpt > ../restore.log 2>&1 || fail "restore: $(cat ../restore.log)"
grep -q "invalid, and make does not run it: /bin/sh ./configure" ../restore.log ||
	fail "restore does not say to run configure: $(cat ../restore.log)"
./configure || fail "configure"
"$CKPT" record --from ../a/.ckpt -d ../ck2 -- make > ../chain.log 2>&1 || fail "record --from: $(cat ../chain.log)"
grep -q "^ckpt: note: 2 outputs of a job the previous checkpoint has invalid in this tree, which this build did not run (/bin/sh ./configure)" ../chain.log ||
	fail "the save says nothing of configure's outputs: $(cat ../chain.log)"
# Recorded with configure, the chained checkpoint needs no such note.
cd .. && mkdir c && cp a/configure a/Makefile.in a/main.c c/ && cd c || fail "copy"
sed -i 's/# v1/# v2/' Makefile.in
"$CKPT" restore -d ../a/.ckpt > /dev/null 2>&1 || fail "restore"
"$CKPT" record --from ../a/.ckpt -d ../ck3 -- sh -c './configure && make' > ../chain3.log 2>&1 ||
	fail "record --from: $(cat ../chain3.log)"
grep -q "note:" ../chain3.log && fail "a note for a chain that ran configure: $(cat ../chain3.log)"
pass
