#!/bin/sh
# bench-trace.sh - tracing overhead on a compile-heavy build (bench/
# gen-project.py): untraced make vs traced (LD_PRELOAD=libckpt.so), and
# between them an empty LD_PRELOAD library, which costs what any preload
# library costs (ld.so opens and maps it into every process): the part of
# the overhead that is not the shim's own. REPS rounds of the three builds,
# each round in another of the six orders; the figures are medians of the
# per-round ratios, of wall time and of CPU time (user+sys of every
# process). A 2 % difference is well inside one build's noise on a shared
# machine (builds range over +-10 %), hence many short rounds. strace -f,
# far slower, runs STRACE_REPS times next to an untraced build. Then the
# cost per call of open+close, of a failing stat and of a failing open,
# traced and untraced, and of starting /bin/true.
# Environment: REPS (15), STRACE_REPS (2), NFILES (150), NHEADERS (120),
# JOBS (nproc), CALLS (200000), SPAWNS (2000), KEEP=1 keeps the work
# directory.
. "$(dirname "$0")/lib.sh"
REPS=${REPS:-15}
STRACE_REPS=${STRACE_REPS:-2}
NFILES=${NFILES:-150}
NHEADERS=${NHEADERS:-120}
CALLS=${CALLS:-200000}
SPAWNS=${SPAWNS:-2000}
command -v strace >/dev/null || { say "strace is needed (apt-get install strace)"; exit 1; }
python3 "$TOP/bench/gen-project.py" "$WORK/p" "$NFILES" "$NHEADERS"
cd "$WORK/p"
# The trace goes where `ckpt record` puts it: /dev/shm when there is one
# (a file a process: in memory, no inode allocation or writeback on disk).
TR=$WORK/tr
[ -d /dev/shm ] && [ -w /dev/shm ] && TR=$(mktemp -d /dev/shm/ckpt-bench-tr.XXXXXX)
trap 'rm -rf "$TR"; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
clean() { rm -rf obj prog libbench.a "$TR/trace"; }
echo 'void ckpt_bench_empty(void) {}' > "$WORK/empty.c"
cc -shared -fPIC -o "$WORK/empty.so" "$WORK/empty.c"
U="make -j$JOBS"
E="LD_PRELOAD=$WORK/empty.so make -j$JOBS"
T="LD_PRELOAD=$SHIM CKPT_DIR=$TR make -j$JOBS"
S="strace -f -o /dev/null make -j$JOBS"
say "bench-trace: $NFILES C files, $NHEADERS headers, make -j$JOBS, $REPS rounds"
say "warming up"
clean; timed "$U" >/dev/null; cksum prog obj/d00/*.o > "$WORK/sum.u"
clean; timed "$T" >/dev/null; cksum prog obj/d00/*.o > "$WORK/sum.t"
same=yes; cmp -s "$WORK/sum.u" "$WORK/sum.t" || same=NO
for f in rw.t rw.e rw.te rw.s rc.t rc.e rc.te rc.s wu we wt ws; do
	: > "$WORK/$f"
done
run() { clean; sync; timed "$1"; }
i=0
while [ "$i" -lt "$REPS" ]; do
	# The six orders of U, E and T in turn: no build always comes
	# first, or always after another.
	order=$(echo "UET UTE EUT ETU TUE TEU" | cut -d' ' -f$((i % 6 + 1)))
	i=$((i + 1))
	for b in $(echo "$order" | sed 's/./& /g'); do
		case $b in
		U) u=$(run "$U") ;;
		E) e=$(run "$E") ;;
		T) t=$(run "$T") ;;
		esac
	done
	set -- $u $e $t	# wall cpu, three times
	say "round $i ($order): untraced ${1}s (cpu $2), empty library ${3}s (cpu $4), traced ${5}s (cpu $6)"
	echo "$1" >> "$WORK/wu"; echo "$3" >> "$WORK/we"; echo "$5" >> "$WORK/wt"
	ratio "$5" "$1" >> "$WORK/rw.t"; ratio "$6" "$2" >> "$WORK/rc.t"
	ratio "$3" "$1" >> "$WORK/rw.e"; ratio "$4" "$2" >> "$WORK/rc.e"
	ratio "$5" "$3" >> "$WORK/rw.te"; ratio "$6" "$4" >> "$WORK/rc.te"
done
i=0
while [ "$i" -lt "$STRACE_REPS" ]; do
	i=$((i + 1))
	u=$(run "$U"); s=$(run "$S")
	set -- $u $s
	say "strace pair $i: untraced ${1}s (cpu $2), strace -f ${3}s (cpu $4)"
	echo "$3" >> "$WORK/ws"
	ratio "$3" "$1" >> "$WORK/rw.s"; ratio "$4" "$2" >> "$WORK/rc.s"
done
# The last traced build's trace: its size, its records, and what saving it
# as a checkpoint costs (the analyzer's share of `ckpt record`).
clean; timed "$T" >/dev/null
ntrc=$(find "$TR" -name '*.trc' | wc -l)
trkb=$(du -sk "$TR" | cut -f1)
nrec=$("$CKPT" dump -d "$TR" --json 2>/dev/null | wc -l) || nrec=?
save=$(timed "CKPT_DIR=$TR $CKPT save -d $TR" | cut -d' ' -f1) || save=failed

# What tracing adds that does not depend on the machine's noise: page
# faults and system calls of the whole build (perf stat, when it can
# count them), untraced and traced, and the difference a process.
counts=
ev=page-faults,raw_syscalls:sys_enter
if command -v perf >/dev/null &&
	perf stat -x, -e "$ev" true >/dev/null 2>&1; then
	say "counting page faults and system calls (perf stat)"
	pcount() { # pcount CMD: "FAULTS SYSCALLS"
		clean; sync
		perf stat -x, -e "$ev" -o "$WORK/perf.out" -- sh -c "$1" >/dev/null 2>&1
		awk -F, '$3 == "page-faults" { f = $1 } $3 == "raw_syscalls:sys_enter" { s = $1 }
			END { print f, s }' "$WORK/perf.out"
	}
	cu=$(pcount "$U"); ct=$(pcount "$T")
	ntr=$(find "$TR" -name '*.trc' | wc -l)
	counts=$(echo "$cu $ct $ntr" | awk '{
		print "Counted (perf stat, one build each: these do not drift with the load):\n"
		print "| whole build | untraced | traced | added | added a traced process |"
		print "|---|---|---|---|---|"
		printf "| page faults | %d | %d | %+d (%+.1f %%) | %+.1f |\n", $1, $3, $3 - $1, 100 * ($3 - $1) / $1, ($3 - $1) / $5
		printf "| system calls | %d | %d | %+d (%+.1f %%) | %+.1f |\n", $2, $4, $4 - $2, 100 * ($4 - $2) / $2, ($4 - $2) / $5 }')
	counts="$counts
"
fi

say "per-call cost, $CALLS calls each"
cc -O2 -o "$WORK/percall" "$TOP/bench/percall.c"
: > "$WORK/pu"; : > "$WORK/pt"
pcu() { "$WORK/percall" "$CALLS" "$WORK" >> "$WORK/pu"; }
pct() {
	rm -rf "$TR/p"
	LD_PRELOAD=$SHIM CKPT_DIR=$TR/p "$WORK/percall" "$CALLS" "$WORK" \
		>> "$WORK/pt" 2>/dev/null || {
		say "traced percall failed (status $?): LD_PRELOAD=$SHIM $WORK/percall $CALLS $WORK"
		pcfail=1; }
}
pcfail=
for k in 1 2 3 4 5; do
	if [ $((k % 2)) -eq 1 ]; then pcu; pct; else pct; pcu; fi
done
# What starting a process costs: the part any LD_PRELOAD library adds
# (ld.so maps it) and the part that is the shim's own (its trace file, its
# START record).
say "process start: /bin/true, $SPAWNS spawns each, interleaved"
cc -O2 -o "$WORK/spawn" "$TOP/bench/spawn.c"
CKPT_DIR=$TR/s "$WORK/spawn" "$SPAWNS" - "$WORK/empty.so" "$SHIM" -- /bin/true \
	> "$WORK/spawn.out" || say "spawn failed"
spawns=$(awk 'NR == 1 { u5 = $2; u50 = $3 }
	{ name = NR == 1 ? "untraced" : NR == 2 ? "an empty LD_PRELOAD library" : "libckpt.so"
	  d = NR == 1 ? "" : sprintf("%+d / %+d", $2 - u5, $3 - u50)
	  printf "| %s | %d | %d | %s |\n", name, $2, $3, d }' "$WORK/spawn.out")
col() { cut -d' ' -f"$1" "$2" | median | awk '{ print ($1 == "-") ? "-" : int($1 + 0.5) }'; }
pc() {
	_u=$(col "$2" "$WORK/pu"); _t=$(col "$2" "$WORK/pt")
	_d=$(echo "$_t $_u" | awk '{ print ($1 == "-") ? "-" : sprintf("%+d", $1 - $2) }')
	printf '| %s | %s | %s | %s |\n' "$1" "$_u" "$_t" "$_d"
}
cat <<OUT

bench-trace: $NFILES C files, $NHEADERS headers in 8 -I dirs, make -j$JOBS, $REPS rounds (strace: $STRACE_REPS), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)

| build | wall s, median | wall ratio, median (quartiles; range) | CPU ratio, median (quartiles; range) |
|---|---|---|---|
| untraced | $(median < "$WORK/wu") | 1 | 1 |
| an empty LD_PRELOAD library | $(median < "$WORK/we") | $(median < "$WORK/rw.e") ($(iqr < "$WORK/rw.e"); $(range < "$WORK/rw.e")) | $(median < "$WORK/rc.e") ($(iqr < "$WORK/rc.e"); $(range < "$WORK/rc.e")) |
| traced (libckpt.so) | $(median < "$WORK/wt") | $(median < "$WORK/rw.t") ($(iqr < "$WORK/rw.t"); $(range < "$WORK/rw.t")) | $(median < "$WORK/rc.t") ($(iqr < "$WORK/rc.t"); $(range < "$WORK/rc.t")) |
| traced / the empty library: the shim's own part | | $(median < "$WORK/rw.te") ($(iqr < "$WORK/rw.te"); $(range < "$WORK/rw.te")) | $(median < "$WORK/rc.te") ($(iqr < "$WORK/rc.te"); $(range < "$WORK/rc.te")) |
| strace -f -o /dev/null | $(median < "$WORK/ws") | $(median < "$WORK/rw.s") ($(range < "$WORK/rw.s")) | $(median < "$WORK/rc.s") ($(range < "$WORK/rc.s")) |

95 % confidence intervals of the median ratios (order statistics of the
$REPS rounds): traced / untraced wall $(mci < "$WORK/rw.t"), CPU $(mci < "$WORK/rc.t");
the empty library / untraced wall $(mci < "$WORK/rw.e"), CPU $(mci < "$WORK/rc.e");
traced / the empty library wall $(mci < "$WORK/rw.te"), CPU $(mci < "$WORK/rc.te").

traced build: $ntrc trace files, $nrec records, $trkb KiB; ckpt save of it: ${save} s; outputs identical to untraced: $same

$counts
| call (median of 5 runs) | untraced ns | traced ns | added ns |
|---|---|---|---|
OUT
pc "open+close of an existing file" 1
pc "stat, failing (ENOENT)" 2
pc "open, failing (ENOENT)" 3
pc "\`> file\` over an existing empty file, +close" 4
cat <<OUT

| start of /bin/true ($SPAWNS each) | p5 µs | median µs | added p5 / median |
|---|---|---|---|
$spawns
OUT
[ -z "$pcfail" ] || echo "(the traced percall FAILED in some runs: medians of the runs that worked)"
