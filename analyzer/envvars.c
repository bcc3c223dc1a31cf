/*
 * envvars.c - the environment variables a build used.
 *
 * A job reads the environment through getenv (the shim records each
 * name), and make imports all of it as variables: a makefile's $(CFLAGS)
 * is the environment's CFLAGS unless the makefile sets it. So the
 * variables a build used are those its jobs looked up, and, for each
 * make, those its makefiles refer to ($(NAME), ${NAME}, ifdef NAME,
 * $(origin NAME)) among the ones the environment had, plus the ones
 * make's built-in rules use. The checkpoint keeps a hash of each one's
 * value when the build started (never the value: environments hold
 * secrets), or that it was unset; status and restore compare that with
 * their own environment, which is the one the next make runs in.
 *
 * Left out are variables that differ from one shell to the next and do
 * not change what a build writes (PWD, TERM, SHLVL, COLORTERM and gcc's
 * other colour settings), those make and ckpt
 * set for their children (MAKEFLAGS, LD_PRELOAD, CKPT_DIR), and PATH and
 * the temporary directories: which program a look-up finds is already a
 * dependency of its own, and where compilers put temporary files does
 * not matter.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

#include "changes.h"
#include "envvars.h"

static const char *const ignored[] = {
	"PWD", "OLDPWD", "SHLVL", "_", "TERM", "COLUMNS", "LINES", "PATH",
	/* gcc's, for diagnostics on a terminal */
	"COLORTERM", "GCC_COLORS", "GCC_URLS", "TERM_URLS",
	"TMPDIR", "TMP", "TEMP", "SHELL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL",
	"MAKEOVERRIDES", "GNUMAKEFLAGS", "MAKE_TERMOUT", "MAKE_TERMERR",
	"LD_PRELOAD",
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

struct name {
	const char *name;	/* into the trace, or builtin[] */
	size_t len;
	const char *value;	/* NULL: unset when the build started */
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

/* The environment the first traced process started with. */
static struct name *start_env(const struct trace *t)
{
	struct name *set = NULL;
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
					add_name(&set, kv, (size_t)(eq - kv),
						 eq + 1);
			}
			return set;
		}
	}
	return set;
}

static int name_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '_';
}

void envvars_refs(const char *p, size_t size,
		  void (*found)(const char *name, size_t len, void *arg),
		  void *arg)
{
	const char *end = p + size;
	for (const char *q = p; q < end; q++) {
		const char *w = NULL;
		int directive = 0;
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
		} else if ((q == p || q[-1] == '\n') && end - q > 7 &&
			   (!memcmp(q, "ifdef ", 6) || !memcmp(q, "ifndef ", 7))) {
			w = q + (q[2] == 'n' ? 7 : 6);
			directive = 1;
		}
		if (!w)
			continue;
		const char *e = w;
		while (e < end && name_char(*e))
			e++;
		/* $(NAME) $(NAME:a=b); not $(shell ...), a function */
		int ends = directive ? e == end || *e == '\n' || *e == ' ' ||
					       *e == '\t'
				     : e < end && (*e == ')' || *e == '}' ||
						   *e == ':');
		if (e > w && ends)
			found(w, (size_t)(e - w), arg);
	}
}

struct refer_arg {
	struct job *driver;
	struct name *candidates;
};

/* A name a makefile refers to: the driver used it, if the environment
 * could have given it. */
static void refer(const char *s, size_t len, void *arg)
{
	struct refer_arg *r = arg;
	if (find(r->candidates, s, len)) {
		char *name = strndup(s, len);
		job_add_string(&r->driver->env, &r->driver->nenv,
			       &r->driver->aenv, name, 1);
		free(name);
	}
}

/* Is f a makefile a driver read: in the tree and not a dependency file
 * (`.d`, kbuild's `.cmd`), or outside it with a makefile's name. */
static int makefile_like(const struct file *f)
{
	const char *base = strrchr(f->path, '/');
	base = base ? base + 1 : f->path;
	size_t n = strlen(base);
	if (dependency_file(f->path))
		return 0;
	if (f->path[0] != '/')
		return f->role == ROLE_SOURCE || f->role == ROLE_OUTPUT;
	return !strcmp(base, "Makefile") || !strcmp(base, "makefile") ||
	       !strcmp(base, "GNUmakefile") ||
	       (n > 3 && !strcmp(base + n - 3, ".mk"));
}

static void scan_file(const char *path, struct job *driver,
		      struct name *candidates)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    st.st_size <= (16 << 20)) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			       fd, 0);
		if (m != MAP_FAILED) {
			struct refer_arg r = { driver, candidates };
			envvars_refs(m, (size_t)st.st_size, refer, &r);
			munmap(m, (size_t)st.st_size);
		}
	}
	close(fd);
}

static int by_name(struct name *a, struct name *b)
{
	return strcmp(a->name, b->name);
}

void envvars_record(struct ckpt *c, const struct trace *t)
{
	struct name *env = start_env(t), *n, *tmp;
	/* What a makefile may take from the environment: what was in it,
	 * and what built-in rules use (set or not). */
	struct name *candidates = NULL;
	HASH_ITER(hh, env, n, tmp) {
		char name[256];
		if (n->len >= sizeof name)
			continue;
		memcpy(name, n->name, n->len);
		name[n->len] = 0;
		if (!envvars_ignored(name))
			add_name(&candidates, n->name, n->len, n->value);
	}
	for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++) {
		n = find(env, builtin[i], strlen(builtin[i]));
		add_name(&candidates, builtin[i], strlen(builtin[i]),
			 n ? n->value : "");
	}
	/* A file is scanned once; the drivers that read it each get what it
	 * refers to. */
	for (size_t j = 0; j < c->njobs; j++) {
		struct job *job = &c->jobs[j];
		if (job->kind != JOB_DRIVER)
			continue;
		/* Those set: the built-in rules read them. The unset ones
		 * are compared for every make (envvars_make_uses), and not
		 * listed: the audit would say each make read CXX. */
		for (size_t k = 0; k < sizeof builtin / sizeof *builtin; k++)
			if (find(env, builtin[k], strlen(builtin[k])))
				job_add_string(&job->env, &job->nenv,
					       &job->aenv, builtin[k], 1);
		for (size_t k = 0; k < job->ndeps; k++) {
			const struct file *f = &c->files[job->deps[k].file];
			if (!(job->deps[k].acc & ACC_READ) || !makefile_like(f))
				continue;
			char *p = file_abs(c, f, c->root);
			scan_file(p, job, candidates);
			free(p);
		}
	}
	/* Every variable any job used, with its value when the build
	 * started. */
	struct name *used = NULL;
	for (size_t j = 0; j < c->njobs; j++)
		if (c->jobs[j].kind == JOB_DRIVER)
			for (size_t k = 0; k < sizeof builtin / sizeof *builtin;
			     k++)
				add_name(&used, builtin[k], strlen(builtin[k]),
					 NULL);
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].nenv; k++) {
			const char *s = c->jobs[j].env[k];
			if (!envvars_ignored(s))
				add_name(&used, s, strlen(s), NULL);
		}
	HASH_SRT(hh, used, by_name);
	HASH_ITER(hh, used, n, tmp) {
		struct name *v = find(env, n->name, n->len);
		GROW(c->envs, c->nenvs, c->aenvs);
		struct envvar *e = &c->envs[c->nenvs++];
		memset(e, 0, sizeof *e);
		e->name = xstrdup(n->name);
		e->set = v != NULL;
		if (v)
			hash_bytes(v->value, strlen(v->value), &e->hash);
		HASH_DEL(used, n);
		free(n);
	}
	HASH_ITER(hh, candidates, n, tmp) {
		HASH_DEL(candidates, n);
		free(n);
	}
	HASH_ITER(hh, env, n, tmp) {
		HASH_DEL(env, n);
		free(n);
	}
}

size_t envvars_check(struct ckpt *c)
{
	size_t changed = 0;
	for (size_t i = 0; i < c->nenvs; i++) {
		struct envvar *e = &c->envs[i];
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

int envvars_make_uses(const struct ckpt *c)
{
	for (size_t k = 0; k < sizeof builtin / sizeof *builtin; k++) {
		int e = envvars_changed(c, builtin[k]);
		if (e >= 0)
			return e;
	}
	return -1;
}

int envvars_changed(const struct ckpt *c, const char *name)
{
	for (size_t i = 0; i < c->nenvs; i++)
		if (c->envs[i].changed && !strcmp(c->envs[i].name, name))
			return (int)i;
	return -1;
}
