/* Change detection on real files (the manifest is in test_manifest.c). */
#include <setjmp.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "changes.h"
#include "model.h"

static char root[64];

static void put(const char *rel, const char *content)
{
	char *p = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(p);
}

static void make_dir(const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/ckpt-unit-XXXXXX");
	assert_non_null(mkdtemp(root));
	make_dir("src");
	put("a.c", "int a;\n");
	put("src/b.c", "int b;\n");
	put("src/b.o", "object\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf %s", root);
	int r = system(cmd);
	free(cmd);
	return r;
}

/* A checkpoint of the tree as it is now: a.c source, src/ listed, src/b.o
 * an output, missing.h absent. */
static void snapshot(struct ckpt *c, uint64_t created)
{
	ckpt_init(c, root);
	int a = ckpt_file(c, "a.c", 1), l = ckpt_file(c, "src", 1);
	int o = ckpt_file(c, "src/b.o", 1), m = ckpt_file(c, "missing.h", 1);
	c->files[a].role = ROLE_SOURCE;
	c->files[l].role = ROLE_LISTING;
	c->files[o].role = ROLE_OUTPUT;
	c->files[m].role = ROLE_ABSENT;
	char *p = file_abs(c, &c->files[a], root);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	file_set_stat(&c->files[a], &st);
	assert_int_equal(hash_file(p, &c->files[a].hash), 0);
	free(p);
	assert_int_equal(listing_hash(c, &c->files[l], root, &c->files[l].hash,
				      &c->files[l].names),
			 0);
	c->created = created;
}

static int changed(struct ckpt *c, const char *path)
{
	return c->files[ckpt_file(c, path, 0)].changed;
}

static void unchanged_tree(void **state)
{
	(void)state;
	struct ckpt c;
	snapshot(&c, wall_ns());
	assert_int_equal(ckpt_detect_changes(&c, root), 0);
	ckpt_release(&c);
}

static void content_absent_listing(void **state)
{
	(void)state;
	struct ckpt c;
	snapshot(&c, wall_ns());
	put("a.c", "int a = 1;\n");
	put("missing.h", "\n");
	put("src/c.c", "\n");
	assert_int_equal(ckpt_detect_changes(&c, root), 3);
	assert_int_equal(changed(&c, "a.c"), CH_CONTENT);
	assert_int_equal(changed(&c, "missing.h"), CH_ADDED);
	assert_int_equal(changed(&c, "src"), CH_LISTING);
	ckpt_release(&c);
	unlink(xasprintf("%s/missing.h", root));
	unlink(xasprintf("%s/src/c.c", root));
}

static void listing_ignores_outputs(void **state)
{
	(void)state;
	struct ckpt c;
	snapshot(&c, wall_ns());
	char *o = xasprintf("%s/src/b.o", root);
	unlink(o);	/* the build's own output: not part of the listing */
	assert_int_equal(ckpt_detect_changes(&c, root), 0);
	put("src/b.o", "object\n");
	free(o);
	ckpt_release(&c);
}

/* The names a listing kept when recorded ("b.c": src/b.o is an output),
 * and which ones were added and removed since, a directory's with '/'. */
static void listing_names(void **state)
{
	(void)state;
	struct ckpt c;
	snapshot(&c, wall_ns());
	int l = ckpt_file(&c, "src", 0);
	assert_string_equal(c.files[l].names, "b.c");
	put("src/new file.c", "\n");
	make_dir("src/sub");
	char *b = xasprintf("%s/src/b.c", root);
	char *away = xasprintf("%s/b.c.away", root);
	assert_int_equal(rename(b, away), 0);
	assert_int_equal(ckpt_detect_changes(&c, root), 1);
	assert_int_equal(changed(&c, "src"), CH_LISTING);
	struct name_diff d;
	assert_int_equal(listing_diff(&c, &c.files[l], root, &d), 0);
	assert_true(d.known);
	assert_int_equal(d.nadded, 2);
	assert_string_equal(d.added[0], "new file.c");
	assert_string_equal(d.added[1], "sub/");
	assert_int_equal(d.nremoved, 1);
	assert_string_equal(d.removed[0], "b.c");
	char *text = name_diff_text(&d);
	assert_string_equal(text, "new file.c, sub/ added; b.c removed");
	free(text);
	name_diff_release(&d);
	/* Escaped as the manifest keeps them, and read back. */
	free(c.files[l].names);
	c.files[l].names = xstrdup("new%20file.c b.c sub/");
	assert_int_equal(listing_diff(&c, &c.files[l], root, &d), 0);
	assert_int_equal(d.nadded, 0);
	assert_int_equal(d.nremoved, 1);
	assert_string_equal(d.removed[0], "b.c");
	name_diff_release(&d);
	/* A checkpoint without the names (before version 6) says nothing. */
	free(c.files[l].names);
	c.files[l].names = NULL;
	assert_int_equal(listing_diff(&c, &c.files[l], root, &d), -1);
	assert_false(d.known);
	ckpt_release(&c);
	assert_int_equal(rename(away, b), 0);
	char *rm = xasprintf("rm -rf '%s/src/new file.c' %s/src/sub", root, root);
	assert_int_equal(system(rm), 0);
	free(rm);
	free(b);
	free(away);
}

static void deleted_source(void **state)
{
	(void)state;
	struct ckpt c;
	snapshot(&c, wall_ns());
	char *a = xasprintf("%s/a.c", root);
	rename(a, xasprintf("%s/a.c.away", root));
	assert_int_equal(ckpt_detect_changes(&c, root), 1);
	assert_int_equal(changed(&c, "a.c"), CH_DELETED);
	rename(xasprintf("%s/a.c.away", root), a);
	free(a);
	ckpt_release(&c);
}

/* Same size, same mtime, other content: the stat shortcut must not hide
 * it when the file was modified within a second of the save (racy), and
 * is trusted otherwise in the recorded tree. */
static void racy_stat(void **state)
{
	(void)state;
	struct ckpt c;
	put("a.c", "int a;\n");
	snapshot(&c, wall_ns());
	char *a = xasprintf("%s/a.c", root);
	struct stat st;
	stat(a, &st);
	put("a.c", "int b;\n");	/* same size */
	struct timespec ts[2] = { st.st_atim, st.st_mtim };
	utimensat(AT_FDCWD, a, ts, 0);
	assert_int_equal(ckpt_detect_changes(&c, root), 1);
	assert_int_equal(changed(&c, "a.c"), CH_CONTENT);
	/* Saved long after the mtime: the shortcut applies (that is its
	 * point); the content change is then not looked for. */
	c.created = (uint64_t)c.files[ckpt_file(&c, "a.c", 0)].mtime +
		    5000000000ull;
	struct stat now;
	stat(a, &now);
	c.files[ckpt_file(&c, "a.c", 0)].ino = (uint64_t)now.st_ino;
	assert_int_equal(ckpt_detect_changes(&c, root), 0);
	/* In another tree (a copy) the shortcut never applies. */
	free(c.root);
	c.root = xstrdup("/elsewhere");
	assert_int_equal(ckpt_detect_changes(&c, root), 1);
	put("a.c", "int a;\n");
	free(a);
	ckpt_release(&c);
}

/* A listing is not read again in the recorded tree when the directory's
 * stat data (its mtime changes with its entries) are those of the save,
 * saved more than a second later; any new entry changes the mtime and so
 * is found; in another tree the listing is always read. */
static void listing_stat_shortcut(void **state)
{
	(void)state;
	struct ckpt c;
	snapshot(&c, wall_ns());
	int l = ckpt_file(&c, "src", 0);
	char *src = xasprintf("%s/src", root);
	struct stat st;
	assert_int_equal(stat(src, &st), 0);
	file_set_stat(&c.files[l], &st);
	c.created = (uint64_t)c.files[l].mtime + 5000000000ull;
	assert_int_equal(ckpt_detect_changes(&c, root), 0);
	/* A new entry, with the directory's mtime put back as it was:
	 * only the stat data are looked at. */
	put("src/new.c", "\n");
	struct timespec ts[2] = { st.st_atim, st.st_mtim };
	assert_int_equal(utimensat(AT_FDCWD, src, ts, 0), 0);
	assert_int_equal(ckpt_detect_changes(&c, root), 0);
	free(c.root);
	c.root = xstrdup("/elsewhere");
	assert_int_equal(ckpt_detect_changes(&c, root), 1);
	assert_int_equal(changed(&c, "src"), CH_LISTING);
	free(c.root);
	c.root = xstrdup(root);
	/* As entries come and go, the mtime moves on: found. */
	char *n = xasprintf("%s/src/new.c", root);
	unlink(n);
	put("src/other.c", "\n");
	assert_int_equal(ckpt_detect_changes(&c, root), 1);
	assert_int_equal(changed(&c, "src"), CH_LISTING);
	/* Modified within a second of the save: read again. */
	assert_int_equal(stat(src, &st), 0);
	file_set_stat(&c.files[l], &st);
	c.created = (uint64_t)c.files[l].mtime + 500000000ull;
	assert_int_equal(ckpt_detect_changes(&c, root), 1);
	free(n);
	n = xasprintf("%s/src/other.c", root);
	unlink(n);
	free(n);
	free(src);
	ckpt_release(&c);
}

/* An external input (outside the root): a content change with a new
 * mtime is found; a file whose existence only was used (X) is changed
 * when it is gone, not when its content changes. */
static void external_and_exists(void **state)
{
	(void)state;
	struct ckpt c;
	snapshot(&c, wall_ns());
	char *ext = xasprintf("%s-ext.h", root);
	FILE *f = fopen(ext, "w");
	fputs("#define X 1\n", f);
	fclose(f);
	int e = ckpt_file(&c, ext, 1);
	c.files[e].role = ROLE_EXTERNAL;
	struct stat st;
	assert_int_equal(stat(ext, &st), 0);
	file_set_stat(&c.files[e], &st);
	assert_int_equal(hash_file(ext, &c.files[e].hash), 0);
	put("there", "x");
	int x = ckpt_file(&c, "there", 1);
	c.files[x].role = ROLE_EXISTS;
	assert_int_equal(ckpt_detect_changes(&c, root), 0);
	f = fopen(ext, "w");
	fputs("#define X 22\n", f);
	fclose(f);
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { st.st_mtim.tv_sec + 10, 0 } };
	utimensat(AT_FDCWD, ext, ts, 0);
	put("there", "other content");
	assert_int_equal(ckpt_detect_changes(&c, root), 1);
	assert_int_equal(c.files[e].changed, CH_CONTENT);
	assert_int_equal(c.files[x].changed, CH_NONE);
	char *t = xasprintf("%s/there", root);
	unlink(t);
	assert_int_equal(ckpt_detect_changes(&c, root), 2);
	assert_int_equal(c.files[x].changed, CH_DELETED);
	unlink(ext);
	free(ext);
	free(t);
	ckpt_release(&c);
}

/* In a copy of the tree (another root), every mtime is 1 (Nix): nothing
 * changed is found as long as the content is the same, and a one-byte
 * edit is. */
static void copy_with_mtime_one(void **state)
{
	(void)state;
	struct ckpt c;
	snapshot(&c, wall_ns());
	free(c.root);
	c.root = xstrdup("/somewhere/else");
	char *a = xasprintf("%s/a.c", root);
	struct timespec one[2] = { { 1, 0 }, { 1, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, a, one, 0), 0);
	assert_int_equal(ckpt_detect_changes(&c, root), 0);
	put("a.c", "int A;\n");	/* same size */
	assert_int_equal(utimensat(AT_FDCWD, a, one, 0), 0);
	assert_int_equal(ckpt_detect_changes(&c, root), 1);
	assert_int_equal(changed(&c, "a.c"), CH_CONTENT);
	put("a.c", "int a;\n");
	free(a);
	ckpt_release(&c);
}

/* Enough files for the check to run in threads, in 150 directories,
 * numbered so that consecutive files are in different directories (the
 * threads' directory caches evict all the time): exactly the files that
 * changed are found, as the whole-path stat found them. */
enum { NDIR = 150, PERDIR = 20 };

static char *many(int d, int k)
{
	return xasprintf("many/d%03d/f%02d.c", d, k);
}

static void many_directories(void **state)
{
	(void)state;
	make_dir("many");
	char *p;
	for (int d = 0; d < NDIR; d++) {
		p = xasprintf("many/d%03d", d);
		make_dir(p);
		free(p);
		for (int k = 0; k < PERDIR; k++) {
			char *rel = many(d, k);
			put(rel, rel);
			free(rel);
		}
	}
	struct ckpt c;
	ckpt_init(&c, root);
	for (int k = 0; k < PERDIR; k++)
		for (int d = 0; d < NDIR; d++) {
			char *rel = many(d, k);
			int id = ckpt_file(&c, rel, 1);	/* may move files */
			struct file *f = &c.files[id];
			f->role = ROLE_SOURCE;
			char *abs = file_abs(&c, f, root);
			struct stat st;
			assert_int_equal(stat(abs, &st), 0);
			file_set_stat(f, &st);
			assert_int_equal(hash_file(abs, &f->hash), 0);
			free(abs);
			free(rel);
		}
	/* Looked for and missing: in a directory that exists, and in one
	 * that does not (yet). */
	for (int d = 0; d < NDIR; d += 10) {
		p = xasprintf("many/d%03d/absent.h", d);
		int id = ckpt_file(&c, p, 1);
		c.files[id].role = ROLE_ABSENT;
		free(p);
		p = xasprintf("many/none%03d/x.h", d);
		id = ckpt_file(&c, p, 1);
		c.files[id].role = ROLE_ABSENT;
		free(p);
	}
	assert_true(c.nfiles > 8 * 128);	/* threads */
	c.created = wall_ns() + 5000000000ull;	/* stat data trusted */
	assert_int_equal(ckpt_detect_changes(&c, root), 0);

	put("many/d007/f03.c", "longer content than before");
	put("many/d149/f19.c", "longer content than before");
	p = xasprintf("%s/many/d080/f10.c", root);
	assert_int_equal(unlink(p), 0);
	free(p);
	put("many/d020/absent.h", "");
	make_dir("many/none030");
	put("many/none030/x.h", "");
	make_dir("many/none040");
	put("many/none040/x.h.not", "");	/* not the name looked for */
	assert_int_equal(ckpt_detect_changes(&c, root), 5);
	assert_int_equal(changed(&c, "many/d007/f03.c"), CH_CONTENT);
	assert_int_equal(changed(&c, "many/d149/f19.c"), CH_CONTENT);
	assert_int_equal(changed(&c, "many/d080/f10.c"), CH_DELETED);
	assert_int_equal(changed(&c, "many/d020/absent.h"), CH_ADDED);
	assert_int_equal(changed(&c, "many/none030/x.h"), CH_ADDED);
	assert_int_equal(changed(&c, "many/none040/x.h"), CH_NONE);
	ckpt_release(&c);
	p = xasprintf("rm -rf %s/many", root);
	assert_int_equal(system(p), 0);
	free(p);
}

/* Paths looked up and missing, many to a directory (a compiler probing
 * -I directories): those directories are read once instead of each path
 * stat'ed. What appears is found whatever its kind (file, dangling
 * symlink, directory); a directory that did not exist and now does; a
 * directory far larger than the probes in it (read, then given up); and
 * an absolute path outside the root, as a system -I directory is. */
static void absent_by_listing(void **state)
{
	(void)state;
	const char *dirs[] = { "probe", "gone", "crowded", "ext" };
	char *p;
	for (int i = 0; i < 4; i++)
		if (i != 1)
			make_dir(dirs[i]);
	for (int k = 0; k < 2000; k++) {	/* 2000 > 20 probes x 32 */
		p = xasprintf("crowded/other%04d", k);
		put(p, "");
		free(p);
	}
	struct ckpt c;
	ckpt_init(&c, root);
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 20; k++) {
			p = i == 3 ? xasprintf("%s/ext/h%02d.h", root, k)
				   : xasprintf("%s/h%02d.h", dirs[i], k);
			int id = ckpt_file(&c, p, 1);	/* may move files */
			c.files[id].role = ROLE_ABSENT;
			free(p);
		}
	assert_int_equal(ckpt_detect_changes(&c, root), 0);

	put("probe/h07.h", "");
	p = xasprintf("%s/probe/h08.h", root);
	assert_int_equal(symlink("nowhere", p), 0);	/* dangling */
	free(p);
	make_dir("probe/h09.h");
	put("probe/h10.h.orig", "");	/* not a name looked for */
	make_dir("gone");
	put("gone/h03.h", "");
	put("crowded/h05.h", "");
	put("ext/h19.h", "");
	assert_int_equal(ckpt_detect_changes(&c, root), 6);
	assert_int_equal(changed(&c, "probe/h07.h"), CH_ADDED);
	assert_int_equal(changed(&c, "probe/h08.h"), CH_ADDED);
	assert_int_equal(changed(&c, "probe/h09.h"), CH_ADDED);
	assert_int_equal(changed(&c, "probe/h10.h"), CH_NONE);
	assert_int_equal(changed(&c, "gone/h03.h"), CH_ADDED);
	assert_int_equal(changed(&c, "gone/h04.h"), CH_NONE);
	assert_int_equal(changed(&c, "crowded/h05.h"), CH_ADDED);
	p = xasprintf("%s/ext/h19.h", root);
	assert_int_equal(changed(&c, p), CH_ADDED);
	free(p);
	ckpt_release(&c);
	for (int i = 0; i < 4; i++) {
		p = xasprintf("rm -rf %s/%s", root, dirs[i]);
		assert_int_equal(system(p), 0);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unchanged_tree),
		cmocka_unit_test(content_absent_listing),
		cmocka_unit_test(listing_ignores_outputs),
		cmocka_unit_test(listing_names),
		cmocka_unit_test(deleted_source),
		cmocka_unit_test(racy_stat),
		cmocka_unit_test(listing_stat_shortcut),
		cmocka_unit_test(external_and_exists),
		cmocka_unit_test(copy_with_mtime_one),
		cmocka_unit_test(many_directories),
		cmocka_unit_test(absent_by_listing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
