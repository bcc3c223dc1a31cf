#!/bin/sh
# deps.sh - what the autotools check needs (Debian 12, as root; idempotent):
# GNU hello 2.10's release tarball as Debian's archive keeps it
# (hello_2.10.orig.tar.gz), checked against its SHA-256, and the tools its
# `./configure && make` uses. HELLO_TARBALL (default
# /var/cache/ckpt/hello_2.10.orig.tar.gz) is where it is kept.
set -e
sh "$(dirname "$0")/../../tests/install-deps.sh" make gcc python3 coreutils
TAR=${HELLO_TARBALL:-/var/cache/ckpt/hello_2.10.orig.tar.gz}
SHA=31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b
URL=${HELLO_URL:-http://deb.debian.org/debian/pool/main/h/hello/hello_2.10.orig.tar.gz}
echo "$SHA  $TAR" | sha256sum -c --status 2>/dev/null && exit 0
mkdir -p "$(dirname "$TAR")"
echo "fetching $URL"
python3 - "$URL" "$TAR.part" <<'PY'
import shutil, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=60) as r, open(sys.argv[2], "wb") as f:
    shutil.copyfileobj(r, f)
PY
if ! echo "$SHA  $TAR.part" | sha256sum -c --status; then
	rm -f "$TAR.part"
	echo "deps.sh: $URL does not have the SHA-256 expected ($SHA)" >&2
	exit 1
fi
mv "$TAR.part" "$TAR"
