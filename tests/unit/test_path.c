/* Path safety: what restore may write, and the escaping of the manifest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ckpt.h"

static void safe_relative(void **state)
{
	(void)state;
	assert_true(path_is_safe_relative("a"));
	assert_true(path_is_safe_relative("a/b/c.o"));
	assert_true(path_is_safe_relative(".hidden/x"));
	assert_false(path_is_safe_relative(""));
	assert_false(path_is_safe_relative("/etc/passwd"));
	assert_false(path_is_safe_relative("../x"));
	assert_false(path_is_safe_relative("a/../../x"));
	assert_false(path_is_safe_relative("a/.."));
	assert_false(path_is_safe_relative("a//b"));
	assert_false(path_is_safe_relative("./a"));
}

static void normalize(void **state)
{
	(void)state;
	char a[] = "/x//y/./z/../w/", b[] = "/../a", c[] = "/a/b/..";
	path_normalize(a);
	path_normalize(b);
	path_normalize(c);
	assert_string_equal(a, "/x/y/w");
	assert_string_equal(b, "/a");
	assert_string_equal(c, "/a");
}

static void under(void **state)
{
	(void)state;
	assert_string_equal(path_under("/r/a/b", "/r"), "a/b");
	assert_string_equal(path_under("/r", "/r"), "");
	assert_null(path_under("/rr/a", "/r"));
	assert_null(path_under("/x", "/r"));
}

static void escape_round_trip(void **state)
{
	(void)state;
	const char *cases[] = { "plain", "with space", "per%cent", "tab\there",
				"new\nline", "\x7f\x01", "ünïcode" };
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *e = path_escape(cases[i]);
		assert_null(strpbrk(e, " \t\n"));
		assert_int_equal(path_unescape(e), 0);
		assert_string_equal(e, cases[i]);
		free(e);
	}
	char bad[] = "a%0";
	assert_int_equal(path_unescape(bad), -1);
	char nul[] = "a%00b";
	assert_int_equal(path_unescape(nul), -1);
}

/* Through a symlink or a file on the way: refused. */
static void stays_inside(void **state)
{
	(void)state;
	char root[] = "/tmp/ckpt-unit-XXXXXX";
	assert_non_null(mkdtemp(root));
	char *p = xasprintf("%s/dir", root);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = xasprintf("%s/link", root);
	assert_int_equal(symlink("/tmp", p), 0);
	free(p);
	p = xasprintf("%s/file", root);
	fclose(fopen(p, "w"));
	free(p);
	assert_true(path_stays_inside(root, "dir/x.o"));
	assert_true(path_stays_inside(root, "new/deeper/x.o"));
	assert_true(path_stays_inside(root, "link"));	/* the link itself */
	assert_false(path_stays_inside(root, "link/x.o"));
	assert_false(path_stays_inside(root, "file/x.o"));
	assert_false(path_stays_inside(root, "../x.o"));
	assert_false(path_stays_inside(root, "/tmp/x.o"));
	char *cmd = xasprintf("rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(safe_relative),
		cmocka_unit_test(normalize),
		cmocka_unit_test(under),
		cmocka_unit_test(escape_round_trip),
		cmocka_unit_test(stays_inside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
