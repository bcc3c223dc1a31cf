/*
 * fsio.c - the few ways ckpt writes to disk, each crash-safe.
 *
 * Invariant: a file ckpt publishes (manifest, object, restored output) is
 * either absent, or complete. Everything is written to a temporary name in
 * the same directory, fsync'd, then renamed over the final name; the
 * directory is fsync'd after the rename.
 *
 * Fault injection for the tests: CKPT_FAULT=enospc:N or eio:N makes the
 * N-th write (counting from 1) in this process fail with that errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsio.h"

static long fault_at = -1, fault_count;
static int fault_errno;

static void fault_init(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	const char *f = getenv("CKPT_FAULT");
	if (!f)
		return;
	if (!strncmp(f, "enospc:", 7))
		fault_errno = ENOSPC, fault_at = atol(f + 7);
	else if (!strncmp(f, "eio:", 4))
		fault_errno = EIO, fault_at = atol(f + 4);
}

static int fault(void)
{
	fault_init();
	if (fault_at > 0 && ++fault_count == fault_at) {
		errno = fault_errno;
		return 1;
	}
	return 0;
}

int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		if (fault())
			return -1;
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

static char *dir_of(const char *path)
{
	char *d = xstrdup(path);
	char *s = strrchr(d, '/');
	if (!s)
		strcpy(d, ".");
	else if (s == d)
		d[1] = 0;
	else
		*s = 0;
	return d;
}

/* A temporary name next to `path`, opened O_EXCL. */
static int open_temp(const char *path, char **tmp, mode_t mode)
{
	static unsigned seq;
	for (int tries = 0; tries < 100; tries++) {
		*tmp = xasprintf("%s.tmp.%d.%u", path, (int)getpid(), seq++);
		int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
		free(*tmp);
	}
	*tmp = NULL;
	errno = EEXIST;
	return -1;
}

/* Finish a temp file: fsync, close, rename over path, fsync the dir. On
 * failure the temp file is removed and -1 returned with errno set. */
static int publish(int fd, char *tmp, const char *path, int do_sync)
{
	int saved;
	if (do_sync && fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	if (do_sync) {
		char *d = dir_of(path);
		fsync_dir(d);
		free(d);
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	errno = saved;
	return -1;
}

int atomic_write(const char *path, const void *buf, size_t n, mode_t mode)
{
	char *tmp;
	int fd = open_temp(path, &tmp, mode);
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, n) < 0) {
		int saved = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	return publish(fd, tmp, path, 1);
}

int atomic_copy(const char *src, const char *dst, mode_t mode, int do_sync)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	char *tmp;
	int out = open_temp(dst, &tmp, mode);
	if (out < 0) {
		int saved = errno;
		close(in);
		errno = saved;
		return -1;
	}
	static char buf[1 << 18];
	ssize_t r;
	int rc = 0;
	while ((r = read(in, buf, sizeof buf)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		if (write_all(out, buf, (size_t)r) < 0) {
			rc = -1;
			break;
		}
	}
	int saved = errno;
	close(in);
	if (rc < 0) {
		close(out);
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	/* The temp file was created with `mode` filtered by the umask. */
	if (fchmod(out, mode) < 0) {
		saved = errno;
		close(out);
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	return publish(out, tmp, dst, do_sync);
}

int atomic_symlink(const char *target, const char *path)
{
	static unsigned seq;
	char *tmp = xasprintf("%s.tmp.%d.%u", path, (int)getpid(), seq++);
	if (symlink(target, tmp) < 0 || rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	free(tmp);
	return 0;
}
