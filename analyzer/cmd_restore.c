/*
 * cmd_restore.c - `ckpt restore`: put the still-valid outputs of the
 * checkpoint in place in the current tree and remove the invalid ones.
 *
 * Invariants, and where each is enforced:
 * 1. Only recorded outputs inside the root are written or removed; a path
 *    that is not a safe relative path, or that would go through a symlink
 *    or a file, is refused (plan: path_stays_inside).
 * 2. Nothing is touched before everything was checked: the manifest's
 *    checksum (manifest_read), path safety and every object needed, read
 *    whole and hashed (plan; the packed ones mostly while the tree is
 *    checked, by read_ahead). What was read is kept for the write, up to
 *    KEEP_MAX bytes in all; beyond that an object is read again.
 * 3. Each file is created or replaced atomically (restore_file: an
 *    unnamed file linked in where it is missing, else a temporary name
 *    renamed over it; atomic_symlink); an existing file with the right
 *    content is left alone. A directory missing from the tree is filled
 *    under another name and renamed into place whole (stage_dirs): its
 *    files are made at their names there. Text that names the recorded
 *    root gets the new root instead (relocated), as a build in this tree
 *    would have written it.
 * 4. make agrees: every restored output gets an mtime later than every
 *    input in the tree, and later than the outputs it was built from
 *    (plan_times), but not in the future; except the directory of a
 *    recipe whose later line is invalid, which gets the epoch
 *    (age_stale_dirs). A file
 *    gets its mtime before it is renamed into place; a directory after
 *    its files are.
 * 5. An invalid dependency file that make includes (automake's
 *    `.deps/x.Po`, gcc's `x.d`, kbuild's `.x.o.cmd`) is not removed but
 *    kept, or put back, as recorded, with the epoch as mtime
 *    (keep_for_make): make reads it as it would in the tree edited in
 *    place, where a plain `include` of a missing one is an error, and
 *    remakes it first if it has a rule for it. Its target is removed,
 *    so the compile that rewrites it runs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uthash.h>

#include "changes.h"
#include "cmd.h"
#include "fsio.h"
#include "model.h"
#include "object.h"
#include "pack.h"
#include "save.h"

enum action { A_NONE, A_RESTORE, A_REMOVE };

/* Object contents read by the plan and kept for the write: at most this
 * much in all, and none larger than KEEP_ONE. What keeping saves is the
 * second open and read of each of thousands of small objects; a large
 * one is streamed from the store again when it is written. */
#define KEEP_MAX (256u << 20)
#define KEEP_ONE (1u << 20)

/* A directory missing from the tree, made under a temporary name beside
 * it: tmp is root/rel's parent + "/.ckpt-restore.PID.N". */
struct stage {
	const char *rel;	/* in the tree: the first len bytes */
	size_t len;
	char *tmp;		/* absolute */
};

struct plan {
	struct ckpt *c;
	const char *root, *dir;
	const char *from;	/* the recorded root, if it is not root */
	char *act;		/* per file: enum action */
	char *stale;		/* per file: restored invalid, for make */
	char *replaced;		/* per file: was there, with other content */
	char *left;		/* per file: invalid, left in place (mark_left) */
	int *link_to;		/* per file: the output to link it to, or -1 */
	int *level;		/* per job: depth in the output graph */
	int64_t *mtime;		/* per file: the mtime it gets */
	char **data;		/* per file: its checked content, or NULL */
	size_t *dlen;
	size_t removed, invalid;
	size_t gone;		/* FILE_GONE files deleted (remove_gone) */
	size_t foreign;		/* invalid outputs left: not what was recorded */
	size_t *todo, ntodo;	/* files, for the threads */
	int *stage_of;		/* per file: 1 + its stage, 0 for none */
	struct stage *stages;
	size_t nstages, astages;
	atomic_size_t kept;
	atomic_size_t restored, valid, kept_stale;
	atomic_uint_least64_t bytes;
	atomic_int failed;
};

static int is_output(const struct file *f)
{
	return (f->role == ROLE_OUTPUT || f->role == ROLE_OUTDIR) &&
	       f->path[0] != '/';
}

/* What --target has taken in: outputs, jobs and makes seen, and each
 * output's writers (not its producer alone: `ar rc lib.a ...` then
 * `ranlib lib.a`, the last writer, which reads only the archive). */
struct closure {
	char *want;		/* per file */
	char *jobs;		/* per job: its inputs taken */
	char *makes;		/* per job: a make whose reads are taken */
	size_t *first;		/* per file + 1: its writers in writer[] */
	int *writer;
};

static void closure_init(struct closure *cl, const struct ckpt *c)
{
	cl->want = xcalloc(c->nfiles + 1, 1);
	cl->jobs = xcalloc(c->njobs + 1, 1);
	cl->makes = xcalloc(c->njobs + 1, 1);
	cl->first = xcalloc(c->nfiles + 2, sizeof *cl->first);
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++)
			if (c->jobs[j].deps[k].acc & ACC_WRITE)
				cl->first[c->jobs[j].deps[k].file + 1]++;
	for (size_t i = 0; i < c->nfiles; i++)
		cl->first[i + 1] += cl->first[i];
	cl->writer = xmalloc((cl->first[c->nfiles] + 1) * sizeof *cl->writer);
	size_t *at = xmalloc((c->nfiles + 1) * sizeof *at);
	memcpy(at, cl->first, c->nfiles * sizeof *at);
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++)
			if (c->jobs[j].deps[k].acc & ACC_WRITE)
				cl->writer[at[c->jobs[j].deps[k].file]++] = (int)j;
	free(at);
}

static void closure_release(struct closure *cl)
{
	free(cl->want);
	free(cl->jobs);
	free(cl->makes);
	free(cl->first);
	free(cl->writer);
}

/*
 * Outputs that the targets need: the targets, and, for each job that
 * wrote one, what it read that another job made, the other outputs it
 * wrote (make looks at a target's siblings: libtool's x.lo beside
 * .libs/x.o), and what the makes above it read: make runs only with its
 * makefiles, and with what they are made from beside them
 * (config.status, which Makefile's rule names, is written with it). A
 * dependency file make includes (.d, .Po) is taken alone: its producer
 * is a compile, which --target would otherwise pull in for every one of
 * them.
 */
static void take_writers(const struct ckpt *c, int fi, struct closure *cl);

static void mark_closure(const struct ckpt *c, int fi, struct closure *cl)
{
	if (cl->want[fi])
		return;
	cl->want[fi] = 1;
	const struct file *f = &c->files[fi];
	if (f->producer < 0 || dependency_file(f))
		return;
	take_writers(c, fi, cl);
}

/* The jobs that wrote file fi, with what they read: outputs, and the
 * writers of a temporary (`cat x.c > x.tmp`, then `mv x.tmp x.h`: the
 * first line is what reads x.c). */
static void take_writers(const struct ckpt *c, int fi, struct closure *cl)
{
	for (size_t w = cl->first[fi]; w < cl->first[fi + 1]; w++) {
		int jid = cl->writer[w];
		if (cl->jobs[jid])
			continue;
		cl->jobs[jid] = 1;
		const struct job *j = &c->jobs[jid];
		for (size_t k = 0; k < j->ndeps; k++) {
			const struct dep *d = &j->deps[k];
			const struct file *g = &c->files[d->file];
			if (is_output(g) &&
			    ((d->acc & ACC_READ) ||
			     ((d->acc & ACC_WRITE) && g->producer == jid)))
				mark_closure(c, d->file, cl);
			else if (g->role == ROLE_TEMP && (d->acc & ACC_READ) &&
				 !cl->want[d->file]) {
				cl->want[d->file] = 1;
				take_writers(c, d->file, cl);
			}
		}
		/* Each make once: kbuild's top make reads thousands of
		 * files. */
		for (int m = j->driver; m >= 0 && !cl->makes[m];
		     m = c->jobs[m].driver) {
			const struct job *make = &c->jobs[m];
			cl->makes[m] = 1;
			for (size_t k = 0; k < make->ndeps; k++)
				if ((make->deps[k].acc & ACC_READ) &&
				    is_output(&c->files[make->deps[k].file]))
					mark_closure(c, make->deps[k].file, cl);
		}
	}
}

/* path_stays_inside, once a directory (outputs come grouped by it):
 * *ok is the last directory found safe. */
static int stays_inside(const struct plan *p, const char *rel, char **ok)
{
	const char *sl = strrchr(rel, '/');
	size_t n = sl ? (size_t)(sl - rel) : 0;
	if (*ok && path_is_safe_relative(rel) && !strncmp(*ok, rel, n) &&
	    !(*ok)[n])
		return 1;
	if (!path_stays_inside(p->root, rel))
		return 0;
	free(*ok);
	*ok = xmemdup(rel, n + 1);
	(*ok)[n] = 0;
	return 1;
}

/* Room for f's content among what is kept: 1, and counted; or 0. */
static int room_for(struct plan *p, const struct file *f)
{
	if (f->size > KEEP_ONE)
		return 0;
	if (atomic_fetch_add(&p->kept, f->size) + f->size > KEEP_MAX) {
		atomic_fetch_sub(&p->kept, f->size);	/* no room left */
		return 0;
	}
	return 1;
}

/* Read one packed object ahead (on a thread), if there is room. */
static int ahead_one(void *arg, size_t k, int worker)
{
	struct plan *p = arg;
	size_t i = p->todo[k];
	const struct file *f = &p->c->files[i];
	if (!room_for(p, f))
		return 0;
	if (object_load_packed(p->dir, f, &p->data[i]) == 0)
		p->dlen[i] = f->size;
	else
		atomic_fetch_sub(&p->kept, f->size);
	return 0;
}

/*
 * While the tree is checked, which in a tree not read for a while waits
 * on the disk with the cores idle: read and hash the packed objects of
 * every stored output, as plan would for the ones it restores (it does
 * not know which before the check ends). Quietly: plan reads again, and
 * names, any that failed here, and drops those it does not restore. Not
 * for --target, which may need few of them.
 */
static void read_ahead(struct ckpt *c, void *arg)
{
	struct plan *p = arg;
	p->data = xcalloc(c->nfiles + 1, sizeof *p->data);
	p->dlen = xcalloc(c->nfiles + 1, sizeof *p->dlen);
	p->todo = xmalloc((c->nfiles + 1) * sizeof *p->todo);
	p->ntodo = 0;
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *f = &c->files[i];
		if (f->role == ROLE_OUTPUT && S_ISREG(f->mode))
			p->todo[p->ntodo++] = i;
	}
	parallel_for(p->ntodo, 8, PFOR_CPU, ahead_one, p, NULL);
}

/* Check one object (on a thread), keeping its content if there is room:
 * unless it was read ahead. */
static int check_one(void *arg, size_t k, int worker)
{
	struct plan *p = arg;
	size_t i = p->todo[k];
	const struct file *f = &p->c->files[i];
	if (p->data[i])
		return 0;
	int rc, keep = room_for(p, f);
	if (keep)
		rc = object_load(p->dir, f, NULL, NULL, &p->data[i],
				 &p->dlen[i]);
	else
		rc = object_check(p->dir, f);
	if (rc < 0)
		atomic_store(&p->failed, 1);
	return 0;	/* every damaged object is named */
}

/* Files that make itself read: the makefiles it included. */
static char *read_by_make(const struct ckpt *c)
{
	char *read = xcalloc(c->nfiles + 1, 1);
	for (size_t j = 0; j < c->njobs; j++)
		if (c->jobs[j].kind == JOB_DRIVER)
			for (size_t k = 0; k < c->jobs[j].ndeps; k++)
				if (c->jobs[j].deps[k].acc & ACC_READ)
					read[c->jobs[j].deps[k].file] = 1;
	return read;
}

/* Invariant 5: an invalid output that is kept for make to read. */
static int keep_for_make(const struct file *f, int make_reads)
{
	return make_reads && f->role == ROLE_OUTPUT && S_ISREG(f->mode) &&
	       dependency_file(f);
}

/* Outputs refused because a directory on their way is a symbolic link,
 * counted by the link (all of a build dir's outputs behind `build ->
 * build-x86`), and said once a link. */
struct linked {
	char **link;
	size_t *count;
	size_t n, alloc;
};

static void refuse_linked(struct linked *l, const char *path, size_t at)
{
	for (size_t k = 0; k < l->n; k++)
		if (!strncmp(l->link[k], path, at) && !l->link[k][at]) {
			l->count[k]++;
			return;
		}
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 4;
		l->link = xrealloc(l->link, l->alloc * sizeof *l->link);
		l->count = xrealloc(l->count, l->alloc * sizeof *l->count);
	}
	l->link[l->n] = xmemdup(path, at + 1);
	l->link[l->n][at] = 0;
	l->count[l->n++] = 1;
}

static void refused_linked(struct linked *l, const char *root)
{
	for (size_t k = 0; k < l->n; k++) {
		char *target = path_link_target(root, l->link[k]);
		error("refusing %zu output%s under %s: it is a symbolic link "
		      "(to %s), and restore writes only into the tree's own "
		      "directories. Make %s a directory, or record a build "
		      "that writes into the one it names",
		      l->count[k], l->count[k] == 1 ? "" : "s",
		      path_shown(l->link[k]), path_shown(target),
		      path_shown(l->link[k]));
		free(target);
		free(l->link[k]);
	}
	free(l->link);
	free(l->count);
}

static int plan(struct plan *p, char *want)
{
	struct ckpt *c = p->c;
	int bad = 0;
	char *ok = NULL;
	char *makefile = read_by_make(c);
	struct linked links = { 0 };
	p->ntodo = 0;
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *f = &c->files[i];
		if (!is_output(f) || (want && !want[i]))
			continue;
		if (!stays_inside(p, f->path, &ok)) {
			/* An invalid output under what is now a file (out/
			 * became one): nothing is there to remove. Through a
			 * link, a stale file may be: refused, as is writing. */
			size_t at = 0;
			mode_t m = path_is_safe_relative(f->path)
					   ? path_blocked_at(p->root, f->path, &at)
					   : 0;
			if (output_invalid(c, f) && m && !S_ISLNK(m)) {
				p->invalid++;
				continue;
			}
			bad = 1;
			if (S_ISLNK(m)) {
				refuse_linked(&links, f->path, at);
				continue;
			}
			error("refusing %s: the path leaves the tree (through "
			      "a file, or '..')", path_shown(f->path));
			continue;
		}
		if (output_invalid(c, f)) {
			/* A directory is left as it is: not removed, not
			 * counted (status lists no directory to rebuild). */
			if (f->role == ROLE_OUTDIR)
				continue;
			p->invalid++;
			if (!keep_for_make(f, makefile[i])) {
				p->act[i] = A_REMOVE;
				continue;
			}
			p->stale[i] = 1;
		}
		p->act[i] = A_RESTORE;
		if (f->role == ROLE_OUTPUT && S_ISREG(f->mode))
			p->todo[p->ntodo++] = i;
		else if (f->role == ROLE_OUTPUT && !S_ISLNK(f->mode))
			p->act[i] = A_NONE;	/* fifo, socket: not restorable */
	}
	free(ok);
	free(makefile);
	refused_linked(&links, p->root);
	for (size_t i = 0; i < c->nfiles; i++)
		if (p->data[i] && p->act[i] != A_RESTORE) {
			atomic_fetch_sub(&p->kept, c->files[i].size);
			free(p->data[i]);	/* read ahead, not needed */
			p->data[i] = NULL;
		}
	parallel_for(p->ntodo, 8, PFOR_IO, check_one, p,
		     "checking the stored outputs");
	bad |= atomic_load(&p->failed);
	return bad ? error("nothing was changed") : 0;
}

static int job_level(struct plan *p, int j, int depth)
{
	if (p->level[j] >= 0)
		return p->level[j];
	if (depth > 10000)
		return 0;
	p->level[j] = 0;	/* cycle guard */
	int lv = 0;
	const struct job *job = &p->c->jobs[j];
	for (size_t k = 0; k < job->ndeps; k++) {
		const struct dep *d = &job->deps[k];
		const struct file *f = &p->c->files[d->file];
		if (!(d->acc & ACC_READ) || !is_output(f) || f->producer < 0 ||
		    f->producer == j)
			continue;
		int l = job_level(p, f->producer, depth + 1) + 1;
		if (l > lv)
			lv = l;
	}
	return p->level[j] = lv;
}

/* The newest mtime among the inputs, as the check of the tree found
 * them: those in the tree, and those outside it up to now. make compares
 * an object with every header its dependency file lists, /usr/include's
 * too: in a tree whose mtimes are all 1 (the Nix store) outputs just
 * after the tree's newest would be older than stdio.h, and all rebuilt.
 * One outside with an mtime yet to come is left out: outputs that new
 * would hide an edit made after the restore. */
static int64_t newest_input(const struct plan *p)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t max = 0, limit = (int64_t)now.tv_sec * 1000000000LL +
				  now.tv_nsec;
	for (size_t i = 0; i < p->c->nfiles; i++) {
		const struct file *f = &p->c->files[i];
		if (is_output(f) || f->role == ROLE_TEMP ||
		    f->role == ROLE_PSEUDO || f->seen_mtime <= max)
			continue;
		if (f->path[0] != '/' || f->seen_mtime <= limit)
			max = f->seen_mtime;
	}
	return max;
}

/* What make finds older than anything: it reruns, or remakes, what
 * depends on it. */
#define STALE_MTIME 0

/* 1 µs between outputs: make compares nanosecond mtimes; on a coarser
 * file system the ties that result are "up to date" to make. */
#define STEP 1000LL
static int set_time(const char *path, int64_t t, int is_link)
{
	struct timespec ts[2];
	times_ns(ts, t);
	return utimensat(AT_FDCWD, path, ts, is_link ? AT_SYMLINK_NOFOLLOW : 0);
}

static const struct plan *sort_plan;

/* Order of the recorded build: by the output's mtime then, then by depth
 * in the output graph (ties on coarse clocks). */
static int cmp_recorded(const void *a, const void *b)
{
	const struct file *x = &sort_plan->c->files[*(const int *)a];
	const struct file *y = &sort_plan->c->files[*(const int *)b];
	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	int lx = x->producer >= 0 ? sort_plan->level[x->producer] : 0;
	int ly = y->producer >= 0 ? sort_plan->level[y->producer] : 0;
	return (lx > ly) - (lx < ly);
}

/*
 * Restored outputs get mtimes in the order the recorded build gave them,
 * just after the newest input in the tree: make then sees each one newer
 * than every source and than whatever preceded it in the build, which is
 * what make itself checked then (also for prerequisites the job never
 * read, such as a header a rule lists but a file does not include).
 * Returns the last mtime given.
 */
static int64_t plan_times(struct plan *p)
{
	struct ckpt *c = p->c;
	int *order = xmalloc((c->nfiles + 1) * sizeof *order);
	size_t n = 0;
	for (size_t i = 0; i < c->nfiles; i++)
		if (p->act[i] == A_RESTORE && p->stale[i]) {
			p->mtime[i] = STALE_MTIME;
		} else if (p->act[i] == A_RESTORE) {
			if (c->files[i].producer >= 0)
				job_level(p, c->files[i].producer, 0);
			order[n++] = (int)i;
		}
	sort_plan = p;
	qsort(order, n, sizeof *order, cmp_recorded);
	int64_t base = newest_input(p) + STEP;
	for (size_t k = 0; k < n; k++)
		p->mtime[order[k]] = base + (int64_t)(k + 1) * STEP;
	free(order);
	return base + (int64_t)n * STEP;
}

/*
 * A directory a recipe makes for itself and fills on its later lines:
 * `site: pages/a.txt` running `mkdir -p site`, then `cp pages/a.txt
 * site/`. An edit of the page invalidates the cp line but not the first,
 * which reads nothing: site would be restored newer than the page, and
 * make would never copy it again. So when an invalid job is a later line
 * of a recipe (rule 5's links: it follows the line its make reaped last,
 * and writes nothing make looked at before it began), a directory that
 * an earlier line of the recipe made and that holds what the invalid
 * line wrote gets the oldest mtime, the epoch: make reruns the recipe.
 * The lines before are walked back, up to RECIPE_BACK of them, until one
 * that starts the recipe (no line before it, or it writes what make
 * looked at). Only such a
 * directory: one that other recipes write into (obj/, or a build/ that
 * `rm -rf` remakes when the config changes) is restored as any output,
 * or make would rerun its recipe for nothing, and a recipe that starts
 * over would delete what was restored.
 */
enum { RECIPE_BACK = 64 };	/* later lines walked back, at most */

/* Outputs by producer: those of job j are out[count[j]] up to
 * out[count[j + 1]] (group_by_key). */
struct outs {
	int *out, *count;
};

static void outs_index(const struct ckpt *c, struct outs *o)
{
	struct pair *p = xmalloc((c->nfiles + 1) * sizeof *p);
	size_t n = 0;
	for (size_t i = 0; i < c->nfiles; i++)
		if (c->files[i].producer >= 0 &&
		    (size_t)c->files[i].producer < c->njobs)
			p[n++] = (struct pair){ c->files[i].producer, (int)i };
	o->out = group_by_key(c->njobs, p, n, &o->count);
	free(p);
}

/* Does job b write anything under directory file d? */
static int writes_under(const struct ckpt *c, const struct outs *o, int b,
			int d)
{
	const char *dir = c->files[d].path;
	size_t n = strlen(dir);
	for (int k = o->count[b]; k < o->count[b + 1]; k++) {
		const char *path = c->files[o->out[k]].path;
		if (!strncmp(path, dir, n) && path[n] == '/')
			return 1;
	}
	return 0;
}

/* Invalid later line b of a recipe: the lines before it, walked back
 * (at most RECIPE_BACK of them; `seen` marks them with b + 1), and the
 * directories they made that hold what b wrote get the epoch. */
static void age_recipe_dirs(struct plan *p, const struct outs *o, int b,
			    int *seen, int *queue)
{
	const struct ckpt *c = p->c;
	size_t head = 0, tail = 0;
	queue[tail++] = b;
	seen[b] = b + 1;
	while (head < tail) {
		const struct job *j = &c->jobs[queue[head++]];
		for (size_t k = 0; k < j->nprev; k++) {
			int a = j->prev[k];
			if (a < 0 || (size_t)a >= c->njobs || seen[a] == b + 1)
				continue;
			seen[a] = b + 1;
			for (int m = o->count[a]; m < o->count[a + 1]; m++) {
				int d = o->out[m];
				if (c->files[d].role == ROLE_OUTDIR &&
				    p->act[d] == A_RESTORE &&
				    writes_under(c, o, b, d))
					p->mtime[d] = STALE_MTIME;
			}
			if (!c->jobs[a].target_look && tail <= RECIPE_BACK)
				queue[tail++] = a;	/* a later line too */
		}
	}
}

static void age_stale_dirs(struct plan *p)
{
	const struct ckpt *c = p->c;
	struct outs o;
	outs_index(c, &o);
	int *seen = xcalloc(c->njobs + 1, sizeof *seen);
	int *queue = xmalloc((RECIPE_BACK + 2) * sizeof *queue);
	for (size_t b = 0; b < c->njobs; b++)
		if (c->jobs[b].affected && !c->jobs[b].target_look &&
		    c->jobs[b].nprev && o.count[b] < o.count[b + 1])
			age_recipe_dirs(p, &o, (int)b, seen, queue);
	free(seen);
	free(queue);
	free(o.out);
	free(o.count);
}

/* Not in the future, when make runs next: what it rebuilds must come out
 * newer than what was restored. */
static void wait_for(int64_t last)
{
	int64_t now = (int64_t)wall_ns();
	if (last <= now)
		return;
	if (last - now > 5000000000LL) {
		warning("sources have mtimes in the future; restored outputs "
			"get them too");
		return;
	}
	struct timespec ts = { (last - now) / 1000000000,
			       (last - now) % 1000000000 };
	nanosleep(&ts, NULL);
}

/* Text naming the recorded root, restored into another tree: compared and
 * written with the root rewritten. */
static int relocated(const struct plan *p, const struct file *f)
{
	return p->from && (f->flags & FILE_NAMES_ROOT);
}

/* The content file i must have in this tree: what the plan kept, else
 * read again; relocated if need be. *own is what the caller frees. */
static int content_of(struct plan *p, size_t i, const char **buf,
		      size_t *len, char **own)
{
	const struct file *f = &p->c->files[i];
	*own = NULL;
	if (p->data[i]) {
		*buf = p->data[i];
		*len = p->dlen[i];
		if (relocated(p, f))
			*buf = *own = text_relocate(*buf, *len, p->from,
						    p->root, len);
		return 0;
	}
	if (object_load(p->dir, f, relocated(p, f) ? p->from : NULL, p->root,
			own, len) < 0)
		return -1;
	*buf = *own;
	return 0;
}

/* Relocated text: the file holds exactly the content it must have. */
static int same_text(struct plan *p, size_t i, const char *path,
		     const struct stat *st)
{
	const struct file *f = &p->c->files[i];
	const char *want;
	char *own, *have = NULL;
	size_t wlen, hlen = (size_t)st->st_size;
	int same = 0;
	if (content_of(p, i, &want, &wlen, &own) < 0)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (wlen == hlen && fd >= 0) {
		have = xmalloc(hlen + 1);
		same = read(fd, have, hlen + 1) == (ssize_t)hlen &&
		       !memcmp(want, have, hlen);
	}
	if (fd >= 0)
		close(fd);
	free(own);
	free(have);
	return same && (st->st_mode & 07777) == (f->mode & 07777);
}

/* The target symbolic link output f holds in this tree: an absolute one
 * inside the recorded tree names this one instead (pcre2's `ln -s
 * $(abs_srcdir)/src/pcre2_chartables.c.dist`), as a build here would
 * have made it. Malloc'd. */
static char *link_target(const struct plan *p, const struct file *f)
{
	const char *rest = p->from && f->link ? path_under(f->link, p->from)
					      : NULL;
	if (!rest)
		return xstrdup(f->link ? f->link : "");
	return *rest ? xasprintf("%s/%s", p->root, rest) : xstrdup(p->root);
}

/* Is what is at path (st: its lstat) output i already? */
static int same_content(struct plan *p, size_t i, const char *path,
			const struct stat *st)
{
	const struct file *f = &p->c->files[i];
	if (S_ISLNK(f->mode)) {
		char t[4096];
		ssize_t n = readlink(path, t, sizeof t - 1);
		if (n < 0 || !S_ISLNK(st->st_mode) || !f->link)
			return 0;
		t[n] = 0;
		char *want = link_target(p, f);
		int same = !strcmp(t, want);
		free(want);
		return same;
	}
	if (S_ISREG(st->st_mode) && relocated(p, f))
		return same_text(p, i, path, st);
	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size != f->size)
		return 0;
	struct hash128 h;
	return hash_file(path, &h) == 0 && hash_equal(&h, &f->hash) &&
	       (st->st_mode & 07777) == (f->mode & 07777);
}

/* Is what is at a (invalid output i, lstat'ed as st) the file the
 * recorded build wrote, or a symbolic link where it wrote none (only the
 * link goes: make would write through it)? Anything else is left: it may
 * be the user's own (a generated file since checked in as a source), or
 * made by a later build. */
static int ours_to_remove(struct plan *p, size_t i, const char *a,
			  const struct stat *st)
{
	const struct file *f = &p->c->files[i];
	if ((S_ISLNK(st->st_mode) && !S_ISLNK(f->mode)) ||
	    same_content(p, i, a, st))
		return 1;
	/* A copy of the recorded tree (cp -a) holds one that names the
	 * tree as the recorded build wrote it: the recorded tree. */
	struct hash128 h;
	return relocated(p, f) && S_ISREG(st->st_mode) &&
	       (uint64_t)st->st_size == f->size && hash_file(a, &h) == 0 &&
	       hash_equal(&h, &f->hash);
}

/*
 * The invalid outputs to leave in place (p->left): 1, one there that is
 * not the file the recorded build wrote (ours_to_remove: the user's, or a
 * later build's); 3, one that was there before the recorded build wrote
 * it (FILE_BEFORE: the sources ship it, and a clean build starts with
 * it); 2, any other of the job that wrote one of kind 1. make remakes a
 * job's outputs together, and one removed beside one left can leave it a
 * rule it cannot run: sqlite's `parse.h: parse.c`, without a recipe, with
 * lemon's parse.c left (a later build wrote it) and parse.h removed (it
 * wrote the same bytes) stopped the build at the next `cat parse.h`.
 */
static void mark_left(struct plan *p)
{
	const struct ckpt *c = p->c;
	char *job = xcalloc(c->njobs + 1, 1);
	char *there = xcalloc(c->nfiles + 1, 1);
	for (size_t i = 0; i < c->nfiles; i++) {
		if (p->act[i] != A_REMOVE)
			continue;
		char *a = file_abs(c, &c->files[i], p->root);
		struct stat st;
		there[i] = lstat(a, &st) == 0 && !S_ISDIR(st.st_mode);
		if (there[i] && (c->files[i].flags & FILE_BEFORE)) {
			p->left[i] = 3;
		} else if (there[i] && !ours_to_remove(p, i, a, &st)) {
			p->left[i] = 1;
			if (c->files[i].producer >= 0)
				job[c->files[i].producer] = 1;
		}
		free(a);
	}
	for (size_t i = 0; i < c->nfiles; i++)
		if (there[i] && !p->left[i] && c->files[i].producer >= 0 &&
		    job[c->files[i].producer])
			p->left[i] = 2;
	free(there);
	free(job);
}

/* What --dry-run says of invalid output i: "remove"; "leave" for one
 * that restore would leave in place (mark_left); "invalid" for one that
 * is not there, which restore has nothing to do for (make builds it). */
static const char *dry_remove(struct plan *p, size_t i)
{
	if (p->left[i])
		return "leave";
	char *a = file_abs(p->c, &p->c->files[i], p->root);
	struct stat st;
	int there = lstat(a, &st) == 0 && !S_ISDIR(st.st_mode);
	free(a);
	return there ? "remove" : "invalid";
}

/* What --dry-run says of valid output i: "restore", or "valid" for a file
 * that is there as recorded or a directory that is there (restore only
 * gives it its mtime). */
static const char *dry_restore(struct plan *p, size_t i)
{
	const struct file *f = &p->c->files[i];
	char *a = file_abs(p->c, f, p->root);
	struct stat st;
	int valid = lstat(a, &st) == 0 &&
		    (f->role == ROLE_OUTDIR ? S_ISDIR(st.st_mode)
		     : f->role == ROLE_OUTPUT && same_content(p, i, a, &st));
	free(a);
	return valid ? "valid" : "restore";
}

/* Remove invalid output i, unless it is left (mark_left), which is said. */
static int do_remove(struct plan *p, size_t i)
{
	const struct file *f = &p->c->files[i];
	char *a = file_abs(p->c, f, p->root);
	struct stat st;
	int rc = 0;
	if (p->left[i]) {
		if (p->foreign++ < 10)
			warning(p->left[i] == 1
					? "%s: left in place, though the change "
					  "invalidates it: it is not the file "
					  "the recorded build wrote (make "
					  "decides by its time; delete it if it "
					  "is a stale output, not if the sources "
					  "ship it)"
				: p->left[i] == 3
					? "%s: left in place, though the change "
					  "invalidates it: it was there before "
					  "the recorded build wrote it (the "
					  "sources ship it, or a step before the "
					  "record made it; the job that writes "
					  "it runs again when make asks)"
					: "%s: left in place, though the change "
					  "invalidates it, with another output "
					  "of its job that is not the recorded "
					  "build's",
				path_shown(f->path));
	} else if (lstat(a, &st) == 0 && !S_ISDIR(st.st_mode)) {
		if (unlink(a) < 0) {
			rc = error_errno("cannot remove %s", a);
		} else {
			p->removed++;
		}
	}
	free(a);
	return rc;
}

/* A directory of the tree, looked up once by stage_dirs. */
struct dir_seen {
	UT_hash_handle hh;
	int stage;		/* or -1: it is there, or cannot be staged */
	char rel[];
};

/* Files the recorded build deleted that were there before it (FILE_GONE),
 * which this tree holds: each goes if every job that deleted it is valid,
 * as a build here would have run it (m4's `rm -f` of its shipped test
 * files, which its manual regenerates under new numbers: kept, make check
 * ran 65 stale ones). An invalid job runs again and deletes it itself.
 * Nor does one go from a directory an invalid job wrote in: that job,
 * run on this tree's inputs, may write it (`rm -f` of a directory's files,
 * then one for each name of a list, which lacked one when recorded).
 * Only a file or a link, by a path through no link. */
static int gone_to_remove(const struct plan *p, size_t i)
{
	const struct file *f = &p->c->files[i];
	if (!path_is_safe_relative(f->path))
		return 0;
	char *a = file_abs(p->c, f, p->root);
	char *parent = xstrdup(a);
	*strrchr(parent, '/') = 0;
	char *real = realpath(parent, NULL);
	struct stat st;
	int go = real && !strcmp(real, parent) && lstat(a, &st) == 0 &&
		 !S_ISDIR(st.st_mode);
	free(real);
	free(parent);
	free(a);
	return go;
}

static int remove_gone(struct plan *p, int dry)
{
	const struct ckpt *c = p->c;
	char *keep = NULL;	/* deleted by an invalid job */
	for (size_t i = 0; !keep && i < c->nfiles; i++)
		if (c->files[i].role == ROLE_TEMP &&
		    (c->files[i].flags & FILE_GONE))
			keep = xcalloc(c->nfiles + 1, 1);
	struct dir_seen *dirs = NULL, *d, *tmp;	/* written by invalid jobs */
	for (size_t j = 0; keep && j < c->njobs; j++)
		for (size_t k = 0; c->jobs[j].affected && k < c->jobs[j].ndeps;
		     k++) {
			const struct dep *dp = &c->jobs[j].deps[k];
			if (dp->acc & ACC_DELETE)
				keep[dp->file] = 1;
			if (!(dp->acc & (ACC_WRITE | ACC_MKDIR)))
				continue;
			const char *path = c->files[dp->file].path;
			const char *sl = strrchr(path, '/');
			size_t n = sl ? (size_t)(sl - path) : 0;
			HASH_FIND(hh, dirs, path, n, d);
			if (d)
				continue;
			d = xmalloc(sizeof *d + n + 1);
			memcpy(d->rel, path, n);
			d->rel[n] = 0;
			HASH_ADD(hh, dirs, rel[0], n, d);
		}
	int rc = 0;
	for (size_t i = 0; keep && i < c->nfiles; i++) {
		const struct file *f = &c->files[i];
		if (f->role != ROLE_TEMP || !(f->flags & FILE_GONE) || keep[i])
			continue;
		const char *sl = strrchr(f->path, '/');
		HASH_FIND(hh, dirs, f->path, sl ? (size_t)(sl - f->path) : 0,
			  d);
		if (d || !gone_to_remove(p, i))
			continue;
		if (dry) {
			printf("remove %s\n", path_shown(f->path));
			continue;
		}
		char *a = file_abs(c, f, p->root);
		if (unlink(a) < 0)
			rc = error_errno("cannot remove %s", a);
		else
			p->gone++;
		free(a);
	}
	HASH_ITER(hh, dirs, d, tmp) {
		HASH_DEL(dirs, d);
		free(d);
	}
	free(keep);
	return rc;
}


/* A stage for the directory rel (its first n bytes, a copy in key), if it
 * is missing; -1 if it is there or its stage cannot be made. */
static int new_stage(struct plan *p, const char *rel, const char *key,
		     size_t n)
{
	char *abs = xasprintf("%s/%s", p->root, key);
	struct stat st;
	int s = -1;
	if (lstat(abs, &st) < 0 && errno == ENOENT) {
		*strrchr(abs, '/') = 0;
		char *tmp = xasprintf("%s/" STAGE_PREFIX "%d.%zu", abs,
				      (int)getpid(), p->nstages);
		int fi = ckpt_file(p->c, key, 0);
		mode_t mode = fi >= 0 && p->c->files[fi].role == ROLE_OUTDIR
				      ? p->c->files[fi].mode & 07777
				      : 0777;
		if (mkdir(tmp, mode) == 0) {
			GROW(p->stages, p->nstages, p->astages);
			p->stages[p->nstages] = (struct stage){ rel, n, tmp };
			s = (int)p->nstages++;
		} else {
			free(tmp);
		}
	}
	free(abs);
	return s;
}

/*
 * Outputs under a directory that is not in the tree (in a fresh copy,
 * everything the build wrote into obj/ or build/) are made in a staging
 * directory beside the top missing one, which is renamed into place once
 * they are all in (stages_in_place). Nobody sees a file there before it
 * is whole, so it is made at its name (MAKE_FRESH) rather than as an
 * unnamed file linked in: on ext4 with a journal, a fifth less a file
 * (bench-create).
 * A restore killed half-way leaves the staging directory, and nothing in
 * the tree.
 */
static void stage_dirs(struct plan *p)
{
	struct dir_seen *seen = NULL, *d, *next;
	for (size_t i = 0; i < p->c->nfiles; i++) {
		if (p->act[i] != A_RESTORE)
			continue;
		const char *rel = p->c->files[i].path;
		int dir = p->c->files[i].role == ROLE_OUTDIR;
		/* Its directories from the top, and itself if it is one. */
		for (const char *e = rel;; e++) {
			const char *sl = strchr(e, '/');
			if (!sl && !dir)
				break;
			size_t n = sl ? (size_t)(sl - rel) : strlen(rel);
			HASH_FIND(hh, seen, rel, n, d);
			if (!d) {
				d = xmalloc(sizeof *d + n + 1);
				memcpy(d->rel, rel, n);
				d->rel[n] = 0;
				d->stage = new_stage(p, rel, d->rel, n);
				HASH_ADD(hh, seen, rel, n, d);
			}
			if (d->stage >= 0) {
				p->stage_of[i] = d->stage + 1;
				break;
			}
			if (!sl)
				break;
			e = sl;
		}
	}
	HASH_ITER(hh, seen, d, next) {
		HASH_DEL(seen, d);
		free(d);
	}
}

/* Each staging directory renamed to its place, which must still be free. */
static int stages_in_place(struct plan *p)
{
	int rc = 0;
	for (size_t s = 0; s < p->nstages; s++) {
		const struct stage *st = &p->stages[s];
		char *to = xasprintf("%s/%.*s", p->root, (int)st->len, st->rel);
		if (renameat2(AT_FDCWD, st->tmp, AT_FDCWD, to,
			      RENAME_NOREPLACE) < 0 &&
		    (errno != EINVAL || rename(st->tmp, to) < 0))
			rc = error_errno("cannot move %s to %s", st->tmp, to);
		free(to);
	}
	return rc;
}

/* Where output i is made: *rel under the directory returned, the root
 * or its stage ("" for the stage itself). */
static const char *made_under(const struct plan *p, size_t i,
			      const char **rel)
{
	const char *path = p->c->files[i].path;
	int s = p->stage_of[i] - 1;
	if (s < 0) {
		*rel = path;
		return p->root;
	}
	size_t n = p->stages[s].len;
	*rel = path + n + (path[n] == '/');
	return p->stages[s].tmp;
}

/* The directories above output i, where it is made. */
static int make_dirs(struct plan *p, size_t i)
{
	const char *rel, *base = made_under(p, i, &rel);
	return path_mkdirs_for(base, rel);
}

/* The parent directories of an output are made only when creating it
 * fails for want of them: most were restored (or are there) already. */
static int missing_dirs(struct plan *p, size_t i)
{
	return errno == ENOENT && make_dirs(p, i) == 0;
}

static int restore_symlink(struct plan *p, size_t i, const char *path,
			   int64_t t)
{
	const struct file *f = &p->c->files[i];
	char *target = link_target(p, f);
	int rc = 0;
	if (atomic_symlink(target, path) < 0 &&
	    (!missing_dirs(p, i) || atomic_symlink(target, path) < 0))
		rc = error_errno("cannot restore the symlink %s/%s", p->root,
				 f->path);
	else
		set_time(path, t, 1);
	free(target);
	return rc;
}

/* Output i made at path as `how` says (fsio.h), from the content the plan
 * kept, else streamed from the store (too large to have been kept). -1
 * with errno set; a damaged object is also reported. */
static int make_file(struct plan *p, size_t i, const char *path, int64_t t,
		     enum make_how how)
{
	const struct file *f = &p->c->files[i];
	mode_t mode = f->mode & 07777;
	const char *buf = NULL;
	char *own = NULL;
	size_t len = f->size;
	int streamed = !p->data[i] && !relocated(p, f);
	if (!streamed && content_of(p, i, &buf, &len, &own) < 0) {
		errno = EIO;
		return -1;
	}
	struct atomic_file a;
	int rc = atomic_begin(&a, path, mode, how);
	if (rc == 0) {
		rc = streamed ? object_write_to(p->dir, f, a.fd)
			      : write_all(a.fd, buf, len);
		if (rc < 0)
			atomic_abort(&a);
		else
			rc = atomic_commit_mtime(&a, mode, t);
	}
	if (rc == 0)
		p->bytes += len;
	free(own);
	return rc;
}

/* Output i at path, where there is nothing (!exists) or something else. */
static int restore_file(struct plan *p, size_t i, const char *path,
			int64_t t, int exists)
{
	enum make_how how = exists		? MAKE_REPLACE
			    : p->stage_of[i] ? MAKE_FRESH
					     : MAKE_NEW;
	int rc = make_file(p, i, path, t, how);
	if (rc < 0 && missing_dirs(p, i))
		rc = make_file(p, i, path, t, how);
	if (rc < 0 && how == MAKE_NEW && (errno == EEXIST || errno == EOPNOTSUPP))
		rc = make_file(p, i, path, t, MAKE_REPLACE);
	if (rc < 0)
		error_errno("cannot restore %s/%s", p->root,
			    p->c->files[i].path);
	return rc;
}

static int do_restore(struct plan *p, size_t i)
{
	const struct file *f = &p->c->files[i];
	int staged = p->stage_of[i] != 0;	/* then nothing is there */
	const char *rel, *base = made_under(p, i, &rel);
	char *a = *rel ? xasprintf("%s/%s", base, rel) : xstrdup(base);
	int64_t t = p->mtime[i];
	int rc = 0;
	struct stat st;
	if (f->role == ROLE_OUTDIR) {
		if (staged && !*rel)
			goto out;	/* the stage itself */
		if (staged || lstat(a, &st) < 0) {
			if (make_dirs(p, i) < 0 ||
			    (mkdir(a, f->mode & 07777) < 0 &&
			     (!staged || errno != EEXIST)))
				rc = error_errno("cannot create %s/%s",
						 p->root, f->path);
		}
		goto out;	/* its mtime once its files are in */
	}
	int exists = !staged && lstat(a, &st) == 0;
	if (exists) {
		if (same_content(p, i, a, &st)) {
			set_time(a, t, S_ISLNK(f->mode));
			if (p->stale[i])
				p->kept_stale++;
			else
				p->valid++;
			goto out;
		}
		if (p->stale[i])
			goto out;	/* not ours: what make would read */
		if (S_ISDIR(st.st_mode)) {
			rc = error("cannot restore %s: a directory is in the "
				   "way", a);
			goto out;
		}
	}
	/* A copy of the recorded tree holds the file as the recorded build
	 * wrote it, naming the recorded tree: rewritten to name this one,
	 * not replaced. */
	struct hash128 h;
	int as_recorded = exists && S_ISREG(st.st_mode) && relocated(p, f) &&
			  (uint64_t)st.st_size == f->size &&
			  hash_file(a, &h) == 0 && hash_equal(&h, &f->hash);
	rc = S_ISLNK(f->mode) ? restore_symlink(p, i, a, t)
			      : restore_file(p, i, a, t, exists);
	if (!rc && p->stale[i])
		p->kept_stale++;
	else if (!rc)
		p->restored++;
	if (!rc && exists && !as_recorded)
		p->replaced[i] = 1;
out:
	free(a);
	return rc;
}

/* Outputs the tree held with other content, which restore replaced with
 * the checkpoint's: said, as a build of the user's own (a ./configure
 * with other options) is not an input the trace sees. */
static void report_replaced(const struct plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->c->nfiles; i++)
		n += p->replaced[i];
	if (!n)
		return;
	fprintf(stderr, "ckpt: replaced %zu output%s that the tree held with "
		"other content:", n, n == 1 ? "" : "s");
	for (size_t i = 0, k = 0; i < p->c->nfiles && k < 5; i++)
		if (p->replaced[i])
			fprintf(stderr, "%s %s", k++ ? "," : "",
				path_shown(p->c->files[i].path));
	if (n > 5)
		fprintf(stderr, " and %zu more", n - 5);
	fprintf(stderr, " (the checkpoint's are valid for these sources: "
		"a file the sources ship that the recorded build rewrote "
		"needs nothing more; a configuration or build of your own "
		"since is not an input ckpt sees: run it again)\n");
}

struct by_ino {
	uint64_t ino;
	size_t i;
};

static int cmp_by_ino(const void *a, const void *b)
{
	const struct by_ino *x = a, *y = b;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Outputs that were hard links of one file when recorded (git's 138
 * built-ins, `ln git git-add`): the same inode, the same content. Each but
 * the first is linked to it once that is in place (link_outputs), instead
 * of written: git's fresh tree took 597 MB restored, 91 MB built. Only
 * where nothing is there yet and its directory is (a staged directory is
 * filled by restore_one).
 */
static void plan_links(struct plan *p)
{
	const struct ckpt *c = p->c;
	struct by_ino *v = xmalloc((c->nfiles + 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *f = &c->files[i];
		p->link_to[i] = -1;
		if (p->act[i] == A_RESTORE && !p->stale[i] && f->ino &&
		    f->role == ROLE_OUTPUT && S_ISREG(f->mode))
			v[n++] = (struct by_ino){ f->ino, i };
	}
	qsort(v, n, sizeof *v, cmp_by_ino);
	/* In each run of one inode, the first whose place is free is
	 * written, and the others whose place is free are linked to it. */
	int first = -1;
	for (size_t k = 0; k < n; k++) {
		if (k && v[k].ino != v[k - 1].ino)
			first = -1;
		/* Most outputs have an inode of their own: no look-up. */
		if ((!k || v[k - 1].ino != v[k].ino) &&
		    (k + 1 == n || v[k + 1].ino != v[k].ino))
			continue;
		const struct file *f = &c->files[v[k].i];
		char *a = file_abs(c, f, p->root);
		char *dir = xstrdup(a);
		*strrchr(dir, '/') = 0;
		struct stat st;
		int free_place = lstat(a, &st) < 0 && errno == ENOENT &&
				 lstat(dir, &st) == 0 && S_ISDIR(st.st_mode);
		free(dir);
		free(a);
		if (!free_place)
			continue;
		if (first < 0)
			first = (int)v[k].i;
		else if (hash_equal(&f->hash, &c->files[first].hash))
			p->link_to[v[k].i] = first;
	}
	free(v);
}

/* The links plan_links chose, once the files they name are in place;
 * one that cannot be made is written instead. */
static int link_outputs(struct plan *p)
{
	const struct ckpt *c = p->c;
	int failed = 0;
	for (size_t i = 0; i < c->nfiles; i++) {
		if (p->link_to[i] < 0)
			continue;
		char *from = file_abs(c, &c->files[p->link_to[i]], p->root);
		char *to = file_abs(c, &c->files[i], p->root);
		if (link(from, to) == 0)
			p->restored++;
		else if (do_restore(p, i) < 0)
			failed = 1;
		free(from);
		free(to);
	}
	return failed ? -1 : 0;
}

static int restore_one(void *arg, size_t k, int worker)
{
	struct plan *p = arg;
	size_t i = p->todo[k];
	if (do_restore(p, i) < 0) {
		atomic_store(&p->failed, 1);
		p->act[i] = A_NONE;
	}
	free(p->data[i]);
	p->data[i] = NULL;
	return 0;	/* the others are restored all the same */
}

/* The process that named a staging directory or a temporary file
 * PREFIX "PID.N", if that is `name`'s form; else 0. */
static long leftover_pid(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	if (strncmp(name, prefix, n))
		return 0;
	long pid = strtol(name + n, &end, 10);
	return end == name + n || *end != '.' || pid <= 0 ? 0 : pid;
}

/* What a killed restore left in directory `dir`: staging directories and
 * partly written files, said for the user to delete (not those of a
 * restore still running, whose process is there). */
static void report_leftovers_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		long pid = leftover_pid(e->d_name, STAGE_PREFIX);
		if (!pid)
			pid = leftover_pid(e->d_name, TEMP_PREFIX);
		if (!pid || pid == (long)getpid() ||
		    (pid <= INT_MAX &&
		     (kill((pid_t)pid, 0) == 0 || errno != ESRCH)))
			continue;
		warning("%s/%s: left by a restore that was stopped half-way; "
			"it can be deleted", dir, e->d_name);
	}
	if (d)
		closedir(d);
}

/* In the root, and beside each of our stages, once a directory. */
static void report_leftovers(const struct plan *p, const char *root)
{
	report_leftovers_in(root);
	for (size_t s = 0; s < p->nstages; s++) {
		const char *tmp = p->stages[s].tmp;
		size_t dl = (size_t)(strrchr(tmp, '/') - tmp);
		int seen = dl == strlen(root) && !strncmp(tmp, root, dl);
		for (size_t k = 0; k < s && !seen; k++) {
			const char *o = p->stages[k].tmp;
			seen = (size_t)(strrchr(o, '/') - o) == dl &&
			       !strncmp(o, tmp, dl);
		}
		if (seen)
			continue;
		char *dir = xmemdup(tmp, dl + 1);
		dir[dl] = 0;
		report_leftovers_in(dir);
		free(dir);
	}
}

static void restore_usage(void)
{
	printf(
		"usage: ckpt restore [-d DIR] [--dry-run] [--target PATH...]\n\n"
		"In the current directory (the tree recorded, or any copy of "
		"it, changed or not),\nput back the outputs of the checkpoint "
		"in DIR (default .ckpt) that are still\nvalid, where missing "
		"or different, and remove those that the changes\ninvalidate, "
		"so that make rebuilds them. Restored outputs get mtimes newer "
		"than\nevery input, in dependency order; a directory that a "
		"recipe makes on its first\nline and fills on an invalid later "
		"line gets the epoch, so that make reruns\nthe recipe. An "
		"invalid dependency file that make includes (.d, .cmd, .Po,\n"
		"a compiler's -MF file) is kept as recorded, with the epoch "
		"as mtime\n(--dry-run says \"keep\"). An invalid output "
		"that is not the file the recorded\nbuild wrote (the user's, "
		"or a later build's), or that was there before the\nrecorded "
		"build wrote it (a file the sources ship), is left in place, "
		"and said\nso (--dry-run: \"leave\"). A valid output the "
		"tree holds with other content is\nreplaced, and named: a "
		"./configure or build of your own since is not an input\n"
		"ckpt sees; one it holds as recorded only gets its mtime "
		"(--dry-run: \"valid\",\nas for a directory that is there). "
		"An invalid output that is not there is left\nfor make to "
		"build (--dry-run: \"invalid\"). Nothing else in the tree is "
		"touched.\n\n"
		"  -d, --dir DIR     checkpoint directory (may be read-only)\n"
		"  -n, --dry-run     say what would be done, do nothing\n"
		"  --target PATH...  only what these outputs need, and what "
		"make needs to run\n");
}

int cmd_restore(int argc, char **argv)
{
	const char *dir = ".ckpt";
	int dry = 0;
	char **targets = NULL;
	size_t ntargets = 0, atargets = 0;
	for (int i = 1; i < argc; i++) {
		int r = opt_dir(argc, argv, &i, &dir);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n")) {
			dry = 1;
		} else if (!strcmp(argv[i], "--target")) {
			if (i + 1 >= argc || argv[i + 1][0] == '-') {
				error("--target needs at least one path");
				return EXIT_USAGE;
			}
			while (i + 1 < argc && argv[i + 1][0] != '-') {
				GROW(targets, ntargets, atargets);
				targets[ntargets++] = argv[++i];
			}
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			restore_usage();
			return 0;
		} else {
			return bad_arg("restore", argv[i]);
		}
	}
	uint64_t t0 = now_ns();
	/* One restore at a time in a tree: a lock on the root directory
	 * itself, which adds nothing to the tree and goes with the process. */
	int lock = dry ? -1 : open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			error("another ckpt restore is running in this tree; "
			      "nothing was changed");
		else
			error_errno("cannot lock the tree");
		close(lock);
		return 1;
	}
	pack_prefetch(dir);
	struct ckpt c;
	char *root;
	struct plan p = { .c = &c, .dir = dir };
	if (checkpoint_check_while(dir, &c, &root,
				   ntargets ? NULL : read_ahead, &p) < 0) {
		if (lock >= 0)
			close(lock);
		return 1;
	}
	p.root = root;
	if (strcmp(c.root, root))
		p.from = c.root;
	p.act = xcalloc(c.nfiles + 1, 1);
	p.stale = xcalloc(c.nfiles + 1, 1);
	p.replaced = xcalloc(c.nfiles + 1, 1);
	p.left = xcalloc(c.nfiles + 1, 1);
	p.link_to = xcalloc(c.nfiles + 1, sizeof *p.link_to);
	p.mtime = xcalloc(c.nfiles + 1, sizeof *p.mtime);
	if (!p.data) {
		p.data = xcalloc(c.nfiles + 1, sizeof *p.data);
		p.dlen = xcalloc(c.nfiles + 1, sizeof *p.dlen);
		p.todo = xmalloc((c.nfiles + 1) * sizeof *p.todo);
	}
	p.stage_of = xcalloc(c.nfiles + 1, sizeof *p.stage_of);
	p.level = xmalloc((c.njobs + 1) * sizeof *p.level);
	for (size_t j = 0; j < c.njobs; j++)
		p.level[j] = -1;
	struct closure cl = { 0 };
	int rc = 1;
	if (ntargets) {
		closure_init(&cl, &c);
		for (size_t t = 0; t < ntargets; t++) {
			char *abs = targets[t][0] == '/'
					    ? xstrdup(targets[t])
					    : xasprintf("%s/%s", root, targets[t]);
			path_normalize(abs);
			const char *rel = path_under(abs, root);
			int fi = rel ? ckpt_file(&c, rel, 0) : -1;
			free(abs);
			if (fi < 0 || !is_output(&c.files[fi])) {
				error("%s is not an output of the checkpoint",
				      targets[t]);
				goto out;
			}
			mark_closure(&c, fi, &cl);
		}
	}
	if (plan(&p, cl.want) < 0)
		goto out;
	mark_left(&p);
	if (dry) {
		for (size_t i = 0; i < c.nfiles; i++)
			if (p.act[i])
				printf("%s %s\n",
				       p.stale[i]		 ? "keep"
				       : p.act[i] == A_RESTORE ? dry_restore(&p, i)
							       : dry_remove(&p, i),
				       path_shown(c.files[i].path));
		remove_gone(&p, 1);
		rc = 0;
		goto out;
	}
	int failed = 0;
	for (size_t i = 0; i < c.nfiles; i++)
		if (p.act[i] == A_REMOVE)
			failed |= do_remove(&p, i) < 0;
	failed |= remove_gone(&p, 0) < 0;
	if (p.foreign > 10)
		warning("and %zu more outputs left in place", p.foreign - 10);
	int64_t last = plan_times(&p);
	age_stale_dirs(&p);
	plan_links(&p);
	stage_dirs(&p);
	/* Directories first, in order; then the files, on PFOR_CREATE
	 * threads: creating files is what a restore costs; then the
	 * directories' mtimes, which creating their files changed. The files
	 * come grouped by directory, and the threads take large chunks of
	 * them: two threads creating files in one directory wait for each
	 * other (its lock), and that was a third of the time. */
	p.ntodo = 0;
	for (size_t i = 0; i < c.nfiles; i++) {
		if (p.act[i] != A_RESTORE || p.link_to[i] >= 0)
			continue;
		if (c.files[i].role != ROLE_OUTDIR)
			p.todo[p.ntodo++] = i;
		else if (do_restore(&p, i) < 0)
			failed = 1, p.act[i] = A_NONE;
	}
	size_t chunk = p.ntodo / (4 * (size_t)pfor_threads(PFOR_CREATE));
	parallel_for(p.ntodo, chunk > 4 ? chunk : 4, PFOR_CREATE, restore_one,
		     &p, "restoring");
	failed |= atomic_load(&p.failed);
	failed |= stages_in_place(&p) < 0;
	failed |= link_outputs(&p) < 0;
	report_leftovers(&p, root);
	for (size_t i = 0; i < c.nfiles; i++)
		if (p.act[i] == A_RESTORE && c.files[i].role == ROLE_OUTDIR) {
			char *a = file_abs(&c, &c.files[i], root);
			set_time(a, p.mtime[i], 1);	/* not through a link */
			free(a);
		}
	wait_for(last);
	for (size_t j = 0; j < c.njobs; j++)
		if (c.jobs[j].untraced > 0)
			fprintf(stderr,
				"ckpt: not traced, always rebuilt: %s (%s)\n",
				cmd_display(c.jobs[j].cmd),
				c.jobs[j].untraced_path
					? path_shown(c.jobs[j].untraced_path)
					: "?");
	size_t again = 0;
	for (size_t j = 0; j < c.njobs; j++)
		if (invalid_not_by_make(&c, j) && ++again)
			fprintf(stderr,
				"ckpt: invalid, and make does not run it: %s "
				"(run it again, where the recorded command "
				"did)\n",
				cmd_display(c.jobs[j].cmd));
	int roots[4];
	size_t nroots = again ? run_again_roots(&c, roots, 4) : 0;
	for (size_t r = 0; r < nroots; r++)
		fprintf(stderr,
			"ckpt: the recorded command, with the variables and "
			"options it ran %s with: %s\n",
			again > 1 ? "them" : "it",
			cmd_display(c.jobs[roots[r]].cmd));
	size_t aged = 0;
	for (size_t i = 0; i < c.nfiles; i++)
		if (p.act[i] == A_RESTORE && c.files[i].role == ROLE_OUTDIR &&
		    p.mtime[i] == STALE_MTIME && aged++ < 10)
			fprintf(stderr,
				"ckpt: %s: given the epoch as mtime, so that "
				"make reruns the recipe that made it (a later "
				"line of it is invalid)\n",
				path_shown(c.files[i].path));
	if (aged > 10)
		fprintf(stderr, "ckpt: and %zu more such directories\n",
			aged - 10);
	report_replaced(&p);
	size_t kept = atomic_load(&p.kept_stale);
	if (kept)
		fprintf(stderr,
			"ckpt: %zu invalid dependency file%s that make reads "
			"kept as recorded, with the epoch as mtime\n", kept,
			kept == 1 ? "" : "s");
	/* Files the build deleted that this tree held (remove_gone). */
	char *gone = p.gone ? xasprintf(", %zu deleted as the recorded build "
					"did", p.gone)
			    : NULL;
	fprintf(stderr,
		"ckpt: restored %zu, already valid %zu, invalidated %zu "
		"(%zu removed)%s; %llu bytes in %.3f s\n",
		atomic_load(&p.restored), atomic_load(&p.valid), p.invalid,
		p.removed, gone ? gone : "",
		(unsigned long long)atomic_load(&p.bytes),
		(double)(now_ns() - t0) / 1e9);
	free(gone);
	rc = failed;
out:
	closure_release(&cl);
	free(targets);
	for (size_t i = 0; p.data && i < c.nfiles; i++)
		free(p.data[i]);	/* --dry-run, or a failed plan */
	free(p.data);
	free(p.dlen);
	free(p.mtime);
	free(p.todo);
	for (size_t s = 0; s < p.nstages; s++)
		free(p.stages[s].tmp);
	free(p.stages);
	free(p.stage_of);
	free(p.act);
	free(p.stale);
	free(p.replaced);
	free(p.left);
	free(p.link_to);
	free(p.level);
	free(root);
	ckpt_release(&c);
	if (lock >= 0)
		close(lock);
	return rc;
}
