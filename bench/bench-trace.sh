#!/bin/sh
# bench-trace.sh - tracing overhead on a compile-heavy build: untraced vs
# traced (libckpt.so) vs strace -f, in pairs with alternating order; the
# median of the per-pair ratios. Then the cost per call of open+close and
# of a failing stat, traced and untraced. REPS and NFILES override.
. "$(dirname "$0")/lib.sh"
REPS=${REPS:-5}
NFILES=${NFILES:-300}
python3 "$TOP/bench/gen-project.py" "$WORK/p" "$NFILES" 120
cd "$WORK/p"
clean() { rm -rf obj prog libbench.a; }
plain() { clean; make -j"$JOBS"; }
traced() { clean; rm -rf "$WORK/tr"; LD_PRELOAD=$SHIM CKPT_DIR=$WORK/tr make -j"$JOBS"; }
straced() { clean; strace -f -o /dev/null make -j"$JOBS"; }
say "warming up"; plain >/dev/null 2>&1
: > "$WORK/r.shim"; : > "$WORK/r.strace"
i=0
while [ "$i" -lt "$REPS" ]; do
	i=$((i + 1))
	if [ $((i % 2)) -eq 1 ]; then
		u=$(secs plain); t=$(secs traced); s=$(secs straced)
	else
		s=$(secs straced); t=$(secs traced); u=$(secs plain)
	fi
	say "pair $i: untraced ${u}s, traced ${t}s, strace -f ${s}s"
	ratio "$t" "$u" >> "$WORK/r.shim"
	ratio "$s" "$u" >> "$WORK/r.strace"
done
events=$(find "$WORK/tr" -name '*.trc' | wc -l)
cc -O2 -o "$WORK/percall" "$TOP/bench/percall.c"
: > "$WORK/pu"; : > "$WORK/pt"
for k in 1 2 3; do
	"$WORK/percall" 200000 "$WORK" >> "$WORK/pu"
	rm -rf "$WORK/trp"
	LD_PRELOAD=$SHIM CKPT_DIR=$WORK/trp "$WORK/percall" 200000 "$WORK" >> "$WORK/pt"
done
ou=$(cut -d' ' -f1 "$WORK/pu" | median); ot=$(cut -d' ' -f1 "$WORK/pt" | median)
su=$(cut -d' ' -f2 "$WORK/pu" | median); st=$(cut -d' ' -f2 "$WORK/pt" | median)
cat <<OUT
bench-trace: $NFILES C files, make -j$JOBS, $REPS pairs ($(nproc) cores)
  traced / untraced build, median of pairs:   $(median < "$WORK/r.shim")
  strace -f / untraced build, median of pairs: $(median < "$WORK/r.strace")
  processes traced per build:                  $events
  open+close, ns per call:  untraced $ou, traced $ot
  failing stat, ns per call: untraced $su, traced $st
OUT
