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
	free(c->jobs[d0].cmd);
	c->jobs[d0].cmd = xstrdup("make");
	free(c->jobs[d4].cmd);
	c->jobs[d4].cmd = xstrdup("make -C sub");
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

	/* A command a script that is not make ran does (`if grep -q FOO
	 * config; then ...`). */
	g = build();
	free(g->c.jobs[0].cmd);
	g->c.jobs[0].cmd = xstrdup("/bin/sh ./build.sh");
	v = file(&g->c, "config", ROLE_SOURCE);
	j = ckpt_job_new(&g->c, JOB_RECIPE, 0);
	dep(&g->c, j, v, ACC_READ);
	g->c.files[v].changed = CH_CONTENT;
	ckpt_affected(&g->c);
	assert_int_equal(affected(g, j), AFF_CHANGED);
	assert_int_equal(affected(g, 0), AFF_RESULT);
	assert_int_equal(affected(g, 1), AFF_DRIVER);
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

/* Files i = from, from + step, ... < to are "dir<i % 97>/f<i>.c", with
 * id i: interned (create) or found. */
static void files_range(struct ckpt *c, int from, int to, int step, int create)
{
	char p[32];
	for (int i = from; i < to; i += step) {
		snprintf(p, sizeof p, "dir%d/f%d.c", i % 97, i);
		assert_int_equal(ckpt_file(c, p, create), i);
	}
}

/* The file table moves as it grows; every path stays found. */
static void many_files(void **state)
{
	(void)state;
	struct ckpt c;
	ckpt_init(&c, "/r");
	files_range(&c, 0, 20000, 1, 1);
	files_range(&c, 0, 20000, 7, 0);
	assert_int_equal(ckpt_file(&c, "nope", 0), -1);
	/* By the first len bytes: "dir3/f3.c" is found in a longer buffer,
	 * a prefix of a path is not that path. */
	assert_int_equal(ckpt_lookup(&c, "dir3/f3.c/more", 9), 3);
	assert_int_equal(ckpt_lookup(&c, "dir3/f3.c", 8), -1);
	assert_int_equal(ckpt_lookup(&c, "dir3/f3", 7), -1);
	/* Reserving room (as the manifest's counts line does) after files
	 * exist keeps them found, and so do the ones added after. */
	ckpt_reserve(&c, 100000);
	files_range(&c, 20000, 30000, 1, 1);
	files_range(&c, 0, 30000, 3, 0);
	assert_int_equal(c.nfiles, 30000);
	ckpt_release(&c);
}

/* A chain gen -> x1 -> x2 -> ... -> x6: a change at the start reaches
 * the end, job by job, each caused by the output of the one before; a
 * change in the middle leaves the start alone. */
static void long_chain(void **state)
{
	(void)state;
	for (int start = 0; start < 6; start += 3) {
		struct ckpt c;
		ckpt_init(&c, "/r");
		int d = ckpt_job_new(&c, JOB_DRIVER, -1);
		int in[7], j[7];
		char p[16];
		for (int i = 0; i < 7; i++) {
			snprintf(p, sizeof p, "x%d", i);
			in[i] = file(&c, p, i ? ROLE_OUTPUT : ROLE_SOURCE);
		}
		for (int i = 1; i < 7; i++) {
			j[i] = ckpt_job_new(&c, JOB_RECIPE, d);
			dep(&c, j[i], in[i - 1], ACC_READ);
			dep(&c, j[i], in[i], ACC_WRITE);
		}
		int side = file(&c, "side.c", ROLE_SOURCE);
		dep(&c, j[1 + start], side, ACC_READ);
		c.files[side].changed = CH_CONTENT;
		assert_int_equal(ckpt_affected(&c), 6 - start);
		for (int i = 1; i < 7; i++) {
			if (i < 1 + start) {
				assert_int_equal(c.jobs[j[i]].affected, 0);
			} else if (i == 1 + start) {
				assert_int_equal(c.jobs[j[i]].affected,
						 AFF_CHANGED);
				assert_int_equal(c.jobs[j[i]].cause, side);
			} else {
				assert_int_equal(c.jobs[j[i]].affected,
						 AFF_INPUT);
				assert_int_equal(c.jobs[j[i]].cause, in[i - 1]);
			}
		}
		assert_int_equal(c.jobs[d].affected, 0);
		ckpt_release(&c);
	}
}

/* Three levels of make: a change to what the middle one read affects
 * its jobs and the innermost make's, not the top's; an output of an
 * affected inner job read by a job of the top make affects that job. */
static void nested_drivers(void **state)
{
	(void)state;
	struct ckpt c;
	ckpt_init(&c, "/r");
	int top = ckpt_job_new(&c, JOB_DRIVER, -1);
	int mid = ckpt_job_new(&c, JOB_DRIVER, top);
	int inner = ckpt_job_new(&c, JOB_DRIVER, mid);
	int jt = ckpt_job_new(&c, JOB_RECIPE, top);
	int jm = ckpt_job_new(&c, JOB_RECIPE, mid);
	int ji = ckpt_job_new(&c, JOB_RECIPE, inner);
	int jl = ckpt_job_new(&c, JOB_RECIPE, top);
	int mk = file(&c, "sub/Makefile", ROLE_SOURCE);
	int lib = file(&c, "sub/deep/lib.a", ROLE_OUTPUT);
	int m = file(&c, "sub/m.o", ROLE_OUTPUT);
	int t = file(&c, "t.o", ROLE_OUTPUT);
	int prog = file(&c, "prog", ROLE_OUTPUT);
	dep(&c, mid, mk, ACC_READ);
	dep(&c, ji, lib, ACC_WRITE);
	dep(&c, jm, m, ACC_WRITE);
	dep(&c, jt, t, ACC_WRITE);
	dep(&c, jl, lib, ACC_READ);
	dep(&c, jl, prog, ACC_WRITE);
	c.files[mk].changed = CH_CONTENT;
	assert_int_equal(ckpt_affected(&c), 5);
	assert_int_equal(c.jobs[mid].affected, AFF_CHANGED);
	assert_int_equal(c.jobs[inner].affected, AFF_DRIVER);
	assert_int_equal(c.jobs[jm].affected, AFF_DRIVER);
	assert_int_equal(c.jobs[ji].affected, AFF_DRIVER);
	assert_int_equal(c.jobs[jl].affected, AFF_INPUT);
	assert_int_equal(c.jobs[jl].cause, lib);
	assert_int_equal(c.jobs[top].affected, 0);
	assert_int_equal(c.jobs[jt].affected, 0);
	ckpt_release(&c);
}

/* Listings, deletions, and a stat of something that vanished. */
static void listing_and_deleted(void **state)
{
	(void)state;
	struct g *g = build();
	int dir = file(&g->c, "src", ROLE_LISTING);
	int j = ckpt_job_new(&g->c, JOB_RECIPE, 0);
	int out = file(&g->c, "files.txt", ROLE_OUTPUT);
	dep(&g->c, j, dir, ACC_LIST);
	dep(&g->c, j, out, ACC_WRITE);
	g->c.files[dir].changed = CH_LISTING;
	assert_int_equal(ckpt_affected(&g->c), 1);
	assert_int_equal(affected(g, j), AFF_CHANGED);
	assert_int_equal(g->c.jobs[j].cause, dir);
	g->c.files[dir].changed = CH_NONE;
	g->c.files[g->bc].changed = CH_DELETED;
	assert_int_equal(ckpt_affected(&g->c), 2);	/* b.o, prog */
	assert_int_equal(affected(g, j), 0);
	assert_int_equal(affected(g, 2), AFF_CHANGED);
	release(g);
}

/* ckpt_affected starts over each time: nothing left from a previous
 * call. */
static void recompute_clears(void **state)
{
	(void)state;
	struct g *g = build();
	g->c.files[g->mk].changed = CH_CONTENT;
	assert_int_equal(ckpt_affected(&g->c), 6);
	g->c.files[g->mk].changed = CH_NONE;
	assert_int_equal(ckpt_affected(&g->c), 0);
	for (size_t j = 0; j < g->c.njobs; j++)
		assert_int_equal(g->c.jobs[j].affected, 0);
	release(g);
}

/* The times a job's deps carry while a trace is saved: the first look and
 * first write survive the merge of duplicates (ckpt_sort_deps), a dep
 * added after the merge starts with none (not the times of a dep merged
 * away), and a write before a read makes the read no input. */
static void dep_times(void **state)
{
	(void)state;
	struct ckpt c;
	ckpt_init(&c, "/r");
	files_range(&c, 0, 4, 1, 1);
	int j = ckpt_job_new(&c, JOB_RECIPE, -1);
	job_access(&c, j, 2, ACC_READ, 50);
	job_access(&c, j, 1, ACC_STAT, 40);
	job_access(&c, j, 0, ACC_WRITE, 10);
	c.files[1].mark_job = -1;	/* so that file 1 gets a second dep */
	job_access(&c, j, 1, ACC_READ | ACC_WRITE, 30);
	job_access(&c, j, 0, ACC_READ, 20);
	ckpt_sort_deps(&c);
	const struct job *jb = &c.jobs[j];
	assert_int_equal(jb->ndeps, 3);
	assert_int_equal(jb->deps[1].file, 1);
	assert_int_equal(jb->deps[1].acc, ACC_STAT | ACC_READ | ACC_WRITE);
	assert_int_equal(dep_t_in(jb, 1), 30);
	assert_int_equal(dep_t_write(jb, 1), 30);
	assert_int_equal(dep_input(jb, 0), 0);	/* written at 10, read at 20 */
	assert_int_equal(dep_input(jb, 2), ACC_READ);
	job_access(&c, j, 3, ACC_WRITE, 60);
	assert_int_equal(jb->deps[3].file, 3);
	assert_int_equal(dep_t_in(jb, 3), 0);
	assert_int_equal(dep_t_write(jb, 3), 60);
	ckpt_classify_deps(&c);
	assert_null(c.jobs[j].dtimes);
	assert_int_equal(dep_t_in(&c.jobs[j], 1), 0);
	ckpt_release(&c);
}

/* A job of many deps, over more files than two bytes number, in no
 * order and with repeats: ckpt_sort_deps sorts them by file (radix, three
 * passes here) and merges the repeats as a dep at a time would. Checked
 * against the expected merge, computed here file by file. */
static void many_deps_sorted(void **state)
{
	(void)state;
	enum { NFILES = 70000, NDEPS = 6000, HIT = 2500 };
	struct ckpt c;
	ckpt_init(&c, "/r");
	files_range(&c, 0, NFILES, 1, 1);
	int j = ckpt_job_new(&c, JOB_RECIPE, -1);
	static int acc[NFILES];
	static uint64_t t_in[NFILES], t_write[NFILES];
	const int kinds[] = { ACC_READ, ACC_STAT, ACC_WRITE, ACC_ABSENT,
			      ACC_READ | ACC_WRITE };
	uint32_t x = 12345;
	for (int k = 0; k < NDEPS; k++) {
		x = x * 1103515245 + 12345;
		/* HIT distinct files spread over the whole range */
		int f = (int)((x >> 8) % HIT) * (NFILES / HIT) + (k & 1) * 7;
		int a = kinds[(x >> 4) % 5];
		uint64_t t = 1000 + (x >> 12) % 100000;
		c.files[f].mark_job = -1;	/* a dep of its own each time */
		job_access(&c, j, f, a, t);
		int in = a & ~(ACC_WRITE | ACC_MKDIR | ACC_DELETE);
		if (in && (!(acc[f] & ~ACC_WRITE) || t < t_in[f]))
			t_in[f] = t;
		if ((a & ACC_WRITE) && (!(acc[f] & ACC_WRITE) || t < t_write[f]))
			t_write[f] = t;
		acc[f] |= a;
	}
	ckpt_sort_deps(&c);
	const struct job *jb = &c.jobs[j];
	size_t n = 0;
	for (int f = 0; f < NFILES; f++) {
		if (!acc[f])
			continue;
		assert_true(n < jb->ndeps);
		assert_int_equal(jb->deps[n].file, f);
		assert_int_equal(jb->deps[n].acc, acc[f]);
		if (acc[f] & ~ACC_WRITE)
			assert_int_equal(dep_t_in(jb, n), t_in[f]);
		if (acc[f] & ACC_WRITE)
			assert_int_equal(dep_t_write(jb, n), t_write[f]);
		n++;
	}
	assert_int_equal(jb->ndeps, n);
	assert_true(n > HIT);	/* repeats merged, and both parities */
	ckpt_release(&c);
}

/* Rule 5: a recipe line that only marks that the recipe ran (reads
 * nothing in the tree, writes nothing a job reads) and writes the target
 * (what make looked at first) goes with the line it follows, or with a
 * line before that (`cp in out; sh check.sh; touch stamp`). Not one that
 * reads a source, nor one whose output a job reads (a generated header),
 * nor one that writes what make never looked at (`echo > t2.log` before
 * `cp in2 t2`: with t2 kept, removing t2.log would lose it), nor a line
 * nothing affected precedes. */
static int line(struct ckpt *c, int after, uint64_t target_look)
{
	int j = ckpt_job_new(c, JOB_RECIPE, 0);
	c->jobs[j].prev = malloc(sizeof(int));
	c->jobs[j].prev[0] = after;
	c->jobs[j].nprev = 1;
	c->jobs[j].target_look = target_look;
	return j;
}

static void stamp_line_follows(void **state)
{
	(void)state;
	struct g *g = build();
	struct ckpt *c = &g->c;
	int stamp = file(c, "stamp", ROLE_OUTPUT);
	int log = file(c, "log", ROLE_OUTPUT);
	int side = file(c, "side.log", ROLE_OUTPUT);
	int list = file(c, "list", ROLE_OUTPUT);
	int gen = file(c, "gen.h", ROLE_OUTPUT);
	int libc = file(c, "/usr/lib/libc.so.6", ROLE_EXTERNAL);
	c->jobs[1].start = c->jobs[2].start = 100;
	int touch = line(c, 1, 50);	/* touch stamp, after job 1 */
	dep(c, touch, libc, ACC_READ);
	dep(c, touch, stamp, ACC_WRITE);
	int cat = line(c, 1, 0);	/* cat util.h > list */
	dep(c, cat, g->util, ACC_READ);
	dep(c, cat, list, ACC_WRITE);
	int hdr = line(c, 1, 50);	/* echo > gen.h, which the link reads */
	dep(c, hdr, gen, ACC_WRITE);
	dep(c, 3, gen, ACC_READ);
	int echo = line(c, 1, 0);	/* echo > side.log, not the target */
	dep(c, echo, side, ACC_WRITE);
	int other = line(c, 2, 50);	/* echo > log, after job 2 */
	dep(c, other, log, ACC_WRITE);
	int later = line(c, 1, 150);	/* make took its target up later */
	dep(c, later, file(c, "later.stamp", ROLE_OUTPUT), ACC_WRITE);
	c->files[g->ac].changed = CH_CONTENT;
	ckpt_affected(c);
	assert_int_equal(affected(g, 1), AFF_CHANGED);
	assert_int_equal(affected(g, touch), AFF_RECIPE);
	assert_int_equal(c->jobs[touch].cause, 1);
	assert_int_equal(affected(g, cat), 0);
	assert_int_equal(affected(g, hdr), 0);
	assert_int_equal(affected(g, echo), 0);
	assert_int_equal(affected(g, other), 0);
	assert_int_equal(affected(g, later), 0);
	/* Through lines that are not affected: job 1, cat util.h, then the
	 * marking line. */
	c->jobs[other].prev[0] = cat;
	ckpt_affected(c);
	assert_int_equal(affected(g, other), AFF_RECIPE);
	assert_int_equal(c->jobs[other].cause, 1);
	/* Not through a line that writes its target (it ends its recipe). */
	c->jobs[cat].target_look = 50;
	ckpt_affected(c);
	assert_int_equal(affected(g, other), 0);
	release(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_changed),
		cmocka_unit_test(source_read_propagates),
		cmocka_unit_test(stat_only_content_change),
		cmocka_unit_test(absent_appears),
		cmocka_unit_test(driver_input_affects_its_jobs),
		cmocka_unit_test(stamp_line_follows),
		cmocka_unit_test(driver_reading_other_output),
		cmocka_unit_test(untraced_always),
		cmocka_unit_test(shell_result_reaches_make),
		cmocka_unit_test(output_without_producer),
		cmocka_unit_test(many_files),
		cmocka_unit_test(dep_times),
		cmocka_unit_test(many_deps_sorted),
		cmocka_unit_test(long_chain),
		cmocka_unit_test(nested_drivers),
		cmocka_unit_test(listing_and_deleted),
		cmocka_unit_test(recompute_clears),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
