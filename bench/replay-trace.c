/*
 * replay-trace.c - time `ckpt record`'s save on a trace kept from a real
 * build, without running the build again:
 *
 *   cc -O2 -static -o replay-trace bench/replay-trace.c
 *   cd TREE && ckpt record -d /dev/shm/ck -- ./replay-trace KEPT/trace
 *
 * TREE is the tree the trace was recorded in, as the build left it;
 * KEPT/trace a trace kept with `ckpt record --keep-trace`. Linked
 * statically, the program is not traced and leaves no trace file of its
 * own; it copies the kept trace files into the directory `ckpt record`
 * staged for the trace ($CKPT_DIR/trace), the data only (the files'
 * sparse tails stay holes, as the shim leaves them), and exits: `ckpt
 * record` then saves the build's trace as it would have after the build
 * itself.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out = -1, rc = -1;
	struct stat st;
	if (in < 0 || fstat(in, &st) < 0)
		goto out;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0644);
	off_t end = lseek(in, 0, SEEK_HOLE), off = 0;
	if (out < 0 || end < 0)
		goto out;
	while (off < end)
		if (sendfile(out, in, &off, (size_t)(end - off)) <= 0)
			goto out;
	rc = ftruncate(out, st.st_size);
out:
	if (rc < 0)
		fprintf(stderr, "replay-trace: %s -> %s: %s\n", from, to,
			strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

int main(int argc, char **argv)
{
	const char *stage = getenv("CKPT_DIR");
	if (argc != 2 || !stage) {
		fprintf(stderr, "usage: ckpt record -- replay-trace "
				"KEPT_TRACE_DIR (see the source)\n");
		return 2;
	}
	char dst[4096], a[8192], b[8192];
	snprintf(dst, sizeof dst, "%s/trace", stage);
	if (mkdir(dst, 0755) < 0 && errno != EEXIST) {
		perror(dst);
		return 1;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 1;
	}
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".trc"))
			continue;
		snprintf(a, sizeof a, "%s/%s", argv[1], e->d_name);
		snprintf(b, sizeof b, "%s/%s", dst, e->d_name);
		if (copy(a, b) < 0)
			rc = 1;
	}
	closedir(d);
	return rc;
}
