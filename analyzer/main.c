/*
 * main.c - `ckpt COMMAND [ARGS]`: finds the command in the table and runs
 * it. Every command takes --help.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "cmd.h"

static const struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "record", cmd_record, "run a build traced and save its checkpoint" },
	{ "save", cmd_save, "save a checkpoint from a bare LD_PRELOAD trace" },
	{ "status", cmd_status, "what changed since the checkpoint" },
	{ "restore", cmd_restore, "put valid outputs back, remove stale ones" },
	{ "explain", cmd_explain, "why an output is invalid" },
	{ "audit", cmd_audit, "every input of the build, and hazards" },
	{ "compdb", cmd_compdb, "write compile_commands.json" },
	{ "graph", cmd_graph, "the job/file graph as dot or JSON" },
	{ "dump", cmd_dump, "print the recorded trace events" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ckpt COMMAND [OPTIONS]\n\n"
		   "Incremental builds from a traced checkpoint.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`ckpt COMMAND --help` describes each. "
		   "The checkpoint directory is .ckpt unless -d DIR.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ckpt %s\n", CKPT_VERSION);
		return 0;
	}
	reserve_fds(1024);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	error("unknown command '%s' (see ckpt --help)", argv[1]);
	return EXIT_USAGE;
}

int opt_dir(int argc, char **argv, int *i, const char **dir)
{
	const char *a = argv[*i];
	if (!strcmp(a, "-d") || !strcmp(a, "--dir")) {
		if (*i + 1 >= argc)
			return error("%s needs a directory", a);
		*dir = argv[++*i];
		return 1;
	}
	if (!strncmp(a, "--dir=", 6)) {
		*dir = a + 6;
		return 1;
	}
	return 0;
}

int bad_arg(const char *cmd, const char *arg)
{
	error("%s: %s %s (see ckpt %s --help)", cmd,
	      arg[0] == '-' && arg[1] ? "unknown option" : "unexpected argument",
	      arg, cmd);
	return EXIT_USAGE;
}

char *find_shim(void)
{
	const char *env = getenv("CKPT_LIB");
	if (env && *env)
		return access(env, R_OK) == 0 ? realpath(env, NULL) : NULL;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	*slash = 0;
	const char *tries[] = { "libckpt.so", "../lib/libckpt.so" };
	for (size_t i = 0; i < 2; i++) {
		char *p = xasprintf("%s/%s", exe, tries[i]);
		char *r = access(p, R_OK) == 0 ? realpath(p, NULL) : NULL;
		free(p);
		if (r)
			return r;
	}
	return NULL;
}
