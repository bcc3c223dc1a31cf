#!/bin/sh
# deps.sh - what the kernel check needs (Debian 12, as root; idempotent):
# the kernel source package, the tools a tinyconfig x86_64 build uses, and
# what bench-kernel compares against (rsync, diff, patch, ccache).
exec sh "$(dirname "$0")/../../tests/install-deps.sh" linux-source-6.1 bc bison \
	flex libssl-dev libelf-dev cpio xz-utils make gcc perl python3 rsync \
	diffutils patch ccache
