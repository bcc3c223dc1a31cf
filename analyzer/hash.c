/*
 * hash.c - XXH3-128 of files and byte ranges, and their hex form. Files
 * are read in 64 KiB blocks. (A directory listing's hash, which leaves the
 * build's outputs out, is listing_hash in changes.c.)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "ckpt.h"

static void from_xxh(XXH128_hash_t h, struct hash128 *out)
{
	out->hi = h.high64;
	out->lo = h.low64;
}

void hash_bytes(const void *p, size_t n, struct hash128 *out)
{
	from_xxh(XXH3_128bits(p, n), out);
}

/* Reading a source does not change its atime: in a fresh copy, where
 * every atime is older than the ctime, the first read of each file would
 * otherwise write its inode (relatime). O_NOATIME needs the file's owner
 * (or CAP_FOWNER): once refused, it is not asked for again. */
static atomic_int noatime_refused;

static int open_noatime(const char *path)
{
	if (!atomic_load_explicit(&noatime_refused, memory_order_relaxed)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
		if (fd >= 0 || errno != EPERM)
			return fd;
		atomic_store(&noatime_refused, 1);
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

int hash_file(const char *path, struct hash128 *out)
{
	/* Through symlinks: what a reader gets is the target's content. */
	int fd = open_noatime(path);
	if (fd < 0)
		return -1;
	XXH3_state_t *st = XXH3_createState();
	XXH3_128bits_reset(st);
	char buf[1 << 16];	/* on the stack: status hashes in threads */
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		XXH3_128bits_update(st, buf, (size_t)n);
	int saved = errno;
	close(fd);
	if (n == 0)
		from_xxh(XXH3_128bits_digest(st), out);
	XXH3_freeState(st);
	errno = saved;
	return n == 0 ? 0 : -1;
}

int hash_file_relocated(const char *path, const char *from, const char *to,
			size_t max, struct hash128 *out)
{
	int fd = open_noatime(path);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max) {
		close(fd);
		return 0;
	}
	size_t len = 0, size = (size_t)st.st_size + 1;
	char *buf = xmalloc(size);
	ssize_t n;
	while (len < size && (n = read(fd, buf + len, size - len)) > 0)
		len += (size_t)n;
	int rc = 0, saved = errno;
	close(fd);
	if (len < size && text_names_root(buf, len, from)) {
		size_t rlen;
		char *moved = text_relocate(buf, len, from, to, &rlen);
		hash_bytes(moved, rlen, out);
		free(moved);
		rc = 1;
	}
	free(buf);
	errno = saved;
	return rc;
}

void hash_to_hex(const struct hash128 *h, char out[HASH_HEX])
{
	snprintf(out, HASH_HEX, "%016llx%016llx", (unsigned long long)h->hi,
		 (unsigned long long)h->lo);
}

/* Digit values + 1 of lower-case hex, as hash_to_hex writes it; 0 for
 * every other byte. A table: a manifest holds a hash a file. */
static const unsigned char hexval1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* 16 digits; the halves are decoded apart, two chains of shifts that
 * the CPU runs side by side. */
static uint64_t hex64(const char *s, unsigned *bad)
{
	uint64_t v = 0;
	for (int i = 0; i < 16; i++) {
		unsigned d = hexval1[(unsigned char)s[i]];
		*bad |= !d;
		v = v << 4 | (uint64_t)(d - 1);
	}
	return v;
}

int hash_from_hex(const char *s, struct hash128 *out)
{
	unsigned bad = 0;
	if (strnlen(s, 33) != 32)
		return -1;
	uint64_t hi = hex64(s, &bad), lo = hex64(s + 16, &bad);
	if (bad)
		return -1;
	out->hi = hi;
	out->lo = lo;
	return 0;
}

int hash_equal(const struct hash128 *a, const struct hash128 *b)
{
	return a->hi == b->hi && a->lo == b->lo;
}
