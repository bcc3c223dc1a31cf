#!/bin/sh
# A configure step run again by a chained build (record --from) that
# writes its files only when their text changes (cmake's generated
# Makefiles and cache, config.status's config.h): what it left as restore
# put it back is still its output, not a source of the chained
# checkpoint. As a source it was "deleted" in every fresh copy, the step
# invalid with everything after it, and make -C build failed there
# (libjpeg-turbo's second chain level rebuilt 300 commands, not 280).
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS
mkdir P0
cat > P0/conf.sh <<'SH'
#!/bin/sh
mkdir -p build
echo configured > build/conf.log
echo "CC=cc" > build/cache.tmp
if cmp -s build/cache.tmp build/cache; then rm build/cache.tmp; else mv build/cache.tmp build/cache; fi
printf 'all: a.o b.o\n%%.o: ../%%.c\n\tcc -c -o $@ $<\n' > build/Makefile.tmp
if cmp -s build/Makefile.tmp build/Makefile; then rm build/Makefile.tmp; else mv build/Makefile.tmp build/Makefile; fi
SH
chmod +x P0/conf.sh
echo 'int a;' > P0/a.c && echo 'int b;' > P0/b.c
BUILD='./conf.sh && make -C build'
cp -a P0 T0 && (cd T0 && "$CKPT" record -- sh -c "$BUILD") > rec0.log 2>&1 || fail "record T0: $(cat rec0.log)"
cp -a P0 T1 && echo 'int a2;' >> T1/a.c
(cd T1 && "$CKPT" restore -d ../T0/.ckpt && "$CKPT" record --from ../T0/.ckpt -- sh -c "$BUILD") \
	> rec1.log 2>&1 || fail "record T1: $(cat rec1.log)"
grep -q "cc -c -o a.o" rec1.log || fail "T1 did not compile a.c: $(cat rec1.log)"
for f in build/cache build/Makefile; do
	manifest_text T1/.ckpt/manifest | grep -q "^f O .* $f\$" ||
		fail "$f is not an output of the chain: $(manifest_text T1/.ckpt/manifest | grep " $f\$")"
done
# The next level: a fresh copy with both edits, restored from the chain.
cp -a P0 T2 && echo 'int a2;' >> T2/a.c && echo 'int b2;' >> T2/b.c
(cd T2 && "$CKPT" status --json -d ../T1/.ckpt) > st.json 2>&1 || fail "status: $(cat st.json)"
python3 - st.json <<'PY' || fail "status of T2: $(cat st.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["deleted"] == [], s["deleted"]
assert s["affected"] == ["build/b.o"], s["affected"]
PY
(cd T2 && "$CKPT" restore -d ../T1/.ckpt && make -C build) > t2.log 2>&1 || fail "restore + make: $(cat t2.log)"
expect_eq "make's compiles" "cc -c -o b.o ../b.c" "$(grep '^cc ' t2.log)"
pass
