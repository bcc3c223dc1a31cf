/*
 * changes.c - what changed in a tree since its checkpoint, and which jobs
 * that affects.
 *
 * 1. A source or external input changed if its content hash differs; the
 *    stat data (size, inode, mtime) stand in for the hash only when the
 *    tree is the one recorded and the file was not modified within a
 *    second of the save (git's racy rule), or always for files outside
 *    the root. A path probed and not found changed if it now exists; a
 *    listing changed if its entries differ (outputs of the build left
 *    out); a file whose existence was used changed if it is gone.
 * 2. A job is affected if it read a changed file in the way that matters
 *    (content for a read, existence for a stat, appearance for a failed
 *    look-up), if it could not be traced, if its driver is affected, or
 *    if it read (opened) an output of an affected job. A make reading a
 *    .d/.cmd file of its own jobs is the exception: such a file only tells
 *    make to rebuild its target, which is removed anyway.
 * 3. A $(shell ...) job (its stdout a pipe make reads, see build.c) that
 *    wrote no output passed its result to make: if it is affected, so is
 *    make, and so every job that make started.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "changes.h"

static int is_output_role(int role)
{
	return role == ROLE_OUTPUT || role == ROLE_OUTDIR || role == ROLE_TEMP;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int listing_hash(const struct ckpt *c, const struct file *dirf,
		 const char *root, struct hash128 *out)
{
	char *abs = file_abs(c, dirf, root);
	DIR *d = opendir(abs);
	free(abs);
	if (!d)
		return -1;
	char **names = NULL;
	size_t nr = 0, alloc = 0;
	struct dirent *e;
	/* "dir/" + name, the key of a child in the index (no allocation per
	 * entry: a listed directory may hold 80,000 of them). */
	size_t plen = strlen(dirf->path), alen = plen + 256 + 2;
	char *child = xmalloc(alen);
	memcpy(child, dirf->path, plen);
	if (plen)
		child[plen++] = '/';
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		size_t nlen = strlen(n);
		memcpy(child + plen, n, nlen + 1);
		struct file *f;
		HASH_FIND(hh, c->index, child, plen + nlen, f);
		/* What the build itself creates is not part of the input. */
		if ((f && is_output_role(f->role)) || !strcmp(n, ".ckpt"))
			continue;
		GROW(names, nr, alloc);
		char *entry = xmalloc(nlen + 3);	/* "1 name" */
		entry[0] = e->d_type == DT_DIR ? '1' : '0';
		entry[1] = ' ';
		memcpy(entry + 2, n, nlen + 1);
		names[nr++] = entry;
	}
	free(child);
	closedir(d);
	qsort(names, nr, sizeof *names, cmp_str);
	XXH3_state_t *st = XXH3_createState();
	XXH3_128bits_reset(st);
	for (size_t i = 0; i < nr; i++) {
		XXH3_128bits_update(st, names[i], strlen(names[i]) + 1);
		free(names[i]);
	}
	free(names);
	XXH128_hash_t h = XXH3_128bits_digest(st);
	XXH3_freeState(st);
	out->hi = h.high64;
	out->lo = h.low64;
	return 0;
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

void file_set_stat(struct file *f, const struct stat *st)
{
	f->size = (uint64_t)st->st_size;
	f->ino = (uint64_t)st->st_ino;
	f->mtime = mtime_ns(st);
	f->mode = (uint32_t)st->st_mode;
}

/* May stat data stand in for the content hash? */
static int stat_shortcut(const struct ckpt *c, const struct file *f,
			 const struct stat *st, int same_tree)
{
	if (!same_tree && f->path[0] != '/')
		return 0;
	if (f->size != (uint64_t)st->st_size || f->ino != st->st_ino ||
	    f->mtime != mtime_ns(st))
		return 0;
	/* Modified within a second of the save: the same stat data could
	 * hide a second change (racy timestamps). */
	return f->mtime + 1000000000LL < (int64_t)c->created;
}

static int check_file(struct ckpt *c, struct file *f, const char *root,
		      int same_tree)
{
	char *abs = file_abs(c, f, root);
	struct stat st;
	int ch = CH_NONE;
	switch (f->role) {
	case ROLE_SOURCE:
	case ROLE_EXTERNAL: {
		if (stat(abs, &st) < 0) {
			ch = CH_DELETED;
			break;
		}
		if (stat_shortcut(c, f, &st, same_tree))
			break;
		struct hash128 h;
		if (S_ISDIR(st.st_mode) || hash_file(abs, &h) < 0 ||
		    !hash_equal(&h, &f->hash))
			ch = CH_CONTENT;
		break;
	}
	case ROLE_ABSENT:
		if (lstat(abs, &st) == 0)
			ch = CH_ADDED;
		break;
	case ROLE_EXISTS:
		if (lstat(abs, &st) < 0)
			ch = CH_DELETED;
		break;
	case ROLE_LISTING: {
		struct hash128 h;
		if (listing_hash(c, f, root, &h) < 0)
			ch = CH_DELETED;
		else if (!hash_equal(&h, &f->hash))
			ch = CH_LISTING;
		break;
	}
	default:
		break;
	}
	free(abs);
	return ch;
}

size_t ckpt_detect_changes(struct ckpt *c, const char *root)
{
	int same_tree = !strcmp(c->root, root);
	size_t n = 0;
	for (size_t i = 0; i < c->nfiles; i++) {
		if ((i & 1023) == 0)
			progress("checking inputs: %zu/%zu", i, c->nfiles);
		c->files[i].changed = check_file(c, &c->files[i], root,
						 same_tree);
		n += c->files[i].changed != CH_NONE;
	}
	progress_done();
	return n;
}

/* Does a change of kind ch to a file matter to a dep with these bits? */
static int change_matters(int ch, int acc)
{
	switch (ch) {
	case CH_CONTENT:
		return acc & ACC_READ;
	case CH_DELETED:
		return acc & (ACC_READ | ACC_STAT | ACC_LIST);
	case CH_ADDED:
		return acc & ACC_ABSENT;
	case CH_LISTING:
		return acc & ACC_LIST;
	}
	return 0;
}

static int dependency_file(const char *path)
{
	size_t n = strlen(path);
	return (n > 2 && !strcmp(path + n - 2, ".d")) ||
	       (n > 4 && !strcmp(path + n - 4, ".cmd"));
}

static int has_outputs(const struct ckpt *c, const struct job *j)
{
	for (size_t k = 0; k < j->ndeps; k++) {
		const struct dep *d = &j->deps[k];
		int role = c->files[d->file].role;
		if ((d->acc & (ACC_WRITE | ACC_MKDIR)) &&
		    (role == ROLE_OUTPUT || role == ROLE_OUTDIR))
			return 1;
	}
	return 0;
}

static void mark(struct ckpt *c, int j, int why, int cause, int *queue,
		 size_t *nq)
{
	if (c->jobs[j].affected)
		return;
	c->jobs[j].affected = why;
	c->jobs[j].cause = cause;
	queue[(*nq)++] = j;
}

size_t ckpt_affected(struct ckpt *c)
{
	size_t nj = c->njobs;
	int *queue = xcalloc(nj + 1, sizeof *queue);
	size_t nq = 0;
	/* Readers of each file (by content), for the propagation. */
	int *count = xcalloc(c->nfiles + 1, sizeof *count);
	for (size_t j = 0; j < nj; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++)
			if (c->jobs[j].deps[k].acc & ACC_READ)
				count[c->jobs[j].deps[k].file + 1]++;
	for (size_t f = 0; f < c->nfiles; f++)
		count[f + 1] += count[f];
	int *readers = xcalloc((size_t)count[c->nfiles] + 1, sizeof *readers);
	int *fill = xcalloc(c->nfiles + 1, sizeof *fill);
	for (size_t j = 0; j < nj; j++)
		for (size_t k = 0; k < c->jobs[j].ndeps; k++) {
			const struct dep *d = &c->jobs[j].deps[k];
			if (d->acc & ACC_READ)
				readers[count[d->file] + fill[d->file]++] =
					(int)j;
		}
	for (size_t j = 0; j < nj; j++)
		c->jobs[j].affected = 0;

	for (size_t j = 0; j < nj; j++) {
		struct job *job = &c->jobs[j];
		if (job->untraced) {
			mark(c, (int)j, AFF_UNTRACED, -1, queue, &nq);
			continue;
		}
		for (size_t k = 0; k < job->ndeps; k++) {
			const struct dep *d = &job->deps[k];
			const struct file *f = &c->files[d->file];
			if (f->changed && change_matters(f->changed, d->acc)) {
				mark(c, (int)j, AFF_CHANGED, d->file, queue,
				     &nq);
				break;
			}
			if (f->role == ROLE_OUTPUT && f->producer < 0 &&
			    (d->acc & ACC_READ)) {
				mark(c, (int)j, AFF_INPUT, d->file, queue, &nq);
				break;
			}
		}
	}
	/* Propagate: to the jobs of an affected driver, to the readers of an
	 * affected job's outputs, and from a job without outputs to its
	 * driver. */
	for (size_t qi = 0; qi < nq; qi++) {
		int j = queue[qi];
		if (c->jobs[j].kind == JOB_SHELL && c->jobs[j].driver >= 0 &&
		    !has_outputs(c, &c->jobs[j]))
			mark(c, c->jobs[j].driver, AFF_RESULT, j, queue, &nq);
		if (c->jobs[j].kind == JOB_DRIVER)
			for (size_t k = 0; k < nj; k++)
				if (c->jobs[k].driver == j)
					mark(c, (int)k, AFF_DRIVER, j, queue,
					     &nq);
		const struct job *job = &c->jobs[j];
		for (size_t k = 0; k < job->ndeps; k++) {
			int fi = job->deps[k].file;
			const struct file *f = &c->files[fi];
			if (f->producer != j || f->role != ROLE_OUTPUT)
				continue;
			for (int r = count[fi]; r < count[fi + 1]; r++) {
				int rj = readers[r];
				if (c->jobs[rj].kind == JOB_DRIVER &&
				    dependency_file(f->path))
					continue;
				mark(c, rj, AFF_INPUT, fi, queue, &nq);
			}
		}
	}
	free(count);
	free(readers);
	free(fill);
	free(queue);
	return nq;
}

const char *change_name(int ch)
{
	switch (ch) {
	case CH_CONTENT: return "changed";
	case CH_DELETED: return "deleted";
	case CH_ADDED: return "added";
	case CH_LISTING: return "listing changed";
	}
	return "unchanged";
}
