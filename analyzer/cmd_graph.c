/*
 * cmd_graph.c - `ckpt graph`: the job/file graph for Graphviz or as JSON,
 * whole or around one output (what it was built from, upstream, and the
 * jobs that read it, downstream). Files outside the root and absent
 * probes are left out unless --all.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "manifest.h"
#include "model.h"

struct graph {
	const struct ckpt *c;
	char *job_on, *file_on;
	int all;
};

static int file_shown(const struct graph *g, int f)
{
	const struct file *fl = &g->c->files[f];
	if (g->all)
		return fl->role != ROLE_TEMP && fl->role != ROLE_PSEUDO;
	return fl->path[0] != '/' &&
	       (fl->role == ROLE_SOURCE || fl->role == ROLE_OUTPUT ||
		fl->role == ROLE_LISTING);
}

/* Upstream of output f: its producer, what that read, and so on. */
static void upstream(struct graph *g, int f, int depth)
{
	if (g->file_on[f] || depth > 100000)
		return;
	g->file_on[f] = 1;
	int p = g->c->files[f].producer;
	if (p < 0 || g->job_on[p])
		return;
	g->job_on[p] = 1;
	const struct job *j = &g->c->jobs[p];
	for (size_t k = 0; k < j->ndeps; k++)
		if (j->deps[k].acc & (ACC_READ | ACC_LIST))
			upstream(g, j->deps[k].file, depth + 1);
}

static int is_input(int acc)
{
	return acc & (ACC_READ | ACC_LIST | ACC_ABSENT | ACC_STAT);
}

static const char *label(const char *cmd)
{
	static char buf[80];
	const char *s = cmd_display(cmd);
	if (strlen(s) < sizeof buf)
		return s;
	snprintf(buf, sizeof buf, "%.72s ...", s);
	return buf;
}

static void dot(const struct graph *g)
{
	const struct ckpt *c = g->c;
	printf("digraph ckpt {\n  rankdir=LR;\n  node [fontsize=10];\n");
	for (size_t i = 0; i < c->nfiles; i++)
		if (g->file_on[i] && file_shown(g, (int)i)) {
			printf("  f%zu [shape=%s, label=", i,
			       c->files[i].role == ROLE_OUTPUT ? "box" : "note");
			json_string(stdout, *c->files[i].path ? c->files[i].path
							      : ".");
			printf("];\n");
		}
	for (size_t j = 0; j < c->njobs; j++) {
		if (!g->job_on[j])
			continue;
		printf("  j%zu [shape=ellipse, style=filled, fillcolor=%s, "
		       "label=", j,
		       c->jobs[j].kind == JOB_DRIVER ? "lightblue" : "lightgrey");
		json_string(stdout, label(c->jobs[j].cmd));
		printf("];\n");
		for (size_t k = 0; k < c->jobs[j].ndeps; k++) {
			const struct dep *d = &c->jobs[j].deps[k];
			if (!g->file_on[d->file] || !file_shown(g, d->file))
				continue;
			if (d->acc & ACC_WRITE &&
			    c->files[d->file].producer == (int)j)
				printf("  j%zu -> f%d;\n", j, d->file);
			else if (is_input(d->acc) && c->jobs[j].kind != JOB_DRIVER)
				printf("  f%d -> j%zu;\n", d->file, j);
		}
	}
	printf("}\n");
}

static void json(const struct graph *g)
{
	const struct ckpt *c = g->c;
	int first = 1;
	printf("{\"nodes\": [");
	for (size_t i = 0; i < c->nfiles; i++)
		if (g->file_on[i] && file_shown(g, (int)i)) {
			printf("%s\n  {\"id\": \"f%zu\", \"kind\": \"file\", "
			       "\"label\": ", first ? "" : ",", i);
			json_string(stdout, c->files[i].path);
			printf(", \"role\": \"%c\"}", c->files[i].role);
			first = 0;
		}
	for (size_t j = 0; j < c->njobs; j++)
		if (g->job_on[j]) {
			printf("%s\n  {\"id\": \"j%zu\", \"kind\": \"job\", "
			       "\"label\": ", first ? "" : ",", j);
			json_string(stdout, cmd_display(c->jobs[j].cmd));
			printf(", \"role\": \"%s\"}",
			       c->jobs[j].kind == JOB_DRIVER ? "make" : "recipe");
			first = 0;
		}
	printf("],\n \"edges\": [");
	first = 1;
	for (size_t j = 0; j < c->njobs; j++) {
		if (!g->job_on[j])
			continue;
		for (size_t k = 0; k < c->jobs[j].ndeps; k++) {
			const struct dep *d = &c->jobs[j].deps[k];
			if (!g->file_on[d->file] || !file_shown(g, d->file))
				continue;
			if (d->acc & ACC_WRITE &&
			    c->files[d->file].producer == (int)j)
				printf("%s\n  {\"from\": \"j%zu\", \"to\": "
				       "\"f%d\"}", first ? "" : ",", j, d->file);
			else if (is_input(d->acc) &&
				 c->jobs[j].kind != JOB_DRIVER)
				printf("%s\n  {\"from\": \"f%d\", \"to\": "
				       "\"j%zu\"}", first ? "" : ",", d->file, j);
			else
				continue;
			first = 0;
		}
	}
	printf("]}\n");
}

int cmd_graph(int argc, char **argv)
{
	const char *dir = ".ckpt", *path = NULL;
	int as_json = 0, all = 0;
	for (int i = 1; i < argc; i++) {
		int r = opt_dir(argc, argv, &i, &dir);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "--json")) {
			as_json = 1;
		} else if (!strcmp(argv[i], "--dot")) {
			as_json = 0;
		} else if (!strcmp(argv[i], "--all")) {
			all = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: ckpt graph [-d DIR] [--dot|--json] "
			       "[--all] [PATH]\n\n"
			       "The graph of jobs and files (sources and "
			       "outputs in the tree; --all adds\nfiles outside "
			       "it and paths looked for), in Graphviz dot "
			       "(default) or\nJSON. With PATH, only what that "
			       "output was built from and the jobs that\n"
			       "read it.\n");
			return 0;
		} else if (argv[i][0] == '-' || path) {
			return bad_arg("graph", argv[i]);
		} else {
			path = argv[i];
		}
	}
	struct ckpt c;
	if (manifest_read(&c, dir) < 0)
		return 1;
	struct graph g = { .c = &c, .all = all };
	g.job_on = xcalloc(c.njobs + 1, 1);
	g.file_on = xcalloc(c.nfiles + 1, 1);
	int rc = 0;
	if (path) {
		int f = ckpt_file(&c, path, 0);
		if (f < 0 || c.files[f].role != ROLE_OUTPUT) {
			error("%s is not an output of the checkpoint (paths are "
			      "relative to the recorded root)", path);
			rc = 1;
			goto out;
		}
		upstream(&g, f, 0);
		/* Downstream, one step: the jobs that read it. */
		for (size_t j = 0; j < c.njobs; j++)
			for (size_t k = 0; k < c.jobs[j].ndeps; k++)
				if (c.jobs[j].deps[k].file == f &&
				    (c.jobs[j].deps[k].acc & ACC_READ) &&
				    c.jobs[j].kind != JOB_DRIVER)
					g.job_on[j] = 1;
	} else {
		memset(g.job_on, 1, c.njobs);
		memset(g.file_on, 1, c.nfiles);
	}
	if (as_json)
		json(&g);
	else
		dot(&g);
out:
	free(g.job_on);
	free(g.file_on);
	ckpt_release(&c);
	return rc;
}
