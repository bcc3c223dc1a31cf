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

/* The name of a file being written, in the directory of the file it
 * becomes, followed by "PID.N". */
#define TEMP_PREFIX ".ckpt-tmp."

int write_all(int fd, const void *buf, size_t n);
/* ts[0] and ts[1] (atime and mtime, for futimens) both ns since the
 * epoch. */
void times_ns(struct timespec ts[2], int64_t ns);
int fsync_dir(const char *dir);
/* fsync the file or directory at path. */
int fsync_path(const char *path);
/*
 * A file being made at `path`: write to fd, then commit or abort (which
 * leaves nothing). How it gets its name:
 * MAKE_REPLACE  a temporary name next to path, renamed over it;
 * MAKE_NEW      for a path that is not there: an unnamed file (O_TMPFILE)
 *               linked in. The same safety with one directory entry
 *               fewer. errno EEXIST (at commit): path is there now;
 *               ENOENT: its directory is not; EOPNOTSUPP: unnamed files
 *               cannot be made or linked here (use MAKE_REPLACE);
 * MAKE_FRESH    at path itself, O_EXCL: only where nobody sees path until
 *               the caller publishes its directory (restore's staging
 *               directories). Cheaper than an unnamed file: on ext4 with
 *               a journal, a fifth less (make bench-create).
 */
enum make_how { MAKE_REPLACE, MAKE_NEW, MAKE_FRESH };
struct atomic_file {
	int fd;
	char *tmp;		/* MAKE_REPLACE's temporary name */
	const char *path;
	enum make_how how;
};
int atomic_begin(struct atomic_file *a, const char *path, mode_t mode,
		 enum make_how how);
/* atomic_begin(MAKE_REPLACE) */
int atomic_open(struct atomic_file *a, const char *path, mode_t mode);
int atomic_commit(struct atomic_file *a, mode_t mode, int do_sync);
/* The same without fsync, giving the file mtime (ns since the epoch; 0
 * is the epoch itself). */
int atomic_commit_mtime(struct atomic_file *a, mode_t mode, int64_t mtime);
void atomic_abort(struct atomic_file *a);	/* keeps errno */
/* Flush the whole file system that holds path (one barrier for many files
 * written without fsync). */
int sync_fs_of(const char *path);
/* Replace path with the n bytes of buf. */
int atomic_write(const char *path, const void *buf, size_t n, mode_t mode);
/* Write n bytes to a file named by the user: a new file (mode 0666 less
 * the umask), or a regular file of ours with one link (its mode kept), is
 * replaced atomically; anything else (/dev/null, /dev/stdout, a FIFO, a
 * symbolic link, a file with other hard links or another owner, a file in
 * a directory we cannot write) is opened and written, as by a shell's >. */
int write_output(const char *path, const void *buf, size_t n);
/* Replace path with a symlink to target. */
int atomic_symlink(const char *target, const char *path);

/* The text of a regular file of at most max bytes, read (not mapped: a
 * file another process truncates meanwhile would be a SIGBUS), NUL
 * terminated, and its length; NULL for anything else, an ELF file
 * included. */
char *read_text(const char *path, size_t max, size_t *len);

#endif
