# lib.sh - shared helpers of the benchmarks (sourced).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
CKPT=$TOP/build/ckpt
SHIM=${SHIM:-$TOP/build/libckpt.so}
export CKPT_LIB=$SHIM
JOBS=${JOBS:-$(nproc)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-bench.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	trap 'echo "kept $WORK" >&2' EXIT
else
	trap 'rm -rf "$WORK"' EXIT
fi
unset MAKEFLAGS MAKELEVEL MFLAGS
for t in python3 "$CKPT" "$SHIM"; do
	command -v "$t" >/dev/null || [ -e "$t" ] || { echo "missing: $t" >&2; exit 1; }
done

# timed SHELL-COMMAND: run it with sh -c, print "WALL CPU" in seconds:
# wall-clock time and the user+sys time of every process it waited for.
# The timer starts after python's own start-up. Its output goes to
# $WORK/timed.log, of which a failure shows the end.
timed() {
	python3 -c '
import resource, subprocess, sys, time
with open(sys.argv[2], "wb") as log:
    t0 = time.monotonic()
    r = subprocess.run(["sh", "-c", sys.argv[1]], stdout=log, stderr=log)
    w = time.monotonic() - t0
u = resource.getrusage(resource.RUSAGE_CHILDREN)
if r.returncode:
    with open(sys.argv[2], "rb") as log:
        tail = log.read()[-4000:].decode(errors="replace")
    sys.exit("failed (%d): %s\n--- the end of its output:\n%s" %
             (r.returncode, sys.argv[1], tail))
print("%.3f %.3f" % (w, u.ru_utime + u.ru_stime))
' "$1" "$WORK/timed.log"
}

# secs SHELL-COMMAND: its wall time only.
secs() { timed "$1" | cut -d' ' -f1; }

# median of the numbers on stdin
median() {
	sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else
		printf "%.3f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# range of the numbers on stdin: "MIN..MAX"
range() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s\n", lo, hi }'; }

# interquartile range of the numbers on stdin: "Q1..Q3" (nearest rank)
iqr() {
	sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "-"; exit }
		q1 = int((NR + 3) / 4); q3 = int((3 * NR + 3) / 4)
		printf "%s..%s\n", a[q1], a[q3] }'
}

# 95 % confidence interval of the median of the numbers on stdin, from
# their order statistics (no assumption about their distribution): "LO..HI",
# or "-" when there are too few (under 6).
mci() {
	sort -g | awk '{ a[NR] = $1 } END {
		k = int((NR - 1.96 * sqrt(NR)) / 2)
		if (k < 1) print "-"; else printf "%s..%s\n", a[k], a[NR + 1 - k] }'
}

ratio() { echo "$1 $2" | awk '{ printf "%.3f\n", $1 / $2 }'; }

say() { printf '%s\n' "$*" >&2; }
