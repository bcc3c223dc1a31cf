/*
 * cmd_explain.c - `ckpt explain PATH`: why an output is invalid, as the
 * chain from a changed input to PATH, one job (and its command) a step.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "changes.h"
#include "cmd.h"
#include "envvars.h"
#include "model.h"

static const char *role_name(const struct file *f)
{
	if (f->role == ROLE_TEMP && (f->flags & FILE_GONE))
		return "a file the recorded build deleted, which the tree "
		       "held before it";
	switch (f->role) {
	case ROLE_SOURCE: return "a source";
	case ROLE_EXTERNAL: return "an input outside the tree";
	case ROLE_ABSENT: return "a path the build looked for and did not find";
	case ROLE_LISTING: return "a directory the build listed";
	case ROLE_EXISTS: return "a path whose existence the build checked";
	case ROLE_TEMP: return "a temporary file of the build";
	}
	return "an output";
}

static void print_job(const struct ckpt *c, int j)
{
	const struct job *job = &c->jobs[j];
	printf("    job %d%s: %s\n", j,
	       job->kind != JOB_DRIVER ? ""
	       : cmd_is_make(job->cmd) ? " (make)"
				       : " (the recorded command)",
	       cmd_display(job->cmd));
}

/* Print the chain that made job j affected, from its origin forward. */
/* How f changed, in words: for a listing whose names the checkpoint
 * holds, which ones ("changed: x added"). */
static char *change_text(const struct ckpt *c, const struct file *f,
			 const char *root)
{
	struct name_diff d;
	char *what = NULL;
	if (f->changed == CH_LISTING && listing_diff(c, f, root, &d) == 0) {
		char *names = name_diff_text(&d);
		if (names && *names)
			what = xasprintf("changed: %s%s", names,
					 f->flags & FILE_NAMES_USED
						 ? ""
						 : " (no glob or rule of "
						   "make's takes these names)");
		free(names);
		name_diff_release(&d);
	}
	return what ? what : xstrdup(change_name(f->changed));
}

static void chain(const struct ckpt *c, const char *root, int j, int depth)
{
	const struct job *job = &c->jobs[j];
	if (depth > 1000)
		return;
	switch (job->affected) {
	case AFF_CHANGED: {
		const struct file *f = &c->files[job->cause];
		char *what = change_text(c, f, root);
		printf("  %s was %s (%s)\n", *f->path ? path_shown(f->path) : ".", what,
		       role_name(f));
		free(what);
		/* make looked at it only, and would remake a makefile
		 * from it (manifest P). */
		printf("  -> %s\n", f->flags & FILE_MAKE_PREREQ
					  ? "a makefile is remade from it by"
					  : "read by");
		print_job(c, j);
		return;
	}
	case AFF_INPUT: {
		const struct file *f = &c->files[job->cause];
		if (job->via >= 0) {
			chain(c, root, job->via, depth + 1);
			printf("  -> which wrote %s, %s by\n", path_shown(f->path),
			       f->producer == j ? "written again" : "read");
		} else {
			printf("  %s has no traced writer in the checkpoint "
			       "(an untraced program made it, or the job that "
			       "did was already invalid when the checkpoint "
			       "was recorded on top of an older one)\n"
			       "  -> read by\n",
			       path_shown(f->path));
		}
		print_job(c, j);
		return;
	}
	case AFF_DRIVER:
		chain(c, root, job->cause, depth + 1);
		printf("  -> which started\n");
		print_job(c, j);
		return;
	case AFF_RESULT:
		chain(c, root, job->cause, depth + 1);
		printf(cmd_is_make(job->cmd)
			       ? "  -> which wrote no file: its result went to "
				 "make (a $(shell ...)), so\n"
			       : "  -> which wrote no file: its result (exit "
				 "status, output) went to the script that ran "
				 "it, so\n");
		print_job(c, j);
		return;
	case AFF_ENV: {
		const struct envvar *e = &c->envs[job->cause];
		if (!strcmp(e->name, ENV_ALL)) {
			char **what;
			size_t n;
			printf("  the environment is not the one the build was "
			       "recorded in (");
			if (envvars_all_changes(c, &what, &n) < 0 || !n) {
				printf("a variable\n     was set, unset or "
				       "changed");
			}
			for (size_t k = 0; k < n; k++) {
				printf("%s%s", k ? ", " : "", what[k]);
				free(what[k]);
			}
			free(what);
			printf(")\n  -> read whole by\n");
			print_job(c, j);
			return;
		}
		printf("  the environment variable %s %s\n  -> used by\n",
		       e->name,
		       !e->set ? "was unset when the build was recorded, and is "
				 "set now"
		       : getenv(e->name) ? "has another value than when the "
					   "build was recorded"
					 : "was set when the build was recorded, "
					   "and is unset now");
		print_job(c, j);
		return;
	}
	case AFF_RECIPE:
		chain(c, root, job->cause, depth + 1);
		printf("  -> followed, as a later line of its recipe, by one that "
		       "only marks that\n     the recipe ran (make reruns a "
		       "recipe whole)\n");
		print_job(c, j);
		return;
	case AFF_RUNPATH:
		printf("  %s loads its libraries from the recorded tree (its "
		       "RUNPATH names %s):\n  built again in this tree, as "
		       "by\n", path_shown(c->files[job->cause].path),
		       c->root);
		print_job(c, j);
		return;
	case AFF_UNTRACED:
		printf("  %s could not be traced: %s; its job always "
		       "re-runs:\n",
		       job->untraced_path ? path_shown(job->untraced_path)
					  : "a program",
		       untraced_reason(job->untraced));
		print_job(c, j);
		return;
	}
}

int cmd_explain(int argc, char **argv)
{
	const char *dir = ".ckpt", *path = NULL;
	for (int i = 1; i < argc; i++) {
		int r = opt_dir(argc, argv, &i, &dir);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: ckpt explain [-d DIR] PATH\n\n"
			       "Say whether the output PATH is still valid "
			       "in the current tree and, if not,\nwhy: the "
			       "chain from a changed input to PATH, job by "
			       "job, with each\njob's command line.\n");
			return 0;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return bad_arg("explain", argv[i]);
		if (path) {
			error("explain: one path at a time");
			return EXIT_USAGE;
		}
		path = argv[i];
	}
	if (!path) {
		error("explain: which path? (ckpt explain PATH)");
		return EXIT_USAGE;
	}
	struct ckpt c;
	char *root;
	if (checkpoint_check(dir, &c, &root) < 0)
		return 1;
	char *abs = path[0] == '/' ? xstrdup(path)
				   : xasprintf("%s/%s", root, path);
	path_normalize(abs);
	const char *rel = path_under(abs, root);
	int fi = ckpt_file(&c, rel ? rel : abs, 0);
	int rc = 0;
	if (fi < 0) {
		rc = error("%s: not known to the checkpoint (the build did "
			   "not touch it)", path_shown(path)) < 0;
	} else {
		const struct file *f = &c.files[fi];
		if (f->role != ROLE_OUTPUT && f->role != ROLE_OUTDIR) {
			char *what = f->changed ? change_text(&c, f, root)
						: xstrdup("");
			printf("%s is %s, not an output%s%s\n", path_shown(path),
			       role_name(f), f->changed ? "; it was " : "",
			       what);
			free(what);
		} else if (f->producer < 0) {
			printf("%s is invalid: no traced job of the checkpoint "
			       "wrote it (an untraced program did, or the job "
			       "that did was already invalid when the checkpoint "
			       "was recorded on top of an older one with record "
			       "--from), so it is always rebuilt\n", path_shown(path));
		} else if (!c.jobs[f->producer].affected) {
			printf("%s is valid: nothing that job %d read has "
			       "changed\n", path_shown(path), f->producer);
			print_job(&c, f->producer);
		} else {
			printf("%s is invalid:\n", path_shown(path));
			chain(&c, root, f->producer, 0);
			printf("  -> which writes %s\n", path_shown(path));
		}
	}
	free(abs);
	free(root);
	ckpt_release(&c);
	return rc;
}
