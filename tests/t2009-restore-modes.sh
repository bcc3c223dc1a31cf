#!/bin/sh
# Restored outputs have the modes they were recorded with, whatever the
# umask of the restore, and in a directory whose default ACL (which then
# filters the mode instead of the umask) would take the x bits away; the
# same for outputs in a directory the tree does not have, which restore
# fills under another name before renaming it into place.
. "$(dirname "$0")/lib.sh"
mkdir orig
cat > orig/Makefile <<'MK'
all: app a.o private.txt shared.txt exec.sh sub/exec.sh sub/private.txt
sub/exec.sh:
	mkdir -p sub
	printf '#!/bin/sh\necho hi\n' > $@ && chmod 711 $@
sub/private.txt:
	mkdir -p sub
	echo private > $@ && chmod 600 $@
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
outs="app a.o private.txt shared.txt exec.sh sub/exec.sh sub/private.txt"
modes() { (cd "$1" && stat -c '%n %a' $outs); }
modes orig > want
expect_eq "recorded modes" "app 755
a.o 644
private.txt 600
shared.txt 664
exec.sh 711
sub/exec.sh 711
sub/private.txt 600" "$(cat want)"
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

# A default ACL of user::rw-, group::r--, other::r-- on the tree: a file
# created 0755 there comes out 0644 unless chmod'ed.
mkdir acl
cp orig/Makefile orig/a.c acl/
if python3 -c '
import os, struct, sys
e = [(1, 6, 0xffffffff), (4, 4, 0xffffffff), (0x20, 4, 0xffffffff)]
os.setxattr(sys.argv[1], "system.posix_acl_default",
            struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *x) for x in e))
' acl 2>/dev/null; then
	(cd acl && umask 022 && "$CKPT" restore -d ../orig/.ckpt) \
		> restore-acl.log 2>&1 || fail "restore under an ACL: $(cat restore-acl.log)"
	modes acl > got
	cmp -s want got || fail "default ACL: modes $(cat got)"
else
	echo "no default ACLs here: that case skipped"
fi
pass
