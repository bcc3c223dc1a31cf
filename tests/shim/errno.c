/* errno.c: failing calls must leave exactly libc's errno under the shim,
 * and successful ones must not clobber a value set before. Prints one
 * line per call; t1005 compares the output with and without the shim. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#define SHOW(call)                                                          \
	do {                                                                \
		errno = 4242;                                               \
		long r_ = (long)(call);                                     \
		printf("%-44s r=%ld errno=%d\n", #call, r_ == -1 ? -1 : r_ != 0, \
		       errno);                                              \
	} while (0)

int main(void)
{
	struct stat st;
	char buf[64];
	SHOW(open("/nonexistent/x", O_RDONLY));
	SHOW(open("/etc/passwd/x", O_RDONLY));
	SHOW(open("/proc/1/mem", O_RDWR));
	SHOW(stat("/nonexistent", &st));
	SHOW(lstat("/", &st));
	SHOW(access("/root/../nonexistent", F_OK));
	SHOW(readlink("/etc/passwd", buf, sizeof buf));
	SHOW(mkdir("/", 0755));
	SHOW(rmdir("/nonexistent"));
	SHOW(unlink("/nonexistent"));
	SHOW(rename("/nonexistent", "/tmp/x"));
	SHOW(opendir("/nonexistent"));
	SHOW(fopen("/nonexistent", "r"));
	SHOW(chdir("/nonexistent"));
	SHOW(execl("/nonexistent", "x", (char *)NULL));
	SHOW(getenv("CKPT_SURELY_UNSET"));
	SHOW(realpath("/nonexistent/y", NULL));
	pid_t p;
	char *av[] = { "nonexistent-program-xyz", NULL };
	printf("posix_spawnp: %d\n", posix_spawnp(&p, av[0], NULL, NULL, av, environ));
	SHOW(system("exit 3"));
	fflush(stdout);
	fprintf(stderr, "to stderr\n");
	return 7;
}
