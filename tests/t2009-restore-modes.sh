#!/bin/sh
# Restored outputs have the modes they were recorded with, whatever the
# umask of the restore: restore leaves out the chmod a created file does
# not need, and that must not lose a bit the umask took away.
. "$(dirname "$0")/lib.sh"
mkdir orig
cat > orig/Makefile <<'MK'
all: app a.o private.txt shared.txt exec.sh
app: a.o
	cc -o $@ a.o
a.o: a.c
	cc -c -o $@ a.c
private.txt:
	echo private > $@ && chmod 600 $@
shared.txt:
	echo shared > $@ && chmod 664 $@
exec.sh:
	printf '#!/bin/sh\necho hi\n' > $@ && chmod 711 $@
MK
echo 'int main(void) { return 0; }' > orig/a.c
(cd orig && umask 022 && "$CKPT" record -- make >/dev/null 2>&1) || fail "record"
outs="app a.o private.txt shared.txt exec.sh"
modes() { (cd "$1" && stat -c '%n %a' $outs); }
modes orig > want
expect_eq "recorded modes" "app 755
a.o 644
private.txt 600
shared.txt 664
exec.sh 711" "$(cat want)"
for m in 022 077 000 002; do
	mkdir "fresh$m"
	cp orig/Makefile orig/a.c "fresh$m/"
	(cd "fresh$m" && umask $m && "$CKPT" restore -d ../orig/.ckpt) \
		> "restore$m.log" 2>&1 || fail "restore, umask $m: $(cat restore$m.log)"
	modes "fresh$m" > got
	cmp -s want got || fail "umask $m: modes $(cat got)"
	for o in $outs; do
		cmp -s "orig/$o" "fresh$m/$o" || fail "umask $m: $o differs"
	done
done
pass
