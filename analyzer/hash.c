/*
 * hash.c - XXH3-128 of files, byte ranges and directory listings.
 * Files are read in 256 KiB blocks; a listing hashes "type name\n" lines in
 * sorted order, so it changes when an entry is added, removed or retyped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

int hash_file(const char *path, struct hash128 *out)
{
	/* Through symlinks: what a reader gets is the target's content. */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	XXH3_state_t *st = XXH3_createState();
	XXH3_128bits_reset(st);
	static char buf[1 << 18];
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

void hash_to_hex(const struct hash128 *h, char out[HASH_HEX])
{
	snprintf(out, HASH_HEX, "%016llx%016llx", (unsigned long long)h->hi,
		 (unsigned long long)h->lo);
}

int hash_from_hex(const char *s, struct hash128 *out)
{
	char hi[17], lo[17];
	if (strlen(s) != 32 || strspn(s, "0123456789abcdef") != 32)
		return -1;
	memcpy(hi, s, 16);
	hi[16] = 0;
	memcpy(lo, s + 16, 16);
	lo[16] = 0;
	out->hi = strtoull(hi, NULL, 16);
	out->lo = strtoull(lo, NULL, 16);
	return 0;
}

int hash_equal(const struct hash128 *a, const struct hash128 *b)
{
	return a->hi == b->hi && a->lo == b->lo;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int hash_listing(const char *path, struct hash128 *out)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	char **names = NULL;
	size_t nr = 0, alloc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, ".ckpt"))
			continue;
		GROW(names, nr, alloc);
		names[nr++] = xasprintf("%d %s", e->d_type == DT_DIR, e->d_name);
	}
	closedir(d);
	qsort(names, nr, sizeof *names, cmp_str);
	XXH3_state_t *st = XXH3_createState();
	XXH3_128bits_reset(st);
	for (size_t i = 0; i < nr; i++) {
		XXH3_128bits_update(st, names[i], strlen(names[i]) + 1);
		free(names[i]);
	}
	free(names);
	from_xxh(XXH3_128bits_digest(st), out);
	XXH3_freeState(st);
	return 0;
}
