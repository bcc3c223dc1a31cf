/*
 * makenames.h - which names added to or removed from a directory that a
 * make listed could change what that make does (makenames.c).
 */
#ifndef CKPT_MAKENAMES_H
#define CKPT_MAKENAMES_H

#include <stddef.h>

#include "model.h"

/* A pattern rule as far as names go: the last components of a target
 * and of one prerequisite, '%' the stem (`$(obj)/%.o: $(src)/%.c` is
 * "%.o" from "%.c"). A prerequisite with a variable or a glob in its
 * last component (`%.$(EXT)`) is kept as a glob, target NULL: any name
 * it matches is taken to matter. */
struct name_rule {
	char *target, *prereq;
	int glob;		/* prereq is a glob */
};

/* A variable assigned globs or other variables (`PAT = *.c`,
 * `SRCS = $(PAT) $(MORE)`): they count if a $(wildcard) or an include
 * expands it, directly or through other variables. */
struct var_globs {
	char *name;
	char **globs, **refs;
	size_t nglobs, aglobs, nrefs, arefs;
};

/* What one makefile says about names. */
struct make_rules {
	char **globs;		/* fnmatch patterns, last components */
	size_t nglobs, aglobs;
	struct name_rule *rules;
	size_t nrules, arules;
	struct var_globs *vars;
	size_t nvars, avars;
	char **wild_refs;	/* variables a $(wildcard), an include
				   or a rule line expands */
	size_t nwild_refs, awild_refs;
	char **suffixes;	/* what `.SUFFIXES: .c .o` adds */
	size_t nsuffixes, asuffixes;
	int suffixes_cleared;	/* `.SUFFIXES:` alone (automake's) */
	int no_builtin;		/* MAKEFLAGS += -r (kbuild's -rR) */
	int unknown;		/* it could not be read: every name matters */
};

/* Collect the globs (in $(wildcard), includes and rule lines), the
 * variables assigned globs, and the pattern and suffix rules of a
 * makefile's text. */
void makefile_scan(const char *text, size_t len, struct make_rules *r);
void make_rules_release(struct make_rules *r);

/* Would `name` (a last component, no '/'), added to a directory a make
 * with these rule sets listed (removed from it, if !added), change what
 * that make does? It would if it matches a glob, or, added, if it is a
 * name the build knew (known(arg, name): a file of that last component)
 * or a prerequisite of one by the rules, through a chain of them. */
int make_rules_use(struct make_rules *const *sets, size_t nsets,
		   const char *name, int added,
		   int (*known)(void *arg, const char *name), void *arg);

/* The check of a tree against a checkpoint (c->check_root, c->dir):
 * does the change of the listing of file `fi` matter to make job j?
 * Created on first use, with the file ids the makefiles and the names
 * it has read cached. */
struct make_names;
int make_listing_matters(struct make_names **mn, const struct ckpt *c,
			 int j, int fi);
void make_names_free(struct make_names *mn);

/* While a trace becomes a checkpoint, once the deps are classified: a
 * make's looked-at files that its makefiles are remade from are read
 * (FILE_MAKE_PREREQ; makenames.c says why). */
void make_remake_inputs(struct ckpt *c);

#endif
