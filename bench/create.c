/*
 * create.c - what creating one restored output costs, each way restore
 * makes a file (analyzer/fsio.c): N files of 900 bytes spread over 34
 * directories of DIR, each with its content, mode and mtime.
 *   unnamed  O_TMPFILE in the directory, then linkat (MAKE_NEW)
 *   excl     open(O_CREAT|O_EXCL) at its name (MAKE_FRESH)
 * CHMOD=needed calls fchmod only where fstat shows the mode is not right
 * yet (tried for restore, and not kept: no gain measured).
 * Prints "HOW[, if needed]: N files, US us a file". Usage: create HOW DIR N
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NDIRS 34

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "unnamed") && strcmp(argv[1], "excl"))) {
		fprintf(stderr, "usage: create unnamed|excl DIR N\n");
		return 2;
	}
	int unnamed = !strcmp(argv[1], "unnamed");
	const char *needed = getenv("CHMOD");
	int chmod_always = !needed || strcmp(needed, "needed");
	const char *dir = argv[2];
	int n = atoi(argv[3]);
	char buf[900], path[4200], d[4096], proc[32];
	memset(buf, 'x', sizeof buf);
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	for (int k = 0; k < NDIRS; k++) {
		snprintf(d, sizeof d, "%s/d%02d", dir, k);
		if (mkdir(d, 0755) < 0) {
			perror(d);
			return 1;
		}
	}
	double t0 = now();
	for (int i = 0; i < n; i++) {
		snprintf(d, sizeof d, "%s/d%02d", dir, i % NDIRS);
		snprintf(path, sizeof path, "%s/f%05d.o", d, i);
		int fd = unnamed ? open(d, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644)
				 : open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
					0644);
		struct stat st;
		int ok = fd >= 0 && write(fd, buf, sizeof buf) == (ssize_t)sizeof buf;
		if (ok && (chmod_always || fstat(fd, &st) < 0 ||
			   (st.st_mode & 07777) != 0644))
			ok = fchmod(fd, 0644) == 0;
		ok = ok && futimens(fd, ts) == 0;
		if (ok && unnamed &&
		    linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) < 0) {
			/* without CAP_DAC_READ_SEARCH, as fsio.c does */
			snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
			ok = linkat(AT_FDCWD, proc, AT_FDCWD, path,
				    AT_SYMLINK_FOLLOW) == 0;
		}
		if (!ok) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	printf("%s%s: %d files, %.1f us a file\n", argv[1],
	       chmod_always ? "" : ", if needed", n, (now() - t0) / n * 1e6);
	return 0;
}
