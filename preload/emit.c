/*
 * emit.c - the trace file of one process image, and the record writer.
 *
 * Records go into a MAP_SHARED window of the process's own trace file, under
 * one mutex. A full window is padded and the next one mapped; the file is
 * grown with ftruncate, so untouched space stays a sparse hole and the reader
 * stops at the first zero length. The file descriptor is closed as soon as a
 * window is mapped: close_range(), closefrom() or dup2() in the program
 * cannot take the trace away.
 *
 * Initialisation is lazy (a wrapper may run before our constructor) and
 * re-entry safe: a thread-local flag marks "inside the shim", and any wrapper
 * entered while it is set records nothing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "raw.h"
#include "shim.h"

extern char **environ;

pid_t shim_pid;
char shim_cwd[PATH_MAX];
char shim_env_preload[PATH_MAX + 16];
char shim_env_dir[PATH_MAX + 16];

static char trace_dir[PATH_MAX];	/* $CKPT_DIR/trace */
static char trace_file[PATH_MAX];	/* this image's file */
static char self_path[PATH_MAX];	/* libckpt.so itself */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *win;			/* mapped window, NULL = off */
static uint32_t win_off;		/* next free byte in it */
static uint64_t win_index;		/* which window of the file */
static int state;			/* 0 new, 1 initialising, 2 done */

static CKPT_TLS int inside;		/* this thread is in the shim */
static CKPT_TLS int resolving;		/* this thread is in dlsym */

static int map_window(uint64_t index)
{
	int fd = raw_openat(AT_FDCWD, trace_file, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	long size = (long)((index + 1) * CKPT_TRACE_WINDOW);
	long rc = raw3(SYS_ftruncate, fd, size, 0);
	void *p = MAP_FAILED;
	if (rc == 0)
		p = (void *)raw6(SYS_mmap, 0, CKPT_TRACE_WINDOW,
				 PROT_READ | PROT_WRITE, MAP_SHARED, fd,
				 (long)(index * CKPT_TRACE_WINDOW));
	raw_close(fd);
	if ((unsigned long)p > -4096UL)
		return -1;
	if (win)
		raw3(SYS_munmap, win, CKPT_TRACE_WINDOW, 0);
	win = p;
	win_index = index;
	win_off = 0;
	return 0;
}

/* Reserve `len` bytes (lock held); NULL when tracing is off. */
static char *reserve(uint32_t len)
{
	if (!win || len > CKPT_TRACE_WINDOW)
		return NULL;
	if (win_off + len > CKPT_TRACE_WINDOW) {
		/* Pad to the end of the window. What is left may be
		 * shorter than a record header (8, 16 or 24 bytes): write
		 * the length alone, never past the mapping (the rest is
		 * zero: op CKPT_PAD). */
		uint32_t left = CKPT_TRACE_WINDOW - win_off;
		if (left)
			__atomic_store_n((uint32_t *)(win + win_off), left,
					 __ATOMIC_RELEASE);
		if (map_window(win_index + 1) < 0) {
			win = NULL;
			return NULL;
		}
	}
	char *p = win + win_off;
	win_off += len;
	return p;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Write one record. Strings longer than the window allows are cut short:
 * a huge environment must never stop the exec record itself. */
static void emit(int op, pid_t pid, uint64_t arg, int err, int nstr,
		 const char *const *strs)
{
	size_t lens[nstr > 0 ? nstr : 1];
	uint32_t len = sizeof(struct ckpt_rec);
	int n = 0;
	for (; n < nstr; n++) {
		lens[n] = strlen(strs[n]) + 1;
		if (len + lens[n] > CKPT_TRACE_WINDOW / 2)
			break;
		len += (uint32_t)lens[n];
	}
	len = CKPT_REC_ALIGN(len);
	struct ckpt_rec h = {
		.len = len, .op = (uint16_t)op, .nstr = (uint16_t)n,
		.pid = pid, .err = err, .time = now_ns(), .arg = arg,
	};
	pthread_mutex_lock(&lock);
	char *p = reserve(len);
	if (p) {
		char *s = p + sizeof h;
		for (int i = 0; i < n; i++) {
			memcpy(s, strs[i], lens[i]);
			s += lens[i];
		}
		memset(s, 0, (size_t)(p + len - s));
		/* The length goes in last: a reader never sees a record whose
		 * length is set and whose body is not. */
		h.len = 0;
		memcpy(p, &h, sizeof h);
		__atomic_store_n((uint32_t *)p, len, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&lock);
}

static int enter(void)
{
	if (inside || resolving)
		return 0;
	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2) {
		shim_init();
		if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2)
			return 0;
	}
	if (!win)
		return 0;
	inside = 1;
	return 1;
}

static void leave(void) { inside = 0; }

int shim_ready(void) { return state == 2 && win != NULL; }

void *shim_real(const char *name)
{
	if (resolving)
		return NULL;
	resolving = 1;
	void *p = dlsym(RTLD_NEXT, name);
	resolving = 0;
	return p;
}

void *shim_real_versioned(const char *name, const char *version)
{
	if (resolving)
		return NULL;
	resolving = 1;
	void *p = dlvsym(RTLD_NEXT, name, version);
	resolving = 0;
	return p;
}

void shim_cwd_refresh(void)
{
	if (raw_getcwd(shim_cwd, sizeof shim_cwd) < 0)
		shim_cwd[0] = 0;
}

const char *shim_abspath(int dirfd, const char *path, char *buf, size_t size)
{
	const char *base = shim_cwd;
	char fdlink[64];
	if (!path || path[0] == '/')
		return path;
	if (dirfd != AT_FDCWD) {
		snprintf(fdlink, sizeof fdlink, "/proc/self/fd/%d", dirfd);
		long n = raw_readlink(fdlink, buf, (long)size - 1);
		if (n <= 0)
			return path;
		buf[n] = 0;
		base = NULL;
	}
	size_t blen = base ? strlen(base) : strlen(buf);
	size_t plen = strlen(path);
	if (blen + plen + 2 > size)
		return path;
	if (base)
		memcpy(buf, base, blen);
	if (path[0] == '.' && path[1] == 0) {	/* "." is the base itself */
		buf[blen] = 0;
		return buf;
	}
	if (blen == 0 || buf[blen - 1] != '/')
		buf[blen++] = '/';
	memcpy(buf + blen, path, plen + 1);
	return buf;
}

void rec_strings(int op, pid_t pid, uint64_t arg, int err, int nstr,
		 const char *const *strs)
{
	int saved = errno;
	if (enter()) {
		emit(op, pid ? pid : shim_pid, arg, err, nstr, strs);
		leave();
	}
	errno = saved;
}

void rec_path(int op, int dirfd, const char *path, uint64_t arg, int err)
{
	int saved = errno;
	if (path && enter()) {
		char buf[PATH_MAX * 2];
		const char *s = shim_abspath(dirfd, path, buf, sizeof buf);
		emit(op, shim_pid, arg, err, 1, &s);
		leave();
	}
	errno = saved;
}

void rec_path2(int op, int dirfd1, const char *p1, int dirfd2,
	       const char *p2, int err)
{
	int saved = errno;
	if (p1 && p2 && enter()) {
		char b1[PATH_MAX * 2], b2[PATH_MAX * 2];
		const char *s[2] = {
			op == CKPT_SYMLINK ? p1
					   : shim_abspath(dirfd1, p1, b1, sizeof b1),
			shim_abspath(dirfd2, p2, b2, sizeof b2),
		};
		emit(op, shim_pid, 0, err, 2, s);
		leave();
	}
	errno = saved;
}

void rec_fd(int op, int fd, uint64_t arg, int err)
{
	int saved = errno;
	if (fd >= 0 && enter()) {
		char link[64], buf[PATH_MAX];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		long n = raw_readlink(link, buf, sizeof buf - 1);
		if (n > 0 && buf[0] == '/') {
			buf[n] = 0;
			const char *s = buf;
			emit(op, shim_pid, arg, err, 1, &s);
		}
		leave();
	}
	errno = saved;
}

void rec_open_flags(int dirfd, const char *path, int flags, int err)
{
	int acc = flags & O_ACCMODE;
	int op = (acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
			 ? CKPT_WRITE
			 : CKPT_READ;
	if (flags & O_PATH)
		op = CKPT_STAT;
	rec_path(op, dirfd, path, (uint64_t)(unsigned)flags, err);
}

/* ---- start-up ---------------------------------------------------------- */

static const char *env_lookup(const char *name)
{
	size_t n = strlen(name);
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		raw3(SYS_mkdirat, AT_FDCWD, path, 0777);
		*p = '/';
	}
	long rc = raw3(SYS_mkdirat, AT_FDCWD, path, 0777);
	return rc == 0 || rc == -EEXIST ? 0 : -1;
}

/* Create this image's trace file and map its first window. */
static int open_trace_file(void)
{
	for (unsigned n = 0; n < 1000; n++) {
		snprintf(trace_file, sizeof trace_file, "%s/%d-%u.trc",
			 trace_dir, shim_pid, n);
		int fd = raw_openat(AT_FDCWD, trace_file,
				    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd == -EEXIST)
			continue;
		if (fd < 0)
			return -1;
		raw_close(fd);
		win = NULL;
		if (map_window(0) < 0)
			return -1;
		struct ckpt_file_header fh = {
			.magic = CKPT_TRACE_MAGIC,
			.version = CKPT_TRACE_VERSION,
			.window = CKPT_TRACE_WINDOW,
		};
		memcpy(win, &fh, sizeof fh);
		win_off = sizeof fh;
		return 0;
	}
	return -1;
}

/* The START record: exe, cwd, argv (from /proc, so that a lazy start before
 * our constructor knows it too). */
static void emit_start(uint64_t flags)
{
	char exe[PATH_MAX], args[32768];
	long n = raw_readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	long len = 0;
	int fd = raw_openat(AT_FDCWD, "/proc/self/cmdline", O_RDONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		long r;
		while (len < (long)sizeof args - 1 &&
		       (r = raw_read(fd, args + len, (long)sizeof args - 1 - len)) > 0)
			len += r;
		raw_close(fd);
	}
	args[len] = 0;
	int argc = 0;
	for (long i = 0; i < len; i++)
		argc += args[i] == 0;
	const char *strs[2 + (argc < 512 ? argc : 512)];
	strs[0] = exe;
	strs[1] = shim_cwd;
	int k = 2;
	for (char *a = args; a < args + len && k < 2 + 512; a += strlen(a) + 1)
		strs[k++] = a;
	emit(CKPT_START, shim_pid, (uint64_t)(uint32_t)raw_getppid() | flags, 0,
	     k, strs);
	struct stat st;
	const char *what = "closed";
	if (raw3(SYS_fstat, 1, (long)&st, 0) == 0)
		what = S_ISFIFO(st.st_mode)  ? "pipe"
		       : S_ISREG(st.st_mode) ? "file"
		       : S_ISCHR(st.st_mode) ? "tty"
					     : "other";
	else
		st.st_ino = 0;
	emit(CKPT_STDOUT, shim_pid, (uint64_t)st.st_ino, 0, 1, &what);
}

static int load_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	const char *name = info->dlpi_name;
	if (name && name[0] == '/' && strcmp(name, self_path) != 0)
		emit(CKPT_LOAD, shim_pid, 0, 0, 1, &name);
	return 0;
}

static void emit_environ(void)
{
	int n = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	if (n > 4096)
		n = 4096;
	emit(CKPT_ENVIRON, shim_pid, 0, 0, n, (const char *const *)environ);
}

static void find_self(void)
{
	Dl_info info;
	if (dladdr((void *)find_self, &info) && info.dli_fname)
		snprintf(self_path, sizeof self_path, "%s", info.dli_fname);
}

static void after_fork_prepare(void) { pthread_mutex_lock(&lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&lock); }

/* The child owns a copy of the parent's pointer into a shared window: it
 * must not write there. It starts a file of its own. */
static void after_fork_child(void)
{
	pthread_mutex_init(&lock, NULL);
	if (win)
		raw3(SYS_munmap, win, CKPT_TRACE_WINDOW, 0);
	win = NULL;
	shim_pid = raw_getpid();
	shim_getenv_forget();
	if (state != 2 || open_trace_file() < 0)
		return;
	inside = 1;
	emit_start(CKPT_START_FORK);
	inside = 0;
}

void shim_init(void)
{
	int expect = 0;
	if (!__atomic_compare_exchange_n(&state, &expect, 1, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;		/* done, or under way (re-entry) */
	inside = 1;
	shim_pid = raw_getpid();
	shim_cwd_refresh();
	find_self();
	const char *dir = env_lookup("CKPT_DIR");
	/* The first traced process records the environment: under a bare
	 * LD_PRELOAD it is the one without CKPT_DIR; `ckpt record` marks its
	 * child with CKPT_ENVIRON=1, which exec wrappers do not pass on. */
	int first = dir == NULL || !*dir || env_lookup("CKPT_ENVIRON");
	char abs[PATH_MAX];
	if (dir == NULL || !*dir)
		snprintf(abs, sizeof abs, "%s/.ckpt", shim_cwd);
	else if (dir[0] != '/')
		snprintf(abs, sizeof abs, "%s/%s", shim_cwd, dir);
	else
		snprintf(abs, sizeof abs, "%s", dir);
	snprintf(shim_env_dir, sizeof shim_env_dir, "CKPT_DIR=%s", abs);
	snprintf(shim_env_preload, sizeof shim_env_preload, "LD_PRELOAD=%s",
		 self_path[0] ? self_path : "libckpt.so");
	snprintf(trace_dir, sizeof trace_dir, "%s/trace", abs);
	pthread_atfork(after_fork_prepare, after_fork_parent, after_fork_child);
	if (mkdir_p(trace_dir) == 0 && open_trace_file() == 0) {
		emit_start(0);
		if (first)
			emit_environ();
		dl_iterate_phdr(load_cb, NULL);
	}
	inside = 0;
	__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void shim_constructor(void)
{
	shim_init();
}
