/*
 * raw.h - system calls issued without going through libc's exported symbols.
 *
 * The shim wraps open, stat, syscall() and friends; calling any of them from
 * inside the shim would record our own bookkeeping, or recurse. These inline
 * helpers trap into the kernel directly and return -errno on failure.
 */
#ifndef CKPT_RAW_H
#define CKPT_RAW_H

#include <fcntl.h>
#include <sys/syscall.h>

static inline long raw6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
#if defined(__x86_64__)
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	ret = x0;
#endif
	return ret;
}

#define RAW(n, ...) raw_##n(__VA_ARGS__)
#define raw3(n, a, b, c) raw6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

static inline int raw_openat(int dfd, const char *p, int flags, int mode)
{
	return (int)raw6(SYS_openat, dfd, (long)p, flags, mode, 0, 0);
}

static inline int raw_close(int fd) { return (int)raw3(SYS_close, fd, 0, 0); }

static inline long raw_pread(int fd, void *buf, long n, long off)
{
	return raw6(SYS_pread64, fd, (long)buf, n, off, 0, 0);
}

static inline long raw_read(int fd, void *buf, long n)
{
	return raw3(SYS_read, fd, buf, n);
}

static inline int raw_getpid(void) { return (int)raw3(SYS_getpid, 0, 0, 0); }
static inline int raw_getppid(void) { return (int)raw3(SYS_getppid, 0, 0, 0); }

static inline long raw_readlink(const char *p, char *buf, long n)
{
	return raw6(SYS_readlinkat, AT_FDCWD, (long)p, (long)buf, n, 0, 0);
}

static inline long raw_getcwd(char *buf, long n)
{
	return raw3(SYS_getcwd, buf, n, 0);
}

#endif
