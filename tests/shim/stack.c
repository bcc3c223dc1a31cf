/* stack.c DIR [ALT]: file calls on small stacks (t1005). The shim runs on
 * the caller's stack: a crash handler on a small sigaltstack, a thread
 * made with PTHREAD_STACK_MIN, an exec with a huge environment from a
 * thread. Each case runs in a child and prints what it got; t1005 compares
 * the output with and without the shim, where a stack the shim overflowed
 * shows as "killed by signal 11". With ALT, only the sigaltstack case
 * runs, with ALT bytes above what the kernel asks for the signal frame (to
 * measure what a shim needs: none without it, 16.5 KiB for a shim with
 * PATH_MAX buffers, 1.3 KiB for ours, from a working directory of 220
 * bytes and with paths of 300). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Room above the kernel's signal frame (AT_MINSIGSTKSZ) on the
 * sigaltstack: plenty for libc's calls, less than a shim that puts
 * PATH_MAX buffers on the stack needs (8 KiB for an open). Ours takes
 * room in proportion to the paths: a rename's two, made absolute, are
 * given room besides. */
#define ALT_ROOM 4096
/* The stack of a thread that execs with a huge environment. */
#define EXEC_STACK (128 * 1024)

/* A name of 100 characters, and a relative path of three of them. */
#define N100 "n123456789n123456789n123456789n123456789n123456789" \
	     "n123456789n123456789n123456789n123456789n123456789"
#define LONG_A N100 "/" N100 "/a-" N100
#define LONG_B N100 "/" N100 "/b-" N100
#define LONG_C N100 "/" N100 "/c-" N100
#define MISSING N100 "/" N100 "/missing-" N100

/* Run fn in a child; one line of what became of it. */
static void in_child(const char *name, void (*fn)(void))
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	if (waitpid(c, &st, 0) != c)
		printf("%s: waitpid failed\n", name);
	else if (WIFSIGNALED(st))
		printf("%s: killed by signal %d\n", name, WTERMSIG(st));
	else
		printf("%s: exit %d\n", name, WEXITSTATUS(st));
}

static const char *err_name(int e)
{
	return e ? strerrorname_np(e) : "ok";
}

/* ---- a handler on a small sigaltstack ---------------------------------- */

static long alt_room = -1;
static int alt_dir = -1;
static int alt_err[8];

static int err_of(long r) { return r < 0 ? errno : 0; }

/* What a crash handler may do: these are async-signal-safe. */
static void on_alt(int sig)
{
	int saved = errno, i = 0, fd;
	struct stat st;
	(void)sig;
	fd = open(LONG_A, O_RDONLY);
	alt_err[i++] = err_of(fd);
	if (fd >= 0)
		close(fd);
	alt_err[i++] = err_of(stat(MISSING, &st));
	alt_err[i++] = err_of(access(LONG_A, R_OK));
	alt_err[i++] = err_of(rename(LONG_A, LONG_B));
	alt_err[i++] = err_of(rename(LONG_B, LONG_A));
	fd = openat(alt_dir, "a-" N100, O_RDONLY);
	alt_err[i++] = err_of(fd);
	if (fd >= 0)
		close(fd);
	alt_err[i++] = err_of(unlink(MISSING));
	errno = saved;
}

static void alt_calls(void)
{
	struct stat st;
	/* Once on the normal stack first: the shim looks each real
	 * function up (dlsym) at its first call, which is not the test. */
	close(open(LONG_A, O_RDONLY));
	stat(MISSING, &st);
	access(LONG_A, R_OK);
	rename(LONG_A, LONG_A);
	close(openat(alt_dir, "a-" N100, O_RDONLY));
	unlink(MISSING);

	char cwd[4096];
	if (alt_room < 0)
		alt_room = ALT_ROOM + 2 * (long)strlen(getcwd(cwd, sizeof cwd)
						       ?: "");
	long page = sysconf(_SC_PAGESIZE);
	long size = sysconf(_SC_MINSIGSTKSZ) + alt_room;
	long len = (size + page - 1) / page * page;
	/* A guard page below the stack: an overflow faults at once. */
	char *m = mmap(NULL, (size_t)(page + len), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || mprotect(m, (size_t)page, PROT_NONE) < 0) {
		printf("sigaltstack: mmap failed\n");
		return;
	}
	stack_t ss = { .ss_sp = m + page, .ss_size = (size_t)size };
	struct sigaction sa = { .sa_handler = on_alt, .sa_flags = SA_ONSTACK };
	sigemptyset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) < 0 || sigaction(SIGUSR1, &sa, NULL) < 0) {
		printf("sigaltstack: %s\n", strerror(errno));
		return;
	}
	raise(SIGUSR1);
	printf("sigaltstack:");
	for (int i = 0; i < 7; i++)
		printf(" %s", err_name(alt_err[i]));
	printf("\n");
}

/* ---- a thread of PTHREAD_STACK_MIN ------------------------------------- */

static void *small_thread(void *arg)
{
	struct stat st;
	(void)arg;
	printf("thread:");
	printf(" %s", err_name(err_of(rename(LONG_A, LONG_B))));
	printf(" %s", err_name(err_of(link(LONG_B, LONG_C))));
	printf(" %s", err_name(err_of(unlink(LONG_C))));
	printf(" %s", err_name(err_of(symlink("../" N100 "/x", LONG_C))));
	printf(" %s", err_name(err_of(unlink(LONG_C))));
	printf(" %s", err_name(err_of(rename(LONG_B, LONG_A))));
	printf(" %s", err_name(err_of(stat(MISSING, &st))));
	printf("\n");
	return NULL;
}

static void *run_on(void *(*fn)(void *), size_t stack)
{
	pthread_attr_t a;
	pthread_t t;
	void *r = NULL;
	pthread_attr_init(&a);
	if (pthread_attr_setstacksize(&a, stack) != 0 ||
	    pthread_create(&t, &a, fn, NULL) != 0) {
		printf("pthread_create failed\n");
		return NULL;
	}
	pthread_join(t, &r);
	pthread_attr_destroy(&a);
	return r;
}

static void small_calls(void)
{
	/* glibc's own first calls (printf's buffer) on the main stack */
	printf("%s", "");
	run_on(small_thread, PTHREAD_STACK_MIN);
}

/* ---- exec with a huge environment, from a thread ----------------------- */

static char **big_env;
static long big_n;

/* `n` variables, after the program's own (`inherit`) or alone (then the
 * shim must add its own variables to what is passed). */
static void make_env(long n, int inherit)
{
	long k = 0, own = 0;
	while (inherit && environ[own])
		own++;
	big_env = malloc((size_t)(own + n + 1) * sizeof *big_env);
	if (!big_env)
		exit(3);
	for (long i = 0; i < own; i++)
		big_env[k++] = environ[i];
	for (long i = 0; i < n; i++)
		big_env[k++] = "CKPT_T_BIG=x";
	big_env[k] = NULL;
	big_n = n;
}

static void *exec_thread(void *arg)
{
	char *av[] = { "true", NULL };
	(void)arg;
	execve("/bin/true", av, big_env);
	printf("execve: %s\n", err_name(errno));
	fflush(stdout);
	_exit(4);
}

static void exec_big(void)
{
	run_on(exec_thread, EXEC_STACK);
}

static void *spawn_thread(void *arg)
{
	char *av[] = { "true", NULL };
	pid_t p;
	int st;
	(void)arg;
	int r = posix_spawn(&p, "/bin/true", NULL, NULL, av, big_env);
	if (r)
		printf("posix_spawn: %s\n", err_name(r));
	else if (waitpid(p, &st, 0) == p)
		printf("posix_spawn: status %d\n", st);
	return NULL;
}

static void spawn_big(void)
{
	run_on(spawn_thread, EXEC_STACK);
}

static long vm_size(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmSize:", 7))
			kb = atol(line + 7);
	if (f)
		fclose(f);
	return kb;
}

/* vfork children exec, again and again: what they leave behind in the
 * parent's memory must not pile up. */
static int vfork_true(void)
{
	char *av[] = { "true", NULL };
	int st;
	pid_t p = vfork();
	if (p == 0) {
		execve("/bin/true", av, big_env);
		_exit(4);
	}
	return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

static void *vfork_thread(void *arg)
{
	int ok = 0;
	(void)arg;
	long before = vm_size();
	for (int i = 0; i < 40; i++)
		ok += vfork_true();
	/* in kB: a quarter of what the 40 arrays of pointers take */
	long grown = vm_size() - before;
	printf("vfork: %d of 40 ran, memory %s\n", ok,
	       grown < 40 * big_n * 8 / 1024 / 4 ? "kept" : "lost");
	return NULL;
}

static void vfork_big(void)
{
	run_on(vfork_thread, EXEC_STACK);
}

int main(int argc, char **argv)
{
	if (argc < 2 || chdir(argv[1]) < 0)
		return 2;
	/* A working directory of some length, and files in it. */
	if (mkdir(N100, 0755) < 0 || chdir(N100) < 0 ||
	    mkdir(N100, 0755) < 0 || chdir(N100) < 0 ||
	    mkdir(N100, 0755) < 0 || mkdir(N100 "/" N100, 0755) < 0 ||
	    close(open(LONG_A, O_WRONLY | O_CREAT, 0644)) < 0)
		return 2;
	alt_dir = open(N100 "/" N100, O_RDONLY | O_DIRECTORY);
	if (argc > 2) {
		alt_room = atol(argv[2]);
		in_child("sigaltstack", alt_calls);
		return 0;
	}
	in_child("sigaltstack", alt_calls);
	in_child("thread", small_calls);
	/* execs that work, and one that fails with E2BIG (or works where
	 * the stack limit is large): the same with and without the shim */
	static const struct { long n; int inherit; } envs[] = {
		{ 20000, 1 }, { 20000, 0 }, { 200000, 1 }, { 200000, 0 },
	};
	for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++) {
		make_env(envs[i].n, envs[i].inherit);
		printf("environment of %ld%s:\n", envs[i].n,
		       envs[i].inherit ? " and the program's" : "");
		in_child("execve", exec_big);
		in_child("posix_spawn", spawn_big);
		free(big_env);
	}
	make_env(20000, 0);
	in_child("vfork", vfork_big);
	return 0;
}
