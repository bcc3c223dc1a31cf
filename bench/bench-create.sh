#!/bin/sh
# bench-create.sh - what one restored file costs on the file system of
# $TMPDIR, made as an unnamed file linked in (restore's way where a
# directory exists) or at its name (in a directory restore stages);
# alternating, ROUNDS times each (3), N files each time (2000). CHMOD=needed
# calls fchmod only where the mode needs it (see create.c).
. "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-3}
N=${N:-2000}
cc -O2 -o "$WORK/create" "$TOP/bench/create.c"
say "bench-create: $N files a round, $ROUNDS rounds, in $(stat -f -c %T "$WORK") ($WORK)"
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	r=$((r + 1))
	for how in unnamed excl; do
		mkdir "$WORK/$how.$r"
		"$WORK/create" "$how" "$WORK/$how.$r" "$N"
	done
done
