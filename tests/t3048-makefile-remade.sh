#!/bin/sh
# make remakes the makefiles it read before anything else, from what its
# rules make them of: automake's `Makefile: $(srcdir)/Makefile.in
# config.status`, `$(srcdir)/Makefile.in: $(srcdir)/Makefile.am
# $(am__configure_deps)`. With configure run before the record, make only
# looked at those, and an edit of one changed nothing: make remade the
# Makefile and kept every output restored from the old one (gmp's
# mpz/Makefile.in given other AM_CPPFLAGS: 207 objects built with the old
# flags). Their content is that make's input now. Files it only looked at
# otherwise are not (a prerequisite a recipe does not read), and those
# files are no makefiles of it: a glob-like line in configure.ac does not
# make a name added matter.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
P=$TRASH/proj.src
mkdir -p "$P/m4"
cat > "$P/Makefile.am" <<'MK'
srcdir = .
am__configure_deps = $(srcdir)/configure.ac $(ACLOCAL_DEPS)
ACLOCAL_DEPS = $(srcdir)/m4/x.m4
FLAGS = -DA
all: out1 out2
out1: in
	echo $(FLAGS) > out1
out2: in2 stamp
	cp in2 out2
Makefile: $(srcdir)/Makefile.in config.status
	./config.status
$(srcdir)/Makefile.in: $(srcdir)/Makefile.am $(am__configure_deps)
	cp $(srcdir)/Makefile.am $@
config.status: configure
	./configure
MK
printf '#!/bin/sh\nprintf "#!/bin/sh\\ncp Makefile.in Makefile\\n" > config.status\nchmod +x config.status\n./config.status\n' > "$P/configure"
chmod +x "$P/configure"
echo 'AC_INIT: *' > "$P/configure.ac"
echo 'dnl m4' > "$P/m4/x.m4"
echo 1 > "$P/in" && echo 2 > "$P/in2" && echo s > "$P/stamp"
cp "$P/Makefile.am" "$P/Makefile.in"
touch -d @1000 "$P/configure.ac" "$P/m4/x.m4" "$P/Makefile.am"
touch -d @2000 "$P/Makefile.in" "$P/configure"
(cd "$P" && ./configure) || fail "configure"
touch -d @3000 "$P/config.status" "$P/Makefile"

mkdir in && cd in
edit() { sed -i 's/-DA/-DB/' Makefile.in; }
scenario "$P" edit
expect_status modified Makefile.in
expect_jobs "./config.status" "echo -DB > out1" "cp in2 out2"
expect_same
expect_eq out1 -DB "$(cat fresh/out1)"
cp -a "$P" why && sed -i 's/-DA/-DB/' why/Makefile.in
(cd why && "$CKPT" explain -d ../orig/.ckpt out1) > explain.log 2>&1
grep -qx '  -> a makefile is remade from it by' explain.log ||
	fail "explain does not say make remakes a makefile from it: $(cat explain.log)"
cd "$TRASH"

# Through a rule of the rules and a variable: Makefile.am, then m4/x.m4.
mkdir am && cd am
edit() { sed -i 's/-DA/-DC/' Makefile.am; }
scenario "$P" edit
expect_status modified Makefile.am
expect_same
expect_eq out1 -DC "$(cat fresh/out1)"
cd "$TRASH"
mkdir m4 && cd m4
edit() { echo 'dnl more' >> m4/x.m4; }
scenario "$P" edit
expect_status modified m4/x.m4
expect_same
cd "$TRASH"

# Not an input: a prerequisite only looked at, and a name added.
mkdir none && cd none
edit() { echo t > stamp; echo notes > README; }
scenario "$P" edit
expect_status modified
expect_status affected
expect_jobs
expect_same
cd "$TRASH"
pass
