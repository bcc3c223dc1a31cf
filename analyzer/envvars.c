/*
 * envvars.c - the environment variables a build used.
 *
 * A job reads the environment through getenv (the shim records each
 * name); or, being a shell, expands it in its script (a recipe line's
 * `sh -c` script, scanned by envvars_shell_refs), or prints or walks all
 * of it (env, printenv; ENV_ALL), without getenv (envvars_exec_uses).
 * And make imports all of it as variables: a makefile's $(CFLAGS)
 * is the environment's CFLAGS unless a makefile assigns CFLAGS itself. So
 * the variables a build used are those its jobs looked up, and, for each
 * make, those the makefiles it read refer to ($(NAME), ${NAME}, ifdef
 * NAME, $(origin NAME)) and do not assign (=, :=, ::=, !=, define; ?= and
 * += take the environment's value), plus those make's built-in rules use.
 * The checkpoint keeps a hash of each one's value when the build started
 * (never the value: environments hold secrets), or that it was unset;
 * status and restore compare that with their own environment, which is
 * the one the next make runs in.
 *
 * Left out are variables that differ from one shell to the next and do
 * not change what a build writes (PWD, TERM, SHLVL, MAIL, COLORTERM and
 * gcc's other colour settings), those make and ckpt set for their children
 * (MAKEFLAGS, LD_PRELOAD, CKPT_DIR, MAN_DISABLE_SECCOMP), make's own
 * (CURDIR, MAKE), and PATH
 * and the temporary directories: which program a look-up finds is
 * already a dependency of its own, and where compilers put temporary
 * files does not matter.
 *
 * The environment comes from the trace's ENVIRON record, of the first
 * traced process. Without one, nothing is compared; when it was cut short
 * (over 4096 variables, or near the half window a record may take), a
 * variable not in it is taken as unknown, not as unset.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>
#include <xxhash.h>

#include "changes.h"
#include "envvars.h"
#include "fsio.h"

static const char *const ignored[] = {
	"PWD", "OLDPWD", "SHLVL", "_", "TERM", "COLUMNS", "LINES", "PATH",
	/* the login's mailbox (pam_mail): nginx's configure sets a MAIL of
	 * its own before it reads it, and a scan cannot see that order */
	"MAIL", "MAILCHECK", "MAILPATH",
	/* gcc's, for diagnostics on a terminal */
	"COLORTERM", "GCC_COLORS", "GCC_URLS", "TERM_URLS",
	"TMPDIR", "TMP", "TEMP", "SHELL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL",
	"MAKEOVERRIDES", "GNUMAKEFLAGS", "MAKE_TERMOUT", "MAKE_TERMERR",
	"LD_PRELOAD",
	/* ckpt record sets it for man-db (cmd_record.c) */
	"MAN_DISABLE_SECCOMP",
	/* make's own: it sets them, whatever the environment says */
	"CURDIR", "MAKE", "MAKECMDGOALS", "MAKEFILE_LIST", "MAKE_VERSION",
	"MAKE_HOST", "MAKE_RESTARTS", "MAKE_COMMAND", "SUFFIXES",
};

int envvars_ignored(const char *name)
{
	for (size_t i = 0; i < sizeof ignored / sizeof *ignored; i++)
		if (!strcmp(name, ignored[i]))
			return 1;
	/* ckpt's own, and what gcc sets for the programs it runs. */
	return !strncmp(name, "CKPT_", 5) || !strncmp(name, "COLLECT_", 8);
}

/* What make's built-in rules use: a makefile that leans on them never
 * names them. */
static const char *const builtin[] = {
	"CC",	    "CFLAGS", "CPPFLAGS", "CXX",	 "CXXFLAGS", "LDFLAGS",
	"LDLIBS",   "LOADLIBES", "TARGET_ARCH", "AR",	 "ARFLAGS",  "AS",
	"ASFLAGS",  "CPP",    "LEX",	  "LFLAGS",	 "YACC",     "YFLAGS",
	"FC",	    "FFLAGS",
};

/* A set of names; a name need not end with a NUL (it may point into a
 * "NAME=value" string of the trace). */
struct name {
	const char *name;
	size_t len;
	const char *value;	/* the environment's, for start_env */
	UT_hash_handle hh;
};

static struct name *find(struct name *set, const char *s, size_t len)
{
	struct name *n;
	HASH_FIND(hh, set, s, len, n);
	return n;
}

static void add_name(struct name **set, const char *s, size_t len,
		     const char *value)
{
	if (find(*set, s, len))
		return;
	struct name *n = xcalloc(1, sizeof *n);
	n->name = s;
	n->len = len;
	n->value = value;
	HASH_ADD_KEYPTR(hh, *set, n->name, n->len, n);
}

static void free_names(struct name **set)
{
	struct name *n, *tmp;
	HASH_ITER(hh, *set, n, tmp) {
		HASH_DEL(*set, n);
		free(n);
	}
}

/*
 * The environment the first traced process started with; -1 if the trace
 * has none. *cut: the record may have been cut short. The shim records at
 * most 4096 variables, and drops those that would take a record past half
 * its window; one variable may be up to 128 KiB.
 */
static int start_env(const struct trace *t, struct name **set, int *cut)
{
	*set = NULL;
	*cut = 0;
	for (size_t i = 0; i < t->nimg; i++) {
		const struct image *im = &t->img[i];
		for (size_t k = 0; k < im->nev; k++) {
			const struct event *e = &im->ev[k];
			if (e->rec->op != CKPT_ENVIRON)
				continue;
			for (int s = 0; s < e->rec->nstr; s++) {
				const char *kv = event_str(e, s);
				const char *eq = strchr(kv, '=');
				if (eq && eq > kv)
					add_name(set, kv, (size_t)(eq - kv),
						 eq + 1);
			}
			*cut = e->rec->nstr >= 4096 ||
			       e->rec->len > CKPT_TRACE_WINDOW / 2 - (128 << 10);
			return 0;
		}
	}
	return -1;
}

static int name_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '_';
}

static const char *blanks(const char *q, const char *end)
{
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	return q;
}

/* If the line at q (up to end) is make's directive `w` (after blanks, and
 * after `else` when `after_else`), where its argument begins; else NULL. */
static const char *directive(const char *q, const char *end, const char *w,
			     int after_else)
{
	size_t n = strlen(w);
	q = blanks(q, end);
	if (after_else && end - q > 5 && !memcmp(q, "else", 4) &&
	    (q[4] == ' ' || q[4] == '\t'))
		q = blanks(q + 5, end);
	if ((size_t)(end - q) < n || memcmp(q, w, n))
		return NULL;
	if ((size_t)(end - q) == n || q[n] == '\n')
		return q + n;
	return q[n] == ' ' || q[n] == '\t' || q[n] == '(' ? q + n : NULL;
}

void envvars_refs(const char *p, size_t size,
		  void (*found)(const char *name, size_t len, void *arg),
		  void *arg)
{
	const char *end = p + size;
	for (const char *q = p; q < end; q++) {
		const char *w = NULL;
		int is_directive = 0;
		if (*q == '$' && q + 1 < end && (q[1] == '(' || q[1] == '{') &&
		    (q == p || q[-1] != '$')) {
			w = q + 2;
			/* $(origin NAME), $(value NAME), $(flavor NAME) */
			for (const char *fn = "origin\0value\0flavor\0"; *fn;
			     fn += strlen(fn) + 1) {
				size_t fl = strlen(fn);
				if ((size_t)(end - w) > fl && !memcmp(w, fn, fl) &&
				    w[fl] == ' ') {
					w += fl + 1;
					break;
				}
			}
		} else if (q == p || q[-1] == '\n') {
			const char *d = directive(q, end, "ifdef", 1);
			if (!d)
				d = directive(q, end, "ifndef", 1);
			if (d && d < end && (*d == ' ' || *d == '\t')) {
				w = blanks(d, end);
				is_directive = 1;
			}
		}
		if (!w)
			continue;
		const char *e = w;
		while (e < end && name_char(*e))
			e++;
		/* $(NAME) $(NAME:a=b); not $(shell ...), a function */
		int ends = is_directive ? e == end || *e == '\n' || *e == ' ' ||
					       *e == '\t'
				     : e < end && (*e == ')' || *e == '}' ||
						   *e == ':');
		if (e > w && ends)
			found(w, (size_t)(e - w), arg);
	}
}

/* Where a word may begin: the start, or after a blank or an operator (or
 * a NUL, as strchr would have it). A table: it is asked at nearly every
 * byte of every recipe line a build runs. */
static const unsigned char breaks_word[256] = {
	[0] = 1,   [' '] = 1, ['\t'] = 1, ['\n'] = 1, [';'] = 1, ['&'] = 1,
	['|'] = 1, ['('] = 1, ['`'] = 1,  ['='] = 1,  [':'] = 1,
};

static int word_start(const char *p, const char *q)
{
	return q == p || breaks_word[(unsigned char)q[-1]];
}

/* Is path named as C or C++ source or a header? */
static int c_named(const char *path)
{
	static const char *const ext[] = { "c",	  "h",	 "cc",	"cpp", "cxx",
					   "c++", "hh",	 "hpp", "hxx", "h++",
					   "C",	  "H" };	/* not .inc: a shell's too */
	const char *base = strrchr(path, '/');
	const char *dot = strrchr(base ? base : path, '.');
	if (!dot)
		return 0;
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
		if (!strcmp(dot + 1, ext[i]))
			return 1;
	return 0;
}

/* Where the heredoc whose body starts after nl (a newline) ends: the
 * start of the line holding its word w..we (after tabs, for `<<-`), or
 * end. */
static const char *heredoc_end(const char *nl, const char *w, const char *we,
			       int tabs, const char *end)
{
	for (const char *l = nl + 1; l < end;) {
		const char *t = l;
		while (tabs && t < end && *t == '\t')
			t++;
		if ((size_t)(end - t) >= (size_t)(we - w) &&
		    !memcmp(t, w, (size_t)(we - w)) &&
		    (t + (we - w) == end || t[we - w] == '\n'))
			return l;
		const char *n = memchr(l, '\n', (size_t)(end - l));
		l = n ? n + 1 : end;
	}
	return end;
}

/* The heredoc at q (its `<<`) of a `cat` that starts its line (after
 * blanks, at ls): its word into *w..*we, whether tabs are stripped, and
 * the end of its line; NULL if it is none. */
static const char *cat_heredoc(const char *p, const char *q, const char *end,
			       const char **ls, const char **w,
			       const char **we, int *tabs)
{
	const char *l = q;
	while (l > p && l[-1] != '\n')
		l--;
	while (l < q && (*l == ' ' || *l == '\t'))
		l++;
	if (q - l < 4 || memcmp(l, "cat", 3) || (l[3] != ' ' && l[3] != '\t'))
		return NULL;
	*ls = l;
	const char *s = q + 2;
	*tabs = s < end && *s == '-';
	s += *tabs;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s < end && (*s == '\\' || *s == '\'' || *s == '"'))
		s++;
	const char *e = s;
	while (e < end && name_char(*e))
		e++;
	if (e == s)
		return NULL;
	*w = s;
	*we = e;
	const char *nl = memchr(e, '\n', (size_t)(end - e));
	return nl ? nl : NULL;
}

/* If q is at the `<<` of `cat <<WORD` alone on its line (configure's
 * --help: GNU's `cat <<_ACEOF`, Dickey's `cat <<EOF`), where its text
 * ends: the start of the line holding WORD; else NULL. In an autoconf
 * configure such a heredoc only prints (to the terminal or config.log):
 * a `\$HOME` in it (every configure's ``for instance `--prefix=\$HOME'``)
 * never expands, here nor in a script run later. Counted, a restore by
 * another user reran configure and everything after it (mawk). Elsewhere
 * its output may be a script (`gen() { cat <<EOF ...; }; gen | sh`). */
static const char *display_heredoc(const char *p, const char *q,
				   const char *end)
{
	const char *ls, *w, *we;
	int tabs;
	const char *nl = cat_heredoc(p, q, end, &ls, &w, &we, &tabs);
	if (!nl || strspn(ls + 3, " \t") != (size_t)(q - ls - 3))
		return NULL;
	const char *r = we + (strchr("'\"", *we) != NULL);
	if (r + strspn(r, " \t") != nl)
		return NULL;	/* more on the line: > file, | sh */
	return heredoc_end(nl, w, we, tabs, end);
}

/* If q is at the `<<` of a `cat` that writes C to a file (configure's
 * `cat confdefs.h - <<_ACEOF >conftest.$ac_ext`, `cat > x.h <<EOF`), and
 * nothing else on its line, where its text ends; else NULL. A shell
 * expands no ~ in a heredoc, and a C file is no shell's script (a
 * shell that reads one reads data: envvars_sourced_uses): its `~` are
 * C's (`(time_t) ~ (time_t) 0`, gnulib's `~ TYPE_MAXIMUM (t)`), no use
 * of HOME. */
static const char *c_heredoc(const char *p, const char *q, const char *end)
{
	const char *ls, *w, *we;
	int tabs;
	const char *nl = cat_heredoc(p, q, end, &ls, &w, &we, &tabs);
	if (!nl || memchr(ls, '|', (size_t)(nl - ls)) ||
	    memchr(ls, ';', (size_t)(nl - ls)) ||
	    memchr(ls, '&', (size_t)(nl - ls)))
		return NULL;
	const char *gt = memchr(ls, '>', (size_t)(nl - ls));
	if (!gt)
		return NULL;
	const char *f = gt + 1 + (gt[1] == '>');
	while (f < nl && (*f == ' ' || *f == '\t'))
		f++;
	const char *fe = f;
	while (fe < nl && *fe != ' ' && *fe != '\t')
		fe++;
	char name[256];
	if (fe == f || (size_t)(fe - f) >= sizeof name)
		return NULL;
	memcpy(name, f, (size_t)(fe - f));
	name[fe - f] = 0;
	size_t n = strlen(name);
	int ac_ext = (n > 8 && !strcmp(name + n - 8, ".$ac_ext")) ||
		     (n > 10 && !strcmp(name + n - 10, ".${ac_ext}"));
	if (!ac_ext && !c_named(name))
		return NULL;
	return heredoc_end(nl, w, we, tabs, end);
}

/* Is the ~ at q, where a word starts, $HOME? Only when the tilde-prefix
 * (up to the first / or, in an assignment, :) is the ~ alone: `~`,
 * `~/x`, `${d:-~}`. `~user`, and any other prefix, is a user's entry in
 * the password file, or nothing at all (libtool's `case ... in ~*)`,
 * C's `~(a|b)` in mawk's configure's heredoc); `~+` and `~-` are PWD and
 * OLDPWD, which change nothing. Nor awk's match operator,
 * `line ~ /re/` (automake's test driver in every Makefile.in, which a
 * configure's removed scripts were made from, so read as one). */
static int tilde(const char *q, const char *end)
{
	if (q + 1 == end || strchr("/:}\n;&|)<>", q[1]))
		return 1;
	if (q[1] != ' ' && q[1] != '\t')
		return 0;
	const char *r = q + 1;
	while (r < end && (*r == ' ' || *r == '\t'))
		r++;
	return r == end || *r != '/';
}

static int ident_start(char ch)
{
	return name_char(ch) && !(ch >= '0' && ch <= '9');
}

/* Is q where a command starts: after a newline, ; & | ( ) { or a
 * keyword (then, do, ...), blanks between? Not in an echo's text, where
 * "set" and "declare" are words (the caller skips comments: "# the
 * variable (if set)"). Nor in C, which configure writes in heredocs
 * that are scanned with the rest: a lone & against the word is an
 * address (`sigemptyset(&set);`; a shell writes `cmd & set`, or `&&`),
 * and a ( after a name a call (`f(set)`; a shell's is `$(set)`). */
static int command_start(const char *p, const char *q)
{
	if (q - p >= 2 && ((q[-1] == '&' && q[-2] != '&') ||
			   (q[-1] == '(' && name_char(q[-2]))))
		return 0;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q == p || strchr("\n;&|(){`!", q[-1]))
		return 1;
	const char *w = q;
	while (w > p && name_char(w[-1]))
		w--;
	if (w > p && !strchr(" \t\n;&|(){`", w[-1]))
		return 0;
	static const char *const keywords[] = { "then", "do", "else", "elif",
						"if", "while", "until", "time" };
	for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
		if ((size_t)(q - w) == strlen(keywords[i]) &&
		    !memcmp(w, keywords[i], (size_t)(q - w)))
			return 1;
	return 0;
}

/* Does a shell builtin that prints every variable start at q, as a
 * command of its own: export or set alone, export -p, declare or typeset
 * alone or with -p or -x, compgen -e? */
static int prints_all(const char *p, const char *q, const char *end)
{
	static const char *const words[] = {
		"export -p", "export", "set", "declare -p", "declare -x",
		"declare", "typeset -p", "typeset -x", "typeset", "compgen -e",
	};
	/* The words first: at most word starts none matches, and the walk
	 * back of command_start is for the few that do. */
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		if (*q != words[i][0])
			continue;
		size_t n = strlen(words[i]);
		if ((size_t)(end - q) < n || memcmp(q, words[i], n))
			continue;
		const char *after = blanks(q + n, end);
		if (after == end || strchr("\n;&|)>", *after))
			return command_start(p, q);
	}
	return 0;
}

/* Is the "set" at q one of those an autoconf configure runs, `(set)
 * 2>&1`, `(ac_space=' '; set) 2>&1`, or in the configure of Thomas
 * Dickey's autoconf (ncurses, lynx, xterm, mawk) `(ac_space=' '; set |
 * grep ac_space) 2>&1`? They list the shell's variables only to keep the
 * cache variables (`_cv_`) in config.cache and config.log, or to see how
 * set quotes one, and configure names each one it uses where it uses it
 * (`${ac_cv_prog_CC+:}`), which counts. Taken as printing everything, any
 * variable set differently in a new login (SSH_TTY, DISPLAY) would rerun
 * configure, and so rebuild everything. */
static int autoconf_cache_set(const char *p, const char *q, const char *end)
{
	static const char after[] = "set) 2>&1";
	static const char grep[] = "set | grep ac_space) 2>&1";
	int grepped = (size_t)(end - q) >= sizeof grep - 1 &&
		      !memcmp(q, grep, sizeof grep - 1);
	if (!grepped && ((size_t)(end - q) < sizeof after - 1 ||
			 memcmp(q, after, sizeof after - 1)))
		return 0;
	const char *open = q;
	while (open > p && q - open < 40 && !strchr("(\n", open[-1]))
		open--;
	if (open == p || open[-1] != '(')
		return 0;
	return (open == q && !grepped) || !strncmp(open, "ac_space=", 9);
}

/*
 * Quoting is not followed: what a shell expands can hide behind text
 * that only looks quoted (a `'` in a comment, in a heredoc, in "$(...)"),
 * and a name counted for nothing costs at most a rebuild of the line.
 */
/* Does the "((" at q open arithmetic, `(( i += 1 ))`, and not two
 * subshells, `((logname) 2>/dev/null || whoami)` (vim's pathdef.c
 * recipe)? Arithmetic closes its inner parenthesis with "))". */
static int arithmetic(const char *q, const char *end)
{
	int depth = 0;
	for (const char *r = q; r < end; r++) {
		if (*r == '(') {
			depth++;
		} else if (*r == ')' && --depth <= 1) {
			return depth == 1 && r + 1 < end && r[1] == ')';
		}
	}
	return 0;
}

/*
 * The variables a script sets before anything else can run: in its
 * straight-line beginning, a command made of assignments only
 * (`CFLAGS=${2}` alone on its line), in the script's own shell. From the
 * end of that command on, the name expands to the script's value, never
 * to the environment's; an expansion before it (in its own value too:
 * `CFLAGS="$CFLAGS -I."`) reads the environment. unzip's unix/configure
 * sets CFLAGS from its second argument first: counted, a CFLAGS in the
 * environment ran it again, and so every compile.
 *
 * The beginning ends at the first thing that could make a later command
 * conditional or move it to another shell: a compound command or a
 * keyword, a function, a pipeline, && or ||, a background job, a
 * subshell, a command substitution, a heredoc, an unmatched quote. What
 * is not understood ends it too: then names are counted as before.
 */
#define ASSIGNED_MAX 16
struct assigned {
	const char *name[ASSIGNED_MAX];
	size_t len[ASSIGNED_MAX];
	const char *from[ASSIGNED_MAX];	/* the end of its command */
	size_t n;
};

/* The end of the word at q, or NULL where the straight-line beginning
 * ends inside it. */
static const char *prefix_word(const char *q, const char *end)
{
	int braces = 0;
	while (q < end) {
		char ch = *q;
		if (!braces && strchr(" \t\n;|&()<>", ch))
			return q;
		if (ch == '\\') {
			q += 2;
		} else if (ch == '\'') {
			const char *e = memchr(q + 1, '\'', (size_t)(end - q - 1));
			if (!e || braces)
				return NULL;
			q = e + 1;
		} else if (ch == '"') {
			for (q++; q < end && *q != '"'; q++) {
				if (*q == '\\')
					q++;
				else if (*q == '`' ||
					 (*q == '$' && q + 1 < end &&
					  (q[1] == '(' || q[1] == '[')))
					return NULL;
			}
			if (q >= end || braces)
				return NULL;
			q++;
		} else if (ch == '`' ||
			   (ch == '$' && q + 1 < end &&
			    (q[1] == '(' || q[1] == '[' ||
			     (q[1] == '{' && q + 2 < end && q[2] == '!')))) {
			return NULL;
		} else if (ch == '$' && q + 1 < end && q[1] == '{') {
			braces++;
			q += 2;
		} else if (ch == '}' && braces) {
			braces--;
			q++;
		} else if (ch == '\n' && braces) {
			return NULL;
		} else {
			q++;
		}
	}
	return braces ? NULL : q < end ? q : end;
}

static void straight_assigned(const char *p, const char *end,
			      struct assigned *as)
{
	static const char *const ends[] = {
		"if",	 "then",  "else",   "elif",  "fi",	 "case",
		"esac",	 "for",	  "while",  "until", "do",	 "done",
		"select", "function", "[[", "!", "{", "}", "time", "coproc",
	};
	const char *pending[ASSIGNED_MAX];	/* this command's names */
	size_t plen[ASSIGNED_MAX], np = 0;
	int words = 0;		/* words of this command not assignments */
	as->n = 0;
	for (const char *q = p; q <= end;) {
		if (q == end || *q == '\n' || *q == ';') {
			if (q < end && *q == ';' && q + 1 < end && q[1] == ';')
				return;
			for (size_t i = 0; !words && i < np; i++) {
				size_t k = 0;
				while (k < as->n && (as->len[k] != plen[i] ||
						     memcmp(as->name[k], pending[i],
							    plen[i])))
					k++;
				if (k == as->n && as->n < ASSIGNED_MAX) {
					as->name[k] = pending[i];
					as->len[k] = plen[i];
					as->from[k] = q;
					as->n++;
				}
			}
			np = 0, words = 0;
			q++;
			continue;
		}
		if (*q == ' ' || *q == '\t') {
			q++;
			continue;
		}
		if (*q == '#') {	/* where a word starts: a comment */
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			q = nl ? nl : end;
			continue;
		}
		if (*q == '<' && q + 1 < end && q[1] == '<')
			return;				/* a heredoc */
		if (*q == '<' || *q == '>') {		/* 2>&1, > f */
			q++;
			if (q < end && (*q == '&' || *q == '>' || *q == '|'))
				q++;
			continue;
		}
		if (strchr("|&()", *q))
			return;
		const char *e = prefix_word(q, end);
		if (!e || e == q)
			return;
		const char *n = q;
		while (n < e && name_char(*n))
			n++;
		if (!words && n > q && ident_start(*q) && n < e && *n == '=') {
			if (np == ASSIGNED_MAX)
				return;
			pending[np] = q;
			plen[np++] = (size_t)(n - q);
		} else {
			for (size_t i = 0; !words && i < sizeof ends / sizeof *ends;
			     i++)
				if ((size_t)(e - q) == strlen(ends[i]) &&
				    !memcmp(q, ends[i], (size_t)(e - q)))
					return;
			words++;
		}
		q = e;
	}
}

/* Does the expansion of the name w..w+len at q read the script's own
 * value (straight_assigned)? */
static int assigned_before(const struct assigned *as, const char *w,
			   size_t len, const char *q)
{
	for (size_t k = 0; k < as->n; k++)
		if (as->len[k] == len && !memcmp(as->name[k], w, len) &&
		    q >= as->from[k])
			return 1;
	return 0;
}

void envvars_shell_refs(const char *p, size_t size,
			void (*found)(const char *name, size_t len, void *arg),
			void *arg)
{
	const char *end = p + size;
	struct assigned as;
	straight_assigned(p, end, &as);
	/* configure's second line says so (Dickey's autoconf leaves out
	 * the GNU); a few more lines are allowed. */
	size_t head = size < 512 ? size : 512;
	int autoconf = memmem(p, head, "Generated by GNU Autoconf", 25) ||
		       memmem(p, head, "Generated by Autoconf ", 22);
	int braces = 0;		/* inside ${...}: ${s:OFF:2}, ${a[I]} */
	int parens = 0;		/* inside ((...)), $((...)): bare names */
	int brackets = 0;	/* inside bash's old $[...] */
	int let = 0;		/* in a let command: bare names */
	int comment = 0;	/* after a # that starts a word: no commands */
	const char *shown = p;	/* a heredoc cat prints ends here */
	const char *c_text = p;	/* a heredoc of C ends here */
	for (const char *q = p; q < end; q++) {
		if (let && strchr("\n;&|", *q))
			let = 0;
		if (*q == '<' && q + 2 < end && q[1] == '<' && q[2] != '<' &&
		    q >= c_text) {
			const char *e = c_heredoc(p, q, end);
			if (e)
				c_text = e;
		}
		if (autoconf && *q == '<' && q + 2 < end && q[1] == '<' &&
		    q[2] != '<' && q >= shown) {
			const char *e = display_heredoc(p, q, end);
			if (e)
				shown = e;
		} else if (*q == '$' && q < shown) {
			const char *b = q;	/* \$HOME in text cat prints */
			while (b > p && b[-1] == '\\')
				b--;
			if ((q - b) % 2)
				continue;
		}
		if (*q == '\n')
			comment = 0;
		else if (*q == '#' && word_start(p, q))
			comment = 1;
		if (*q == '$' && q + 1 < end && q[1] == '[') {
			brackets++;
			q++;
		} else if (*q == ']' && brackets) {
			brackets--;
		} else if (*q == 'l' && end - q > 3 && !memcmp(q, "let", 3) &&
			   (q[3] == ' ' || q[3] == '\t') &&
			   command_start(p, q)) {
			let = 1;
			q += 2;
		} else if (*q == '$' && q + 1 < end && q[1] == '{') {
			braces++;
			q++;
			if (q + 1 < end && q[1] == '!')	/* ${!n}: any */
				found(ENV_ALL, 1, arg);
			if (q + 1 < end && (q[1] == '#' || q[1] == '!'))
				q++;	/* ${#NAME}, ${!NAME} */
		} else if (*q == '}' && braces) {
			braces--;
		} else if (*q == '(' && q + 1 < end && q[1] == '(' &&
			   !parens && ((q > p && q[-1] == '$') ||
				       arithmetic(q, end))) {
			parens = 2;
			q++;
		} else if (*q == '(' && parens) {
			parens++;
		} else if (*q == ')' && parens) {
			parens--;
		} else if (*q == '~' && q >= c_text && tilde(q, end) &&
			   (word_start(p, q) ||
			    (braces && strchr("-+?", q[-1])))) {
			found("HOME", 4, arg);	/* ~, ~/x, ${d-~}: $HOME */
		} else if (*q == 'c' && end - q >= 2 && q[1] == 'd' &&
			   word_start(p, q) &&
			   (end - q == 2 || strchr(" \t\n;&|)", q[2]))) {
			found("CDPATH", 6, arg);	/* cd searches it */
		} else if (!comment && word_start(p, q) &&
			   prints_all(p, q, end) &&
			   !(autoconf && autoconf_cache_set(p, q, end))) {
			found(ENV_ALL, 1, arg);
		}
		const char *w = q + 1;
		if (*q == '$' && w < end && ident_start(*w)) {
			/* $NAME */
		} else if ((braces || parens || brackets || let) &&
			   ident_start(*q) &&
			   (q == p || !name_char(q[-1]))) {
			w = q;
		} else {
			continue;
		}
		const char *e = w;
		while (e < end && name_char(*e))
			e++;
		if (!assigned_before(&as, w, (size_t)(e - w), q))
			found(w, (size_t)(e - w), arg);
		q = e - 1;
	}
}

int envvars_is_shell(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	static const char *const shells[] = { "sh", "dash", "bash", "rbash",
					      "ash", "ksh", "ksh93", "mksh",
					      "zsh", "yash" };
	for (size_t i = 0; i < sizeof shells / sizeof *shells; i++)
		if (!strcmp(base, shells[i]))
			return 1;
	return 0;
}

/* A shell's first operand (argc strings from argv0 on), past its
 * options: the script with -c (*with_c set), else a script file; NULL
 * if there is none, or it is not a shell. */
static const char *shell_operand(const char *argv0, int argc, int *with_c)
{
	*with_c = 0;
	if (argc < 2 || !envvars_is_shell(argv0))
		return NULL;
	int i = 1, from_stdin = 0;
	const char *a = argv0 + strlen(argv0) + 1;
	/* An option that takes the next word: -o pipefail, -O extglob (also
	 * inside -euo), bash's --rcfile FILE and --init-file FILE. */
	int takes = 0;
	for (; i < argc; i++, a += strlen(a) + 1) {
		if (takes) {
			takes--;
			continue;
		}
		if (!strcmp(a, "--")) {		/* the options end */
			i++;
			a += strlen(a) + 1;
			break;
		}
		if ((a[0] != '-' && a[0] != '+') || !a[1])
			break;			/* the first operand */
		if (a[1] == '-') {		/* bash's --norc, --login */
			takes = !strcmp(a, "--rcfile") ||
				!strcmp(a, "--init-file");
			continue;
		}
		for (const char *o = a + 1; *o; o++) {
			*with_c |= *o == 'c' && a[0] == '-';
			from_stdin |= *o == 's' && a[0] == '-';
			takes += *o == 'o' || *o == 'O';
		}
	}
	if (i >= argc || (from_stdin && !*with_c))
		return NULL;	/* sh -s: the script comes on stdin */
	return a;
}

const char *envvars_shell_script(const char *argv0, int argc)
{
	int with_c;
	const char *s = shell_operand(argv0, argc, &with_c);
	return with_c ? s : NULL;
}

const char *envvars_shell_file(const char *argv0, int argc)
{
	int with_c;
	const char *s = shell_operand(argv0, argc, &with_c);
	return with_c ? NULL : s;
}

int envvars_shell_file_uses(const char *path,
			    void (*found)(const char *name, size_t len,
					  void *arg),
			    void *arg)
{
	size_t n;
	char *text = read_text(path, 64u << 20, &n);
	if (!text)
		return -1;
	envvars_shell_refs(text, n, found, arg);
	free(text);
	return 0;
}

/* env's operands: NAME=VALUE assignments, then a command to run, or
 * none (it prints the environment). */
static int env_prints(const char *argv0, int argc)
{
	const char *a = argv0;
	int takes = 0;
	for (int i = 1; i < argc; i++) {
		a += strlen(a) + 1;
		if (takes) {
			takes = 0;
		} else if (!strcmp(a, "-u") || !strcmp(a, "-C") ||
			   !strcmp(a, "-S") || !strcmp(a, "--unset") ||
			   !strcmp(a, "--chdir") ||
			   !strcmp(a, "--split-string")) {
			takes = 1;
		} else if (a[0] != '-' && !strchr(a, '=')) {
			return 0;	/* a command: it reads what it reads */
		}
	}
	return 1;
}

/* What, in a program of each language, reads the environment without
 * getenv: awk's ENVIRON, Perl's %ENV, Python's os.environ and os.getenv
 * (which reads os.environ). */
static const char *const *env_words(int language)
{
	static const char *const awk[] = { "ENVIRON", NULL };
	static const char *const perl[] = { "ENV", NULL };
	static const char *const python[] = { "environ", "getenv", NULL };
	switch (language) {
	case 'a': return awk;
	case 'p': return perl;
	case 'y': return python;
	}
	return NULL;
}

/* At q, blanks, then open (a character, or 0 for none), blanks, a name
 * in quotes (or bare, if allowed: Perl's $ENV{NAME}), blanks, then
 * close: the name's length, its start in *name; 0 if not so. */
static size_t literal_name(const char *q, const char *end, char open,
			   char close, int bare, const char **name)
{
	q = blanks(q, end);
	if (open) {
		if (q == end || *q != open)
			return 0;
		q = blanks(q + 1, end);
	}
	char quote = q < end && (*q == '"' || *q == '\'') ? *q++ : 0;
	if (!quote && !bare)
		return 0;
	const char *s = q;
	while (q < end && name_char(*q))
		q++;
	size_t len = (size_t)(q - s);
	if (!len || (*s >= '0' && *s <= '9'))
		return 0;
	if (quote) {
		if (q == end || *q != quote)
			return 0;
		q++;
	}
	q = blanks(q, end);
	if (q == end || *q != close)
		return 0;
	*name = s;
	return len;
}

/* Before q (awk's ENVIRON), `"NAME" in `: the name a membership test
 * asks for (gnulib's configure: `"POSIXLY_CORRECT" in ENVIRON`); its
 * length, its start in *name; 0 if not so (`for (k in ENVIRON)`). */
static size_t tested_name(const char *p, const char *q, const char **name)
{
	while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q - p < 5 || memcmp(q - 2, "in", 2) ||
	    (q[-3] != ' ' && q[-3] != '\t'))
		return 0;
	q -= 3;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q == p || q[-1] != '"')
		return 0;
	const char *close = --q;
	while (q > p && name_char(q[-1]))
		q--;
	if (q == p || q[-1] != '"' || q == close || (*q >= '0' && *q <= '9'))
		return 0;
	*name = q;
	return (size_t)(close - q);
}

/* ("NAME") or ("NAME", default) at q */
static size_t call_name(const char *q, const char *end, const char **name)
{
	size_t len = literal_name(q, end, '(', ')', 0, name);
	return len ? len : literal_name(q, end, '(', ',', 0, name);
}

/* Is q, in a Python text, in an import statement (from os import
 * environ), which starts its line or follows a ';'? */
static int import_line(const char *p, const char *q, const char *end)
{
	while (q > p && q[-1] != '\n' && q[-1] != ';')
		q--;
	q = blanks(q, end);
	return (end - q > 5 && !memcmp(q, "from ", 5)) ||
	       (end - q > 7 && !memcmp(q, "import ", 7));
}

/*
 * The variables a program reads through its language's whole-environment
 * object, when each use names one: Perl's $ENV{NAME}, awk's
 * ENVIRON["NAME"] and "NAME" in ENVIRON, Python's environ["NAME"],
 * environ.get("NAME") and getenv("NAME"). Any other use (%ENV, keys %ENV, os.environ.copy(),
 * ENVIRON[v], for (k in ENVIRON)) reads it whole: ENV_ALL. A word that
 * is not that object (ENVIRONMENT, $ENVX, "ENV" in a message) is none.
 */
static void program_env_refs(int language, const char *p, size_t size,
			     void (*found)(const char *name, size_t len,
					   void *arg),
			     void *arg)
{
	const char *const *words = env_words(language);
	const char *end = p + size;
	for (size_t w = 0; words && words[w]; w++) {
		size_t wl = strlen(words[w]);
		for (const char *q = p; (q = memmem(q, (size_t)(end - q),
						    words[w], wl)) != NULL;
		     q += wl) {
			const char *after = q + wl, *name;
			size_t len = 0;
			if ((q > p && name_char(q[-1])) ||
			    (after < end && name_char(*after)))
				continue;	/* part of another word */
			if (language == 'p') {
				char sigil = q > p ? q[-1] : 0;
				if (sigil == ':' && q - p > 2 && q[-2] == ':')
					sigil = '$';	/* $main::ENV{...} */
				if (!strchr("$%@", sigil) || !sigil)
					continue;	/* not the hash */
				if (sigil == '$')
					len = literal_name(after, end, '{',
							   '}', 1, &name);
			} else if (language == 'a') {
				len = literal_name(after, end, '[', ']', 0,
						   &name);
				if (!len)
					len = tested_name(p, q, &name);
			} else if (import_line(p, q, end)) {
				/* from os import environ as E: E is the
				 * object, and nothing here follows it */
				const char *g = blanks(after, end);
				if (end - g > 3 && !memcmp(g, "as", 2) &&
				    (g[2] == ' ' || g[2] == '\t'))
					found(ENV_ALL, 1, arg);
				continue;
			} else if (w == 0) {	/* environ */
				const char *g = blanks(after, end);
				if (end - g > 4 && !memcmp(g, ".get", 4))
					len = call_name(g + 4, end, &name);
				else
					len = literal_name(after, end, '[',
							   ']', 0, &name);
			} else {		/* getenv */
				len = call_name(after, end, &name);
			}
			if (len)
				found(name, len, arg);
			else
				found(ENV_ALL, 1, arg);
		}
	}
}

int envvars_language(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	if (strstr(base, "awk"))
		return 'a';
	if (!strncmp(base, "perl", 4))
		return 'p';
	if (!strncmp(base, "python", 6))
		return 'y';
	return 0;
}

/* Do the options of a perl option word (-lne, -I, -Mstrict) end in a
 * one-line program (-e, -E), or in an option that takes the next word
 * (*takes set: -I DIR, -e PROGRAM)? */
static int perl_one_line(const char *a, int *takes)
{
	for (const char *o = a + 1; *o; o++) {
		if (*o == 'e' || *o == 'E') {
			*takes = !o[1];
			return 1;
		}
		if (*o == 'l' || *o == '0') {	/* -l, -0777: digits */
			while (o[1] >= '0' && o[1] <= '9')
				o++;
			continue;
		}
		if (strchr("IMmFixCdD", *o)) {	/* the rest is its own */
			*takes = *o == 'I' && !o[1];
			return 0;
		}
	}
	return 0;
}

void envvars_program_files(const char *argv0, int argc,
			   void (*file)(const char *path, void *arg),
			   void *arg)
{
	int language = envvars_language(argv0);
	if (!language)
		return;
	const char *a = argv0;
	int takes = 0, is_file = 0;
	for (int i = 1; i < argc; i++) {
		a += strlen(a) + 1;
		if (takes) {		/* an option's word */
			takes = 0;
			if (is_file)
				file(a, arg);
			continue;
		}
		if (!strcmp(a, "--")) {
			if (language != 'a' && i + 1 < argc)
				file(a + strlen(a) + 1, arg);
			return;
		}
		if (a[0] != '-' || !a[1]) {
			/* the first operand: perl's and python's program,
			 * awk's program text unless -f came; - is stdin */
			if (language != 'a' && a[0] != '-')
				file(a, arg);
			return;
		}
		is_file = 0;
		if (language == 'a') {
			if (!strcmp(a, "-f") || !strcmp(a, "--file") ||
			    !strcmp(a, "-E") || !strcmp(a, "--exec"))
				takes = is_file = 1;
			else if (!strncmp(a, "--file=", 7))
				file(a + 7, arg);
			else if (!strncmp(a, "-f", 2))
				file(a + 2, arg);
			else
				takes = !strcmp(a, "-v") || !strcmp(a, "-F") ||
					!strcmp(a, "-W") || !strcmp(a, "-i") ||
					!strcmp(a, "-l") ||
					!strcmp(a, "--include");
		} else if (language == 'p') {
			if (perl_one_line(a, &takes))
				return;		/* envvars_exec_uses */
		} else {
			const char *o = a + 1;
			while (*o && !strchr("cmWX-", *o))
				o++;
			if (*o == 'c' || *o == 'm')
				return;		/* -c PROGRAM, -m MODULE */
			takes = (*o == 'W' || *o == 'X') && !o[1];
			takes |= !strcmp(a, "--check-hash-based-pycs");
		}
	}
}

int envvars_program_file_uses(int language, const char *path,
			      void (*found)(const char *name, size_t len,
					    void *arg),
			      void *arg)
{
	size_t n;
	char *text = read_text(path, 64u << 20, &n);
	if (!text)
		return -1;
	program_env_refs(language, text, n, found, arg);
	free(text);
	return 0;
}

void envvars_program_text_uses(int language, const char *text, size_t size,
			       void (*found)(const char *name, size_t len,
					     void *arg),
			       void *arg)
{
	program_env_refs(language, text, size, found, arg);
}

/* Named as C or C++ source or a header: what a shell reads of it is a
 * redirection's data, not its code. gnulib turns each `x.in.h` into x.h
 * with `sed ... < x.in.h`, and unistd.in.h's comment `${LOGNAME-$USER}`
 * made its every reader depend on the login (grep: 64 outputs). */
void envvars_sourced_uses(const char *path,
			  void (*found)(const char *name, size_t len,
					void *arg),
			  void *arg)
{
	if (c_named(path))
		return;
	size_t n;
	char *text = read_text(path, 16u << 20, &n);
	if (text && !memchr(text, 0, n))
		envvars_shell_refs(text, n, found, arg);
	free(text);
}

void envvars_exec_uses(const char *argv0, int argc,
		       void (*found)(const char *name, size_t len, void *arg),
		       void *arg)
{
	const char *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	if (!strcmp(base, "bash") || !strcmp(base, "rbash"))
		found("BASH_ENV", 8, arg);	/* sourced before the script */
	const char *script = envvars_shell_script(argv0, argc);
	if (script)
		envvars_shell_refs(script, strlen(script), found, arg);
	if (!strcmp(base, "env") && env_prints(argv0, argc))
		found(ENV_ALL, 1, arg);
	if (!strcmp(base, "printenv")) {
		int names = 0;
		const char *a = argv0;
		for (int i = 1; i < argc; i++) {
			a += strlen(a) + 1;
			if (a[0] != '-') {
				found(a, strlen(a), arg);
				names++;
			}
		}
		if (!names)
			found(ENV_ALL, 1, arg);
	}
	/* What a one-line program reads of the environment, without getenv
	 * (a program in a file: envvars_program_file_uses). */
	int language = envvars_language(argv0);
	const char *a = argv0;
	for (int i = 1; language && i < argc; i++) {
		a += strlen(a) + 1;
		program_env_refs(language, a, strlen(a), found, arg);
	}
}

void envvars_assigns(const char *p, size_t size,
		     void (*found)(const char *name, size_t len, void *arg),
		     void *arg)
{
	const char *end = p + size;
	int depth = 0, continued = 0;
	for (const char *q = p; q < end;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *eol = nl ? nl : end, *w = q;
		int cont = continued;
		continued = eol > q && eol[-1] == '\\';
		q = nl ? nl + 1 : end;
		/* An assignment in a conditional may be the default the
		 * environment's value replaces (ifndef PREFIX, ifeq ($(origin
		 * CC),default)); a recipe line (a tab) and a continued line
		 * (VAR=$(VAR) cmd) are the shell's. */
		if (directive(w, eol, "ifdef", 0) ||
		    directive(w, eol, "ifndef", 0) ||
		    directive(w, eol, "ifeq", 0) || directive(w, eol, "ifneq", 0)) {
			depth++;
			continue;
		}
		if (directive(w, eol, "endif", 0)) {
			depth -= depth > 0;
			continue;
		}
		if (depth || cont || *w == '\t')
			continue;
		/* [override|export|private]... NAME op, or define NAME [op] */
		int define = 0;
		for (;;) {
			while (w < eol && (*w == ' ' || *w == '\t'))
				w++;
			const char *k = w;
			while (k < eol && name_char(*k))
				k++;
			size_t n = (size_t)(k - w);
			if (k < eol && (*k == ' ' || *k == '\t') &&
			    ((n == 8 && !memcmp(w, "override", 8)) ||
			     (n == 6 && !memcmp(w, "export", 6)) ||
			     (n == 7 && !memcmp(w, "private", 7)) ||
			     (n == 6 && !memcmp(w, "define", 6)))) {
				define |= n == 6 && *w == 'd';
				w = k;
				continue;
			}
			break;
		}
		const char *e = w;
		while (e < eol && name_char(*e))
			e++;
		const char *o = e;
		while (o < eol && (*o == ' ' || *o == '\t'))
			o++;
		int plain = eol - o >= 1 && o[0] == '=';
		int colon = eol - o >= 2 && o[0] == ':' &&
			    (o[1] == '=' || (eol - o >= 3 && o[1] == ':' &&
					     (o[2] == '=' ||
					      (eol - o >= 4 && o[2] == ':' &&
					       o[3] == '='))));
		int bang = eol - o >= 2 && o[0] == '!' && o[1] == '=';
		if (e > w && (plain || colon || bang || (define && o == eol)))
			found(w, (size_t)(e - w), arg);
	}
}

/*
 * The names makefiles refer to and assign, each kept once for all the
 * makes of a build: a kernel has hundreds of makes that read the same
 * few makefiles, which name the same variables hundreds of times. `ref`
 * and `set` are the last make (its job index + 1) whose makefiles refer
 * to or assign the name, `fref` and `fset` the last file (its id + 1)
 * whose scan found it so: each file lists a name once, each make takes
 * it once.
 */
struct mname {
	char *name;
	size_t ref, set, fref, fset;
	size_t had;		/* the last make that had it already */
	int ignored;
	UT_hash_handle hh;
};

static struct mname *mname(struct mname **all, const char *s, size_t len)
{
	struct mname *m;
	HASH_FIND(hh, *all, s, len, m);
	if (!m) {
		m = xcalloc(1, sizeof *m);
		m->name = xcheck(strndup(s, len));
		m->ignored = envvars_ignored(m->name);
		HASH_ADD_KEYPTR(hh, *all, m->name, len, m);
	}
	return m;
}

/* What one makefile refers to and what it assigns, by file id. */
struct scanned {
	int done;
	struct mname **refs, **sets;
	size_t nrefs, arefs, nsets, asets;
};

struct scan_to {
	struct mname **all;
	struct scanned *sc;
	size_t file;		/* its id + 1 */
};

/* A name the file being scanned refers to (or assigns), listed once. */
static void keep(struct scan_to *to, const char *s, size_t len, int set)
{
	struct mname *m = mname(to->all, s, len);
	size_t *last = set ? &m->fset : &m->fref;
	if (*last == to->file)
		return;
	*last = to->file;
	struct scanned *sc = to->sc;
	if (set) {
		GROW(sc->sets, sc->nsets, sc->asets);
		sc->sets[sc->nsets++] = m;
	} else {
		GROW(sc->refs, sc->nrefs, sc->arefs);
		sc->refs[sc->nrefs++] = m;
	}
}

static void keep_ref(const char *s, size_t len, void *arg)
{
	keep(arg, s, len, 0);
}

static void keep_set(const char *s, size_t len, void *arg)
{
	keep(arg, s, len, 1);
}

/* Scan a file make read, once: not a dependency file, not a program or a
 * library (make's own, read as it loads), not /proc. */
static void scan(const struct ckpt *c, size_t fi, struct scanned *sc,
		 struct mname **all)
{
	const struct file *f = &c->files[fi];
	if (sc->done)
		return;
	sc->done = 1;
	if (f->role == ROLE_PSEUDO || dependency_file(f))
		return;
	char *path = file_abs(c, f, c->root);
	size_t n;
	char *text = read_text(path, 16u << 20, &n);
	free(path);
	struct scan_to to = { all, sc, fi + 1 };
	if (text) {
		envvars_refs(text, n, keep_ref, &to);
		envvars_assigns(text, n, keep_set, &to);
	}
	free(text);
}

struct make_refs {
	struct mname **v;
	size_t n, a;
	size_t make;		/* its job index + 1 */
};

static void refers(struct make_refs *r, struct mname *m)
{
	if (m->ref == r->make)
		return;
	m->ref = r->make;
	GROW(r->v, r->n, r->a);
	r->v[r->n++] = m;
}

/* Add to make j the variables its makefiles take from the environment:
 * those they, or make's built-in rules, refer to and do not assign. */
static void make_uses(struct ckpt *c, size_t j, struct scanned *sc,
		      struct mname **all, struct mname *const *builtins)
{
	struct job *job = &c->jobs[j];
	struct make_refs r = { .make = j + 1 };
	for (size_t k = 0; k < sizeof builtin / sizeof *builtin; k++)
		refers(&r, builtins[k]);
	for (size_t k = 0; k < job->ndeps; k++) {
		size_t fi = (size_t)job->deps[k].file;
		if (!(job->deps[k].acc & ACC_READ))
			continue;
		scan(c, fi, &sc[fi], all);
		for (size_t i = 0; i < sc[fi].nrefs; i++)
			refers(&r, sc[fi].refs[i]);
		for (size_t i = 0; i < sc[fi].nsets; i++)
			sc[fi].sets[i]->set = r.make;
	}
	/* Names make looked up itself are there already. */
	for (size_t i = 0; i < job->nenv; i++) {
		struct mname *m;
		HASH_FIND_STR(*all, job->env[i], m);
		if (m)
			m->had = r.make;
	}
	for (size_t i = 0; i < r.n; i++)
		if (r.v[i]->set != r.make && r.v[i]->had != r.make &&
		    !r.v[i]->ignored)
			job_add_string(&job->env, &job->nenv, &job->aenv,
				       r.v[i]->name, 0);
	free(r.v);
}

static int by_name(struct name *a, struct name *b)
{
	return strcmp(a->name, b->name);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_envvar(const void *a, const void *b)
{
	return strcmp(((const struct envvar *)a)->name,
		      ((const struct envvar *)b)->name);
}

/* The hash of the whole environment, for ENV_ALL: n "NAME=value" pairs
 * (reordered here), those whose name is ignored left out. */
static void hash_all(char **kv, size_t n, struct hash128 *h)
{
	qsort(kv, n, sizeof *kv, cmp_cstr);
	XXH3_state_t *xs = XXH3_createState();
	XXH3_128bits_reset(xs);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		char *name = xcheck(strndup(kv[i], eq ? (size_t)(eq - kv[i])
						      : strlen(kv[i])));
		if (!envvars_ignored(name))
			XXH3_128bits_update(xs, kv[i], strlen(kv[i]) + 1);
		free(name);
	}
	XXH128_hash_t x = XXH3_128bits_digest(xs);
	XXH3_freeState(xs);
	*h = (struct hash128){ x.high64, x.low64 };
}

/* hash_all of the environment the build started with. */
static void all_hash(struct name *env, struct hash128 *h)
{
	size_t n = HASH_COUNT(env), k = 0;
	char **kv = xmalloc((n + 1) * sizeof *kv);
	struct name *v, *tmp;
	HASH_ITER(hh, env, v, tmp)
		kv[k++] = xasprintf("%.*s=%s", (int)v->len, v->name, v->value);
	hash_all(kv, k, h);
	for (size_t i = 0; i < k; i++)
		free(kv[i]);
	free(kv);
}

/* What c->start_env keeps of a value: 16 bits of its hash, enough to
 * say which variable changed (one change in 65,536 goes unnamed), too
 * few to tell a secret's value from a checkpoint that is shared (the
 * environment holds tokens that no job used). */
static uint64_t value_tag(const char *value)
{
	struct hash128 h;
	hash_bytes(value, strlen(value), &h);
	return h.lo & 0xffff;
}

/* c->start_env from the environment the build started with. */
static void keep_start_env(struct ckpt *c, struct name *env)
{
	struct name *v, *tmp;
	HASH_ITER(hh, env, v, tmp) {
		char *name = xcheck(strndup(v->name, v->len));
		if (envvars_ignored(name)) {
			free(name);
			continue;
		}
		GROW(c->start_env, c->nstart_env, c->astart_env);
		struct envvar *e = &c->start_env[c->nstart_env++];
		memset(e, 0, sizeof *e);
		e->name = name;
		e->set = 1;
		e->hash.lo = value_tag(v->value);
	}
	qsort(c->start_env, c->nstart_env, sizeof *c->start_env, cmp_envvar);
}

int envvars_record(struct ckpt *c, const struct trace *t)
{
	struct name *env, *used = NULL, *n, *tmp;
	int cut;
	if (start_env(t, &env, &cut) < 0)
		return -1;
	struct scanned *sc = xcalloc(c->nfiles + 1, sizeof *sc);
	struct mname *all = NULL, *m, *mtmp;
	struct mname *builtins[sizeof builtin / sizeof *builtin];
	for (size_t k = 0; k < sizeof builtin / sizeof *builtin; k++)
		builtins[k] = mname(&all, builtin[k], strlen(builtin[k]));
	for (size_t j = 0; j < c->njobs; j++)
		if (c->jobs[j].kind == JOB_DRIVER)
			make_uses(c, j, sc, &all, builtins);
	for (size_t f = 0; f < c->nfiles; f++) {
		free(sc[f].refs);
		free(sc[f].sets);
	}
	free(sc);
	HASH_ITER(hh, all, m, mtmp) {
		HASH_DEL(all, m);
		free(m->name);
		free(m);
	}
	/* Every variable any job used, with its value when the build
	 * started. */
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].nenv; k++) {
			const char *s = c->jobs[j].env[k];
			if (!envvars_ignored(s))
				add_name(&used, s, strlen(s), NULL);
		}
	HASH_SRT(hh, used, by_name);
	HASH_ITER(hh, used, n, tmp) {
		struct name *v = find(env, n->name, n->len);
		if (!strcmp(n->name, ENV_ALL)) {
			if (!cut) {
				GROW(c->envs, c->nenvs, c->aenvs);
				struct envvar *e = &c->envs[c->nenvs++];
				memset(e, 0, sizeof *e);
				e->name = xstrdup(ENV_ALL);
				e->set = 1;
				all_hash(env, &e->hash);
				keep_start_env(c, env);
			}
		} else if (v || !cut) {
			GROW(c->envs, c->nenvs, c->aenvs);
			struct envvar *e = &c->envs[c->nenvs++];
			memset(e, 0, sizeof *e);
			e->name = xstrdup(n->name);
			e->set = v != NULL;
			if (v)
				hash_bytes(v->value, strlen(v->value),
					   &e->hash);
		}
		HASH_DEL(used, n);
		free(n);
	}
	free_names(&env);
	return 0;
}

size_t envvars_check(struct ckpt *c)
{
	size_t changed = 0;
	for (size_t i = 0; i < c->nenvs; i++) {
		struct envvar *e = &c->envs[i];
		if (!strcmp(e->name, ENV_ALL)) {
			size_t n = 0;
			while (environ[n])
				n++;
			char **kv = xmemdup(environ, (n + 1) * sizeof *kv);
			struct hash128 h;
			hash_all(kv, n, &h);
			free(kv);
			e->changed = !hash_equal(&h, &e->hash);
			changed += e->changed != 0;
			continue;
		}
		const char *now = getenv(e->name);
		struct hash128 h;
		if (now)
			hash_bytes(now, strlen(now), &h);
		e->changed = e->set != (now != NULL) ||
			     (now && !hash_equal(&h, &e->hash));
		changed += e->changed != 0;
	}
	return changed;
}

int envvars_all_changes(const struct ckpt *c, char ***out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!c->nstart_env)
		return -1;
	/* The environment now, as the save kept the start's. */
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	struct envvar *now = xcalloc(n + 1, sizeof *now);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		if (!eq)
			continue;
		char *name = xcheck(strndup(environ[i], (size_t)(eq - environ[i])));
		if (envvars_ignored(name)) {
			free(name);
			continue;
		}
		now[k].name = name;
		now[k++].hash.lo = value_tag(eq + 1);
	}
	qsort(now, k, sizeof *now, cmp_envvar);
	size_t a = 0, i = 0, m = 0;
	while (i < c->nstart_env || m < k) {
		const struct envvar *was = i < c->nstart_env ? &c->start_env[i]
							     : NULL;
		const struct envvar *is = m < k ? &now[m] : NULL;
		int cmp = !was ? 1 : !is ? -1 : strcmp(was->name, is->name);
		char *what = NULL;
		if (cmp < 0)
			what = xasprintf("%s unset", was->name);
		else if (cmp > 0)
			what = xasprintf("%s set", is->name);
		else if (!hash_equal(&was->hash, &is->hash))
			what = xasprintf("%s changed", is->name);
		i += cmp <= 0;
		m += cmp >= 0;
		if (what) {
			GROW(*out, *nout, a);
			(*out)[(*nout)++] = what;
		}
	}
	for (size_t j = 0; j < k; j++)
		free(now[j].name);
	free(now);
	return 0;
}

/*
 * A kernel's checkpoint has some 4,700 variables and 100,000 uses of them
 * by jobs: a look-up runs for each use, so it is by hash, over the few
 * that changed. The entries live in one array; uthash links them.
 */
struct env_changes {
	struct env_change {
		const char *name;	/* the checkpoint's */
		int index;		/* in c->envs */
		UT_hash_handle hh;
	} *table, *entries;
};

struct env_changes *envvars_changes(const struct ckpt *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nenvs; i++)
		n += c->envs[i].changed != 0;
	if (!n)
		return NULL;
	struct env_changes *set = xcalloc(1, sizeof *set);
	set->entries = xcalloc(n, sizeof *set->entries);
	struct env_change *e = set->entries;
	for (size_t i = 0; i < c->nenvs; i++) {
		if (!c->envs[i].changed)
			continue;
		e->name = c->envs[i].name;
		e->index = (int)i;
		HASH_ADD_KEYPTR(hh, set->table, e->name, strlen(e->name), e);
		e++;
	}
	return set;
}

int envvars_changes_find(const struct env_changes *set, const char *name)
{
	struct env_change *e = NULL;
	if (set)
		HASH_FIND_STR(set->table, name, e);
	return e ? e->index : -1;
}

void envvars_changes_free(struct env_changes *set)
{
	if (!set)
		return;
	HASH_CLEAR(hh, set->table);
	free(set->entries);
	free(set);
}
