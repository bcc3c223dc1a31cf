/*
 * object.c - the checkpoint's store of output contents.
 *
 * An object is named by the XXH3-128 of the content it holds and kept as
 * one zstd frame: object files compress about 3:1, which is what keeps a
 * kernel's checkpoint small. Objects up to PACK_MAX bytes are written into
 * the save's pack (pack.c); larger ones each into a file of their own,
 * DIR/objects/<hh>/<rest>.zst (`zstdcat` reads either). Checkpoints of
 * format 1 stored raw copies without the suffix; reading falls back to
 * those. A stored content is never trusted:
 * every read hashes what it decompressed and fails unless it matches the
 * name (object_read), and storing hashes what it compressed, so a file
 * that changed since it was hashed is an error, not a wrong object.
 *
 * Loose objects are written without an fsync; checkpoint_save flushes
 * them before it writes the manifest that names them (flush_objects).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include "fsio.h"
#include "object.h"
#include "pack.h"

#define BLOCK (1 << 18)
#define ZLEVEL 3

/* One context a thread for the whole run: creating one costs more than
 * decompressing a small object (a kernel has thousands). Freed when the
 * thread ends (parallel_for's threads end with each call). */
static pthread_key_t cc_key, dc_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void free_cctx(void *cc)
{
	ZSTD_freeCCtx(cc);
}

static void free_dctx(void *dc)
{
	ZSTD_freeDCtx(dc);
}

static void make_keys(void)
{
	if (pthread_key_create(&cc_key, free_cctx) ||
	    pthread_key_create(&dc_key, free_dctx))
		xcheck(NULL);	/* no key left: as out of memory */
}

static ZSTD_CCtx *cctx(void)
{
	pthread_once(&key_once, make_keys);
	ZSTD_CCtx *cc = pthread_getspecific(cc_key);
	if (!cc) {
		cc = xcheck(ZSTD_createCCtx());
		pthread_setspecific(cc_key, cc);
	}
	ZSTD_CCtx_reset(cc, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, ZLEVEL);
	return cc;
}

static ZSTD_DCtx *dctx(void)
{
	pthread_once(&key_once, make_keys);
	ZSTD_DCtx *dc = pthread_getspecific(dc_key);
	if (!dc) {
		dc = xcheck(ZSTD_createDCtx());
		pthread_setspecific(dc_key, dc);
	}
	ZSTD_DCtx_reset(dc, ZSTD_reset_session_only);
	return dc;
}

static char *object_name(const char *dir, const struct hash128 *h,
			 const char *suffix)
{
	char hex[HASH_HEX];
	hash_to_hex(h, hex);
	return xasprintf("%s/objects/%.2s/%s%s", dir, hex, hex + 2, suffix);
}

char *object_path(const char *dir, const struct hash128 *h)
{
	return object_name(dir, h, ".zst");
}

/* Compress `in` into a.fd, hashing what was read; also collect the whole
 * content into *keep when keep != NULL. */
static int compress_fd(int in, int out, ZSTD_CCtx *cc, XXH3_state_t *xs,
		       char **keep, size_t *kept)
{
	char *ib = xmalloc(BLOCK), *ob = xmalloc(ZSTD_CStreamOutSize());
	int rc = -1;
	for (;;) {
		ssize_t n = read(in, ib, BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		XXH3_128bits_update(xs, ib, (size_t)n);
		if (keep) {
			*keep = xrealloc(*keep, *kept + (size_t)n + 1);
			memcpy(*keep + *kept, ib, (size_t)n);
			*kept += (size_t)n;
		}
		if (!cc) {
			if (n == 0)
				break;
			continue;
		}
		ZSTD_inBuffer zi = { ib, (size_t)n, 0 };
		ZSTD_EndDirective mode = n ? ZSTD_e_continue : ZSTD_e_end;
		size_t left;
		do {
			ZSTD_outBuffer zo = { ob, ZSTD_CStreamOutSize(), 0 };
			left = ZSTD_compressStream2(cc, &zo, &zi, mode);
			if (ZSTD_isError(left)) {
				errno = EIO;
				goto out;
			}
			if (write_all(out, ob, zo.pos) < 0)
				goto out;
		} while (n ? zi.pos < zi.size : left != 0);
		if (n == 0)
			break;
	}
	rc = 0;
out:
	free(ib);
	free(ob);
	return rc;
}

/* A small output, read whole: into the pack, compressed in one call. */
static int store_packed(const char *src, const struct file *f,
			const char *root, int have, struct pack_writer *pw,
			int *names_root, uint64_t *stored)
{
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_errno("cannot read %s", src);
	char *buf = xmalloc(f->size + 1), *z = NULL;
	size_t n = 0;
	ssize_t r;
	int rc = -1;
	/* One byte more than recorded: a file that grew is seen to. */
	while (n < f->size + 1 &&
	       (r = read(fd, buf + n, f->size + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error_errno("cannot read %s", src);
			goto out;
		}
		n += (size_t)r;
	}
	struct hash128 h;
	hash_bytes(buf, n, &h);
	if (n != f->size || !hash_equal(&h, &f->hash)) {
		error("%s changed while the checkpoint was being saved", src);
		goto out;
	}
	*names_root = text_names_root(buf, n, root);
	if (!have) {
		ZSTD_CCtx *cc = cctx();
		size_t cap = ZSTD_compressBound(n);
		z = xmalloc(cap);
		size_t zn = ZSTD_compress2(cc, z, cap, buf, n);
		if (ZSTD_isError(zn)) {
			errno = EIO;
			error_errno("cannot compress %s", src);
			goto out;
		}
		int added = pack_add(pw, &f->hash, z, zn);
		if (added < 0) {
			error_errno("cannot store %s in the checkpoint", src);
			goto out;
		}
		if (added == 0)	/* not the same content as another output */
			*stored += n;
	}
	rc = 0;
out:
	free(z);
	free(buf);
	close(fd);
	return rc;
}

int object_store(const char *dir, const char *src, const struct file *f,
		 const char *root, struct pack_writer *pw, int *names_root,
		 uint64_t *stored)
{
	char *dst = object_path(dir, &f->hash);
	struct stat st;
	int have = pack_has(dir, &f->hash) ||
		   (stat(dst, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size > 0);
	int scan = f->size <= RELOCATE_MAX;
	*names_root = 0;
	if (pw && f->size <= PACK_MAX) {
		free(dst);
		return store_packed(src, f, root, have, pw, names_root,
				    stored);
	}
	if (have && !scan) {
		free(dst);
		return 0;	/* content-addressed: already there */
	}
	int in = open(src, O_RDONLY | O_CLOEXEC), rc = -1;
	if (in < 0) {
		error_errno("cannot read %s", src);
		free(dst);
		return -1;
	}
	struct atomic_file a = { .fd = -1 };
	ZSTD_CCtx *cc = NULL;
	XXH3_state_t *xs = XXH3_createState();
	XXH3_128bits_reset(xs);
	char *text = NULL;
	size_t len = 0;
	if (!have) {
		char *sub = xstrdup(dst);
		*strrchr(sub, '/') = 0;
		*strrchr(sub, '/') = 0;
		int bad = mkdir(sub, 0755) < 0 && errno != EEXIST;
		sub[strlen(sub)] = '/';	/* objects/<hh> */
		if (bad || (mkdir(sub, 0755) < 0 && errno != EEXIST)) {
			error_errno("cannot create %s", sub);
			free(sub);
			goto out;
		}
		free(sub);
		if (atomic_open(&a, dst, 0444) < 0) {
			error_errno("cannot create %s", dst);
			goto out;
		}
		cc = cctx();
		ZSTD_CCtx_setPledgedSrcSize(cc, f->size);
	}
	if (compress_fd(in, a.fd, cc, xs, scan ? &text : NULL, &len) < 0) {
		error_errno("cannot store %s in the checkpoint", src);
		goto out;
	}
	struct hash128 h;
	XXH128_hash_t x = XXH3_128bits_digest(xs);
	h.hi = x.high64;
	h.lo = x.low64;
	if (!hash_equal(&h, &f->hash)) {
		error("%s changed while the checkpoint was being saved", src);
		goto out;
	}
	if (!have && atomic_commit(&a, 0444, 0) < 0) {
		error_errno("cannot store %s in the checkpoint", src);
		goto out;
	}
	if (!have)
		*stored += f->size;
	*names_root = scan && text_names_root(text ? text : "", len, root);
	rc = 0;
out:
	if (rc < 0 && a.fd >= 0)
		atomic_abort(&a);
	XXH3_freeState(xs);
	free(text);
	close(in);
	free(dst);
	return rc;
}

/* Feed the object's content to sink() (which returns -1 with errno set to
 * stop), then check it against its name. The readers return 0, -1 for a
 * damaged object, or SINK_FAILED. */
typedef int (*sink_fn)(void *arg, const void *p, size_t n);
#define SINK_FAILED (-2)

static int read_raw(int fd, XXH3_state_t *xs, sink_fn sink, void *arg,
		    uint64_t *total)
{
	char *b = xmalloc(BLOCK);
	ssize_t n;
	int rc = 0;
	while ((n = read(fd, b, BLOCK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -1;
			break;
		}
		if (sink(arg, b, (size_t)n) < 0) {
			rc = SINK_FAILED;
			break;
		}
		XXH3_128bits_update(xs, b, (size_t)n);
		*total += (uint64_t)n;
	}
	free(b);
	return rc;
}

static int read_zstd(int fd, XXH3_state_t *xs, sink_fn sink, void *arg,
		     uint64_t *total)
{
	ZSTD_DCtx *dc = dctx();
	size_t isz = ZSTD_DStreamInSize(), osz = ZSTD_DStreamOutSize();
	char *ib = xmalloc(isz), *ob = xmalloc(osz);
	size_t last = 1;	/* 0 once a frame is complete */
	ssize_t n;
	int rc = -1;
	while ((n = read(fd, ib, isz)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		ZSTD_inBuffer zi = { ib, (size_t)n, 0 };
		while (zi.pos < zi.size) {
			ZSTD_outBuffer zo = { ob, osz, 0 };
			last = ZSTD_decompressStream(dc, &zo, &zi);
			if (ZSTD_isError(last))
				goto out;
			if (sink(arg, ob, zo.pos) < 0) {
				rc = SINK_FAILED;
				goto out;
			}
			XXH3_128bits_update(xs, ob, zo.pos);
			*total += zo.pos;
		}
		if (last == 0)
			break;	/* the frame is whole: no read for EOF */
	}
	rc = last == 0 ? 0 : -1;	/* else: cut short */
out:
	free(ib);
	free(ob);
	return rc;
}

/* A packed object, its frame decompressed in one call and checked, into
 * *out (the caller's): 0; 1 if no pack holds it; -1 if it is damaged
 * (said, unless quiet). */
static int load_packed(const char *dir, const struct file *f, char **out,
		       int quiet)
{
	char *frame;
	size_t len;
	if (f->size > PACK_MAX)
		return 1;
	int r = pack_read(dir, &f->hash, &frame, &len);
	if (r == 1)
		return 1;
	char *b = xmalloc(f->size + 1);
	int rc = -1;
	if (r == 0) {
		size_t got = ZSTD_decompressDCtx(dctx(), b, f->size, frame,
						 len);
		struct hash128 h;
		if (!ZSTD_isError(got) && got == f->size) {
			hash_bytes(b, got, &h);
			rc = hash_equal(&h, &f->hash) ? 0 : -1;
		}
		free(frame);
	}
	if (rc < 0) {
		int saved = errno;
		if (!quiet)
			error("%s/objects/packs: the stored copy of %s is "
			      "missing or damaged (the checkpoint is damaged)",
			      dir, f->path);
		free(b);
		errno = saved;
		return -1;
	}
	*out = b;
	return 0;
}

/* An object stored as a file of its own, streamed to sink. */
static int read_loose(const char *dir, const struct file *f, sink_fn sink,
		      void *arg)
{
	char *path = object_path(dir, &f->hash);
	int zst = 1, fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {	/* format 1: a raw copy */
		free(path);
		path = object_name(dir, &f->hash, "");
		zst = 0;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	XXH3_state_t *xs = XXH3_createState();
	XXH3_128bits_reset(xs);
	uint64_t total = 0;
	int rc = fd < 0 ? -1
		 : zst	? read_zstd(fd, xs, sink, arg, &total)
			: read_raw(fd, xs, sink, arg, &total);
	if (rc == 0) {
		XXH128_hash_t x = XXH3_128bits_digest(xs);
		struct hash128 h = { x.high64, x.low64 };
		rc = total == f->size && hash_equal(&h, &f->hash) ? 0 : -1;
	}
	int saved = errno;
	if (rc == -1)
		error("%s: the stored copy of %s is missing or damaged (the "
		      "checkpoint is damaged)", path, f->path);
	if (fd >= 0)
		close(fd);
	XXH3_freeState(xs);
	free(path);
	errno = saved;
	return rc;
}

static int object_read(const char *dir, const struct file *f, sink_fn sink,
		       void *arg)
{
	char *b;
	int rc = load_packed(dir, f, &b, 0);
	if (rc == 1)
		return read_loose(dir, f, sink, arg);
	if (rc == 0) {
		if (sink(arg, b, f->size) < 0)
			rc = SINK_FAILED;
		free(b);
	}
	return rc;
}

static int sink_none(void *arg, const void *p, size_t n)
{
	return 0;
}

int object_check(const char *dir, const struct file *f)
{
	return object_read(dir, f, sink_none, NULL);
}

struct membuf {
	char *p;
	size_t n;
};

static int sink_mem(void *arg, const void *p, size_t n)
{
	struct membuf *m = arg;
	m->p = xrealloc(m->p, m->n + n + 1);
	memcpy(m->p + m->n, p, n);
	m->n += n;
	return 0;
}

int object_load(const char *dir, const struct file *f, const char *from,
		const char *to, char **buf, size_t *len)
{
	struct membuf m = { NULL, f->size };
	int rc = load_packed(dir, f, &m.p, 0);	/* no copy of a packed one */
	if (rc == 1) {
		m.p = xmalloc(1);
		m.n = 0;
		rc = read_loose(dir, f, sink_mem, &m);
		if (rc < 0)
			free(m.p);
	}
	if (rc < 0)
		return -1;
	if (from && to && strcmp(from, to)) {
		*buf = text_relocate(m.p, m.n, from, to, len);
		free(m.p);
	} else {
		*buf = m.p;
		*len = m.n;
	}
	return 0;
}

int object_load_packed(const char *dir, const struct file *f, char **buf)
{
	return load_packed(dir, f, buf, 1) == 0 ? 0 : -1;
}

static int sink_fd(void *arg, const void *p, size_t n)
{
	return write_all(*(int *)arg, p, n);
}

int object_write_to(const char *dir, const struct file *f, int fd)
{
	int rc = object_read(dir, f, sink_fd, &fd);
	if (rc < 0 && rc != SINK_FAILED)
		errno = EIO;	/* reported */
	return rc < 0 ? -1 : 0;
}
