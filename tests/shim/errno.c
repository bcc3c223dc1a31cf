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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define SHOW(call)                                                          \
	do {                                                                \
		errno = 4242;                                               \
		long r_ = (long)(call);                                     \
		printf("%-44s r=%ld errno=%d\n", #call,                     \
		       r_ == -1 ? -1L : (long)(r_ != 0), errno);            \
	} while (0)

/* A bad pointer: the call fails with EFAULT, and the shim must not read
 * it either. Each runs in a child, so that a crash shows as one line. */
#define BAD ((const char *)1)
#define BADP(call)                                                          \
	do {                                                                \
		fflush(stdout);                                             \
		pid_t c_ = fork();                                          \
		if (c_ == 0) {                                              \
			SHOW(call);                                         \
			fflush(stdout);                                     \
			_exit(0);                                           \
		}                                                           \
		int st_;                                                    \
		if (waitpid(c_, &st_, 0) == c_ && WIFSIGNALED(st_))         \
			printf("%-44s killed by signal %d\n", #call,        \
			       WTERMSIG(st_));                              \
	} while (0)

int main(void)
{
	printf("errno at main=%d\n", errno);	/* the shim started first */
	struct stat st;
	char buf[64];
	fflush(stdout);
	errno = 4242;
	pid_t child = fork();
	if (child == 0) {
		printf("errno in a fork child=%d\n", errno);
		fflush(stdout);
		_exit(0);
	}
	waitpid(child, NULL, 0);
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
	char *volatile none = NULL;
	char *bav[] = { "x", NULL };
	BADP(open(BAD, O_RDONLY));
	BADP(openat(AT_FDCWD, BAD, O_RDONLY));
	BADP(stat(BAD, &st));
	BADP(access(BAD, F_OK));
	BADP(unlink(BAD));
	BADP(mkdir(BAD, 0755));
	BADP(chdir(BAD));
	BADP(rename(BAD, "/nonexistent"));
	BADP(rename("/nonexistent", BAD));
	BADP(symlink(BAD, "/nonexistent/x"));
	BADP(readlink(BAD, buf, sizeof buf));
	BADP(truncate(BAD, 0));
	BADP(opendir(BAD));
	BADP(syscall(SYS_openat, AT_FDCWD, BAD, O_RDONLY));
	BADP(syscall(SYS_openat2, AT_FDCWD, "/", BAD, 24));
	BADP(syscall(SYS_statx, AT_FDCWD, BAD, 0, 0, buf));
	BADP(connect(0, (const struct sockaddr *)BAD, 16));
	BADP(execve(none, bav, environ));
	BADP(execv(none, bav));
	BADP(syscall(SYS_execve, none, bav, environ));
	char *eav[] = { "echo", "fexecve ran", NULL };
	int efd = open("/bin/echo", O_RDONLY | O_CLOEXEC);
	fflush(stdout);
	SHOW(fexecve(efd, eav, NULL));	/* EINVAL, not an exec */
	fflush(stdout);
	fprintf(stderr, "to stderr\n");
	return 7;
}
