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
#include "model.h"

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
		/* the bytes escaping leaves alone come first, unchanged */
		size_t plain = path_plain_len(cases[i]);
		assert_memory_equal(e, cases[i], plain);
		assert_int_equal(strcmp(e, cases[i]) == 0,
				 cases[i][plain] == 0);
		assert_int_equal(path_unescape(e), 0);
		assert_string_equal(e, cases[i]);
		free(e);
	}
	assert_int_equal(path_plain_len("a/b c"), 3);
	assert_int_equal(path_plain_len("a/b.c"), 5);
	assert_int_equal(path_plain_len("50%"), 2);
	assert_int_equal(path_plain_len("\x7f"), 0);
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

/* More of path_stays_inside: the empty path, a symlink to a directory
 * inside the root (still a symlink on the way: refused), a dangling one,
 * a symlink as the last component (the output itself: replaced, fine),
 * deep paths under a good directory, and non-safe forms. */
static void stays_inside_more(void **state)
{
	(void)state;
	char root[] = "/tmp/ckpt-unit-XXXXXX";
	assert_non_null(mkdtemp(root));
	char *cmd = xasprintf("cd %s && mkdir -p d/e/f && ln -s d in && "
			      "ln -s nowhere dangling && ln -s /etc d/e/out && "
			      "touch d/e/file", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_false(path_stays_inside(root, ""));
	assert_false(path_stays_inside(root, "in/x"));
	assert_false(path_stays_inside(root, "dangling/x"));
	assert_false(path_stays_inside(root, "d/e/out/passwd"));
	assert_false(path_stays_inside(root, "d/e/file/x"));
	assert_false(path_stays_inside(root, "d/e/f/../../../x"));
	assert_false(path_stays_inside(root, "d/./e/x"));
	assert_false(path_stays_inside(root, "d//x"));
	assert_true(path_stays_inside(root, "d/e/f/x.o"));
	assert_true(path_stays_inside(root, "d/e/out"));
	assert_true(path_stays_inside(root, "dangling"));
	assert_true(path_stays_inside(root, "d/e/f/new/newer/x"));
	/* path_mkdirs_for makes the directories above, not the leaf. */
	assert_int_equal(path_mkdirs_for(root, "g/h/leaf"), 0);
	char *p = xasprintf("%s/g/h", root);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	free(p);
	p = xasprintf("%s/g/h/leaf", root);
	assert_int_not_equal(lstat(p, &st), 0);
	free(p);
	cmd = xasprintf("rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void normalize_more(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "/", "/" },		{ "//", "/" },
		{ "/..", "/" },		{ "/../..", "/" },
		{ "/a/./b/./", "/a/b" },	{ "/a/b/../../c", "/c" },
		{ "/a/b/../../../c", "/c" },	{ "/a/..b/c", "/a/..b/c" },
		{ "/a/.../c", "/a/.../c" },	{ "/.hidden/./x", "/.hidden/x" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *p = xstrdup(cases[i][0]);
		path_normalize(p);
		assert_string_equal(p, cases[i][1]);
		free(p);
	}
	char rel[] = "a/../b";	/* relative: left alone */
	path_normalize(rel);
	assert_string_equal(rel, "a/../b");
	assert_true(path_is_safe_relative("..b/c"));
	assert_true(path_is_safe_relative("a/..."));
	assert_false(path_is_safe_relative(".."));
	assert_false(path_is_safe_relative("."));
	assert_false(path_is_safe_relative(NULL));
}

/* Every byte value 1..255 survives escape/unescape, and the escaped form
 * is one token (no byte <= ' ', no DEL). */
static void escape_every_byte(void **state)
{
	(void)state;
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = 0;
	char *e = path_escape(all);
	for (const unsigned char *q = (const void *)e; *q; q++)
		assert_true(*q > ' ' && *q != 0x7f);
	assert_int_equal(path_unescape(e), 0);
	assert_memory_equal(e, all, 256);
	free(e);
	char empty[] = "";
	e = path_escape(empty);
	assert_string_equal(e, "");
	free(e);
	char lower[] = "%2f%7E";
	assert_int_equal(path_unescape(lower), 0);
	assert_string_equal(lower, "/~");
	char trunc1[] = "abc%", trunc2[] = "%g0";
	assert_int_equal(path_unescape(trunc1), -1);
	assert_int_equal(path_unescape(trunc2), -1);
}

/* Paths and commands for people: a control character cannot start a
 * line of our output; what has none is shown as it is. */
static void shown(void **state)
{
	(void)state;
	const char *plain = "src/a b.c";
	assert_ptr_equal(path_shown(plain), plain);
	assert_string_equal(path_shown("we\nird"), "$'we\\nird'");
	assert_string_equal(path_shown("a\tb\\c'd"), "$'a\\tb\\\\c\\'d'");
	assert_string_equal(path_shown("\033[2J\177"), "$'\\x1b[2J\\x7f'");
	assert_string_equal(path_shown("\x01"), "$'\\x01'");
	/* Non-ASCII bytes (UTF-8) are not control characters. */
	assert_string_equal(path_shown("caf\xc3\xa9"), "caf\xc3\xa9");
	/* Four buffers in turn: four at once stay apart. */
	const char *a = path_shown("1\n"), *b = path_shown("2\n"),
		   *c = path_shown("3\n"), *d = path_shown("4\n");
	assert_string_equal(a, "$'1\\n'");
	assert_string_equal(d, "$'4\\n'");
	assert_string_equal(b, "$'2\\n'");
	assert_string_equal(c, "$'3\\n'");
	/* A command: words with a control character in the same quoting,
	 * from the stored escaped words. */
	char *w = path_escape("x y");
	char *cmd = xasprintf("cat %s", w);
	assert_string_equal(cmd_display(cmd), "cat 'x y'");
	free(cmd);
	free(w);
	w = path_escape("a\nb");
	cmd = xasprintf("cat %s", w);
	assert_string_equal(cmd_display(cmd), "cat $'a\\nb'");
	free(cmd);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(safe_relative),
		cmocka_unit_test(normalize),
		cmocka_unit_test(under),
		cmocka_unit_test(escape_round_trip),
		cmocka_unit_test(stays_inside),
		cmocka_unit_test(stays_inside_more),
		cmocka_unit_test(normalize_more),
		cmocka_unit_test(escape_every_byte),
		cmocka_unit_test(shown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
