/*
 * pack.c - the small objects of a save in one file.
 *
 * A build's outputs are mostly small (an object file, a .d file, a .cmd
 * file), and one file each cost a 4 KiB block and an inode apiece on disk
 * (a checkpoint of 2,000 outputs took 9.5 MB on disk for 1.1 MB of
 * content) and an open, read and close each on restore. A save writes the
 * new ones into one pack instead:
 *
 *   frame ... frame                 the objects, one zstd frame each
 *   50 2A 4D 18, u32 size           a zstd skippable frame holding
 *     { hash.hi, hash.lo, offset, length } (u64 each) per object,
 *     u64 offset of this frame, "ckptpk01"
 *
 * every number little-endian. The trailer is found from the end of the
 * file; a pack whose trailer or index does not add up is not read at all
 * (its objects are then missing). The pack's name is the XXH3-128 of its
 * index. Objects are found by content hash, whichever pack holds them, so
 * packs can be rewritten and removed without touching the manifest.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

#include "fsio.h"
#include "pack.h"

#define SKIP_MAGIC 0x184D2A50u
#define ENTRY 32		/* bytes of an index entry */
#define TRAILER 16		/* offset of the index frame, magic */
static const char pack_magic[8] = { 'c', 'k', 'p', 't', 'p', 'k', '0', '1' };

struct entry {
	struct hash128 h;
	uint64_t off, len;
	int fd;			/* the pack's, when read */
};

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct hash128 *x = &((const struct entry *)a)->h;
	const struct hash128 *y = &((const struct entry *)b)->h;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

static char *packs_dir(const char *dir)
{
	return xasprintf("%s/objects/packs", dir);
}

static int is_pack_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && !strcmp(name + n - 5, ".pack") && !strstr(name, ".tmp.");
}

/* Append the index of the pack open on fd to *e; *frames_end is where
 * its frames end. -1 if it is not a whole pack. */
static int read_index(int fd, struct entry **e, size_t *n, size_t *alloc,
		      uint64_t *frames_end)
{
	struct stat st;
	unsigned char t[TRAILER];
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < 8 + TRAILER ||
	    pread(fd, t, TRAILER, st.st_size - TRAILER) != TRAILER ||
	    memcmp(t + 8, pack_magic, 8))
		return -1;
	uint64_t size = (uint64_t)st.st_size, start = get64(t);
	if (start > size - 8 - TRAILER ||
	    (size - start - 8 - TRAILER) % ENTRY)
		return -1;
	size_t isz = (size_t)(size - start), cnt = (isz - 8 - TRAILER) / ENTRY;
	unsigned char *ix = xmalloc(isz);
	int rc = -1;
	if (pread(fd, ix, isz, (off_t)start) != (ssize_t)isz ||
	    get32(ix) != SKIP_MAGIC || get32(ix + 4) != isz - 8)
		goto out;
	for (size_t i = 0; i < cnt; i++) {
		const unsigned char *p = ix + 8 + i * ENTRY;
		struct entry x = { { get64(p), get64(p + 8) }, get64(p + 16),
				   get64(p + 24), fd };
		if (x.off > start || x.len > start - x.off)
			goto out;
		GROW(*e, *n, *alloc);
		(*e)[(*n)++] = x;
	}
	*frames_end = start;
	rc = 0;
out:
	free(ix);
	return rc;
}

/* ---- reading: the packs of a checkpoint, indexed once a process ------- */

struct packset {
	char *dir;		/* the checkpoint's */
	struct entry *e;	/* every pack's, sorted by hash */
	size_t n;
	int *fds;
	size_t nfds;
	struct packset *next;
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct packset *cache;

static struct packset *packset_load(const char *dir)
{
	struct packset *s = xcalloc(1, sizeof *s);
	s->dir = xstrdup(dir);
	char *pd = packs_dir(dir);
	DIR *d = opendir(pd);
	struct dirent *de;
	size_t alloc = 0, afds = 0;
	while (d && (de = readdir(d))) {
		if (!is_pack_name(de->d_name))
			continue;
		char *p = xasprintf("%s/%s", pd, de->d_name);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		free(p);
		uint64_t end;
		size_t before = s->n;
		if (fd < 0)
			continue;
		if (read_index(fd, &s->e, &s->n, &alloc, &end) < 0) {
			s->n = before;	/* its objects are missing */
			close(fd);
			continue;
		}
		GROW(s->fds, s->nfds, afds);
		s->fds[s->nfds++] = fd;
	}
	if (d)
		closedir(d);
	free(pd);
	if (s->n)
		qsort(s->e, s->n, sizeof *s->e, cmp_entry);
	return s;
}

/* The packs of dir; cache_mu held. */
static struct packset *packset(const char *dir)
{
	struct packset *s;
	for (s = cache; s; s = s->next)
		if (!strcmp(s->dir, dir))
			return s;
	s = packset_load(dir);
	s->next = cache;
	cache = s;
	return s;
}

void pack_prefetch(const char *dir)
{
	pthread_mutex_lock(&cache_mu);
	struct packset *s = packset(dir);
	for (size_t i = 0; i < s->nfds; i++)
		posix_fadvise(s->fds[i], 0, 0, POSIX_FADV_WILLNEED);
	pthread_mutex_unlock(&cache_mu);
}

void pack_forget(const char *dir)
{
	pthread_mutex_lock(&cache_mu);
	for (struct packset **pp = &cache; *pp; pp = &(*pp)->next) {
		struct packset *s = *pp;
		if (strcmp(s->dir, dir))
			continue;
		*pp = s->next;
		for (size_t i = 0; i < s->nfds; i++)
			close(s->fds[i]);
		free(s->fds);
		free(s->e);
		free(s->dir);
		free(s);
		break;
	}
	pthread_mutex_unlock(&cache_mu);
}

static int find(const char *dir, const struct hash128 *h, struct entry *out)
{
	struct entry key = { .h = *h };
	pthread_mutex_lock(&cache_mu);
	struct packset *s = packset(dir);
	const struct entry *e = s->n ? bsearch(&key, s->e, s->n, sizeof key,
					       cmp_entry)
				     : NULL;
	if (e)
		*out = *e;
	pthread_mutex_unlock(&cache_mu);
	return e != NULL;
}

int pack_has(const char *dir, const struct hash128 *h)
{
	struct entry e;
	return find(dir, h, &e);
}

static int read_frame(const struct entry *e, char **frame, size_t *len)
{
	*frame = xmalloc(e->len + 1);
	ssize_t r = pread(e->fd, *frame, e->len, (off_t)e->off);
	if (r != (ssize_t)e->len) {
		free(*frame);
		*frame = NULL;
		if (r >= 0)
			errno = EIO;	/* the pack shrank */
		return -1;
	}
	*len = e->len;
	return 0;
}

int pack_read(const char *dir, const struct hash128 *h, char **frame,
	      size_t *len)
{
	struct entry e;
	if (!find(dir, h, &e))
		return 1;
	return read_frame(&e, frame, len);
}

/* ---- writing --------------------------------------------------------- */

struct seen {
	struct hash128 h;
	UT_hash_handle hh;
};

struct pack_writer {
	char *checkpoint, *dir;	/* DIR, DIR/objects/packs */
	char *path;		/* the final name, once known */
	pthread_mutex_t mu;
	struct atomic_file a;
	int failed, err;
	uint64_t off;
	struct entry *e;
	size_t n, alloc;
	struct seen *seen;
};

struct pack_writer *pack_begin(const char *dir)
{
	struct pack_writer *w = xcalloc(1, sizeof *w);
	w->checkpoint = xstrdup(dir);
	w->dir = packs_dir(dir);
	pthread_mutex_init(&w->mu, NULL);
	w->a.fd = -1;
	return w;
}

/* Opened on the first object: a save with nothing new writes no pack. */
static int writer_open(struct pack_writer *w)
{
	if (mkdir(w->dir, 0755) < 0 && errno != EEXIST)
		return -1;
	w->path = xasprintf("%s/new.pack", w->dir);	/* renamed at the end */
	return atomic_open(&w->a, w->path, 0444);
}

int pack_add(struct pack_writer *w, const struct hash128 *h,
	     const void *frame, size_t len)
{
	pthread_mutex_lock(&w->mu);
	int rc = 0;
	struct seen *s;
	HASH_FIND(hh, w->seen, h, sizeof *h, s);
	if (s) {
		rc = 1;
		goto out;
	}
	if (w->failed ||
	    (w->a.fd < 0 && writer_open(w) < 0) ||
	    write_all(w->a.fd, frame, len) < 0) {
		if (!w->failed)
			w->failed = 1, w->err = errno;
		errno = w->err;
		rc = -1;
		goto out;
	}
	s = xmalloc(sizeof *s);
	s->h = *h;
	HASH_ADD(hh, w->seen, h, sizeof s->h, s);
	GROW(w->e, w->n, w->alloc);
	w->e[w->n++] = (struct entry){ *h, w->off, len, -1 };
	w->off += len;
out:
	pthread_mutex_unlock(&w->mu);
	return rc;
}

static int write_index(struct pack_writer *w)
{
	size_t isz = 8 + w->n * ENTRY + TRAILER;
	unsigned char *ix = xmalloc(isz);
	put32(ix, SKIP_MAGIC);
	put32(ix + 4, (uint32_t)(isz - 8));
	for (size_t i = 0; i < w->n; i++) {
		unsigned char *p = ix + 8 + i * ENTRY;
		put64(p, w->e[i].h.hi);
		put64(p + 8, w->e[i].h.lo);
		put64(p + 16, w->e[i].off);
		put64(p + 24, w->e[i].len);
	}
	put64(ix + isz - TRAILER, w->off);
	memcpy(ix + isz - 8, pack_magic, 8);
	struct hash128 name;
	char hex[HASH_HEX];
	hash_bytes(ix, isz, &name);
	hash_to_hex(&name, hex);
	free(w->path);
	w->path = xasprintf("%s/%s.pack", w->dir, hex);
	w->a.path = w->path;
	int rc = write_all(w->a.fd, ix, isz);
	free(ix);
	return rc;
}

int pack_finish(struct pack_writer *w, int ok)
{
	int rc = ok && w->failed ? -1 : 0;
	if (w->a.fd >= 0) {
		if (ok && !w->failed) {
			if (write_index(w) < 0) {
				rc = -1;
				atomic_abort(&w->a);
			} else if (atomic_commit(&w->a, 0444, 1) < 0) {
				rc = -1;
			}
		} else {
			atomic_abort(&w->a);
		}
		pack_forget(w->checkpoint);
	}
	int saved = errno;
	struct seen *s, *tmp;
	HASH_ITER(hh, w->seen, s, tmp) {
		HASH_DEL(w->seen, s);
		free(s);
	}
	pthread_mutex_destroy(&w->mu);
	free(w->e);
	free(w->path);
	free(w->dir);
	free(w->checkpoint);
	free(w);
	errno = saved;
	return rc;
}

/* ---- collecting ------------------------------------------------------ */

/* Copy the objects of a pack that live() keeps into a new pack. */
static int repack(const char *dir, const struct entry *e, size_t n,
		  int (*live)(void *, const struct hash128 *), void *arg)
{
	struct pack_writer *w = pack_begin(dir);
	int ok = 1;
	for (size_t i = 0; ok && i < n; i++) {
		char *frame;
		size_t len;
		if (!live(arg, &e[i].h))
			continue;
		ok = read_frame(&e[i], &frame, &len) == 0 &&
		     pack_add(w, &e[i].h, frame, len) >= 0;
		if (frame)
			free(frame);
	}
	return pack_finish(w, ok) == 0 && ok ? 0 : -1;
}

void pack_collect(const char *dir,
		  int (*live)(void *arg, const struct hash128 *h), void *arg)
{
	pack_forget(dir);
	char *pd = packs_dir(dir);
	DIR *d = opendir(pd);
	struct dirent *de;
	char **gone = NULL;	/* removed once what replaces them is written */
	size_t ngone = 0, agone = 0;
	while (d && (de = readdir(d))) {
		int temp = !strncmp(de->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) ||
			   strstr(de->d_name, ".tmp.");	/* ckpt 0.3's */
		if (de->d_name[0] == '.' && !temp)
			continue;
		char *p = xasprintf("%s/%s", pd, de->d_name);
		if (temp) {
			unlink(p);	/* left by a save that was killed */
			free(p);
			continue;
		}
		int fd = is_pack_name(de->d_name)
				 ? open(p, O_RDONLY | O_CLOEXEC)
				 : -1;
		struct entry *e = NULL;
		size_t n = 0, alloc = 0;
		uint64_t end, kept = 0, nkept = 0;
		if (fd >= 0 && read_index(fd, &e, &n, &alloc, &end) == 0) {
			for (size_t i = 0; i < n; i++)
				if (live(arg, &e[i].h))
					kept += e[i].len, nkept++;
			/* Mostly dead (an edited tree's objects replaced
			 * save after save): its live objects move. */
			if (!nkept || (2 * kept < end &&
				       repack(dir, e, n, live, arg) == 0)) {
				GROW(gone, ngone, agone);
				gone[ngone++] = p;
				p = NULL;
			}
		}
		free(e);
		if (fd >= 0)
			close(fd);
		free(p);
	}
	if (d)
		closedir(d);
	/* What replaces them was flushed as it was committed. */
	for (size_t i = 0; i < ngone; i++) {
		unlink(gone[i]);
		free(gone[i]);
	}
	free(gone);
	free(pd);
	pack_forget(dir);
}
