/* The invalidation rules of changes.c, on graphs built by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "changes.h"
#include "model.h"

static int file(struct ckpt *c, const char *path, int role)
{
	int f = ckpt_file(c, path, 1);
	c->files[f].role = role;
	return f;
}

static void dep(struct ckpt *c, int j, int f, int acc)
{
	struct job *job = &c->jobs[j];
	GROW(job->deps, job->ndeps, job->adeps);
	job->deps[job->ndeps++] = (struct dep){ .file = f, .acc = acc };
	if (acc & ACC_WRITE)
		c->files[f].producer = j;
}

/*
 * make (0) runs: cc a.c -> a.o (1), cc b.c -> b.o (2), ld a.o b.o -> prog
 * (3), and a sub-make (4) that runs cc c.c -> c.o (5). make read Makefile
 * and a.d (written by job 1); job 2 only stat'ed util.h; job 1 probed
 * over/a.h and did not find it.
 */
struct g {
	struct ckpt c;
	int mk, ac, bc, cc, ao, bo, co, prog, hdr, util, over, ad, sub_mk;
};

static struct g *build(void)
{
	struct g *g = calloc(1, sizeof *g);
	struct ckpt *c = &g->c;
	ckpt_init(c, "/root");
	g->mk = file(c, "Makefile", ROLE_SOURCE);
	g->sub_mk = file(c, "sub/Makefile", ROLE_SOURCE);
	g->ac = file(c, "a.c", ROLE_SOURCE);
	g->bc = file(c, "b.c", ROLE_SOURCE);
	g->cc = file(c, "sub/c.c", ROLE_SOURCE);
	g->hdr = file(c, "a.h", ROLE_SOURCE);
	g->util = file(c, "util.h", ROLE_SOURCE);
	g->over = file(c, "over/a.h", ROLE_ABSENT);
	g->ao = file(c, "a.o", ROLE_OUTPUT);
	g->ad = file(c, "a.d", ROLE_OUTPUT);
	g->bo = file(c, "b.o", ROLE_OUTPUT);
	g->co = file(c, "sub/c.o", ROLE_OUTPUT);
	g->prog = file(c, "prog", ROLE_OUTPUT);
	int d0 = ckpt_job_new(c, JOB_DRIVER, -1);
	int j1 = ckpt_job_new(c, JOB_RECIPE, d0);
	int j2 = ckpt_job_new(c, JOB_RECIPE, d0);
	int j3 = ckpt_job_new(c, JOB_RECIPE, d0);
	int d4 = ckpt_job_new(c, JOB_DRIVER, d0);
	int j5 = ckpt_job_new(c, JOB_RECIPE, d4);
	dep(c, d0, g->mk, ACC_READ);
	dep(c, d0, g->ad, ACC_READ);
	dep(c, d0, g->ao, ACC_STAT);
	dep(c, j1, g->ac, ACC_READ);
	dep(c, j1, g->hdr, ACC_READ);
	dep(c, j1, g->over, ACC_ABSENT);
	dep(c, j1, g->ao, ACC_WRITE);
	dep(c, j1, g->ad, ACC_WRITE);
	dep(c, j2, g->bc, ACC_READ);
	dep(c, j2, g->util, ACC_STAT);
	dep(c, j2, g->bo, ACC_WRITE);
	dep(c, j3, g->ao, ACC_READ);
	dep(c, j3, g->bo, ACC_READ);
	dep(c, j3, g->prog, ACC_WRITE);
	dep(c, d4, g->sub_mk, ACC_READ);
	dep(c, j5, g->cc, ACC_READ);
	dep(c, j5, g->co, ACC_WRITE);
	return g;
}

static void release(struct g *g)
{
	ckpt_release(&g->c);
	free(g);
}

static int affected(struct g *g, int j)
{
	return g->c.jobs[j].affected;
}

static void nothing_changed(void **state)
{
	(void)state;
	struct g *g = build();
	assert_int_equal(ckpt_affected(&g->c), 0);
	release(g);
}

static void source_read_propagates(void **state)
{
	(void)state;
	struct g *g = build();
	g->c.files[g->hdr].changed = CH_CONTENT;
	assert_int_equal(ckpt_affected(&g->c), 2);
	assert_int_equal(affected(g, 1), AFF_CHANGED);
	assert_int_equal(g->c.jobs[1].cause, g->hdr);
	assert_int_equal(affected(g, 3), AFF_INPUT);
	assert_int_equal(g->c.jobs[3].cause, g->ao);
	/* make read a.d, an output of job 1: a dependency file, no
	 * propagation to the driver. */
	assert_int_equal(affected(g, 0), 0);
	assert_int_equal(affected(g, 2), 0);
	assert_int_equal(affected(g, 5), 0);
	release(g);
}

static void stat_only_content_change(void **state)
{
	(void)state;
	struct g *g = build();
	g->c.files[g->util].changed = CH_CONTENT;
	assert_int_equal(ckpt_affected(&g->c), 0);
	g->c.files[g->util].changed = CH_DELETED;
	assert_int_equal(ckpt_affected(&g->c), 2);	/* job 2, then 3 */
	assert_int_equal(affected(g, 2), AFF_CHANGED);
	release(g);
}

static void absent_appears(void **state)
{
	(void)state;
	struct g *g = build();
	g->c.files[g->over].changed = CH_ADDED;
	ckpt_affected(&g->c);
	assert_int_equal(affected(g, 1), AFF_CHANGED);
	assert_int_equal(affected(g, 3), AFF_INPUT);
	assert_int_equal(affected(g, 2), 0);
	release(g);
}

static void driver_input_affects_its_jobs(void **state)
{
	(void)state;
	struct g *g = build();
	g->c.files[g->sub_mk].changed = CH_CONTENT;
	ckpt_affected(&g->c);
	assert_int_equal(affected(g, 4), AFF_CHANGED);
	assert_int_equal(affected(g, 5), AFF_DRIVER);
	assert_int_equal(affected(g, 1), 0);	/* the top make's jobs */
	release(g);

	g = build();
	g->c.files[g->mk].changed = CH_CONTENT;
	assert_int_equal(ckpt_affected(&g->c), 6);	/* nested too */
	release(g);
}

static void driver_reading_other_output(void **state)
{
	(void)state;
	struct g *g = build();
	/* make reads b.o's content (say, an included generated makefile):
	 * that one does propagate. */
	dep(&g->c, 0, g->bo, ACC_READ);
	g->c.files[g->bo].producer = 2;
	g->c.files[g->bc].changed = CH_CONTENT;
	assert_int_equal(ckpt_affected(&g->c), 6);
	assert_int_equal(affected(g, 0), AFF_INPUT);
	release(g);
}

static void untraced_always(void **state)
{
	(void)state;
	struct g *g = build();
	g->c.jobs[2].untraced = 1;
	ckpt_affected(&g->c);
	assert_int_equal(affected(g, 2), AFF_UNTRACED);
	assert_int_equal(affected(g, 3), AFF_INPUT);
	assert_int_equal(affected(g, 1), 0);
	release(g);
}

static void shell_result_reaches_make(void **state)
{
	(void)state;
	struct g *g = build();
	/* A job without outputs ($(shell cat VERSION)) reads VERSION. */
	int v = file(&g->c, "VERSION", ROLE_SOURCE);
	int j = ckpt_job_new(&g->c, JOB_SHELL, 0);
	dep(&g->c, j, v, ACC_READ);
	g->c.files[v].changed = CH_CONTENT;
	ckpt_affected(&g->c);
	assert_int_equal(affected(g, j), AFF_CHANGED);
	assert_int_equal(affected(g, 0), AFF_RESULT);
	assert_int_equal(affected(g, 1), AFF_DRIVER);
	assert_int_equal(affected(g, 5), AFF_DRIVER);
	release(g);

	/* A recipe without outputs (a check, a test run) does not. */
	g = build();
	v = file(&g->c, "CHECKED", ROLE_SOURCE);
	j = ckpt_job_new(&g->c, JOB_RECIPE, 0);
	dep(&g->c, j, v, ACC_READ);
	g->c.files[v].changed = CH_CONTENT;
	assert_int_equal(ckpt_affected(&g->c), 1);
	assert_int_equal(affected(g, 0), 0);
	release(g);
}

static void output_without_producer(void **state)
{
	(void)state;
	struct g *g = build();
	g->c.files[g->bo].producer = -1;	/* an untraced program's */
	ckpt_affected(&g->c);
	assert_int_equal(affected(g, 3), AFF_INPUT);
	assert_int_equal(affected(g, 1), 0);
	release(g);
}

/* The file table moves as it grows; every path stays found. */
static void many_files(void **state)
{
	(void)state;
	struct ckpt c;
	ckpt_init(&c, "/r");
	char p[32];
	for (int i = 0; i < 20000; i++) {
		snprintf(p, sizeof p, "dir%d/f%d.c", i % 97, i);
		assert_int_equal(ckpt_file(&c, p, 1), i);
	}
	for (int i = 0; i < 20000; i += 7) {
		snprintf(p, sizeof p, "dir%d/f%d.c", i % 97, i);
		assert_int_equal(ckpt_file(&c, p, 0), i);
	}
	assert_int_equal(ckpt_file(&c, "nope", 0), -1);
	ckpt_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_changed),
		cmocka_unit_test(source_read_propagates),
		cmocka_unit_test(stat_only_content_change),
		cmocka_unit_test(absent_appears),
		cmocka_unit_test(driver_input_affects_its_jobs),
		cmocka_unit_test(driver_reading_other_output),
		cmocka_unit_test(untraced_always),
		cmocka_unit_test(shell_result_reaches_make),
		cmocka_unit_test(output_without_producer),
		cmocka_unit_test(many_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
