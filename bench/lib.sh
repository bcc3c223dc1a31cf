# lib.sh - shared helpers of the benchmarks (sourced).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
CKPT=$TOP/build/ckpt
SHIM=$TOP/build/libckpt.so
export CKPT_LIB=$SHIM
JOBS=${JOBS:-$(nproc)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
unset MAKEFLAGS MAKELEVEL MFLAGS

# secs CMD...: run CMD (output discarded), print its wall time in seconds.
secs() {
	_t0=$(date +%s.%N)
	"$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
	_t1=$(date +%s.%N)
	echo "$_t0 $_t1" | awk '{ printf "%.3f\n", $2 - $1 }'
}

# median of the numbers on stdin
median() {
	sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

ratio() { echo "$1 $2" | awk '{ printf "%.3f\n", $1 / $2 }'; }

say() { printf '%s\n' "$*" >&2; }
