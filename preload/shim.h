/*
 * shim.h - internals shared by the files of libckpt.so.
 *
 * Everything here is hidden (the library is built with -fvisibility=hidden);
 * only the wrappers marked CKPT_EXPORT are visible to the traced program.
 * The shim never calls a function it wraps: it uses the raw system calls of
 * raw.h or the real function found with dlsym(RTLD_NEXT).
 */
#ifndef CKPT_SHIM_H
#define CKPT_SHIM_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#include "raw.h"
#include "trace.h"

#define CKPT_EXPORT __attribute__((visibility("default")))
#define CKPT_TLS __thread __attribute__((tls_model("initial-exec")))

#if defined(__x86_64__)
#define CKPT_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define CKPT_GLIBC_BASE "GLIBC_2.17"
#else
#error "libckpt: unsupported architecture"
#endif

/*
 * Big buffers of which a process uses only the start go in ".lbss", the
 * large-data section that the linker places after all other data. The
 * small state a process does touch then shares as few pages as it can:
 * each page of ours costs every process of a build a page fault.
 */
#define CKPT_COLD __attribute__((section(".lbss")))

/* Process state, set up by shim_init() and after fork. */
extern pid_t shim_pid;
extern char shim_cwd[PATH_MAX];
extern const char *shim_env_preload;	/* "LD_PRELOAD=...", "" until set */
extern const char *shim_env_dir;	/* "CKPT_DIR=..." */

/* 1 once the trace file is open; wrappers record only then. */
int shim_ready(void);
void shim_init(void);

/* Look up the next definition of a wrapped function. NULL while a look-up
 * is already running on this thread (dlsym itself may open files). */
void *shim_real(const char *name);
void *shim_real_versioned(const char *name, const char *version);

#define REAL(fn)                                                          \
	(real_##fn ? real_##fn                                            \
		   : (real_##fn = (__typeof__(real_##fn))shim_real(#fn)))

/*
 * Did a call fail before the kernel read its path? With EFAULT the path
 * may be unreadable; EINVAL comes first for flags or sizes the kernel
 * rejects (O_TMPFILE without write access, readlink's size 0, openat2's
 * size), whatever the pointer; ENAMETOOLONG when the kernel read PATH_MAX
 * bytes and found no end. The shim must not read such a path (the
 * program would die of SIGSEGV where it got an error), and the analyzer
 * has no use for such a failure: it looked nothing up.
 */
static inline int shim_path_unread(int err)
{
	return err == EFAULT || err == EINVAL || err == ENAMETOOLONG;
}

/*
 * Recording. Each of these saves and restores errno, and does nothing when
 * tracing is off or the thread is already inside the shim (a signal handler
 * that opens a file while we hold the trace lock, for instance).
 * `ret` is the wrapped call's result: < 0 means it failed with errno `err`.
 * With err == EFAULT, rec_path and rec_path2 do not read the paths.
 */
void rec_path(int op, int dirfd, const char *path, uint64_t arg, int err);
void rec_path2(int op, int dirfd1, const char *p1, int dirfd2,
	       const char *p2, int err);
/* A rename: with RENAME_EXCHANGE, a read of p2 and two links. */
void rec_rename(int dirfd1, const char *p1, int dirfd2, const char *p2,
		unsigned flags, int err);
void rec_fd(int op, int fd, uint64_t arg, int err);
void rec_strings(int op, pid_t pid, uint64_t arg, int err, int nstr,
		 const char *const *strs);
/* An EXEC record: path, then argv[0..argc), with no copy of argv. */
void rec_exec(pid_t pid, uint64_t arg, const char *path, int argc,
	      const char *const *argv);
/* `created`: CKPT_WRITE_CREATED, CKPT_WRITE_EXISTED or 0, from
 * open_missing before the call */
void rec_open_flags(int dirfd, const char *path, int flags, uint64_t created,
		    int err);

/* An open for writing that creates the file if it is missing and keeps
 * what is there otherwise (a shell's `>>`, `tee -a`, fopen "a", touch;
 * O_CREAT without O_TRUNC): the analyzer takes it for an update in place
 * of what was there, a source, unless the record says that nothing was
 * (CKPT_WRITE_CREATED). One that empties it (O_CREAT | O_TRUNC: `>`,
 * fopen "w") says whether something was (CKPT_WRITE_EXISTED: a file the
 * sources ship, which restore must not remove). One raw look-up before
 * such an open (a few thousand in a kernel build; benchmarks.md counts
 * them) tells, and leaves errno alone; the race with another process
 * creating the file in between only makes our write the creating one. */
static inline uint64_t open_missing(int dirfd, const char *path, int flags)
{
	if (!(flags & O_CREAT) || (flags & O_EXCL) || !path ||
	    (!(flags & (O_APPEND | O_TRUNC)) &&
	     (flags & O_ACCMODE) == O_RDONLY))
		return 0;
	long r = raw6(SYS_faccessat, dirfd, (long)path, F_OK, 0, 0, 0);
	if (flags & O_TRUNC)
		return r == 0 ? CKPT_WRITE_EXISTED : 0;
	return r == -ENOENT ? CKPT_WRITE_CREATED : 0;
}

/* dlopen jumps to the real one and cannot see what it loads: it notes the
 * call (shim_dl_opening), and what came is recorded at the thread's next
 * record, or now by shim_dl_flush (dlclose, exit). emit.c says more. */
void shim_dl_opening(void);
void shim_dl_flush(void);

/*
 * Buffers on the stack are sized to what they hold. A wrapper runs on the
 * program's stack, which may be a crash handler's sigaltstack of a few KiB
 * or a thread's 16 KiB: a buffer of PATH_MAX there, or two, overflows it
 * where the program alone would not. A buffer is at most what the fixed
 * one was: past that, the shim gave up on the path then and does now.
 *
 * SHIM_ABSPATH(var, dirfd, path, max) declares `var`: path made absolute
 * (relative to dirfd) in `max` bytes at most of the caller's frame, or path
 * itself when it cannot be. The working directory's length is known; a
 * directory's name is not, before it is read: room is asked for one of
 * SHIM_DIR_GUESS bytes more than the working directory's (most are near
 * it), and, when it is longer, again in a second buffer for the longest
 * /proc gives (a second readlink, for those directories only).
 */
#define SHIM_DIR_GUESS 256

struct shim_abs {
	int dirfd;
	const char *path;
	size_t plen;		/* strlen(path) */
	size_t blen;		/* strlen(shim_cwd) */
	size_t max;
	int guess;		/* the room is for a guessed directory name */
	int more;		/* it was short: shim_abs_more() says how much */
};

/* The room path needs; 1 when it stays as it is. */
size_t shim_abs_room(struct shim_abs *a, int dirfd, const char *path,
		     size_t max);
/* path made absolute in buf (of that room), or path. */
const char *shim_abs_make(struct shim_abs *a, char *buf, size_t size);

static inline size_t shim_abs_more(struct shim_abs *a)
{
	if (!a->more)
		return 1;
	a->guess = 0;
	return PATH_MAX + a->plen + 1 < a->max ? PATH_MAX + a->plen + 1
					       : a->max;
}

#define SHIM_ABSPATH(var, dirfd, path, max)                               \
	struct shim_abs var##_a;                                          \
	size_t var##_n1 = shim_abs_room(&var##_a, dirfd, path, max);      \
	char var##_b1[var##_n1];                                          \
	const char *var = shim_abs_make(&var##_a, var##_b1, var##_n1);    \
	size_t var##_n2 = shim_abs_more(&var##_a);                        \
	char var##_b2[var##_n2];                                          \
	if (var##_a.more)                                                 \
		var = shim_abs_make(&var##_a, var##_b2, var##_n2)

/* The name /proc gives the file of fd, in buf; NULL when there is none.
 * With `more`: NULL and *more = 1 when it may be longer than buf. */
const char *shim_fd_name(int fd, char *buf, size_t size, int *more);

/* SHIM_FD_NAME(var, fd) declares `var`: that name, in the caller's frame,
 * or NULL. The same guess: a second buffer of PATH_MAX only for a name
 * longer than the working directory's by SHIM_DIR_GUESS. */
#define SHIM_FD_NAME(var, fd)                                             \
	char var##_b1[strlen(shim_cwd) + SHIM_DIR_GUESS];                 \
	int var##_more = 0;                                               \
	const char *var = shim_fd_name(fd, var##_b1, sizeof var##_b1,     \
				       &var##_more);                      \
	char var##_b2[var##_more ? PATH_MAX : 1];                         \
	if (var##_more)                                                   \
		var = shim_fd_name(fd, var##_b2, sizeof var##_b2, NULL)

/* The child of syscall(SYS_fork) and the like starts a file of its own,
 * as the atfork child handler does for fork(). */
void shim_raw_fork_child(void);

/* In a fork child (wrap_exec.c): it records its own getenv names again,
 * and a lock another thread of the parent held is free. */
void shim_wrap_fork_child(void);

/* Current working directory changed: refresh the tracked copy; 1 if it
 * did. Not in a vfork child, which shares our memory: its chdir would
 * move its parent's copy (Python's subprocess with cwd= recorded the
 * parent's later opens under the child's directory). Its own relative
 * paths, until its exec, are taken from where it was. */
int shim_cwd_refresh(void);

/*
 * A bounded string builder for the paths the shim makes. It is not snprintf
 * because stdio's first use costs a process lazy bindings and page faults
 * in libc's formatting code, and every process of a build would pay them.
 */
struct strb {
	char *buf, *p, *end;	/* end: the last byte, kept for the NUL */
	int full;		/* something did not fit */
};
void strb_init(struct strb *b, char *buf, size_t size);
void strb_mem(struct strb *b, const char *s, size_t n);
void strb_str(struct strb *b, const char *s);
void strb_num(struct strb *b, unsigned long v);
/* The NUL-terminated string, or NULL if it was cut short. */
const char *strb_done(struct strb *b);

/* "/proc/self/fd/<fd>" in buf (at least 32 bytes). */
const char *shim_fd_link(int fd, char *buf, size_t size);

/* errno of a call that returned `ret`: 0 when it succeeded. */
#define ERR_OF(ret) ((ret) < 0 ? errno : 0)

#endif
