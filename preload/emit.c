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
#include <stdio.h>		/* RENAME_EXCHANGE */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "raw.h"
#include "shim.h"

extern char **environ;

pid_t shim_pid;
CKPT_COLD char shim_cwd[PATH_MAX];
const char *shim_env_preload = "";	/* "LD_PRELOAD=<this library>" */
const char *shim_env_dir = "";		/* "CKPT_DIR=<absolute dir>" */

/*
 * The strings fixed at start-up live packed in one buffer: every page of
 * ours a process touches costs it a page fault, and every process of the
 * build pays for them (a third of the shim's start-up, measured).
 */
static CKPT_COLD char names[4 * PATH_MAX + 64];
static const char *trace_dir;		/* $CKPT_DIR/trace */
static size_t trace_room;		/* for the name of a file in it */
static const char *exe_path;		/* /proc/self/exe at start-up */
static unsigned trace_seq;		/* this image's file: <pid>-<seq>.trc */
static const char *args_start, *args_end; /* argv as the kernel laid it out */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *win;			/* mapped window, NULL = off */
static uint32_t win_off;		/* next free byte in it */
static uint32_t win_ready;		/* bytes of it backed by the file */
static uint64_t win_index;		/* which window of the file */
static int state;			/* 0 new, 1 initialising, 2 done */

static CKPT_TLS int inside;		/* this thread is in the shim */
static CKPT_TLS volatile int resolving;	/* this thread is in dlsym (volatile:
					 * dlsym may call back into us) */

/* ---- strings, without stdio ------------------------------------------- */

void strb_init(struct strb *b, char *buf, size_t size)
{
	b->buf = b->p = buf;
	b->end = buf + size - 1;
	b->full = 0;
}

void strb_mem(struct strb *b, const char *s, size_t n)
{
	if (n > (size_t)(b->end - b->p)) {
		n = (size_t)(b->end - b->p);
		b->full = 1;
	}
	memcpy(b->p, s, n);
	b->p += n;
}

void strb_str(struct strb *b, const char *s) { strb_mem(b, s, strlen(s)); }

void strb_num(struct strb *b, unsigned long v)
{
	char digits[24], *d = digits + sizeof digits;
	do
		*--d = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	strb_mem(b, d, (size_t)(digits + sizeof digits - d));
}

const char *strb_done(struct strb *b)
{
	*b->p = 0;
	return b->full ? NULL : b->buf;
}

const char *shim_fd_link(int fd, char *buf, size_t size)
{
	struct strb b;
	if (fd < 0)
		return NULL;
	strb_init(&b, buf, size);
	strb_str(&b, "/proc/self/fd/");
	strb_num(&b, (unsigned long)fd);
	return strb_done(&b);
}

/* What a file's name in trace_dir takes: "/", two numbers, "-", ".trc". At
 * most the fixed buffer it had: a longer one fails as it did. */
static size_t trace_name_room(void)
{
	size_t n = strlen(trace_dir) + 32;
	return n < PATH_MAX + 64 ? n : PATH_MAX + 64;
}

static int trace_path(char *buf, size_t size)
{
	struct strb b;
	strb_init(&b, buf, size);
	strb_str(&b, trace_dir);
	strb_str(&b, "/");
	strb_num(&b, (unsigned long)shim_pid);
	strb_str(&b, "-");
	strb_num(&b, trace_seq);
	strb_str(&b, ".trc");
	return strb_done(&b) ? 0 : -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Pages of the trace are backed before a record goes into them. Writing to
 * a page of a MAP_SHARED file that the file system cannot supply (a full
 * /dev/shm, a full disk) kills the writer with SIGBUS; MADV_POPULATE_WRITE
 * (Linux 5.14) allocates the pages or fails with an error instead, and
 * costs what the page fault it replaces would. The LOST_ROOM bytes after
 * the last record are always backed: when the next pages cannot be, a LOST
 * record goes there (and the zero length after it, where a reader stops),
 * tracing stops in this process, and the analyzer refuses a checkpoint
 * from the trace. On an older kernel (EINVAL) the shim writes unguarded,
 * as it used to.
 */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#define LOST_ROOM ((uint32_t)sizeof(struct ckpt_rec) + 8)

static int unguarded;			/* the kernel cannot populate */
static uint32_t page = 4096;		/* the system's, set at start-up */

/* Back [from, to) of window w, to = a page boundary. 0, or -errno. */
static long populate(char *w, uint32_t from, uint32_t to)
{
	if (unguarded || to <= from)
		return 0;
	long rc = raw3(SYS_madvise, w + from, to - from, MADV_POPULATE_WRITE);
	if (rc == -EINVAL) {
		unguarded = 1;
		return 0;
	}
	return rc;
}

/* The page boundary at or after `off`, within a window. */
static uint32_t page_end(uint32_t off)
{
	uint32_t end = (off + page - 1) & ~(page - 1);
	return end < CKPT_TRACE_WINDOW ? end : CKPT_TRACE_WINDOW;
}

/*
 * Growing a file past RLIMIT_FSIZE raises SIGXFSZ, which kills a program
 * that does not expect it (`ulimit -f 100` and a 1 MiB window). The limit
 * is asked each time the file grows (a process start, and each further
 * window): a program may lower it at any time. A limit the file would pass
 * is a file system without room: the process goes untraced, or loses the
 * rest of its records, and the trace says so. 0, or -EFBIG.
 */
static long fsize_allows(long size)
{
	struct rlimit rl;
	if (raw6(SYS_prlimit64, 0, RLIMIT_FSIZE, 0, (long)&rl, 0, 0) != 0)
		return 0;
	return rl.rlim_cur == RLIM_INFINITY || (rlim_t)size <= rl.rlim_cur
		       ? 0
		       : -EFBIG;
}

/* Grow the trace file to hold window `index`, map it and back its first
 * page. NULL with *err = -errno when any of that fails. */
static char *map_window_fd(int fd, uint64_t index, long *err)
{
	long size = (long)((index + 1) * CKPT_TRACE_WINDOW);
	long rc = fsize_allows(size);
	if (rc == 0)
		rc = raw3(SYS_ftruncate, fd, size, 0);
	if (rc != 0) {
		*err = rc;
		return NULL;
	}
	char *p = (char *)raw6(SYS_mmap, 0, CKPT_TRACE_WINDOW,
			       PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			       (long)(index * CKPT_TRACE_WINDOW));
	if ((unsigned long)p > -4096UL) {
		*err = (long)p;
		return NULL;
	}
	/* The file is sparse: a fault would read ahead, zeroing a large
	 * folio of holes (about 300 us a process on ext4). Trace pages are
	 * written once each, in order; no read-ahead is of use. */
	raw3(SYS_madvise, (long)p, CKPT_TRACE_WINDOW, MADV_RANDOM);
	rc = populate(p, 0, page);
	if (rc < 0) {
		raw3(SYS_munmap, p, CKPT_TRACE_WINDOW, 0);
		*err = rc;
		return NULL;
	}
	return p;
}

static char *map_window(uint64_t index, long *err)
{
	char path[trace_room];
	*err = -ENAMETOOLONG;
	if (trace_path(path, sizeof path) < 0)
		return NULL;
	int fd = raw_openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	char *p = map_window_fd(fd, index, err);
	raw_close(fd);
	return p;
}

static void use_window(char *p, uint64_t index, uint32_t off)
{
	if (win)
		raw3(SYS_munmap, win, CKPT_TRACE_WINDOW, 0);
	win = p;
	win_index = index;
	win_off = off;
	win_ready = page;
}

/* What a failed populate says: EFAULT is a fault that would have been a
 * SIGBUS, which for a file is a file system without room. */
static int lost_errno(long rc)
{
	return rc == -EFAULT ? ENOSPC : (int)-rc;
}

/* Tracing stops in this process: a LOST record goes into the backed room
 * after the last record (lock held). */
static void lose(long rc)
{
	struct ckpt_rec h = {
		.op = CKPT_LOST, .pid = shim_pid, .err = lost_errno(rc),
		.time = now_ns(),
	};
	memcpy(win + win_off, &h, sizeof h);
	__atomic_store_n((uint32_t *)(win + win_off), (uint32_t)sizeof h,
			 __ATOMIC_RELEASE);
	raw3(SYS_munmap, win, CKPT_TRACE_WINDOW, 0);
	win = NULL;
}

/* Reserve `len` bytes, backed (lock held); NULL when tracing is off. */
static char *reserve(uint32_t len)
{
	if (!win || len > CKPT_TRACE_WINDOW / 2)
		return NULL;
	long rc;
	if (win_off + len + LOST_ROOM > CKPT_TRACE_WINDOW) {
		char *next = map_window(win_index + 1, &rc);
		if (!next) {
			lose(rc);
			return NULL;
		}
		/* Pad to the end of the window: the length alone (the rest
		 * is zero: op CKPT_PAD). At least LOST_ROOM is left, which
		 * is backed; readers also take the shorter pads that
		 * shims before it left. */
		uint32_t left = CKPT_TRACE_WINDOW - win_off;
		if (left)
			__atomic_store_n((uint32_t *)(win + win_off), left,
					 __ATOMIC_RELEASE);
		use_window(next, win_index + 1, 0);
	}
	uint32_t need = win_off + len + LOST_ROOM;
	if (need > win_ready) {
		rc = populate(win, win_ready, page_end(need));
		if (rc < 0) {
			lose(rc);
			return NULL;
		}
		win_ready = page_end(need);
	}
	char *p = win + win_off;
	win_off += len;
	return p;
}

/* The i-th string of a record: `head` (unless NULL), then strs[]. */
static inline const char *str_at(const char *head, const char *const *strs,
				 int i)
{
	return !head ? strs[i] : i ? strs[i - 1] : head;
}

/* String lengths kept from the sizing pass to the copy: an array of one per
 * string would be 32 KiB on the stack for an exec of 4096 arguments. */
#define EMIT_LENS 4

/*
 * Write one record: head (unless NULL), then strs[0..nstr). Strings longer
 * than the window allows are cut short: a huge environment must never stop
 * the exec record itself. Strings past the first EMIT_LENS are measured
 * again as they are copied, within the room the first pass found (less a
 * byte for each string after): one that another thread changed in between
 * comes out shorter, never past the record.
 */
static void emit(int op, pid_t pid, uint64_t arg, int err, const char *head,
		 int nstr, const char *const *strs)
{
	size_t lens[EMIT_LENS];
	uint32_t len = sizeof(struct ckpt_rec);
	int n = 0;
	nstr += head != NULL;
	for (; n < nstr; n++) {
		size_t l = strlen(str_at(head, strs, n)) + 1;
		if (len + l > CKPT_TRACE_WINDOW / 2)
			break;
		len += (uint32_t)l;
		if (n < EMIT_LENS)
			lens[n] = l;
	}
	len = CKPT_REC_ALIGN(len);
	struct ckpt_rec h = {
		.len = len, .op = (uint16_t)op, .nstr = (uint16_t)n,
		.pid = pid, .err = err, .time = now_ns(), .arg = arg,
	};
	pthread_mutex_lock(&lock);
	char *p = reserve(len);
	if (p) {
		char *s = p + sizeof h, *end = p + len;
		for (int i = 0; i < n; i++) {
			const char *str = str_at(head, strs, i);
			if (i < EMIT_LENS) {
				memcpy(s, str, lens[i]);
				s += lens[i];
				continue;
			}
			size_t room = (size_t)(end - s) - (size_t)(n - 1 - i);
			for (size_t l = 1; l < room && *str; l++)
				*s++ = *str++;
			*s++ = 0;
		}
		memset(s, 0, (size_t)(end - s));
		/* The length goes in last: a reader never sees a record whose
		 * length is set and whose body is not. */
		h.len = 0;
		memcpy(p, &h, sizeof h);
		__atomic_store_n((uint32_t *)p, len, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&lock);
}

/* ---- objects dlopen loaded --------------------------------------------- */

/*
 * The dlopen wrapper jumps to the real dlopen (wrap_exec.c) and never sees
 * what it loaded: it only notes that this thread asked. The objects are
 * found afterwards in dl_iterate_phdr's list of our namespace, which is in
 * load order: the start-up objects first (never unloaded), then each
 * dlopen's appended. dlpi_adds counts every object ever added, so the
 * last `adds - dl_adds` of the list are all that came since the last look
 * (one that is gone again stretches that window over an older object: a
 * record twice, never one lost).
 *
 * The look is made at this thread's next record after its dlopen (so a
 * LOAD carries the time of that record, not of the dlopen), before a
 * dlclose, at an exec and at exit (a destructor, after the atexit
 * handlers). Not covered: a process that ends by _exit, abort or a signal
 * with no record after its dlopen, and an object that a failed dlopen
 * mapped and removed again. A process that never dlopens pays a test of
 * a flag in enter() and one at exit.
 */
static int dl_nstart;			/* objects listed at start-up */
static unsigned long long dl_adds;	/* dlpi_adds at the last look */
static int dl_used;			/* the program called dlopen */
static CKPT_TLS int dl_pending;		/* this thread did, since a look */
static const char *self_name;		/* the file we were loaded from */

struct dl_look {
	int n;				/* objects listed */
	int from;			/* the first to record */
	unsigned long long adds;
	int changed;			/* the list changed in between */
};

static int dl_count_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct dl_look *l = data;
	(void)size;
	if (l->n++ == 0) {
		l->adds = info->dlpi_adds;
		if (l->adds == __atomic_load_n(&dl_adds, __ATOMIC_RELAXED))
			return 1;	/* nothing added: no need to count */
	}
	return 0;
}

static int dl_record_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct dl_look *l = data;
	const char *name = info->dlpi_name;
	(void)size;
	if (l->n == 0 && info->dlpi_adds != l->adds) {
		l->changed = 1;
		return 1;
	}
	if (l->n++ >= l->from && name && name[0] == '/' &&
	    !(self_name && !strcmp(name, self_name)))
		emit(CKPT_LOAD, shim_pid, 0, 0, NULL, 1, &name);
	return 0;
}

/* Record the objects added since the last look (inside the shim). The
 * list is walked twice, counted then recorded, each time under ld.so's
 * lock; a change in between (another thread's dlopen or dlclose) is seen
 * by the count or dlpi_adds, and the look made again. */
static void dl_look(void)
{
	dl_pending = 0;
	for (int tries = 0; tries < 4; tries++) {
		struct dl_look l = { 0 };
		dl_iterate_phdr(dl_count_cb, &l);
		unsigned long long done = __atomic_load_n(&dl_adds, __ATOMIC_RELAXED);
		if (l.n == 0 || l.adds == done)
			return;
		unsigned long long added = l.adds - done;
		int n = l.n, later = n > dl_nstart ? n - dl_nstart : 0;
		l.from = n - (added < (unsigned long long)later ? (int)added
								 : later);
		l.n = 0;
		dl_iterate_phdr(dl_record_cb, &l);
		if (!l.changed && l.n == n) {
			__atomic_store_n(&dl_adds, l.adds, __ATOMIC_RELAXED);
			return;
		}
	}
}

void shim_dl_opening(void)
{
	/* The start-up objects are told by their number: count them before
	 * a dlopen adds any (a constructor may dlopen before ours ran). */
	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 0)
		shim_init();
	__atomic_store_n(&dl_used, 1, __ATOMIC_RELAXED);
	dl_pending = 1;
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
	if (dl_pending)
		dl_look();
	return 1;
}

static void leave(void) { inside = 0; }

void shim_dl_flush(void)
{
	int saved = errno;
	if (__atomic_load_n(&dl_used, __ATOMIC_RELAXED) && enter()) {
		dl_look();
		leave();
	}
	errno = saved;
}

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

int shim_cwd_refresh(void)
{
	if (raw_getpid() != shim_pid)
		return 0;	/* a vfork child's: see shim.h */
	if (raw_getcwd(shim_cwd, sizeof shim_cwd) < 0)
		shim_cwd[0] = 0;
	return 1;
}

/* SHIM_ABSPATH (shim.h): the room first asked. */
size_t shim_abs_room(struct shim_abs *a, int dirfd, const char *path,
		     size_t max)
{
	size_t room;
	*a = (struct shim_abs){ .dirfd = dirfd, .path = path, .max = max };
	if (!path || path[0] == '/')
		return 1;
	a->plen = strlen(path);
	a->blen = strlen(shim_cwd);
	if (dirfd == AT_FDCWD) {
		room = a->blen + a->plen + 2;
		return room <= max ? room : 1;
	}
	if (a->plen + 2 > max)
		return 1;
	room = a->blen + SHIM_DIR_GUESS + a->plen + 2;
	a->guess = room < max;
	return a->guess ? room : max;
}

/* Join the base (cwd, or the directory dirfd names) and the path in buf.
 * With a directory, the name is read into buf with the room the path
 * leaves: a name that fills it may be cut short, and does not fit anyway
 * (when the room was a guess, the caller asks for more). */
const char *shim_abs_make(struct shim_abs *a, char *buf, size_t size)
{
	const char *path = a->path;
	size_t blen, plen = a->plen;
	a->more = 0;
	if (!path || path[0] == '/' || plen + 2 > size)
		return path;
	if (a->dirfd == AT_FDCWD) {
		blen = a->blen;
		if (blen + plen + 2 > size)
			return path;
		memcpy(buf, shim_cwd, blen);
	} else {
		char fdlink[32];
		const char *link = shim_fd_link(a->dirfd, fdlink, sizeof fdlink);
		long room = (long)(size - plen - 1);
		long n = link ? raw_readlink(link, buf, room) : -1;
		if (n <= 0)
			return path;
		if (n >= room) {
			a->more = a->guess;
			return path;
		}
		blen = (size_t)n;
	}
	if (path[0] == '.' && path[1] == 0) {	/* "." is the base itself */
		buf[blen] = 0;
		return buf;
	}
	if (blen == 0 || buf[blen - 1] != '/')
		buf[blen++] = '/';
	memcpy(buf + blen, path, plen + 1);
	return buf;
}

const char *shim_fd_name(int fd, char *buf, size_t size, int *more)
{
	char link[32];
	long n = raw_readlink(shim_fd_link(fd, link, sizeof link), buf,
			      (long)size - 1);
	if (n <= 0)
		return NULL;
	if (n == (long)size - 1 && more) {
		*more = 1;
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

void rec_strings(int op, pid_t pid, uint64_t arg, int err, int nstr,
		 const char *const *strs)
{
	int saved = errno;
	if (enter()) {
		/* An exec ends this image: what any thread dlopened goes
		 * in now. */
		if (op == CKPT_EXEC &&
		    __atomic_load_n(&dl_used, __ATOMIC_RELAXED))
			dl_look();
		emit(op, pid ? pid : shim_pid, arg, err, NULL, nstr, strs);
		leave();
	}
	errno = saved;
}

void rec_exec(pid_t pid, uint64_t arg, const char *path, int argc,
	      const char *const *argv)
{
	int saved = errno;
	if (enter()) {
		if (__atomic_load_n(&dl_used, __ATOMIC_RELAXED))
			dl_look();
		emit(CKPT_EXEC, pid ? pid : shim_pid, arg, 0,
		     path ? path : "", argc, argv);
		leave();
	}
	errno = saved;
}

/* See shim_path_unread: such a call is not recorded. */
void rec_path(int op, int dirfd, const char *path, uint64_t arg, int err)
{
	int saved = errno;
	if (path && !shim_path_unread(err) && enter()) {
		SHIM_ABSPATH(s, dirfd, path, PATH_MAX * 2);
		emit(op, shim_pid, arg, err, NULL, 1, &s);
		leave();
	}
	errno = saved;
}

void rec_path2(int op, int dirfd1, const char *p1, int dirfd2,
	       const char *p2, int err)
{
	int saved = errno;
	if (p1 && p2 && !shim_path_unread(err) && enter()) {
		/* a symbolic link's target is recorded as it is given */
		SHIM_ABSPATH(a1, dirfd1, op == CKPT_SYMLINK ? NULL : p1,
			     PATH_MAX * 2);
		SHIM_ABSPATH(a2, dirfd2, p2, PATH_MAX * 2);
		const char *s[2] = { op == CKPT_SYMLINK ? p1 : a1, a2 };
		emit(op, shim_pid, 0, err, NULL, 2, s);
		leave();
	}
	errno = saved;
}

/* RENAME_EXCHANGE swaps two files: each name was read, and now holds the
 * other's content, as if each had been linked over the other. */
void rec_rename(int dirfd1, const char *p1, int dirfd2, const char *p2,
		unsigned flags, int err)
{
	if (err || !(flags & RENAME_EXCHANGE)) {
		rec_path2(CKPT_RENAME, dirfd1, p1, dirfd2, p2, err);
		return;
	}
	rec_path(CKPT_READ, dirfd2, p2, O_RDONLY, 0);
	rec_path2(CKPT_LINK, dirfd1, p1, dirfd2, p2, 0);
	rec_path2(CKPT_LINK, dirfd2, p2, dirfd1, p1, 0);
}

void rec_fd(int op, int fd, uint64_t arg, int err)
{
	int saved = errno;
	if (fd >= 0 && enter()) {
		SHIM_FD_NAME(s, fd);
		if (s && s[0] == '/')
			emit(op, shim_pid, arg, err, NULL, 1, &s);
		leave();
	}
	errno = saved;
}

void rec_open_flags(int dirfd, const char *path, int flags, uint64_t created,
		    int err)
{
	int acc = flags & O_ACCMODE;
	int op = (acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
			 ? CKPT_WRITE
			 : CKPT_READ;
	if (flags & O_PATH)
		op = CKPT_STAT;
	rec_path(op, dirfd, path, (uint64_t)(unsigned)flags | (err ? 0 : created),
		 err);
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

/* Create the directories of `dir` that are missing: 1 if this call made
 * `dir` itself, 0 if it was there, -1 on failure. */
static int mkdir_p(const char *dir)
{
	size_t len = strlen(dir);
	if (len >= PATH_MAX + 8)
		return -1;
	char path[len + 1];
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		raw3(SYS_mkdirat, AT_FDCWD, path, 0777);
		*p = '/';
	}
	long rc = raw3(SYS_mkdirat, AT_FDCWD, path, 0777);
	return rc == 0 ? 1 : rc == -EEXIST ? 0 : -1;
}

/* This process made the trace directory: it is the first of the build. */
static int made_trace_dir;

/* Create this image's trace file and map its first window. The directory
 * is made only when the file cannot be: it is there for all but the
 * first process of a build. */
/* "<pid>-<n>.lost" for "<pid>-<n>.trc"; 0 if it does not fit. */
static int lost_name(char *lost, size_t size, const char *path)
{
	struct strb b;
	strb_init(&b, lost, size);
	strb_mem(&b, path, strlen(path) - 4);
	strb_str(&b, ".lost");
	return strb_done(&b) != NULL;
}

static int open_trace_file(void)
{
	const int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
	char path[trace_room];
	for (trace_seq = 0; trace_seq < 1000; trace_seq++) {
		if (trace_path(path, sizeof path) < 0)
			return -1;
		int fd = raw_openat(AT_FDCWD, path, flags, 0644), made;
		if (fd == -ENOENT && (made = mkdir_p(trace_dir)) >= 0) {
			made_trace_dir |= made;
			fd = raw_openat(AT_FDCWD, path, flags, 0644);
		}
		if (fd == -EEXIST)
			continue;
		if (fd == -EMFILE || fd == -ENFILE) {
			/* At its limit of descriptors (a fork child of a
			 * process that used them all): a directory of the
			 * lost name, which takes none, says it went
			 * untraced. */
			char lost[strlen(path) + 2];
			if (lost_name(lost, sizeof lost, path))
				raw3(SYS_mkdirat, AT_FDCWD, (long)lost, 0755);
			return -1;
		}
		if (fd < 0)
			return -1;
		win = NULL;
		long err;
		char *p = map_window_fd(fd, 0, &err);
		raw_close(fd);
		if (!p) {
			/* No room even for the header: the file's name says
			 * that this process went untraced. */
			char lost[strlen(path) + 2];
			if (lost_name(lost, sizeof lost, path))
				raw6(SYS_renameat, AT_FDCWD, (long)path,
				     AT_FDCWD, (long)lost, 0, 0);
			return -1;
		}
		struct ckpt_file_header fh = {
			.magic = CKPT_TRACE_MAGIC,
			.version = CKPT_TRACE_VERSION,
			.window = CKPT_TRACE_WINDOW,
		};
		use_window(p, 0, sizeof fh);
		memcpy(win, &fh, sizeof fh);
		return 0;
	}
	return -1;
}

/* The START record: exe, cwd, then argv from the NUL-separated strings in
 * [a, end), which end with a NUL. */
static void emit_start_args(uint64_t flags, const char *a, const char *end)
{
	int argc = 0;
	for (const char *p = a; p < end; p++)
		argc += *p == 0;
	if (argc > 512)
		argc = 512;
	const char *strs[2 + argc];
	strs[0] = exe_path ? exe_path : "";
	strs[1] = shim_cwd;
	int k = 2;
	for (; a < end && k < 2 + argc; a += strlen(a) + 1)
		strs[k++] = a;
	emit(CKPT_START, shim_pid, (uint64_t)(uint32_t)raw_getppid() | flags, 0,
	     NULL, k, strs);
}

/* argv from /proc, for a start before our constructor has seen it. */
static __attribute__((noinline)) void emit_start_proc(uint64_t flags)
{
	char args[32768];
	long len = 0, r;
	int fd = raw_openat(AT_FDCWD, "/proc/self/cmdline", O_RDONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		while (len < (long)sizeof args - 1 &&
		       (r = raw_read(fd, args + len, (long)sizeof args - 1 - len)) > 0)
			len += r;
		raw_close(fd);
	}
	if (len > 0 && args[len - 1] != 0)
		args[len++] = 0;
	emit_start_args(flags, args, args + len);
}

/* The first records of an image: START, and what its stdout is. argv is
 * read where the kernel put it (the same bytes /proc/self/cmdline shows),
 * when the constructor has told us where that is. */
static void emit_start(uint64_t flags)
{
	if (args_start && args_end > args_start && args_end[-1] == 0)
		emit_start_args(flags, args_start, args_end);
	else
		emit_start_proc(flags);
	struct stat st;
	const char *what = "closed";
	if (raw3(SYS_fstat, 1, (long)&st, 0) == 0)
		what = S_ISFIFO(st.st_mode)  ? "pipe"
		       : S_ISREG(st.st_mode) ? "file"
		       : S_ISCHR(st.st_mode) ? "tty"
					     : "other";
	else
		st.st_ino = 0;
	emit(CKPT_STDOUT, shim_pid, (uint64_t)st.st_ino, 0, NULL, 1, &what);
}

static int load_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	const char *self = data;
	const char *name = info->dlpi_name;
	dl_nstart++;
	dl_adds = info->dlpi_adds;
	if (name && name[0] == '/' && strcmp(name, self) != 0)
		emit(CKPT_LOAD, shim_pid, 0, 0, NULL, 1, &name);
	return 0;
}

static void emit_environ(void)
{
	int n = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	if (n > 4096)
		n = 4096;
	emit(CKPT_ENVIRON, shim_pid, 0, 0, NULL, n,
	     (const char *const *)environ);
}

/* The object whose loaded segments hold `data`'s address: ours. */
static int self_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	const char **found = data;
	ElfW(Addr) at = (ElfW(Addr))*found;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		ElfW(Addr) start = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && at - start < ph->p_memsz) {
			*found = info->dlpi_name;
			return 1;
		}
	}
	return 0;
}

/* The file name ld.so loaded us by (it lives as long as we are mapped).
 * The list of loaded objects is walked rather than asking dladdr, which
 * also searches our symbol table: a few microseconds a process. */
static const char *find_self(void)
{
	const char *found = (const char *)(void *)find_self;
	if (dl_iterate_phdr(self_cb, &found) && found && found[0])
		return found;
	return "libckpt.so";
}

/* Append the concatenation of parts (up to a NULL) to names[]; NULL when
 * it does not fit. */
static const char *keep(size_t *used, const char *const *parts)
{
	struct strb b;
	strb_init(&b, names + *used, sizeof names - *used);
	while (*parts)
		strb_str(&b, *parts++);
	const char *s = strb_done(&b);
	if (s)
		*used += (size_t)(b.p - b.buf) + 1;
	return s;
}

/* Is `name` argv[1] or argv[2]? The kernel runs a script (or a
 * binfmt_misc file) as its interpreter, with the name the script was
 * executed by after the interpreter's name and its optional argument. */
static int interpreted(const char *name)
{
	const char *a = args_start;
	for (int i = 0; i < 3 && a < args_end; i++, a += strlen(a) + 1)
		if (i > 0 && !strcmp(a, name))
			return 1;
	return 0;
}

/* The program this image runs, appended to names[]; "" when it cannot be
 * told. The name it was executed by (AT_EXECFN, made absolute) costs no
 * system call and is the program, unless the kernel ran an interpreter
 * for it (a script: its name is then among the arguments), it was run by
 * descriptor (/dev/fd/N), or argv is not known yet (a start before our
 * constructor): then /proc/self/exe, which resolves symbolic links where
 * AT_EXECFN keeps the name used, as opens are recorded. */
static const char *keep_exe(size_t *used)
{
	char *s = names + *used;
	long room = (long)(sizeof names - *used);
	const char *fn = (const char *)getauxval(AT_EXECFN);
	if (fn && *fn && args_start && !getauxval(AT_EXECFD) &&
	    strncmp(fn, "/dev/fd/", 8) && strncmp(fn, "/proc/", 6) &&
	    !interpreted(fn)) {
		SHIM_ABSPATH(abs, AT_FDCWD, fn, PATH_MAX);
		size_t n = strlen(abs);
		if (abs[0] == '/' && (long)n < room) {
			memcpy(s, abs, n + 1);
			*used += n + 1;
			return s;
		}
	}
	long n = room > 1 ? raw_readlink("/proc/self/exe", s, room - 1) : -1;
	if (n < 0 || n >= room - 1)
		return "";
	s[n] = 0;
	*used += (size_t)n + 1;
	return s;
}

/*
 * fork() may run in a signal handler that interrupted this very thread in
 * emit(), with the lock held: waiting for it would wait forever. The lock
 * is only tried. The child does not need it anyway: it drops the parent's
 * window and starts a file of its own. When the lock was not taken, a
 * record may be half written in the window, perhaps by the code this
 * handler interrupted, which resumes in the child too: the child leaves
 * the mapping alone (it is the parent's file; one mapping is leaked).
 */
static CKPT_TLS int fork_locked;	/* prepare took the lock */

static void after_fork_prepare(void)
{
	fork_locked = pthread_mutex_trylock(&lock) == 0;
}

static void after_fork_parent(void)
{
	if (fork_locked)
		pthread_mutex_unlock(&lock);
	fork_locked = 0;
}

/* The child owns a copy of the parent's pointer into a shared window: it
 * must not write there. It starts a file of its own. `unmap`: no record
 * can be half written in the window by this thread. */
static void fork_child(int unmap)
{
	int was_inside = inside, saved_errno = errno;
	pthread_mutex_init(&lock, NULL);
	if (win && unmap)
		raw3(SYS_munmap, win, CKPT_TRACE_WINDOW, 0);
	win = NULL;
	shim_pid = raw_getpid();
	shim_wrap_fork_child();
	/* What the parent dlopened, the parent records. Another thread of
	 * it may have held ld.so's lock at the fork, which the child's
	 * dl_iterate_phdr would wait for for ever: only a dlopen of the
	 * child's own makes it look. */
	__atomic_store_n(&dl_used, 0, __ATOMIC_RELAXED);
	dl_pending = 0;
	if (state == 2 && trace_dir && open_trace_file() == 0) {
		inside = 1;
		emit_start(CKPT_START_FORK);
		inside = was_inside;
	}
	errno = saved_errno;	/* fork() leaves the child's errno alone */
}

static void after_fork_child(void)
{
	fork_child(fork_locked);
	fork_locked = 0;
}

/* The child of a fork made by a raw system call: no atfork handler ran.
 * The lock may be held by a thread the child does not have; this thread
 * is inside the shim only if a signal handler interrupted it there. */
void shim_raw_fork_child(void)
{
	fork_child(!inside);
}

void shim_init(void)
{
	int expect = 0;
	if (!__atomic_compare_exchange_n(&state, &expect, 1, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;		/* done, or under way (re-entry) */
	/* The program's errno at main() is 0: getauxval and the
	 * dynamic loader's calls below may set it. */
	int saved_errno = errno;
	inside = 1;
	shim_pid = raw_getpid();
	unsigned long ps = getauxval(AT_PAGESZ);
	if (ps >= 4096 && ps <= CKPT_TRACE_WINDOW && !(ps & (ps - 1)))
		page = (uint32_t)ps;
	shim_cwd_refresh();
	const char *self = find_self();
	self_name = self;
	const char *dir = env_lookup("CKPT_DIR");
	/* The first traced process records the environment: under a bare
	 * LD_PRELOAD it is the one without CKPT_DIR, or the one that made
	 * the trace directory (CKPT_DIR=... LD_PRELOAD=... make); `ckpt
	 * record` marks its child with CKPT_ENVIRON=1, which exec wrappers
	 * do not pass on. */
	int first = dir == NULL || !*dir || env_lookup("CKPT_ENVIRON");
	const char *base = "", *sep = "";
	if (dir == NULL || !*dir) {
		base = shim_cwd;
		dir = "/.ckpt";
	} else if (dir[0] != '/') {
		base = shim_cwd;
		sep = "/";
	}
	size_t used = 0;
	const char *env_dir = keep(&used, (const char *[]){
		"CKPT_DIR=", base, sep, dir, NULL });
	const char *env_preload = keep(&used, (const char *[]){
		"LD_PRELOAD=", self, NULL });
	trace_dir = keep(&used, (const char *[]){
		env_dir ? env_dir + 9 : "", "/trace", NULL });
	if (trace_dir)
		trace_room = trace_name_room();
	exe_path = keep_exe(&used);
	if (env_dir && env_preload && trace_dir) {
		shim_env_dir = env_dir;
		shim_env_preload = env_preload;
		pthread_atfork(after_fork_prepare, after_fork_parent,
			       after_fork_child);
		if (open_trace_file() == 0) {
			emit_start(0);
			if (first || made_trace_dir)
				emit_environ();
			dl_iterate_phdr(load_cb, (void *)self);
		}
	} else {
		trace_dir = NULL;	/* a path too long to trace under */
	}
	inside = 0;
	__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
	errno = saved_errno;
}

/* glibc passes argc, argv and envp to the constructors of a shared object.
 * argv's strings lie one after another where the kernel put them: START
 * records (also those of fork children) take them from there rather than
 * from /proc/self/cmdline. */
__attribute__((constructor)) static void shim_constructor(int argc,
							  char **argv)
{
	if (argc > 0 && argv && argv[0]) {
		const char *end = argv[0];
		int i = 0;
		while (i < argc && argv[i] == end)
			end += strlen(argv[i++]) + 1;
		if (i == argc) {
			args_start = argv[0];
			args_end = end;
		}
	}
	shim_init();
}

/* At exit (after the program's atexit handlers): what a dlopen loaded since
 * the last record. */
__attribute__((destructor)) static void shim_destructor(void)
{
	if (__atomic_load_n(&dl_used, __ATOMIC_RELAXED))
		shim_dl_flush();
}
