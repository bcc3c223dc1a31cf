#!/bin/sh
# demo.sh - `make demo`: record a build of examples/basic, edit one file in
# a fresh copy elsewhere, restore the checkpoint there, run make, and show
# what was rebuilt and what came back from the checkpoint.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
CKPT=$TOP/build/ckpt
export CKPT_LIB="$TOP/build/libckpt.so"
unset MAKEFLAGS MAKELEVEL MFLAGS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "1. a clean build of examples/basic, recorded"
cp -a "$TOP/examples/basic" "$WORK/original"
cd "$WORK/original"
echo "\$ ckpt record -- make"
"$CKPT" record -- make

step "2. a fresh copy of the sources elsewhere, with one edit"
mkdir "$WORK/fresh"
cp -a "$TOP/examples/basic/." "$WORK/fresh/"
cd "$WORK/fresh"
sed -i 's/return a + b;/return a + b + 100;/' util.c
echo "edited util.c: util_sum now adds 100"
echo "\$ ckpt status -d ../original/.ckpt"
"$CKPT" status -d ../original/.ckpt

step "3. restore the checkpoint into the fresh copy"
echo "\$ ckpt restore -d ../original/.ckpt"
"$CKPT" restore -d ../original/.ckpt

echo "\$ ckpt explain -d ../original/.ckpt prog"
"$CKPT" explain -d ../original/.ckpt prog

step "4. make: only what util.c affects runs"
echo "\$ make"
make | tee "$WORK/make.log"
echo
echo "rebuilt: $(grep -c '^cc\|^ar' "$WORK/make.log") steps of 5 (main.o and extra.o came from the checkpoint)"
step "5. the program"
"$WORK/fresh/prog"
