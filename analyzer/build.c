/*
 * build.c - from a trace to jobs and file accesses.
 *
 * 1. Every image (one trace file: a process after an exec, or a fork child)
 *    gets a parent image: for a fork child, the newest image of its parent
 *    pid; for an exec, the image the same pid had before (it called exec),
 *    else the image that spawned it (posix_spawn and vfork children record
 *    their exec in the parent's file, under the child's pid), else the
 *    newest image of its parent pid.
 * 2. An image whose program is make (or the root of the trace, whatever it
 *    runs) is a driver. Its own accesses (Makefiles, .d files, the stat of
 *    every target) belong to a driver job; every process it starts begins
 *    a recipe job, and everything that process and its descendants do
 *    belongs to that job, except a nested make, which is a driver again.
 * 3. Each event becomes an access (model.h's ACC_*) of the job on a
 *    normalised path; the checkpoint directory is left out, /proc, /sys
 *    and /dev are kept for the audit only (ROLE_PSEUDO). Records written under another pid (a spawn child's exec and
 *    file actions, a vfork child's exec) go to that child's job.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>
#include <xxhash.h>

#include "build.h"
#include "envvars.h"
#include "trace_read.h"

struct pidref {
	int pid;
	uint64_t time;
	int img;
};

/* A moment in a job's life, and a driver's access to a file in the tree:
 * see link_recipe_lines. */
struct tick {
	int job;
	uint64_t time;
};

struct look {
	int job, file;
	uint64_t time;
};

struct script;

/* A shell script or a program file (awk -f FILE) that was gone by the
 * save, and the job that ran it: see gone_scripts. */
struct gone {
	int job, kind;			/* 's', or the language */
	const char *path;		/* absolute; the script entry's */
};

struct builder {
	struct ckpt *c;
	struct script *scripts;		/* files scanned, by kind and path */
	struct gone *gone;
	size_t ngone, agone;
	uint64_t *out_ino;		/* per image: stdout inode, or 0 */
	char *out_kind;			/* per image: stdout is a pipe 'p',
					 * a file 'f', else 0 */
	const struct trace *t;
	const char *skip;		/* checkpoint directory, absolute */
	int *parent, *job;		/* per image */
	struct pidref *bypid;		/* every image, by (pid, index) */
	struct pidref *execs;		/* images that are not fork children */
	size_t nexecs;
	struct pidref *spawns;		/* exec records under a foreign pid */
	size_t nspawns, aspawns;
	struct pidref *ghosts;		/* foreign pid without an image: job */
	size_t nghosts, aghosts;
	struct look *looks;		/* a driver's own access in the tree */
	size_t nlooks, alooks;
	struct tick *spawned;		/* a driver's exec record of a child */
	size_t nspawned, aspawned;
	struct tick *reaped;		/* a driver's REAP record of a child */
	size_t nreaped, areaped;
	struct seen *seen;		/* intern's answers, by recorded path */
	size_t nseen, sseen;		/* used; slots (a power of two) */
	struct dotdot *dotdots;		/* dotdot_lexical's answers */
	int comparing;			/* the image's program only compares
					 * what it reads (cmp, diff) */
	int no_link;			/* a C compiler that does not link
					 * (compiles_only) */
	int clock;			/* date printing the time (prints_now) */
	int stat_data;			/* what it stats it prints the time or
					 * size of (prints_stat) */
	int running;			/* the read access_path is given is a
					 * run of the file (exec, a shell's
					 * script), not a use of its data */
};

/* A recorded path string and what intern made of it. The strings are the
 * trace's own, which outlives the builder. */
struct seen {
	uint64_t h;
	const char *raw;		/* NULL: a free slot */
	int id;
	uint32_t len;			/* strlen(raw) */
};

static int cmp_pidref(const void *a, const void *b)
{
	const struct pidref *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->time > y->time) - (x->time < y->time);
}

/* The entry of `pid` whose time is nearest to `t`, or NULL. */
static const struct pidref *nearest(const struct pidref *v, size_t n, int pid,
				    uint64_t t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {	/* first entry >= (pid, t) */
		size_t mid = (lo + hi) / 2;
		if (v[mid].pid < pid || (v[mid].pid == pid && v[mid].time < t))
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct pidref *best = NULL;
	if (lo < n && v[lo].pid == pid)
		best = &v[lo];
	if (lo > 0 && v[lo - 1].pid == pid) {
		const struct pidref *b = &v[lo - 1];
		if (!best || t - b->time < best->time - t)
			best = b;
	}
	return best;
}

static int cmp_pid_img(const void *a, const void *b)
{
	const struct pidref *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->img > y->img) - (x->img < y->img);
}

/* Newest image of `pid` before image `self` that started at or before
 * `start`, or -1. b->bypid lists every image by (pid, index). */
static int image_before(const struct builder *b, int pid, uint64_t start,
			int self)
{
	const struct pidref *v = b->bypid;
	size_t lo = 0, hi = b->t->nimg;
	while (lo < hi) {	/* first entry >= (pid, self) */
		size_t mid = (lo + hi) / 2;
		if (v[mid].pid < pid || (v[mid].pid == pid && v[mid].img < self))
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0 && v[lo - 1].pid == pid) {
		lo--;
		if (b->t->img[v[lo].img].start <= start)
			return v[lo].img;
	}
	return -1;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;
	return s ? s + 1 : p ? p : "";
}

int is_driver_program(const char *exe, const char *argv0)
{
	static const char *const names[] = { "make", "gmake", "remake" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(base_name(exe), names[i]) ||
		    !strcmp(base_name(argv0), names[i]))
			return 1;
	return 0;
}

int cmd_is_make(const char *cmd)
{
	size_t n = strcspn(cmd, " ");
	char *w = xmemdup(cmd, n + 1);
	w[n] = 0;
	int make = path_unescape(w) == 0 && is_driver_program(w, w);
	free(w);
	return make;
}

/* Does image i contain an exec by its own pid (so a later image of the same
 * pid is its continuation)? */
static int execs_itself(const struct image *im)
{
	for (size_t k = 0; k < im->nev; k++) {
		const struct ckpt_rec *r = im->ev[k].rec;
		if (r->op == CKPT_EXEC && r->pid == im->pid &&
		    !(r->arg & CKPT_EXEC_FAILED))
			return 1;
	}
	return 0;
}

static char *words(const char *first, int n)
{
	size_t len = 0;
	const char *s = first;
	for (int i = 0; i < n; i++, s += strlen(s) + 1)
		len += strlen(s) * 3 + 1;
	char *out = xmalloc(len + 1), *o = out;
	s = first;
	for (int i = 0; i < n; i++, s += strlen(s) + 1) {
		if (i)
			*o++ = ' ';
		o = path_escape_to(o, s);
	}
	*o = 0;
	return out;
}

static int new_job(struct builder *b, int kind, int driver,
		   const struct image *im)
{
	int j = ckpt_job_new(b->c, kind, driver);
	struct job *job = &b->c->jobs[j];
	job->cwd = xstrdup(im->cwd ? im->cwd : "/");
	job->cmd = words(im->argv0 ? im->argv0 : "", im->argv0 ? im->argc : 0);
	job->start = im->start;
	return j;
}

/* What fd 1 was when image i started (its STDOUT record). */
static void image_stdout(struct builder *b, size_t i)
{
	const struct image *im = &b->t->img[i];
	for (size_t k = 0; k < im->nev && k < 8; k++) {
		const struct ckpt_rec *r = im->ev[k].rec;
		if (r->op == CKPT_STDOUT && r->pid == im->pid) {
			b->out_ino[i] = r->arg;
			const char *s = im->ev[k].str;
			b->out_kind[i] = !s		     ? 0
					 : !strcmp(s, "pipe") ? 'p'
					 : !strcmp(s, "file") ? 'f'
							      : 0;
			return;
		}
	}
}

/*
 * A job make started whose first program (after any fork) had a pipe of
 * its own as stdout, not make's stdout, is a $(shell ...): what it
 * printed went to make. Decided on the first exec'd image of the job,
 * since a fork child reports its stdout before the redirection.
 */
static void mark_shell_jobs(struct builder *b)
{
	struct ckpt *c = b->c;
	char *decided = xcalloc(c->njobs + 1, 1);
	int *first = xmalloc((c->njobs + 1) * sizeof *first);
	for (size_t j = 0; j < c->njobs; j++)
		first[j] = -1;
	for (size_t i = 0; i < b->t->nimg; i++)
		if (first[b->job[i]] < 0)
			first[b->job[i]] = (int)i;
	for (size_t i = 0; i < b->t->nimg; i++) {
		int j = b->job[i];
		struct job *job = &c->jobs[j];
		if (decided[j] || job->kind != JOB_RECIPE || b->t->img[i].forked)
			continue;
		decided[j] = 1;
		int d = first[job->driver];
		if (d >= 0 && b->out_kind[i] == 'p' && b->out_ino[i] &&
		    b->out_ino[i] != b->out_ino[d])
			job->kind = JOB_SHELL;
	}
	free(decided);
	free(first);
}

static void assign_jobs(struct builder *b)
{
	const struct trace *t = b->t;
	struct ckpt *c = b->c;
	for (size_t i = 0; i < t->nimg; i++) {
		const struct image *im = &t->img[i];
		int par = -1, same = 0;
		if (im->forked) {
			par = image_before(b, im->ppid, im->start, (int)i);
		} else {
			int pre = image_before(b, im->pid, im->start, (int)i);
			if (pre >= 0 && execs_itself(&t->img[pre])) {
				par = pre;
				same = 1;
			} else {
				const struct pidref *s = nearest(
					b->spawns, b->nspawns, im->pid,
					im->start);
				par = s ? s->img
					: image_before(b, im->ppid, im->start,
						       (int)i);
			}
		}
		b->parent[i] = par;
		int drv = is_driver_program(im->exe, im->argv0);
		if (par < 0) {
			b->job[i] = new_job(b, JOB_DRIVER, -1, im);
			continue;
		}
		int pj = b->job[par];
		int pkind = c->jobs[pj].kind;
		int enclosing = pkind == JOB_DRIVER ? pj : c->jobs[pj].driver;
		if (same && pkind == JOB_DRIVER)
			b->job[i] = pj;	/* a driver re-executing itself */
		else if (drv) {
			b->job[i] = new_job(b, JOB_DRIVER, enclosing, im);
			/* `$(MAKE) -C sub && touch sub.stamp`: the line's
			 * own job goes with what the make it ran does, as a
			 * next line would (link_recipe_lines). */
			struct job *line = &c->jobs[pj];
			if (pkind == JOB_RECIPE) {
				GROW(line->prev, line->nprev, line->aprev);
				line->prev[line->nprev++] = b->job[i];
			}
		}
		else if (pkind == JOB_DRIVER && !same)
			b->job[i] = new_job(b, JOB_RECIPE, pj, im);
		else
			b->job[i] = pj;
	}
}

/* Job of a record written under a foreign pid by image i. */
static int foreign_job(struct builder *b, size_t i, int pid, uint64_t time)
{
	const struct pidref *e = nearest(b->execs, b->nexecs, pid, time);
	if (e && b->parent[e->img] == (int)i)
		return b->job[e->img];
	int j = b->job[i];
	if (b->c->jobs[j].kind != JOB_DRIVER)
		return j;
	/* A driver's child we have no image of (untraced, or its exec
	 * failed): a job of its own, one per pid. */
	for (size_t k = 0; k < b->nghosts; k++)
		if (b->ghosts[k].pid == pid && b->ghosts[k].img == (int)i)
			return (int)b->ghosts[k].time;
	int g = ckpt_job_new(b->c, JOB_RECIPE, j);
	b->c->jobs[g].cwd = xstrdup(b->t->img[i].cwd ? b->t->img[i].cwd : "/");
	b->c->jobs[g].cmd = xstrdup("");
	b->c->jobs[g].start = time;
	GROW(b->ghosts, b->nghosts, b->aghosts);
	b->ghosts[b->nghosts++] = (struct pidref){ pid, (uint64_t)g, (int)i };
	return g;
}

/* The job of child `pid` of image i, which i waited for at `time`, if it
 * has one already; -1 if not. */
static int child_job(const struct builder *b, size_t i, int pid,
		     uint64_t time)
{
	const struct pidref *e = nearest(b->execs, b->nexecs, pid, time);
	if (e && b->parent[e->img] == (int)i)
		return b->job[e->img];
	for (size_t k = 0; k < b->nghosts; k++)
		if (b->ghosts[k].pid == pid && b->ghosts[k].img == (int)i)
			return (int)b->ghosts[k].time;
	return -1;
}

/* Intern a recorded path, or -1 for paths that are never dependencies. */
static int intern(struct builder *b, const char *raw)
{
	char path[PATH_MAX * 2];
	if (!raw || raw[0] != '/' || strlen(raw) >= sizeof path)
		return -1;
	strcpy(path, raw);
	path_normalize(path);
	if (b->skip && path_under(path, b->skip))
		return -1;
	/* The root's parents (getcwd, realpath walk them) say nothing about
	 * the tree, and are elsewhere when it is restored somewhere else. */
	if (strcmp(path, b->c->root) && path_under(b->c->root, path))
		return -1;
	const char *rel = path_under(path, b->c->root);
	return ckpt_file(b->c, rel ? rel : path, 1);
}

static void seen_put(struct seen *tab, size_t size, struct seen e)
{
	size_t i = e.h & (size - 1);
	while (tab[i].raw)
		i = (i + 1) & (size - 1);
	tab[i] = e;
}

/* intern(), remembered: a build records the same paths over and over
 * (every compile probes the same headers), and normalising them, and
 * looking them up by their name under the root, was a sixth of a save. */
static int intern_seen(struct builder *b, const char *raw)
{
	if (!raw)
		return -1;
	size_t len = strlen(raw);
	uint64_t h = XXH3_64bits(raw, len);
	size_t mask = b->sseen - 1;
	if (b->sseen)
		for (size_t i = h & mask; b->seen[i].raw; i = (i + 1) & mask)
			if (b->seen[i].h == h && b->seen[i].len == len &&
			    !memcmp(b->seen[i].raw, raw, len))
				return b->seen[i].id;
	if (2 * (b->nseen + 1) > b->sseen) {
		size_t size = b->sseen ? 2 * b->sseen : 4096;
		struct seen *tab = xcalloc(size, sizeof *tab);
		for (size_t i = 0; i < b->sseen; i++)
			if (b->seen[i].raw)
				seen_put(tab, size, b->seen[i]);
		free(b->seen);
		b->seen = tab;
		b->sseen = size;
	}
	int id = intern(b, raw);
	seen_put(b->seen, b->sseen, (struct seen){ h, raw, id, (uint32_t)len });
	b->nseen++;
	return id;
}

/* A path up to a "..", and whether ".." steps back to its parent. */
struct dotdot {
	char *prefix;
	int lexical;
	UT_hash_handle hh;
};

/* Does p, a path through "..", name the path it normalises to? A look-up
 * of "file.o/.." fails with ENOTDIR, of "gone/../x" with ENOENT, and
 * "link/.." is the parent of the link's target: each normalises to a
 * path that may well exist. It does if the path up to its last ".."
 * resolves, in the tree as saved, to where that path normalised does
 * (each ".." steps back from a directory). Asked once a prefix: a
 * compile run in sub/ probes ../inc for every header (automake's
 * -I$(top_srcdir), -I..). */
static int dotdot_lexical(struct builder *b, const char *p)
{
	const char *last = NULL;
	for (const char *q = p; (q = strstr(q, "/..")); q += 3)
		if (q[3] == '/' || !q[3])
			last = q;
	if (!last)
		return 1;
	size_t len = (size_t)(last - p) + 3;
	struct dotdot *d;
	HASH_FIND(hh, b->dotdots, p, len, d);
	if (d)
		return d->lexical;
	d = xcalloc(1, sizeof *d);
	d->prefix = xmemdup(p, len + 1);
	d->prefix[len] = 0;
	char *norm = xstrdup(d->prefix);
	path_normalize(norm);
	char *r1 = realpath(d->prefix, NULL), *r2 = realpath(norm, NULL);
	d->lexical = r1 && r2 && !strcmp(r1, r2);
	free(r1);
	free(r2);
	free(norm);
	HASH_ADD_KEYPTR(hh, b->dotdots, d->prefix, len, d);
	return d->lexical;
}

static void access_path(struct builder *b, int j, const char *p, int acc,
			uint64_t t)
{
	/* A failed look-up through ".." says something only when ".."
	 * steps back to the parent (dotdot_lexical). */
	if (acc == ACC_ABSENT && p && strstr(p, "/..") &&
	    (p[0] != '/' || !dotdot_lexical(b, p)))
		return;
	int f = intern_seen(b, p);
	if (f < 0)
		return;
	if (acc & ACC_WRITE)
		b->c->files[f].flags |=
			acc & ACC_APPEND ? FILE_APPENDED : FILE_REWRITTEN;
	acc &= ~ACC_APPEND;
	if (acc == ACC_READ && !b->comparing && !b->running)
		acc |= ACC_USED;
	job_access(b->c, j, f, acc, t);
	if (b->c->jobs[j].kind == JOB_DRIVER && b->c->files[f].path[0] != '/') {
		GROW(b->looks, b->nlooks, b->alooks);
		b->looks[b->nlooks++] = (struct look){ j, f, t };
	}
}

/* Is p, as recorded (absolute, not normalised), the normalised path n? */
static int same_path(const char *n, const char *p)
{
	char *q = xstrdup(p);
	path_normalize(q);
	int same = !strcmp(n, q);
	free(q);
	return same;
}

/* A read that runs the file: the exec of a program or script, a shell
 * reading the script it was given. Not a use of its content (ACC_USED):
 * config.status --recheck runs itself and then writes itself anew; as a
 * file read and rewritten, it was kept a source "updated in place" with
 * its new text, and every later copy of the tree as configured called
 * it modified (diffutils, configure outside the record: 334 outputs). */
static void access_run(struct builder *b, int j, const char *p, uint64_t t)
{
	b->running = 1;
	access_path(b, j, p, ACC_READ, t);
	b->running = 0;
}

/* A failed look-up: only "not there" says something about the tree. */
static int absent_errno(int err)
{
	return err == ENOENT || err == ENOTDIR;
}

/* ENOTDIR for "P/" or "P/.", or from an opendir, chdir or rmdir of P: P
 * is there, and not a directory (a shell matching a pattern with a slash
 * after a wildcard opens every name it lists as a directory: busybox's
 * gen_build_files.sh; `test -d "$f/."`). As a missing path that exists
 * at the end it would be an untraced program's output, and restore would
 * remove a source. */
static int found_not_dir(const struct ckpt_rec *r, const char *p)
{
	if (r->err != ENOTDIR || !p)
		return 0;
	if (r->op == CKPT_READDIR || r->op == CKPT_CHDIR ||
	    r->op == CKPT_RMDIR)
		return 1;
	size_t n = strlen(p);
	return (n > 1 && p[n - 1] == '/') ||
	       (n > 2 && p[n - 1] == '.' && p[n - 2] == '/');
}

static void job_set_untraced(struct ckpt *c, int j, int why, const char *path)
{
	struct job *job = &c->jobs[j];
	/* The first reason, but the shim's own over "left no trace", which
	 * is what any program it could not follow does. */
	if (job->untraced &&
	    (job->untraced != CKPT_UT_NOTRACE || why == CKPT_UT_NOTRACE))
		return;
	free(job->untraced_path);
	job->untraced = why;
	job->untraced_path = xstrdup(path ? path : "");
	if (job->untraced_path[0] == '/')
		path_normalize(job->untraced_path);
}

/* Is there a trace of the program that the EXEC record r started? It
 * starts after r, but for a posix_spawn, which is recorded once the child
 * is there (and may have started): then any image of that pid will do. */
static int traced_after(const struct builder *b, const struct ckpt_rec *r)
{
	const struct pidref *e = nearest(b->execs, b->nexecs, r->pid, r->time);
	if (e && e->time < r->time && !(r->arg & CKPT_EXEC_SPAWN)) {
		/* the one before: is there one after? */
		e++;
		if (e >= b->execs + b->nexecs || e->pid != r->pid)
			return 0;
	}
	return e != NULL;
}

/*
 * Which EXEC records of an image are followed by their own failure: the
 * next record of that pid, past its other EXEC, UNTRACED and STAT records
 * (execvp tries each directory of PATH), is a failed EXEC. One pass from
 * the end, with the state of each pid that has an EXEC record: a driver's
 * image holds an EXEC record for every child it spawned, and a scan ahead
 * from each of them went to the end of the image. failed[k] is set for
 * the EXEC record at k; NULL when the image has none.
 */
struct exec_pid {
	int pid;		/* 0: a free slot */
	int failed;		/* what the records after this point say */
};

static struct exec_pid *exec_pid(struct exec_pid *tab, size_t size, int pid,
				 int add)
{
	size_t i = ((uint32_t)pid * 2654435761u) & (size - 1);
	while (tab[i].pid && tab[i].pid != pid)
		i = (i + 1) & (size - 1);
	if (!tab[i].pid) {
		if (!add)
			return NULL;
		tab[i].pid = pid;
	}
	return &tab[i];
}

static unsigned char *exec_failures(const struct image *im)
{
	size_t nexec = 0, size = 16;
	for (size_t k = 0; k < im->nev; k++)
		nexec += im->ev[k].rec->op == CKPT_EXEC;
	if (!nexec)
		return NULL;
	while (size < 2 * nexec)
		size *= 2;
	struct exec_pid *tab = xcalloc(size, sizeof *tab);
	unsigned char *failed = xcalloc(im->nev, 1);
	for (size_t k = 0; k < im->nev; k++)
		if (im->ev[k].rec->op == CKPT_EXEC && im->ev[k].rec->pid)
			exec_pid(tab, size, im->ev[k].rec->pid, 1);
	for (size_t k = im->nev; k-- > 0;) {
		const struct ckpt_rec *r = im->ev[k].rec;
		struct exec_pid *e = r->pid ? exec_pid(tab, size, r->pid, 0)
					    : NULL;
		if (!e)
			continue;
		if (r->op == CKPT_EXEC) {
			failed[k] = (unsigned char)e->failed;
			if (r->arg & CKPT_EXEC_FAILED)
				e->failed = 1;
		} else if (r->op != CKPT_UNTRACED && r->op != CKPT_STAT) {
			e->failed = 0;
		}
	}
	free(tab);
	return failed;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort a job's variables and drop the repeats. */
static void unique_env(struct job *job)
{
	if (job->nenv < 2)
		return;
	qsort(job->env, job->nenv, sizeof *job->env, cmp_name);
	size_t n = 1;
	for (size_t k = 1; k < job->nenv; k++) {
		if (strcmp(job->env[k], job->env[n - 1]))
			job->env[n++] = job->env[k];
		else
			free(job->env[k]);
	}
	job->nenv = n;
}

/* A variable a job's shell expands, or that it reads otherwise without
 * getenv (printenv, awk's ENVIRON), is one the job used. Added as found:
 * a script names hundreds (libtool's 768), and the job's list is made
 * unique once, at the end (unique_env). */
static void env_used(const char *name, size_t len, void *arg)
{
	struct job *job = arg;
	GROW(job->env, job->nenv, job->aenv);
	job->env[job->nenv++] = xcheck(strndup(name, len));
}

/* The names the file at path uses, read as kind ('s' a shell script, or
 * a language); -1 if it cannot be read. */
static int scan_as(int kind, const char *path, struct job *names)
{
	if (kind == 's')
		return envvars_shell_file_uses(path, env_used, names);
	return envvars_program_file_uses(kind, path, env_used, names);
}

/* The names a file uses, scanned once per kind and path: libtool's
 * 330 KB ltmain.sh runs once for each compile of an automake project.
 * The kinds: 's' a script a shell runs (envvars_shell_file_uses), '.' a
 * file a shell read itself (envvars_sourced_uses), or a program file's
 * language (envvars_program_file_uses). */
struct script {
	char *key;		/* the kind, then the path */
	struct job names;	/* only its env list is used */
	int gone;		/* a script or program file that could not
				   be read */
	UT_hash_handle hh;
};

/* Add to job the names the file at path (relative to cwd) uses, read as
 * kind. -1 if it is a script or program file that cannot be read, which
 * is then left to gone_scripts if defer. */
static int add_file_names(struct builder *b, struct job *job, int kind,
			  const char *cwd, const char *path, int defer)
{
	char *key = xasprintf("%c%s%s%s", kind, path[0] == '/' ? "" : cwd,
			      path[0] == '/' ? "" : "/", path);
	const char *abs = key + 1;
	struct script *s;
	HASH_FIND_STR(b->scripts, key, s);
	if (s) {
		free(key);
	} else {
		s = xcalloc(1, sizeof *s);
		s->key = key;
		if (kind == '.')
			envvars_sourced_uses(abs, env_used, &s->names);
		else
			s->gone = scan_as(kind, abs, &s->names) < 0;
		unique_env(&s->names);
		HASH_ADD_KEYPTR(hh, b->scripts, s->key, strlen(s->key), s);
	}
	int jid = (int)(job - b->c->jobs);
	const struct gone *last = b->ngone ? &b->gone[b->ngone - 1] : NULL;
	if (s->gone && defer &&	/* config.status runs awk -f subs.awk 40 times */
	    !(last && last->job == jid && last->path == s->key + 1)) {
		GROW(b->gone, b->ngone, b->agone);
		b->gone[b->ngone++] = (struct gone){ jid, kind, s->key + 1 };
	}
	for (size_t k = 0; k < s->names.nenv; k++)
		env_used(s->names.env[k], strlen(s->names.env[k]), job);
	return s->gone ? -1 : 0;
}

struct program_files {
	struct builder *b;
	struct job *job;
	int language;
	const char *cwd;
};

static void add_program_file(const char *path, void *arg)
{
	struct program_files *pf = arg;
	add_file_names(pf->b, pf->job, pf->language, pf->cwd, path, 1);
}

/* Could the file at path be code of this kind: a name ending in the
 * kind's extension (.sh, .awk, .pl, .pm, .py), or that and ".in" (a
 * template), or for a shell script a "#!" line? */
static int code_of_kind(int kind, const char *path)
{
	static const struct {
		int kind;
		const char *ext;
	} ext[] = { { 's', ".sh" }, { 'a', ".awk" }, { 'p', ".pl" },
		    { 'p', ".pm" }, { 'y', ".py" } };
	size_t n = strlen(path);
	if (n > 3 && !strcmp(path + n - 3, ".in"))
		n -= 3;
	for (size_t k = 0; k < sizeof ext / sizeof *ext; k++) {
		size_t e = strlen(ext[k].ext);
		if (ext[k].kind == kind && n > e &&
		    !memcmp(path + n - e, ext[k].ext, e))
			return 1;
	}
	char head[2] = "";
	int fd = kind == 's' ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
			     : -1;
	if (fd >= 0) {
		if (read(fd, head, 2) != 2)
			head[0] = 0;
		close(fd);
	}
	return head[0] == '#' && head[1] == '!';
}

/* The job wrote the file (an absolute path), or made it a directory. */
/* The file of an absolute path, or -1. */
static int file_of(const struct ckpt *c, const char *path)
{
	char norm[PATH_MAX * 2];
	if (strlen(path) >= sizeof norm)
		return -1;
	strcpy(norm, path);
	path_normalize(norm);
	const char *rel = path_under(norm, c->root);
	const char *key = rel ? rel : norm;
	return ckpt_lookup(c, key, strlen(key));
}

static int wrote_file(const struct job *job, int f)
{
	for (size_t k = 0; f >= 0 && k < job->ndeps; k++)
		if (job->deps[k].file == f &&
		    (job->deps[k].acc & (ACC_WRITE | ACC_MKDIR)))
			return 1;
	return 0;
}

static int job_wrote(const struct ckpt *c, const struct job *job,
		     const char *path)
{
	return wrote_file(job, file_of(c, path));
}

/* Did any job write the file at path? */
static int some_job_wrote(const struct ckpt *c, const char *path)
{
	int f = file_of(c, path);
	for (size_t j = 0; f >= 0 && j < c->njobs; j++)
		if (wrote_file(&c->jobs[j], f))
			return 1;
	return 0;
}

/*
 * A script or program file that was gone when the checkpoint was saved
 * could have used any variable (ENV_ALL), unless the job that ran it
 * also wrote it: then its text came from the job's own scripts (the awk
 * programs of config.status are heredocs of config.status) or from a
 * file the job read (configure's copy of depcomp in conftest.dir). Those
 * are scanned as its kind instead: the -c scripts and script files of
 * the job's shells, each file of the tree the job read, and each one
 * elsewhere that may be code of that kind (code_of_kind). One of those
 * that cannot be read, and that no job wrote either, is all. (One that
 * another job wrote, as automake 1.16's configure reads the confinc.out
 * that a make it runs writes, has the variables of that job: a change
 * of them reaches this one through the read. Not seen: a variable named
 * in a template that job copied, and no job read as code.) Taken as all,
 * any variable set otherwise in a new login reran every configure.
 */
static void gone_scripts(struct builder *b)
{
	struct ckpt *c = b->c;
	unsigned char *scanned = xcalloc(c->njobs + 1, 1);
	for (size_t g = 0; g < b->ngone; g++) {
		const struct gone *go = &b->gone[g];
		struct job *job = &c->jobs[go->job];
		if (!job_wrote(c, job, go->path)) {
			env_used(ENV_ALL, 1, job);
			continue;
		}
		/* The job's code of that kind, scanned once. */
		unsigned char bit = go->kind == 's'   ? 1
				    : go->kind == 'a' ? 2
				    : go->kind == 'p' ? 4
						      : 8;
		if (scanned[go->job] & bit)
			continue;
		scanned[go->job] |= bit;
		/* As a shell, the job's scripts were scanned already. */
		for (size_t i = 0; go->kind != 's' && i < b->t->nimg; i++) {
			const struct image *im = &b->t->img[i];
			if (b->job[i] != go->job || im->forked || !im->argv0)
				continue;
			const char *text = envvars_shell_script(im->argv0,
								im->argc);
			if (text)
				envvars_program_text_uses(go->kind, text,
							  strlen(text),
							  env_used, job);
			const char *file = envvars_shell_file(im->argv0,
							      im->argc);
			const char *cwd = im->cwd ? im->cwd : "";
			if (file &&
			    add_file_names(b, job, go->kind, cwd, file, 0) < 0) {
				char *abs = file[0] == '/'
						    ? xstrdup(file)
						    : xasprintf("%s/%s", cwd, file);
				if (!job_wrote(c, job, abs))
					env_used(ENV_ALL, 1, job);
				free(abs);
			}
		}
		for (size_t k = 0; k < job->ndeps; k++) {
			const struct file *f = &c->files[job->deps[k].file];
			if (!(job->deps[k].acc & ACC_READ))
				continue;
			/* Every file of the tree it read (a template that
			 * sed made the script from need not look like one),
			 * and those elsewhere that look like code. */
			char *abs = file_abs(c, f, c->root);
			struct stat st;
			int dir = stat(abs, &st) == 0 && S_ISDIR(st.st_mode);
			/* Nor one the job removed: its own, made by what
			 * the shim sees as no write (rsync's configure reads
			 * the FIFO conftest.fifi that mkfifo made). */
			if (!dir && !(job->deps[k].acc & ACC_DELETE) &&
			    (f->path[0] != '/' || code_of_kind(go->kind, abs)) &&
			    add_file_names(b, job, go->kind, "", abs, 0) < 0 &&
			    !job_wrote(c, job, abs) && !some_job_wrote(c, abs))
				env_used(ENV_ALL, 1, job);
			free(abs);
		}
	}
	free(scanned);
}

/* Does the image run a program whose reads only compare (cmp -s a b, or
 * diff, as config.status asks whether config.h changed)? Such a read
 * of a file the job then replaces (`cmp -s new old || mv new old`,
 * automake's ylwrap through `..`) is not an update of it in place. */
static int compares_only(const struct image *im)
{
	const char *p = im->exe ? im->exe : im->argv0;
	if (!p)
		return 0;
	const char *base = strrchr(p, '/');
	base = base ? base + 1 : p;
	return !strcmp(base, "cmp") || !strcmp(base, "diff");
}

/* The last component of the program an image exec'd, whose argv the
 * trace holds; NULL for a fork child (its program is its parent's). */
static const char *program_name(const struct image *im)
{
	if (im->forked || !im->exe || !im->argv0)
		return NULL;
	const char *base = strrchr(im->exe, '/');
	return base ? base + 1 : im->exe;
}

/* `date` printing the time it runs at (not `-d`, `-f`, `-r`, `-s`, in
 * any spelling): what its output holds is the clock, which no checkpoint
 * takes for an input, and the variables it reads (TZ, the locale's) only
 * say how to write it. Counted, diffutils' `_date_time := $(shell date
 * +%F.%T)` in cfg.mk had a login with TZ set rerun all 301 outputs. */
static int prints_now(const struct image *im)
{
	const char *base = program_name(im);
	if (!base || strcmp(base, "date"))
		return 0;
	const char *a = im->argv0;
	a += strlen(a) + 1;
	for (int k = 1; k < im->argc; k++, a += strlen(a) + 1) {
		if (!strncmp(a, "--", 2)) {
			if (!strncmp(a, "--date", 6) || !strncmp(a, "--file", 6) ||
			    !strncmp(a, "--reference", 11) ||
			    !strncmp(a, "--set", 5) || !a[2])
				return 0;
		} else if (a[0] == '-' && strpbrk(a + 1, "dfrs")) {
			return 0;
		}
	}
	return 1;
}

/* A program that prints what it stats of a file, its time or its size
 * (`date -r FILE`, `ls -l`, automake's mdate-sh: `ls -L -l`; `stat`):
 * its output changes with the file, so its look-up is a read. Counted,
 * gzip's version.texi, from mdate-sh of gzip.texi, was kept valid for
 * a tree with another gzip.texi, and restore put it over the shipped
 * one. Any option cluster that may ask for it counts. */
static int prints_stat(const struct image *im)
{
	const char *base = program_name(im);
	if (!base)
		return 0;
	int date = !strcmp(base, "date"), ls = !strcmp(base, "ls");
	if (!strcmp(base, "stat"))
		return 1;
	if (!date && !ls)
		return 0;
	const char *a = im->argv0;
	a += strlen(a) + 1;
	for (int k = 1; k < im->argc; k++, a += strlen(a) + 1) {
		if (!strncmp(a, "--", 2)) {
			if (date ? !strncmp(a, "--reference", 11)
				 : !strncmp(a, "--full-time", 11) ||
					   !strncmp(a, "--time", 6) ||
					   !strncmp(a, "--size", 6) ||
					   !strncmp(a, "--sort", 6) ||
					   !strncmp(a, "--format", 8))
				return 1;
		} else if (a[0] == '-' &&
			   strpbrk(a + 1, date ? "r" : "lgnostcu")) {
			return 1;
		}
	}
	return 0;
}

static int c_compiler(const char *exe);

/* A C compiler run that does not link (`-c`, `-S`, `-E`, `-M`, `-MM`,
 * `-fsyntax-only`): gcc's driver looks up LIBRARY_PATH on every run, but
 * only a link uses it. Counted, a login without it (or with another)
 * reran every compile of a build (ncurses, in a shell that set it). */
static int compiles_only(const struct image *im)
{
	if (im->forked || !im->exe || !im->argv0 || !c_compiler(im->exe))
		return 0;
	const char *a = im->argv0;
	for (int k = 0; k < im->argc; k++, a += strlen(a) + 1)
		if (!strcmp(a, "-c") || !strcmp(a, "-S") || !strcmp(a, "-E") ||
		    !strcmp(a, "-M") || !strcmp(a, "-MM") ||
		    !strcmp(a, "-fsyntax-only"))
			return 1;
	return 0;
}

static void image_events(struct builder *b, size_t i)
{
	const struct image *im = &b->t->img[i];
	struct ckpt *c = b->c;
	int own = b->job[i];
	const char *cwd = im->cwd ? im->cwd : "";	/* as chdir moves it */
	b->comparing = 0;
	if (im->exe && !im->forked)
		access_run(b, own, im->exe, im->start);
	b->comparing = compares_only(im);
	b->no_link = compiles_only(im);
	b->clock = prints_now(im);
	b->stat_data = prints_stat(im);
	char *script = NULL;	/* the file a shell was given to run */
	if (!im->forked && im->argv0) {
		envvars_exec_uses(im->argv0, im->argc, env_used,
				  &c->jobs[own]);
		/* sh gen.sh: what gen.sh expands */
		const char *sh_file = envvars_shell_file(im->argv0, im->argc);
		if (sh_file) {
			add_file_names(b, &c->jobs[own], 's', cwd, sh_file, 1);
			script = sh_file[0] == '/'
					 ? xstrdup(sh_file)
					 : xasprintf("%s/%s", cwd, sh_file);
			path_normalize(script);
		}
		/* python3 gen.py: does it read os.environ? */
		struct program_files pf = {
			b, &c->jobs[own], envvars_language(im->argv0), cwd
		};
		envvars_program_files(im->argv0, im->argc, add_program_file,
				      &pf);
	}
	/* A file a shell opens itself is sourced, a script on its standard
	 * input, or data a redirection reads: scanned all the same. */
	int shell = im->argv0 && envvars_is_shell(im->argv0);
	unsigned char *exec_fails = exec_failures(im);
	for (size_t k = 0; k < im->nev; k++) {
		const struct event *e = &im->ev[k];
		const struct ckpt_rec *r = e->rec;
		const char *p = e->str;
		uint64_t tm = r->time;
		int j = r->pid == im->pid ? own
					  : foreign_job(b, i, r->pid, tm);
		int ok = r->err == 0;
		if (found_not_dir(r, p)) {
			access_path(b, j, p, ACC_STAT, tm);
			continue;
		}
		switch (r->op) {
		case CKPT_READ:
		case CKPT_LOAD:
			if (ok && shell && r->op == CKPT_READ && p)
				add_file_names(b, &c->jobs[j], '.', cwd, p, 1);
			if (ok && script && r->pid == im->pid &&
			    r->op == CKPT_READ && p && same_path(script, p))
				access_run(b, j, p, tm);
			else if (ok)
				access_path(b, j, p, ACC_READ, tm);
			else if (absent_errno(r->err))
				access_path(b, j, p, ACC_ABSENT, tm);
			break;
		case CKPT_WRITE: {
			int fl = (int)r->arg;
			if (!ok) {
				if (absent_errno(r->err))
					access_path(b, j, p, ACC_ABSENT, tm);
				break;
			}
			/* Emptying what was there: it was found there
			 * (save.c: FILE_BEFORE). */
			if (r->arg & CKPT_WRITE_EXISTED)
				access_path(b, j, p, ACC_STAT, tm - 1);
			/* Appending to what was there (`>> config.log`)
			 * keeps it without reading it: the job found it
			 * there, and what it held is not the job's input.
			 * Updating in place otherwise (O_RDWR, `touch`)
			 * keeps it and may read it: read first. Unless
			 * nothing was there (`>>` creating a log). */
			int kept = !(fl & O_TRUNC) && !(fl & O_EXCL) &&
				   !(r->arg & CKPT_WRITE_CREATED);
			if (kept && (fl & O_APPEND) &&
			    (fl & O_ACCMODE) == O_WRONLY) {
				access_path(b, j, p, ACC_STAT, tm - 1);
				access_path(b, j, p, ACC_WRITE | ACC_APPEND, tm);
				break;
			}
			if (kept && ((fl & O_APPEND) ||
				     (fl & O_ACCMODE) != O_RDONLY ||
				     !(fl & O_CREAT)))
				access_path(b, j, p, ACC_READ, tm - 1);
			access_path(b, j, p, ACC_WRITE, tm);
			break;
		}
		case CKPT_CHDIR:
			if (ok && r->pid == im->pid && p)
				cwd = p;
			/* fall through */
		case CKPT_STAT:
			/* Its data stand for the content, which counts as
			 * read; not a use that makes a file the job writes
			 * next one updated in place (mark_updated_in_place).
			 * Not in a $(shell): what it prints goes to make,
			 * and an affected one makes all that make's jobs
			 * invalid (AFF_RESULT). kbuild's size_append runs
			 * `ls -dn vmlinux.bin` so, for the recipe that
			 * compresses it, which runs again anyway when it
			 * changes: a .c edit recompiled all of
			 * arch/x86/boot/compressed. */
			if (ok && b->stat_data && r->pid == im->pid &&
			    r->op == CKPT_STAT &&
			    c->jobs[j].kind != JOB_SHELL) {
				access_path(b, j, p, ACC_READ | ACC_STAT, tm);
				break;
			}
			/* fall through */
		case CKPT_UTIME:
		case CKPT_CHMOD:
			if (ok)
				access_path(b, j, p, ACC_STAT, tm);
			else if (absent_errno(r->err))
				access_path(b, j, p, ACC_ABSENT, tm);
			break;
		case CKPT_READDIR:
			if (ok)
				access_path(b, j, p, ACC_LIST, tm);
			else if (absent_errno(r->err))
				access_path(b, j, p, ACC_ABSENT, tm);
			break;
		case CKPT_UNLINK:
		case CKPT_RMDIR:
			if (ok)
				access_path(b, j, p, ACC_DELETE, tm);
			else if (absent_errno(r->err))
				access_path(b, j, p, ACC_ABSENT, tm);
			break;
		case CKPT_TRUNCATE:
			if (ok)
				access_path(b, j, p, ACC_WRITE, tm);
			break;
		case CKPT_MKDIR:
			if (ok)
				access_path(b, j, p, ACC_MKDIR, tm);
			else if (r->err == EEXIST)
				access_path(b, j, p, ACC_STAT, tm);
			else if (absent_errno(r->err))
				access_path(b, j, p, ACC_ABSENT, tm);
			break;
		case CKPT_RENAME:
		case CKPT_LINK:
			if (!ok || r->nstr < 2)
				break;
			/* What is moved was read from its old name. */
			access_path(b, j, p, ACC_READ, tm - 1);
			if (r->op == CKPT_RENAME)
				access_path(b, j, p, ACC_DELETE, tm);
			access_path(b, j, event_str(e, 1), ACC_WRITE, tm);
			break;
		case CKPT_SYMLINK:
			if (ok && r->nstr >= 2)
				access_path(b, j, event_str(e, 1), ACC_WRITE, tm);
			break;
		case CKPT_EXEC:
			if (r->pid != im->pid && j != own &&
			    c->jobs[own].kind == JOB_DRIVER) {
				GROW(b->spawned, b->nspawned, b->aspawned);
				b->spawned[b->nspawned++] =
					(struct tick){ j, tm };
			}
			if (r->arg & CKPT_EXEC_FAILED) {
				if (absent_errno(r->err))
					access_path(b, j, p, ACC_ABSENT, tm);
			} else if (!exec_fails[k]) {
				access_run(b, j, p, tm);
				/* What it did is unknown: its job re-runs. */
				if (!traced_after(b, r))
					job_set_untraced(c, j, CKPT_UT_NOTRACE,
							 p);
				int argc = (int)CKPT_EXEC_ARGC(r->arg);
				if (argc + 1 <= r->nstr && argc > 0) {
					char *w = words(event_str(e, 1), argc);
					char *line = xasprintf("%s\t%s", cwd, w);
					struct job *jb = &c->jobs[j];
					job_add_string(&jb->execs, &jb->nexecs,
						       &jb->aexecs, line, 0);
					if (!jb->cmd[0]) {
						free(jb->cmd);
						jb->cmd = w;
						w = NULL;
					}
					free(line);
					free(w);
				}
			}
			break;
		case CKPT_REAP:
			if (j == own && c->jobs[own].kind == JOB_DRIVER) {
				int cj = child_job(b, i, (int)r->arg, tm);
				if (cj >= 0 && cj != own) {
					GROW(b->reaped, b->nreaped,
					     b->areaped);
					b->reaped[b->nreaped++] =
						(struct tick){ cj, tm };
				}
			}
			continue;	/* not the job's own time */
		case CKPT_UNTRACED:
			job_set_untraced(c, j, (int)r->arg, p);
			access_path(b, j, p, ACC_READ, tm);
			break;
		case CKPT_GETENV: {
			struct job *jb = &c->jobs[j];
			if ((b->no_link && p && !strcmp(p, "LIBRARY_PATH")) ||
			    (b->clock && r->pid == im->pid))
				break;
			if (p && *p)	/* getenv("") finds nothing */
				job_add_string(&jb->env, &jb->nenv, &jb->aenv,
					       p, 1);
			break;
		}
		case CKPT_CONNECT:
		case CKPT_RESOLVE: {
			struct job *jb = &c->jobs[j];
			if (p) {
				char *s = xasprintf("%s %s",
						    r->op == CKPT_CONNECT
							    ? "connect"
							    : "resolve",
						    p);
				job_add_string(&jb->net, &jb->nnet, &jb->anet,
					       s, 1);
				free(s);
			}
			break;
		}
		default:
			break;
		}
		if (tm > c->jobs[j].end)
			c->jobs[j].end = tm;
	}
	free(exec_fails);
	free(script);
}

static int cmp_look_job(const void *a, const void *b)
{
	const struct look *x = a, *y = b;
	if (x->job != y->job)
		return x->job < y->job ? -1 : 1;
	return (x->time > y->time) - (x->time < y->time);
}

static int cmp_look_file(const void *a, const void *b)
{
	const struct look *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return (x->time > y->time) - (x->time < y->time);
}

/* The index of the first look in v[0..n) at or after (key, time), v
 * sorted by (key, time) where key is the job, or the file if by_file. */
static size_t look_at(const struct look *v, size_t n, int by_file, int key,
		      uint64_t time)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int k = by_file ? v[mid].file : v[mid].job;
		if (k < key || (k == key && v[mid].time < time))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * make runs a target's recipe one line at a time, each line a job: when it
 * has reaped one, it starts the next at once, looking at nothing in the
 * tree between them. Before the first line of another target it looks at
 * that target (its stat), and at its prerequisites. So a recipe job B may
 * be a later line of the recipe of job A of the same driver if
 *   1. A was the last job the driver reaped before B started, B the
 *      first job it started after that, and the driver accessed nothing
 *      in the tree in between;
 *   2. the driver did not look at what B writes (its target) after the
 *      first line of A's recipe started. Under -j make looks at a target
 *      while its slots are busy, and starts it when one is free: after
 *      the last line of another recipe, with nothing in between. A line
 *      whose outputs make never looked at passes this for any A, so the
 *      start of its recipe is not carried on to the lines after it.
 * B writes a target when the driver looked, before B began, at a file B
 * writes (job.target_look, the last such look): changes.c invalidates
 * only such lines, and only after a line that began after that look.
 * That can still over-count under -j (a target make looked at before the
 * first line of A's recipe, started after its last), and changes.c uses
 * it only for lines that read nothing in the tree (the stamp idiom: `cp
 * in out` then `touch stamp`). When a job was reaped is the driver's REAP
 * record of it; without one (a trace from before REAP records) any job
 * whose last record falls in the window of rule 1 is taken. When a job
 * started (job.start, from here on) is the earlier of its first record
 * and the driver's record of starting it: a posix_spawn is recorded when
 * it returns, the exec of a vfork child before it is asked for, which is
 * often before the driver's next look (the child's own first record
 * comes after the dynamic loader's work). A sub-make is
 * a line too, as A (`$(MAKE) -C sub` then `touch sub.stamp`); the recipe
 * job in which one runs is linked to it by assign_jobs.
 */
#define MAX_PREV 8

struct line {
	int driver, job;
	uint64_t reaped;	/* or its last record, if not known */
	int known;		/* reaped is the driver's REAP record */
};

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	if (x->driver != y->driver)
		return x->driver < y->driver ? -1 : 1;
	return (x->reaped > y->reaped) - (x->reaped < y->reaped);
}

/* The index of the first line of v[0..n) after (driver, reaped). */
static size_t line_after(const struct line *v, size_t n, int driver,
			 uint64_t reaped)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].driver < driver ||
		    (v[mid].driver == driver && v[mid].reaped <= reaped))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The driver's last look, before `before`, at a file in the tree that job
 * bj writes; 0 if none. */
static uint64_t target_look(const struct builder *b, const struct look *v,
			    int driver, int bj, uint64_t before)
{
	const struct job *job = &b->c->jobs[bj];
	uint64_t last = 0;
	for (size_t k = 0; k < job->ndeps; k++) {
		int f = job->deps[k].file;
		if (!(job->deps[k].acc & ACC_WRITE) ||
		    b->c->files[f].path[0] == '/')
			continue;
		for (size_t l = look_at(v, b->nlooks, 1, f, before);
		     l-- > 0 && v[l].file == f;)
			if (v[l].job == driver) {
				if (v[l].time > last)
					last = v[l].time;
				break;
			}
	}
	return last;
}

static int cmp_began(const void *a, const void *b)
{
	const struct tick *x = a, *y = b;
	return (x->time > y->time) - (x->time < y->time);
}

static void link_recipe_lines(struct builder *b)
{
	struct ckpt *c = b->c;
	size_t nj = c->njobs, nl = 0;
	uint64_t *began = xmalloc((nj + 1) * sizeof *began);
	uint64_t *reaped = xcalloc(nj + 1, sizeof *reaped);
	uint64_t *first = xmalloc((nj + 1) * sizeof *first);
	/* A job begins when it is asked for: changes.c too compares
	 * make's looks with its start. */
	for (size_t k = 0; k < b->nspawned; k++) {
		const struct tick *s = &b->spawned[k];
		if (s->time < c->jobs[s->job].start)
			c->jobs[s->job].start = s->time;
	}
	for (size_t j = 0; j < nj; j++)
		began[j] = c->jobs[j].start;
	for (size_t k = 0; k < b->nreaped; k++)
		if (b->reaped[k].time > reaped[b->reaped[k].job])
			reaped[b->reaped[k].job] = b->reaped[k].time;
	struct line *lines = xmalloc((nj + 1) * sizeof *lines);
	struct tick *order = xmalloc((nj + 1) * sizeof *order);
	for (size_t j = 0; j < nj; j++) {
		first[j] = began[j];
		/* a sub-make is a line too (`$(MAKE) -C sub`, then `touch
		 * sub.stamp`), when the driver ran it: not one a line's
		 * shell ran (`make -C one && touch one.stamp`), which under
		 * load can start after another line was reaped and stand
		 * between it and the next line */
		if ((c->jobs[j].kind != JOB_RECIPE &&
		     c->jobs[j].kind != JOB_DRIVER) || c->jobs[j].driver < 0)
			continue;
		if (c->jobs[j].kind == JOB_DRIVER && !reaped[j] && b->nreaped)
			continue;
		uint64_t end = reaped[j] ? reaped[j] : c->jobs[j].end;
		order[nl] = (struct tick){ (int)j, began[j] };
		lines[nl++] = (struct line){ c->jobs[j].driver, (int)j, end,
					     reaped[j] != 0 };
	}
	/* The same jobs by (driver, when they started). */
	struct line *starts = xmalloc((nl + 1) * sizeof *starts);
	for (size_t k = 0; k < nl; k++)
		starts[k] = (struct line){ lines[k].driver, lines[k].job,
					   began[lines[k].job], 1 };
	qsort(lines, nl, sizeof *lines, cmp_line);
	qsort(starts, nl, sizeof *starts, cmp_line);
	qsort(order, nl, sizeof *order, cmp_began);
	struct look *by_file = xmalloc((b->nlooks + 1) * sizeof *by_file);
	memcpy(by_file, b->looks, b->nlooks * sizeof *by_file);
	qsort(b->looks, b->nlooks, sizeof *b->looks, cmp_look_job);
	qsort(by_file, b->nlooks, sizeof *by_file, cmp_look_file);
	/* In the order they started: the first line of a candidate's
	 * recipe is known before a later line is looked at. */
	for (size_t k = 0; k < nl; k++) {
		int bj = order[k].job, m = c->jobs[bj].driver;
		struct job *job = &c->jobs[bj];
		if (job->kind != JOB_RECIPE)
			continue;
		size_t l = look_at(b->looks, b->nlooks, 0, m, began[bj]);
		uint64_t look = l > 0 && b->looks[l - 1].job == m
					? b->looks[l - 1].time
					: 0;
		uint64_t target = target_look(b, by_file, m, bj, began[bj]);
		job->target_look = target;
		for (size_t e = line_after(lines, nl, m, began[bj]); e-- > 0 &&
		     lines[e].driver == m && lines[e].reaped > look &&
		     job->nprev < MAX_PREV;) {
			int aj = lines[e].job;
			if (aj == bj || began[aj] >= began[bj])
				continue;
			/* The first job started after A was reaped. */
			size_t s1 = line_after(starts, nl, m, lines[e].reaped);
			int next = s1 < nl && starts[s1].driver == m
					   ? starts[s1].job
					   : -1;
			if (lines[e].known && next != bj)
				break;
			if (target < first[aj]) {
				GROW(job->prev, job->nprev, job->aprev);
				job->prev[job->nprev++] = aj;
				/* Only a line that writes what make looked
				 * at is known to belong to a recipe begun
				 * before it: a line whose outputs make
				 * never looked at may be linked to another
				 * target's (-j), and its recipe's start is
				 * not carried on past it. */
				if (target && first[aj] < first[bj])
					first[bj] = first[aj];
			}
			/* make starts the next line as soon as it has
			 * reaped one: the last job reaped is the one. */
			if (lines[e].known)
				break;
		}
	}
	free(by_file);
	free(starts);
	free(order);
	free(lines);
	free(first);
	free(reaped);
	free(began);
}

/* Is `exe` a C compiler driver: cc, gcc, g++, cpp, clang, with a target
 * prefix (x86_64-linux-gnu-) or a version suffix (-12)? */
static int c_compiler(const char *exe)
{
	static const char *const names[] = { "cc",  "c++",   "cpp",
					     "gcc", "g++",   "clang",
					     "clang++" };
	const char *base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	size_t n = strlen(base);
	const char *dash = strrchr(base, '-');
	if (dash && dash[1] && strspn(dash + 1, "0123456789.") == strlen(dash + 1))
		n = (size_t)(dash - base);	/* gcc-12 */
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		size_t k = strlen(names[i]);
		if (n >= k && !strncmp(base + n - k, names[i], k) &&
		    (n == k || base[n - k - 1] == '-'))
			return 1;
	}
	return 0;
}

/* Mark the file at `path` (relative to cwd), if the build knew it. */
static void mark_depfile(struct builder *b, const char *cwd, const char *path)
{
	char *abs = path[0] == '/' ? xstrdup(path)
				   : xasprintf("%s/%s", cwd ? cwd : "/", path);
	path_normalize(abs);
	const char *rel = path_under(abs, b->c->root);
	int f = ckpt_file(b->c, rel ? rel : abs, 0);
	if (f >= 0)
		b->c->files[f].flags |= FILE_DEPFILE;
	free(abs);
}

/* The file of job j's that is this inode: a compiler's stdout, which
 * the job's shell opened (`cc -MM *.c > Makefile.dep`). */
static void mark_depfile_ino(struct builder *b, int j, uint64_t ino)
{
	struct ckpt *c = b->c;
	const struct job *job = &c->jobs[j];
	for (size_t k = 0; k < job->ndeps; k++) {
		struct file *f = &c->files[job->deps[k].file];
		if (!(job->deps[k].acc & ACC_WRITE))
			continue;
		char *p = file_abs(c, f, c->root);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_ino == ino)
			f->flags |= FILE_DEPFILE;
		free(p);
	}
}

/*
 * A dependency file is one a compiler wrote its make rules to: the file
 * of `-MF FILE` or `-Wp,-MD,FILE`, or its stdout with `-M` or `-MM` and
 * none of those (`cc -MM *.c > Makefile.dep`, redis's). Whatever its
 * name, make including it says what make knew of the last build, not
 * what the next one does (dependency_file).
 */
static void mark_dependency_files(struct builder *b)
{
	for (size_t i = 0; i < b->t->nimg; i++) {
		const struct image *im = &b->t->img[i];
		if (im->forked || !im->exe || !im->argv0 || !c_compiler(im->exe))
			continue;
		int to_stdout = 0, named = 0;
		const char *a = im->argv0;
		for (int k = 0; k < im->argc; k++, a += strlen(a) + 1) {
			const char *next = a + strlen(a) + 1;
			if (!strcmp(a, "-MF") && k + 1 < im->argc) {
				mark_depfile(b, im->cwd, next);
				named = 1;
			} else if (!strncmp(a, "-MF", 3) && a[3]) {
				mark_depfile(b, im->cwd, a + 3);
				named = 1;
			} else if (!strncmp(a, "-Wp,-MD,", 8) ||
				   !strncmp(a, "-Wp,-MMD,", 9)) {
				mark_depfile(b, im->cwd, strchr(a + 4, ',') + 1);
				named = 1;
			} else if (!strcmp(a, "-MD") || !strcmp(a, "-MMD")) {
				named = 1;	/* x.d beside x.o */
			} else if (!strcmp(a, "-M") || !strcmp(a, "-MM")) {
				to_stdout = 1;
			}
		}
		if (to_stdout && !named && b->out_kind[i] == 'f' &&
		    b->out_ino[i])
			mark_depfile_ino(b, b->job[i], b->out_ino[i]);
	}
}

int build_from_trace(struct ckpt *c, const struct trace *t, const char *skip)
{
	struct builder b = { .c = c, .t = t, .skip = skip };
	b.parent = xcalloc(t->nimg + 1, sizeof *b.parent);
	b.job = xcalloc(t->nimg + 1, sizeof *b.job);
	b.bypid = xcalloc(t->nimg + 1, sizeof *b.bypid);
	b.execs = xcalloc(t->nimg + 1, sizeof *b.execs);
	b.out_ino = xcalloc(t->nimg + 1, sizeof *b.out_ino);
	b.out_kind = xcalloc(t->nimg + 1, 1);
	for (size_t i = 0; i < t->nimg; i++) {
		const struct image *im = &t->img[i];
		image_stdout(&b, i);
		b.bypid[i] = (struct pidref){ im->pid, im->start, (int)i };
		if (!im->forked)
			b.execs[b.nexecs++] =
				(struct pidref){ im->pid, im->start, (int)i };
		for (size_t k = 0; k < im->nev; k++) {
			const struct ckpt_rec *r = im->ev[k].rec;
			if (r->op == CKPT_EXEC && r->pid != im->pid &&
			    !(r->arg & CKPT_EXEC_FAILED)) {
				GROW(b.spawns, b.nspawns, b.aspawns);
				b.spawns[b.nspawns++] = (struct pidref){
					r->pid, r->time, (int)i
				};
			}
		}
	}
	qsort(b.bypid, t->nimg, sizeof *b.bypid, cmp_pid_img);
	qsort(b.execs, b.nexecs, sizeof *b.execs, cmp_pidref);
	qsort(b.spawns, b.nspawns, sizeof *b.spawns, cmp_pidref);
	assign_jobs(&b);
	mark_shell_jobs(&b);
	for (size_t i = 0; i < t->nimg; i++) {
		progress("reading trace: %zu/%zu processes", i + 1, t->nimg);
		image_events(&b, i);
	}
	progress_done();
	mark_dependency_files(&b);
	gone_scripts(&b);
	for (size_t i = 0; i < c->njobs; i++) {
		if (c->jobs[i].end < c->jobs[i].start)
			c->jobs[i].end = c->jobs[i].start;
		unique_env(&c->jobs[i]);
	}
	struct script *sc, *tmp;
	HASH_ITER(hh, b.scripts, sc, tmp) {
		HASH_DEL(b.scripts, sc);
		for (size_t k = 0; k < sc->names.nenv; k++)
			free(sc->names.env[k]);
		free(sc->names.env);
		free(sc->key);
		free(sc);
	}
	link_recipe_lines(&b);
	ckpt_sort_deps(c);
	free(b.parent);
	free(b.bypid);
	free(b.job);
	free(b.execs);
	free(b.spawns);
	free(b.ghosts);
	free(b.looks);
	free(b.spawned);
	free(b.reaped);
	free(b.out_ino);
	free(b.out_kind);
	free(b.seen);
	struct dotdot *dd, *dtmp;
	HASH_ITER(hh, b.dotdots, dd, dtmp) {
		HASH_DEL(b.dotdots, dd);
		free(dd->prefix);
		free(dd);
	}
	free(b.gone);
	return 0;
}
