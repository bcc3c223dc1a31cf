/*
 * util.c - error reporting, checked allocation, progress lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"

static void vreport(const char *prefix, const char *fmt, va_list ap,
		    const char *suffix)
{
	progress_done();
	fprintf(stderr, "ckpt: %s", prefix);
	vfprintf(stderr, fmt, ap);
	if (suffix)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("error: ", fmt, ap, NULL);
	va_end(ap);
	return -1;
}

int error_errno(const char *fmt, ...)
{
	const char *why = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	vreport("error: ", fmt, ap, why);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void *xcheck(void *p)
{
	if (!p) {
		fputs("ckpt: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xmalloc(size_t n) { return xcheck(malloc(n ? n : 1)); }
void *xcalloc(size_t n, size_t size) { return xcheck(calloc(n ? n : 1, size)); }
void *xrealloc(void *p, size_t n) { return xcheck(realloc(p, n ? n : 1)); }
char *xstrdup(const char *s) { return xcheck(strdup(s)); }
void *xmemdup(const void *p, size_t n) { return memcpy(xmalloc(n), p, n); }

void advise_huge(void *p, size_t n)
{
	const uintptr_t huge = 2u << 20;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t b = ((uintptr_t)p + n) & ~(huge - 1);
	if (b > a)
		madvise((void *)a, b - a, MADV_HUGEPAGE);
}

/*
 * The kernel grows a process's descriptor table when a descriptor past
 * its end is opened, and in a process with threads it then waits for an
 * RCU grace period (expand_fdtable), 10-20 ms on this VM, at every
 * doubling. A process started by dash or bash has a table of 64; the
 * threads of a restore hold over a hundred descriptors at once (the
 * directories each keeps open): those waits were 40 ms of a 65 ms
 * restore. Growing it here, before any thread, costs a few microseconds.
 */
void reserve_fds(int n)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)n > rl.rlim_cur)
		n = (int)rl.rlim_cur;
	int fd = open("/", O_PATH | O_CLOEXEC);
	if (fd < 0 || n <= fd + 1) {
		if (fd >= 0)
			close(fd);
		return;
	}
	/* The lowest free descriptor from n - 1 on: never one in use. */
	int high = fcntl(fd, F_DUPFD_CLOEXEC, n - 1);
	if (high >= 0)
		close(high);
	close(fd);
}

char *xasprintf(const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return xcheck(n < 0 ? NULL : s);
}

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int progress_shown;

void progress(const char *fmt, ...)
{
	static uint64_t last;
	if (!isatty(STDERR_FILENO))
		return;
	uint64_t t = now_ns();
	if (t - last < 100000000u)
		return;
	last = t;
	va_list ap;
	va_start(ap, fmt);
	fputs("\r\033[K", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	progress_shown = 1;
}

void progress_done(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

/*
 * The length of the well-formed UTF-8 sequence at p (*p >= 0x80), or 0.
 * The range allowed for the second byte excludes overlong forms
 * (0xe0, 0xf0), the surrogates U+D800..U+DFFF (0xed) and code points
 * above U+10FFFF (0xf4). A NUL ends the check, so it never reads past
 * the string.
 */
static int utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	if (*p == 0xe0)
		lo = 0xa0;
	else if (*p == 0xed)
		hi = 0x9f;
	else if (*p == 0xf0)
		lo = 0x90;
	else if (*p == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void json_string(FILE *f, const char *s)
{
	int n;

	fputc('"', f);
	for (const unsigned char *p = (const void *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20) {
				fprintf(f, "\\u%04x", *p);
			} else if (*p < 0x80) {
				fputc(*p, f);
			} else if ((n = utf8_len(p))) {
				fwrite(p, 1, n, f);
				p += n - 1;
			} else {
				/* Not UTF-8: Python's "surrogateescape",
				 * which gives the byte back. */
				fprintf(f, "\\udc%02x", *p);
			}
		}
	}
	fputc('"', f);
}

/* ---- parallel_for ------------------------------------------------------ */

struct pfor {
	size_t n, chunk;
	int (*fn)(void *arg, size_t i, int worker);
	void *arg;
	atomic_size_t next;
	atomic_int failed;
};

struct pfor_worker {
	struct pfor *p;
	int id;
};

/* Run one chunk; 0 when none is left or a call failed. */
static int pfor_chunk(struct pfor *p, int worker)
{
	size_t i = atomic_fetch_add(&p->next, p->chunk);
	if (i >= p->n || atomic_load(&p->failed))
		return 0;
	size_t end = p->n - i > p->chunk ? i + p->chunk : p->n;
	for (; i < end; i++)
		if (p->fn(p->arg, i, worker) < 0) {
			atomic_store(&p->failed, 1);
			return 0;
		}
	return 1;
}

static void *pfor_thread(void *arg)
{
	struct pfor_worker *w = arg;
	while (pfor_chunk(w->p, w->id))
		;
	return NULL;
}

int pfor_threads(int threads)
{
	if (threads == PFOR_CPU || threads == PFOR_CREATE) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		if (cpus < 1)
			cpus = 1;
		if (threads == PFOR_CREATE)
			cpus *= 2;
		threads = (int)(cpus < PFOR_MAX ? cpus : PFOR_MAX);
	}
	if (threads > PFOR_MAX)
		threads = PFOR_MAX;
	return threads < 1 ? 1 : threads;
}

int parallel_for(size_t n, size_t chunk, int threads,
		 int (*fn)(void *arg, size_t i, int worker), void *arg,
		 const char *what)
{
	struct pfor p = { .n = n, .chunk = chunk ? chunk : 1, .fn = fn,
			  .arg = arg };
	atomic_init(&p.next, 0);
	atomic_init(&p.failed, 0);
	size_t chunks = (n + p.chunk - 1) / p.chunk;
	threads = pfor_threads(threads);
	if ((size_t)threads > chunks)
		threads = (int)chunks;
	pthread_t th[PFOR_MAX];
	struct pfor_worker w[PFOR_MAX];
	int nth = 0;
	while (nth + 1 < threads) {
		w[nth] = (struct pfor_worker){ &p, nth + 1 };
		if (pthread_create(&th[nth], NULL, pfor_thread, &w[nth]))
			break;		/* fewer threads: still correct */
		nth++;
	}
	while (pfor_chunk(&p, 0))
		if (what) {
			size_t at = atomic_load(&p.next);
			progress("%s: %zu/%zu", what, at < n ? at : n, n);
		}
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	if (what)
		progress_done();
	return atomic_load(&p.failed) ? -1 : 0;
}
