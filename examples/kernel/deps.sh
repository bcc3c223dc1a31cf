#!/bin/sh
# deps.sh - what the kernel check needs (Debian 12, as root; idempotent):
# the kernel source package, the tools a tinyconfig x86_64 build uses, and
# what bench-kernel compares against (rsync, diff, patch, ccache).
set -e
PKGS="linux-source-6.1 bc bison flex libssl-dev libelf-dev cpio xz-utils
make gcc perl python3 rsync diffutils patch ccache"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
