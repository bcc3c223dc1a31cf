/*
 * badptr.c: calls that fail before the kernel reads their path or
 * address, given one the program cannot read (found by a helper's attack
 * on the shim, /tmp/attack7): the kernel's error, not a SIGSEGV in the
 * shim reading it. Prints each call's errno; exits 0.
 *   - flags or sizes the kernel rejects first (EINVAL): O_TMPFILE without
 *     write access, readlink's size 0, fstatat's and unlinkat's flags;
 *   - a path with no end within PATH_MAX, before an unmapped page
 *     (ENAMETOOLONG);
 *   - connect with an address shorter than its family needs, at the end
 *     of a page (EINVAL).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	printf("%s: %ld %s\n", what, r, r < 0 ? strerror(errno) : "");
}

int main(void)
{
	const char *bad = (const char *)8;	/* never mapped */
	char buf[16];
	struct stat st;
	show("open O_TMPFILE|O_RDONLY", open(bad, O_TMPFILE | O_RDONLY));
	show("readlink size 0", readlink(bad, buf, 0));
	show("fstatat bad flags", fstatat(AT_FDCWD, bad, &st, 0x40000000));
	show("unlinkat bad flags", unlinkat(AT_FDCWD, bad, 0x40000000));

	long pg = sysconf(_SC_PAGESIZE);
	size_t n = (size_t)(PATH_MAX / pg + 2) * (size_t)pg;
	char *m = mmap(NULL, n + (size_t)pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	munmap(m + n, (size_t)pg);	/* the page after has no end either */
	memset(m, 'a', n);
	show("open, no end", open(m, O_RDONLY));
	show("stat, no end", stat(m, &st));
	show("mkdir, no end", mkdir(m, 0755));
	show("access, no end", access(m, F_OK));

	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr *end = (struct sockaddr *)(m + n - 2);
	end->sa_family = AF_INET;
	show("connect, 2 bytes of AF_INET", connect(fd, end, 2));
	end->sa_family = AF_INET6;
	show("connect, 2 bytes of AF_INET6", connect(fd, end, 2));
	return 0;
}
