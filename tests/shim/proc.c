/* proc.c MODE DIR: process-creation paths of the shim tests (t1002). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int wait_ok(pid_t p)
{
	int st;
	return waitpid(p, &st, 0) == p && WIFEXITED(st) && !WEXITSTATUS(st);
}

static void *opener(void *arg)
{
	long t = (long)arg;
	char p[64];
	for (int i = 0; i < 200; i++) {
		snprintf(p, sizeof p, "thr-%ld-%d", t, i);
		int fd = open(p, O_RDONLY);	/* each fails: ENOENT */
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static volatile int forks;

static int raw_child(void *arg)	/* clone's child: as a fork child's */
{
	(void)arg;
	for (int i = 0; i < 5; i++)
		if (open("raw-child", O_RDONLY) >= 0)
			return 1;
	return 0;
}

/* A timer's handler forks while the main thread is in the shim, most often
 * holding the trace lock. */
static void fork_in_handler(int sig)
{
	(void)sig;
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	if (p > 0 && waitpid(p, NULL, 0) == p)
		forks++;
}

int main(int argc, char **argv)
{
	if (argc < 3 || chdir(argv[2]) < 0)
		return 2;
	const char *m = argv[1];
	if (!strcmp(m, "spawn")) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addchdir_np(&fa, "sub");
		posix_spawn_file_actions_addopen(&fa, 1, "spawn-out.txt",
						 O_WRONLY | O_CREAT | O_TRUNC, 0644);
		char *av[] = { "cat", "in-sub.txt", NULL };
		pid_t p;
		if (posix_spawnp(&p, "cat", &fa, NULL, av, environ) || !wait_ok(p))
			return 1;
		posix_spawn_file_actions_destroy(&fa);
		return 0;
	}
	if (!strcmp(m, "vfork")) {
		pid_t p = vfork();
		if (p == 0) {
			char *av[] = { "/bin/cat", "exists.txt", NULL };
			execv(av[0], av);
			_exit(127);
		}
		return wait_ok(p) ? 0 : 1;
	}
	if (!strcmp(m, "system"))
		return system("cat exists.txt > /dev/null") ? 1 : 0;
	if (!strcmp(m, "popen")) {
		FILE *f = popen("cat sub/in-sub.txt", "r");
		char b[64];
		int ok = f && fgets(b, sizeof b, f);
		return f && pclose(f) == 0 && ok ? 0 : 1;
	}
	if (!strcmp(m, "system-environ")) {	/* an environ array of its own */
		static char *own[] = { "PATH=/usr/bin:/bin", "STAGE=one", NULL };
		environ = own;
		if (system("cat exists.txt > /dev/null; [ $STAGE = one ]"))
			return 1;
		own[1] = "STAGE=two";	/* edited: what a child gets next */
		FILE *f = popen("cat sub/in-sub.txt; [ $STAGE = two ]", "r");
		if (!f || pclose(f) != 0)
			return 2;
		return environ == own ? 0 : 3;
	}
	if (!strcmp(m, "system-preload")) {	/* a LD_PRELOAD of its own */
		setenv("LD_PRELOAD", argv[3], 1);
		if (system("echo \"$LD_PRELOAD\" > system-preload.txt"))
			return 1;
		FILE *f = popen("echo \"$LD_PRELOAD\" > popen-preload.txt", "r");
		if (!f || pclose(f) != 0)
			return 1;
		return strcmp(getenv("LD_PRELOAD"), argv[3]) ? 1 : 0;
	}
	if (!strcmp(m, "env-i")) {	/* an empty environment for the child */
		char *av[] = { "/bin/cat", "exists.txt", NULL }, *env[] = { NULL };
		pid_t p = fork();
		if (p == 0) {
			execve(av[0], av, env);
			_exit(127);
		}
		return wait_ok(p) ? 0 : 1;
	}
	if (!strcmp(m, "close-range")) {
		syscall(SYS_close_range, 3, ~0U, 0);
		int fd = open("exists.txt", O_RDONLY);
		return fd >= 0 ? 0 : 1;
	}
	if (!strcmp(m, "dup2-all")) {
		int src = open("/dev/null", O_RDONLY);
		for (int fd = 3; fd < 1024; fd++)
			if (fd != src)
				dup2(src, fd);
		int fd = open("sub/in-sub.txt", O_RDONLY);	/* gets 1024+ or fails */
		return fd >= 0 || 1 ? 0 : 1;
	}
	if (!strcmp(m, "threads")) {
		pthread_t t[8];
		for (long i = 0; i < 8; i++)
			pthread_create(&t[i], NULL, opener, (void *)i);
		for (int i = 0; i < 8; i++)
			pthread_join(t[i], NULL);
		return 0;
	}
	if (!strcmp(m, "static")) {
		pid_t p = fork();
		if (p == 0) {
			char *av[] = { "./static-tool", NULL };
			execv(av[0], av);
			_exit(127);
		}
		return wait_ok(p) ? 0 : 1;
	}
	if (!strcmp(m, "fork-argv")) {
		/* A program may rewrite its argv strings in place (as
		 * setproctitle does): a fork child's START shows what
		 * /proc/self/cmdline shows, which the child copies. */
		for (char *c = argv[1]; *c; c++)
			*c = (char)(*c == '-' ? '_' : *c - 'a' + 'A');
		pid_t p = fork();
		if (p == 0) {
			char buf[4096];
			int in = open("/proc/self/cmdline", O_RDONLY);
			int out = open("cmdline.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
			ssize_t n = in < 0 ? -1 : read(in, buf, sizeof buf);
			_exit(n > 0 && out >= 0 && write(out, buf, (size_t)n) == n ? 0 : 1);
		}
		return wait_ok(p) ? 0 : 1;
	}
	if (!strcmp(m, "execvp")) {	/* PATH: a missing dir, then T/bin */
		char path[4096];
		snprintf(path, sizeof path, "%s/nobin:%s/bin", argv[2], argv[2]);
		setenv("PATH", path, 1);
		pid_t p = fork();
		if (p == 0) {
			char *av[] = { "tool", NULL };
			execvp(av[0], av);
			_exit(127);
		}
		return wait_ok(p) ? 0 : 1;
	}
	if (!strcmp(m, "fexecve")) {
		pid_t p = fork();
		if (p == 0) {
			char *av[] = { "cat", "exists.txt", NULL };
			int fd = open("/bin/cat", O_RDONLY | O_CLOEXEC);
			fexecve(fd, av, environ);
			_exit(127);
		}
		return wait_ok(p) ? 0 : 1;
	}
	if (!strcmp(m, "getenv")) {	/* 300 names, the first 100 twice */
		char name[32];
		for (int round = 0; round < 2; round++)
			for (int i = 0; i < (round ? 100 : 300); i++) {
				snprintf(name, sizeof name, "CKPT_T_%d", i);
				if (getenv(name))
					return 1;
			}
		return 0;
	}
	if (!strcmp(m, "sigfork")) {
		struct sigaction sa = { .sa_handler = fork_in_handler,
					.sa_flags = SA_RESTART };
		struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
		struct stat st;
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
		while (forks < 200)
			stat("sigfork-missing", &st);
		memset(&it, 0, sizeof it);
		setitimer(ITIMER_REAL, &it, NULL);
		return 0;
	}
	if (!strcmp(m, "rawfork") || !strcmp(m, "rawclone3") ||
	    !strcmp(m, "_Fork") || !strcmp(m, "clone")) {
		/* fork by system call, _Fork or clone: no atfork handler */
		struct clone_args ca = { .exit_signal = SIGCHLD };
		long p;
		static char stack[1 << 16];
		if (!strcmp(m, "_Fork"))
			p = _Fork();
		else if (!strcmp(m, "clone"))
			p = clone(raw_child, stack + sizeof stack, SIGCHLD, NULL);
		else if (!strcmp(m, "rawclone3"))
			p = syscall(SYS_clone3, &ca, sizeof ca);
		else
#ifdef SYS_fork
			p = syscall(SYS_fork);
#else
			p = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
#endif
		if (p < 0)
			return 1;
		const char *name = p ? "raw-parent" : "raw-child";
		for (int i = 0; i < 5; i++)
			if (open(name, O_RDONLY) >= 0)
				return 1;
		if (p == 0)
			_exit(0);
		return wait_ok((pid_t)p) ? 0 : 1;
	}
	if (!strcmp(m, "wait")) {	/* each wait function; pids in pids */
		pid_t p[6];
		int st, ok = 1;
		siginfo_t si;
		for (int i = 0; i < 6; i++) {
			p[i] = fork();
			if (p[i] == 0) {
				if (i == 1 || i == 4 || i == 5)
					pause();	/* killed, stopped */
				_exit(10 + i);
			}
		}
		ok &= waitpid(p[0], &st, 0) == p[0] && WEXITSTATUS(st) == 10;
		kill(p[1], SIGTERM);
		ok &= waitpid(p[1], &st, 0) == p[1] && WIFSIGNALED(st);
		/* wait() takes whichever ends first: 2 and 3 both end, and
		 * only they (4 waits for its signal, or wait() might take
		 * it: seen once in CI). */
		pid_t w = wait(&st);
		ok &= (w == p[2] || w == p[3]) && WIFEXITED(st);
		pid_t other = w == p[2] ? p[3] : p[2];
		ok &= wait3(&st, 0, NULL) == other;
		kill(p[4], SIGTERM);
		ok &= wait4(p[4], NULL, 0, NULL) == p[4];
		/* A stop and a peek reap nothing; then the end is reaped. */
		kill(p[5], SIGSTOP);
		ok &= waitpid(p[5], &st, WUNTRACED) == p[5] && WIFSTOPPED(st);
		kill(p[5], SIGKILL);
		ok &= waitid(P_PID, (id_t)p[5], &si, WEXITED | WNOWAIT) == 0 &&
		      si.si_pid == p[5];
		ok &= waitid(P_PID, (id_t)p[5], &si, WEXITED) == 0 &&
		      si.si_code == CLD_KILLED;
		errno = 0;
		ok &= waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD;
		FILE *f = fopen("pids", "w");
		for (int i = 0; f && i < 6; i++)
			fprintf(f, "%d\n", (int)p[i]);
		return ok && f && !fclose(f) ? 0 : 1;
	}
	if (!strcmp(m, "fork")) {
		pid_t p = fork();
		if (p == 0) {
			int fd = open("exists.txt", O_RDONLY);
			_exit(fd >= 0 ? 0 : 1);
		}
		return wait_ok(p) ? 0 : 1;
	}
	return 2;
}
