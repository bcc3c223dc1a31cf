#!/bin/sh
# install-deps.sh [PACKAGE...] - install the Debian packages given (by
# default, those that building and testing ckpt need) that are missing.
# Runs as root on Debian 12 (else through sudo); idempotent.
set -e
PKGS=${*:-"build-essential make gcc libelf-dev uthash-dev libxxhash-dev libcmocka-dev libzstd-dev zstd
python3 perl strace rsync diffutils patch file"}
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
