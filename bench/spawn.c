/*
 * spawn.c N LIB... -- CMD [ARG...]: what starting a process costs under each
 * LD_PRELOAD value LIB ("-" for none). CMD is spawned N times a LIB, one
 * spawn of each in turn, so that the machine's drift falls on all of them
 * alike; each spawn is timed alone, from posix_spawn to its exit.
 * Prints a line a LIB: "LIB P5 P50" in microseconds of wall time. The low
 * percentile is the cost with the least interference from other work.
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* environ without LD_PRELOAD, plus LD_PRELOAD=lib unless lib is "-". */
static char **env_with(const char *lib)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
			env[k++] = environ[i];
	if (strcmp(lib, "-") != 0) {
		size_t len = strlen(lib) + sizeof "LD_PRELOAD=";
		env[k] = malloc(len);
		snprintf(env[k], len, "LD_PRELOAD=%s", lib);
	}
	return env;
}

int main(int argc, char **argv)
{
	int sep = 2;
	while (sep < argc && strcmp(argv[sep], "--") != 0)
		sep++;
	int n = argc > 1 ? atoi(argv[1]) : 0, nlib = sep - 2;
	if (n < 1 || nlib < 1 || sep + 1 >= argc) {
		fprintf(stderr, "usage: spawn N LIB... -- CMD [ARG...]\n");
		return 2;
	}
	char **cmd = argv + sep + 1;
	char **env[nlib];
	double *t = calloc((size_t)nlib * (size_t)n, sizeof *t);
	for (int l = 0; l < nlib; l++)
		env[l] = env_with(argv[2 + l]);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < nlib; j++) {
			int l = (i + j) % nlib;	/* each takes each place */
			pid_t pid;
			int st;
			double t0 = now_us();
			if (posix_spawnp(&pid, cmd[0], NULL, NULL, cmd, env[l]) ||
			    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 0) {
				fprintf(stderr, "spawn: %s failed\n", cmd[0]);
				return 1;
			}
			t[(size_t)l * (size_t)n + (size_t)i] = now_us() - t0;
		}
	for (int l = 0; l < nlib; l++) {
		double *x = t + (size_t)l * (size_t)n;
		qsort(x, (size_t)n, sizeof *x, cmp);
		printf("%s %.0f %.0f\n", argv[2 + l], x[n / 20], x[n / 2]);
	}
	return 0;
}
