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

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
 * Recording. Each of these saves and restores errno, and does nothing when
 * tracing is off or the thread is already inside the shim (a signal handler
 * that opens a file while we hold the trace lock, for instance).
 * `ret` is the wrapped call's result: < 0 means it failed with errno `err`.
 * With err == EFAULT, rec_path and rec_path2 do not read the paths.
 */
void rec_path(int op, int dirfd, const char *path, uint64_t arg, int err);
void rec_path2(int op, int dirfd1, const char *p1, int dirfd2,
	       const char *p2, int err);
void rec_fd(int op, int fd, uint64_t arg, int err);
void rec_strings(int op, pid_t pid, uint64_t arg, int err, int nstr,
		 const char *const *strs);
void rec_open_flags(int dirfd, const char *path, int flags, int err);

/* dlopen jumps to the real one and cannot see what it loads: it notes the
 * call (shim_dl_opening), and what came is recorded at the thread's next
 * record, or now by shim_dl_flush (dlclose, exit). emit.c says more. */
void shim_dl_opening(void);
void shim_dl_flush(void);

/* Make `path` (relative to dirfd) absolute in buf; returns buf or path. */
const char *shim_abspath(int dirfd, const char *path, char *buf, size_t size);

/* The child of syscall(SYS_fork) and the like starts a file of its own,
 * as the atfork child handler does for fork(). */
void shim_raw_fork_child(void);

/* A fork child records its own getenv names again. */
void shim_getenv_forget(void);

/* Current working directory changed: refresh the tracked copy. */
void shim_cwd_refresh(void);

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
