/* Files made atomically (fsio.c), the three ways: a temporary name renamed
 * over the path, an unnamed file linked in, and at the path itself in a
 * directory nobody sees yet. Each commits exactly the content, mode and
 * mtime asked for; each abort leaves the directory as it was. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ckpt.h"
#include "fsio.h"

static char dir[] = "/tmp/ckpt-test-fsio.XXXXXX";

static const enum make_how hows[] = { MAKE_REPLACE, MAKE_NEW, MAKE_FRESH };

/* The names in dir, sorted, one per line. */
static char *listing(void)
{
	struct dirent **e;
	int n = scandir(dir, &e, NULL, alphasort);
	assert_true(n >= 2);
	char *s = xstrdup("");
	for (int i = 0; i < n; i++) {
		if (strcmp(e[i]->d_name, ".") && strcmp(e[i]->d_name, "..")) {
			char *t = xasprintf("%s%s\n", s, e[i]->d_name);
			free(s);
			s = t;
		}
		free(e[i]);
	}
	free(e);
	return s;
}

static char *content(const char *path)
{
	char *b = xmalloc(4096);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = read(fd, b, 4095);
	close(fd);
	assert_true(n >= 0);
	b[n] = 0;
	return b;
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void commit_makes_exactly_the_file(void **state)
{
	(void)state;
	char *path = xasprintf("%s/out", dir);
	const int64_t when = 1600000000LL * 1000000000 + 987654321;
	for (size_t k = 0; k < sizeof hows / sizeof *hows; k++) {
		struct atomic_file a;
		assert_int_equal(atomic_begin(&a, path, 0750, hows[k]), 0);
		assert_int_equal(write_all(a.fd, "made\n", 5), 0);
		assert_int_equal(atomic_commit_mtime(&a, 0750, when), 0);
		char *c = content(path), *l = listing();
		assert_string_equal(c, "made\n");
		assert_string_equal(l, "out\n");	/* nothing else */
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0750);
		assert_int_equal(st.st_mtim.tv_sec, 1600000000);
		assert_int_equal(st.st_mtim.tv_nsec, 987654321);
		free(c);
		free(l);
		unlink(path);
	}
	free(path);
}

static void abort_leaves_nothing(void **state)
{
	(void)state;
	char *path = xasprintf("%s/out", dir);
	for (size_t k = 0; k < sizeof hows / sizeof *hows; k++) {
		struct atomic_file a;
		assert_int_equal(atomic_begin(&a, path, 0644, hows[k]), 0);
		assert_int_equal(write_all(a.fd, "half", 4), 0);
		errno = ENOSPC;
		atomic_abort(&a);
		assert_int_equal(errno, ENOSPC);	/* kept */
		char *l = listing();
		assert_string_equal(l, "");
		free(l);
	}
	free(path);
}

/* Over a file that is there: only MAKE_REPLACE replaces it; the others
 * fail with EEXIST (MAKE_NEW when it links) and leave it as it was. */
static void existing_file(void **state)
{
	(void)state;
	char *path = xasprintf("%s/out", dir);
	for (size_t k = 0; k < sizeof hows / sizeof *hows; k++) {
		put(path, "old\n");
		struct atomic_file a;
		int rc = atomic_begin(&a, path, 0644, hows[k]);
		if (hows[k] == MAKE_FRESH) {
			assert_int_equal(rc, -1);
			assert_int_equal(errno, EEXIST);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(write_all(a.fd, "new\n", 4), 0);
			rc = atomic_commit_mtime(&a, 0644, 0);
			if (hows[k] == MAKE_REPLACE) {
				assert_int_equal(rc, 0);
			} else {
				assert_int_equal(rc, -1);
				assert_int_equal(errno, EEXIST);
			}
		}
		char *c = content(path), *l = listing();
		assert_string_equal(c, hows[k] == MAKE_REPLACE ? "new\n" : "old\n");
		assert_string_equal(l, "out\n");
		free(c);
		free(l);
		unlink(path);
	}
	free(path);
}

/* A directory that is not there: ENOENT, and nothing made. */
static void missing_directory(void **state)
{
	(void)state;
	char *path = xasprintf("%s/no/out", dir);
	for (size_t k = 0; k < sizeof hows / sizeof *hows; k++) {
		struct atomic_file a;
		assert_int_equal(atomic_begin(&a, path, 0644, hows[k]), -1);
		assert_int_equal(errno, ENOENT);
		char *l = listing();
		assert_string_equal(l, "");
		free(l);
	}
	free(path);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commit_makes_exactly_the_file),
		cmocka_unit_test(abort_leaves_nothing),
		cmocka_unit_test(existing_file),
		cmocka_unit_test(missing_directory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
