#!/bin/sh
# deps.sh - what the autotools check needs (Debian 12, as root; idempotent):
# two release tarballs as Debian's archive keeps them, each checked
# against the SHA-256 that Debian's .dsc gives for it: GNU hello 2.10
# (autoconf, automake, gnulib) and libogg 1.3.5 (autoconf, automake,
# libtool, and a CMake build); and the tools their builds use. They are kept
# in CKPT_CACHE (default /var/cache/ckpt).
set -e
sh "$(dirname "$0")/../../tests/install-deps.sh" make gcc python3 coreutils xz-utils bzip2 cmake
CACHE=${CKPT_CACHE:-/var/cache/ckpt}
POOL=${DEBIAN_POOL:-http://deb.debian.org/debian/pool/main}

fetch() { # fetch URL FILE SHA256
	echo "$3  $2" | sha256sum -c --status 2>/dev/null && return 0
	mkdir -p "$(dirname "$2")"
	echo "fetching $1"
	python3 - "$1" "$2.part" <<'PY'
import shutil, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=60) as r, open(sys.argv[2], "wb") as f:
    shutil.copyfileobj(r, f)
PY
	if ! echo "$3  $2.part" | sha256sum -c --status; then
		rm -f "$2.part"
		echo "deps.sh: $1 does not have the SHA-256 expected ($3)" >&2
		exit 1
	fi
	mv "$2.part" "$2"
}

fetch "$POOL/h/hello/hello_2.10.orig.tar.gz" "$CACHE/hello_2.10.orig.tar.gz" \
	31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b
fetch "$POOL/libo/libogg/libogg_1.3.5.orig.tar.xz" "$CACHE/libogg_1.3.5.orig.tar.xz" \
	c4d91be36fc8e54deae7575241e03f4211eb102afb3fc0775fbbc1b740016705
fetch "$POOL/d/dash/dash_0.5.12.orig.tar.gz" "$CACHE/dash_0.5.12.orig.tar.gz" \
	6a474ac46e8b0b32916c4c60df694c82058d3297d8b385b74508030ca4a8f28a
fetch "$POOL/z/zlib/zlib_1.2.13.dfsg.orig.tar.bz2" "$CACHE/zlib_1.2.13.dfsg.orig.tar.bz2" \
	71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1
fetch "$POOL/b/busybox/busybox_1.35.0.orig.tar.bz2" "$CACHE/busybox_1.35.0.orig.tar.bz2" \
	faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694
