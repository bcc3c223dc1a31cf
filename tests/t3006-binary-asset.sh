#!/bin/sh
# Scenario 6: a binary asset embedded by a build step changes.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
edit() { printf '\377\376binary\000changed' > asset.bin; }
scenario wild edit
expect_jobs "sh embed.sh asset.bin > asset.c" "cc -c -o asset.o asset.c" \
	"cc -o app main.o scale.o asset.o"
expect_same
pass
