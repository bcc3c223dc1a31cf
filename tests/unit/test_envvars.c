/* What envvars.c takes for a makefile's references to variables, and
 * which variables it leaves out of the comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "envvars.h"

static void collect(const char *name, size_t len, void *arg)
{
	char *out = arg;
	strncat(out, name, len);
	strcat(out, " ");
}

static const char *refs(const char *text)
{
	static char out[512];
	out[0] = 0;
	envvars_refs(text, strlen(text), collect, out);
	return out;
}

static void references(void **state)
{
	(void)state;
	assert_string_equal(refs("CFLAGS += $(OPT) ${DEBUG}\n"), "OPT DEBUG ");
	assert_string_equal(refs("OBJ = $(SRC:.c=.o)\n"), "SRC ");
	assert_string_equal(refs("ifdef V\nifndef QUIET\nendif\n"), "V QUIET ");
	assert_string_equal(refs("$(if $(origin CC),x) $(value LD) "
				 "$(flavor AR)"),
			    "CC LD AR ");
	/* Functions and the shell's own variables are not references. */
	assert_string_equal(refs("x:\n\techo $$HOME $$(pwd) $(shell ls)\n"),
			    "");
	assert_string_equal(refs("$(wildcard *.c) $(patsubst %.c,%.o,$(S))"),
			    "S ");
	/* A name must end where a reference ends. */
	assert_string_equal(refs("$(A-B) $(C.D)"), "");
	assert_string_equal(refs("# ifdef X in a comment\n"), "");
}

static const char *sets(const char *text)
{
	static char out[512];
	out[0] = 0;
	envvars_assigns(text, strlen(text), collect, out);
	return out;
}

static void directives(void **state)
{
	(void)state;
	assert_string_equal(refs("ifeq (a,b)\n  ifdef DEBUG\n  endif\n"
				 "else ifndef QUIET\nendif\n"),
			    "DEBUG QUIET ");
	assert_string_equal(refs("ifdefX\n"), "");
}

/* What overrides the environment, and what does not. */
static void assignments(void **state)
{
	(void)state;
	assert_string_equal(sets("src := $(obj)\nCC = gcc\nA::=1\nB:::=2\n"
				 "D != date\n"),
			    "src CC A B D ");
	assert_string_equal(sets("override CFLAGS = -g\nexport X = 1\n"
				 "  private Y := 2\noverride V += 1\n"),
			    "CFLAGS X Y ");
	assert_string_equal(sets("define Z\nbody\nendef\ndefine W =\nx\n"
				 "endef\n"),
			    "Z W ");
	/* In a conditional: the default the environment's value replaces. */
	assert_string_equal(sets("ifndef PREFIX\nPREFIX = /usr\nendif\n"
				 "ifeq ($(origin CC),default)\n  CC = gcc\n"
				 "else\nCC := x\nendif\nA = 1\n"),
			    "A ");
	/* The shell's: a recipe line, a continued line. */
	assert_string_equal(sets("v.txt:\n\tVERSION=$(VERSION) sh gen.sh\n"
				 "ENV = LANG=C \\\nVERSION=$(V)\nB = 2\n"),
			    "ENV B ");
	/* ?= and += take the environment's value; a rule is not one. */
	assert_string_equal(sets("PREFIX ?= /usr\nCFLAGS += -O2\n"
				 "export PATH\nall: x\n\t$(CC) -o x\n"),
			    "");
}

static const char *shell(const char *text)
{
	static char out[512];
	out[0] = 0;
	envvars_shell_refs(text, strlen(text), collect, out);
	return out;
}

/* A variable a script sets before anything else runs is the script's
 * own from then on (unzip's unix/configure: `CFLAGS=${2}`). */
static void shell_assigned_first(void **state)
{
	(void)state;
	assert_string_equal(shell(":\n#!/bin/sh -x\n# $1 = $(CC)\n\n"
				  "trap \"rm -f c*; exit 1\" 1 2 15\n"
				  "CC=${1-cc}\nCFLAGS=${2}\nX=${CFLAGS} Y='a b'\n"
				  "CFLAGS=\"${CFLAGS} -I.\" # more\n"
				  "echo $CC $CFLAGS $X $Y $Z\n"
				  "if true; then echo $CFLAGS; fi\n"),
			    "cc Z ");	/* ${1-cc}: a bare name, as ${a[I]} */
	/* Used before it is set, or in its own value: the environment's,
	 * there. Set for one command only: the environment's after it. */
	assert_string_equal(shell("echo $A; A=1; B=\"$B x\"; C=1 cc $C\n"
				  "echo $A $B $C"),
			    "A B C C ");
	/* Set after what may make it conditional, or in another shell. */
	assert_string_equal(shell("test -n \"$1\" && D=1\nE=1 | cat\n"
				  "(F=1)\nG=$(pwd)\nH=`pwd`\nI=1 &\n"
				  "echo $D $E $F $G $H $I"),
			    "D E F G H I ");
	assert_string_equal(shell("if x; then\nJ=1\nfi\nK=1\necho $J $K"),
			    "J K ");
	assert_string_equal(shell("f() {\nL=1\n}\nM=1\necho $L $M"),
			    "L M ");
	assert_string_equal(shell("cat <<EOF\nEOF\nN=1\necho $N;"
				  "case x in x) ;; esac; O=1; echo $O"),
			    "N O ");
	assert_string_equal(shell("P='unterminated\necho $P"), "P ");
	/* A quoted ; or newline ends no command. */
	assert_string_equal(shell("echo \"a;Q=1\nR=1\"; echo $Q $R"),
			    "Q R ");
}

/* What a shell script expands: what its shell reads of the environment.
 * Quoting is not followed: a name counted for nothing costs a rebuild. */
static void shell_references(void **state)
{
	(void)state;
	assert_string_equal(shell("echo $HOME ${LANG} ${TZ:-UTC} ${#USER}"),
			    "HOME LANG TZ UTC USER ");
	assert_string_equal(shell("cc -o $@ \"$OUT/x\"; $(echo $A)"),
			    "OUT A ");
	/* Quoted, escaped or not: a `'` may be a comment's or a heredoc's
	 * (found by attacking the first version, which followed quotes). */
	assert_string_equal(shell("awk '{ print $1, $NF }' \"it's $B\""),
			    "NF B ");
	assert_string_equal(shell("# Don't edit \\\n echo \"$G\""), "G ");
	assert_string_equal(shell("echo \\$C \\\\$D $$E $1 $? $@ ${2} $"),
			    "C D E ");
	assert_string_equal(shell("eval 'echo \"$F\"'"), "F ");
	/* Bare names in arithmetic and in a ${...}; indirection. */
	assert_string_equal(shell("echo $((GREETING * 2)); ((i += STEP))"),
			    "GREETING i STEP ");
	assert_string_equal(shell("(( (A + 1) * 2 )); echo $(( (B) ))"),
			    "A B ");
	/* Two subshells are no arithmetic (vim's pathdef.c recipe). */
	assert_string_equal(shell("((logname) 2>/dev/null || whoami)"), "");
	assert_string_equal(shell("let \"n = P + 1\"; echo $[Q+1] R; outlet x"),
			    "n P Q ");
	assert_string_equal(shell("${s:OFF:2} ${a[I]} ${!n} (x) y"),
			    "s OFF a I * n ");
	/* ~ is $HOME where a word starts; cd searches $CDPATH. */
	assert_string_equal(shell("cat ~/g; cd sub && x=~; a~b cdx ~user"),
			    "HOME CDPATH HOME ");
	/* Not C's ~(a|b) in a heredoc (mawk's configure), nor awk's
	 * `line ~ /re/` (automake's Makefile.in, read as the source of a
	 * removed script). */
	assert_string_equal(shell("cat <<EOF\nm & ~(FP_X_DZ|FP_X_OFL)\nEOF\n"),
			    "");
	assert_string_equal(shell("if (line ~ /^x/) n++; cd ~ ; ls ~\n"),
			    "CDPATH HOME HOME ");
	/* A tilde-prefix other than ~ alone is a user's home, or nothing:
	 * libtool's `case ... in ~*)` in every libtool 2.4 script. */
	assert_string_equal(shell("case $1 in ~*) ;; ~+|~-) ;; esac; "
				  "cat ~user/f ~\"x\" ${d:-~}"),
			    "d HOME ");
	/* No ~ is expanded in a heredoc: one of C that cat writes to a
	 * file holds C's `~` (configure's `(time_t) ~ (time_t) 0`); where
	 * the text may be a script, it still counts. */
	assert_string_equal(shell("cat confdefs.h - <<_ACEOF >conftest.$ac_ext\n"
				  "int x = ~ 0; int y = $V;\n_ACEOF\n"
				  "cat >>x.h <<-EOF\n\t: ~ T\n\tEOF\n: ~ z\n"),
			    "ac_ext V HOME ");
	assert_string_equal(shell("cat <<EOF | sh\nls ~ x\nEOF\n"
				  "cat > gen.sh <<EOF\nls ~ \nEOF\n"),
			    "HOME HOME ");
	/* \$HOME in a heredoc that cat only prints, in an autoconf
	 * configure, never expands (every configure's --help); in one
	 * written to a file or a pipe it may, when that runs, and so it may
	 * in another script. \\$X is $X. */
#define AC "#! /bin/sh\n# Generated by GNU Autoconf 2.71 for x 1.\n"
	assert_string_equal(shell(AC "  cat <<_ACEOF\n  for instance \\`--prefix="
				  "\\$HOME'. $A \\\\$B\n_ACEOF\necho \\$C\n"),
			    "A B C ");
	assert_string_equal(shell(AC "cat <<-\\EOF\n\\$X\n\tEOF\necho \\$Y\n"),
			    "Y ");
	assert_string_equal(shell(AC "cat <<EOF > gen.sh\n\\$A\nEOF\n"
				  "cat <<EOF | sh\n\\$B\nEOF\nsh <<EOF\n\\$C\nEOF\n"),
			    "A B C ");
	assert_string_equal(shell("gen() {\ncat <<EOF\n\\$HOME\nEOF\n}\n"),
			    "HOME ");
}

/* argv's strings one after another, as a trace keeps them. */
static const char *packed(const char *const *argv, int argc)
{
	static char buf[256];
	char *o = buf;
	for (int i = 0; i < argc; i++) {
		strcpy(o, argv[i]);
		o += strlen(argv[i]) + 1;
	}
	return buf;
}

static const char *script(const char *const *argv, int argc)
{
	return envvars_shell_script(packed(argv, argc), argc);
}

/* Which argvs run a script, and which string it is. */
static void shell_scripts(void **state)
{
	(void)state;
	const char *make[] = { "/bin/sh", "-c", "echo $X" };
	assert_string_equal(script(make, 3), "echo $X");
	const char *posix[] = { "/bin/sh", "-ec", "s", "name", "arg" };
	assert_string_equal(script(posix, 5), "s");
	const char *opts[] = { "bash", "--norc", "-o", "pipefail", "-e",
			       "-c", "s" };
	assert_string_equal(script(opts, 7), "s");
	const char *dashes[] = { "dash", "-c", "--", "s" };
	assert_string_equal(script(dashes, 4), "s");
	/* Options that take the next word, also inside a cluster. */
	const char *euo[] = { "/bin/bash", "-euo", "pipefail", "-c", "s" };
	assert_string_equal(script(euo, 5), "s");
	const char *shopt[] = { "bash", "-O", "extglob", "+o", "posix", "-c",
				"s" };
	assert_string_equal(script(shopt, 7), "s");
	const char *rc[] = { "bash", "--rcfile", "-c", "-c", "s" };
	assert_string_equal(script(rc, 5), "s");
	/* A script file, an option without -c, not a shell. */
	const char *file[] = { "sh", "gen.sh", "-c" };
	assert_null(script(file, 3));
	const char *noc[] = { "bash", "--norc", "s" };
	assert_null(script(noc, 3));
	const char *other[] = { "/usr/bin/python3", "-c", "print(1)" };
	assert_null(script(other, 3));
	const char *shorter[] = { "sh", "-c" };
	assert_null(script(shorter, 2));
	/* A script file: sh gen.sh, and the exec of a #! script. */
	const char *gen[] = { "sh", "-e", "gen.sh", "-c" };
	assert_null(script(gen, 4));
	char b[64];
	memcpy(b, "/bin/sh\0-e\0gen.sh\0x", 20);
	assert_string_equal(envvars_shell_file(b, 4), "gen.sh");
	assert_null(envvars_shell_file("sh\0-c\0echo", 3));
	assert_null(envvars_shell_file("sh\0-s\0arg", 3));	/* stdin */
	assert_null(envvars_shell_file("sh", 1));
	assert_null(envvars_shell_file("python3\0gen.py", 2));
	/* What the process uses: bash sources $BASH_ENV first. */
	char out[64] = "";
	static const char bash[] = "bash\0-c\0echo $X";
	envvars_exec_uses(bash, 3, collect, out);
	assert_string_equal(out, "BASH_ENV X ");
	out[0] = 0;
	envvars_exec_uses("dash\0-c\0echo $X", 3, collect, out);
	assert_string_equal(out, "X ");
}

static const char *uses(const char *const *argv, int argc)
{
	static char out[128];
	out[0] = 0;
	envvars_exec_uses(packed(argv, argc), argc, collect, out);
	return out;
}

/* Programs that read the environment without getenv: what printenv
 * names, and the whole of it (ENV_ALL, "*") for what prints or walks it. */
static void whole_environment(void **state)
{
	(void)state;
	const char *env[] = { "/usr/bin/env" };
	assert_string_equal(uses(env, 1), "* ");
	const char *env_set[] = { "env", "-u", "X", "A=1" };
	assert_string_equal(uses(env_set, 4), "* ");
	const char *env_run[] = { "env", "-i", "A=1", "make" };
	assert_string_equal(uses(env_run, 4), "");
	const char *pe[] = { "printenv", "HOME", "LANG" };
	assert_string_equal(uses(pe, 3), "HOME LANG ");
	const char *pe_all[] = { "printenv", "-0" };
	assert_string_equal(uses(pe_all, 2), "* ");
	/* A program in awk, Perl or Python: the variables its environment
	 * object is indexed by, in quotes; any other use is all of it. */
	const char *awk[] = { "gawk", "BEGIN { print ENVIRON[\"X\"] }" };
	assert_string_equal(uses(awk, 2), "X ");
	const char *awk_all[] = { "awk", "BEGIN { for (k in ENVIRON) n++ }" };
	assert_string_equal(uses(awk_all, 2), "* ");
	const char *awk_in[] = { "mawk", "BEGIN { if (\"POSIXLY_CORRECT\" in"
				 " ENVIRON) print \"x\" }" };
	assert_string_equal(uses(awk_in, 2), "POSIXLY_CORRECT ");
	const char *awk_in_var[] = { "awk", "{ if ($1 in ENVIRON) n++ }" };
	assert_string_equal(uses(awk_in_var, 2), "* ");
	const char *awk_var[] = { "awk", "{ print ENVIRON[$1] }" };
	assert_string_equal(uses(awk_var, 2), "* ");
	const char *awk_no[] = { "mawk", "{ print $1, ENVIRONMENT }" };
	assert_string_equal(uses(awk_no, 2), "");
	const char *py[] = { "python3", "-c",
			     "import os; os.getenv('X'); os.environ[\"Y\"];"
			     " os.environ.get('Z', '')" };
	assert_string_equal(uses(py, 3), "Y Z X ");
	const char *py_all[] = { "python3", "-c",
				 "import os; e = dict(os.environ)" };
	assert_string_equal(uses(py_all, 3), "* ");
	const char *py_imp[] = { "python3", "-c",
				 "from os import environ\nenviron['X']" };
	assert_string_equal(uses(py_imp, 3), "X ");
	const char *py_as[] = { "python3", "-c",
				"from os import environ as E\nE['X']" };
	assert_string_equal(uses(py_as, 3), "* ");
	const char *pl[] = { "perl", "-e", "print $ENV{X}, $ENV{ 'Y' }" };
	assert_string_equal(uses(pl, 3), "X Y ");
	const char *pl_all[] = { "perl", "-e", "print keys %ENV" };
	assert_string_equal(uses(pl_all, 3), "* ");
	const char *pl_var[] = { "perl", "-e", "print $ENV{$n}, $main::ENV{V}" };
	assert_string_equal(uses(pl_var, 3), "* V ");
	const char *pl_no[] = { "perl", "-e", "print 'ENV', $ENVX" };
	assert_string_equal(uses(pl_no, 3), "");
	/* A shell's builtins that print every variable, and ${!n}. */
	assert_string_equal(shell("export -p > e; set | sort"), "* * ");
	assert_string_equal(shell("set -e; export X=1; setx"), "");
	assert_string_equal(shell("echo ${!n}"), "* n ");
	assert_string_equal(shell("if true; then set; fi; x && declare -p"),
			    "* * ");
	assert_string_equal(shell("typeset -x|wc; (compgen -e)"), "* * ");
	assert_string_equal(shell("typeset -y; compgen -v"), "");
	/* As words in a comment or a message they print nothing (found by
	 * attacking: every helper script with "# fail if not set"). */
	assert_string_equal(shell("# fail if not set\necho 'no typeset here'"
				  "; echo \"CC not set; using cc\"\n"
				  "# declare the format; names we export\n"),
			    "");
	/* setlocalversion, Linux 6.1: a comment "(if set)"; then a set. */
	assert_string_equal(shell("# LOCALVERSION (if set)\n"
				  "[ \"${L+set}\" != set ]; set\n"),
			    "L set * ");
	/* autoconf's configure lists its variables only for its cache
	 * variables, and names each one it uses: those count, not all. The
	 * same text in another script, or another set in configure, is all. */
#define BANNER "#! /bin/sh\n# Generated by GNU Autoconf 2.71 for x 1.\n"
#define CACHE_SAVE "if ${ac_cv_prog_CC+:} false; then :; fi\n" \
	"  for ac_var in `(set) 2>&1 | sed -n 's/=.*//p'`; do :; done\n" \
	"  (set) 2>&1 |\n    case $as_nl`(ac_space=' '; set) 2>&1` in #(\n" \
	"  trap '(ac_space='\\'' '\\''; set) 2>&1' 0\n"
	assert_string_equal(shell(BANNER CACHE_SAVE), "ac_cv_prog_CC as_nl ");
	assert_string_equal(shell(CACHE_SAVE), "ac_cv_prog_CC * * as_nl * * ");
	assert_string_equal(shell(BANNER "set | sort\n(X=1; set) 2>&1\n"),
			    "* * ");
	/* Thomas Dickey's autoconf (ncurses): no "GNU" in the banner, and
	 * a set filtered by grep to see how it quotes ac_space. */
#define DICKEY "#! /bin/sh\n# Generated by Autoconf 2.52.20221009.\n"
	assert_string_equal(shell(DICKEY "  (set) 2>&1 |\n    case `(ac_space="
				  "' '; set | grep ac_space) 2>&1` in\n"),
			    "");
	assert_string_equal(shell(DICKEY "(X=1; set | grep ac_space) 2>&1\n"
				  "set | grep ac_space\n"),
			    "* * ");
	/* C in configure's heredocs (bash 5.2's `sigemptyset(&set);`): an
	 * address and a call are not commands; the shell's own forms are. */
	assert_string_equal(shell(BANNER "cat > c.c <<EOF\nsigset_t set;\n"
				  "sigemptyset(&set); f(set); g(set, 1);\nEOF\n"),
			    "");
	assert_string_equal(shell("a & set\na&&set\nx=$(set)\n(set)\n"),
			    "* * * * ");
	/* The price: `a &set`, which no one writes, is taken for C. */
	assert_string_equal(shell("a &set\n"), "");
	/* A script file that is gone, or not a file: unknown (build.c
	 * decides). */
	char out[64] = "";
	assert_int_equal(envvars_shell_file_uses("/nonexistent/gen.sh",
						 collect, out), -1);
	assert_int_equal(envvars_shell_file_uses("/dev/null", collect, out), -1);
	assert_string_equal(out, "");
}

static void add_file(const char *path, void *arg)
{
	strcat(arg, path);
	strcat(arg, " ");
}

static const char *program_files(const char *const *argv, int argc)
{
	static char out[128];
	out[0] = 0;
	envvars_program_files(packed(argv, argc), argc, add_file, out);
	return out;
}

/* Program files of awk, perl and python, whose environment reads are
 * not getenv calls; and files a shell read itself (sourced). */
static void program_files_and_sourced(void **state)
{
	(void)state;
	const char *awk[] = { "gawk", "-v", "x=1", "-f", "a.awk", "-fb.awk",
			      "--file=c.awk", "data" };
	assert_string_equal(program_files(awk, 8), "a.awk b.awk c.awk ");
	const char *awk_text[] = { "awk", "-F", ":", "{ print }", "f.awk" };
	assert_string_equal(program_files(awk_text, 5), "");
	const char *pl[] = { "/usr/bin/perl", "-w", "-I", "lib", "-Mstrict",
			     "gen.pl", "arg" };
	assert_string_equal(program_files(pl, 7), "gen.pl ");
	const char *pl_e[] = { "perl", "-lne", "print", "gen.pl" };
	assert_string_equal(program_files(pl_e, 4), "");
	const char *py[] = { "python3", "-u", "-W", "ignore", "gen.py", "x" };
	assert_string_equal(program_files(py, 6), "gen.py ");
	const char *py_m[] = { "python3", "-m", "gen", "x.py" };
	assert_string_equal(program_files(py_m, 4), "");
	const char *py_c[] = { "python3", "-Ic", "print(1)", "x.py" };
	assert_string_equal(program_files(py_c, 4), "");
	const char *sh[] = { "sh", "gen.py" };
	assert_string_equal(program_files(sh, 2), "");
	/* What the file says: all, or nothing; all if it is gone. */
	char dir[] = "/tmp/test_envvars.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64], out[64] = "";
	snprintf(path, sizeof path, "%s/p", dir);
	FILE *f = fopen(path, "w");
	fputs("import os\nx = os.environ['X']\ny = os.environ.copy()\n", f);
	fclose(f);
	envvars_program_file_uses('y', path, collect, out);
	assert_string_equal(out, "X * ");
	out[0] = 0;
	envvars_program_file_uses('a', path, collect, out);
	assert_string_equal(out, "");
	/* The same file sourced by a shell: the names it expands. */
	f = fopen(path, "w");
	fputs("where=${PLACE:-home}; cd /x\n", f);
	fclose(f);
	envvars_sourced_uses(path, collect, out);
	assert_string_equal(out, "PLACE home CDPATH ");
	out[0] = 0;
	f = fopen(path, "w");
	fwrite("$PLACE\0binary", 1, 13, f);	/* data, not a script */
	fclose(f);
	envvars_sourced_uses(path, collect, out);
	assert_string_equal(out, "");
	unlink(path);
	envvars_sourced_uses(path, collect, out);	/* gone: data */
	assert_string_equal(out, "");
	/* A C header a shell reads is a redirection's data (gnulib's `sed
	 * ... < unistd.in.h`, whose comment names ${LOGNAME-$USER}); the
	 * same text under a script's name is code. */
	char hdr[80];
	snprintf(hdr, sizeof hdr, "%s/unistd.in.h", dir);
	f = fopen(hdr, "w");
	fputs("/* ${LOGNAME-$USER} */\n", f);
	fclose(f);
	envvars_sourced_uses(hdr, collect, out);
	assert_string_equal(out, "");
	rename(hdr, path);
	envvars_sourced_uses(path, collect, out);
	assert_string_equal(out, "LOGNAME USER ");
	out[0] = 0;
	unlink(path);
	/* A program file that is gone: unknown, the caller decides. */
	assert_int_equal(envvars_program_file_uses('p', path, collect, out), -1);
	assert_string_equal(out, "");
	rmdir(dir);
}

static void ignored(void **state)
{
	(void)state;
	const char *out[] = { "PWD", "OLDPWD", "TERM", "SHLVL", "PATH",
			      "TMPDIR", "MAKEFLAGS", "LD_PRELOAD", "CKPT_DIR",
			      "COLLECT_GCC_OPTIONS", "COLORTERM", "CURDIR",
			      "MAKECMDGOALS", "MAIL", "MAN_DISABLE_SECCOMP" };
	for (size_t i = 0; i < sizeof out / sizeof *out; i++)
		assert_true(envvars_ignored(out[i]));
	const char *in[] = { "CFLAGS", "CC", "TZ", "SOURCE_DATE_EPOCH",
			     "CPATH", "HOME", "LANG", "PATHX" };
	for (size_t i = 0; i < sizeof in / sizeof *in; i++)
		assert_false(envvars_ignored(in[i]));
}

/* The changed variables are found by name among thousands, and only
 * they: an unchanged or unknown name is -1, and with none changed there
 * is no set at all. */
static void changed_lookup(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct envvar *envs = calloc(N, sizeof *envs);
	char (*names)[8] = calloc(N, sizeof *names);
	assert_non_null(envs);
	assert_non_null(names);
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "V%04d", i);
		envs[i].name = names[i];
	}
	envs[N - 1].name = ENV_ALL;
	struct ckpt c = { .envs = envs, .nenvs = N };
	assert_null(envvars_changes(&c));

	envs[7].changed = envs[4321].changed = envs[N - 1].changed = 1;
	struct env_changes *set = envvars_changes(&c);
	assert_non_null(set);
	assert_int_equal(envvars_changes_find(set, "V0007"), 7);
	assert_int_equal(envvars_changes_find(set, "V4321"), 4321);
	assert_int_equal(envvars_changes_find(set, ENV_ALL), N - 1);
	assert_int_equal(envvars_changes_find(set, "V0008"), -1);
	assert_int_equal(envvars_changes_find(set, "V000"), -1);
	assert_int_equal(envvars_changes_find(set, "NOPE"), -1);
	assert_int_equal(envvars_changes_find(NULL, "V0007"), -1);
	envvars_changes_free(set);
	envvars_changes_free(NULL);
	free(names);
	free(envs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(references),
		cmocka_unit_test(directives),
		cmocka_unit_test(assignments),
		cmocka_unit_test(shell_references),
		cmocka_unit_test(shell_assigned_first),
		cmocka_unit_test(shell_scripts),
		cmocka_unit_test(whole_environment),
		cmocka_unit_test(program_files_and_sourced),
		cmocka_unit_test(ignored),
		cmocka_unit_test(changed_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
