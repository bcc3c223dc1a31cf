/*
 * save.c - a trace becomes a checkpoint: roles, hashes, objects, manifest.
 *
 * Invariants (each enforced where named):
 * 1. The previous checkpoint stays usable until the new manifest is renamed
 *    over it: objects are content-addressed and flushed before the
 *    manifest is written (store_outputs, flush_objects), the manifest is
 *    written atomically (manifest_write), and unreferenced objects are
 *    removed only after (collect_garbage).
 * 2. Only final outputs are stored, never sources (store_outputs).
 * 3. Chaining: recording an incremental build on top of a checkpoint
 *    keeps the old jobs whose outputs no new job rewrote, provided a
 *    restore of the old checkpoint into this tree would find them valid
 *    (their inputs, their make's makefiles and variables, what they read
 *    from other jobs); outputs of any other old job are kept as outputs
 *    without a producer, so that restore always invalidates them and
 *    what read them (merge_previous).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

#include "build.h"
#include "changes.h"
#include "envvars.h"
#include "fsio.h"
#include "makenames.h"
#include "manifest.h"
#include "object.h"
#include "pack.h"
#include "save.h"

static int under_tmp(const char *p)
{
	return path_under(p, "/tmp") || path_under(p, "/var/tmp") ||
	       path_under(p, "/dev/shm");
}

/* Kernel interfaces rather than files: /proc, /sys and /dev, but for
 * /dev/shm, a file system like any other (builds are run there). */
static int is_pseudo(const char *p)
{
	return path_under(p, "/proc") || path_under(p, "/sys") ||
	       (path_under(p, "/dev") && !path_under(p, "/dev/shm"));
}

/* Pick each file's producer: the job that wrote it last (times are still
 * there, before ckpt_classify_deps). */
static void pick_producers(struct ckpt *c)
{
	uint64_t *when = xcalloc(c->nfiles + 1, sizeof *when);
	for (size_t i = 0; i < c->nfiles; i++)
		c->files[i].producer = -1;
	for (size_t j = 0; j < c->njobs; j++) {
		const struct job *job = &c->jobs[j];
		for (size_t k = 0; k < job->ndeps; k++) {
			const struct dep *d = &job->deps[k];
			if (!(d->acc & (ACC_WRITE | ACC_MKDIR)))
				continue;
			struct file *f = &c->files[d->file];
			uint64_t tw = dep_t_write(job, k);
			if (f->producer < 0 || tw >= when[d->file]) {
				f->producer = (int)j;
				when[d->file] = tw;
			}
		}
	}
	free(when);
}

static int *file_acc_union(const struct ckpt *c)
{
	int *acc = xcalloc(c->nfiles + 1, sizeof *acc);
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++)
			acc[c->jobs[j].deps[k].file] |= c->jobs[j].deps[k].acc;
	return acc;
}

/* Mark the files found (read, looked at, listed) by some job before any
 * job missed them (FILE_FOUND_FIRST): they were there before the build,
 * whatever a later look-up said (a cwd the shim got wrong, a path it
 * cannot see), and are never taken for an untraced program's output,
 * which a restore removes. While the deps still have their times. */
static void mark_found_first(struct ckpt *c)
{
	const int found = ACC_READ | ACC_STAT | ACC_LIST;
	int *acc = file_acc_union(c);
	size_t n = 0;
	for (size_t i = 0; i < c->nfiles; i++)
		n += (acc[i] & ACC_ABSENT) && (acc[i] & found);
	uint64_t *t_found = n ? xcalloc(c->nfiles + 1, sizeof *t_found) : NULL;
	uint64_t *t_missed = n ? xcalloc(c->nfiles + 1, sizeof *t_missed) : NULL;
	for (size_t j = 0; n && j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++) {
			const struct dep *d = &c->jobs[j].deps[k];
			if (!(acc[d->file] & ACC_ABSENT) || !(acc[d->file] & found))
				continue;
			uint64_t t = dep_t_in(&c->jobs[j], k);
			uint64_t *slot = (d->acc & ACC_ABSENT) ? &t_missed[d->file]
				       : (d->acc & found)    ? &t_found[d->file]
							     : NULL;
			if (slot && t && (!*slot || t < *slot))
				*slot = t;
		}
	for (size_t i = 0; n && i < c->nfiles; i++)
		if (t_found[i] && t_missed[i] && t_found[i] < t_missed[i])
			c->files[i].flags |= FILE_FOUND_FIRST;
	free(t_found);
	free(t_missed);
	free(acc);
}

/* A symbolic link the build made (pcre2's `ln -s ...chartables.c.dist
 * src/pcre2_chartables.c`): who read it read what it leads to, whose
 * content the link's own job never touched. Without it, an edit of the
 * .dist file was no input of anything, and restore kept the library
 * compiled from the old table. While the deps have their times. */
static void read_through_links(struct ckpt *c)
{
	int *acc = file_acc_union(c);
	size_t nfiles = c->nfiles;
	int *target = xmalloc((nfiles + 1) * sizeof *target);
	size_t n = 0;
	for (size_t i = 0; i < nfiles; i++) {
		target[i] = -1;
		if (!(acc[i] & ACC_WRITE) || !(acc[i] & ACC_READ))
			continue;
		char *p = file_abs(c, &c->files[i], c->root);
		struct stat st, ts;
		char *real = NULL;
		if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode) &&
		    stat(p, &ts) == 0 && S_ISREG(ts.st_mode))
			real = realpath(p, NULL);
		const char *rel = real ? path_under(real, c->root) : NULL;
		if (real && strcmp(real, p)) {
			target[i] = ckpt_file(c, rel ? rel : real, 1);
			n++;
		}
		free(real);
		free(p);
	}
	for (size_t j = 0; n && j < c->njobs; j++) {
		size_t nd = c->jobs[j].ndeps;	/* job_access may add */
		for (size_t k = 0; k < nd; k++) {
			struct dep d = c->jobs[j].deps[k];
			if (d.file < (int)nfiles && target[d.file] >= 0 &&
			    (d.acc & ACC_READ))
				job_access(c, (int)j, target[d.file],
					   d.acc & (ACC_READ | ACC_USED),
					   dep_t_in(&c->jobs[j], k));
		}
	}
	free(target);
	free(acc);
}

/* A path looked for and not found that is there now, other than as a
 * directory, and resolves: a dangling symlink (`cat broken || ...` in a
 * tree that holds one) was there all along, and is what the look-up
 * failed through. */
static int appeared(const char *p, const struct stat *lst)
{
	struct stat st;
	return !S_ISDIR(lst->st_mode) &&
	       (!S_ISLNK(lst->st_mode) || stat(p, &st) == 0);
}

/*
 * A file that was looked for and missing, was never written by a traced
 * job, and exists now was made by a program we could not trace: give it to
 * the first untraced job that started after it was first looked for (any
 * untraced job is always invalidated; what matters is that the file counts
 * as an output, and the job as one that has outputs).
 */
static void adopt_untraced_outputs(struct ckpt *c)
{
	uint64_t *first = xcalloc(c->nfiles + 1, sizeof *first);
	char *state = xcalloc(c->nfiles + 1, 1);	/* 1 absent, 2 written */
	int any = 0;
	for (size_t j = 0; j < c->njobs; j++) {
		any |= c->jobs[j].untraced != 0;
		for (size_t k = 0; k < c->jobs[j].ndeps; k++) {
			const struct dep *d = &c->jobs[j].deps[k];
			if (d->acc & (ACC_WRITE | ACC_MKDIR))
				state[d->file] = 2;
			else if ((d->acc & ACC_ABSENT) && !state[d->file])
				state[d->file] = 1;
			uint64_t ti = dep_t_in(&c->jobs[j], k);
			if (!first[d->file] || ti < first[d->file])
				first[d->file] = ti;
		}
	}
	for (size_t i = 0; any && i < c->nfiles; i++) {
		if (state[i] != 1 || c->files[i].path[0] == '/' ||
		    (c->files[i].flags & FILE_FOUND_FIRST))
			continue;
		char *p = file_abs(c, &c->files[i], c->root);
		struct stat st;
		int there = lstat(p, &st) == 0 && appeared(p, &st);
		free(p);
		if (!there)
			continue;
		int best = -1;
		for (size_t j = 0; j < c->njobs; j++) {
			const struct job *job = &c->jobs[j];
			if (!job->untraced)
				continue;
			if (job->start >= first[i] &&
			    (best < 0 || job->start < c->jobs[best].start ||
			     c->jobs[best].start < first[i]))
				best = (int)j;
			else if (best < 0 || (c->jobs[best].start < first[i] &&
					      job->start > c->jobs[best].start))
				best = (int)j;
		}
		if (best >= 0)
			job_access(c, best, (int)i, ACC_WRITE,
				   c->jobs[best].start);
	}
	free(first);
	free(state);
}

static void add_hazard(struct ckpt *c, int kind, int file, int j1, int j2)
{
	for (size_t i = 0; i < c->nhazards; i++) {
		const struct hazard *h = &c->hazards[i];
		if (h->kind == kind && h->file == file && h->job1 == j1)
			return;	/* one report per file and job is enough */
	}
	GROW(c->hazards, c->nhazards, c->ahazards);
	c->hazards[c->nhazards++] = (struct hazard){ kind, file, j1, j2 };
}

/*
 * Ordering hazards between the recipe jobs of this build, while the times
 * are there: two jobs that wrote the same file without the second reading
 * it first, and a job that read a file another job wrote only later (with
 * -j the order can flip). Also notes when each file was first read, for
 * the "source changed during the build" check after the roles are known.
 */
/* Could one make have run jobs a and b at once (-j)? Only if a make
 * is a driver of both: not when either ran before any make (configure's
 * dummy .deps/x.Po, then the compile's), nor under two makes a script
 * ran one after the other (automake 1.16's config.status writes the
 * dummies with `make -f - am--depfiles`). memo: 2 a make, 1 not. */
static int one_make_ran(const struct ckpt *c, int a, int b, char *memo)
{
	for (int d = c->jobs[a].driver; d >= 0; d = c->jobs[d].driver) {
		if (!memo[d])
			memo[d] = cmd_is_make(c->jobs[d].cmd) ? 2 : 1;
		if (memo[d] != 2)
			continue;
		for (int e = c->jobs[b].driver; e >= 0; e = c->jobs[e].driver)
			if (e == d)
				return 1;
	}
	return 0;
}

static uint64_t *find_ordering_hazards(struct ckpt *c)
{
	uint64_t *first_read = xcalloc(c->nfiles + 1, sizeof *first_read);
	char *is_make = xcalloc(c->njobs + 1, 1);	/* one_make_ran's */
	int *writer = xmalloc((c->nfiles + 1) * sizeof *writer);
	uint64_t *wtime = xcalloc(c->nfiles + 1, sizeof *wtime);
	for (size_t i = 0; i < c->nfiles; i++)
		writer[i] = -1;
	for (size_t j = 0; j < c->njobs; j++) {
		const struct job *job = &c->jobs[j];
		for (size_t k = 0; k < job->ndeps; k++) {
			const struct dep *d = &job->deps[k];
			uint64_t ti = dep_t_in(job, k), tw = dep_t_write(job, k);
			if ((d->acc & ACC_READ) &&
			    (!first_read[d->file] || ti < first_read[d->file]))
				first_read[d->file] = ti;
			if (job->kind != JOB_RECIPE || !(d->acc & ACC_WRITE) ||
			    c->files[d->file].path[0] == '/')
				continue;
			int w = writer[d->file];
			if (w >= 0 && w != (int)j && dep_input(job, k) != ACC_READ &&
			    one_make_ran(c, w, (int)j, is_make))
				add_hazard(c, HAZ_WRITE_WRITE, d->file, w,
					   (int)j);
			if (w < 0 || tw < wtime[d->file]) {
				writer[d->file] = (int)j;
				wtime[d->file] = tw;
			}
		}
	}
	for (size_t j = 0; j < c->njobs; j++) {
		const struct job *job = &c->jobs[j];
		if (job->kind != JOB_RECIPE)
			continue;
		for (size_t k = 0; k < job->ndeps; k++) {
			const struct dep *d = &job->deps[k];
			int w = writer[d->file];
			if (w >= 0 && w != (int)j && dep_input(job, k) == ACC_READ &&
			    dep_t_in(job, k) < wtime[d->file] &&
			    !(d->acc & (ACC_WRITE | ACC_MKDIR)))
				add_hazard(c, HAZ_READ_EARLY, d->file, (int)j, w);
		}
	}
	free(writer);
	free(wtime);
	free(is_make);
	return first_read;
}

/*
 * A file that was there before the build, whose content the job that
 * first wrote it read before, and that the previous checkpoint (if any)
 * did not make, is the user's: kbuild's syncconfig reads .config and
 * writes it back. Its content: a look-up first is no read (libxml2's
 * config.status runs `rm -f libxml2.spec`, the tarball's, moves its own
 * over it and reads that back: taken for updated in place, every fresh
 * tree had it "modified" and configure invalid). It stays a source
 * (assign_roles): restore must never put the recorded copy over an
 * edited one, and an edit must invalidate its readers. Read by another
 * job only (redis's `cc -MM` of every source read commands.c, which a
 * generator then wrote anew; a -j race
 * in nasm's rules read x86/insnsi.h), it is the writer's output. Not a
 * dependency file (dependency_file): CMake's configure
 * writes each compiler_depend.make empty, and a recipe of the first
 * build reads and fills it; kept a source with what the build left, a
 * tree configured afresh called it modified, and everything its make
 * ran invalid. Needs the times, so before ckpt_classify_deps.
 *
 * A file found there (read, looked at) before the build first wrote it,
 * and never missed, but not read for its content first, was overwritten:
 * FILE_BEFORE (jemalloc's configure writing the VERSION its tarball
 * ships, nasm's `: > x.time` on a shipped stamp). Restore never removes
 * it: in a fresh tree it is what the sources ship, as a clean build
 * starts with it.
 */
static void mark_updated_in_place(struct ckpt *c)
{
	uint64_t *first_write = xcalloc(c->nfiles + 1, sizeof *first_write);
	int *first_writer = xcalloc(c->nfiles + 1, sizeof *first_writer);
	char *absent = xcalloc(c->nfiles + 1, 1);
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++) {
			const struct dep *d = &c->jobs[j].deps[k];
			absent[d->file] |= (d->acc & ACC_ABSENT) != 0;
			uint64_t tw = dep_t_write(&c->jobs[j], k);
			if ((d->acc & ACC_WRITE) &&
			    (!first_write[d->file] || tw < first_write[d->file])) {
				first_write[d->file] = tw;
				first_writer[d->file] = (int)j;
			}
		}
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++) {
			const struct dep *d = &c->jobs[j].deps[k];
			/* Read by more than a comparison: cmp -s new old ||
			 * mv new old writes old without using what it held
			 * (automake's ylwrap, from a directory of its own
			 * through ..). */
			if ((d->acc & ACC_USED) && !absent[d->file] &&
			    first_write[d->file] &&
			    first_writer[d->file] == (int)j &&
			    dep_t_used(&c->jobs[j], k) < first_write[d->file] &&
			    !dependency_file(&c->files[d->file]))
				c->files[d->file].flags |= FILE_UPDATED;
			if ((d->acc & (ACC_READ | ACC_STAT | ACC_LIST)) &&
			    !absent[d->file] && first_write[d->file] &&
			    dep_t_in(&c->jobs[j], k) < first_write[d->file])
				c->files[d->file].flags |= FILE_BEFORE;
		}
	free(first_write);
	free(first_writer);
	free(absent);
}

/* Hazards that need the roles: writes outside the root, and sources whose
 * mtime is later than the build's first read of them. */
static void find_role_hazards(struct ckpt *c, const uint64_t *first_read,
			      size_t nread)
{
	int64_t offset = (int64_t)wall_ns() - (int64_t)now_ns();
	for (size_t j = 0; j < c->njobs; j++) {
		const struct job *job = &c->jobs[j];
		for (size_t k = 0; k < job->ndeps; k++) {
			const struct dep *d = &job->deps[k];
			const struct file *f = &c->files[d->file];
			if ((f->flags & FILE_WRITTEN_OUTSIDE) &&
			    (d->acc & ACC_WRITE))
				add_hazard(c, HAZ_OUTSIDE, d->file, (int)j, -1);
			if (f->role == ROLE_SOURCE && (d->acc & ACC_READ) &&
			    (size_t)d->file < nread && first_read[d->file] &&
			    f->mtime > (int64_t)first_read[d->file] + offset +
					       10000000)
				add_hazard(c, HAZ_SOURCE_CHANGED, d->file,
					   (int)j, -1);
		}
	}
}

/*
 * The programs and libraries the build loaded, hashed on a thread of
 * their own while the trace becomes jobs (build_from_trace, one core's
 * work): outside the tree they are external inputs, hashed in any case,
 * and most of the bytes a save reads (a compiler and its libraries: 226
 * of a kernel build's 250 MB). hash_one takes a hash from here when the
 * file's stat data are still those it was hashed with.
 */
struct early_hash {
	char *path;		/* absolute, normalised */
	struct stat st;
	struct hash128 h;
	int ok;
	UT_hash_handle hh;
};

struct early {
	const struct trace *t;	/* read only, as build_from_trace does */
	const char *root;
	struct early_hash *by_path;
	struct early_hash **v;
	size_t n, a;
	pthread_t th;
	int started;
};

static void early_add(struct early *e, const char *raw)
{
	if (!raw || raw[0] != '/')
		return;
	char *p = xstrdup(raw);
	path_normalize(p);
	struct early_hash *h = NULL;
	if (path_under(p, e->root) || is_pseudo(p))
		goto known;	/* not an external input */
	HASH_FIND_STR(e->by_path, p, h);
	if (h)
		goto known;
	h = xcalloc(1, sizeof *h);
	h->path = p;
	HASH_ADD_KEYPTR(hh, e->by_path, h->path, strlen(h->path), h);
	GROW(e->v, e->n, e->a);
	e->v[e->n++] = h;
	return;
known:
	free(p);
}

/* Finding them is on the thread too: a kernel's trace holds some
 * 140,000 LOAD records. */
static void *early_thread(void *arg)
{
	struct early *e = arg;
	for (size_t i = 0; i < e->t->nimg; i++) {
		const struct image *im = &e->t->img[i];
		if (!im->forked)
			early_add(e, im->exe);
		for (size_t k = 0; k < im->nev; k++)
			if (im->ev[k].rec->op == CKPT_LOAD &&
			    im->ev[k].rec->err == 0)
				early_add(e, im->ev[k].str);
	}
	for (size_t i = 0; i < e->n; i++) {
		struct early_hash *h = e->v[i];
		h->ok = stat(h->path, &h->st) == 0 && S_ISREG(h->st.st_mode) &&
			hash_file(h->path, &h->h) == 0;
	}
	return NULL;
}

static void early_start(struct early *e, const struct trace *t,
			const char *root)
{
	e->t = t;
	e->root = root;
	e->started = pthread_create(&e->th, NULL, early_thread, e) == 0;
}

static void early_wait(struct early *e)
{
	if (e->started)
		pthread_join(e->th, NULL);
	e->started = 0;
}

static void early_release(struct early *e)
{
	early_wait(e);
	struct early_hash *h, *tmp;
	HASH_ITER(hh, e->by_path, h, tmp) {
		HASH_DEL(e->by_path, h);
		free(h->path);
		free(h);
	}
	free(e->v);
}

/* The early hash of `path`, if it is of the file there now. */
static const struct hash128 *early_hash_of(const struct early *e,
					   const char *path,
					   const struct stat *st)
{
	struct early_hash *h;
	HASH_FIND_STR(e->by_path, path, h);
	if (!h || !h->ok || h->st.st_dev != st->st_dev ||
	    h->st.st_ino != st->st_ino || h->st.st_size != st->st_size ||
	    h->st.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	    h->st.st_mtim.tv_nsec != st->st_mtim.tv_nsec ||
	    h->st.st_ctim.tv_sec != st->st_ctim.tv_sec ||
	    h->st.st_ctim.tv_nsec != st->st_ctim.tv_nsec)
		return NULL;
	return &h->h;
}

/* Hashes: content of inputs (through symlinks), listings with the outputs
 * left out (needs every role), outputs as they will be stored. */
struct hashing {
	struct ckpt *c;
	char *unlisted;		/* per file: a listing that cannot be read */
	struct early *early;	/* programs and libraries, hashed already */
};

static int hash_one(void *arg, size_t i, int worker)
{
	struct hashing *h = arg;
	struct ckpt *c = h->c;
	struct file *f = &c->files[i];
	char *p = file_abs(c, f, c->root);
	struct stat st;
	int rc = 0;
	if (f->role == ROLE_SOURCE || f->role == ROLE_EXTERNAL) {
		const struct hash128 *early = NULL;
		if (stat(p, &st) == 0) {
			file_set_stat(f, &st);
			if (f->role == ROLE_EXTERNAL)
				early = early_hash_of(h->early, p, &st);
		}
		if (early)
			f->hash = *early;
		else if (hash_file(p, &f->hash) < 0) {
			warning("cannot read %s: %s (treated as always changed)",
				p, strerror(errno));
			f->hash.hi = f->hash.lo = 1;
		}
	} else if (f->role == ROLE_LISTING) {
		if (listing_hash(c, f, c->root, &f->hash, &f->names) < 0)
			h->unlisted[i] = 1;
	} else if (f->role == ROLE_OUTPUT && S_ISLNK(f->mode)) {
		char target[4096];
		ssize_t n = readlink(p, target, sizeof target - 1);
		if (n < 0) {
			rc = error_errno("cannot read link %s", p);
		} else {
			target[n] = 0;
			f->link = xstrdup(target);
			hash_bytes(target, (size_t)n, &f->hash);
		}
	} else if (f->role == ROLE_OUTPUT && S_ISREG(f->mode)) {
		if (hash_file(p, &f->hash) < 0)
			rc = error_errno("cannot read output %s", p);
	}
	free(p);
	return rc;
}

/* Role, stat data and hash of every file, from the classified deps and
 * the state of the tree now. */
static int assign_roles(struct ckpt *c, struct early *early)
{
	int *acc = file_acc_union(c);
	for (size_t i = 0; i < c->nfiles; i++) {
		struct file *f = &c->files[i];
		const char *abs = f->path[0] == '/' ? f->path : NULL;
		char *tmp = abs ? NULL : file_abs(c, f, c->root);
		const char *p = abs ? abs : tmp;
		int inroot = !abs;
		struct stat st;
		int there = lstat(p, &st) == 0;
		int a = acc[i];
		f->flags &= ~(FILE_WRITTEN_OUTSIDE | FILE_NO_PRODUCER |
			      FILE_GONE);
		if (is_pseudo(p)) {
			f->role = ROLE_PSEUDO;
		} else if ((f->flags & FILE_UPDATED) &&
			   !(f->flags & FILE_WAS_OUTPUT) && there && inroot &&
			   S_ISREG(st.st_mode)) {
			f->role = ROLE_SOURCE;	/* mark_updated_in_place */
		} else if ((f->flags & FILE_APPENDED) &&
			   !(f->flags & (FILE_REWRITTEN | FILE_WAS_OUTPUT)) &&
			   there && inroot && S_ISREG(st.st_mode)) {
			/* Only appended to, where it was before the build
			 * (config.status's `exec 5>>config.log`, which make
			 * may rerun): no writer's input and no job's output,
			 * so restore leaves it, and a tree where it holds
			 * less (configured, not built) changes nothing. A
			 * job that read it read what it held then: a source
			 * with what the build left. */
			f->role = (a & ACC_READ) ? ROLE_SOURCE : ROLE_EXISTS;
			f->flags |= FILE_APPENDED_ONLY;
		} else if ((f->flags & FILE_WAS_OUTPUT) && !(a & ACC_WRITE) &&
			   there && inroot && S_ISREG(st.st_mode) &&
			   dependency_file(f)) {
			/* A dependency file of the previous checkpoint that
			 * no job of this build wrote: restore kept it as
			 * recorded, and its writer ran and found it there
			 * (`[ -f .deps/x.Po ] || echo '# dummy' > ...`).
			 * Not a source: a tree of the same sources lacks it,
			 * and a restore that called it deleted left make
			 * failing on its include. An output without a
			 * producer, which only makes read. */
			f->role = ROLE_OUTPUT;
			f->producer = -1;
			f->flags |= FILE_NO_PRODUCER;
		} else if (a & (ACC_WRITE | ACC_MKDIR)) {
			if (there && inroot)
				f->role = S_ISDIR(st.st_mode) ? ROLE_OUTDIR
							       : ROLE_OUTPUT;
			else
				f->role = ROLE_TEMP;
			if (there && !inroot && !under_tmp(p))
				f->flags |= FILE_WRITTEN_OUTSIDE;
		} else if ((a & ACC_ABSENT) && there && inroot &&
			   appeared(p, &st) && !(f->flags & FILE_FOUND_FIRST)) {
			/* It appeared without a traced writer: an untraced
			 * program made it. Never trust it. */
			f->role = ROLE_OUTPUT;
			f->producer = -1;
			f->flags |= FILE_NO_PRODUCER;
		} else if ((a & ACC_DELETE) && !there) {
			f->role = ROLE_TEMP;
			if (inroot && !(a & (ACC_WRITE | ACC_MKDIR)))
				f->flags |= FILE_GONE;
		} else if (a & ACC_READ) {
			f->role = inroot ? ROLE_SOURCE : ROLE_EXTERNAL;
			if (!there)
				f->role = ROLE_TEMP;
			else if (S_ISDIR(st.st_mode))
				f->role = (a & ACC_LIST) ? ROLE_LISTING
							 : ROLE_EXISTS;
		} else if (a & ACC_LIST) {
			f->role = there ? ROLE_LISTING : ROLE_TEMP;
		} else if (a & ACC_STAT) {
			f->role = ROLE_EXISTS;
		} else if (a & ACC_ABSENT) {
			f->role = there ? ROLE_EXISTS : ROLE_ABSENT;
		} else {
			f->role = ROLE_TEMP;
		}
		if (f->role != ROLE_OUTPUT && f->role != ROLE_OUTDIR)
			f->producer = -1;
		memset(&f->hash, 0, sizeof f->hash);
		free(f->link);
		f->link = NULL;
		free(f->names);
		f->names = NULL;
		if (there)
			file_set_stat(f, &st);
		else
			f->size = f->ino = 0, f->mtime = 0, f->mode = 0;
		/* A symbolic link of the tree a job used: the name it holds
		 * is what copying the link (`cp -P`, tar) or asking where it
		 * leads (realpath) gives; changes.c compares it (CH_LINK). */
		if (there && inroot && S_ISLNK(st.st_mode) &&
		    (f->role == ROLE_SOURCE || f->role == ROLE_EXISTS))
			f->link = path_link_target(c->root, f->path);
		free(tmp);
	}
	c->links_known = 1;
	free(acc);
	mark_output_parents(c);
	char *unlisted = xcalloc(c->nfiles + 1, 1);
	struct hashing h = { c, unlisted, early };
	early_wait(early);
	int rc = parallel_for(c->nfiles, 64, PFOR_IO, hash_one, &h, "hashing");
	/* Only now: listing_hash reads the roles of other files. */
	for (size_t i = 0; i < c->nfiles; i++)
		if (unlisted[i])
			c->files[i].role = ROLE_TEMP;
	free(unlisted);
	return rc;
}

struct store {
	struct ckpt *c;
	const char *dir;
	struct pack_writer *pack;
	size_t *todo;
	atomic_uint_least64_t bytes;
	size_t *loose;			/* files stored as loose objects */
	atomic_size_t nloose;
};

static int store_one(void *arg, size_t k, int worker)
{
	struct store *st = arg;
	struct file *f = &st->c->files[st->todo[k]];
	char *p = file_abs(st->c, f, st->c->root);
	int text;
	uint64_t bytes = 0;
	int rc = object_store(st->dir, p, f, st->c->root, st->pack, &text,
			      &bytes);
	if (rc == 0 && text)
		f->flags |= FILE_NAMES_ROOT;
	else if (rc == 0 && S_ISREG(f->mode) &&
		 elf_runpath_under(p, st->c->root))
		f->flags |= FILE_RUNPATH_ROOT;
	free(p);
	if (rc < 0)
		return -1;
	atomic_fetch_add(&st->bytes, bytes);
	if (f->size > PACK_MAX)
		st->loose[atomic_fetch_add(&st->nloose, 1)] = st->todo[k];
	return 0;
}

/*
 * The objects must be on the disk before the manifest that names them.
 * A save writes one pack (flushed as it is committed) and a loose object
 * for each output over PACK_MAX: a kernel's four. While they are few,
 * each is flushed with its directory, also one that was there already (a
 * save killed before its flush may have written it); syncfs would also
 * wait for all else that is waiting to be written on that file system:
 * the build's own outputs, and whatever else the machine is doing (a
 * large copy can make that seconds). Many are left to one syncfs.
 */
enum { FLUSH_EACH_MAX = 64 };

/* A directory's fsync is asked for, as everywhere in fsio.c, and not
 * required: some file systems refuse it (EINVAL). */
static int flush_one(void *arg, size_t k, int worker)
{
	const struct store *st = arg;
	char *p = object_path(st->dir, &st->c->files[st->loose[k]].hash);
	int rc = fsync_path(p);
	if (rc < 0) {
		rc = error_errno("cannot flush %s", p);
	} else {
		*strrchr(p, '/') = 0;
		fsync_dir(p);	/* objects/<hh> */
	}
	free(p);
	return rc;
}

static int flush_objects(struct store *st)
{
	size_t n = atomic_load(&st->nloose);
	if (n > FLUSH_EACH_MAX)
		return sync_fs_of(st->dir) < 0
			       ? error_errno("cannot flush the checkpoint in "
					     "%s", st->dir)
			       : 0;
	if (parallel_for(n, 1, PFOR_IO, flush_one, st, NULL) < 0)
		return -1;
	/* new objects/<hh> and objects/packs directories */
	char *objs = xasprintf("%s/objects", st->dir);
	fsync_dir(objs);
	free(objs);
	return 0;
}

/* Compress every output into the object store, a thread a core (the build
 * is over: the cores are ours), then flush them (flush_objects). Not one
 * without a producer, which is never restored, but for a dependency file:
 * invalid, restore keeps it as recorded for make to read. */
static int store_outputs(struct ckpt *c, const char *dir,
			 struct save_stats *s)
{
	char *objs = xasprintf("%s/objects", dir);
	if (mkdir(objs, 0755) < 0 && errno != EEXIST) {
		int rc = error_errno("cannot create %s", objs);
		free(objs);
		return rc;
	}
	free(objs);
	struct store st = { .c = c, .dir = dir };
	size_t n = 0;
	st.todo = xmalloc((c->nfiles + 1) * sizeof *st.todo);
	st.loose = xmalloc((c->nfiles + 1) * sizeof *st.loose);
	atomic_init(&st.nloose, 0);
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *f = &c->files[i];
		if (f->role == ROLE_OUTPUT && S_ISREG(f->mode) &&
		    (!(f->flags & FILE_NO_PRODUCER) || dependency_file(f)))
			st.todo[n++] = i;
	}
	atomic_init(&st.bytes, 0);
	st.pack = pack_begin(dir);
	int rc = parallel_for(n, 1, PFOR_CPU, store_one, &st,
			      "storing outputs");
	if (pack_finish(st.pack, rc == 0) < 0 && rc == 0)
		rc = error_errno("cannot write the pack of new objects in %s",
				 dir);
	if (rc == 0)
		rc = flush_objects(&st);
	free(st.todo);
	free(st.loose);
	if (rc < 0)
		return -1;
	s->outputs += n;
	s->bytes_stored += atomic_load(&st.bytes);
	return 0;
}

struct hashset {
	struct hash128 h;
	UT_hash_handle hh;
};

static int referenced(void *arg, const struct hash128 *h)
{
	struct hashset *set = arg, *e;
	HASH_FIND(hh, set, h, sizeof *h, e);
	return e != NULL;
}

/* The hash a loose object's file is named by, objects/<hh>/<rest>.zst
 * exactly as object_path writes it; -1 for any other name (a raw copy of
 * format 1, which the save replaced with a .zst, or a stray file). */
static int loose_hash(const char *hh, const char *rest, struct hash128 *h)
{
	char hex[HASH_HEX];
	if (strlen(hh) != 2 || strlen(rest) != 30 + 4 ||
	    strcmp(rest + 30, ".zst"))
		return -1;
	memcpy(hex, hh, 2);
	memcpy(hex + 2, rest, 30);
	hex[32] = 0;
	return hash_from_hex(hex, h);	/* lower-case hex only, as written */
}

/* Objects the manifest names no more: packs holding none of them go,
 * those mostly unreferenced are rewritten (pack.c), loose ones are
 * removed. */
static void collect_garbage(const struct ckpt *c, const char *dir)
{
	struct hashset *set = NULL, *e, *tmp;
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *f = &c->files[i];
		if (f->role != ROLE_OUTPUT || !S_ISREG(f->mode))
			continue;
		HASH_FIND(hh, set, &f->hash, sizeof f->hash, e);
		if (e)
			continue;
		e = xmalloc(sizeof *e);
		e->h = f->hash;
		HASH_ADD(hh, set, h, sizeof e->h, e);
	}
	pack_collect(dir, referenced, set);
	char *objs = xasprintf("%s/objects", dir);
	DIR *top = opendir(objs);
	struct dirent *de;
	while (top && (de = readdir(top))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "packs"))
			continue;
		char *sub = xasprintf("%s/%s", objs, de->d_name);
		DIR *d = opendir(sub);
		struct dirent *oe;
		while (d && (oe = readdir(d))) {
			struct hash128 h;
			if (oe->d_name[0] == '.' ||
			    (loose_hash(de->d_name, oe->d_name, &h) == 0 &&
			     referenced(set, &h)))
				continue;
			char *p = xasprintf("%s/%s", sub, oe->d_name);
			unlink(p);
			free(p);
		}
		if (d)
			closedir(d);
		rmdir(sub);	/* fails, harmlessly, unless empty */
		free(sub);
	}
	if (top)
		closedir(top);
	free(objs);
	HASH_ITER(hh, set, e, tmp) {
		HASH_DEL(set, e);
		free(e);
	}
}

/* The drivers (makes) of a build, by directory and command line. */
struct driver_key {
	char *key;
	int job;
	UT_hash_handle hh;
};

/* Its directory is taken from the root, and the root in its command line
 * (`make -C $(CURDIR)/sub`) is written <root>: the old build ran in
 * another copy of the tree, as often as not. */
static char *driver_key(const struct ckpt *c, const struct job *j)
{
	const char *cwd = j->cwd ? j->cwd : "";
	const char *rel = c->root ? path_under(cwd, c->root) : NULL;
	const char *cmd = j->cmd ? j->cmd : "";
	size_t rl = c->root ? strlen(c->root) : 0;
	char *key = xasprintf("%s\t", rel ? rel : cwd);
	size_t n = strlen(key);
	for (const char *at; rl && (at = strstr(cmd, c->root));
	     cmd = at + rl) {
		key = xrealloc(key, n + (size_t)(at - cmd) + 7);
		memcpy(key + n, cmd, (size_t)(at - cmd));
		n += (size_t)(at - cmd);
		memcpy(key + n, "<root>", 7);
		n += 6;
	}
	key = xrealloc(key, n + strlen(cmd) + 1);
	strcpy(key + n, cmd);
	return key;
}

/* The drivers of c (drivers), or its other jobs, by driver_key. */
static struct driver_key *index_jobs(const struct ckpt *c, int drivers)
{
	struct driver_key *set = NULL, *e;
	for (size_t j = 0; j < c->njobs; j++) {
		if ((c->jobs[j].kind == JOB_DRIVER) != drivers)
			continue;
		char *k = driver_key(c, &c->jobs[j]);
		HASH_FIND_STR(set, k, e);
		if (e) {
			free(k);
			continue;
		}
		e = xcalloc(1, sizeof *e);
		e->key = k;
		e->job = (int)j;
		HASH_ADD_KEYPTR(hh, set, e->key, strlen(e->key), e);
	}
	return set;
}

static void free_drivers(struct driver_key *set)
{
	struct driver_key *e, *tmp;
	HASH_ITER(hh, set, e, tmp) {
		HASH_DEL(set, e);
		free(e->key);
		free(e);
	}
}

/* Path p, recorded under old_root, as under new_root (the tree the
 * chained record ran in); anything else as it is. A copy. */
static char *rebased(const char *p, const char *old_root,
		     const char *new_root)
{
	const char *rel = path_under(p, old_root);
	return !rel   ? xstrdup(p)
	       : *rel ? xasprintf("%s/%s", new_root, rel)
		      : xstrdup(new_root);
}

/* "cwd\targv..." of an exec, its cwd rebased. */
static char *rebased_exec(const char *line, const char *old_root,
			  const char *new_root)
{
	const char *tab = strchr(line, '\t');
	if (!tab)
		return xstrdup(line);
	char *cwd = xmemdup(line, (size_t)(tab - line) + 1);
	cwd[tab - line] = 0;
	char *r = rebased(cwd, old_root, new_root);
	char *out = xasprintf("%s%s", r, tab);
	free(r);
	free(cwd);
	return out;
}

/* The old checkpoint's top job when it is no make (`sh -c './configure
 * && make'`), kept as a driver of its own for the old jobs it ran
 * itself: configure, which no make of the new build ran either, so that
 * restore and status still say to run it again when it is invalid.
 * Made once an old top, kept[old_top]: 0 not asked yet, -1 a make, else
 * the copy + 1. Returns the copy, or -1 when the old top is a make. A
 * chained checkpoint has two tops: the make of its build, and such a
 * copy, kept again. */
static int kept_top_driver(struct ckpt *c, const struct ckpt *old,
			   int old_top, int *kept)
{
	if (kept[old_top])
		return kept[old_top] < 0 ? -1 : kept[old_top] - 1;
	const struct job *ot = &old->jobs[old_top];
	if (cmd_is_make(ot->cmd)) {
		kept[old_top] = -1;
		return -1;
	}
	int nj = ckpt_job_new(c, JOB_DRIVER, -1);
	struct job *job = &c->jobs[nj];
	job->cwd = rebased(ot->cwd, old->root, c->root);
	job->cmd = xstrdup(ot->cmd);
	job->start = ot->start;
	job->end = ot->end;
	for (size_t k = 0; k < ot->nenv; k++)
		job_add_string(&job->env, &job->nenv, &job->aenv, ot->env[k],
			       0);
	kept[old_top] = nj + 1;
	return nj;
}

/* The driver of this build that matches old driver d, or `top`. */
static int same_driver(struct driver_key *set, const struct ckpt *old, int d,
		       int top)
{
	if (d < 0 || old->jobs[d].driver < 0)
		return top;
	char *k = driver_key(old, &old->jobs[d]);
	struct driver_key *e;
	HASH_FIND_STR(set, k, e);
	free(k);
	return e ? e->job : top;
}

/*
 * A directory or file (path) that an old job made and that new job nj,
 * the same command run again, found there: mkdir failing with EEXIST is
 * no write, and without this the directory would only be one the build
 * looked at, missing from any fresh copy. libtool's first compile makes
 * src/.libs; chained after an edit of that file, the libtool link that
 * lists .libs was invalid in every fresh copy. A file: the command writes
 * it only when its text changes (cmake's generated Makefiles and cache,
 * config.status's config.h), and left it as restore put it back; else it
 * was a source of the chained checkpoint, "deleted" in any fresh copy,
 * and the command invalid, with everything after it (libjpeg-turbo).
 * acc: ACC_MKDIR or ACC_WRITE. The file's id, or -1.
 */
static int remade(struct ckpt *c, const char *path, int nj, int acc)
{
	int nf = ckpt_file(c, path, acc == ACC_WRITE);
	if (nf < 0)
		return -1;
	struct job *job = &c->jobs[nj];
	size_t d = 0;
	while (d < job->ndeps && job->deps[d].file != nf)
		d++;
	if (d == job->ndeps) {
		GROW(job->deps, job->ndeps, job->adeps);
		job->deps[job->ndeps++] = (struct dep){ .file = nf };
	}
	job->deps[d].acc |= acc;
	c->files[nf].producer = nj;
	return nf;
}

/* kept_as[] of an old job dropped for writing nothing that is left (`test
 * -s out` between `cp in out` and `touch stamp`). */
#define BARE_LINE (-2)

/* Link kept job `job` (old job j) to the kept lines that came before it
 * in its recipe: through lines dropped as bare, which link nothing
 * themselves, to the kept ones before those (up to 8 lines back). Else
 * `touch stamp` would lose `cp in out` behind `test -s out`, and an
 * edit of `in` would leave stamp valid and out missing. */
static void link_kept_lines(const struct ckpt *old, const int *kept_as,
			    int j, struct job *job)
{
	int queue[64], seen[64];
	size_t head = 0, tail = 0, nseen = 0;
	queue[tail++] = j;
	for (int depth = 0; head < tail && depth < 8; depth++) {
		size_t end = tail;
		for (; head < end; head++) {
			const struct job *oj = &old->jobs[queue[head]];
			for (size_t k = 0; k < oj->nprev; k++) {
				int p = oj->prev[k], dup = 0;
				if (p < 0 || (size_t)p >= old->njobs)
					continue;
				for (size_t s = 0; s < nseen; s++)
					dup |= seen[s] == p;
				if (dup || nseen == 64)
					continue;
				seen[nseen++] = p;
				if (kept_as[p] >= 0) {
					GROW(job->prev, job->nprev, job->aprev);
					job->prev[job->nprev++] = kept_as[p];
				} else if (kept_as[p] == BARE_LINE && tail < 64) {
					queue[tail++] = p;
				}
			}
		}
	}
}

/* Why an old job is kept by merge_previous, or that it is not. */
enum keep {
	KEEP_NOT = 0,
	KEEP_OUTPUTS,	/* it has outputs in this tree */
	KEEP_TEMPS,	/* a kept job read a temporary file it wrote */
	KEEP_NEVER,	/* redone by this build, or untraced */
};

/* Keep, besides the jobs with outputs, the jobs that wrote a temporary
 * file a kept job read: `cp $< $*.tmp` before `mv $*.tmp $@`, zlib's `gcc
 * -o objs/x.o` before `mv objs/x.o x.lo`. Dropped, the mv alone was kept,
 * and an edit of the source left x.lo valid. Through chains of them: a
 * kept writer's own temporaries count too. */
static void keep_writers_of_temps(const struct ckpt *old, unsigned char *keep,
				  const char *rewritten)
{
	char *read = xcalloc(old->nfiles + 1, 1);
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t j = 0; j < old->njobs; j++) {
			const struct job *oj = &old->jobs[j];
			if (keep[j] != KEEP_OUTPUTS && keep[j] != KEEP_TEMPS)
				continue;
			for (size_t k = 0; k < oj->ndeps; k++)
				if (oj->deps[k].acc & ACC_READ)
					read[oj->deps[k].file] = 1;
		}
		for (size_t j = 0; j < old->njobs; j++) {
			const struct job *oj = &old->jobs[j];
			if (keep[j] || (oj->kind != JOB_RECIPE &&
					oj->kind != JOB_SHELL))
				continue;
			for (size_t k = 0; k < oj->ndeps && !keep[j]; k++) {
				const struct dep *d = &oj->deps[k];
				const struct file *f = &old->files[d->file];
				if ((d->acc & ACC_WRITE) && f->role == ROLE_TEMP &&
				    f->path[0] != '/' && read[d->file] &&
				    !rewritten[d->file])
					keep[j] = KEEP_TEMPS, changed = 1;
			}
		}
	}
	free(read);
}

int chain_start_check(const char *dir, const char *root,
		      struct chain_start *cs)
{
	memset(cs, 0, sizeof *cs);
	char *mpath = xasprintf("%s/manifest", dir);
	int exists = access(mpath, F_OK) == 0;
	free(mpath);
	struct ckpt old;
	if (!exists || manifest_read(&old, dir) < 0)
		return -1;
	old.dir = xstrdup(dir);		/* as merge_previous */
	ckpt_detect_changes(&old, root);
	envvars_check(&old);
	ckpt_affected(&old);
	cs->created = old.created;
	cs->njobs = old.njobs;
	cs->stale = xcalloc(old.njobs + 1, 1);
	for (size_t j = 0; j < old.njobs; j++)
		cs->stale[j] = old.jobs[j].affected != 0;
	ckpt_release(&old);
	return 0;
}

void chain_start_release(struct chain_start *cs)
{
	free(cs->stale);
	cs->stale = NULL;
}

/* The jobs of the previous checkpoint that this build did not redo. DIR
 * without a checkpoint is a fresh start, unless it was named (--from). */
static int merge_previous(struct ckpt *c, const char *dir, int named,
			  const struct chain_start *cs, struct save_stats *s)
{
	if (!dir)
		return 0;
	char *mpath = xasprintf("%s/manifest", dir);
	int exists = access(mpath, F_OK) == 0;
	free(mpath);
	if (!exists && named)
		return error("no checkpoint in %s (--from)", dir);
	if (!exists)
		return 0;
	struct ckpt old;
	if (manifest_read(&old, dir) < 0)
		return error("not updating a damaged checkpoint: remove %s "
			     "or record into another directory", dir);
	old.dir = xstrdup(dir);	/* its makefiles that are outputs */
	/* What this build wrote is the build's own in the old model too: a
	 * path the old build looked for and did not find, which this one
	 * made (cmake's configure probes compiler_depend.internal, the next
	 * make writes it), or a name it added to a directory make listed,
	 * is not a change that makes the old jobs stale. */
	int *wrote = NULL;
	size_t nwrote = 0, awrote = 0;
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++) {
			const struct dep *d = &c->jobs[j].deps[k];
			if (!(d->acc & (ACC_WRITE | ACC_MKDIR)))
				continue;
			int of = ckpt_file(&old, c->files[d->file].path, 1);
			if (old.files[of].role == ROLE_NONE)
				old.files[of].flags |= FILE_MET_LATER;
			if (old.files[of].role == ROLE_NONE ||
			    old.files[of].role == ROLE_ABSENT)
				old.files[of].role = ROLE_TEMP;
			GROW(wrote, nwrote, awrote);
			wrote[nwrote++] = of;
		}
	ckpt_detect_changes(&old, c->root);
	envvars_check(&old);
	/* Files some new job writes. */
	char *rewritten = xcalloc(old.nfiles + 1, 1);
	for (size_t i = 0; i < nwrote; i++)
		rewritten[wrote[i]] = 1;
	free(wrote);
	/* A file an old job read that this build rewrote (automake's
	 * Makefile.in, which make regenerated from an edited Makefile.am,
	 * read by configure) is no change that makes the job stale, as in
	 * a single build, when the job was valid as the build began:
	 * record asked then (cs). Else the old content is not known, and
	 * the new one counts. */
	int at_start = cs && cs->stale && cs->created == old.created &&
		       cs->njobs == old.njobs;
	for (size_t i = 0; at_start && i < old.nfiles; i++)
		if (rewritten[i] && old.files[i].changed == CH_CONTENT)
			old.files[i].changed = CH_NONE;
	/* What a restore of the old checkpoint into this tree would find
	 * invalid: also a job whose make read a changed makefile or used a
	 * changed variable, and the readers of what such jobs wrote. make
	 * need not have re-run it (it does not know of the change). */
	ckpt_affected(&old);
	for (size_t i = 0; i < old.nfiles; i++) {
		int nf = old.files[i].role == ROLE_OUTPUT
				 ? ckpt_file(c, old.files[i].path, 0)
				 : -1;
		/* There before this build because the old one made it
		 * (a restore put it there), or because the sources ship
		 * it, as the old checkpoint knew. */
		if (nf >= 0)
			c->files[nf].flags =
				(c->files[nf].flags & ~FILE_BEFORE) |
				(old.files[i].flags & FILE_BEFORE) |
				FILE_WAS_OUTPUT;
	}
	int top = -1;
	for (size_t j = 0; j < c->njobs && top < 0; j++)
		if (c->jobs[j].driver < 0)
			top = (int)j;
	struct driver_key *drivers = index_jobs(c, 1);
	struct driver_key *redone_by = index_jobs(c, 0);
	/* Per old job: its new job, if kept; and the new job that redid
	 * it (ran the same command again), if one did. */
	int *kept_as = xmalloc((old.njobs + 1) * sizeof *kept_as);
	int *redone_as = xmalloc((old.njobs + 1) * sizeof *redone_as);
	for (size_t j = 0; j < old.njobs; j++)
		kept_as[j] = redone_as[j] = -1;
	/* Which old jobs are kept, and why (enum keep). */
	unsigned char *keep = xcalloc(old.njobs + 1, 1);
	int *kept_tops = xcalloc(old.njobs + 1, sizeof *kept_tops);
	for (size_t j = 0; j < old.njobs; j++) {
		struct job *oj = &old.jobs[j];
		/* A $(shell ...) job too: kbuild makes
		 * arch/x86/include/generated/ with `$(shell mkdir -p ...)`,
		 * which finds it there in the new build and writes nothing. */
		if (oj->kind != JOB_RECIPE && oj->kind != JOB_SHELL)
			continue;
		int outputs = 0, redone = 0;
		for (size_t k = 0; k < oj->ndeps; k++) {
			const struct dep *d = &oj->deps[k];
			const struct file *of = &old.files[d->file];
			if (!(d->acc & (ACC_WRITE | ACC_MKDIR)))
				continue;
			if (of->producer == (int)j)
				redone |= rewritten[d->file];
			/* Outputs in this tree that no new job wrote count,
			 * also one that a later line rewrote (`gcc -o prog`,
			 * then `strip prog`): a change reaches prog through
			 * the line that read main.c. */
			if ((of->role != ROLE_OUTPUT && of->role != ROLE_OUTDIR) ||
			    rewritten[d->file])
				continue;
			char *p = file_abs(&old, of, c->root);
			struct stat st;
			outputs += lstat(p, &st) == 0;
			free(p);
		}
		/* Redone: this build ran the same command again, and it
		 * wrote over what the old run made. Another command writing
		 * over one of its files (cmake's --check-build-system over
		 * a file of the configure step) takes only that file. */
		if (redone) {
			char *key = driver_key(&old, oj);
			struct driver_key *e;
			HASH_FIND_STR(redone_by, key, e);
			free(key);
			redone = e != NULL;
			if (e)
				redone_as[j] = e->job;
		}
		if (redone || oj->untraced)
			keep[j] = KEEP_NEVER;
		else if (outputs)
			keep[j] = KEEP_OUTPUTS;
	}
	keep_writers_of_temps(&old, keep, rewritten);
	for (size_t j = 0; j < old.njobs; j++) {
		struct job *oj = &old.jobs[j];
		if (oj->kind != JOB_RECIPE && oj->kind != JOB_SHELL)
			continue;
		if (!keep[j])
			kept_as[j] = BARE_LINE;
		if (!keep[j] || keep[j] == KEEP_NEVER)
			continue;
		/* Invalid as a restore would find it: a change to a file it
		 * only stat'ed (configure's `test -f src/hello.c`) is not
		 * one, its disappearance is. */
		int stale = oj->affected != 0 || (at_start && cs->stale[j]);
		/* Under the make of this build that ran the same command in
		 * the same directory as its old one: what that make reads
		 * and uses is still what the job depends on. */
		int drv = same_driver(drivers, &old, oj->driver, top);
		if (oj->driver >= 0 && old.jobs[oj->driver].driver < 0) {
			int kt = kept_top_driver(c, &old, oj->driver,
						 kept_tops);
			if (kt >= 0)
				drv = kt;
		}
		int nj = ckpt_job_new(c, oj->kind, drv);
		struct job *job = &c->jobs[nj];
		kept_as[j] = nj;
		oj = &old.jobs[j];
		job->cwd = rebased(oj->cwd, old.root, c->root);
		job->cmd = xstrdup(oj->cmd);
		job->start = oj->start;
		job->end = oj->end;
		job->untraced = stale ? -1 : 0;	/* marker, cleared below */
		for (size_t k = 0; k < oj->ndeps; k++) {
			const struct dep *d = &oj->deps[k];
			int f = ckpt_file(c, old.files[d->file].path, 1);
			int acc = d->acc;
			/* Not what the new build wrote over, and not a
			 * source a job updated in place (configure's
			 * libogg.spec): that is the user's. */
			int role = old.files[d->file].role;
			if (rewritten[d->file] ||
			    (role != ROLE_OUTPUT && role != ROLE_OUTDIR &&
			     role != ROLE_TEMP))
				acc &= ~(ACC_WRITE | ACC_MKDIR);
			GROW(job->deps, job->ndeps, job->adeps);
			job->deps[job->ndeps++] =
				(struct dep){ .file = f, .acc = acc };
		}
		for (size_t k = 0; k < oj->nenv; k++)
			job_add_string(&job->env, &job->nenv, &job->aenv,
				       oj->env[k], 0);
		/* Without such a make, the variables its old make used. */
		for (int d = oj->driver; drv == top && d >= 0 &&
					 old.jobs[d].driver >= 0;
		     d = old.jobs[d].driver)
			for (size_t k = 0; k < old.jobs[d].nenv; k++)
				job_add_string(&job->env, &job->nenv,
					       &job->aenv, old.jobs[d].env[k],
					       1);
		for (size_t k = 0; k < oj->nnet; k++)
			job_add_string(&job->net, &job->nnet, &job->anet,
				       oj->net[k], 0);
		for (size_t k = 0; k < oj->nexecs; k++) {
			char *e = rebased_exec(oj->execs[k], old.root, c->root);
			job_add_string(&job->execs, &job->nexecs, &job->aexecs,
				       e, 0);
			free(e);
		}
		s->kept++;
	}
	/* A file the old build wrote and this one did not keeps its last
	 * writer, if that job is kept. */
	for (size_t i = 0; i < old.nfiles; i++) {
		int p = old.files[i].producer;
		int nf = p >= 0 && kept_as[p] >= 0 && !rewritten[i]
				 ? ckpt_file(c, old.files[i].path, 0)
				 : -1;
		if (nf >= 0) {
			c->files[nf].producer = kept_as[p];
			c->files[nf].flags |= old.files[i].flags & FILE_DEPFILE;
		} else if (p >= 0 && redone_as[p] >= 0 && !rewritten[i] &&
			   (old.files[i].role == ROLE_OUTDIR ||
			    old.files[i].role == ROLE_OUTPUT)) {
			nf = remade(c, old.files[i].path, redone_as[p],
				    old.files[i].role == ROLE_OUTDIR
					    ? ACC_MKDIR
					    : ACC_WRITE);
			if (nf >= 0)
				c->files[nf].flags |=
					old.files[i].flags & FILE_DEPFILE;
		}
	}
	/* Recipe lines kept together stay linked. */
	for (size_t j = 0; j < old.njobs; j++) {
		if (kept_as[j] < 0)
			continue;
		struct job *job = &c->jobs[kept_as[j]];
		job->target_look = old.jobs[j].target_look;
		link_kept_lines(&old, kept_as, (int)j, job);
	}
	free(kept_as);
	free(redone_as);
	free(keep);
	free(kept_tops);
	free_drivers(drivers);
	free_drivers(redone_by);
	free(rewritten);
	ckpt_release(&old);
	return 0;
}

/* What the stale kept jobs wrote becomes outputs without a producer
 * (merge_previous gave the others theirs). A stale job whose outputs
 * are there was run again by hand since (configure, after the restore
 * said to), or not at all: said, for no restore can make them. Not for
 * a dependency file: restore kept it as recorded, make did not remake it
 * (a dummy `.Po` whose rule has no prerequisite), and only makes read
 * it, which its lack of a producer does not make invalid. */
static void adopt_kept(struct ckpt *c, size_t first_kept)
{
	size_t orphans = 0;
	const char *cmd = NULL;
	for (size_t j = first_kept; j < c->njobs; j++) {
		struct job *job = &c->jobs[j];
		int stale = job->untraced == -1;
		job->untraced = 0;
		for (size_t k = 0; stale && k < job->ndeps; k++) {
			const struct dep *d = &job->deps[k];
			if (!(d->acc & (ACC_WRITE | ACC_MKDIR)))
				continue;
			struct file *f = &c->files[d->file];
			if (f->producer == (int)j && (d->acc & ACC_WRITE) &&
			    f->path[0] != '/' && !dependency_file(f)) {
				char *p = file_abs(c, f, c->root);
				struct stat st;
				if (lstat(p, &st) == 0 && S_ISREG(st.st_mode)) {
					orphans++;
					cmd = cmd ? cmd : job->cmd;
				}
				free(p);
			}
			f->producer = -1;
			f->flags |= FILE_NO_PRODUCER;
		}
	}
	if (orphans)
		fprintf(stderr,
			"ckpt: note: %zu output%s of a job the previous "
			"checkpoint has invalid in this tree, which this "
			"build did not run (%s): no traced job wrote %s, so "
			"every restore from this checkpoint rebuilds what "
			"reads %s. Record the command that makes %s as well "
			"(ckpt record --from OLD -- sh -c './configure && "
			"make').\n",
			orphans, orphans > 1 ? "s" : "", cmd_display(cmd),
			orphans > 1 ? "them" : "it", orphans > 1 ? "them" : "it",
			orphans > 1 ? "them" : "it");
}

/* A build that ran outside the tree being saved, wrote nothing in it, and
 * left files where it ran: `ckpt save` run from a subdirectory, or from
 * the wrong tree. Such a checkpoint would have no outputs and restore
 * nothing, so it is refused, and the trace kept for a save in the right
 * place. `cwd`: where the build's first process started. */
static int ran_elsewhere(const struct ckpt *c, const char *cwd)
{
	if (!cwd || path_under(cwd, c->root))
		return 0;
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *f = &c->files[i];
		if ((f->role == ROLE_OUTPUT || f->role == ROLE_OUTDIR) &&
		    f->path[0] != '/')
			return 0;
	}
	for (size_t j = 0; j < c->njobs; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++) {
			const struct dep *d = &c->jobs[j].deps[k];
			const char *p = c->files[d->file].path;
			struct stat st;
			if ((d->acc & ACC_WRITE) && path_under(p, cwd) &&
			    lstat(p, &st) == 0 && S_ISREG(st.st_mode))
				return error("the build ran in %s and wrote "
					     "%s, but nothing in %s: save the "
					     "checkpoint where the build ran "
					     "(the trace is kept)",
					     cwd, p, c->root);
		}
	return 0;
}

/* Sources beside the tree: a build run in a VPATH directory (expat's
 * build/, its sources in ../lib) reads them outside the root, where they
 * are compared in place, also from a copy of the tree: a copy of their
 * parent, restored in its build/, would check the old ../lib. Said once
 * at the save, with the way to include them. Dot directories beside the
 * tree ($HOME/.cache when the tree is in $HOME) are not sources. */
static void note_sources_beside(const struct ckpt *c)
{
	const char *slash = strrchr(c->root, '/');
	if (!slash || slash == c->root)
		return;		/* the tree is /, or directly under it */
	size_t plen = (size_t)(slash - c->root), n = 0;
	const char *first = NULL;
	for (size_t i = 0; i < c->nfiles; i++) {
		const char *p = c->files[i].path;
		if (c->files[i].role != ROLE_EXTERNAL ||
		    strncmp(p, c->root, plen) || p[plen] != '/' ||
		    p[plen + 1] == '.')
			continue;
		if (!first)
			first = p;
		n++;
	}
	if (n)
		fprintf(stderr,
			"ckpt: note: the build read %zu file%s beside the "
			"tree, in %.*s (%s%s): they are checked where they "
			"are, also for a copy of the tree. To carry them with "
			"it, record from %.*s (ckpt record -- make -C %s)\n",
			n, n == 1 ? "" : "s", (int)plen, c->root, first,
			n > 1 ? ", ..." : "", (int)plen, c->root, slash + 1);
}

/* The build started in the tree through a symbolic link (a bare
 * LD_PRELOAD run from such a path; `ckpt record` passes the real one on
 * as PWD): what it named by $PWD is outside the tree by its text, checked
 * where it is and never moved with the tree. Said when the build did. */
static void note_linked_pwd(const struct ckpt *c, const struct trace *t)
{
	const struct event *env = NULL;	/* the first ENVIRON record */
	for (size_t i = 0; !env && i < t->nimg; i++)
		for (size_t k = 0; !env && k < t->img[i].nev; k++)
			if (t->img[i].ev[k].rec->op == CKPT_ENVIRON)
				env = &t->img[i].ev[k];
	const char *pwd = NULL;
	for (int s = 0; env && !pwd && s < env->rec->nstr; s++)
		if (!strncmp(event_str(env, s), "PWD=/", 5))
			pwd = event_str(env, s) + 4;
	struct stat a, b;
	if (!pwd || !strcmp(pwd, c->root) || stat(pwd, &a) < 0 ||
	    stat(c->root, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino)
		return;
	size_t n = 0;
	for (size_t i = 0; i < c->nfiles; i++)
		n += path_under(c->files[i].path, pwd) != NULL;
	if (n)
		fprintf(stderr,
			"ckpt: note: the build ran in %s, a symbolic link "
			"to the tree, and named %zu file%s through it: "
			"those are taken for files outside the tree, not "
			"checked as its own. Run the build from %s, or "
			"under ckpt record, which gives it that path as "
			"PWD\n",
			pwd, n, n == 1 ? "" : "s", c->root);
}

/* Objects the build read and did not make: an earlier build's (a build
 * recorded in a tree built before, or restored by ckpt and recorded
 * without --from). Taken for sources, they are never rebuilt from the
 * checkpoint, and a restore into a tree without them calls them deleted
 * and rebuilds what read them. Said once at the save. */
static void note_prebuilt_objects(const struct ckpt *c)
{
	static const char *const suffixes[] = { ".o", ".lo", ".a", ".ko",
						".obj" };
	size_t n = 0;
	const char *first = NULL;
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *f = &c->files[i];
		if (f->role != ROLE_SOURCE || !S_ISREG(f->mode))
			continue;
		const char *dot = strrchr(f->path, '.');
		for (size_t k = 0; dot && k < sizeof suffixes / sizeof *suffixes;
		     k++)
			if (!strcmp(dot, suffixes[k])) {
				if (!first)
					first = f->path;
				n++;
				break;
			}
	}
	if (n)
		fprintf(stderr,
			"ckpt: note: the build read %zu object file%s it did "
			"not make (%s%s): an earlier build's, taken for "
			"sources. Record a clean build; in a tree ckpt "
			"restored, record on top of its checkpoint (ckpt "
			"record --from OLD -- make)\n",
			n, n == 1 ? "" : "s", path_shown(first),
			n > 1 ? ", ..." : "");
}

/* Outputs the build wrote through a symbolic link in the tree (`build ->
 * build-x86`, `out -> /scratch/out`): their paths are the ones the build
 * used, and restore refuses any path through a link, which could take it
 * out of the tree. Said once at the save, by the first such link, rather
 * than found at the first restore. */
static void note_linked_outputs(const struct ckpt *c)
{
	size_t n = 0, at = 0;
	char *first = NULL, *dir = NULL;	/* dir: last one found clear */
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *f = &c->files[i];
		if ((f->role != ROLE_OUTPUT && f->role != ROLE_OUTDIR) ||
		    !path_is_safe_relative(f->path))
			continue;
		const char *sl = strrchr(f->path, '/');
		size_t len = sl ? (size_t)(sl - f->path) : 0;
		if (dir && !strncmp(dir, f->path, len) && !dir[len])
			continue;
		size_t blen = 0;
		if (S_ISLNK(path_blocked_at(c->root, f->path, &blen))) {
			if (!n++)
				first = xasprintf("%s", f->path), at = blen;
			continue;
		}
		free(dir);
		dir = xmemdup(f->path, len + 1);
		dir[len] = 0;
	}
	free(dir);
	if (!n)
		return;
	first[at] = 0;
	char *target = path_link_target(c->root, first);
	fprintf(stderr,
		"ckpt: warning: %zu output%s written through the symbolic "
		"link %s (to %s): restore refuses paths through a link. "
		"Build into the directory it names instead\n",
		n, n == 1 ? " was" : "s were", path_shown(first),
		path_shown(target));
	free(target);
	free(first);
}

/* Removing a kernel build's trace (13,000 files) takes 0.09 s. The trace
 * is mapped once read: its files can go while the save works on it. */
static void *dispose_thread(void *dir)
{
	remove_tree(dir);
	return NULL;
}

int checkpoint_save(const char *dir, const char *trace_dir, const char *from,
		    const char *root, enum trace_after after,
		    const struct chain_start *cs, struct save_stats *s)
{
	memset(s, 0, sizeof *s);
	char *tdir = trace_dir ? xstrdup(trace_dir) : xasprintf("%s/trace", dir);
	struct trace t;
	int rc = -1;
	struct ckpt c;
	uint64_t *first_read = NULL;
	struct early early = { 0 };
	ckpt_init(&c, root);
	ckpt_set_dir(&c, dir, root);
	pthread_t disposer;
	int disposing = 0;
	if (trace_load(&t, tdir) < 0) {
		if (after == TRACE_DISPOSE)
			remove_tree(tdir);
		free(tdir);
		ckpt_release(&c);
		return -1;
	}
	if (after == TRACE_DISPOSE)
		disposing = pthread_create(&disposer, NULL, dispose_thread,
					   tdir) == 0;
	if (t.nlost) {
		char *why = trace_lost_message(&t);
		if (t.lost_err == EMFILE)
			error("the trace is incomplete, no checkpoint made "
			      "from it: %s. Raise the limit of open files "
			      "(ulimit -n) and run the build again", why);
		else
			error("the trace is incomplete, no checkpoint made "
			      "from it: %s. Make room where the trace goes "
			      "(%s) and run the build again", why, tdir);
		free(why);
		goto out;
	}
	if (t.nimg == 0) {
		error("the trace in %s is empty: was the build run with "
		      "LD_PRELOAD=libckpt.so?", tdir);
		goto out;
	}
	early_start(&early, &t, c.root);
	char *adir = realpath(dir, NULL);
	build_from_trace(&c, &t, adir);
	free(adir);
	read_through_links(&c);
	mark_found_first(&c);
	adopt_untraced_outputs(&c);
	pick_producers(&c);
	size_t nread = c.nfiles;
	first_read = find_ordering_hazards(&c);
	mark_updated_in_place(&c);
	ckpt_classify_deps(&c);
	size_t first_kept = c.njobs;
	if (merge_previous(&c, from ? from : dir, from != NULL, cs, s) < 0)
		goto out;
	adopt_kept(&c, first_kept);
	make_remake_inputs(&c);
	if (assign_roles(&c, &early) < 0)
		goto out;
	if (envvars_record(&c, &t) < 0)
		fprintf(stderr, "ckpt: note: the trace holds no record of the "
				"environment the build started with: "
				"environment variables will not be compared\n");
	find_role_hazards(&c, first_read, nread);
	if (ran_elsewhere(&c, t.img[0].cwd) < 0)
		goto out;
	note_sources_beside(&c);
	note_linked_pwd(&c, &t);
	note_prebuilt_objects(&c);
	note_linked_outputs(&c);
	/* assign_roles drops producers of what is not an output; files
	 * without a traced writer keep -1. */
	for (size_t i = 0; i < c.nfiles; i++)
		if (c.files[i].flags & FILE_NO_PRODUCER)
			c.files[i].producer = -1;
	if (store_outputs(&c, dir, s) < 0)
		goto out;
	c.created = wall_ns();
	if (manifest_write(&c, dir) < 0)
		goto out;
	collect_garbage(&c, dir);
	s->jobs = c.njobs;
	s->files = c.nfiles;
	s->events = t.nevents;
	s->processes = t.nimg;
	rc = 0;
out:
	early_release(&early);
	free(first_read);
	trace_release(&t);
	if (disposing)
		pthread_join(disposer, NULL);
	else if (after == TRACE_DISPOSE || (rc == 0 && after == TRACE_REMOVE))
		remove_tree(tdir);
	free(tdir);
	ckpt_release(&c);
	return rc;
}

int remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = xasprintf("%s/%s", path, e->d_name);
		if (e->d_type == DT_DIR)
			remove_tree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	return rmdir(path);
}
