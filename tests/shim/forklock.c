/*
 * forklock.c MODE: a fork child of a multithreaded program must not wait
 * for a lock that another thread of its parent held at the fork (found by
 * a helper's attack on the shim, /tmp/attack7). One thread loops on
 *   dl  dlopen and dlclose: ld.so's lock, which dl_iterate_phdr takes;
 *       each child execs /bin/true at once (the shim records an exec);
 *   fa  posix_spawn file actions: the shim's list of them; each child
 *       makes file actions of its own.
 * Prints whether a child hung (given 3 s); exits 0.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *loads(void *arg)
{
	(void)arg;
	for (;;) {
		void *h = dlopen("libm.so.6", RTLD_NOW);
		if (h)
			dlclose(h);
	}
	return NULL;
}

static void *prepares(void *arg)
{
	posix_spawn_file_actions_t fa;
	(void)arg;
	for (;;) {
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
						 0);
		posix_spawn_file_actions_destroy(&fa);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int dl = argc > 1 && !strcmp(argv[1], "dl");
	pthread_t t;
	pthread_create(&t, NULL, dl ? loads : prepares, NULL);
	int hung = 0;
	for (int i = 0; i < 200 && !hung; i++) {
		pid_t p = fork();
		if (p == 0) {
			if (dl) {
				execl("/bin/true", "true", (char *)NULL);
			} else {
				posix_spawn_file_actions_t fa;
				posix_spawn_file_actions_init(&fa);
				posix_spawn_file_actions_destroy(&fa);
			}
			_exit(0);
		}
		int st, done = 0;
		for (int k = 0; k < 300 && !done; k++) {
			if (waitpid(p, &st, WNOHANG) == p)
				done = 1;
			else
				usleep(10000);
		}
		if (!done) {
			hung = 1;
			kill(p, SIGKILL);
			waitpid(p, &st, 0);
		}
	}
	printf("%s: a child hung: %s\n", dl ? "dl" : "fa", hung ? "yes" : "no");
	return 0;
}
