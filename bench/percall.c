/* percall.c N DIR: ns per call of open+close of an existing file and of a
 * failing stat, over N calls each. Run with and without the shim. */
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
	if (argc > 2 && chdir(argv[2]) < 0)
		return 2;
	int fd = open("percall.file", O_WRONLY | O_CREAT, 0644);
	close(fd);
	struct stat st;
	double t0 = now();
	for (long i = 0; i < n; i++)
		close(open("percall.file", O_RDONLY));
	double t1 = now();
	for (long i = 0; i < n; i++)
		stat("no/such/file.h", &st);
	double t2 = now();
	printf("%.0f %.0f\n", (t1 - t0) / n, (t2 - t1) / n);
	return 0;
}
