/*
 * cmd_compdb.c - `ckpt compdb`: compile_commands.json from the programs
 * the recorded build ran, for clangd and clang-tidy (what Bear is
 * installed for). One entry per compiler-driver invocation with -c and a
 * source file; the compiler's own helpers (cc1, as, collect2) and
 * wrappers (ccache, distcc) are not entries themselves.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "cmd.h"
#include "fsio.h"
#include "manifest.h"
#include "model.h"

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* gcc, cc, g++, c++, clang, clang++, with a cross prefix or a version
 * suffix: x86_64-linux-gnu-gcc-12, clang-14. */
static int is_compiler(const char *argv0)
{
	static const char *const names[] = { "gcc", "cc", "g++", "c++",
					     "clang", "clang++" };
	const char *b = base_of(argv0);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *n = names[i];
		const char *hit = strstr(b, n);
		while (hit) {
			const char *end = hit + strlen(n);
			int before = hit == b || hit[-1] == '-';
			int after = !*end || (*end == '-' &&
					      strspn(end + 1, "0123456789.") ==
						      strlen(end + 1));
			if (before && after)
				return 1;
			hit = strstr(hit + 1, n);
		}
	}
	return 0;
}

static int is_wrapper(const char *argv0)
{
	const char *b = base_of(argv0);
	return !strcmp(b, "ccache") || !strcmp(b, "distcc") ||
	       !strcmp(b, "sccache");
}

static int is_source(const char *a)
{
	static const char *const ext[] = { ".c", ".cc", ".cpp", ".cxx", ".C",
					   ".S", ".s", ".m", ".c++" };
	const char *dot = strrchr(a, '.');
	if (!dot || a[0] == '-')
		return 0;
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
		if (!strcmp(dot, ext[i]))
			return 1;
	return 0;
}

struct entry {
	char *dir, *file, *output;
	char **argv;
	int argc;
};

/* Where an entry for this file and output is: one compiled twice keeps
 * its last entry, found by hash (a big build has tens of thousands). */
struct entry_at {
	size_t i;
	UT_hash_handle hh;
	char key[];			/* file, NUL, output */
};

static struct entry_at *entry_key(const struct entry *e, size_t *len)
{
	size_t f = strlen(e->file) + 1, o = strlen(e->output);
	struct entry_at *k = xmalloc(sizeof *k + f + o);
	memcpy(k->key, e->file, f);
	memcpy(k->key + f, e->output, o);
	*len = f + o;
	return k;
}

static void entry_free(struct entry *e)
{
	free(e->dir);
	free(e->file);
	free(e->output);
	for (int i = 0; i < e->argc; i++)
		free(e->argv[i]);
	free(e->argv);
}

/* Parse "cwd\tw1 w2..." (escaped words) into an entry, or return 0. */
static int parse_exec(const char *line, struct entry *e)
{
	memset(e, 0, sizeof *e);
	const char *tab = strchr(line, '\t');
	if (!tab)
		return 0;
	char *copy = xstrdup(tab + 1), *rest = copy, *w;
	char **argv = NULL;
	size_t n = 0, a = 0;
	while ((w = strsep(&rest, " "))) {
		if (path_unescape(w) < 0)
			continue;
		GROW(argv, n, a);
		argv[n++] = xstrdup(w);
	}
	free(copy);
	size_t first = 0;
	while (first < n && is_wrapper(argv[first]))
		first++;
	int compile = 0;
	const char *src = NULL, *out = NULL;
	if (first < n && is_compiler(argv[first]))
		for (size_t i = first + 1; i < n; i++) {
			if (!strcmp(argv[i], "-c"))
				compile = 1;
			else if (!strcmp(argv[i], "-o") && i + 1 < n)
				out = argv[++i];
			else if (is_source(argv[i]))
				src = argv[i];
		}
	if (compile && src) {
		e->dir = strndup(line, (size_t)(tab - line));
		e->file = src[0] == '/' ? xstrdup(src)
					: xasprintf("%s/%s", e->dir, src);
		path_normalize(e->file);
		if (out) {
			e->output = xstrdup(out);
		} else {
			const char *b = base_of(src);
			const char *dot = strrchr(b, '.');
			e->output = xasprintf("%.*s.o", (int)(dot - b), b);
		}
		e->argc = (int)(n - first);
		e->argv = xmalloc((n - first + 1) * sizeof *e->argv);
		for (size_t i = first; i < n; i++)
			e->argv[i - first] = argv[i];
		for (size_t i = 0; i < first; i++)
			free(argv[i]);
		free(argv);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	return 0;
}

int cmd_compdb(int argc, char **argv)
{
	const char *dir = ".ckpt", *out = "compile_commands.json";
	for (int i = 1; i < argc; i++) {
		int r = opt_dir(argc, argv, &i, &dir);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (i + 1 >= argc) {
				error("%s needs a file name", argv[i]);
				return EXIT_USAGE;
			}
			out = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: ckpt compdb [-d DIR] [-o FILE]\n\n"
			       "Write compile_commands.json (for clangd, "
			       "clang-tidy) from the compiler runs of\nthe "
			       "recorded build: directory, file, arguments, "
			       "output. FILE defaults to\n./compile_commands."
			       "json; - is standard output. A regular FILE is "
			       "replaced\natomically, its mode kept. One that "
			       "a shell's > would write through or\nkeep "
			       "(/dev/stdout, a FIFO, a symbolic link, a file "
			       "with other hard links or\nof another user, one "
			       "in a directory that takes no new name) is "
			       "written to,\nnot replaced.\n");
			return 0;
		} else {
			return bad_arg("compdb", argv[i]);
		}
	}
	struct ckpt c;
	if (manifest_read(&c, dir) < 0)
		return 1;
	struct entry *v = NULL;
	size_t n = 0, a = 0;
	struct entry_at *seen = NULL, *at, *tmp;
	for (size_t j = 0; j < c.njobs; j++)
		for (size_t k = 0; k < c.jobs[j].nexecs; k++) {
			struct entry e;
			if (!parse_exec(c.jobs[j].execs[k], &e))
				continue;
			size_t klen;
			struct entry_at *key = entry_key(&e, &klen);
			HASH_FIND(hh, seen, key->key, klen, at);
			if (at) {
				free(key);
				entry_free(&v[at->i]);
				v[at->i] = e;
				continue;
			}
			key->i = n;
			HASH_ADD_KEYPTR(hh, seen, key->key, klen, key);
			GROW(v, n, a);
			v[n++] = e;
		}
	HASH_ITER(hh, seen, at, tmp) {
		HASH_DEL(seen, at);
		free(at);
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fprintf(f, "[");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n  {\"directory\": ", i ? "," : "");
		json_string(f, v[i].dir);
		fprintf(f, ", \"file\": ");
		json_string(f, v[i].file);
		fprintf(f, ", \"output\": ");
		json_string(f, v[i].output);
		fprintf(f, ", \"arguments\": [");
		for (int k = 0; k < v[i].argc; k++) {
			fprintf(f, "%s", k ? ", " : "");
			json_string(f, v[i].argv[k]);
		}
		fprintf(f, "]}");
		entry_free(&v[i]);
	}
	fprintf(f, "%s]\n", n ? "\n" : "");
	fclose(f);
	free(v);
	int rc = 0;
	if (!strcmp(out, "-"))
		fwrite(buf, 1, len, stdout);
	else if (write_output(out, buf, len) < 0)
		rc = error_errno("cannot write %s", out);
	else
		fprintf(stderr, "ckpt: %zu compile commands in %s\n", n, out);
	free(buf);
	ckpt_release(&c);
	return rc ? 1 : 0;
}
