#!/bin/sh
# A script that sets a variable before anything else runs reads the
# environment's value of it nowhere (unzip's unix/configure begins with
# `CFLAGS=${2}`): another value there changes nothing it writes. One
# that expands it first, or sets it only on some path, reads it. (Not
# CFLAGS here: make's built-in rules use it, so make itself does.)
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS OPTS LDOPTS

mkdir a && cd a || fail "mkdir"
cat > Makefile <<'MK'
all: set.txt used.txt maybe.txt
set.txt: set.sh
	sh set.sh > set.txt
used.txt: used.sh
	sh used.sh > used.txt
maybe.txt: maybe.sh
	sh maybe.sh > maybe.txt
MK
printf '%s\n' ':' '# Parameters: $1 = $(OPTS)' 'OPTS=-O2' 'OPTS="$OPTS -g"' \
	'echo "flags: $OPTS"' > set.sh
printf '%s\n' 'echo "env: $OPTS"' 'OPTS=-O2' 'echo "flags: $OPTS"' > used.sh
printf '%s\n' 'if [ -n "$1" ]; then LDOPTS=-s; fi' 'echo "ld: $LDOPTS"' > maybe.sh
"$CKPT" record -- make > ../record.log 2>&1 || fail "record: $(cat ../record.log)"
cd ..

mkdir b && cp a/Makefile a/*.sh b/ && backdate b/* || fail "copy"
(cd b && OPTS=-O0 LDOPTS=-Wl,-z,now "$CKPT" restore -d ../a/.ckpt &&
	OPTS=-O0 LDOPTS=-Wl,-z,now make) > b.log 2>&1 ||
	fail "restore and make: $(cat b.log)"
grep -q "sh set.sh" b.log && fail "set.sh ran again: $(cat b.log)"
grep -q "sh used.sh" b.log || fail "used.sh did not run again: $(cat b.log)"
grep -q "sh maybe.sh" b.log || fail "maybe.sh did not run again: $(cat b.log)"
expect_eq "used.txt" "env: -O0" "$(head -1 b/used.txt)"
expect_eq "maybe.txt" "ld: -Wl,-z,now" "$(cat b/maybe.txt)"
expect_eq "set.txt" "flags: -O2 -g" "$(cat b/set.txt)"
pass
