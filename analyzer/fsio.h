/*
 * fsio.h - crash-safe writes: temp file, fsync, rename, fsync the directory.
 * All return 0, or -1 with errno set and nothing left behind.
 */
#ifndef CKPT_FSIO_H
#define CKPT_FSIO_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ckpt.h"

int write_all(int fd, const void *buf, size_t n);
/* ts[0] and ts[1] (atime and mtime, for futimens) both ns since the
 * epoch. */
void times_ns(struct timespec ts[2], int64_t ns);
int fsync_dir(const char *dir);
/* A file being written under a temporary name next to `path`: write to
 * fd, then commit (rename over path) or abort (remove it). */
struct atomic_file {
	int fd;
	char *tmp;
	const char *path;
};
int atomic_open(struct atomic_file *a, const char *path, mode_t mode);
int atomic_commit(struct atomic_file *a, mode_t mode, int do_sync);
/* The same without fsync, giving the file mtime (ns since the epoch). */
int atomic_commit_mtime(struct atomic_file *a, mode_t mode, int64_t mtime);
void atomic_abort(struct atomic_file *a);	/* keeps errno */
/* Flush the whole file system that holds path (one barrier for many files
 * written without fsync). */
int sync_fs_of(const char *path);
/* Replace path with the n bytes of buf. */
int atomic_write(const char *path, const void *buf, size_t n, mode_t mode);
/* Create path, which is not there, whole: content, mode and mtime (if
 * > 0) are given to an unnamed file in its directory (O_TMPFILE), which
 * is then linked in. A directory entry made and removed less than
 * atomic_write, and as safe: an interrupted one leaves nothing. errno
 * EEXIST: path is there; ENOENT: its directory is not; EOPNOTSUPP:
 * unnamed files cannot be made or linked here (use atomic_open). */
int create_whole(const char *path, const void *buf, size_t n, mode_t mode,
		 int64_t mtime);
/* Replace path with a symlink to target. */
int atomic_symlink(const char *target, const char *path);

#endif
