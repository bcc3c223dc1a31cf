/*
 * trace.c - reading the trace files written by libckpt.so.
 *
 * Files are mapped read-only and checked record by record: a record must be
 * at least a header long, 8-byte aligned, inside the file and inside its
 * window, with a known op and its strings inside it. A file that simply
 * ends (a process killed while the file grew, a copy cut short) is fine; a
 * record that does not parse is an error that names the file and offset.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "trace_read.h"

static const char *const op_names[CKPT_OP_MAX] = {
	[CKPT_PAD] = "pad",	      [CKPT_START] = "start",
	[CKPT_EXEC] = "exec",	      [CKPT_UNTRACED] = "untraced",
	[CKPT_READ] = "read",	      [CKPT_WRITE] = "write",
	[CKPT_STAT] = "stat",	      [CKPT_READDIR] = "readdir",
	[CKPT_UNLINK] = "unlink",     [CKPT_RENAME] = "rename",
	[CKPT_LINK] = "link",	      [CKPT_SYMLINK] = "symlink",
	[CKPT_MKDIR] = "mkdir",	      [CKPT_RMDIR] = "rmdir",
	[CKPT_CHDIR] = "chdir",	      [CKPT_TRUNCATE] = "truncate",
	[CKPT_UTIME] = "utime",	      [CKPT_CHMOD] = "chmod",
	[CKPT_GETENV] = "getenv",     [CKPT_LOAD] = "load",
	[CKPT_CONNECT] = "connect",   [CKPT_RESOLVE] = "resolve",
	[CKPT_ENVIRON] = "environ",
	[CKPT_STDOUT] = "stdout",     [CKPT_LOST] = "lost",
	[CKPT_REAP] = "reap",
};

const char *op_name(int op)
{
	return op >= 0 && op < CKPT_OP_MAX && op_names[op] ? op_names[op]
							    : "?";
}

int op_from_name(const char *name)
{
	for (int i = 0; i < CKPT_OP_MAX; i++)
		if (op_names[i] && !strcmp(op_names[i], name))
			return i;
	return -1;
}

const char *event_str(const struct event *e, int i)
{
	const char *s = e->str;
	while (i-- > 0)
		s += strlen(s) + 1;
	return s;
}

/* Check one record at `off`; returns its length, 0 at the end, -1 bad. */
static long check_record(const char *base, size_t size, size_t off,
			 uint32_t window, const char *file)
{
	if (size - off < sizeof(uint32_t))
		return 0;
	const struct ckpt_rec *r = (const void *)(base + off);
	if (r->len == 0)
		return 0;
	/* The pad at the end of a window may be shorter than a header: its
	 * length reaches the window's end exactly, and the rest is zero. */
	if (r->len < sizeof *r && r->len % 8 == 0 && size - off >= r->len &&
	    (off + r->len) % window == 0 &&
	    !memcmp(base + off + 4, "\0\0\0\0", 4))
		return r->len;
	if (size - off < sizeof *r || size - off < r->len)
		return 0;	/* cut short: tolerated as the end */
	if (r->len < sizeof *r || r->len % 8 ||
	    off / window != (off + r->len - 1) / window)
		return error("%s: corrupt record at offset %zu (length %u)",
			     file, off, r->len);
	if (r->op >= CKPT_OP_MAX)
		return error("%s: unknown operation %u at offset %zu", file,
			     r->op, off);
	const char *s = base + off + sizeof *r, *end = base + off + r->len;
	for (int i = 0; i < r->nstr; i++) {
		const char *nul = memchr(s, 0, (size_t)(end - s));
		if (!nul)
			return error("%s: corrupt record at offset %zu "
				     "(string %d runs past its end)",
				     file, off, i);
		s = nul + 1;
	}
	return r->len;
}

/* Parse one mapped trace file into *im (im->file is its path). An image
 * whose file was created and never written is left with no events. */
static int parse_file(struct image *im, const char *base, size_t size)
{
	const char *path = im->file;
	const struct ckpt_file_header *fh = (const void *)base;
	if (size < sizeof *fh || memcmp(fh->magic, CKPT_TRACE_MAGIC, 8) != 0)
		return error("%s: not a ckpt trace file (bad magic at offset 0)",
			     path);
	if (fh->version != CKPT_TRACE_VERSION)
		return error("%s: trace format version %u, this ckpt reads %u",
			     path, fh->version, CKPT_TRACE_VERSION);
	if (fh->window < 4096 || fh->window % 8)
		return error("%s: bad window size %u at offset 12", path,
			     fh->window);
	size_t alloc = 0;
	for (size_t off = sizeof *fh; off < size;) {
		long len = check_record(base, size, off, fh->window, path);
		if (len < 0)
			return -1;
		if (len == 0)
			break;
		const struct ckpt_rec *r = (const void *)(base + off);
		off += (size_t)len;
		if (r->op == CKPT_PAD)
			continue;
		struct event e = { r, r->nstr ? (const char *)(r + 1) : NULL };
		if (im->nev == 0 && r->op == CKPT_LOST) {
			im->pid = r->pid;	/* not even its START fitted */
		} else if (im->nev == 0) {
			if (r->op != CKPT_START || r->nstr < 2)
				return error("%s: first record at offset %zu "
					     "is not a start record",
					     path, off - (size_t)len);
			im->pid = r->pid;
			im->ppid = (int)(uint32_t)r->arg;
			im->forked = (r->arg & CKPT_START_FORK) != 0;
			im->start = r->time;
			im->exe = e.str;
			im->cwd = event_str(&e, 1);
			im->argc = r->nstr - 2;
			im->argv0 = im->argc ? event_str(&e, 2) : NULL;
		}
		GROW(im->ev, im->nev, alloc);
		im->ev[im->nev++] = e;
	}
	return 0;
}

/* Where the file's data ends: past it there are only holes (the sparse
 * tail of its last window). A reader must not touch those through a
 * mapping: tmpfs allocates a page for that, and on a full one the reader
 * dies of SIGBUS. Holes between windows are skipped by their PAD records.
 * The whole size where the file system cannot tell. */
static off_t data_end(int fd, off_t size)
{
	off_t end = 0, pos = 0;
	while (pos < size) {
		off_t d = lseek(fd, pos, SEEK_DATA);
		if (d < 0)
			return errno == ENXIO ? end : size;
		off_t h = lseek(fd, d, SEEK_HOLE);
		if (h < 0)
			return size;
		end = pos = h;
	}
	return end < size ? end : size;
}

/*
 * Address space for every trace file's mapping, reserved (no memory) when
 * the load starts: a kernel build leaves 14,000 files, and unmapping them
 * one by one took 55-70 ms, each munmap flushing the TLB of every core the
 * loading threads ran on; one munmap of the area takes 20-25 ms. 1 TiB
 * (1 GiB on 32 bits) is far more than any trace (a kernel's is 160 MB);
 * where it runs out, or cannot be reserved (ulimit -v), a file gets a
 * mapping of its own.
 */
#define AREA_SIZE ((size_t)1 << (sizeof(size_t) > 4 ? 40 : 30))

struct loading {
	struct trace *t;
	atomic_size_t used;	/* bytes of the area handed out */
};

/* A read-only mapping of fd's first `size` bytes, in the area if it fits. */
static void *map_file(struct loading *l, size_t i, int fd, size_t size)
{
	struct trace *t = l->t;
	size_t len = (size + 4095) & ~(size_t)4095;
	if (t->area) {
		size_t at = atomic_fetch_add(&l->used, len);
		if (at + len <= t->area_size)
			return mmap(t->area + at, size, PROT_READ,
				    MAP_PRIVATE | MAP_FIXED, fd, 0);
	}
	void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED) {
		t->maps[i] = p;
		t->map_sizes[i] = size;
	}
	return p;
}

/* Map and parse the i-th file (t->img[i].file). */
static int load_one(void *arg, size_t i, int worker)
{
	struct loading *l = arg;
	struct image *im = &l->t->img[i];
	(void)worker;
	int fd = open(im->file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int rc = 0;
	off_t size = 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		rc = error_errno("cannot read %s", im->file);
	else
		size = data_end(fd, st.st_size);
	if (rc == 0 && size > 0) {
		void *p = map_file(l, i, fd, (size_t)size);
		if (p == MAP_FAILED)
			rc = error_errno("cannot map %s", im->file);
		else
			rc = parse_file(im, p, (size_t)size);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static int cmp_image(const void *a, const void *b)
{
	const struct image *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->pid - y->pid;
}

/* The files are independent: they are listed first, then mapped and
 * parsed on several threads (a kernel build leaves 12,000 of them). */
int trace_load(struct trace *t, const char *dir)
{
	memset(t, 0, sizeof *t);
	DIR *d = opendir(dir);
	if (!d)
		return error_errno("cannot read trace directory %s", dir);
	size_t alloc = 0, n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len > 5 && !strcmp(de->d_name + len - 5, ".lost")) {
			if (!t->nlost++) {
				t->lost_file = xasprintf("%s/%s", dir, de->d_name);
				/* a file: not one page; a directory: no
				 * descriptor to make one (the shim's
				 * open_trace_file, EMFILE) */
				struct stat st;
				t->lost_err = stat(t->lost_file, &st) == 0 &&
						      S_ISDIR(st.st_mode)
						      ? EMFILE
						      : ENOSPC;
			}
			continue;
		}
		if (len < 5 || strcmp(de->d_name + len - 4, ".trc"))
			continue;
		GROW(t->img, n, alloc);
		t->img[n++] = (struct image){
			.file = xasprintf("%s/%s", dir, de->d_name)
		};
	}
	closedir(d);
	t->nimg = n;
	t->nmaps = n;
	t->maps = xcalloc(n ? n : 1, sizeof *t->maps);
	t->map_sizes = xcalloc(n ? n : 1, sizeof *t->map_sizes);
	t->area = mmap(NULL, AREA_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	t->area_size = t->area == MAP_FAILED ? 0 : AREA_SIZE;
	if (t->area == MAP_FAILED)
		t->area = NULL;
	struct loading l = { .t = t };
	atomic_init(&l.used, 0);
	int rc = parallel_for(n, 16, PFOR_IO, load_one, &l, "reading trace");
	/* Keep the images that have events, in the order listed. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (t->img[i].nev == 0) {
			free((void *)t->img[i].file);
			free(t->img[i].ev);
			continue;
		}
		t->nevents += t->img[i].nev;
		const struct image *im = &t->img[i];
		const struct ckpt_rec *last = im->ev[im->nev - 1].rec;
		if (last->op == CKPT_LOST && !t->nlost++) {
			t->lost_file = xstrdup(im->file);
			t->lost_err = last->err;
		}
		t->img[k++] = t->img[i];
	}
	t->nimg = k;
	if (rc == 0)
		qsort(t->img, t->nimg, sizeof *t->img, cmp_image);
	return rc < 0 ? -1 : 0;
}

char *trace_lost_message(const struct trace *t)
{
	return xasprintf("%zu process%s could not write all %s records (%s: "
			 "%s)", t->nlost, t->nlost == 1 ? "" : "es",
			 t->nlost == 1 ? "its" : "their", t->lost_file,
			 strerror(t->lost_err));
}

void trace_release(struct trace *t)
{
	for (size_t i = 0; i < t->nimg; i++) {
		free((void *)t->img[i].file);
		free(t->img[i].ev);
	}
	for (size_t i = 0; i < t->nmaps; i++)
		if (t->maps[i])
			munmap(t->maps[i], t->map_sizes[i]);
	if (t->area)
		munmap(t->area, t->area_size);
	free(t->img);
	free(t->lost_file);
	free(t->maps);
	free(t->map_sizes);
	memset(t, 0, sizeof *t);
}
