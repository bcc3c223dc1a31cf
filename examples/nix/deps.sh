#!/bin/sh
# deps.sh - what the Nix check needs (Debian 12, as root; idempotent):
# Debian's nix-bin, and a single-user store owned by root.
set -e
if ! command -v nix-build >/dev/null 2>&1; then
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nix-bin
fi
mkdir -p /nix/store /nix/var/nix/profiles /nix/var/nix/gcroots /nix/var/log/nix
