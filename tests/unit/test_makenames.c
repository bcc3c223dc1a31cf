/* makenames.c: the globs and rules read from a makefile's text, and which
 * names added to a directory make listed they take. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ckpt.h"
#include "makenames.h"

static struct make_rules scan(const char *text)
{
	struct make_rules r;
	memset(&r, 0, sizeof r);
	makefile_scan(text, strlen(text), &r);
	return r;
}

static int has_glob(const struct make_rules *r, const char *g)
{
	for (size_t i = 0; i < r->nglobs; i++)
		if (!strcmp(r->globs[i], g))
			return 1;
	return 0;
}

static int has_rule(const struct make_rules *r, const char *t, const char *p)
{
	for (size_t i = 0; i < r->nrules; i++)
		if (!strcmp(r->rules[i].prereq, p) &&
		    (t ? r->rules[i].target && !strcmp(r->rules[i].target, t)
		       : !r->rules[i].target))
			return 1;
	return 0;
}

/* Known names: a space-separated list in arg. */
static int known(void *arg, const char *name)
{
	const char *list = arg;
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p++)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static int uses(const struct make_rules *r, const char *name, int added,
		const char *names)
{
	struct make_rules *set = (struct make_rules *)r;
	return make_rules_use(&set, 1, name, added, known, (void *)names);
}

static void globs(void **state)
{
	(void)state;
	struct make_rules r = scan(
		"SRCS := $(wildcard $(srcdir)/src/*.c) \\\n"
		"\t$(wildcard lib/[a-z]*.S)\n"
		"PAT = *.in # a comment *.txt\n"
		"SRC_GLOBS := $(PAT) $(OTHER)\n"
		"OTHER += lib/*.y\n"
		"prohibit = \\bfree *\\( [0-9]*\n"
		"src_files := $(wildcard $(SRC_GLOBS))\n"
		"-include $(DEPDIR)/*.d\n"
		"X ?= 1\n"
		"check:\n"
		"\trm -f *.o; for f in *.orig; do :; done\n"
		"\t@echo $(wildcard doc/*.md) $$x $? $*\n"
		"ifeq ($(shell [ -d x ] && echo y),y)\nendif\n"
		"all: $(wildcard *.$(EXT))\n"
		"cmd_objs = for f in $^; do case $${f} in \\\n"
		"\t*.a) ;; *) echo $$f ;; esac; done\n"
		"FILES := $(shell find . -name '*.h') $(wildcard *.y)\n"
		"ifeq ($(shell test -d x; echo $$?),0)\nendif\n"
		"define help\n  echo '* all - build' $(wildcard *.l)\n"
		"  echo *.tex\nendef\n"
		"x: y ; cp *.sh x\n"
		"GEN = gen_*\nRULE_ONLY = rule_*\nprog: $(RULE_ONLY)\n");
	assert_true(has_glob(&r, "*.c"));
	assert_true(has_glob(&r, "[a-z]*.S"));
	assert_false(has_glob(&r, "*.in"));	/* a variable's: */
	assert_true(uses(&r, "x.in", 1, ""));	/* used by $(wildcard) */
	assert_true(uses(&r, "x.y", 0, ""));	/* through another */
	/* make globs a rule's prerequisites: through a variable too */
	assert_true(uses(&r, "rule_x", 1, ""));
	assert_false(uses(&r, "gen_x", 1, ""));	/* expanded nowhere */
	assert_false(uses(&r, "freely", 1, ""));	/* a regex: not */
	assert_false(uses(&r, "42", 1, ""));
	assert_true(has_glob(&r, "*.d"));
	assert_true(has_glob(&r, "*.md"));	/* make's, in a recipe */
	assert_true(has_glob(&r, "*.*"));	/* a variable: any text */
	assert_false(has_glob(&r, "*.txt"));	/* a comment */
	assert_false(has_glob(&r, "*.o"));	/* the shell's */
	assert_false(has_glob(&r, "*.orig"));
	assert_false(has_glob(&r, "?"));	/* ?= */
	assert_false(has_glob(&r, "["));	/* test */
	assert_true(has_glob(&r, "*.y"));	/* beside the shell's */
	assert_true(has_glob(&r, "*.l"));	/* in a define */
	assert_false(has_glob(&r, "*"));	/* shell code in a variable */
	assert_false(has_glob(&r, "*.a"));
	assert_false(has_glob(&r, "*.h"));	/* $(shell) */
	assert_false(has_glob(&r, "*.tex"));	/* a define's shell */
	assert_false(has_glob(&r, "*.sh"));	/* a recipe after ';' */
	assert_int_equal(r.nglobs, 7);
	assert_true(uses(&r, "new.c", 1, ""));
	assert_true(uses(&r, "gone.in", 0, ""));
	assert_false(uses(&r, "README", 1, ""));
	assert_false(uses(&r, ".x.c", 1, ""));	/* * does not take a dot */
	make_rules_release(&r);
}

static void rules(void **state)
{
	(void)state;
	struct make_rules r = scan(
		"$(obj)/%.o: $(src)/%.c $(recordmcount) FORCE\n"
		"%.tab.c %.tab.h: %.y | dir\n"
		"gen_%.c:: %.def ; ./gen $< > $@\n"
		"$(OBJS): %.o: %.cpp\n"
		"%.o: CFLAGS += -O2\n"
		"X := a:%.b\n"
		".c.lo:\n\t$(LTCOMPILE) $<\n"
		".sh:\n"
		".PHONY: all\n.SUFFIXES:\n.SUFFIXES: .c .lo\n"
		"\tprintf '%s: %s\\n' a b\n");
	assert_true(has_rule(&r, "%.o", "%.c"));
	assert_true(has_rule(&r, "%.tab.c", "%.y"));
	assert_true(has_rule(&r, "%.tab.h", "%.y"));
	assert_true(has_rule(&r, "gen_%.c", "%.def"));
	assert_false(has_rule(&r, "%.o", "%.cpp"));	/* static pattern */
	assert_true(has_rule(&r, "%.lo", "%.c"));	/* suffix rules */
	assert_true(has_rule(&r, "%", "%.sh"));
	assert_int_equal(r.nrules, 6);
	assert_int_equal(r.nglobs, 0);
	/* .SUFFIXES cleared, then named; no -r. */
	assert_true(r.suffixes_cleared);
	assert_int_equal(r.nsuffixes, 2);
	assert_string_equal(r.suffixes[0], ".c");
	assert_string_equal(r.suffixes[1], ".lo");
	assert_false(r.no_builtin);
	/* An added name is taken if it is a prerequisite of a known name,
	 * directly, through a chain, or if it is a known name itself. */
	assert_true(uses(&r, "parse.y", 1, "x.o parse.tab.c"));
	assert_true(uses(&r, "tab.def", 1, "gen_tab.c"));
	assert_false(uses(&r, "tab.def", 1, "tab.c"));
	assert_true(uses(&r, "io.c", 1, "io.lo"));
	assert_false(uses(&r, "io.c", 1, "main.lo"));
	assert_true(uses(&r, "a.c", 1, "a.c"));
	assert_false(uses(&r, "parse.y", 0, "x.o parse.tab.c"));
	make_rules_release(&r);

	/* A variable in a prerequisite's last component: a glob, any name
	 * it matches is taken. */
	struct make_rules g = scan("%.x: %.$(EXT)\n");
	assert_true(has_rule(&g, NULL, "*.*"));
	assert_true(uses(&g, "any.thing", 1, ""));
	assert_false(uses(&g, "README", 1, ""));
	make_rules_release(&g);

	/* A stem in a directory: it names the directory (kbuild's
	 * `$(obj)/%/built-in.a: $(obj)/%`); none in the prerequisite's
	 * last component: any name equal to it. */
	struct make_rules d = scan("$(obj)/%/built-in.a: $(obj)/%\n"
				   "%.o: %/x.c\n");
	assert_true(has_rule(&d, "%", "%"));
	assert_true(has_rule(&d, NULL, "x.c"));
	assert_false(uses(&d, "README", 1, "built-in.a"));
	assert_true(uses(&d, "kernel", 1, "built-in.a kernel"));
	assert_true(uses(&d, "x.c", 1, ""));
	make_rules_release(&d);

	/* kbuild's flags: no built-in rules, here or in any sub-make. */
	struct make_rules k = scan("MAKEFLAGS += -rR --no-print-directory\n");
	assert_true(k.no_builtin);
	make_rules_release(&k);
	k = scan("MAKEFLAGS += --no-builtin-rules\n");
	assert_true(k.no_builtin);
	make_rules_release(&k);
	k = scan("MAKEFLAGS += -Orecurse -I/usr/src -kj2\n");
	assert_false(k.no_builtin);	/* arguments, not -r */
	make_rules_release(&k);
	k = scan("MAKEFLAGS += -kr\n");
	assert_true(k.no_builtin);
	make_rules_release(&k);
	k = scan("MAKEFLAGS += --no-print-directory -j2\n.SUFFIXES: .x\n");
	assert_false(k.no_builtin);
	assert_false(k.suffixes_cleared);
	make_rules_release(&k);

	struct make_rules c = scan("%.o: %.c\n%.c: %.y\nprog: a.o\n");
	assert_true(uses(&c, "a.y", 1, "a.o"));	/* a.y -> a.c -> a.o */
	assert_false(uses(&c, "b.y", 1, "a.o"));
	assert_false(uses(&c, "NOTES", 1, "a.o"));
	make_rules_release(&c);
}

/* A makefile that could not be read: every name matters. */
static void unknown(void **state)
{
	(void)state;
	struct make_rules r;
	memset(&r, 0, sizeof r);
	r.unknown = 1;
	assert_true(uses(&r, "README", 1, ""));
	assert_true(uses(&r, "README", 0, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(globs),
		cmocka_unit_test(rules),
		cmocka_unit_test(unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
