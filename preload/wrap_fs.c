/*
 * wrap_fs.c - wrappers of the file-system entry points a build uses.
 *
 * Each wrapper calls the real function first, then records what happened
 * (rec_* keep errno intact). glibc's internal calls (fopen -> open, opendir
 * -> open, ...) do not go through the PLT, so every public twin is wrapped:
 * the 64-bit names, the fortified __*_2/_chk names, and the legacy
 * __xstat family that binaries built before glibc 2.33 still call (make 4.3
 * in Debian 12 does). Those are compat-only symbols: dlsym cannot see them,
 * dlvsym with the base version can.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <ftw.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include "raw.h"
#include "shim.h"

#define OPEN_MODE(flags, mode)                                            \
	do {                                                              \
		if (__OPEN_NEEDS_MODE(flags)) {                           \
			va_list ap;                                       \
			va_start(ap, flags);                              \
			mode = va_arg(ap, int);                           \
			va_end(ap);                                       \
		}                                                         \
	} while (0)

/* ---- open ------------------------------------------------------------- */

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real___open_2)(const char *, int);
static int (*real___open64_2)(const char *, int);
static int (*real___openat_2)(int, const char *, int);
static int (*real___openat64_2)(int, const char *, int);
static int (*real_creat)(const char *, mode_t);
static int (*real_creat64)(const char *, mode_t);

/* Used only while dlsym itself is running on this thread. */
static int fallback_openat(int dirfd, const char *path, int flags, int mode)
{
	int fd = raw_openat(dirfd, path, flags, mode);
	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	return fd;
}

#define OPENAT_BODY(fn, dirfd, path, flags, ...)                          \
	uint64_t created = open_missing(dirfd, path, flags);              \
	int fd = REAL(fn) ? real_##fn(__VA_ARGS__)                        \
			  : fallback_openat(dirfd, path, flags, mode);    \
	rec_open_flags(dirfd, path, flags, created, ERR_OF(fd));          \
	return fd

CKPT_EXPORT int open(const char *path, int flags, ...)
{
	int mode = 0;
	OPEN_MODE(flags, mode);
	OPENAT_BODY(open, AT_FDCWD, path, flags, path, flags, mode);
}

CKPT_EXPORT int open64(const char *path, int flags, ...)
{
	int mode = 0;
	OPEN_MODE(flags, mode);
	OPENAT_BODY(open64, AT_FDCWD, path, flags, path, flags, mode);
}

CKPT_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	int mode = 0;
	OPEN_MODE(flags, mode);
	OPENAT_BODY(openat, dirfd, path, flags, dirfd, path, flags, mode);
}

CKPT_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	int mode = 0;
	OPEN_MODE(flags, mode);
	OPENAT_BODY(openat64, dirfd, path, flags, dirfd, path, flags, mode);
}

CKPT_EXPORT int __open_2(const char *path, int flags)
{
	int mode = 0;
	OPENAT_BODY(__open_2, AT_FDCWD, path, flags, path, flags);
}

CKPT_EXPORT int __open64_2(const char *path, int flags)
{
	int mode = 0;
	OPENAT_BODY(__open64_2, AT_FDCWD, path, flags, path, flags);
}

CKPT_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	int mode = 0;
	OPENAT_BODY(__openat_2, dirfd, path, flags, dirfd, path, flags);
}

CKPT_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	int mode = 0;
	OPENAT_BODY(__openat64_2, dirfd, path, flags, dirfd, path, flags);
}

CKPT_EXPORT int creat(const char *path, mode_t mode)
{
	int flags = O_WRONLY | O_CREAT | O_TRUNC;
	OPENAT_BODY(creat, AT_FDCWD, path, flags, path, mode);
}

CKPT_EXPORT int creat64(const char *path, mode_t mode)
{
	int flags = O_WRONLY | O_CREAT | O_TRUNC;
	OPENAT_BODY(creat64, AT_FDCWD, path, flags, path, mode);
}

/* ---- stdio ------------------------------------------------------------ */

static int fopen_flags(const char *mode)
{
	int rw = strchr(mode, '+') != NULL;
	switch (mode[0]) {
	case 'r':
		return rw ? O_RDWR : O_RDONLY;
	case 'w':
		return (rw ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
	default:
		return (rw ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
	}
}

#define FOPEN_WRAPPER(fn, ...)                                            \
	static FILE *(*real_##fn)(__VA_ARGS__);                           \
	CKPT_EXPORT FILE *fn(const char *path, const char *mode)          \
	{                                                                 \
		if (!REAL(fn)) {                                          \
			errno = ENOSYS;                                   \
			return NULL;                                      \
		}                                                         \
		int fl = mode ? fopen_flags(mode) : 0;                    \
		uint64_t created = open_missing(AT_FDCWD, path, fl);      \
		FILE *f = real_##fn(path, mode);                          \
		rec_open_flags(AT_FDCWD, path, fl, created, f ? 0 : errno); \
		return f;                                                 \
	}

FOPEN_WRAPPER(fopen, const char *, const char *)
FOPEN_WRAPPER(fopen64, const char *, const char *)

#define FREOPEN_WRAPPER(fn)                                               \
	static FILE *(*real_##fn)(const char *, const char *, FILE *);   \
	CKPT_EXPORT FILE *fn(const char *path, const char *mode, FILE *s) \
	{                                                                 \
		if (!REAL(fn)) {                                          \
			errno = ENOSYS;                                   \
			return NULL;                                      \
		}                                                         \
		int fl = mode ? fopen_flags(mode) : 0;                    \
		uint64_t created = open_missing(AT_FDCWD, path, fl);      \
		FILE *f = real_##fn(path, mode, s);                       \
		if (path)                                                 \
			rec_open_flags(AT_FDCWD, path, fl, created,       \
				       f ? 0 : errno);                    \
		return f;                                                 \
	}

FREOPEN_WRAPPER(freopen)
FREOPEN_WRAPPER(freopen64)

/* ---- stat, access, readlink ------------------------------------------ */

/* A wrapper that records `op` on its path argument. `args` is the real
 * call's argument list; dirfd and path name the path being looked up. */
#define PATH_WRAPPER(ret, fn, op, dirfd, path, params, args)              \
	static ret(*real_##fn) params;                                    \
	CKPT_EXPORT ret fn params                                          \
	{                                                                 \
		if (!REAL(fn)) {                                          \
			errno = ENOSYS;                                   \
			return (ret)-1;                                   \
		}                                                         \
		ret r = real_##fn args;                                   \
		rec_path(op, dirfd, path, 0, ERR_OF(r));                  \
		return r;                                                 \
	}

#define STAT_WRAPPER(fn, st)                                              \
	PATH_WRAPPER(int, fn, CKPT_STAT, AT_FDCWD, p,                     \
		     (const char *p, struct st *b), (p, b))
STAT_WRAPPER(stat, stat)
STAT_WRAPPER(stat64, stat64)
STAT_WRAPPER(lstat, stat)
STAT_WRAPPER(lstat64, stat64)

PATH_WRAPPER(int, fstatat, CKPT_STAT, d, p,
	     (int d, const char *p, struct stat *b, int f), (d, p, b, f))
PATH_WRAPPER(int, fstatat64, CKPT_STAT, d, p,
	     (int d, const char *p, struct stat64 *b, int f), (d, p, b, f))
PATH_WRAPPER(int, statx, CKPT_STAT, d, p,
	     (int d, const char *p, int f, unsigned m, struct statx *b),
	     (d, p, f, m, b))
PATH_WRAPPER(int, access, CKPT_STAT, AT_FDCWD, p, (const char *p, int m),
	     (p, m))
PATH_WRAPPER(int, euidaccess, CKPT_STAT, AT_FDCWD, p, (const char *p, int m),
	     (p, m))
PATH_WRAPPER(int, eaccess, CKPT_STAT, AT_FDCWD, p, (const char *p, int m),
	     (p, m))
PATH_WRAPPER(int, faccessat, CKPT_STAT, d, p,
	     (int d, const char *p, int m, int f), (d, p, m, f))
PATH_WRAPPER(ssize_t, readlink, CKPT_STAT, AT_FDCWD, p,
	     (const char *p, char *b, size_t n), (p, b, n))
PATH_WRAPPER(ssize_t, readlinkat, CKPT_STAT, d, p,
	     (int d, const char *p, char *b, size_t n), (d, p, b, n))
PATH_WRAPPER(ssize_t, __readlink_chk, CKPT_STAT, AT_FDCWD, p,
	     (const char *p, char *b, size_t n, size_t bn), (p, b, n, bn))
PATH_WRAPPER(ssize_t, __readlinkat_chk, CKPT_STAT, d, p,
	     (int d, const char *p, char *b, size_t n, size_t bn),
	     (d, p, b, n, bn))

/* The legacy stat ABI: compat symbols only, found with dlvsym. */
#define XSTAT_WRAPPER(fn, st, dirfd, params, args)                        \
	static int(*real_##fn) params;                                    \
	CKPT_EXPORT int fn params                                          \
	{                                                                 \
		if (!real_##fn)                                           \
			real_##fn = (__typeof__(real_##fn))               \
				shim_real_versioned(#fn, CKPT_GLIBC_BASE); \
		if (!real_##fn) {                                         \
			errno = ENOSYS;                                   \
			return -1;                                        \
		}                                                         \
		int r = real_##fn args;                                   \
		rec_path(CKPT_STAT, dirfd, p, 0, ERR_OF(r));              \
		return r;                                                 \
	}
XSTAT_WRAPPER(__xstat, stat, AT_FDCWD, (int v, const char *p, struct stat *b),
	      (v, p, b))
XSTAT_WRAPPER(__xstat64, stat64, AT_FDCWD,
	      (int v, const char *p, struct stat64 *b), (v, p, b))
XSTAT_WRAPPER(__lxstat, stat, AT_FDCWD, (int v, const char *p, struct stat *b),
	      (v, p, b))
XSTAT_WRAPPER(__lxstat64, stat64, AT_FDCWD,
	      (int v, const char *p, struct stat64 *b), (v, p, b))
XSTAT_WRAPPER(__fxstatat, stat, d,
	      (int v, int d, const char *p, struct stat *b, int f),
	      (v, d, p, b, f))
XSTAT_WRAPPER(__fxstatat64, stat64, d,
	      (int v, int d, const char *p, struct stat64 *b, int f),
	      (v, d, p, b, f))

static char *(*real_realpath)(const char *, char *);
CKPT_EXPORT char *realpath(const char *path, char *resolved)
{
	if (!REAL(realpath)) {
		errno = ENOSYS;
		return NULL;
	}
	char *r = real_realpath(path, resolved);
	rec_path(CKPT_STAT, AT_FDCWD, path, 0, r ? 0 : errno);
	return r;
}

/* What realpath() becomes with _FORTIFY_SOURCE and a known buffer. */
static char *(*real___realpath_chk)(const char *, char *, size_t);
CKPT_EXPORT char *__realpath_chk(const char *path, char *resolved, size_t n)
{
	if (!REAL(__realpath_chk)) {
		errno = ENOSYS;
		return NULL;
	}
	char *r = real___realpath_chk(path, resolved, n);
	rec_path(CKPT_STAT, AT_FDCWD, path, 0, r ? 0 : errno);
	return r;
}

static char *(*real_canonicalize_file_name)(const char *);
CKPT_EXPORT char *canonicalize_file_name(const char *path)
{
	if (!REAL(canonicalize_file_name)) {
		errno = ENOSYS;
		return NULL;
	}
	char *r = real_canonicalize_file_name(path);
	rec_path(CKPT_STAT, AT_FDCWD, path, 0, r ? 0 : errno);
	return r;
}

/* ---- modifications ---------------------------------------------------- */

PATH_WRAPPER(int, unlink, CKPT_UNLINK, AT_FDCWD, p, (const char *p), (p))
PATH_WRAPPER(int, rmdir, CKPT_RMDIR, AT_FDCWD, p, (const char *p), (p))
PATH_WRAPPER(int, mkdir, CKPT_MKDIR, AT_FDCWD, p, (const char *p, mode_t m),
	     (p, m))
PATH_WRAPPER(int, mkdirat, CKPT_MKDIR, d, p,
	     (int d, const char *p, mode_t m), (d, p, m))
PATH_WRAPPER(int, truncate, CKPT_TRUNCATE, AT_FDCWD, p,
	     (const char *p, off_t n), (p, n))
PATH_WRAPPER(int, truncate64, CKPT_TRUNCATE, AT_FDCWD, p,
	     (const char *p, off64_t n), (p, n))
PATH_WRAPPER(int, chmod, CKPT_CHMOD, AT_FDCWD, p, (const char *p, mode_t m),
	     (p, m))
PATH_WRAPPER(int, fchmodat, CKPT_CHMOD, d, p,
	     (int d, const char *p, mode_t m, int f), (d, p, m, f))
PATH_WRAPPER(int, utime, CKPT_UTIME, AT_FDCWD, p,
	     (const char *p, const struct utimbuf *t), (p, t))
PATH_WRAPPER(int, utimes, CKPT_UTIME, AT_FDCWD, p,
	     (const char *p, const struct timeval t[2]), (p, t))
PATH_WRAPPER(int, lutimes, CKPT_UTIME, AT_FDCWD, p,
	     (const char *p, const struct timeval t[2]), (p, t))
PATH_WRAPPER(int, futimesat, CKPT_UTIME, d, p,
	     (int d, const char *p, const struct timeval t[2]), (d, p, t))

/* utimensat(fd, NULL, ...) is futimens: the path is the fd's. */
static int (*real_utimensat)(int, const char *, const struct timespec[2],
			      int);
CKPT_EXPORT int utimensat(int d, const char *p, const struct timespec t[2],
			  int f)
{
	if (!REAL(utimensat)) {
		errno = ENOSYS;
		return -1;
	}
	int r = real_utimensat(d, p, t, f);
	const char *volatile path = p;	/* declared nonnull, may be NULL */
	if (path)
		rec_path(CKPT_UTIME, d, p, 0, ERR_OF(r));
	else
		rec_fd(CKPT_UTIME, d, 0, ERR_OF(r));
	return r;
}

#define FD_WRAPPER(fn, op, params, args, fd)                              \
	static int(*real_##fn) params;                                    \
	CKPT_EXPORT int fn params                                          \
	{                                                                 \
		if (!REAL(fn)) {                                          \
			errno = ENOSYS;                                   \
			return -1;                                        \
		}                                                         \
		int r = real_##fn args;                                   \
		rec_fd(op, fd, 0, ERR_OF(r));                             \
		return r;                                                 \
	}
FD_WRAPPER(futimens, CKPT_UTIME, (int fd, const struct timespec t[2]), (fd, t),
	   fd)
FD_WRAPPER(ftruncate, CKPT_TRUNCATE, (int fd, off_t n), (fd, n), fd)
FD_WRAPPER(ftruncate64, CKPT_TRUNCATE, (int fd, off64_t n), (fd, n), fd)

/* remove() is unlink() or rmdir(): look first, to record the one that
 * applies (afterwards the path is gone). */
static int (*real_remove)(const char *);
CKPT_EXPORT int remove(const char *p)
{
	if (!REAL(remove)) {
		errno = ENOSYS;
		return -1;
	}
	struct stat st;
	int op = CKPT_UNLINK;
	if (p && raw6(SYS_newfstatat, AT_FDCWD, (long)p, (long)&st,
		      AT_SYMLINK_NOFOLLOW, 0, 0) == 0 &&
	    S_ISDIR(st.st_mode))
		op = CKPT_RMDIR;
	int r = real_remove(p);
	rec_path(op, AT_FDCWD, p, 0, ERR_OF(r));
	return r;
}

PATH_WRAPPER(int, unlinkat, (f & AT_REMOVEDIR) ? CKPT_RMDIR : CKPT_UNLINK, d,
	     p, (int d, const char *p, int f), (d, p, f))

#define PATH2_WRAPPER(fn, op, d1, p1, d2, p2, params, args)               \
	static int(*real_##fn) params;                                    \
	CKPT_EXPORT int fn params                                          \
	{                                                                 \
		if (!REAL(fn)) {                                          \
			errno = ENOSYS;                                   \
			return -1;                                        \
		}                                                         \
		int r = real_##fn args;                                   \
		rec_path2(op, d1, p1, d2, p2, ERR_OF(r));                 \
		return r;                                                 \
	}
PATH2_WRAPPER(rename, CKPT_RENAME, AT_FDCWD, a, AT_FDCWD, b,
	      (const char *a, const char *b), (a, b))
PATH2_WRAPPER(renameat, CKPT_RENAME, da, a, db, b,
	      (int da, const char *a, int db, const char *b), (da, a, db, b))
static int (*real_renameat2)(int, const char *, int, const char *, unsigned);
CKPT_EXPORT int renameat2(int da, const char *a, int db, const char *b,
			  unsigned f)
{
	if (!REAL(renameat2)) {
		errno = ENOSYS;
		return -1;
	}
	int r = real_renameat2(da, a, db, b, f);
	rec_rename(da, a, db, b, f, ERR_OF(r));
	return r;
}
PATH2_WRAPPER(link, CKPT_LINK, AT_FDCWD, a, AT_FDCWD, b,
	      (const char *a, const char *b), (a, b))
PATH2_WRAPPER(linkat, CKPT_LINK, da, a, db, b,
	      (int da, const char *a, int db, const char *b, int f),
	      (da, a, db, b, f))
PATH2_WRAPPER(symlink, CKPT_SYMLINK, AT_FDCWD, a, AT_FDCWD, b,
	      (const char *a, const char *b), (a, b))
PATH2_WRAPPER(symlinkat, CKPT_SYMLINK, AT_FDCWD, a, d, b,
	      (const char *a, int d, const char *b), (a, d, b))

/* ---- temporary files: the name is known only after the call ----------- */

#define MKSTEMP_WRAPPER(fn, params, args)                                 \
	static int(*real_##fn) params;                                    \
	CKPT_EXPORT int fn params                                          \
	{                                                                 \
		if (!REAL(fn)) {                                          \
			errno = ENOSYS;                                   \
			return -1;                                        \
		}                                                         \
		int r = real_##fn args;                                   \
		if (r >= 0)                                               \
			rec_path(CKPT_WRITE, AT_FDCWD, t, O_CREAT, 0);    \
		return r;                                                 \
	}
MKSTEMP_WRAPPER(mkstemp, (char *t), (t))
MKSTEMP_WRAPPER(mkstemp64, (char *t), (t))
MKSTEMP_WRAPPER(mkostemp, (char *t, int f), (t, f))
MKSTEMP_WRAPPER(mkostemp64, (char *t, int f), (t, f))
MKSTEMP_WRAPPER(mkstemps, (char *t, int n), (t, n))
MKSTEMP_WRAPPER(mkstemps64, (char *t, int n), (t, n))
MKSTEMP_WRAPPER(mkostemps, (char *t, int n, int f), (t, n, f))
MKSTEMP_WRAPPER(mkostemps64, (char *t, int n, int f), (t, n, f))

static char *(*real_mkdtemp)(char *);
CKPT_EXPORT char *mkdtemp(char *t)
{
	if (!REAL(mkdtemp)) {
		errno = ENOSYS;
		return NULL;
	}
	char *r = real_mkdtemp(t);
	if (r)
		rec_path(CKPT_MKDIR, AT_FDCWD, r, 0, 0);
	return r;
}

#define TMPFILE_WRAPPER(fn)                                               \
	static FILE *(*real_##fn)(void);                                  \
	CKPT_EXPORT FILE *fn(void)                                        \
	{                                                                 \
		if (!REAL(fn)) {                                          \
			errno = ENOSYS;                                   \
			return NULL;                                      \
		}                                                         \
		FILE *f = real_##fn();                                    \
		if (f)                                                    \
			rec_fd(CKPT_WRITE, fileno(f), O_CREAT, 0);        \
		return f;                                                 \
	}
TMPFILE_WRAPPER(tmpfile)
TMPFILE_WRAPPER(tmpfile64)

/* ---- directories ------------------------------------------------------ */

static DIR *(*real_opendir)(const char *);
CKPT_EXPORT DIR *opendir(const char *path)
{
	if (!REAL(opendir)) {
		errno = ENOSYS;
		return NULL;
	}
	DIR *d = real_opendir(path);
	rec_path(CKPT_READDIR, AT_FDCWD, path, 0, d ? 0 : errno);
	return d;
}

static DIR *(*real_fdopendir)(int);
CKPT_EXPORT DIR *fdopendir(int fd)
{
	if (!REAL(fdopendir)) {
		errno = ENOSYS;
		return NULL;
	}
	DIR *d = real_fdopendir(fd);
	if (d)
		rec_fd(CKPT_READDIR, fd, 0, 0);
	return d;
}

#define SCANDIR_WRAPPER(fn, ent)                                          \
	static int (*real_##fn)(const char *, struct ent ***,             \
				int (*)(const struct ent *),              \
				int (*)(const struct ent **,              \
					const struct ent **));            \
	CKPT_EXPORT int fn(const char *p, struct ent ***l,                \
			   int (*s)(const struct ent *),                  \
			   int (*c)(const struct ent **,                  \
				    const struct ent **))                 \
	{                                                                 \
		if (!REAL(fn)) {                                          \
			errno = ENOSYS;                                   \
			return -1;                                        \
		}                                                         \
		int r = real_##fn(p, l, s, c);                            \
		rec_path(CKPT_READDIR, AT_FDCWD, p, 0, ERR_OF(r));        \
		return r;                                                 \
	}
SCANDIR_WRAPPER(scandir, dirent)
SCANDIR_WRAPPER(scandir64, dirent64)

#define SCANDIRAT_WRAPPER(fn, ent)                                        \
	static int (*real_##fn)(int, const char *, struct ent ***,        \
				int (*)(const struct ent *),              \
				int (*)(const struct ent **,              \
					const struct ent **));            \
	CKPT_EXPORT int fn(int d, const char *p, struct ent ***l,         \
			   int (*s)(const struct ent *),                  \
			   int (*c)(const struct ent **,                  \
				    const struct ent **))                 \
	{                                                                 \
		if (!REAL(fn)) {                                          \
			errno = ENOSYS;                                   \
			return -1;                                        \
		}                                                         \
		int r = real_##fn(d, p, l, s, c);                         \
		rec_path(CKPT_READDIR, d, p, 0, ERR_OF(r));               \
		return r;                                                 \
	}
SCANDIRAT_WRAPPER(scandirat, dirent)
SCANDIRAT_WRAPPER(scandirat64, dirent64)

/* Does glob see anything to match in `pat`? A backslash counts (glob
 * unescapes it), a brace under GLOB_BRACE, a leading tilde under
 * GLOB_TILDE. */
static int glob_magic(const char *pat, int flags)
{
	if ((flags & (GLOB_TILDE | GLOB_TILDE_CHECK)) && pat[0] == '~')
		return 1;
	return strpbrk(pat, (flags & GLOB_BRACE) ? "*?[\\{" : "*?[\\") != NULL;
}

/*
 * glob: a pattern with nothing to match is a look-up of that one name
 * (glob lstats it; under GLOB_NOCHECK or GLOB_NOMAGIC it does not even
 * do that). make's $(wildcard include/config/FOO), for every line fixdep
 * wrote, is such a pattern: recorded as a listing of the directory, it
 * made an up-to-date kernel tree's make write a record of include/config
 * 27,000 times a sub-make, and a dependency on every name in it.
 * Otherwise the directory part of the pattern is listed (when it has no
 * wildcard of its own), and every match is a successful look-up.
 */
static void rec_glob(const char *pat, int flags, size_t n, char **paths,
		     int r)
{
	if (!glob_magic(pat, flags)) {
		if (*pat && !(flags & (GLOB_NOCHECK | GLOB_NOMAGIC)) &&
		    (r == 0 || r == GLOB_NOMATCH))
			rec_path(CKPT_STAT, AT_FDCWD, pat, 0,
				 r == 0 ? 0 : ENOENT);
		return;
	}
	const char *slash = strrchr(pat, '/');
	size_t room = slash ? (size_t)(slash - pat) + 2 : 2;
	char dir[room < PATH_MAX ? room : PATH_MAX];
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - pat + (slash == pat)),
			 pat);
	if (!strpbrk(dir, "*?["))
		rec_path(CKPT_READDIR, AT_FDCWD, dir, 0,
			 r == 0 || r == GLOB_NOMATCH ? 0 : ENOENT);
	for (size_t i = 0; r == 0 && i < n; i++)
		rec_path(CKPT_STAT, AT_FDCWD, paths[i], 0, 0);
}

static int (*real_glob)(const char *, int, int (*)(const char *, int),
			glob_t *);
CKPT_EXPORT int glob(const char *pat, int flags,
		     int (*efn)(const char *, int), glob_t *g)
{
	if (!REAL(glob))
		return GLOB_ABORTED;
	size_t before = (flags & GLOB_APPEND) ? g->gl_pathc : 0;
	int r = real_glob(pat, flags, efn, g);
	int e = errno;
	size_t offs = (flags & GLOB_DOOFFS) ? g->gl_offs : 0;
	if (r == 0)
		rec_glob(pat, flags, g->gl_pathc - before,
			 g->gl_pathv + offs + before, r);
	else
		rec_glob(pat, flags, 0, NULL, r);
	errno = e;
	return r;
}

static int (*real_glob64)(const char *, int, int (*)(const char *, int),
			  glob64_t *);
CKPT_EXPORT int glob64(const char *pat, int flags,
		       int (*efn)(const char *, int), glob64_t *g)
{
	if (!REAL(glob64))
		return GLOB_ABORTED;
	size_t before = (flags & GLOB_APPEND) ? g->gl_pathc : 0;
	int r = real_glob64(pat, flags, efn, g);
	int e = errno;
	size_t offs = (flags & GLOB_DOOFFS) ? g->gl_offs : 0;
	if (r == 0)
		rec_glob(pat, flags, g->gl_pathc - before,
			 g->gl_pathv + offs + before, r);
	else
		rec_glob(pat, flags, 0, NULL, r);
	errno = e;
	return r;
}

/*
 * nftw/ftw list every directory they visit through glibc-internal calls. We
 * interpose our own callback, which records each directory (and, with
 * FTW_CHDIR, follows the working directory) before calling the program's.
 * The program's callback is kept per thread: nftw calls are not nested.
 */
static CKPT_TLS int (*user_nftw)(const char *, const struct stat *, int,
				 struct FTW *);
static CKPT_TLS int (*user_nftw64)(const char *, const struct stat64 *, int,
				   struct FTW *);
static CKPT_TLS int (*user_ftw)(const char *, const struct stat *, int);
static CKPT_TLS int (*user_ftw64)(const char *, const struct stat64 *, int);
static CKPT_TLS int nftw_chdir;

static void rec_walk(const char *path, int type)
{
	if (nftw_chdir)
		shim_cwd_refresh();
	if (type == FTW_D || type == FTW_DP)
		rec_path(CKPT_READDIR, AT_FDCWD, path, 0, 0);
	else if (type == FTW_DNR || type == FTW_NS)
		rec_path(CKPT_STAT, AT_FDCWD, path, 0, EACCES);
}

static int nftw_cb(const char *p, const struct stat *s, int t, struct FTW *f)
{
	rec_walk(p, t);
	return user_nftw(p, s, t, f);
}

static int nftw64_cb(const char *p, const struct stat64 *s, int t,
		     struct FTW *f)
{
	rec_walk(p, t);
	return user_nftw64(p, s, t, f);
}

static int ftw_cb(const char *p, const struct stat *s, int t)
{
	rec_walk(p, t);
	return user_ftw(p, s, t);
}

static int ftw64_cb(const char *p, const struct stat64 *s, int t)
{
	rec_walk(p, t);
	return user_ftw64(p, s, t);
}

#define WALK_WRAPPER(fn, params, args, cbtype, flagexpr)                  \
	static int(*real_##fn) params;                                    \
	CKPT_EXPORT int fn params                                          \
	{                                                                 \
		if (!REAL(fn)) {                                          \
			errno = ENOSYS;                                   \
			return -1;                                        \
		}                                                         \
		__typeof__(user_##fn) saved_cb = user_##fn;               \
		int saved_chdir = nftw_chdir;                             \
		user_##fn = cb;                                           \
		nftw_chdir = (flagexpr);                                  \
		int r = real_##fn args;                                   \
		user_##fn = saved_cb;                                     \
		nftw_chdir = saved_chdir;                                 \
		return r;                                                 \
	}
WALK_WRAPPER(nftw,
	     (const char *d,
	      int (*cb)(const char *, const struct stat *, int, struct FTW *),
	      int n, int f),
	     (d, nftw_cb, n, f), , (f & FTW_CHDIR) != 0)
WALK_WRAPPER(nftw64,
	     (const char *d,
	      int (*cb)(const char *, const struct stat64 *, int, struct FTW *),
	      int n, int f),
	     (d, nftw64_cb, n, f), , (f & FTW_CHDIR) != 0)
WALK_WRAPPER(ftw,
	     (const char *d, int (*cb)(const char *, const struct stat *, int),
	      int n),
	     (d, ftw_cb, n), , 0)
WALK_WRAPPER(ftw64,
	     (const char *d,
	      int (*cb)(const char *, const struct stat64 *, int), int n),
	     (d, ftw64_cb, n), , 0)

/* fts: each directory is recorded when fts_read enters it. glibc's fts
 * changes directory internally unless FTS_NOCHDIR: follow it. */
static CKPT_TLS int fts_chdir;

static FTS *(*real_fts_open)(char *const *, int,
			     int (*)(const FTSENT **, const FTSENT **));
CKPT_EXPORT FTS *fts_open(char *const *argv, int opts,
			  int (*cmp)(const FTSENT **, const FTSENT **))
{
	if (!REAL(fts_open)) {
		errno = ENOSYS;
		return NULL;
	}
	fts_chdir = !(opts & FTS_NOCHDIR);
	return real_fts_open(argv, opts, cmp);
}

static FTSENT *(*real_fts_read)(FTS *);
CKPT_EXPORT FTSENT *fts_read(FTS *fts)
{
	if (!REAL(fts_read)) {
		errno = ENOSYS;
		return NULL;
	}
	FTSENT *e = real_fts_read(fts);
	int saved = errno;
	if (fts_chdir)
		shim_cwd_refresh();
	if (e && e->fts_info == FTS_D) {
		/* fts_accpath is relative to where fts stands now. */
		int acc = e->fts_path[0] != '/' && fts_chdir && e->fts_level > 0;
		SHIM_ABSPATH(p, AT_FDCWD, acc ? e->fts_accpath : NULL, PATH_MAX);
		rec_path(CKPT_READDIR, AT_FDCWD, acc ? p : e->fts_path, 0, 0);
	}
	errno = saved;
	return e;
}

/* ---- working directory ------------------------------------------------ */

static int (*real_chdir)(const char *);
CKPT_EXPORT int chdir(const char *path)
{
	if (!REAL(chdir)) {
		errno = ENOSYS;
		return -1;
	}
	int r = real_chdir(path);
	int e = errno;
	int moved = r == 0 && shim_cwd_refresh();
	errno = e;
	/* a vfork child's path is taken from where it was, its parent's */
	rec_path(CKPT_CHDIR, AT_FDCWD, moved ? shim_cwd : path, 0,
		 r == 0 ? 0 : e);
	return r;
}

static int (*real_fchdir)(int);
CKPT_EXPORT int fchdir(int fd)
{
	if (!REAL(fchdir)) {
		errno = ENOSYS;
		return -1;
	}
	int r = real_fchdir(fd);
	int e = errno;
	if (r == 0 && shim_cwd_refresh()) {
		errno = e;
		rec_path(CKPT_CHDIR, AT_FDCWD, shim_cwd, 0, 0);
	}
	errno = e;
	return r;
}
