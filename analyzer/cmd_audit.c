/*
 * cmd_audit.c - `ckpt audit`: every input of the recorded build, grouped,
 * with the jobs that read it; environment variables, programs that could
 * not be traced, network access; and the hazards found at save time.
 * `--missing-deps` compares each job's in-tree inputs with the
 * prerequisites make knew for its target (`make -pq`), the way
 * `ninja -t missingdeps` does for ninja.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uthash.h>

#include "build.h"
#include "changes.h"
#include "cmd.h"
#include "envvars.h"
#include "model.h"
#include "manifest.h"

enum group {
	G_SOURCE, G_HEADER, G_PROGRAM, G_LIBRARY, G_ETC, G_PSEUDO, G_HOME,
	G_OTHER, NGROUPS
};

static const char *const group_key[NGROUPS] = {
	"sources", "system_headers", "programs", "shared_libraries", "etc",
	"proc_sys_dev", "home", "other",
};

static const char *const group_title[NGROUPS] = {
	"sources inside the tree", "system headers", "toolchain programs",
	"shared libraries", "configuration in /etc", "/proc, /sys and /dev",
	"the user's home directory", "other files outside the tree",
};

static int suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

static enum group group_of(const struct file *f, const char *home)
{
	const char *p = f->path;
	if (p[0] != '/')
		return G_SOURCE;
	if (f->role == ROLE_PSEUDO)
		return G_PSEUDO;
	if (home && *home && strcmp(home, "/") && path_under(p, home))
		return G_HOME;
	if (path_under(p, "/etc"))
		return G_ETC;
	if (strstr(p, ".so.") || suffix(p, ".so"))
		return G_LIBRARY;
	if (path_under(p, "/usr/include") ||
	    path_under(p, "/usr/local/include") ||
	    (strstr(p, "/include/") && !(f->mode & 0111)))
		return G_HEADER;
	if (S_ISREG(f->mode) && (f->mode & 0111))
		return G_PROGRAM;
	return G_OTHER;
}

/* An input the audit lists, with readers nreaders: a /proc, /sys or
 * /dev path only if some job read it (gcc probes /dev/null.gch). */
static int is_input(const struct file *f, size_t nreaders)
{
	return f->role == ROLE_SOURCE || f->role == ROLE_EXTERNAL ||
	       (f->role == ROLE_PSEUDO && nreaders);
}

static const char *hazard_text(int kind)
{
	switch (kind) {
	case HAZ_WRITE_WRITE: return "write_write";
	case HAZ_READ_EARLY: return "read_before_write";
	case HAZ_OUTSIDE: return "write_outside_root";
	case HAZ_SOURCE_CHANGED: return "source_changed_during_build";
	}
	return "?";
}

/* Readers (by content) of each file, as job lists. */
struct readers {
	int **jobs;
	size_t *n, *a;
};

static void readers_build(const struct ckpt *c, struct readers *r)
{
	r->jobs = xcalloc(c->nfiles + 1, sizeof *r->jobs);
	r->n = xcalloc(c->nfiles + 1, sizeof *r->n);
	r->a = xcalloc(c->nfiles + 1, sizeof *r->a);
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++) {
			const struct dep *d = &c->jobs[j].deps[k];
			if (!(d->acc & ACC_READ))
				continue;
			GROW(r->jobs[d->file], r->n[d->file], r->a[d->file]);
			r->jobs[d->file][r->n[d->file]++] = (int)j;
		}
}

static void readers_free(const struct ckpt *c, struct readers *r)
{
	for (size_t i = 0; i < c->nfiles; i++)
		free(r->jobs[i]);
	free(r->jobs);
	free(r->n);
	free(r->a);
}

static void json_jobs(const int *jobs, size_t n)
{
	printf("[");
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? ", " : "", jobs[i]);
	printf("]");
}

static void print_json(const struct ckpt *c, const struct readers *r,
		       const char *home)
{
	printf("{\"root\": ");
	json_string(stdout, c->root);
	printf(",\n \"jobs\": [");
	for (size_t j = 0; j < c->njobs; j++) {
		printf("%s\n  {\"id\": %zu, \"kind\": \"%s\", \"cwd\": ",
		       j ? "," : "", j,
		       c->jobs[j].kind == JOB_DRIVER  ? "make"
		       : c->jobs[j].kind == JOB_SHELL ? "shell"
						      : "recipe");
		json_string(stdout, c->jobs[j].cwd);
		printf(", \"command\": ");
		json_string(stdout, cmd_display(c->jobs[j].cmd));
		printf("}");
	}
	printf("]");
	for (int g = 0; g < NGROUPS; g++) {
		printf(",\n \"%s\": [", group_key[g]);
		int first = 1;
		for (size_t i = 0; i < c->nfiles; i++) {
			const struct file *f = &c->files[i];
			if (!is_input(f, r->n[i]) || (int)group_of(f, home) != g)
				continue;
			char hex[HASH_HEX] = "";
			if (f->hash.hi || f->hash.lo)
				hash_to_hex(&f->hash, hex);
			printf("%s\n  {\"path\": ", first ? "" : ",");
			json_string(stdout, f->path);
			printf(", \"hash\": \"%s\", \"jobs\": ", hex);
			json_jobs(r->jobs[i], r->n[i]);
			printf("}");
			first = 0;
		}
		printf("]");
	}
	/* Environment: name -> jobs. */
	printf(",\n \"environment\": [");
	int first = 1;
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].nenv; k++) {
			printf("%s\n  {\"name\": ", first ? "" : ",");
			json_string(stdout, c->jobs[j].env[k]);
			printf(", \"job\": %zu}", j);
			first = 0;
		}
	printf("],\n \"untraced\": [");
	first = 1;
	for (size_t j = 0; j < c->njobs; j++)
		if (c->jobs[j].untraced > 0) {
			printf("%s\n  {\"path\": ", first ? "" : ",");
			json_string(stdout, c->jobs[j].untraced_path);
			char *elf = elf_describe(c->jobs[j].untraced_path);
			printf(", \"reason\": \"%s\", \"elf\": ",
			       untraced_reason(c->jobs[j].untraced));
			json_string(stdout, elf);
			printf(", \"job\": %zu}", j);
			free(elf);
			first = 0;
		}
	printf("],\n \"network\": [");
	first = 1;
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].nnet; k++) {
			printf("%s\n  {\"what\": ", first ? "" : ",");
			json_string(stdout, c->jobs[j].net[k]);
			printf(", \"job\": %zu}", j);
			first = 0;
		}
	printf("],\n \"hazards\": [");
	for (size_t i = 0; i < c->nhazards; i++) {
		const struct hazard *h = &c->hazards[i];
		printf("%s\n  {\"kind\": \"%s\", \"path\": ", i ? "," : "",
		       hazard_text(h->kind));
		json_string(stdout, c->files[h->file].path);
		printf(", \"jobs\": [%d", h->job1);
		if (h->job2 >= 0)
			printf(", %d", h->job2);
		printf("]}");
	}
	printf("]}\n");
}

static void print_text(const struct ckpt *c, const struct readers *r,
		       const char *home)
{
	for (int g = 0; g < NGROUPS; g++) {
		size_t n = 0;
		for (size_t i = 0; i < c->nfiles; i++)
			n += is_input(&c->files[i], r->n[i]) &&
			     (int)group_of(&c->files[i], home) == g;
		if (!n)
			continue;
		printf("%s (%zu):\n", group_title[g], n);
		for (size_t i = 0; i < c->nfiles; i++) {
			const struct file *f = &c->files[i];
			if (!is_input(f, r->n[i]) || (int)group_of(f, home) != g)
				continue;
			printf("  %-50s read by %zu job%s\n", path_shown(f->path), r->n[i],
			       r->n[i] == 1 ? "" : "s");
		}
	}
	/* Environment variables, each once, with how many jobs read it. */
	struct name {
		const char *s;
		int jobs, last;
		UT_hash_handle hh;
	} *names = NULL, *e, *tmp;
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].nenv; k++) {
			const char *s = c->jobs[j].env[k];
			HASH_FIND_STR(names, s, e);
			if (!e) {
				e = xcalloc(1, sizeof *e);
				e->s = s;
				e->last = -1;
				HASH_ADD_KEYPTR(hh, names, s, strlen(s), e);
			}
			if (e->last != (int)j)
				e->jobs++, e->last = (int)j;
		}
	if (names)
		printf("environment variables read (%u):\n", HASH_COUNT(names));
	HASH_ITER(hh, names, e, tmp) {
		printf("  %-32s read by %d job%s\n", path_shown(e->s), e->jobs,
		       e->jobs == 1 ? "" : "s");
		HASH_DEL(names, e);
		free(e);
	}
	int any = 0;
	for (size_t j = 0; j < c->njobs; j++)
		if (c->jobs[j].untraced > 0) {
			if (!any++)
				printf("programs that could not be traced "
				       "(their jobs always re-run):\n");
			char *elf = elf_describe(c->jobs[j].untraced_path);
			printf("  %s: %s [%s], in job %zu: %s\n",
			       path_shown(c->jobs[j].untraced_path),
			       untraced_reason(c->jobs[j].untraced), elf, j,
			       cmd_display(c->jobs[j].cmd));
			free(elf);
		}
	any = 0;
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].nnet; k++) {
			if (!any++)
				printf("network access:\n");
			printf("  %s, by job %zu: %s\n", path_shown(c->jobs[j].net[k]), j,
			       cmd_display(c->jobs[j].cmd));
		}
	if (c->nhazards)
		printf("hazards:\n");
	for (size_t i = 0; i < c->nhazards; i++) {
		const struct hazard *h = &c->hazards[i];
		const char *p = path_shown(c->files[h->file].path);
		const char *c1 = cmd_display(c->jobs[h->job1].cmd);
		const char *c2 = h->job2 >= 0 ? cmd_display(c->jobs[h->job2].cmd)
					      : "";
		switch (h->kind) {
		case HAZ_WRITE_WRITE:
			printf("  %s is written by two jobs:\n    job %d: %s\n"
			       "    job %d: %s\n", p, h->job1, c1, h->job2, c2);
			break;
		case HAZ_READ_EARLY:
			printf("  %s was read before it was written "
			       "(a race under -j):\n    read by job %d: %s\n"
			       "    written later by job %d: %s\n",
			       p, h->job1, c1, h->job2, c2);
			break;
		case HAZ_OUTSIDE:
			printf("  %s, outside the tree, was written by job "
			       "%d: %s\n", p, h->job1, c1);
			break;
		case HAZ_SOURCE_CHANGED:
			printf("  %s changed while the build ran, after job "
			       "%d read it: %s\n", p, h->job1, c1);
			break;
		}
	}
	if (!c->nhazards)
		printf("no hazards found\n");
}

/* ---- --missing-deps ---------------------------------------------------- */

struct target {
	char *path;	/* relative to the root */
	char **pre;	/* prerequisites, relative to the root */
	size_t n, a;
	UT_hash_handle hh;
};

static char *root_rel(const char *root, const char *cwd, const char *p)
{
	char *abs = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", cwd, p);
	path_normalize(abs);
	const char *rel = path_under(abs, root);
	char *out = xstrdup(rel ? rel : abs);
	free(abs);
	return out;
}

/* The makefile a make's command line named (-f FILE) and the variables
 * it set (NAME=value words of cmd, escaped words), after "make" and
 * "-pqk", for execvp. -k: without it,
 * make -q stops at the first target out of date (bash's .build, out of
 * date after every build) and never searches the implicit rules of the
 * rest, whose prerequisites then look unknown. */
static char **make_argv(const char *cmd)
{
	char *copy = xstrdup(cmd), *rest = copy, *w;
	size_t n = 2, a = 0;
	char **argv = NULL;
	GROW(argv, n, a);
	argv[0] = xstrdup("make");
	argv[1] = xstrdup("-pqk");
	strsep(&rest, " ");	/* make itself */
	int file_next = 0;
	while ((w = strsep(&rest, " "))) {
		if (path_unescape(w) < 0)
			continue;
		/* Its makefile, and the variables it was given. */
		int file = file_next || (w[0] == '-' && w[1] == 'f' && w[2]) ||
			   !strncmp(w, "--file=", 7) ||
			   !strncmp(w, "--makefile=", 11);
		file_next = !strcmp(w, "-f") || !strcmp(w, "--file") ||
			    !strcmp(w, "--makefile");
		if (file_next || (!file && (w[0] == '-' || !strchr(w, '=') ||
					    w[0] == '=')))
			continue;
		GROW(argv, n, a);
		argv[n++] = !file || w[0] == '-' ? xstrdup(w)
						 : xasprintf("-f%s", w);
	}
	GROW(argv, n, a);
	argv[n] = NULL;
	free(copy);
	return argv;
}

/* `make -pq` run in cwd with the variables the recorded make was given
 * (git's NO_PERL=1 picks a branch of its Makefile), untraced, its errors
 * dropped: its output, or NULL (*pid set). A directory that is gone
 * (configure's conftest.dir, where it ran a make) is NULL, quietly. */
static FILE *make_p(const char *cwd, const char *cmd, pid_t *pid)
{
	int fd[2];
	if (access(cwd, X_OK) < 0 || pipe2(fd, O_CLOEXEC) < 0)
		return NULL;
	char **argv = make_argv(cmd);
	*pid = fork();
	if (*pid == 0) {
		/* Nothing to read on its standard input: a makefile given
		 * as `-f -` (config.status's am--depfiles) is not there. */
		int null = open("/dev/null", O_RDWR);
		if (chdir(cwd) < 0 || dup2(fd[1], 1) < 0 || null < 0 ||
		    dup2(null, 0) < 0 || dup2(null, 2) < 0)
			_exit(127);
		unsetenv("LD_PRELOAD");
		execvp("make", argv);
		_exit(127);
	}
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
	close(fd[1]);
	FILE *p = *pid > 0 ? fdopen(fd[0], "r") : NULL;
	if (!p) {
		close(fd[0]);
		if (*pid > 0)
			waitpid(*pid, NULL, 0);
	}
	return p;
}

/* The variables a make's command set, as one string to compare. */
static char *make_vars(const char *cmd)
{
	char **argv = make_argv(cmd), *v = xstrdup("");
	for (char **a = argv + 2; *a; a++) {
		char *more = xasprintf("%s%s\n", v, *a);
		free(v);
		v = more;
	}
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
	return v;
}

/* Sets of variables asked about in one directory, at most. */
#define MAX_MAKES_A_DIR 8

/* Makefiles a directory's makes named with -f asked about, at most
 * (CMake runs one build.make a target in build/). */
#define MAX_MAKEFILES_A_DIR 64

/* The makefile a make's command (escaped words) names: -f FILE, -fFILE,
 * --file=FILE, --makefile FILE; NULL if none (allocated). */
static char *named_makefile(const char *cmd)
{
	char *copy = xstrdup(cmd), *rest = copy, *w, *named = NULL;
	int next = 0;
	strsep(&rest, " ");	/* make itself */
	while (!named && (w = strsep(&rest, " "))) {
		if (path_unescape(w) < 0)
			continue;
		const char *f = next				? w
				: w[0] == '-' && w[1] == 'f' && w[2] ? w + 2
				: !strncmp(w, "--file=", 7)	? w + 7
				: !strncmp(w, "--makefile=", 11) ? w + 11
								 : NULL;
		next = !strcmp(w, "-f") || !strcmp(w, "--file") ||
		       !strcmp(w, "--makefile");
		if (f)
			named = xstrdup(f);
	}
	free(copy);
	return named;
}

/* The directory a make read its makefile in: cwd, where it started, and
 * its -C DIR, -CDIR, --directory=DIR options after it (`make -C lib`
 * starts in the top directory and reads lib/Makefile). Allocated. */
static char *make_dir(const char *cmd, const char *cwd)
{
	char *copy = xstrdup(cmd), *rest = copy, *w;
	char *dir = xstrdup(cwd);
	int next = 0;
	strsep(&rest, " ");	/* make itself */
	while ((w = strsep(&rest, " "))) {
		if (path_unescape(w) < 0)
			continue;
		const char *to = next				 ? w
				 : !strncmp(w, "-C", 2) && w[2]	 ? w + 2
				 : !strncmp(w, "--directory=", 12) ? w + 12
								   : NULL;
		next = !strcmp(w, "-C") || !strcmp(w, "--directory");
		if (!to || !*to)
			continue;
		char *d = to[0] == '/' ? xstrdup(to)
				       : xasprintf("%s/%s", dir, to);
		path_normalize(d);
		free(dir);
		dir = d;
	}
	free(copy);
	return dir;
}

/* Parse `make -pq` run in cwd: the "# Files" section's rules. */
static void make_database(const char *root, const char *cwd,
			  const char *cmd, struct target **db)
{
	pid_t pid;
	FILE *p = make_p(cwd, cmd, &pid);
	if (!p)
		return;
	char *line = NULL;
	size_t cap = 0;
	int in_files = 0, skip_next = 0;
	while (getline(&line, &cap, p) > 0) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "# Files", 7)) {
			in_files = 1;
			continue;
		}
		if (!strncmp(line, "# Not a target:", 15)) {
			skip_next = 1;
			continue;
		}
		if (!in_files || line[0] == '#' || line[0] == '\t' ||
		    line[0] == ' ' || !line[0]) {
			continue;
		}
		char *colon = strstr(line, ": ");
		if (!colon && line[strlen(line) - 1] == ':')
			colon = line + strlen(line) - 1;
		if (!colon || strchr(line, '=') || strchr(line, '%'))
			continue;
		if (skip_next) {
			skip_next = 0;
			continue;
		}
		*colon = 0;
		char *t = root_rel(root, cwd, line);
		struct target *e;
		HASH_FIND_STR(*db, t, e);
		if (!e) {
			e = xcalloc(1, sizeof *e);
			e->path = t;
			HASH_ADD_KEYPTR(hh, *db, e->path, strlen(e->path), e);
		} else {
			free(t);
		}
		char *rest = colon + 1, *w;
		while ((w = strsep(&rest, " ")))
			if (*w && *w != '|') {
				GROW(e->pre, e->n, e->a);
				e->pre[e->n++] = root_rel(root, cwd, w);
			} else if (*w == '|') {
				break;	/* order-only: not a real dependency */
			}
	}
	free(line);
	fclose(p);
	waitpid(pid, NULL, 0);
}

/* Did job a write a temporary file that job b read? */
static int passes_temp(const struct ckpt *c, const struct job *a,
		       const struct job *b)
{
	for (size_t k = 0; k < a->ndeps; k++) {
		const struct dep *w = &a->deps[k];
		if (!(w->acc & ACC_WRITE) || c->files[w->file].role != ROLE_TEMP)
			continue;
		for (size_t m = 0; m < b->ndeps; m++)
			if (b->deps[m].file == w->file &&
			    (b->deps[m].acc & ACC_READ))
				return 1;
	}
	return 0;
}

/* Did job a write a file of the tree that job b read and that make does
 * not know as a prerequisite of target e: one a recipe passes from a
 * line to the next (`cat $< > $*.tf1`, then `awk ... $*.tf1`)? */
static int passes_own(const struct ckpt *c, const struct job *a,
		      const struct job *b, const struct target *e)
{
	for (size_t k = 0; k < a->ndeps; k++) {
		const struct dep *w = &a->deps[k];
		const char *path = c->files[w->file].path;
		if (!(w->acc & ACC_WRITE) || path[0] == '/')
			continue;
		int listed = 0;
		for (size_t p = 0; p < e->n && !listed; p++)
			listed = !strcmp(e->pre[p], path);
		for (size_t m = 0; m < b->ndeps && !listed; m++)
			if (b->deps[m].file == w->file &&
			    (b->deps[m].acc & ACC_READ))
				return 1;
	}
	return 0;
}

/* Does job a write nothing in the tree (`true`, `rm -f $*.tf1`)? */
static int writes_nothing(const struct ckpt *c, const struct job *a)
{
	for (size_t k = 0; k < a->ndeps; k++)
		if ((a->deps[k].acc & (ACC_WRITE | ACC_MKDIR)) &&
		    c->files[a->deps[k].file].path[0] != '/')
			return 0;
	return 1;
}

/* The lines of target-writing job j's recipe that its target is made
 * from: j, and the earlier lines that passed it a temporary (`gcc -o
 * objs/x.o x.c`, then `mv objs/x.o x.lo`) or a file e does not list
 * (passes_own), transitively, also past lines between that write
 * nothing (libpng's `rm -f $*.tf1`). At most max. */
static size_t recipe_lines(const struct ckpt *c, int j,
			   const struct target *e, int *lines, size_t max)
{
	int walk[32];
	size_t n = 0, nw = 0;
	lines[n++] = j;
	walk[nw++] = j;
	for (size_t i = 0; i < nw; i++) {
		const struct job *b = &c->jobs[walk[i]];
		for (size_t k = 0; k < b->nprev && n < max && nw < 32; k++) {
			int p = b->prev[k], seen = 0;
			if (p < 0 || (size_t)p >= c->njobs)
				continue;
			for (size_t s = 0; s < nw; s++)
				seen |= walk[s] == p;
			if (seen)
				continue;
			int passes = 0;
			for (size_t s = 0; s < n && !passes; s++)
				passes = passes_temp(c, &c->jobs[p],
						     &c->jobs[lines[s]]) ||
					 passes_own(c, &c->jobs[p],
						    &c->jobs[lines[s]], e);
			if (passes)
				lines[n++] = p;
			if (passes || writes_nothing(c, &c->jobs[p]))
				walk[nw++] = p;
		}
	}
	return n;
}

/* A path make reaches from a target through its prerequisites. */
struct reach {
	const char *path;	/* the database's string */
	UT_hash_handle hh;
};

/* Every path make reaches from target e, through the prerequisites of
 * its prerequisites (`proto.h: proto.h-tstamp`, the stamp's rule lists
 * every .c: an edit of one remakes the stamp, and so proto.h). */
static struct reach *reachable(struct target *db, const struct target *e)
{
	struct reach *seen = NULL;
	const struct target **queue = NULL;
	size_t nq = 0, aq = 0;
	GROW(queue, nq, aq);
	queue[nq++] = e;
	for (size_t i = 0; i < nq; i++) {
		const struct target *t = queue[i];
		for (size_t p = 0; p < t->n; p++) {
			const char *pre = t->pre[p];
			struct reach *r;
			HASH_FIND_STR(seen, pre, r);
			if (r)
				continue;
			r = xmalloc(sizeof *r);
			r->path = pre;
			HASH_ADD_KEYPTR(hh, seen, pre, strlen(pre), r);
			struct target *next;
			HASH_FIND_STR(db, pre, next);
			if (next) {
				GROW(queue, nq, aq);
				queue[nq++] = next;
			}
		}
	}
	free(queue);
	return seen;
}

static void reach_free(struct reach *seen)
{
	struct reach *r, *tmp;
	HASH_ITER(hh, seen, r, tmp) {
		HASH_DEL(seen, r);
		free(r);
	}
}

/* Does make know f as a prerequisite of e: f itself, or an output of
 * the recipe that wrote one (libtool's .libs/x.o and x.o beside x.lo),
 * or a path it reaches through other prerequisites (*reach, made when
 * first needed)? Not of configure, which writes libtool as well as
 * config.h. */
static int known_prerequisite(const struct ckpt *c, const char *is_make,
			      struct target *db, const struct target *e,
			      const struct file *f, struct reach **reach)
{
	int by_make = f->producer >= 0 && c->jobs[f->producer].driver >= 0 &&
		      is_make[c->jobs[f->producer].driver];
	for (size_t p = 0; p < e->n; p++) {
		if (!strcmp(e->pre[p], f->path))
			return 1;
		int g = by_make ? ckpt_file((struct ckpt *)c, e->pre[p], 0) : -1;
		if (g >= 0 && c->files[g].producer == f->producer)
			return 1;
	}
	if (!*reach)
		*reach = reachable(db, e);
	struct reach *r;
	HASH_FIND_STR(*reach, f->path, r);
	return r != NULL;
}

/* Is f a program that recipe line `line` ran: the name it executed
 * (`../libtool ...`), or the script it gave a shell (`$(SHELL)
 * ../libtool ...`)? */
static int ran_program(const struct ckpt *c, const struct job *line,
		       const struct file *f)
{
	int found = 0;
	for (size_t k = 0; k < line->nexecs && !found; k++) {
		const char *tab = strchr(line->execs[k], '\t');
		if (!tab)
			continue;
		char *cwd = xmemdup(line->execs[k], (size_t)(tab - line->execs[k]) + 1);
		cwd[tab - line->execs[k]] = 0;
		char *copy = xstrdup(tab + 1), *rest = copy, *w;
		int shell = 0;
		for (int i = 0; i < 2 && !found && (w = strsep(&rest, " "));
		     i++) {
			if (path_unescape(w) < 0)
				break;
			if (i == 0)
				shell = envvars_is_shell(w);
			if (i == 0 ? !strchr(w, '/') : !shell || w[0] == '-')
				continue;
			char *r = root_rel(c->root, cwd, w);
			found = !strcmp(r, f->path);
			free(r);
		}
		free(copy);
		free(cwd);
	}
	return found;
}

/* Programs of the tree that recipes run without listing them, written
 * by a command no make ran (configure's libtool): make cannot know them,
 * and every target of an automake build runs libtool. They are counted
 * apart rather than named once a target. */
struct programs {
	int *targets;	/* per file: targets that ran it without listing */
	int *last;	/* per file: the last target counted */
};

/* The in-tree inputs of job lj, a line of target of's recipe, that make
 * does not know as prerequisites of it (e): a line a target, naming the
 * command once (a compile's is kilobytes). */
static void report_missing(const struct ckpt *c, const char *is_make,
			   struct target *db, const struct file *of,
			   const struct target *e, struct reach **reach,
			   const int *lines, size_t nlines, int lj, int json,
			   int *first, struct programs *pr)
{
	const struct job *line = &c->jobs[lj];
	const char **missing = NULL;
	size_t nmissing = 0, amissing = 0;
	for (size_t m = 0; m < line->ndeps; m++) {
		const struct dep *d = &line->deps[m];
		const struct file *f = &c->files[d->file];
		if (!(d->acc & ACC_READ) || f->path[0] == '/' ||
		    (f->role != ROLE_SOURCE && f->role != ROLE_OUTPUT) ||
		    (d->acc & ACC_WRITE))
			continue;
		/* What a line of the recipe wrote (`cat $< > $*.tf1`, read
		 * by the next) is the recipe's own. */
		int own = 0;
		for (size_t l = 0; l < nlines && !own; l++)
			own = f->producer == lines[l];
		if (own)
			continue;
		if (known_prerequisite(c, is_make, db, e, f, reach))
			continue;
		int w = f->producer;
		int program = w >= 0 &&
			      (c->jobs[w].driver < 0 ||
			       !is_make[c->jobs[w].driver]) &&
			      ran_program(c, line, f);
		if (program && pr->last[d->file] != (int)(of - c->files)) {
			pr->last[d->file] = (int)(of - c->files);
			pr->targets[d->file]++;
		}
		if (json) {
			printf("%s\n {\"target\": ", *first ? "" : ",");
			json_string(stdout, of->path);
			printf(", \"missing\": ");
			json_string(stdout, f->path);
			printf(", \"job\": %d%s}", lj,
			       program ? ", \"program\": true" : "");
		} else if (program) {
			continue;
		} else {
			GROW(missing, nmissing, amissing);
			missing[nmissing++] = f->path;
		}
		*first = 0;
	}
	if (!nmissing)
		return;
	printf("%s: missing prerequisite%s", path_shown(of->path),
	       nmissing > 1 ? "s" : "");
	for (size_t i = 0; i < nmissing; i++)
		printf("%s %s", i ? "," : "", path_shown(missing[i]));
	printf(" (read by: %s)\n", cmd_display(line->cmd));
	free(missing);
}

/* What make knows of each target of the tree at `root` (the current
 * directory: the recorded tree, or a copy of it), against what the
 * recorded build read. */
static int missing_deps(const struct ckpt *c, const char *root, int json)
{
	struct target *db = NULL, *e, *tmp;
	/* Each directory's makefile once for each set of variables a make
	 * that read it was given (zstd's lib/ is made again with
	 * BUILD_DIR=..., whose rules the first make does not have), their
	 * rules merged; each makefile named with -f once, with the
	 * variables of the first make that named it (kbuild runs
	 * thousands of `make -f scripts/Makefile.build obj=...` in the top
	 * directory; CMake a `make -f CMakeFiles/x.dir/build.make` a
	 * target, whose rules the top Makefile's make -q never reaches).
	 * Not a shell that ran makes (`sh -c './configure && make'`). */
	char *is_make = xcalloc(c->njobs + 1, 1);
	for (size_t j = 0; j < c->njobs; j++) {
		if (c->jobs[j].kind != JOB_DRIVER)
			continue;
		is_make[j] = cmd_is_make(c->jobs[j].cmd);
	}
	char **dirs = xmalloc((c->njobs + 1) * sizeof *dirs);
	char **vars = xmalloc((c->njobs + 1) * sizeof *vars);
	size_t ndirs = 0;
	for (size_t j = 0; j < c->njobs; j++) {
		const struct job *d = &c->jobs[j];
		if (!is_make[j])
			continue;
		/* A -f make is told apart by its makefile; one read from
		 * a pipe (`-f -`) is not there to ask. */
		char *mf = named_makefile(d->cmd);
		if (mf && !strcmp(mf, "-")) {
			free(mf);
			continue;
		}
		char *v = mf ? xasprintf("\001%s", mf) : make_vars(d->cmd);
		char *dir = make_dir(d->cmd, d->cwd);
		size_t k = 0, same_dir = 0;
		for (; k < ndirs; k++) {
			if (strcmp(dirs[k], dir) ||
			    (vars[k][0] == '\001') != (mf != NULL))
				continue;
			same_dir++;
			if (!strcmp(vars[k], v))
				break;
		}
		free(mf);
		if (k < ndirs ||
		    same_dir >= (v[0] == '\001' ? MAX_MAKEFILES_A_DIR
					     : MAX_MAKES_A_DIR)) {
			free(v);
			free(dir);
			continue;
		}
		vars[ndirs] = v;
		dirs[ndirs++] = dir;
		/* In this tree, a copy of the recorded one maybe. */
		const char *rel = path_under(dir, c->root);
		char *cwd = !rel  ? xstrdup(dir)
			    : *rel ? xasprintf("%s/%s", root, rel)
				   : xstrdup(root);
		make_database(root, cwd, d->cmd, &db);
		free(cwd);
	}
	for (size_t k = 0; k < ndirs; k++) {
		free(vars[k]);
		free(dirs[k]);
	}
	free(vars);
	free(dirs);
	if (!db) {
		free(is_make);
		return error("make -pq printed no rules in %s (is this a "
			     "make build, and the current directory its tree "
			     "or a copy of it?)", root), 1;
	}
	int first = 1;
	size_t unchecked = 0;	/* targets make -pq did not print */
	struct programs pr = {
		.targets = xcalloc(c->nfiles + 1, sizeof *pr.targets),
		.last = xmalloc((c->nfiles + 1) * sizeof *pr.last),
	};
	for (size_t i = 0; i < c->nfiles; i++)
		pr.last[i] = -1;
	if (json)
		printf("[");
	for (size_t j = 0; j < c->njobs; j++) {
		const struct job *job = &c->jobs[j];
		/* Only what a make ran (not configure, run by the recorded
		 * command), for targets that are not make's own bookkeeping
		 * (automake's .Plo files are targets of a rule of their own,
		 * written by the compile). */
		if (job->kind != JOB_RECIPE || job->driver < 0 ||
		    !is_make[job->driver])
			continue;
		for (size_t k = 0; k < job->ndeps; k++) {
			const struct dep *o = &job->deps[k];
			const struct file *of = &c->files[o->file];
			if (!(o->acc & ACC_WRITE) || of->role != ROLE_OUTPUT ||
			    of->producer != (int)j || dependency_file(of))
				continue;
			HASH_FIND_STR(db, of->path, e);
			if (!e) {
				unchecked++;
				continue;
			}
			int lines[16];
			size_t nl = recipe_lines(c, (int)j, e, lines, 16);
			struct reach *reach = NULL;
			for (size_t l = 0; l < nl; l++)
				report_missing(c, is_make, db, of, e, &reach,
					       lines, nl, lines[l], json,
					       &first, &pr);
			reach_free(reach);
		}
	}
	int programs = 0;
	for (size_t i = 0; i < c->nfiles && !json; i++) {
		const struct file *f = &c->files[i];
		if (!pr.targets[i])
			continue;
		printf("%s: run by %d target%s that do%s not list it, written "
		       "by a command no make ran (%s): make does not rebuild "
		       "them when it changes\n",
		       path_shown(f->path), pr.targets[i],
		       pr.targets[i] == 1 ? "" : "s",
		       pr.targets[i] == 1 ? "es" : "",
		       cmd_display(c->jobs[f->producer].cmd));
		programs = 1;
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	else if (first && !programs && !unchecked)
		printf("no missing dependencies: make knows every in-tree "
		       "input of every target\n");
	else if (first && !programs)
		printf("no missing dependencies found; %zu target%s that make "
		       "built %s not in the rules make -pq printed, and "
		       "%s not checked\n", unchecked,
		       unchecked == 1 ? "" : "s", unchecked == 1 ? "is" : "are",
		       unchecked == 1 ? "was" : "were");
	free(pr.targets);
	free(pr.last);
	HASH_ITER(hh, db, e, tmp) {
		HASH_DEL(db, e);
		for (size_t i = 0; i < e->n; i++)
			free(e->pre[i]);
		free(e->pre);
		free(e->path);
		free(e);
	}
	free(is_make);
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	const char *dir = ".ckpt";
	int json = 0, missing = 0;
	for (int i = 1; i < argc; i++) {
		int r = opt_dir(argc, argv, &i, &dir);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--missing-deps")) {
			missing = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: ckpt audit [-d DIR] [--json] "
			       "[--missing-deps]\n\n"
			       "Every input of the recorded build, grouped "
			       "(sources, system headers,\nprograms, shared "
			       "libraries, /etc, /proc /sys /dev, $HOME, "
			       "other), with the\njobs that read it; "
			       "environment variables read; programs that "
			       "could not be\ntraced; network access; and "
			       "hazards: two jobs writing one file, a read\n"
			       "before another job's write, writes outside "
			       "the tree, sources that changed\nduring the "
			       "build.\n\n"
			       "  --missing-deps  in-tree inputs of each target "
			       "that make did not know\n"
			       "                  as prerequisites (runs make "
			       "-pqk in the tree: the\n"
			       "                  current directory, the recorded "
			       "one or a copy); a program\n"
			       "                  configure wrote that targets "
			       "run unlisted (libtool)\n"
			       "                  is one line for all of them\n"
			       "  --json          JSON (schema in docs/json.md)\n");
			return 0;
		} else {
			return bad_arg("audit", argv[i]);
		}
	}
	struct ckpt c;
	if (manifest_read(&c, dir) < 0)
		return 1;
	int rc = 0;
	if (missing) {
		char *root = getcwd(NULL, 0);
		rc = root ? missing_deps(&c, root, json)
			  : (error_errno("cannot get the current directory"), 1);
		free(root);
	} else {
		struct readers r;
		readers_build(&c, &r);
		const char *home = getenv("HOME");
		if (json)
			print_json(&c, &r, home);
		else
			print_text(&c, &r, home);
		readers_free(&c, &r);
	}
	ckpt_release(&c);
	return rc;
}
