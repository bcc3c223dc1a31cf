/*
 * cmd_status.c - `ckpt status`: what changed in this tree since the
 * checkpoint, and which outputs that invalidates. Also the loading step
 * that status, restore and explain share (checkpoint_check).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "changes.h"
#include "cmd.h"
#include "envvars.h"
#include "fsio.h"
#include "manifest.h"
#include "object.h"

/* The tree is checked on a thread of its own while the jobs are read:
 * they are most of a manifest's text (a million deps for a thousand
 * compiles), and the check needs only the files. */
struct early_check {
	struct ckpt *c;
	const char *root, *dir;
	pthread_t th;
	int started, checked;
	void (*meanwhile)(struct ckpt *c, void *arg);
	void *arg;
};

static void *check_thread(void *arg)
{
	struct early_check *e = arg;
	ckpt_detect_changes(e->c, e->root);
	return NULL;
}

static void files_read(struct ckpt *c, void *arg)
{
	struct early_check *e = arg;
	/* Before the jobs: the manifest reader keeps the "e" records of
	 * only the variables that changed. */
	envvars_check(c);
	e->c = c;
	ckpt_set_dir(c, e->dir, e->root);
	e->started = pthread_create(&e->th, NULL, check_thread, e) == 0;
}

static void check_done(void *arg, int ok)
{
	struct early_check *e = arg;
	if (ok && e->meanwhile)
		e->meanwhile(e->c, e->arg);
	if (e->started)
		pthread_join(e->th, NULL);
	e->checked = e->started;
	e->started = 0;
}

/* A build recorded in its build directory read its sources beside the
 * tree (save.c, note_sources_beside), and they are checked where they
 * were. In another tree that has its own beside it (a copy of the whole
 * parent), the ones checked are not those: an edit of them is not seen.
 * Said, with one of them. */
static void warn_sources_beside(const struct ckpt *c, const char *root)
{
	const char *old = strrchr(c->root, '/'), *new = strrchr(root, '/');
	if (!old || old == c->root || !new || new == root ||
	    !strcmp(c->root, root))
		return;
	size_t olen = (size_t)(old - c->root), nlen = (size_t)(new - root);
	size_t n = 0;
	char *first = NULL;
	for (size_t i = 0; i < c->nfiles; i++) {
		const char *p = c->files[i].path;
		struct stat st;
		if (c->files[i].role != ROLE_EXTERNAL ||
		    strncmp(p, c->root, olen) || p[olen] != '/' ||
		    p[olen + 1] == '.')
			continue;
		char *here = xasprintf("%.*s%s", (int)nlen, root, p + olen);
		if (strcmp(here, p) && stat(here, &st) == 0) {
			if (!first)
				first = xstrdup(here);
			n++;
		}
		free(here);
	}
	if (n)
		fprintf(stderr,
			"ckpt: warning: this tree has %zu file%s beside it "
			"(%s%s) that the build read beside its own, in %.*s: "
			"those are checked, not these, and an edit here is not "
			"seen. Record from the parent directory to carry them "
			"(ckpt record -- make -C %s)\n",
			n, n == 1 ? "" : "s", first, n > 1 ? ", ..." : "",
			(int)olen, c->root, old + 1);
	free(first);
}

int checkpoint_check_while(const char *dir, struct ckpt *c, char **root,
			   void (*meanwhile)(struct ckpt *c, void *arg),
			   void *arg)
{
	*root = getcwd(NULL, 0);
	if (!*root)
		return error_errno("cannot get the current directory");
	struct early_check e = { .root = *root, .dir = dir,
				 .meanwhile = meanwhile, .arg = arg };
	struct manifest_hook hook = { files_read, check_done, &e, 1 };
	if (manifest_read_hooked(c, dir, &hook) < 0) {
		free(*root);
		*root = NULL;
		return -1;
	}
	if (!e.checked) {	/* no thread */
		ckpt_set_dir(c, dir, *root);
		ckpt_detect_changes(c, *root);
	}
	ckpt_affected(c);
	warn_sources_beside(c, *root);
	return 0;
}

int checkpoint_check(const char *dir, struct ckpt *c, char **root)
{
	return checkpoint_check_while(dir, c, root, NULL, NULL);
}

int output_invalid(const struct ckpt *c, const struct file *f)
{
	return f->producer < 0 || c->jobs[f->producer].affected;
}

/* Did job j write an output of the checkpoint itself? */
static int own_outputs(const struct ckpt *c, size_t j)
{
	const struct job *job = &c->jobs[j];
	for (size_t k = 0; k < job->ndeps; k++) {
		const struct file *f = &c->files[job->deps[k].file];
		if (f->producer == (int)j && f->role == ROLE_OUTPUT)
			return 1;
	}
	return 0;
}

size_t run_again_roots(const struct ckpt *c, int *roots, size_t max)
{
	size_t n = 0;
	for (size_t j = 0; j < c->njobs; j++) {
		if (!invalid_not_by_make(c, j))
			continue;
		int r = (int)j;
		for (int depth = 0; c->jobs[r].driver >= 0 && depth < 64;
		     depth++)
			r = c->jobs[r].driver;
		if (r == (int)j)
			continue;	/* the recorded command itself */
		size_t k = 0;
		while (k < n && roots[k] != r)
			k++;
		if (k == n && n < max)
			roots[n++] = r;
	}
	return n;
}

int invalid_not_by_make(const struct ckpt *c, size_t j)
{
	const struct job *job = &c->jobs[j];
	if (!job->affected)
		return 0;
	/* The recorded command, a script that is not make, for what it
	 * wrote itself (`if grep -q FOO config; then echo yes > out`). */
	if (job->driver < 0)
		return !cmd_is_make(job->cmd) && own_outputs(c, j);
	if (job->kind == JOB_DRIVER || (size_t)job->driver >= c->njobs)
		return 0;
	const struct job *d = &c->jobs[job->driver];
	if (cmd_is_make(d->cmd))
		return 0;
	/* Its script runs it again, when that is run again. */
	return !(d->driver < 0 && invalid_not_by_make(c, (size_t)job->driver));
}

/* An output that restore removes when it is invalid, for make to write
 * again: not a directory, which restore leaves (git: 20 of the 1,223
 * "outputs to rebuild" were, against record's 1,203 outputs). */
static int is_output(const struct file *f)
{
	return f->role == ROLE_OUTPUT;
}

/* A regular file of the tree that the build only looked at (make, at a
 * prerequisite's time: bash's parse.y, older than the y.tab.c shipped
 * beside it), now of another size, or, in the recorded tree, newer; not
 * a log the build only appended to (config.log, of another size in a
 * tree configured and not built). Not
 * an input, and no hash of it is kept; but make may rebuild from it. In
 * another tree its time says nothing: a git checkout or worktree gives
 * every file a new one (a kernel build looks at 1,644 such files). */
static int looked_at_changed(const struct ckpt *c, const struct file *f,
			     const char *root)
{
	if (f->role != ROLE_EXISTS || f->path[0] == '/' || f->changed ||
	    !S_ISREG(f->mode) || (f->flags & FILE_APPENDED_ONLY))
		return 0;
	int recorded_tree = !strcmp(root, c->root);
	char *a = xasprintf("%s/%s", root, f->path);
	struct stat st;
	int r = lstat(a, &st) == 0 && S_ISREG(st.st_mode) &&
		((uint64_t)st.st_size != f->size ||
		 (recorded_tree &&
		  (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec >
			  f->mtime));
	/* A file that names its tree (a config.status made by a configure
	 * run in each tree) is of the recorded size once each mention of
	 * this tree is the recorded one's. */
	if (r && !recorded_tree && (uint64_t)st.st_size != f->size &&
	    st.st_size <= RELOCATE_MAX) {
		size_t n = 0, k = 0, rl = strlen(root);
		char *text = read_text(a, RELOCATE_MAX, &n);
		const char *p = text, *end = text + n;
		while (p && (p = memmem(p, (size_t)(end - p), root, rl))) {
			k++;
			p += rl;
		}
		int64_t as_recorded = (int64_t)st.st_size -
				      (int64_t)k * ((int64_t)rl -
						    (int64_t)strlen(c->root));
		r = !k || as_recorded != (int64_t)f->size;
		free(text);
	}
	free(a);
	return r;
}

/* Does the tree hold valid output f with other content than the
 * recorded build left, which restore would put back (a configure run
 * by hand since, with other options)? Not there: no. In the recorded
 * tree the stat data stand in for the content; elsewhere an output
 * that names its tree is compared with each mention of this tree made
 * the recorded one's, as restore writes it. */
static int output_replaced(const struct ckpt *c, const struct file *f,
			   const char *root)
{
	if (f->role != ROLE_OUTPUT || f->path[0] == '/')
		return 0;
	char *a = xasprintf("%s/%s", root, f->path);
	struct stat st;
	int differs = 0;
	if (lstat(a, &st) < 0) {
		differs = 0;
	} else if (S_ISLNK(f->mode)) {
		char t[4096];
		ssize_t n = readlink(a, t, sizeof t - 1);
		differs = n < 0 || !f->link || (t[n] = 0, strcmp(t, f->link));
	} else if (!S_ISREG(st.st_mode)) {
		differs = 1;
	} else if (!strcmp(root, c->root) && (uint64_t)st.st_size == f->size &&
		   (uint64_t)st.st_ino == f->ino &&
		   (int64_t)st.st_mtim.tv_sec * 1000000000 +
				   st.st_mtim.tv_nsec ==
			   f->mtime) {
		differs = 0;
	} else {
		struct hash128 h;
		int named = 0;
		if ((f->flags & FILE_NAMES_ROOT) && strcmp(root, c->root))
			named = hash_file_relocated(a, root, c->root,
						    RELOCATE_MAX, &h) == 1;
		if (!named && (uint64_t)st.st_size != f->size)
			differs = 1;
		else
			differs = (!named && hash_file(a, &h) < 0) ||
				  !hash_equal(&h, &f->hash);
	}
	free(a);
	return differs;
}

struct replaced {
	const struct ckpt *c;
	const char *root;
	char *is;		/* per file: output_replaced */
};

static int replaced_one(void *arg, size_t i, int worker)
{
	struct replaced *r = arg;
	(void)worker;
	const struct file *f = &r->c->files[i];
	r->is[i] = !output_invalid(r->c, f) &&
		   output_replaced(r->c, f, r->root);
	return 0;
}

/* What status says of a changed listing: which job the names matter to
 * (j, shortened), or that none does (-1). */
static char *listing_user(const struct ckpt *c, int j)
{
	if (j < 0)
		return xstrdup(" (no glob or rule of make's takes these names)");
	const char *cmd = cmd_display(c->jobs[j].cmd);
	int make = c->jobs[j].kind == JOB_DRIVER && cmd_is_make(c->jobs[j].cmd);
	return xasprintf(" (%s %.60s%s)",
			 make ? "a glob or rule of make's takes them:"
			      : "listed by", cmd, strlen(cmd) > 60 ? "..." : "");
}

/* One group of paths, as text or as a JSON array. */
struct group {
	const char *key, *title;
	char **paths;
	size_t n, a;
};

static void add(struct group *g, const char *p)
{
	GROW(g->paths, g->n, g->a);
	g->paths[g->n++] = xstrdup(*p ? p : ".");
}

/* "A set, B changed" of the whole environment, or NULL if not known. */
static char *env_all_text(const struct ckpt *c)
{
	char **what, *text = NULL;
	size_t n, len = 0;
	if (envvars_all_changes(c, &what, &n) < 0 || !n)
		return NULL;
	FILE *out = open_memstream(&text, &len);
	for (size_t i = 0; i < n; i++) {
		if (out)
			fprintf(out, "%s%s", i ? ", " : "", what[i]);
		free(what[i]);
	}
	free(what);
	if (out)
		fclose(out);
	return text;
}

static void status_usage(void)
{
	printf(
		"usage: ckpt status [-d DIR] [--json]\n\n"
		"Compare the current directory with the checkpoint in DIR "
		"(default .ckpt):\nsources and external inputs that changed "
		"or were deleted, paths the build\nlooked for and did not "
		"find that now exist, directory listings that changed,\n"
		"environment variables the build used whose value is not the "
		"same in this\nshell, programs that could not be traced, files "
		"the build only looked at\n(make, at their time) that are now "
		"of another size (or newer, in the recorded\ntree), the outputs "
		"all that invalidates, outputs the tree holds with other\n"
		"content (restore replaces them), and the invalid commands "
		"that make does not\nrun (./configure run by the recorded "
		"command): to run again.\n\n"
		"  -d, --dir DIR   checkpoint directory\n"
		"  --json          one JSON object (keys in docs/json.md)\n");
}

int cmd_status(int argc, char **argv)
{
	const char *dir = ".ckpt";
	int json = 0;
	for (int i = 1; i < argc; i++) {
		int r = opt_dir(argc, argv, &i, &dir);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			status_usage();
			return 0;
		} else {
			return bad_arg("status", argv[i]);
		}
	}
	struct ckpt c;
	char *root;
	if (checkpoint_check(dir, &c, &root) < 0)
		return 1;
	struct group g[] = {
		{ .key = "changed", .title = "changed" },
		{ .key = "modified", .title = "modified sources" },
		{ .key = "deleted", .title = "deleted" },
		{ .key = "appeared", .title = "looked for and missing then, present now" },
		{ .key = "listings", .title = "directory listings that changed" },
		{ .key = "gone", .title = "files the recorded build deleted, "
			"here again (restore deletes each that no job to run "
			"again may write)" },
		{ .key = "externals", .title = "changed inputs outside the tree" },
		{ .key = "environment", .title = "environment variables the build used, with another value now" },
		{ .key = "untraced", .title = "programs that could not be traced" },
		{ .key = "looked_at", .title = "files the build only looked at, "
			"now of another size (or newer, in the recorded tree): "
			"not inputs, but make may rebuild from them by their "
			"time" },
		{ .key = "affected", .title = "outputs to rebuild" },
		{ .key = "replaced", .title = "outputs the tree holds with other "
			"content, which restore replaces with the checkpoint's "
			"(shipped with the sources and rewritten by the build, "
			"or a configuration or build of your own since)" },
		{ .key = "run_again", .title = "commands make does not run, to run again where the recorded command did" },
	};
	enum { G_CHANGED, G_MOD, G_DEL, G_APP, G_LIST, G_GONE, G_EXT, G_ENV,
	       G_UT, G_LOOKED, G_AFF, G_REPL, G_AGAIN, NG };
	/* The names each changed listing gained and lost (one a G_LIST
	 * entry), when the checkpoint holds them. */
	struct name_diff *nd = NULL;
	size_t nnd = 0, and = 0;
	int *nd_job = NULL;	/* the first job the names matter to, or -1
				 * (makenames.c) */
	/* Outputs the tree holds are hashed: a thread a core (a restored
	 * kernel tree holds 60 MB of them). */
	struct replaced rp = { &c, root, xcalloc(c.nfiles + 1, 1) };
	parallel_for(c.nfiles, 64, PFOR_CPU, replaced_one, &rp, NULL);
	for (size_t i = 0; i < c.nfiles; i++) {
		const struct file *f = &c.files[i];
		if (f->changed == CH_LISTING) {
			GROW(nd, nnd, and);
			nd_job = xrealloc(nd_job, and * sizeof *nd_job);
			nd_job[nnd] = f->flags & FILE_NAMES_USED ? f->names_job
								 : -1;
			listing_diff(&c, f, root, &nd[nnd++]);
		}
		if (f->changed) {
			add(&g[G_CHANGED], f->path);
			int k = f->changed == CH_DELETED   ? G_DEL
				: f->changed == CH_ADDED   ? G_APP
				: f->changed == CH_LISTING ? G_LIST
				: f->changed == CH_GONE	   ? G_GONE
				: f->path[0] == '/'	   ? G_EXT
							   : G_MOD;
			add(&g[k], f->path);
		}
		if (is_output(f) && f->path[0] != '/' && output_invalid(&c, f))
			add(&g[G_AFF], f->path);
		else if (rp.is[i])
			add(&g[G_REPL], f->path);
		if (looked_at_changed(&c, f, root))
			add(&g[G_LOOKED], f->path);
	}
	for (size_t i = 0; i < c.nenvs; i++)
		if (c.envs[i].changed)
			add(&g[G_ENV], c.envs[i].name);
	for (size_t j = 0; j < c.njobs; j++)
		if (invalid_not_by_make(&c, j))
			add(&g[G_AGAIN], cmd_display(c.jobs[j].cmd));
	for (size_t j = 0; j < c.njobs; j++)
		if (c.jobs[j].untraced > 0) {
			char *s = xasprintf("%s", c.jobs[j].untraced_path
							  ? c.jobs[j].untraced_path
							  : "?");
			add(&g[G_UT], s);
			free(s);
		}
	if (json) {
		printf("{\"root\": ");
		json_string(stdout, root);
		printf(", \"checkpoint_root\": ");
		json_string(stdout, c.root);
		for (int k = 0; k < NG; k++) {
			printf(", \"%s\": [", g[k].key);
			for (size_t i = 0; i < g[k].n; i++) {
				if (i)
					printf(", ");
				json_string(stdout, g[k].paths[i]);
			}
			printf("]");
		}
		char **what;
		size_t nwhat;
		printf(", \"environment_changes\": [");
		if (envvars_all_changes(&c, &what, &nwhat) == 0) {
			for (size_t i = 0; i < nwhat; i++) {
				char *sp = strrchr(what[i], ' ');
				*sp = 0;
				printf("%s{\"name\": ", i ? ", " : "");
				json_string(stdout, what[i]);
				printf(", \"change\": \"%s\"}", sp + 1);
				free(what[i]);
			}
			free(what);
		}
		printf("], \"listing_changes\": [");
		for (size_t i = 0, k = 0; i < nnd; i++) {
			if (!nd[i].known)
				continue;
			printf("%s{\"path\": ", k++ ? ", " : "");
			json_string(stdout, g[G_LIST].paths[i]);
			printf(", \"added\": [");
			for (size_t n = 0; n < nd[i].nadded; n++) {
				printf("%s", n ? ", " : "");
				json_string(stdout, nd[i].added[n]);
			}
			printf("], \"removed\": [");
			for (size_t n = 0; n < nd[i].nremoved; n++) {
				printf("%s", n ? ", " : "");
				json_string(stdout, nd[i].removed[n]);
			}
			printf("], \"used\": %s}", nd_job[i] >= 0 ? "true" : "false");
		}
		printf("]}\n");
	} else {
		if (!g[G_CHANGED].n && !g[G_ENV].n && !g[G_UT].n)
			printf(g[G_AFF].n
				       ? "no input changed since the checkpoint "
					 "(the outputs below are rebuilt all the "
					 "same: `ckpt explain PATH` says why)\n"
				       : g[G_LOOKED].n || g[G_REPL].n
				       ? "no input changed since the checkpoint\n"
				       : "nothing changed since the checkpoint\n");
		for (int k = G_MOD; k < NG; k++) {
			if (!g[k].n)
				continue;
			printf("%s (%zu):\n", g[k].title, g[k].n);
			for (size_t i = 0; i < g[k].n; i++) {
				char *what = k == G_LIST && nd[i].known
						     ? name_diff_text(&nd[i])
						     : NULL;
				if (k == G_ENV && !strcmp(g[k].paths[i], ENV_ALL))
					what = env_all_text(&c);
				char *used = k == G_LIST ? listing_user(&c, nd_job[i])
							 : NULL;
				printf("  %s%s%s%s%s\n",
				       k == G_AGAIN ? g[k].paths[i]
						    : path_shown(g[k].paths[i]),
				       k == G_ENV && !strcmp(g[k].paths[i],
							     ENV_ALL)
					       ? " (the whole environment: a job "
						 "printed it, or ran code ckpt "
						 "could not read)"
					       : "",
				       what ? ": " : "", what ? what : "",
				       used ? used : "");
				free(what);
				free(used);
			}
			/* The variables and options it ran them with are
			 * the recorded command's (CFLAGS=-O2 ./configure). */
			int roots[4];
			size_t nr = k == G_AGAIN ? run_again_roots(&c, roots, 4)
						 : 0;
			for (size_t r = 0; r < nr; r++)
				printf("  (as the recorded command ran them: "
				       "%s)\n", cmd_display(c.jobs[roots[r]].cmd));
		}
		if ((g[G_CHANGED].n || g[G_ENV].n) && !g[G_AFF].n) {
			/* Jobs that print, or pass what they find to the
			 * program that ran them (a make that configure runs
			 * in backquotes): nothing of theirs to remove. */
			size_t naff = 0;
			for (size_t j = 0; j < c.njobs; j++)
				naff += c.jobs[j].affected != 0;
			if (naff)
				printf("no output to rebuild: the %zu job%s the "
				       "changes affect wrote none that the "
				       "checkpoint keeps\n",
				       naff, naff > 1 ? "s" : "");
			else
				printf("no output to rebuild\n");
		}
	}
	for (size_t i = 0; i < nnd; i++)
		name_diff_release(&nd[i]);
	free(nd);
	free(nd_job);
	free(rp.is);
	for (int k = 0; k < NG; k++) {
		for (size_t i = 0; i < g[k].n; i++)
			free(g[k].paths[i]);
		free(g[k].paths);
	}
	free(root);
	ckpt_release(&c);
	return 0;
}
