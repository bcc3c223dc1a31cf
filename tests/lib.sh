# lib.sh - shared helpers of the shell tests (sourced, POSIX sh).
# Each test gets a fresh directory $TRASH (tests/trash/<name>, or under
# $CKPT_TRASH_DIR), removed when the test passes and kept when it fails. Use `fail MSG` or `check CMD...`.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
CKPT=$TOP/build/ckpt
SHIM=$TOP/build/libckpt.so
TEST_NAME=$(basename "$0" .sh)
TRASH=${CKPT_TRASH_DIR:-$TOP/tests/trash}/$TEST_NAME
rm -rf "$TRASH" && mkdir -p "$TRASH" || exit 1
cd "$TRASH" || exit 1
export CKPT_LIB="$SHIM"

fail() {
	echo "FAIL: $*" >&2
	echo "(directory kept: $TRASH)" >&2
	exit 1
}

# check CMD...: run CMD, fail the test if it fails.
check() {
	"$@" || fail "command failed: $*"
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

skip() {
	echo "$*"
	exit 77
}

# Call at the end of a passing test.
pass() {
	cd "$TOP" && rm -rf "$TRASH"
	exit 0
}

# traced DIR CMD...: run CMD under the shim with trace going to DIR.
traced() {
	_d=$1; shift
	LD_PRELOAD=$SHIM CKPT_DIR=$_d "$@"
}

# backdate FILE...: set mtime to 1 (as in the Nix store).
backdate() {
	touch -h -d @1 "$@"
}

# manifest_text FILE: a manifest's text (on disk zstd frames; a
# hand-made plain-text one passes through).
manifest_text() {
	zstd -dcfq < "$1"
}
