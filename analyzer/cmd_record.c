/*
 * cmd_record.c - `ckpt record [-d DIR] -- CMD...` runs CMD under the shim
 * and saves the checkpoint; `ckpt save [-d DIR]` saves one from a trace a
 * bare `LD_PRELOAD=libckpt.so make` left in DIR/trace.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt.h"
#include "cmd.h"
#include "save.h"

static int mkdir_p(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, 0777) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return r;
}

/* DIR, created if missing, must be a directory we can write: checked
 * before the build, not found out at the save after it. */
static int writable_dir(const char *dir)
{
	struct stat st;
	if (mkdir_p(dir) < 0)
		return error_errno("cannot create %s", dir);
	if (stat(dir, &st) < 0)
		return error_errno("cannot use %s", dir);
	if (!S_ISDIR(st.st_mode))
		return error("cannot use %s: not a directory", dir);
	if (access(dir, W_OK) < 0)
		return error_errno("cannot write to %s", dir);
	return 0;
}

/* An explicit --from must hold a checkpoint: a typo would otherwise drop
 * every job the build does not redo. */
static int check_from(const char *from)
{
	struct stat st;
	if (stat(from, &st) < 0)
		return error_errno("--from %s", from);
	if (!S_ISDIR(st.st_mode))
		return error("--from %s: not a directory", from);
	char *m = xasprintf("%s/manifest", from);
	int r = access(m, F_OK);
	free(m);
	if (r < 0)
		return error("--from %s: no checkpoint there (no manifest)",
			     from);
	return 0;
}

static int report(const char *dir, const char *trace_dir, const char *from,
		  const char *root, enum trace_after after,
		  const struct chain_start *cs)
{
	struct save_stats s;
	uint64_t t0 = now_ns();
	if (checkpoint_save(dir, trace_dir, from, root, after, cs, &s) < 0) {
		error("checkpoint not saved; the previous one in %s, if any, "
		      "is unchanged", dir);
		return 1;
	}
	fprintf(stderr,
		"ckpt: saved %s: %zu jobs, %zu files, %zu outputs "
		"(%llu bytes newly stored)",
		dir, s.jobs, s.files, s.outputs,
		(unsigned long long)s.bytes_stored);
	if (s.kept)
		fprintf(stderr, ", %zu jobs kept from the previous checkpoint",
			s.kept);
	fprintf(stderr, "; %zu processes, %zu events; %.2f s\n", s.processes,
		s.events, (double)(now_ns() - t0) / 1e9);
	return 0;
}

/*
 * Where the shim writes while `record` runs: a directory of its own in
 * /dev/shm when there is one. Every traced process creates a trace file;
 * on a disk that is an inode allocation and a writeback of up to a MiB
 * each (a kernel build starts 13,000 processes), in memory it is neither.
 * NULL: DIR itself (and always with --keep-trace, which wants DIR/trace),
 * also when /dev/shm has less than 4 GiB free (a container's is often
 * 64 MiB; a kernel's trace is a few hundred).
 * The name holds the pid of the record that made it, so that a record
 * killed before it could clean up is cleaned up by the next one.
 */
static void remove_stale_stages(void)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int pid;
		if (sscanf(e->d_name, "ckpt-trace.%d.", &pid) != 1 || pid <= 0 ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		char *p = xasprintf("/dev/shm/%s", e->d_name);
		remove_tree(p);
		free(p);
	}
	if (d)
		closedir(d);
}

static char *trace_stage(void)
{
	remove_stale_stages();
	struct statvfs vfs;
	if (statvfs("/dev/shm", &vfs) < 0 ||
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < (4ull << 30))
		return NULL;
	char *t = xasprintf("/dev/shm/ckpt-trace.%d.XXXXXX", (int)getpid());
	if (!mkdtemp(t)) {
		free(t);
		return NULL;
	}
	return t;
}

static char *cwd_root(void)
{
	char *root = getcwd(NULL, 0);
	if (!root)
		error_errno("cannot get the current directory");
	return root;
}

static void record_usage(FILE *f)
{
	fprintf(f,
		"usage: ckpt record [-d DIR] [--from OLD] [--keep-trace] -- "
		"CMD [ARGS...]\n\n"
		"Run CMD with libckpt.so preloaded, tracing every process it "
		"starts, and save\nthe checkpoint of the current directory in "
		"DIR (default .ckpt). If DIR holds\na checkpoint already (an "
		"incremental build after `ckpt restore`), the jobs\nthat "
		"re-ran replace their old records and the rest are kept. "
		"If CMD fails,\nthe checkpoint is not updated. Exits with "
		"CMD's status.\n\n"
		"While CMD runs, the trace is written to a directory of its "
		"own in /dev/shm\n(when that has 4 GiB free; else to "
		"DIR/trace) and removed after the save. CMD runs with\n"
		"MAN_DISABLE_SECCOMP=1: man-db's seccomp sandbox keeps the shim "
		"out of its filters;\nand with PWD the current directory's "
		"real path (`pwd -P`) where a symbolic\nlink led to it: the "
		"path the checkpoint names the tree by.\n\n"
		"  -d, --dir DIR   checkpoint directory (default .ckpt)\n"
		"  --from OLD      the checkpoint this tree was restored from, "
		"when it is not\n                  DIR (DIR gets the "
		"updated checkpoint; OLD is only read)\n"
		"  --keep-trace    keep the raw trace in DIR/trace (for "
		"`ckpt dump`)\n");
}

int cmd_record(int argc, char **argv)
{
	const char *dir = ".ckpt", *from = NULL;
	int keep = 0, i;
	for (i = 1; i < argc; i++) {
		int r = opt_dir(argc, argv, &i, &dir);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			record_usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--keep-trace")) {
			keep = 1;
			continue;
		}
		if (!strcmp(argv[i], "--from")) {
			if (i + 1 >= argc) {
				error("--from needs a checkpoint directory");
				return EXIT_USAGE;
			}
			from = argv[++i];
			continue;
		}
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (argv[i][0] == '-')
			return bad_arg("record", argv[i]);
		break;
	}
	if (i >= argc) {
		error("record: no command to run");
		record_usage(stderr);
		return EXIT_USAGE;
	}
	if (from && check_from(from) < 0)
		return EXIT_USAGE;
	char *shim = find_shim();
	if (!shim) {
		error("cannot find libckpt.so (set CKPT_LIB to its path)");
		return 1;
	}
	char *adir = NULL, *root = NULL;
	if (writable_dir(dir) == 0 && !(adir = realpath(dir, NULL)))
		error_errno("cannot resolve %s", dir);
	if (!adir || !(root = cwd_root())) {
		free(adir);
		free(shim);
		return 1;
	}
	char *tdir = xasprintf("%s/trace", adir);
	remove_tree(tdir);	/* a trace of an earlier, failed build */
	free(tdir);
	char *stage = keep ? NULL : trace_stage();
	char *staged = stage ? xasprintf("%s/trace", stage) : NULL;

	/* Which jobs of the checkpoint the build goes on from were
	 * invalid before it began: not those it makes invalid itself. */
	struct chain_start cs;
	int have_cs = chain_start_check(from ? from : dir, root, &cs) == 0;

	const char *old = getenv("LD_PRELOAD");
	char *pre = old && *old ? xasprintf("%s %s", shim, old) : xstrdup(shim);
	setenv("LD_PRELOAD", pre, 1);
	setenv("CKPT_DIR", stage ? stage : adir, 1);
	setenv("CKPT_ENVIRON", "1", 1);
	/* Reached through a symbolic link, the tree has a second name,
	 * which the shell keeps in PWD; paths a build makes from $PWD
	 * (configure's `pwd`, its `$ac_pwd/conftest.dir`) would be outside
	 * the tree by their text, not checked as its files nor moved with
	 * it. The build runs with the name the checkpoint takes. */
	const char *pwd = getenv("PWD");
	if (pwd && strcmp(pwd, root))
		setenv("PWD", root, 1);
	/* man-db runs its filters (preconv, col) under a seccomp sandbox,
	 * where the shim cannot make its trace file: a configure that runs
	 * man (vim's) would be untraced, and re-run, in every tree. The
	 * sandbox changes nothing man prints. */
	setenv("MAN_DISABLE_SECCOMP", "1", 0);
	free(pre);

	/* Like system(): the build gets the terminal's signals, we wait. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	pid_t pid = fork();
	if (pid < 0) {
		error_errno("cannot fork");
		return 1;
	}
	if (pid == 0) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		execvp(argv[i], argv + i);
		fprintf(stderr, "ckpt: cannot run %s: %s\n", argv[i],
			strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	unsetenv("LD_PRELOAD");
	int code = WIFEXITED(status) ? WEXITSTATUS(status)
				     : 128 + WTERMSIG(status);
	int rc;
	if (code != 0) {
		error("%s failed (status %d): checkpoint not updated", argv[i],
		      code);
		if (!keep) {
			char *t = xasprintf("%s/trace", adir);
			remove_tree(t);
			free(t);
		}
		rc = code;
	} else {
		/* The stage goes whatever comes of the save. */
		rc = report(dir, staged, from, root,
			    keep     ? TRACE_KEEP
			    : staged ? TRACE_DISPOSE
				     : TRACE_REMOVE,
			    have_cs ? &cs : NULL);
	}
	if (have_cs)
		chain_start_release(&cs);
	if (stage)
		remove_tree(stage);
	free(stage);
	free(staged);
	free(adir);
	free(root);
	free(shim);
	return rc ? rc : 0;
}

int cmd_save(int argc, char **argv)
{
	const char *dir = getenv("CKPT_DIR") ? getenv("CKPT_DIR") : ".ckpt";
	int keep = 0;
	for (int i = 1; i < argc; i++) {
		int r = opt_dir(argc, argv, &i, &dir);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: ckpt save [-d DIR] [--keep-trace]\n\n"
			       "Save the checkpoint of the current directory "
			       "from the trace that a build run\nwith "
			       "LD_PRELOAD=libckpt.so left in DIR/trace "
			       "(default $CKPT_DIR, else .ckpt).\nThe trace is "
			       "removed afterwards unless --keep-trace.\n");
			return 0;
		}
		if (!strcmp(argv[i], "--keep-trace")) {
			keep = 1;
			continue;
		}
		return bad_arg("save", argv[i]);
	}
	char *root = cwd_root();
	if (!root)
		return 1;
	int rc = report(dir, NULL, NULL, root, keep ? TRACE_KEEP : TRACE_REMOVE,
			NULL);
	free(root);
	return rc;
}
