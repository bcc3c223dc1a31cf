#!/bin/sh
# A compile run in a subdirectory probes `-I../inc` for its headers
# (automake's -I$(top_srcdir) is -I.. in every subdirectory). A header
# added there later is read by that compile: the probe through ".." is
# a dependency. It was dropped, as "file.o/.." (ENOTDIR) and "gone/../x"
# say nothing of the path they normalise to, and restore kept the old
# object. Kept now when ".." steps back to the parent; not through a
# symlink, whose ".." is the parent of its target.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
P=$TRASH/dotdot.src
mkdir -p "$P/sub" "$P/inc" "$P/sys" "$P/inc2" "$P/far/away/dir" "$P/far/away/inc2"
echo 'headers added later go here' > "$P/inc/README"
printf '#error not through the symlink\n' > "$P/inc2/extra.h"
printf '#define V 1\n' > "$P/sys/extra.h"
printf '#include <extra.h>\nint main(void) { return V; }\n' > "$P/sub/x.c"
ln -s far/away/dir "$P/lnk"
cat > "$P/Makefile" <<'MK'
all: sub/x y
sub/x: sub/x.c
	cd sub && cc -I../inc -I../sys -o x x.c
y: sub/x.c
	cc -Ilnk/../inc2 -Isys -o y sub/x.c
MK

mkdir added && cd added
edit() { printf '#define V 7\n' > inc/extra.h; }
scenario "$P" edit mtime1
expect_jobs "cd sub && cc -I../inc -I../sys -o x x.c"
expect_same
(cd fresh/sub && ./x); expect_eq "sub/x's status" 7 $?
cd "$TRASH"

# lnk/../inc2 is far/away/inc2: inc2/extra.h, there all along, is no path
# the build looked for (normalised, it was taken for one that appeared
# during the build, and restore removed it from the fresh tree).
mkdir link && cd link
edit() { :; }
scenario "$P" edit
expect_status appeared
expect_jobs
cd "$TRASH"
pass
