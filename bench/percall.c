/* percall.c [N [DIR]]: ns per call, over N calls each (default 200000), of
 * open+close of an existing file, of a failing stat, of a failing open
 * (what gcc does for each -I directory that lacks a header), and of a
 * shell's `> file` over an existing empty file (O_CREAT|O_TRUNC, before
 * which the shim looks the path up) with its close. Run with and without
 * the shim. Prints "OPENCLOSE STATFAIL OPENFAIL TRUNCCLOSE". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	if (argc > 2 && chdir(argv[2]) < 0) {
		perror(argv[2]);
		return 2;
	}
	int fd = open("percall.file", O_WRONLY | O_CREAT, 0644);
	if (fd < 0) {
		perror("percall.file");
		return 2;
	}
	close(fd);
	struct stat st;
	for (long i = 0; i < n / 10; i++) /* warm up: caches, lazy binding */
		close(open("percall.file", O_RDONLY));
	double t0 = now();
	for (long i = 0; i < n; i++)
		close(open("percall.file", O_RDONLY));
	double t1 = now();
	for (long i = 0; i < n; i++)
		if (stat("no/such/file.h", &st) == 0)
			return 3;
	double t2 = now();
	for (long i = 0; i < n; i++)
		if (open("inc9/no-such-file.h", O_RDONLY | O_NOCTTY) >= 0)
			return 3;
	double t3 = now();
	for (long i = 0; i < n; i++)
		close(open("percall.file", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	double t4 = now();
	printf("%.0f %.0f %.0f %.0f\n", (t1 - t0) / n, (t2 - t1) / n,
	       (t3 - t2) / n, (t4 - t3) / n);
	return 0;
}
