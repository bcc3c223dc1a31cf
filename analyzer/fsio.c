/*
 * fsio.c - the few ways ckpt writes to disk, each crash-safe.
 *
 * Invariant: a file ckpt publishes (manifest, object, restored output) is
 * either absent, or complete. Everything is written to a temporary name in
 * the same directory, then renamed over the final name. The manifest is
 * fsync'd before its rename and its directory after; so is a pack of
 * objects. Loose objects are flushed by the save before the manifest that
 * names them is written (save.c, flush_objects).
 *
 * A restored output that is not there yet is made whole before it has a
 * name instead (MAKE_NEW): an unnamed file, linked in when complete. In a
 * directory that nobody sees yet (restore's staging directories) it is
 * made at its name (MAKE_FRESH).
 *
 * Fault injection for the tests: CKPT_FAULT=enospc:N or eio:N makes the
 * N-th write (counting from 1) in this process fail with that errno;
 * CKPT_FAULT=kill:N kills the process there instead (a crash);
 * CKPT_FAULT=notmpfile acts as a file system without unnamed files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsio.h"

/* CKPT_FAULT=enospc:N or eio:N fails the N-th write (tests), kill:N
 * dies there; save writes on several threads, so the count is atomic. */
static long fault_at = -1;
static atomic_long fault_count;
static int fault_errno;
static int fault_notmpfile;
static pthread_once_t fault_once = PTHREAD_ONCE_INIT;

static void fault_init(void)
{
	const char *f = getenv("CKPT_FAULT");
	if (!f)
		return;
	if (!strncmp(f, "enospc:", 7))
		fault_errno = ENOSPC, fault_at = atol(f + 7);
	else if (!strncmp(f, "eio:", 4))
		fault_errno = EIO, fault_at = atol(f + 4);
	else if (!strncmp(f, "kill:", 5))
		fault_errno = 0, fault_at = atol(f + 5);
	else if (!strcmp(f, "notmpfile"))
		fault_notmpfile = 1;
}

static int fault(void)
{
	pthread_once(&fault_once, fault_init);
	if (fault_at > 0 && atomic_fetch_add(&fault_count, 1) + 1 == fault_at) {
		if (!fault_errno)
			raise(SIGKILL);
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

int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int fsync_dir(const char *dir)
{
	return fsync_path(dir);
}

void times_ns(struct timespec ts[2], int64_t ns)
{
	ts[0].tv_sec = ts[1].tv_sec = ns / 1000000000;
	ts[0].tv_nsec = ts[1].tv_nsec = ns % 1000000000;
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

/* The pid for temporary names, asked once (a restore makes thousands);
 * O_EXCL keeps a stale one after a fork harmless. */
static int temp_pid(void)
{
	static atomic_int pid;
	int p = atomic_load_explicit(&pid, memory_order_relaxed);
	if (!p)
		atomic_store(&pid, p = (int)getpid());
	return p;
}

/* A temporary name in the directory of `path`: TEMP_PREFIX "PID.N",
 * which listings leave out (a killed restore leaves it in the tree). */
static char *temp_name(const char *path)
{
	static atomic_uint seq;		/* save and restore use threads */
	const char *slash = strrchr(path, '/');
	int dl = slash ? (int)(slash - path + 1) : 0;
	return xasprintf("%.*s" TEMP_PREFIX "%d.%u", dl, path, temp_pid(),
			 atomic_fetch_add(&seq, 1));
}

/* A temporary name next to `path`, opened O_EXCL. */
static int open_temp(const char *path, char **tmp, mode_t mode)
{
	for (int tries = 0; tries < 100; tries++) {
		*tmp = temp_name(path);
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

/* How an unnamed file is given a name: linkat(AT_EMPTY_PATH) needs
 * CAP_DAC_READ_SEARCH before Linux 6.10; the /proc/self/fd link works
 * without it. Found on the first file, for all the others. */
enum { LINK_UNTRIED, LINK_EMPTY_PATH, LINK_PROC, LINK_NONE };
static atomic_int link_how;

static int link_unnamed(int fd, const char *path)
{
	int how = atomic_load(&link_how);
	if (how == LINK_UNTRIED || how == LINK_EMPTY_PATH) {
		if (linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0) {
			atomic_store(&link_how, LINK_EMPTY_PATH);
			return 0;
		}
		if (errno != ENOENT && errno != EPERM)
			return -1;	/* EEXIST, ENOSPC...: the caller's */
		how = LINK_PROC;
	}
	if (how == LINK_PROC) {
		char proc[32];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, path,
			   AT_SYMLINK_FOLLOW) == 0) {
			atomic_store(&link_how, LINK_PROC);
			return 0;
		}
		if (errno != ENOENT && errno != EPERM && errno != EXDEV)
			return -1;
	}
	atomic_store(&link_how, LINK_NONE);
	errno = EOPNOTSUPP;
	return -1;
}

/* An unnamed file in path's directory; -1 with EOPNOTSUPP where there are
 * none, or they cannot be linked. */
static int open_unnamed(const char *path, mode_t mode)
{
	pthread_once(&fault_once, fault_init);
	if (fault_notmpfile || atomic_load(&link_how) == LINK_NONE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	char *d = dir_of(path);
	int fd = open(d, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	free(d);
	if (fd < 0 && (errno == EISDIR || errno == EINVAL))
		errno = EOPNOTSUPP;	/* not on this file system */
	return fd;
}

int atomic_begin(struct atomic_file *a, const char *path, mode_t mode,
		 enum make_how how)
{
	a->path = path;
	a->tmp = NULL;
	a->how = how;
	if (how == MAKE_FRESH)
		a->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			     mode);
	else if (how == MAKE_NEW)
		a->fd = open_unnamed(path, mode);
	else
		a->fd = open_temp(path, &a->tmp, mode);
	if (a->fd < 0) {
		free(a->tmp);
		a->tmp = NULL;
		return -1;
	}
	return 0;
}

int atomic_open(struct atomic_file *a, const char *path, mode_t mode)
{
	return atomic_begin(a, path, mode, MAKE_REPLACE);
}

void atomic_abort(struct atomic_file *a)
{
	int saved = errno;
	if (a->fd >= 0)
		close(a->fd);
	if (a->tmp)
		unlink(a->tmp);
	else if (a->how == MAKE_FRESH)
		unlink(a->path);
	free(a->tmp);
	a->fd = -1;
	a->tmp = NULL;
	errno = saved;
}

/* The file was created with `mode` filtered by the umask, or by a
 * directory's default ACL: set it, set the mtime (if not -1), fsync (if
 * asked); link it in (MAKE_NEW), close, rename it over the path
 * (MAKE_REPLACE), fsync the directory. */
static int commit(struct atomic_file *a, mode_t mode, int do_sync,
		  int64_t mtime)
{
	struct timespec ts[2];
	times_ns(ts, mtime);
	if (fchmod(a->fd, mode) < 0 ||
	    (mtime >= 0 && futimens(a->fd, ts) < 0) ||
	    (do_sync && fsync(a->fd) < 0))
		goto fail;
	if (a->how == MAKE_NEW && link_unnamed(a->fd, a->path) < 0)
		goto fail;
	int fd = a->fd;
	a->fd = -1;
	if (close(fd) < 0) {
		if (a->how == MAKE_NEW)
			a->how = MAKE_FRESH;	/* linked: abort removes it */
		goto fail;
	}
	if (a->how == MAKE_REPLACE && rename(a->tmp, a->path) < 0)
		goto fail;
	free(a->tmp);
	a->tmp = NULL;
	if (do_sync) {
		char *d = dir_of(a->path);
		fsync_dir(d);
		free(d);
	}
	return 0;
fail:
	atomic_abort(a);
	return -1;
}

int atomic_commit(struct atomic_file *a, mode_t mode, int do_sync)
{
	return commit(a, mode, do_sync, -1);
}

int atomic_commit_mtime(struct atomic_file *a, mode_t mode, int64_t mtime)
{
	return commit(a, mode, 0, mtime);
}

int atomic_write(const char *path, const void *buf, size_t n, mode_t mode)
{
	struct atomic_file a;
	if (atomic_open(&a, path, mode) < 0)
		return -1;
	if (write_all(a.fd, buf, n) < 0) {
		atomic_abort(&a);
		return -1;
	}
	return atomic_commit(&a, mode, 1);
}

/*
 * A name on the command line may be anything. A rename gives a reader all
 * or nothing, but it would put a new regular file in the place of
 * /dev/null (as root: every program after it breaks), of a FIFO, of a
 * symbolic link the user keeps (compile_commands.json -> build/...), of
 * one name of a file with several, or of another user's file; and
 * /dev/stdout is a link to the descriptor's file, whatever that is. So
 * only a regular file of ours with one name (st: its lstat) is replaced;
 * anything else is written in place, as a shell's > would.
 */
static int replaceable(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_nlink == 1 &&
	       st->st_uid == geteuid() && st->st_gid == getegid();
}

int write_output(const char *path, const void *buf, size_t n)
{
	struct stat st;
	int exists = lstat(path, &st) == 0;
	if (!exists && errno == ENOENT) {
		mode_t mask = umask(0);	/* one thread: compdb's */
		umask(mask);
		return atomic_write(path, buf, n, 0666 & ~mask);
	}
	if (exists && replaceable(&st)) {
		if (atomic_write(path, buf, n, st.st_mode & 07777) == 0)
			return 0;
		/* a directory we cannot add a name to, a file we can write */
		if (errno != EACCES && errno != EPERM && errno != EROFS)
			return -1;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, n) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

int sync_fs_of(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = syncfs(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int atomic_symlink(const char *target, const char *path)
{
	char *tmp = temp_name(path);
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

char *read_text(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0)
		return NULL;
	char *buf = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size <= max) {
		size_t n = 0, size = (size_t)st.st_size;
		buf = xmalloc(size + 1);
		ssize_t r;
		while (n < size && (r = read(fd, buf + n, size - n)) > 0)
			n += (size_t)r;
		buf[n] = 0;
		*len = n;
		if (n >= 4 && !memcmp(buf, "\177ELF", 4)) {
			free(buf);
			buf = NULL;
		}
	}
	close(fd);
	return buf;
}
