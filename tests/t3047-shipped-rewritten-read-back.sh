#!/bin/sh
# A file the sources ship that a configure step removes, writes anew and
# then reads back (libxml2's config.status: `rm -f libxml2.spec`, its own
# moved over it, a sed of automake's depfiles loop reading it): the look-up
# before the write is no read of what the tarball shipped, so the file is
# the step's output, not a source "updated in place". Taken for one, every
# fresh copy of the tree had it modified, configure and all of its
# outputs invalid, and make found no Makefile.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
P=$TRASH/proj.src
mkdir -p "$P"
cat > "$P/configure" <<'SH'
rm -f version.h
echo '#define V 2' > version.h
sed -n 's/^#define V //p' version.h > /dev/null
printf 'prog: main.c version.h\n\tcc -o prog main.c\n' > Makefile
SH
echo '#define V 1 /* shipped */' > "$P/version.h"
printf '#include "version.h"\nint main(void) { return V; }\n' > "$P/main.c"
BUILD='sh ./configure && make'

mkdir same && cd same
edit() { :; }
scenario "$P" edit mtime1
expect_status modified
expect_jobs
expect_same
cd "$TRASH"

# An edit of main.c rebuilds prog only.
mkdir edit && cd edit
edit() { echo '/* edited */' >> main.c; }
scenario "$P" edit mtime1
expect_status modified main.c
expect_jobs "cc -o prog main.c"
expect_same
(cd fresh && ./prog); expect_eq "prog's status" 2 $?
cd "$TRASH"

# Read before it is written, the shipped file is a source updated in place
# (kbuild's syncconfig on .config): an edit of it still counts.
sed -i '1i sed -n p version.h > /dev/null' "$P/configure"
cp -a "$P" before && (cd before && "$CKPT" record -- sh -c "$BUILD") > before.log 2>&1 ||
	fail "record: $(cat before.log)"
cp -a "$P" before-edit && echo '#define V 3' > before-edit/version.h
(cd before-edit && "$CKPT" status -d ../before/.ckpt) > before-status.log 2>&1
grep -q '^modified sources (1):' before-status.log && grep -qx '  version.h' before-status.log ||
	fail "an edit of a file read, then rewritten: $(cat before-status.log)"
pass
