/*
 * makenames.c - which names added to or removed from a directory that a
 * make listed could change what that make does.
 *
 * make reads every directory it looks in (its directory cache), so each
 * is an input of the make, and a name added to one (a README, a patch's
 * `.orig`, an editor's swap file) made every job of that make stale.
 * make uses a directory's names in three ways only:
 *
 * - globs: `$(wildcard *.c)`, `include *.mk`, a glob kept in a variable
 *   and expanded in one of those or in a rule's targets or
 *   prerequisites (`prog: $(SRCS)` with SRCS = *.c). A name added or
 *   removed matters if it matches a glob written in a makefile the make
 *   read (in its own lines or in a $(wildcard) of a recipe; not a
 *   recipe's shell globs, which the shell reads the directory for).
 * - the makefile: without -f, make reads the first of GNUmakefile,
 *   makefile and Makefile that its directory holds. An added one
 *   matters.
 * - implicit rules: to make target T, make tries the prerequisites of
 *   each pattern rule whose target matches T (`%.o: %.c` gives T's stem
 *   plus `.c`) and looks them up in its directory cache, not with a
 *   system call. An added name matters if it is such a prerequisite of a
 *   name the build knew (a file of the checkpoint, by last component),
 *   directly or through a chain of rules (`%.c: %.y`, then `%.o: %.c`).
 *   A removed name that make had used, it had looked at with stat: that
 *   is a dependency of its own.
 *
 * The rules are make's built-in ones and those its makefiles write
 * (pattern rules, suffix rules), each by the last components of target
 * and prerequisite: directories are not compared, which can only make
 * more names matter. A makefile is read from the tree (a source; one that
 * changed affects its make anyway) or from the checkpoint (an output:
 * automake's Makefile); one that cannot be read makes every name matter.
 * Not seen: a glob put together from variables (`$(wildcard $(d)/$(p))`
 * with p = `*`, written nowhere as one word).
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uthash.h>

#include "build.h"
#include "changes.h"
#include "fsio.h"
#include "makenames.h"
#include "object.h"

/* GNU make 4.3's built-in rules (`make -p -f /dev/null`). Most are
 * suffix rules, which apply only while both suffixes are in
 * .SUFFIXES (automake's Makefiles clear it and name .c .lo .o .obj): as
 * "FROM TO" pairs, TO empty for a single-suffix rule (`%: %.c`). */
static const char *const builtin_suffix_rules[] = {
	".c .o",     ".cc .o",	  ".C .o",     ".cpp .o",    ".p .o",
	".f .o",     ".F .o",	  ".r .o",     ".m .o",	     ".mod .o",
	".s .o",     ".S .o",	  ".o ",       ".c ",	     ".cc ",
	".C ",	     ".cpp ",	  ".p ",       ".f ",	     ".F ",
	".r ",	     ".m ",	  ".mod ",     ".s ",	     ".S ",
	".sh ",	     ".y .c",	  ".l .c",     ".l .r",	     ".ym .m",
	".c .ln",    ".y .ln",	  ".l .ln",    ".S .s",	     ".F .f",
	".r .f",     ".def .sym", ".web .p",   ".web .tex",  ".tex .dvi",
	".texi .dvi", ".texinfo .dvi", ".txinfo .dvi", ".texi .info",
	".texinfo .info", ".txinfo .info",
};

/* make's .SUFFIXES until a makefile changes it. */
static const char *const default_suffixes[] = {
	".out", ".a",	".ln", ".o",   ".c",	".cc",	 ".C",	 ".cpp",
	".p",	".f",	".F",  ".m",   ".r",	".y",	 ".l",	 ".ym",
	".yl",	".s",	".S",  ".mod", ".sym", ".def", ".h",	 ".info",
	".dvi", ".tex", ".texinfo", ".texi", ".txinfo", ".w", ".ch", ".web",
	".sh",	".elc", ".el",
};

/* The built-in pattern rules, which .SUFFIXES does not touch. A
 * checked-in file's RCS or SCCS master (`%:: %,v`) is only checked out
 * where the file is missing; a name the build knew as missing is
 * matched with them too. */
static const char builtin_patterns[] =
	"%.c: %.w %.ch\n%.tex: %.w %.ch\n%.out: %\n"
	"%:: %,v\n%:: RCS/%,v\n%:: RCS/%\n%:: s.%\n%:: SCCS/s.%\n";

/* How far a chain of implicit rules is followed from an added name. */
#define CHAIN_MAX 3
/* Stands for a variable reference in a word being scanned. */
#define VAR '\001'

static int is_glob_char(char ch)
{
	return ch == '*' || ch == '?' || ch == '[';
}

/* Does the word (NUL-terminated, VAR for variables) hold a glob of its
 * own characters? A '[' counts with a ']' after it (`[` alone is test). */
static int has_glob(const char *w)
{
	for (const char *p = w; *p; p++)
		if (*p == '*' || *p == '?' || (*p == '[' && strchr(p, ']')))
			return 1;
	return 0;
}

/* Add s to a list of strings, once. */
static void add_once(char ***v, size_t *n, size_t *a, const char *s,
		     size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (!strncmp((*v)[i], s, len) && !(*v)[i][len])
			return;
	GROW(*v, *n, *a);
	(*v)[(*n)++] = xmemdup(s, len + 1);
	(*v)[*n - 1][len] = 0;
}

static void add_glob(struct make_rules *r, const char *word)
{
	const char *slash = strrchr(word, '/');
	const char *tail = slash ? slash + 1 : word;
	if (!*tail)
		return;
	char *g = xstrdup(tail);
	for (char *p = g; *p; p++)
		if (*p == VAR)
			*p = '*';
	add_once(&r->globs, &r->nglobs, &r->aglobs, g, strlen(g));
	free(g);
}

static int name_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
	       ch == '-';
}

/* The variables s..e refers to by name: $(NAME), ${NAME}, $(NAME:a=b);
 * in a function's arguments too (not $x, make's automatic ones). */
static void add_refs(const char *s, const char *e, char ***v, size_t *n,
		     size_t *a)
{
	for (const char *p = s; p + 2 < e; p++) {
		if (p[0] != '$' || (p[1] != '(' && p[1] != '{'))
			continue;
		const char *q = p + 2;
		while (q < e && name_char(*q))
			q++;
		if (q > p + 2 && q < e &&
		    (*q == ')' || *q == '}' || *q == ':'))
			add_once(v, n, a, p + 2, (size_t)(q - p - 2));
	}
}

/* Where the variable reference at s (a '$', before end) ends, if it is
 * one: $x, $(NAME), ${NAME}, $(@D), $(SRCS:.c=.o). A function call
 * (`$(wildcard *.c)`) is not: NULL, its words are scanned. */
static const char *var_ref_end(const char *s, const char *end)
{
	if (s + 1 >= end)
		return NULL;
	char open = s[1];
	if (open != '(' && open != '{')
		return s + 2;
	char close = open == '(' ? ')' : '}';
	for (const char *p = s + 2; p < end; p++) {
		if (*p == close)
			return p + 1;
		if (*p == ' ' || *p == '\t' || *p == '$' || *p == ',' ||
		    *p == open)
			return NULL;
	}
	return NULL;
}

/* Is p (before end) a call of make's function fn: `$(fn ` or `${fn `? */
static int is_call(const char *p, const char *end, const char *fn)
{
	size_t n = strlen(fn);
	return end - p > (ptrdiff_t)(n + 2) && p[0] == '$' &&
	       (p[1] == '(' || p[1] == '{') && !memcmp(p + 2, fn, n) &&
	       (p[n + 2] == ' ' || p[n + 2] == '\t');
}

/* Where the call or reference that opens at p ($( or ${) ends: after
 * its closing parenthesis, or end. */
static const char *call_end(const char *p, const char *end)
{
	char open = p[1], close = open == '(' ? ')' : '}';
	int depth = 0;
	for (const char *q = p + 1; q < end; q++)
		if (*q == open)
			depth++;
		else if (*q == close && !--depth)
			return q + 1;
	return end;
}

/* The globs among the words of s: words are split at blanks and at
 * make's and the shell's punctuation; a variable in a glob word stands
 * for any text. A $(shell ...) is left out: the shell lists what it
 * globs itself, as a job of its own. */
static void scan_globs(const char *s, const char *end, struct make_rules *r)
{
	char *w = xmalloc((size_t)(end - s) + 1);
	size_t n = 0;
	for (const char *p = s;; p++) {
		int sep = p == end || strchr(" \t\n,(){};='\"|:<>`&", *p) ||
			  (*p == '?' && p + 1 < end && p[1] == '=');
		if (!sep && *p == '$') {
			const char *e;
			sep = 1;
			if (p + 1 < end && p[1] == '$') {
				/* a shell's $$, $$? or $$* */
				p += p + 2 < end && strchr("?*@#!$-", p[2]) ? 2
									   : 1;
			} else if (is_call(p, end, "shell")) {
				p = call_end(p, end) - 1;
			} else if ((e = var_ref_end(p, end))) {
				w[n++] = VAR;
				p = e - 1;
				continue;
			}	/* else a function's name follows */
		}
		if (!sep) {
			w[n++] = *p;
			continue;
		}
		w[n] = 0;
		if (n && has_glob(w))
			add_glob(r, w);
		n = 0;
		if (p == end)
			break;
	}
	free(w);
}

/* The $(wildcard ...) calls in s, whose arguments are scanned for
 * globs: in a recipe, only they are make's. */
static void scan_wildcards(const char *s, const char *end,
			   struct make_rules *r)
{
	for (const char *p = s; p < end; p++) {
		if (!is_call(p, end, "wildcard"))
			continue;
		const char *q = call_end(p, end);
		scan_globs(p + 11, q, r);
		add_refs(p + 11, q, &r->wild_refs, &r->nwild_refs,
			 &r->awild_refs);
		p = q - 1;
	}
}

/* Does a make line hold shell code (a variable kbuild or automake keeps
 * a command in: `cmd_x = case $$f in *.a) ;; esac`)? Its globs are the
 * shell's. */
static int shell_code(const char *s, const char *end)
{
	for (const char *p = s; p < end; p++)
		if (*p == '`' || *p == '\'' || *p == '"' || *p == ';' ||
		    (p + 1 < end && ((p[0] == '$' && p[1] == '$') ||
				     (p[0] == '&' && p[1] == '&') ||
				     (p[0] == '|' && p[1] == '|'))))
			return 1;
	return 0;
}

/* The last component of the word s..e, with VAR for each variable; for
 * a target whose '%' is in a directory (`$(obj)/%/built-in.a`), that
 * directory's component instead: its stem names a directory, and the
 * name the stem stands for is that of the directory. NULL when a '/' is
 * inside a variable (`$(addprefix $(obj)/,%.o)`), which hides where the
 * last component starts. */
static char *word_tail(const char *s, const char *e, int stem_part)
{
	char *t = xmalloc((size_t)(e - s) + 1), *kept = NULL;
	size_t n = 0;
	for (const char *p = s; p < e; p++) {
		if (*p == '/') {
			t[n] = 0;
			if (stem_part && !kept && memchr(t, '%', n))
				kept = xstrdup(t);
			n = 0;
			continue;
		}
		if (*p == '$') {
			const char *v = var_ref_end(p, e);
			if (!v) {
				free(t);
				free(kept);
				return NULL;
			}
			t[n++] = VAR;
			p = v - 1;
			continue;
		}
		t[n++] = *p;
	}
	t[n] = 0;
	if (kept && !strchr(t, '%')) {
		free(t);
		return kept;
	}
	free(kept);
	return t;
}

/* Exact: literal text around at most one '%'. */
static int exact_pattern(const char *t)
{
	const char *pct = strchr(t, '%');
	for (const char *p = t; *p; p++)
		if (*p == VAR || is_glob_char(*p))
			return 0;
	return !pct || !strchr(pct + 1, '%');
}

/* A pattern as a glob: '%' and variables match any text. */
static char *pattern_glob(const char *t)
{
	char *g = xstrdup(t);
	for (char *p = g; *p; p++)
		if (*p == VAR || *p == '%')
			*p = '*';
	return g;
}

static void add_rule(struct make_rules *r, const char *target,
		     const char *prereq)
{
	struct name_rule nr = { NULL, NULL, 0 };
	if (exact_pattern(prereq)) {
		/* Without a stem in the prerequisite's last component
		 * (`%.o: %/x.c`), the target's cannot be told. */
		int stem = !target || !strchr(target, '%') ||
			   strchr(prereq, '%');
		nr.prereq = xstrdup(prereq);
		nr.target = target && stem && exact_pattern(target)
				    ? xstrdup(target)
				    : NULL;
	} else {
		nr.prereq = pattern_glob(prereq);
		nr.glob = 1;
	}
	GROW(r->rules, r->nrules, r->arules);
	r->rules[r->nrules++] = nr;
}

/* The words of s..e split at blanks outside parentheses, into *out. */
struct word {
	const char *s, *e;
};
static size_t split_words(const char *s, const char *e, struct word **out)
{
	size_t n = 0, a = 0;
	*out = NULL;
	const char *p = s;
	while (p < e) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p == e)
			break;
		const char *start = p;
		int depth = 0;
		for (; p < e && (depth || (*p != ' ' && *p != '\t')); p++)
			depth += (*p == '(' || *p == '{')   ? 1
				 : (*p == ')' || *p == '}') ? -1
							    : 0;
		GROW(*out, n, a);
		(*out)[n++] = (struct word){ start, p };
	}
	return n;
}

/* The first ch in s..e outside parentheses, or NULL; NULL too if a stop
 * comes before it (not 0). */
static const char *find_outside(const char *s, const char *e, char ch,
				char stop)
{
	int depth = 0;
	for (const char *p = s; p < e; p++) {
		if (*p == '(' || *p == '{')
			depth++;
		else if ((*p == ')' || *p == '}') && depth)
			depth--;
		else if (!depth && *p == ch)
			return p;
		else if (!depth && stop && *p == stop)
			return NULL;
	}
	return NULL;
}

/* Where a rule's ':' is: not after an '=' (an assignment: X = a:b). */
static const char *colon_at(const char *s, const char *e)
{
	return find_outside(s, e, ':', '=');
}

/* `.c.o:` (a double-suffix rule, "%.o" from "%.c") or `.c:` ("%" from
 * "%.c"); not a special target (`.PHONY`, `.SUFFIXES`). */
static void suffix_rule(const char *s, const char *e, struct make_rules *r)
{
	if (e - s < 2 || *s != '.')
		return;
	const char *second = NULL;
	int upper = 1;
	for (const char *p = s + 1; p < e; p++) {
		if (*p == '.' && !second && p > s + 1)
			second = p;
		else if (*p == '.' || *p == '%' || *p == '/' || *p == '$' ||
			 *p == '*' || *p == '?' || *p == '[')
			return;
		if (*p >= 'a' && *p <= 'z')
			upper = 0;
	}
	if (second == e - 1)
		return;
	if (!second && upper && e - s > 2)
		return;		/* .PHONY, .DEFAULT, .POSIX, ... */
	char *from = xasprintf("%%%.*s", (int)((second ? second : e) - s), s);
	char *to = second ? xasprintf("%%%.*s", (int)(e - second), second)
			  : xstrdup("%");
	add_rule(r, to, from);
	free(from);
	free(to);
}

/* Do make's flags s..e (a command line, MAKEFLAGS) hold -r: `-rR`,
 * `--no-builtin-rules`? In a cluster of one-letter options, the rest
 * after one that takes an argument is that (`-Orecurse`, `-I/src`). */
static int no_builtin_rules(const char *s, const char *e)
{
	struct word *w;
	size_t n = split_words(s, e, &w);
	int r = 0;
	for (size_t i = 0; i < n && !r; i++) {
		size_t len = (size_t)(w[i].e - w[i].s);
		if (len == 18 && !memcmp(w[i].s, "--no-builtin-rules", 18)) {
			r = 1;
		} else if (len > 1 && w[i].s[0] == '-' && w[i].s[1] != '-') {
			for (const char *p = w[i].s + 1; p < w[i].e; p++) {
				if (*p == 'r')
					r = 1;
				if (*p == 'r' || strchr("CEfIjlOoW", *p))
					break;
			}
		}
	}
	free(w);
	return r;
}

/* A rule line (not a recipe, comment stripped): its pattern rules. */
static void scan_rule(const char *s, const char *e, struct make_rules *r)
{
	const char *c = colon_at(s, e);
	if (!c)
		return;
	const char *after = c + 1;
	while (after < e && *after == ':')
		after++;
	if (after < e && *after == '=')
		return;		/* :=, ::=, :::= */
	const char *end = after;
	while (end < e && *end != ';')
		end++;
	if (find_outside(after, end, '=', 0))
		return;		/* a target's variable: %.o: CFLAGS += -O2 */
	/* A static pattern rule (`$(OBJS): %.o: %.c`) is searched for
	 * nothing: its targets are named, and so their prerequisites. */
	if (colon_at(after, end))
		return;
	struct word *tw, *pw;
	size_t nt = split_words(s, c, &tw), np = split_words(after, end, &pw);
	int any = 0;
	for (size_t i = 0; i < nt; i++) {
		if (!memchr(tw[i].s, '%', (size_t)(tw[i].e - tw[i].s)))
			continue;
		char *t = word_tail(tw[i].s, tw[i].e, 1);
		for (size_t k = 0; k < np; k++) {
			if (!memchr(pw[k].s, '%', (size_t)(pw[k].e - pw[k].s)))
				continue;
			char *p = word_tail(pw[k].s, pw[k].e, 0);
			add_rule(r, p ? t : NULL, p ? p : "%");
			free(p);
			any = 1;
		}
		free(t);
	}
	if (nt == 1 && tw[0].e - tw[0].s == 9 &&
	    !memcmp(tw[0].s, ".SUFFIXES", 9)) {
		if (!np)
			r->suffixes_cleared = 1;
		for (size_t k = 0; k < np; k++) {
			GROW(r->suffixes, r->nsuffixes, r->asuffixes);
			r->suffixes[r->nsuffixes++] = xasprintf(
				"%.*s", (int)(pw[k].e - pw[k].s), pw[k].s);
		}
	} else if (!any && nt == 1 && np == 0) {
		suffix_rule(tw[0].s, tw[0].e, r);
	}
	free(tw);
	free(pw);
}

/* If the make line s..e assigns a variable (`NAME = ...`, :=, ::=, ?=,
 * +=; `target: NAME = ...` too), where its value begins, and the name;
 * NULL for another line, or for `!=`, a shell's output. */
static const char *assignment(const char *s, const char *e,
			      const char **name, size_t *len)
{
	const char *eq = find_outside(s, e, '=', 0);
	if (!eq || (eq > s && eq[-1] == '!'))
		return NULL;
	const char *ne = eq;
	while (ne > s && strchr(":?+", ne[-1]))
		ne--;
	while (ne > s && (ne[-1] == ' ' || ne[-1] == '\t'))
		ne--;
	const char *ns = ne;
	while (ns > s && name_char(ns[-1]))
		ns--;
	if (ns == ne)
		return NULL;
	*name = ns;
	*len = (size_t)(ne - ns);
	return eq + 1;
}

/* A variable's value: its globs and the variables it names, kept if it
 * has either, unless it is shell code. */
static void scan_value(const char *name, size_t len, const char *s,
		       const char *e, struct make_rules *r)
{
	if (shell_code(s, e))
		return;
	struct make_rules tmp;
	memset(&tmp, 0, sizeof tmp);
	scan_globs(s, e, &tmp);
	struct var_globs v = { .name = xmemdup(name, len + 1) };
	v.name[len] = 0;
	v.globs = tmp.globs;
	v.nglobs = tmp.nglobs;
	v.aglobs = tmp.aglobs;
	add_refs(s, e, &v.refs, &v.nrefs, &v.arefs);
	if (!v.nglobs && !v.nrefs) {
		free(v.name);
		free(v.globs);
		free(v.refs);
		return;
	}
	GROW(r->vars, r->nvars, r->avars);
	r->vars[r->nvars++] = v;
}

/* Is the make line s..e the directive w (after `override`, `export`)? */
static int directive_is(const char *s, const char *e, const char *w)
{
	size_t n = strlen(w);
	for (;;) {
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if ((size_t)(e - s) >= 9 && !memcmp(s, "override", 8) &&
		    (s[8] == ' ' || s[8] == '\t'))
			s += 9;
		else if ((size_t)(e - s) >= 7 && !memcmp(s, "export", 6) &&
			 (s[6] == ' ' || s[6] == '\t'))
			s += 7;
		else
			break;
	}
	return (size_t)(e - s) >= n && !memcmp(s, w, n) &&
	       ((size_t)(e - s) == n || s[n] == ' ' || s[n] == '\t');
}

/* Call fn for each logical line of a makefile's text: backslash-newlines
 * joined by a blank; with recipe set for a recipe line or a define's
 * body, as written; else without its comment, and a rule's recipe after
 * ';' cut off. */
static void make_lines(const char *text, size_t len,
		       void (*fn)(const char *s, const char *e, int recipe,
				  void *arg),
		       void *arg)
{
	const char *end = text + len;
	char *line = xmalloc(len + 1);
	int in_define = 0;
	for (const char *p = text; p < end;) {
		size_t n = 0;
		int recipe = *p == '\t';
		for (; p < end && *p != '\n'; p++) {
			if (*p == '\\' && p + 1 < end && p[1] == '\n') {
				line[n++] = ' ';
				p++;
				continue;
			}
			line[n++] = *p;
		}
		if (p < end)
			p++;
		const char *e = line + n;
		if (directive_is(line, e, "endef") && in_define) {
			in_define--;
			continue;
		}
		if (directive_is(line, e, "define"))
			in_define++;
		if (recipe || in_define) {
			fn(line, e, 1, arg);
			continue;
		}
		/* A comment: an unescaped '#'. */
		for (size_t i = 0; i < n; i++)
			if (line[i] == '#' && (!i || line[i - 1] != '\\')) {
				e = line + i;
				break;
			}
		/* A rule's recipe after ';' is the shell's. */
		const char *c = colon_at(line, e);
		if (c && c + 1 < e && c[1] != '=')
			for (const char *q = c; q < e; q++)
				if (*q == ';') {
					e = q;
					break;
				}
		fn(line, e, 0, arg);
	}
	free(line);
}

static void scan_line(const char *line, const char *e, int recipe, void *arg)
{
	struct make_rules *r = arg;
	/* A recipe, or a define's body (a canned recipe, most often): only
	 * its $(wildcard)s are make's. */
	scan_wildcards(line, e, r);
	if (recipe)
		return;
	const char *name, *value;
	size_t nlen;
	if ((value = assignment(line, e, &name, &nlen))) {
		scan_value(name, nlen, value, e, r);
		if (nlen == 9 && !memcmp(name, "MAKEFLAGS", 9))
			r->no_builtin |= no_builtin_rules(value, e);
		return;
	}
	/* make expands the globs of an include's words and of a rule's
	 * targets and prerequisites after their variables: `SRCS = *.c`
	 * then `prog: $(SRCS)` globs *.c. */
	if (directive_is(line, e, "include") ||
	    directive_is(line, e, "-include") ||
	    directive_is(line, e, "sinclude") || colon_at(line, e))
		add_refs(line, e, &r->wild_refs, &r->nwild_refs,
			 &r->awild_refs);
	/* An include's or a rule's globs are make's. */
	if (!shell_code(line, e))
		scan_globs(line, e, r);
	scan_rule(line, e, r);
}

void makefile_scan(const char *text, size_t len, struct make_rules *r)
{
	make_lines(text, len, scan_line, r);
}

void make_rules_release(struct make_rules *r)
{
	for (size_t i = 0; i < r->nglobs; i++)
		free(r->globs[i]);
	for (size_t i = 0; i < r->nrules; i++) {
		free(r->rules[i].target);
		free(r->rules[i].prereq);
	}
	for (size_t i = 0; i < r->nvars; i++) {
		struct var_globs *v = &r->vars[i];
		for (size_t k = 0; k < v->nglobs; k++)
			free(v->globs[k]);
		for (size_t k = 0; k < v->nrefs; k++)
			free(v->refs[k]);
		free(v->globs);
		free(v->refs);
		free(v->name);
	}
	for (size_t i = 0; i < r->nwild_refs; i++)
		free(r->wild_refs[i]);
	for (size_t i = 0; i < r->nsuffixes; i++)
		free(r->suffixes[i]);
	free(r->suffixes);
	free(r->globs);
	free(r->rules);
	free(r->vars);
	free(r->wild_refs);
	memset(r, 0, sizeof *r);
}

/* The stem of name by the exact pattern pat ("" for a pattern without
 * '%' that equals it), malloc'd; NULL if it does not match. */
static char *stem_of(const char *pat, const char *name)
{
	const char *pct = strchr(pat, '%');
	if (!pct)
		return strcmp(pat, name) ? NULL : xstrdup("");
	size_t pre = (size_t)(pct - pat), suf = strlen(pct + 1);
	size_t len = strlen(name);
	if (len < pre + suf || strncmp(name, pat, pre) ||
	    strcmp(name + len - suf, pct + 1))
		return NULL;
	return xasprintf("%.*s", (int)(len - pre - suf), name + pre);
}

static char *subst_stem(const char *pat, const char *stem)
{
	const char *pct = strchr(pat, '%');
	if (!pct)
		return xstrdup(pat);
	return xasprintf("%.*s%s%s", (int)(pct - pat), pat, stem, pct + 1);
}

static int rules_use(struct make_rules *const *sets, size_t nsets,
		     const char *name, int depth,
		     int (*known)(void *arg, const char *name), void *arg)
{
	for (size_t s = 0; s < nsets; s++)
		for (size_t i = 0; i < sets[s]->nrules; i++) {
			const struct name_rule *nr = &sets[s]->rules[i];
			if (nr->glob) {
				if (!fnmatch(nr->prereq, name, 0))
					return 1;
				continue;
			}
			char *stem = stem_of(nr->prereq, name);
			if (!stem)
				continue;
			if (!nr->target) {
				free(stem);
				return 1;
			}
			char *t = subst_stem(nr->target, stem);
			free(stem);
			int use = known(arg, t) ||
				  (depth < CHAIN_MAX &&
				   rules_use(sets, nsets, t, depth + 1, known,
					     arg));
			free(t);
			if (use)
				return 1;
		}
	return 0;
}

/* Does name match a glob of a variable that a $(wildcard) or include
 * expands, or of one such a variable names, and so on? */
static int var_globs_match(struct make_rules *const *sets, size_t nsets,
			   const char *name)
{
	char **want = NULL;
	size_t n = 0, a = 0;
	for (size_t s = 0; s < nsets; s++)
		for (size_t i = 0; i < sets[s]->nwild_refs; i++)
			add_once(&want, &n, &a, sets[s]->wild_refs[i],
				 strlen(sets[s]->wild_refs[i]));
	int match = 0;
	for (size_t w = 0; w < n && !match; w++)
		for (size_t s = 0; s < nsets && !match; s++)
			for (size_t i = 0; i < sets[s]->nvars && !match; i++) {
				const struct var_globs *v = &sets[s]->vars[i];
				if (strcmp(v->name, want[w]))
					continue;
				for (size_t k = 0; k < v->nglobs && !match; k++)
					match = !fnmatch(v->globs[k], name,
							 FNM_PERIOD);
				for (size_t k = 0; k < v->nrefs; k++)
					add_once(&want, &n, &a, v->refs[k],
						 strlen(v->refs[k]));
			}
	for (size_t w = 0; w < n; w++)
		free(want[w]);
	free(want);
	return match;
}

int make_rules_use(struct make_rules *const *sets, size_t nsets,
		   const char *name, int added,
		   int (*known)(void *arg, const char *name), void *arg)
{
	/* A name the build knew: make may look for it here (in a vpath,
	 * a directory before the one it was found in). */
	if (added && known(arg, name))
		return 1;
	for (size_t s = 0; s < nsets; s++) {
		if (sets[s]->unknown)
			return 1;
		for (size_t i = 0; i < sets[s]->nglobs; i++)
			if (!fnmatch(sets[s]->globs[i], name, FNM_PERIOD))
				return 1;
	}
	return var_globs_match(sets, nsets, name) ||
	       (added && rules_use(sets, nsets, name, 0, known, arg));
}

/* ---- The check of a tree: makefiles and names, each read once. ---- */

struct base_name {
	const char *s;		/* into a file's path */
	UT_hash_handle hh;
};

struct make_names {
	const struct ckpt *c;
	struct make_rules patterns;	/* builtin_patterns */
	struct make_rules **rules;	/* by file id; NULL: not read yet */
	struct name_diff *diffs;	/* by file id */
	char *diffed;
	struct base_name *bases;	/* every file's last component */
	struct base_name *base_mem;
};

static int known_base(void *arg, const char *name)
{
	struct make_names *mn = arg;
	if (!mn->base_mem) {
		const struct ckpt *c = mn->c;
		mn->base_mem = xcalloc(c->nfiles + 1, sizeof *mn->base_mem);
		for (size_t i = 0; i < c->nfiles; i++) {
			/* A name only a chained build made (b.o of a b.c
			 * added with the rule that names it) was none the
			 * old makes could look for. */
			if (c->files[i].flags & FILE_MET_LATER)
				continue;
			const char *p = c->files[i].path;
			const char *sl = strrchr(p, '/');
			const char *b = sl ? sl + 1 : p;
			struct base_name *e;
			HASH_FIND_STR(mn->bases, b, e);
			if (e)
				continue;
			e = &mn->base_mem[i];
			e->s = b;
			HASH_ADD_KEYPTR(hh, mn->bases, b, strlen(b), e);
		}
	}
	struct base_name *e;
	HASH_FIND_STR(mn->bases, name, e);
	return e != NULL;
}

/* What makefile fi says, read from the tree or the checkpoint. A
 * dependency file (.d, .cmd) holds no rule of a pattern or glob. */
static struct make_rules *rules_of(struct make_names *mn, int fi)
{
	if (mn->rules[fi])
		return mn->rules[fi];
	const struct ckpt *c = mn->c;
	const struct file *f = &c->files[fi];
	struct make_rules *r = xcalloc(1, sizeof *r);
	mn->rules[fi] = r;
	if (dependency_file(f) || f->role == ROLE_PSEUDO ||
	    (f->flags & FILE_MAKE_PREREQ))
		return r;
	char *text = NULL;
	size_t len = 0;
	if (f->role == ROLE_SOURCE || f->role == ROLE_EXTERNAL) {
		char *abs = file_abs(c, f, c->check_root);
		text = read_text(abs, 64u << 20, &len);
		free(abs);
	} else if (f->role == ROLE_OUTPUT && c->dir && f->producer >= 0) {
		/* Quietly: a checkpoint restored without it lacks it. */
		char *obj = object_path(c->dir, &f->hash);
		if (object_load_packed(c->dir, f, &text) == 0)
			len = f->size;
		else if (access(obj, R_OK) == 0 &&
			 object_load(c->dir, f, NULL, NULL, &text, &len) < 0)
			text = NULL;
		free(obj);
	}
	if (!text) {
		/* A program or a library make loaded says nothing; what
		 * else cannot be read might have said anything. */
		r->unknown = f->role != ROLE_EXTERNAL;
		return r;
	}
	if (!memchr(text, 0, len < 4096 ? len : 4096))
		makefile_scan(text, len, r);
	free(text);
	return r;
}

static const struct name_diff *diff_of(struct make_names *mn, int fi)
{
	if (!mn->diffed[fi]) {
		mn->diffed[fi] = 1;
		listing_diff(mn->c, &mn->c->files[fi], mn->c->check_root,
			     &mn->diffs[fi]);
	}
	return &mn->diffs[fi];
}

/* The names make looks for, in this order, when no -f names a makefile:
 * in its directory cache, without a system call of its own. */
static int default_makefile(const char *name)
{
	return !strcmp(name, "GNUmakefile") || !strcmp(name, "makefile") ||
	       !strcmp(name, "Makefile");
}

static int name_matters(struct make_names *mn, struct make_rules **sets,
			size_t n, const char *entry, int added)
{
	size_t len = strlen(entry);
	if (len && entry[len - 1] == '/')
		len--;		/* a directory */
	char *name = xasprintf("%.*s", (int)len, entry);
	/* A GNUmakefile added beside the Makefile is read instead: in any
	 * directory a make listed (its own is the one it starts in, or
	 * -C's), which can only take more names. */
	if (added && default_makefile(name)) {
		free(name);
		return 1;
	}
	int use = make_rules_use(sets, n, name, added, known_base, mn);
	free(name);
	return use;
}

/* Is suffix s in .SUFFIXES, by these makefiles? */
static int suffix_known(struct make_rules *const *sets, size_t n, int cleared,
			const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sets[i]->nsuffixes; k++)
			if (strlen(sets[i]->suffixes[k]) == len &&
			    !memcmp(sets[i]->suffixes[k], s, len))
				return 1;
	for (size_t i = 0; !cleared && i < sizeof default_suffixes /
						   sizeof *default_suffixes;
	     i++)
		if (strlen(default_suffixes[i]) == len &&
		    !memcmp(default_suffixes[i], s, len))
			return 1;
	return 0;
}

/* make's built-in suffix rules whose suffixes the makefiles (sets) leave
 * in .SUFFIXES: all, unless one clears it (then those any of them names
 * after: order is not followed, which can only take more); none with
 * -r. */
static void builtin_suffix_set(struct make_rules *const *sets, size_t n,
			       int no_builtin, struct make_rules *out)
{
	memset(out, 0, sizeof *out);
	int cleared = 0;
	for (size_t i = 0; i < n; i++) {
		no_builtin |= sets[i]->no_builtin;
		cleared |= sets[i]->suffixes_cleared;
	}
	for (size_t i = 0; !no_builtin && i < sizeof builtin_suffix_rules /
						    sizeof *builtin_suffix_rules;
	     i++) {
		const char *from = builtin_suffix_rules[i];
		const char *sp = strchr(from, ' ');
		const char *to = sp + 1;
		if (!suffix_known(sets, n, cleared, from, (size_t)(sp - from)) ||
		    (*to && !suffix_known(sets, n, cleared, to, strlen(to))))
			continue;
		char *t = xasprintf("%%%s", to);
		char *p = xasprintf("%%%.*s", (int)(sp - from), from);
		add_rule(out, t, p);
		free(t);
		free(p);
	}
}

/* Does make job j run without built-in rules: -r on its command line,
 * or in a MAKEFLAGS its makefiles or a make above it set (kbuild's
 * `MAKEFLAGS += -rR` goes to every sub-make)? */
static int without_builtins(struct make_names *mn, int j)
{
	const struct ckpt *c = mn->c;
	for (int d = j, depth = 0; d >= 0 && depth < 64;
	     d = c->jobs[d].driver, depth++) {
		const struct job *job = &c->jobs[d];
		if (!cmd_is_make(job->cmd))
			continue;
		const char *cmd = job->cmd;
		const char *sp = strchr(cmd, ' ');
		if (sp && no_builtin_rules(sp, cmd + strlen(cmd)))
			return 1;
		for (size_t k = 0; k < job->ndeps; k++)
			if ((job->deps[k].acc & ACC_READ) &&
			    rules_of(mn, job->deps[k].file)->no_builtin)
				return 1;
	}
	return 0;
}

int make_listing_matters(struct make_names **mnp, const struct ckpt *c,
			 int j, int fi)
{
	const struct job *job = &c->jobs[j];
	if (job->kind != JOB_DRIVER || !c->check_root || !cmd_is_make(job->cmd))
		return 1;
	struct make_names *mn = *mnp;
	if (!mn) {
		mn = *mnp = xcalloc(1, sizeof *mn);
		mn->c = c;
		makefile_scan(builtin_patterns, sizeof builtin_patterns - 1,
			      &mn->patterns);
		mn->rules = xcalloc(c->nfiles + 1, sizeof *mn->rules);
		mn->diffs = xcalloc(c->nfiles + 1, sizeof *mn->diffs);
		mn->diffed = xcalloc(c->nfiles + 1, 1);
	}
	const struct name_diff *d = diff_of(mn, fi);
	if (!d->known)
		return 1;
	struct make_rules **sets = xmalloc((job->ndeps + 2) * sizeof *sets);
	size_t n = 2;
	for (size_t k = 0; k < job->ndeps; k++)
		if (job->deps[k].acc & ACC_READ)
			sets[n++] = rules_of(mn, job->deps[k].file);
	struct make_rules empty = { 0 }, builtin;
	int no_builtin = without_builtins(mn, j);
	builtin_suffix_set(sets + 2, n - 2, no_builtin, &builtin);
	sets[0] = no_builtin ? &empty : &mn->patterns;
	sets[1] = &builtin;
	int use = 0;
	for (size_t i = 0; !use && i < d->nremoved; i++)
		use = name_matters(mn, sets, n, d->removed[i], 0);
	for (size_t i = 0; !use && i < d->nadded; i++)
		use = name_matters(mn, sets, n, d->added[i], 1);
	make_rules_release(&builtin);
	free(sets);
	return use;
}

void make_names_free(struct make_names *mn)
{
	if (!mn)
		return;
	const struct ckpt *c = mn->c;
	for (size_t i = 0; i < c->nfiles; i++) {
		if (mn->rules[i]) {
			make_rules_release(mn->rules[i]);
			free(mn->rules[i]);
		}
		if (mn->diffed[i])
			name_diff_release(&mn->diffs[i]);
	}
	make_rules_release(&mn->patterns);
	HASH_CLEAR(hh, mn->bases);
	free(mn->base_mem);
	free(mn->rules);
	free(mn->diffs);
	free(mn->diffed);
	free(mn);
}

/* ---- makefiles make remakes (save time) ------------------------------- */

/*
 * make first brings each makefile it read up to date, as a target, and
 * reads them all again if it remade one. automake's Makefile is made by
 * config.status from Makefile.in (`Makefile: $(srcdir)/Makefile.in
 * $(top_builddir)/config.status`), Makefile.in by automake from
 * Makefile.am, config.status from configure: with configure run before
 * the record, make only looked at those (stat), and an edit of one
 * changed nothing ckpt saw, while make remade the Makefile and reran no
 * recipe for its changed text (make never does): gmp's mpz/Makefile.in
 * given another AM_CPPFLAGS kept 207 objects built with the old flags.
 *
 * So for a make, a file it only looked at that its makefiles' rules name
 * as a prerequisite of one of them, directly or through the rules for
 * those prerequisites, is read: its content is that make's input, as
 * its makefiles are. Of a makefile a job of the build wrote (configure
 * run in the record writes the Makefile from Makefile.in), what that
 * job read is left out: it reaches the make through the job, which an
 * edit of it makes invalid, and with it what read its output. The
 * rest is what make would remake the makefile from and the job never
 * saw (Makefile.am, from which make remakes Makefile.in: popt's
 * AM_CPPFLAGS given another flag kept 12 objects built without it).
 * Nor the sources of a make's own generated include, `.depend:
 * $(SRCS)`: its writer read them. Targets and prerequisites are taken
 * by last component, through the variables the makefiles assign (every
 * value of a name); a word whose last component still holds a variable
 * or a pattern is not followed. Such files are marked
 * (FILE_MAKE_PREREQ), and the listing check does not scan them as
 * makefiles (rules_of).
 */
struct remake_rule {
	char *targets, *prereqs;	/* each side's text */
};

struct remake_file {
	struct remake_rule *rules;
	size_t nrules, arules;
	char **vars;		/* "NAME\tvalue" */
	size_t nvars, avars;
};

static void remake_line(const char *s, const char *e, int recipe, void *arg)
{
	struct remake_file *mf = arg;
	if (recipe)
		return;
	const char *name, *value;
	size_t nlen;
	if ((value = assignment(s, e, &name, &nlen))) {
		/* `target: NAME = value` sets it for that target only. */
		if (colon_at(s, name))
			return;
		GROW(mf->vars, mf->nvars, mf->avars);
		mf->vars[mf->nvars++] = xasprintf("%.*s\t%.*s", (int)nlen, name,
						  (int)(e - value), value);
		return;
	}
	const char *c = colon_at(s, e);
	if (!c || directive_is(s, e, "include") ||
	    directive_is(s, e, "-include") || directive_is(s, e, "sinclude"))
		return;
	const char *after = c + 1;
	while (after < e && *after == ':')
		after++;
	/* Order-only prerequisites do not make a target out of date; a
	 * static pattern rule (`$(OBJS): %.o: %.c`) makes no makefile. */
	const char *end = find_outside(after, e, '|', 0);
	if (!end)
		end = e;
	if (colon_at(after, end))
		return;
	GROW(mf->rules, mf->nrules, mf->arules);
	mf->rules[mf->nrules++] = (struct remake_rule){
		xmemdup(s, (size_t)(c - s) + 1),
		xmemdup(after, (size_t)(end - after) + 1),
	};
	struct remake_rule *r = &mf->rules[mf->nrules - 1];
	r->targets[c - s] = 0;
	r->prereqs[end - after] = 0;
}

static void remake_file_release(struct remake_file *mf)
{
	for (size_t i = 0; i < mf->nrules; i++) {
		free(mf->rules[i].targets);
		free(mf->rules[i].prereqs);
	}
	for (size_t i = 0; i < mf->nvars; i++)
		free(mf->vars[i]);
	free(mf->rules);
	free(mf->vars);
}

struct tail {
	UT_hash_handle hh;
	char name[];
};

/* Add name to a set; 1 if it was not there. */
static int tail_add(struct tail **set, const char *name)
{
	struct tail *t;
	HASH_FIND_STR(*set, name, t);
	if (t)
		return 0;
	size_t n = strlen(name);
	t = xmalloc(sizeof *t + n + 1);
	memcpy(t->name, name, n + 1);
	HASH_ADD(hh, *set, name[0], n, t);
	return 1;
}

static int tail_has(struct tail *set, const char *name)
{
	struct tail *t;
	HASH_FIND_STR(set, name, t);
	return t != NULL;
}

static void tails_free(struct tail **set)
{
	struct tail *t, *tmp;
	HASH_ITER(hh, *set, t, tmp) {
		HASH_DEL(*set, t);
		free(t);
	}
}

/* The variables of one make: each name's values, joined. */
struct remake_var {
	UT_hash_handle hh;
	char *value;
	char name[];
};

/* The last components the words of s..e name, into *out (what was
 * added counted in *added): a word that is one variable's reference is
 * its value's words, depth variables deep at most. */
static void word_tails(struct remake_var *vars, const char *s, const char *e,
		       int depth, struct tail **out, int *added)
{
	struct word *w;
	size_t n = split_words(s, e, &w);
	for (size_t i = 0; i < n; i++) {
		const char *ws = w[i].s, *we = w[i].e;
		if (we - ws > 3 && ws[0] == '$' && var_ref_end(ws, we) == we) {
			struct remake_var *v = NULL;
			HASH_FIND(hh, vars, ws + 2, (size_t)(we - ws - 3), v);
			if (v && depth > 0)
				word_tails(vars, v->value,
					   v->value + strlen(v->value),
					   depth - 1, out, added);
			continue;
		}
		char *t = word_tail(ws, we, 0);
		if (t && *t && !strchr(t, VAR) && !strchr(t, '%') &&
		    !has_glob(t) && tail_add(out, t))
			(*added)++;
		free(t);
	}
	free(w);
}

static const char *last_component(const char *path)
{
	const char *sl = strrchr(path, '/');
	return sl ? sl + 1 : path;
}

/* Did one of the n jobs read file fi? */
static int read_by_any(const struct ckpt *c, const int *jobs, size_t n,
		       int fi)
{
	for (size_t i = 0; i < n; i++) {
		const struct job *w = &c->jobs[jobs[i]];
		for (size_t k = 0; k < w->ndeps; k++)
			if (w->deps[k].file == fi &&
			    (w->deps[k].acc & ACC_READ))
				return 1;
	}
	return 0;
}

/* Make job j's looked-at files the rules of its makefiles name as their
 * prerequisites, through a chain of rules, read (see above). */
static void remake_job(struct ckpt *c, int j, const char *written,
		       struct remake_file **files)
{
	struct job *job = &c->jobs[j];
	struct tail *targets = NULL, *prereqs = NULL;
	struct remake_var *vars = NULL;
	struct remake_file **mine = NULL;	/* its makefiles' */
	size_t nmine = 0, amine = 0;
	int *writers = NULL;			/* of its makefiles */
	size_t nwriters = 0, awriters = 0;
	for (size_t k = 0; k < job->ndeps; k++) {
		int fi = job->deps[k].file;
		struct file *f = &c->files[fi];
		if (!(job->deps[k].acc & ACC_READ) || f->path[0] == '/' ||
		    dependency_file(f))
			continue;
		if (written[fi] && f->producer < 0)
			continue;	/* its writer not known */
		if (!files[fi]) {
			files[fi] = xcalloc(1, sizeof **files);
			char *abs = file_abs(c, f, c->root);
			size_t len = 0;
			char *text = read_text(abs, 64u << 20, &len);
			if (text && !memchr(text, 0, len < 4096 ? len : 4096))
				make_lines(text, len, remake_line, files[fi]);
			free(text);
			free(abs);
		}
		struct remake_file *mf = files[fi];
		if (!mf->nrules)
			continue;
		if (written[fi]) {
			GROW(writers, nwriters, awriters);
			writers[nwriters++] = f->producer;
		}
		tail_add(&targets, last_component(f->path));
		GROW(mine, nmine, amine);
		mine[nmine++] = mf;
		for (size_t i = 0; i < mf->nvars; i++) {
			const char *tab = strchr(mf->vars[i], '\t');
			size_t nl = (size_t)(tab - mf->vars[i]);
			struct remake_var *v;
			HASH_FIND(hh, vars, mf->vars[i], nl, v);
			if (!v) {
				v = xmalloc(sizeof *v + nl + 1);
				memcpy(v->name, mf->vars[i], nl);
				v->name[nl] = 0;
				v->value = xstrdup(tab + 1);
				HASH_ADD(hh, vars, name[0], nl, v);
			} else {
				char *both = xasprintf("%s %s", v->value,
						       tab + 1);
				free(v->value);
				v->value = both;
			}
		}
	}
	/* Follow the rules from the makefiles to what they are made of. */
	for (int more = nmine > 0; more;) {
		more = 0;
		for (size_t m = 0; m < nmine; m++) {
			const struct remake_file *mf = mine[m];
			for (size_t i = 0; i < mf->nrules; i++) {
				const struct remake_rule *r = &mf->rules[i];
				struct tail *named = NULL;
				int n = 0, hit = 0;
				word_tails(vars, r->targets,
					   r->targets + strlen(r->targets), 8,
					   &named, &n);
				for (struct tail *t = named; t && !hit;
				     t = t->hh.next)
					hit = tail_has(targets, t->name);
				tails_free(&named);
				if (!hit)
					continue;
				n = 0;
				word_tails(vars, r->prereqs,
					   r->prereqs + strlen(r->prereqs), 8,
					   &prereqs, &n);
				if (n) {
					for (struct tail *t = prereqs; t;
					     t = t->hh.next)
						more |= tail_add(&targets,
								 t->name);
				}
			}
		}
	}
	for (size_t k = 0; prereqs && k < job->ndeps; k++) {
		struct dep *d = &job->deps[k];
		struct file *f = &c->files[d->file];
		if ((d->acc & ACC_STAT) &&
		    !(d->acc & (ACC_READ | ACC_WRITE | ACC_MKDIR |
				ACC_DELETE)) &&
		    f->path[0] != '/' && !written[d->file] &&
		    tail_has(prereqs, last_component(f->path)) &&
		    !read_by_any(c, writers, nwriters, d->file)) {
			d->acc |= ACC_READ;
			f->flags |= FILE_MAKE_PREREQ;
		}
	}
	free(writers);
	struct remake_var *v, *tmp;
	HASH_ITER(hh, vars, v, tmp) {
		HASH_DEL(vars, v);
		free(v->value);
		free(v);
	}
	tails_free(&targets);
	tails_free(&prereqs);
	free(mine);
}

void make_remake_inputs(struct ckpt *c)
{
	char *written = xcalloc(c->nfiles + 1, 1);
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++)
			if (c->jobs[j].deps[k].acc & (ACC_WRITE | ACC_MKDIR))
				written[c->jobs[j].deps[k].file] = 1;
	struct remake_file **files = xcalloc(c->nfiles + 1, sizeof *files);
	for (size_t j = 0; j < c->njobs; j++)
		if (c->jobs[j].kind == JOB_DRIVER && cmd_is_make(c->jobs[j].cmd))
			remake_job(c, (int)j, written, files);
	for (size_t i = 0; i < c->nfiles; i++)
		if (files[i]) {
			remake_file_release(files[i]);
			free(files[i]);
		}
	free(files);
	free(written);
}
