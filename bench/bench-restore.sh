#!/bin/sh
# bench-restore.sh - restoring into a fresh copy with one .c edited: ckpt
# restore vs the copy-everything approach of nixpkgs' checkpointBuildTools
# (saved copy of the sources and of the whole build directory; diff -ur,
# rm, rsync --checksum, patch), paired; the size of each checkpoint; and
# ckpt status on an unchanged tree of ~80,000 files.
. "$(dirname "$0")/lib.sh"
REPS=${REPS:-5}
NFILES=${NFILES:-2000}
EXTRA=${EXTRA:-76000}
python3 "$TOP/bench/gen-project.py" "$WORK/src" "$NFILES" 400
say "recording a clean build of $NFILES files"
cp -a "$WORK/src" "$WORK/orig"
(cd "$WORK/orig" && "$CKPT" record -- make -j"$JOBS" >/dev/null 2>&1)
# The copy-everything checkpoint: the sources and the whole build dir.
mkdir "$WORK/cb"
cp -a "$WORK/src" "$WORK/cb/sources"
(cd "$WORK/orig" && tar cf - --exclude=.ckpt .) | (mkdir "$WORK/cb/build" && cd "$WORK/cb/build" && tar xf -)
fresh() { # a fresh copy of the sources with one .c edited
	rm -rf "$WORK/fresh"
	cp -a "$WORK/src" "$WORK/fresh"
	echo '/* edited */' >> "$WORK/fresh/src/d03/f0003.c"
}
ours() { cd "$WORK/fresh" && "$CKPT" restore -d "$WORK/orig/.ckpt"; }
theirs() { # what checkpointBuildTools' restore does
	cd "$WORK/fresh"
	diff -ur "$WORK/cb/sources" . > "$WORK/sources.patch" || true
	find . -mindepth 1 -maxdepth 1 ! -name '.' -exec rm -rf {} +
	rsync --checksum -a "$WORK/cb/build/" .
	patch -p1 -s < "$WORK/sources.patch"
}
: > "$WORK/r.o"; : > "$WORK/r.t"; : > "$WORK/r"
i=0
while [ "$i" -lt "$REPS" ]; do
	i=$((i + 1))
	fresh; sync
	if [ $((i % 2)) -eq 1 ]; then o=$(secs ours); fresh; t=$(secs theirs)
	else t=$(secs theirs); fresh; o=$(secs ours); fi
	say "pair $i: ckpt restore ${o}s, copy-everything ${t}s"
	echo "$o" >> "$WORK/r.o"; echo "$t" >> "$WORK/r.t"; ratio "$t" "$o" >> "$WORK/r"
done
# Correctness of what was timed: make after our restore rebuilds 3 steps.
fresh; ours >/dev/null 2>&1
steps=$(cd "$WORK/fresh" && make -j"$JOBS" 2>&1 | grep -c '^cc\|^ar')
ck=$(du -sk "$WORK/orig/.ckpt" | cut -f1)
cb=$(du -sk "$WORK/cb" | cut -f1)
out=$(du -sk --exclude=.ckpt --exclude=src --exclude='inc*' "$WORK/orig" | cut -f1)
# status on an unchanged tree of ~80,000 files: the recorded tree plus
# files the build never reads (in the same tree, so stat data are used).
python3 "$TOP/bench/gen-project.py" "$WORK/big" "$NFILES" 400 "$EXTRA"
(cd "$WORK/big" && "$CKPT" record -- make -j"$JOBS" >/dev/null 2>&1)
nbig=$(find "$WORK/big" -path "$WORK/big/.ckpt" -prune -o -type f -print | wc -l)
sleep 1.5	# past the racy-timestamp second
: > "$WORK/s"
for k in 1 2 3 4 5; do (cd "$WORK/big" && secs "$CKPT" status) >> "$WORK/s"; done
cat <<OUT
bench-restore: $NFILES C files, one edited, $REPS pairs ($(nproc) cores)
  ckpt restore, median:                 $(median < "$WORK/r.o") s
  copy-everything restore, median:      $(median < "$WORK/r.t") s
  copy-everything / ckpt, median ratio: $(median < "$WORK/r")
  make after ckpt restore ran:          $steps steps (expected 3)
  checkpoint size: ckpt ${ck} KiB, copy-everything ${cb} KiB (ratio $(ratio "$cb" "$ck")); build outputs ${out} KiB
  ckpt status, unchanged tree of $nbig files, median of 5: $(median < "$WORK/s") s
OUT
