/* The manifest: a round trip keeps every field; any damage (a flipped
 * byte anywhere, a cut at any length) is refused; a manifest whose checksum
 * is right but whose content is not (crafted by hand, or written by another
 * version) is refused with a message naming the line, and never crashes. */
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
#include <zstd.h>

#include "manifest.h"
#include "model.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ckpt-unit-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf %s", dir);
	int r = system(cmd);
	free(cmd);
	return r;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = xmalloc((size_t)n + 1);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void spill(const char *path, const char *b, size_t n)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* manifest_read with its stderr captured into *msg (malloc'd). */
static int read_quiet(struct ckpt *c, char **msg)
{
	char *log = xasprintf("%s/stderr", dir);
	fflush(stderr);
	int saved = dup(2);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
	int rc = manifest_read(c, dir);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	size_t n;
	char *m = slurp(log, &n);
	unlink(log);
	free(log);
	if (msg)
		*msg = m;
	else
		free(m);
	return rc;
}

/* A checkpoint that uses every field the manifest has. */
static void sample(struct ckpt *c)
{
	ckpt_init(c, "/the root/with%percent");
	c->created = 1795364905653730342ull;
	const struct {
		const char *path;
		int role;
	} fs[] = {
		{ "", ROLE_LISTING },	/* the root itself, written "." */
		{ "a.c", ROLE_SOURCE },
		{ "dir with space/new\nline.h", ROLE_SOURCE },
		{ "/usr/include/stdio.h", ROLE_EXTERNAL },
		{ "a.o", ROLE_OUTPUT },
		{ "obj", ROLE_OUTDIR },
		{ "link", ROLE_OUTPUT },
		{ "over/a.h", ROLE_ABSENT },
		{ "exists", ROLE_EXISTS },
		{ "/tmp/cc.s", ROLE_TEMP },
		{ "/proc/self/maps", ROLE_PSEUDO },
	};
	for (size_t i = 0; i < sizeof fs / sizeof *fs; i++) {
		int f = ckpt_file(c, fs[i].path, 1);
		assert_int_equal(f, (int)i);
		struct file *fl = &c->files[f];
		fl->role = fs[i].role;
		hash_bytes(fs[i].path, strlen(fs[i].path) + 1, &fl->hash);
		fl->size = 1000 + i;
		fl->ino = 77777 + i;
		fl->mtime = i == 1 ? 1000000000 : 1795364905000000000LL + (int64_t)i;
		fl->mode = 0100644;
	}
	c->files[3].hash = (struct hash128){ 0, 0 };	/* written "-" */
	c->files[5].mode = 040755;
	c->files[6].mode = 0120777;
	c->files[6].link = xstrdup("target with space");
	c->files[4].flags = FILE_NAMES_ROOT | FILE_DEPFILE;
	c->files[6].flags = FILE_RUNPATH_ROOT | FILE_BEFORE;
	c->files[1].flags = FILE_MAKE_PREREQ;	/* on a source */
	c->files[8].flags = FILE_APPENDED_ONLY;	/* on a file looked at */
	c->files[0].names = xstrdup("a.c dir%20with%20space/ exists");
	const char *start[] = { "HOME", "ODD NAME" };
	for (size_t k = 0; k < 2; k++) {
		GROW(c->start_env, c->nstart_env, c->astart_env);
		c->start_env[k] = (struct envvar){ .name = xstrdup(start[k]),
						   .set = 1 };
		c->start_env[k].hash.lo = 0xbeef + k;
		c->nstart_env++;
	}
	int d = ckpt_job_new(c, JOB_DRIVER, -1);
	int r = ckpt_job_new(c, JOB_RECIPE, d);
	int s = ckpt_job_new(c, JOB_SHELL, d);
	c->jobs[d].cwd = xstrdup("/the root/with%percent");
	c->jobs[d].cmd = path_escape("make");
	c->jobs[r].cwd = xstrdup("/the root/with%percent/obj");
	c->jobs[r].cmd = xstrdup("cc -c -o a.o a%20b.c");
	c->jobs[r].untraced = 2;
	c->jobs[r].untraced_path = xstrdup("/usr/bin/static tool");
	c->jobs[r].start = 5;
	c->jobs[r].end = 99;
	c->jobs[s].cwd = xstrdup("/");
	c->jobs[s].cmd = xstrdup("cat VERSION");
	for (int k = 0; k < 2; k++) {	/* as if s followed r, and d */
		GROW(c->jobs[s].prev, c->jobs[s].nprev, c->jobs[s].aprev);
		c->jobs[s].prev[c->jobs[s].nprev++] = k ? d : r;
	}
	c->jobs[s].target_look = 12345;
	static const int accs[] = { ACC_READ, ACC_STAT, ACC_ABSENT, ACC_LIST,
				    ACC_WRITE, ACC_MKDIR, ACC_DELETE };
	for (size_t k = 0; k < sizeof accs / sizeof *accs; k++) {
		struct job *j = &c->jobs[r];
		GROW(j->deps, j->ndeps, j->adeps);
		j->deps[j->ndeps++] = (struct dep){ .file = (int)k + 1,
						    .acc = accs[k] };
	}
	struct job *j = &c->jobs[r];
	GROW(j->deps, j->ndeps, j->adeps);
	j->deps[j->ndeps++] = (struct dep){ .file = 4,
					    .acc = ACC_READ | ACC_WRITE |
						   ACC_DELETE };
	job_add_string(&j->env, &j->nenv, &j->aenv, "CFLAGS", 0);
	job_add_string(&j->env, &j->nenv, &j->aenv, "ODD VAR=x y", 0);
	job_add_string(&j->net, &j->nnet, &j->anet, "connect 10.0.0.1:80", 0);
	job_add_string(&j->execs, &j->nexecs, &j->aexecs,
		       "/the root/obj\tcc -c a.c", 0);
	c->files[4].producer = r;
	c->files[5].producer = r;
	c->files[6].producer = d;
	GROW(c->hazards, c->nhazards, c->ahazards);
	c->hazards[c->nhazards++] = (struct hazard){ HAZ_WRITE_WRITE, 4, r, d };
	GROW(c->hazards, c->nhazards, c->ahazards);
	c->hazards[c->nhazards++] = (struct hazard){ HAZ_OUTSIDE, 9, r, -1 };
}

static void assert_same(const struct ckpt *a, const struct ckpt *b)
{
	assert_string_equal(a->root, b->root);
	assert_int_equal(a->created, b->created);
	assert_int_equal(a->nfiles, b->nfiles);
	for (size_t i = 0; i < a->nfiles; i++) {
		const struct file *x = &a->files[i], *y = &b->files[i];
		assert_string_equal(x->path, y->path);
		assert_int_equal(x->role, y->role);
		assert_true(hash_equal(&x->hash, &y->hash));
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->ino, y->ino);
		assert_int_equal(x->mtime, y->mtime);
		assert_int_equal(x->mode, y->mode);
		assert_int_equal(x->producer, y->producer);
		const int kept = FILE_NAMES_ROOT | FILE_RUNPATH_ROOT |
				 FILE_DEPFILE | FILE_BEFORE |
				 FILE_MAKE_PREREQ | FILE_APPENDED_ONLY;
		assert_int_equal(x->flags & kept, y->flags & kept);
		if (x->link)
			assert_string_equal(x->link, y->link);
		else
			assert_null(y->link);
		if (x->names)
			assert_string_equal(x->names, y->names);
		else
			assert_null(y->names);
		assert_int_equal(ckpt_file((struct ckpt *)b, x->path, 0),
				 (int)i);
	}
	assert_int_equal(a->njobs, b->njobs);
	for (size_t i = 0; i < a->njobs; i++) {
		const struct job *x = &a->jobs[i], *y = &b->jobs[i];
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->driver, y->driver);
		assert_int_equal(x->untraced, y->untraced);
		if (x->untraced)
			assert_string_equal(x->untraced_path, y->untraced_path);
		assert_int_equal(x->start, y->start);
		assert_int_equal(x->end, y->end);
		assert_int_equal(x->nprev, y->nprev);
		assert_int_equal(x->target_look, y->target_look);
		for (size_t k = 0; k < x->nprev; k++)
			assert_int_equal(x->prev[k], y->prev[k]);
		assert_string_equal(x->cwd, y->cwd);
		assert_string_equal(x->cmd, y->cmd);
		assert_int_equal(x->ndeps, y->ndeps);
		for (size_t k = 0; k < x->ndeps; k++) {
			assert_int_equal(x->deps[k].file, y->deps[k].file);
			assert_int_equal(x->deps[k].acc, y->deps[k].acc);
		}
		assert_int_equal(x->nenv, y->nenv);
		for (size_t k = 0; k < x->nenv; k++)
			assert_string_equal(x->env[k], y->env[k]);
		assert_int_equal(x->nnet, y->nnet);
		for (size_t k = 0; k < x->nnet; k++)
			assert_string_equal(x->net[k], y->net[k]);
		assert_int_equal(x->nexecs, y->nexecs);
		for (size_t k = 0; k < x->nexecs; k++)
			assert_string_equal(x->execs[k], y->execs[k]);
	}
	assert_int_equal(a->nstart_env, b->nstart_env);
	for (size_t i = 0; i < a->nstart_env; i++) {
		assert_string_equal(a->start_env[i].name, b->start_env[i].name);
		assert_true(hash_equal(&a->start_env[i].hash,
				       &b->start_env[i].hash));
	}
	assert_int_equal(a->nhazards, b->nhazards);
	for (size_t i = 0; i < a->nhazards; i++) {
		assert_int_equal(a->hazards[i].kind, b->hazards[i].kind);
		assert_int_equal(a->hazards[i].file, b->hazards[i].file);
		assert_int_equal(a->hazards[i].job1, b->hazards[i].job1);
		assert_int_equal(a->hazards[i].job2, b->hazards[i].job2);
	}
}

static void round_trip(void **state)
{
	(void)state;
	struct ckpt c, r, r2;
	sample(&c);
	assert_int_equal(manifest_write(&c, dir), 0);
	assert_int_equal(manifest_read(&r, dir), 0);
	assert_same(&c, &r);
	/* Written again from what was read: byte for byte the same file. */
	char *m = xasprintf("%s/manifest", dir);
	size_t n1, n2;
	char *first = slurp(m, &n1);
	assert_int_equal(manifest_write(&r, dir), 0);
	char *second = slurp(m, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(first, second, n1);
	assert_int_equal(manifest_read(&r2, dir), 0);
	assert_same(&c, &r2);
	/* No temporary file is left next to it. */
	char *cmd = xasprintf("ls -a %s | grep -q tmp", dir);
	assert_int_not_equal(system(cmd), 0);
	free(cmd);
	free(first);
	free(second);
	free(m);
	ckpt_release(&r);
	ckpt_release(&r2);
	ckpt_release(&c);
}

/* Every flipped bit, at every offset, is caught, or it is one the zstd
 * decoder does not use (a table bit that decodes the same): the text is
 * checked, not the bytes, so what was read is then exactly what was
 * written. */
static void any_flipped_byte(void **state)
{
	(void)state;
	struct ckpt c, r;
	sample(&c);
	assert_int_equal(manifest_write(&c, dir), 0);
	char *m = xasprintf("%s/manifest", dir);
	char *again = xasprintf("%s/again", dir);
	size_t n, refused = 0, tried = 0;
	char *good = slurp(m, &n);
	assert_true(n > 200);
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			good[i] ^= (char)(1 << bit);
			spill(m, good, n);
			good[i] ^= (char)(1 << bit);
			char *msg;
			tried++;
			if (read_quiet(&r, &msg) == 0) {
				mkdir(again, 0755);
				assert_int_equal(manifest_write(&r, again), 0);
				char *am = xasprintf("%s/manifest", again);
				size_t an;
				char *a = slurp(am, &an);
				if (an != n || memcmp(a, good, n))
					fail_msg("byte %zu bit %d flipped: "
						 "accepted, and read as "
						 "something else", i, bit);
				free(a);
				free(am);
				free(msg);
				ckpt_release(&r);
				continue;
			}
			refused++;
			assert_non_null(strstr(msg, "damaged"));
			free(msg);
		}
	}
	assert_true(refused * 100 >= tried * 95);
	free(again);
	spill(m, good, n);
	assert_int_equal(read_quiet(&r, NULL), 0);
	ckpt_release(&r);
	free(good);
	free(m);
	ckpt_release(&c);
}

/* Cut at any length (a crash of a writer that did not rename): refused. */
static void any_truncation(void **state)
{
	(void)state;
	struct ckpt c, r;
	sample(&c);
	assert_int_equal(manifest_write(&c, dir), 0);
	char *m = xasprintf("%s/manifest", dir);
	size_t n;
	char *good = slurp(m, &n);
	for (size_t len = 0; len < n; len++) {
		spill(m, good, len);
		char *msg;
		if (read_quiet(&r, &msg) == 0)
			fail_msg("cut to %zu of %zu bytes: accepted", len, n);
		assert_non_null(strstr(msg, "damaged"));
		free(msg);
	}
	/* Extra bytes after the end line: refused too. */
	char *more = xasprintf("%sf S - 0 0 0 0 -1 x\n", good);
	spill(m, more, strlen(more));
	assert_int_equal(read_quiet(&r, NULL), -1);
	unlink(m);
	char *msg;
	assert_int_equal(read_quiet(&r, &msg), -1);
	assert_non_null(strstr(msg, "no checkpoint"));
	free(msg);
	free(more);
	free(good);
	free(m);
	ckpt_release(&c);
}

/* Write body with a correct end line, as a hand-crafted manifest. */
static void seal(const char *body)
{
	struct hash128 h;
	hash_bytes(body, strlen(body), &h);
	char hex[HASH_HEX];
	hash_to_hex(&h, hex);
	char *all = xasprintf("%send %s\n", body, hex);
	char *m = xasprintf("%s/manifest", dir);
	spill(m, all, strlen(all));
	free(m);
	free(all);
}

#define HEAD "ckpt-manifest 1\nroot /r\ncreated 5\ncounts 2 1\n"
#define F0 "f S 0123456789abcdef0123456789abcdef 3 100644 9 1 -1 a.c\n"
#define F1 "f O 0123456789abcdef0123456789abcdef 3 100644 9 2 0 a.o\n"
#define J0 "j r -1 0 1 2 /r cc a.c\nd 0r 1w\n"
#define HEAD4 "ckpt-manifest 4\nroot /r\ncreated 5\ncounts 2 2\n"

/* A sealed manifest that is well-formed reads back: the sealing is right,
 * so the refusals below are about content, not about the checksum. */
static void sealed_valid(void **state)
{
	(void)state;
	struct ckpt r;
	seal(HEAD F0 F1 J0);
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_int_equal(r.nfiles, 2);
	assert_int_equal(r.njobs, 1);
	assert_int_equal(r.files[1].producer, 0);
	assert_int_equal(r.jobs[0].deps[1].acc, ACC_WRITE);
	assert_int_equal(r.files[0].mode, 0100644);
	assert_int_equal(r.files[0].size, 3);
	assert_int_equal(r.files[0].mtime, 9);
	assert_int_equal(r.files[0].ino, 1);
	assert_true(r.files[0].hash.hi == 0x0123456789abcdefull &&
		    r.files[0].hash.lo == 0x0123456789abcdefull);
	ckpt_release(&r);
	/* The extremes of each number. */
	seal(HEAD "f S fedcba9876543210ffffffffffffffff "
		  "18446744073709551615 177777 -9223372036854775807 "
		  "18446744073709551615 -1 a.c\n");
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_true(r.files[0].size == UINT64_MAX && r.files[0].mode == 0177777 &&
		    r.files[0].mtime == -INT64_MAX && r.files[0].ino == UINT64_MAX);
	assert_true(r.files[0].hash.hi == 0xfedcba9876543210ull &&
		    r.files[0].hash.lo == UINT64_MAX);
	ckpt_release(&r);
}

/* Version 4's recipe links, as a person would write them. */
static void recipe_links(void **state)
{
	(void)state;
	struct ckpt r;
	seal(HEAD4 F0 F1 J0 "j r -1 0 3 4 /r touch stamp\np 2 0\n");
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_int_equal(r.njobs, 2);
	assert_int_equal(r.jobs[0].nprev, 0);
	assert_int_equal(r.jobs[1].nprev, 1);
	assert_int_equal(r.jobs[1].prev[0], 0);
	assert_int_equal(r.jobs[1].target_look, 2);
	ckpt_release(&r);
	/* A first line: when make looked at its target, and no job before. */
	seal(HEAD4 F0 F1 J0 "p 9\n");
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_int_equal(r.jobs[0].nprev, 0);
	assert_int_equal(r.jobs[0].target_look, 9);
	ckpt_release(&r);
}

/* Version 11 keeps what a source that is a symbolic link names, and
 * says by its version that a source without one was none; before it,
 * nothing is known of links. */
static void source_links(void **state)
{
	(void)state;
	struct ckpt r;
	seal("ckpt-manifest 11\nroot /r\ncreated 5\ncounts 2 1\n"
	     "f S 0123456789abcdef0123456789abcdef 3 100644 9 1 -1 a.c "
	     "v1.c\n" F1 J0);
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_int_equal(r.links_known, 1);
	assert_string_equal(r.files[0].link, "v1.c");
	assert_null(r.files[1].link);
	ckpt_release(&r);
	seal("ckpt-manifest 10\nroot /r\ncreated 5\ncounts 2 1\n" F0 F1 J0);
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_int_equal(r.links_known, 0);
	ckpt_release(&r);
}

static void refused(const char *body, const char *want1, const char *want2)
{
	struct ckpt r;
	char *msg;
	seal(body);
	if (read_quiet(&r, &msg) == 0)
		fail_msg("accepted:\n%s", body);
	if (!strstr(msg, want1) || (want2 && !strstr(msg, want2)))
		fail_msg("message '%s' lacks '%s' / '%s' for:\n%s", msg, want1,
			 want2 ? want2 : "", body);
	assert_null(strstr(msg, "checksum"));
	free(msg);
}

static void sealed_but_wrong(void **state)
{
	(void)state;
	refused("ckpt-manifest 12\nroot /r\n", "version 12", NULL);
	refused("ckpt-manifest 999\n", "version 999", NULL);
	refused("something else\n", "line 1", "not a ckpt manifest");
	refused("", "line", NULL);
	refused(HEAD F0 F1 J0 "zz what\n", "line 9", "unknown record");
	refused(HEAD F0 "nospace\n", "line 6", NULL);
	refused(HEAD "f O - 3 100644 9 2 -1 ../up.o\n", "line 5", "escapes");
	refused(HEAD "f O - 3 100644 9 2 -1 a/../../up.o\n", "line 5",
		"escapes");
	refused(HEAD "f O - 3 100644 9 2 -1 a//b\n", "line 5", NULL);
	refused(HEAD "f O - 3 100644 9 2 -1 a%00b\n", "line 5", NULL);
	refused(HEAD "f Q - 3 100644 9 2 -1 a.o\n", "line 5", NULL);
	refused(HEAD "f S nothex 3 100644 9 2 -1 a.o\n", "line 5", "hash");
	/* Hashes are 32 lower-case hex digits, as written. */
	refused(HEAD "f S 0123456789ABCDEF0123456789abcdef 3 100644 9 1 -1 "
		     "a.c\n", "line 5", "hash");
	refused(HEAD "f S 0123456789abcdef0123456789abcde 3 100644 9 1 -1 "
		     "a.c\n", "line 5", "hash");
	refused(HEAD "f S 0123456789abcdef0123456789abcdef0 3 100644 9 1 -1 "
		     "a.c\n", "line 5", "hash");
	/* Numbers: decimal digits that fit in 64 bits; the mode octal. */
	refused(HEAD "f S - 18446744073709551616 100644 9 1 -1 a.c\n",
		"line 5", NULL);
	refused(HEAD "f S - 3x 100644 9 1 -1 a.c\n", "line 5", NULL);
	refused(HEAD "f S - +3 100644 9 1 -1 a.c\n", "line 5", NULL);
	refused(HEAD "f S - 3 100648 9 1 -1 a.c\n", "line 5", NULL);
	refused(HEAD "f S - 3 100644 9223372036854775808 1 -1 a.c\n",
		"line 5", NULL);
	refused(HEAD "f S - 3 100644 - 1 -1 a.c\n", "line 5", NULL);
	refused(HEAD F0 F1 "j r -1 0 1 2 /r cc\nd 0r 99999999999999999999r\n",
		"line 8", "unknown file");
	refused(HEAD "f S - -3 100644 9 2 -1 a.o\n", "line 5", NULL);
	refused(HEAD "f S - 3 100644 9 2 -2 a.o\n", "line 5", NULL);
	refused(HEAD F0 F0, "line 6", "twice");
	refused(HEAD F0 F1 F0, "line 7", "twice");
	refused(HEAD F0 "f S - 3 100644 9\n", "line 6", NULL);
	refused(HEAD F0 "d 0r\n", "line 6", "before any job");
	refused(HEAD F0 "e X\n", "line 6", "before any job");
	refused(HEAD F0 "j r 0 0 1 2 /r cc\n", "line 6", "job");
	refused(HEAD F0 "j q -1 0 1 2 /r cc\n", "line 6", "job");
	refused(HEAD F0 "j r -1 0 1\n", "line 6", "job");
	refused(HEAD F0 J0, "line 7", "unknown file");	/* file 1 */
	refused(HEAD F0 F1 "j r -1 0 1 2 /r cc\nd 0r 1wq\n", "line 8",
		"letter");
	refused(HEAD F0 F1 J0 "h z 0 0 0\n", "line 9", "hazard");
	refused(HEAD F0 F1 J0 "h w 5 0 0\n", "line 9", "hazard");
	refused(HEAD F0 F1 J0 "h w 0 0 3\n", "line 9", "hazard");
	/* a.o names job 0, and there is no job. */
	refused(HEAD F0 F1, "a.o", "job 0");
	/* Recipe links: version 4 only, numbers, once a job, jobs that
	 * exist. */
	refused(HEAD F0 F1 J0 "p 0 0\n", "line 9", "unknown record");
	refused(HEAD4 F0 F1 J0 "p 0 x\n", "line 9", "recipe link");
	refused(HEAD4 F0 F1 J0 "p x 0\n", "line 9", "recipe link");
	refused(HEAD4 F0 F1 J0 "p 0 -1\n", "line 9", "recipe link");
	refused(HEAD4 F0 F1 J0 "p 0\n", "line 9", "recipe link");
	refused(HEAD4 F0 F1 J0 "p 0 0\np 0 0\n", "line 10", "second");
	refused(HEAD4 F0 F1 J0 "p 0 7\n", "job 0 follows job 7", NULL);
	/* An output's mark on a source; one of a file that is not there;
	 * a mark of a later version than the manifest's. */
#define HEAD9 "ckpt-manifest 9\nroot /r\ncreated 5\ncounts 2 1\n"
	refused(HEAD9 F0 F1 "B 0\n" J0, "line 7", "not one");
	refused(HEAD9 F0 F1 "P 5\n" J0, "line 7", "not there");
	refused("ckpt-manifest 8\nroot /r\ncreated 5\ncounts 2 1\n" F0 F1
		"P 0\n" J0, "line 7", NULL);
	refused(HEAD9 F0 F1 "G 0\n" J0, "line 7", NULL);
	refused("ckpt-manifest 1\nroot relative/dir\n", "line 2", "root");
	refused("ckpt-manifest 1\ncreated -4\n", "line 2", NULL);
}

/* An empty field (two spaces in a row) is a malformed record, not a
 * crash: found by hand-crafting; it used to dereference a NULL field. */
/* The hook that lets the tree be checked while the jobs are read: called
 * once, with every file there and no job yet; `done` always, also when
 * the manifest is refused (and then not ok); and a file record after the jobs is refused
 * (the file table would change under the other thread). */
struct seen_hook {
	size_t nfiles, njobs;
	int calls, dones, oks;
};

static void on_files(struct ckpt *c, void *arg)
{
	struct seen_hook *h = arg;
	h->calls++;
	h->nfiles = c->nfiles;
	h->njobs = c->njobs;
}

static void on_done(void *arg, int ok)
{
	struct seen_hook *h = arg;
	h->dones++;
	h->oks += ok;
}

static void hooked(void **state)
{
	(void)state;
	struct ckpt r;
	struct seen_hook h = { 0 };
	struct manifest_hook hook = { on_files, on_done, &h, 0 };
	seal(HEAD F0 F1 J0);
	assert_int_equal(manifest_read_hooked(&r, dir, &hook), 0);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.dones, 1);
	assert_int_equal(h.oks, 1);
	assert_int_equal(h.nfiles, 2);
	assert_int_equal(h.njobs, 0);
	assert_int_equal(r.njobs, 1);
	ckpt_release(&r);
	/* No jobs at all: called at the end. */
	memset(&h, 0, sizeof h);
	seal(HEAD F0);
	assert_int_equal(manifest_read_hooked(&r, dir, &hook), 0);
	assert_true(h.calls == 1 && h.dones == 1 && h.oks == 1 &&
		    h.nfiles == 1);
	ckpt_release(&r);
	/* Refused: a file after the jobs; a missing manifest. */
	memset(&h, 0, sizeof h);
	seal(HEAD F0 J0 F1);
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	dup2(null, 2);
	int rc = manifest_read_hooked(&r, dir, &hook);
	char *m = xasprintf("%s/manifest", dir);
	unlink(m);
	int rc2 = manifest_read_hooked(&r, dir, &hook);
	dup2(saved, 2);
	close(saved);
	close(null);
	free(m);
	assert_int_equal(rc, -1);
	assert_int_equal(rc2, -1);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.dones, 2);
	assert_int_equal(h.oks, 0);	/* neither was read whole */
}

static void drop_strings(char ***arr, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*arr)[i]);
	*n = 0;
}

/* status, restore and explain read a manifest without the jobs' env,
 * net and exec records: everything else is as manifest_read gives it. */
static void details_skipped(void **state)
{
	(void)state;
	struct ckpt c, r;
	sample(&c);
	assert_int_equal(manifest_write(&c, dir), 0);
	struct seen_hook h = { 0 };
	struct manifest_hook hook = { on_files, on_done, &h, 1 };
	assert_int_equal(manifest_read_hooked(&r, dir, &hook), 0);
	assert_true(c.jobs[1].nenv && c.jobs[1].nnet && c.jobs[1].nexecs);
	for (size_t j = 0; j < c.njobs; j++) {
		assert_int_equal(r.jobs[j].nenv, 0);
		assert_int_equal(r.jobs[j].nnet, 0);
		assert_int_equal(r.jobs[j].nexecs, 0);
		drop_strings(&c.jobs[j].env, &c.jobs[j].nenv);
		drop_strings(&c.jobs[j].net, &c.jobs[j].nnet);
		drop_strings(&c.jobs[j].execs, &c.jobs[j].nexecs);
	}
	assert_same(&c, &r);
	ckpt_release(&r);
	ckpt_release(&c);
	/* A job's deps may come on several "d" lines: they add up. */
	seal(HEAD F0 F1 "j r -1 0 1 2 /r cc\nd 0r 1aw\nd 1s\n");
	assert_int_equal(manifest_read(&r, dir), 0);
	assert_int_equal(r.jobs[0].ndeps, 3);
	assert_int_equal(r.jobs[0].deps[0].file, 0);
	assert_int_equal(r.jobs[0].deps[0].acc, ACC_READ);
	assert_int_equal(r.jobs[0].deps[1].file, 1);
	assert_int_equal(r.jobs[0].deps[1].acc, ACC_ABSENT | ACC_WRITE);
	assert_int_equal(r.jobs[0].deps[2].acc, ACC_STAT);
	ckpt_release(&r);
}

/* Thousands of files: the index is built in bulk as they are read (and
 * grown, while they are added one by one); every path is found under its
 * id, and a path given twice, far apart, is refused at its second line. */
static void many_files(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct ckpt c, r;
	ckpt_init(&c, "/r");
	for (int i = 0; i < N; i++) {
		char p[32];
		snprintf(p, sizeof p, "d%d/f%d.c", i % 97, i);
		assert_int_equal(ckpt_file(&c, p, 1), i);
		c.files[i].role = ROLE_SOURCE;
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(ckpt_file(&c, c.files[i].path, 0), i);
	assert_int_equal(manifest_write(&c, dir), 0);
	assert_int_equal(manifest_read(&r, dir), 0);
	assert_same(&c, &r);
	assert_int_equal(ckpt_file(&r, "d0/f5000.c", 0), -1);
	ckpt_release(&r);
	/* Again with file 17's path as the last file record. */
	char *body;
	size_t len;
	FILE *f = open_memstream(&body, &len);
	fputs("ckpt-manifest 1\nroot /r\n", f);
	for (int i = 0; i <= N; i++)
		fprintf(f, "f S - 3 100644 9 1 -1 %s\n",
			c.files[i < N ? i : 17].path);
	fclose(f);
	char line[32];
	snprintf(line, sizeof line, "line %d:", N + 3);
	refused(body, line, "twice");
	free(body);
	ckpt_release(&c);
}

/* A manifest of megabytes: written as several zstd frames (read back as
 * one text), its file records parsed on several threads, and damage still
 * found: in any frame, after the last one, and in the records, where the
 * first damaged line is the one named. */
static size_t frames_in(const char *b, size_t n)
{
	size_t k = 0;
	for (size_t at = 0; at < n; k++) {
		size_t fl = ZSTD_findFrameCompressedSize(b + at, n - at);
		assert_false(ZSTD_isError(fl));
		at += fl;
	}
	return k;
}

static void large_in_frames(void **state)
{
	(void)state;
	enum { N = 40000 };
	struct ckpt c, r;
	ckpt_init(&c, "/r");
	for (int i = 0; i < N; i++) {
		char p[96];
		snprintf(p, sizeof p, "some/deeper/directory%d/file-%d.c",
			 i % 61, i);
		assert_int_equal(ckpt_file(&c, p, 1), i);
		c.files[i].role = ROLE_SOURCE;
		c.files[i].hash = (struct hash128){ (uint64_t)i * 7919, ~0ull };
		c.files[i].size = (uint64_t)i;
		c.files[i].ino = (uint64_t)i * 3;
		c.files[i].mode = 0100644;
		c.files[i].mtime = 1795364905653730342ll + i;
	}
	assert_int_equal(manifest_write(&c, dir), 0);
	char *m = xasprintf("%s/manifest", dir);
	size_t n;
	char *z = slurp(m, &n);
	assert_true(frames_in(z, n) >= 3);
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_same(&c, &r);
	ckpt_release(&r);

	/* A flipped byte inside the second frame; bytes after the last. */
	size_t second = ZSTD_findFrameCompressedSize(z, n);
	z[second + 100] ^= 0x10;
	spill(m, z, n);
	char *msg;
	assert_int_equal(read_quiet(&r, &msg), -1);
	assert_non_null(strstr(msg, "damaged"));
	free(msg);
	z[second + 100] ^= 0x10;
	char *more = xmalloc(n + 3);
	memcpy(more, z, n);
	memcpy(more + n, "abc", 3);
	spill(m, more, n + 3);
	assert_int_equal(read_quiet(&r, &msg), -1);
	assert_non_null(strstr(msg, "damaged"));
	free(msg);
	free(more);

	/* Two damaged file records, sealed: the first one is named. */
	unsigned long long tn = 0;
	size_t at = 0;
	char *text = NULL;
	while (at < n) {
		size_t fl = ZSTD_findFrameCompressedSize(z + at, n - at);
		unsigned long long k = ZSTD_getFrameContentSize(z + at, n - at);
		text = xrealloc(text, tn + k + 1);
		assert_int_equal(ZSTD_decompress(text + tn, k, z + at, fl), k);
		tn += k;
		at += fl;
	}
	text[tn] = 0;
	*strstr(text, "\nend ") = 0;	/* seal adds its own */
	char *l30 = strstr(text, " some/deeper/directory49/file-30000.c\n");
	char *l20 = strstr(text, " some/deeper/directory53/file-20000.c\n");
	assert_non_null(l30);
	assert_non_null(l20);
	while (l30[-1] != '\n')
		l30--;
	while (l20[-1] != '\n')
		l20--;
	l30[2] = 'Q';	/* an unknown role */
	l20[2] = 'Q';
	strcat(text, "\n");
	refused(text, "line 20005:", "malformed file record");
	l20[2] = 'S';
	refused(text, "line 30005:", "malformed file record");
	free(text);
	free(z);
	free(m);
	ckpt_release(&c);
}

static void sealed_empty_fields(void **state)
{
	(void)state;
	refused(HEAD "f  S - 3 100644 9 1 -1 a.c\n", "line 5", NULL);
	refused(HEAD "f S  - 3 100644 9 1 -1 a.c\n", "line 5", NULL);
	refused(HEAD "f S - 3  100644 9 1 -1 a.c\n", "line 5", NULL);
	refused(HEAD F0 F1 "j  r -1 0 1 2 /r cc\n", "line 7", NULL);
	refused(HEAD F0 F1 "j r  -1 0 1 2 /r cc\n", "line 7", NULL);
	refused(HEAD F0 F1 J0 "h  w 0 0 0\n", "line 9", NULL);
}

/* Thousands of jobs: their "d" lines are parsed on several threads, each
 * job's by one, and each job gets its own deps (here a pattern of its
 * index, some on two lines). Of two damaged "d" lines, the first is named
 * whichever thread meets it. */
static char *many_jobs(int njobs, int bad1, int bad2)
{
	char *body = xstrdup(HEAD F0 F1);
	for (int k = 0; k < njobs; k++) {
		const char *deps = k == bad1   ? "9r"
				   : k == bad2 ? "0q"
				   : k % 2     ? "1r 0s"
					       : "0r";
		char *t = xasprintf("%sj r -1 0 1 2 /r cc %d\nd %s\n%s", body,
				    k, deps, k % 3 ? "" : "d 1a\n");
		free(body);
		body = t;
	}
	return body;
}

static void many_jobs_deps(void **state)
{
	(void)state;
	const int n = 3000;
	char *body = many_jobs(n, -1, -1);
	seal(body);
	free(body);
	struct ckpt r;
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_int_equal(r.njobs, n);
	for (int k = 0; k < n; k++) {
		const struct job *j = &r.jobs[k];
		size_t want = (k % 2 ? 2 : 1) + (k % 3 ? 0 : 1);
		assert_int_equal(j->ndeps, want);
		assert_int_equal(j->deps[0].file, k % 2);
		assert_int_equal(j->deps[0].acc, ACC_READ);
		if (k % 2) {
			assert_int_equal(j->deps[1].file, 0);
			assert_int_equal(j->deps[1].acc, ACC_STAT);
		}
		if (!(k % 3)) {
			assert_int_equal(j->deps[want - 1].file, 1);
			assert_int_equal(j->deps[want - 1].acc, ACC_ABSENT);
		}
	}
	ckpt_release(&r);
	/* Job k's "d" line is line 8 + k * 2 + its share of "d 1a" lines
	 * (one for every job before it whose index divides by 3). */
	int bad1 = 400, bad2 = 2500;
	char line[32];
	snprintf(line, sizeof line, "line %d:", 8 + bad1 * 2 + (bad1 + 2) / 3);
	body = many_jobs(n, bad1, bad2);
	refused(body, line, "unknown file");
	free(body);
	body = many_jobs(n, 2900, bad1);
	snprintf(line, sizeof line, "line %d:", 8 + bad1 * 2 + (bad1 + 2) / 3);
	refused(body, line, "unknown access letter");
	free(body);
}

/* The text of the manifest in dir (one zstd frame), NUL-terminated. */
static char *manifest_text(void)
{
	char *m = xasprintf("%s/manifest", dir);
	size_t n;
	char *z = slurp(m, &n);
	unsigned long long len = ZSTD_getFrameContentSize(z, n);
	assert_true(len != ZSTD_CONTENTSIZE_ERROR &&
		    len != ZSTD_CONTENTSIZE_UNKNOWN);
	char *text = xmalloc(len + 1);
	assert_int_equal(ZSTD_decompress(text, len, z, n), len);
	text[len] = 0;
	free(z);
	free(m);
	return text;
}

static void add_dep(struct job *j, int file, int acc)
{
	GROW(j->deps, j->ndeps, j->adeps);
	j->deps[j->ndeps++] = (struct dep){ .file = file, .acc = acc };
}

/* Seven jobs over 40 files: five share 25 deps, each with a difference
 * (one lacks a dep, one stats where the others read, one writes more),
 * one has them out of order, one has only two. */
static void grouped_jobs(struct ckpt *c)
{
	ckpt_init(c, "/r");
	for (int f = 0; f < 40; f++) {
		char name[16];
		snprintf(name, sizeof name, "h%02d.h", f);
		int fi = ckpt_file(c, name, 1);	/* may move c->files */
		c->files[fi].role = ROLE_SOURCE;
	}
	int drv = ckpt_job_new(c, JOB_DRIVER, -1);
	for (int k = 0; k < 7; k++) {
		int j = ckpt_job_new(c, JOB_RECIPE, drv);
		c->jobs[j].cwd = xstrdup("/r");
		c->jobs[j].cmd = xasprintf("cc -c f%d.c", k);
	}
	c->jobs[drv].cwd = xstrdup("/r");
	c->jobs[drv].cmd = xstrdup("make");
	/* Jobs 1..5: files 0..24 read, but job 2 lacks file 3, job 3 only
	 * stats file 5, job 4 also writes file 39; and each its own file. */
	for (int k = 1; k <= 5; k++) {
		struct job *j = &c->jobs[k];
		for (int f = 0; f < 25; f++)
			if (!(k == 2 && f == 3))
				add_dep(j, f, k == 3 && f == 5 ? ACC_STAT : ACC_READ);
		add_dep(j, 25 + k, ACC_READ | ACC_LIST);
		if (k == 4)
			add_dep(j, 39, ACC_WRITE);
	}
	/* Job 5's deps out of file order (as none written by a save are):
	 * written plainly, read back in that order. */
	struct dep t = c->jobs[5].deps[0];
	c->jobs[5].deps[0] = c->jobs[5].deps[7];
	c->jobs[5].deps[7] = t;
	/* Job 6: too few deps to gain from the group. */
	add_dep(&c->jobs[6], 0, ACC_READ);
	add_dep(&c->jobs[6], 1, ACC_READ);
}

/* Dep groups: the deps most jobs share are written once ("g"), and each
 * job that gains by it lists only how it differs ("d @0"); every job
 * reads back with its own deps, in its own order. */
static void dep_groups(void **state)
{
	(void)state;
	struct ckpt c, r;
	grouped_jobs(&c);
	assert_int_equal(manifest_write(&c, dir), 0);
	assert_int_equal(manifest_read(&r, dir), 0);
	assert_same(&c, &r);
	char *text = manifest_text();
	char g[256] = "\ng";
	for (int f = 0; f < 25; f++)
		snprintf(g + strlen(g), sizeof g - strlen(g), " %dr", f);
	strcat(g, "\n");
	assert_non_null(strstr(text, g));
	assert_non_null(strstr(text, "\nd @0 26rl\n"));
	assert_non_null(strstr(text, "\nd @0 -3 27rl\n"));
	assert_non_null(strstr(text, "\nd @0 5s 28rl\n"));
	assert_non_null(strstr(text, "\nd @0 29rl 39w\n"));
	assert_non_null(strstr(text, "\nd 7r 1r 2r"));
	assert_non_null(strstr(text, "\nd 0r 1r\n"));
	free(text);
	ckpt_release(&r);
	ckpt_release(&c);
}

#define HEAD5 "ckpt-manifest 5\nroot /r\ncreated 5\ncounts 2 2\n"
#define HEAD6 "ckpt-manifest 6\nroot /r\ncreated 5\ncounts 3 1\n"
#define FL "f L 0123456789abcdef0123456789abcdef 0 40755 9 3 -1 src\n"

/* Version 6's listed names: kept as written, for a listing only. */
static void listing_names_sealed(void **state)
{
	(void)state;
	struct ckpt r;
	seal(HEAD6 F0 F1 FL "l 2 b.c x%20y.c sub/\n" J0);
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_string_equal(r.files[2].names, "b.c x%20y.c sub/");
	assert_null(r.files[0].names);
	ckpt_release(&r);
	seal(HEAD6 F0 F1 FL "l 2\n" J0);	/* an empty directory */
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_string_equal(r.files[2].names, "");
	ckpt_release(&r);
	refused(HEAD6 F0 F1 FL "l 0 b.c\n" J0, "line 8",
		"not a listed directory");
	refused(HEAD6 F0 F1 FL "l 3 b.c\n" J0, "line 8",
		"not a listed directory");
	refused(HEAD6 F0 F1 FL "l x b.c\n" J0, "line 8",
		"not a listed directory");
	refused(HEAD6 F0 F1 FL J0 "l 2 b.c\n", "line 10", "after the jobs");
	refused(HEAD5 F0 F1 FL "l 2 b.c\n" J0, "line 8", NULL);
	/* The start environment: names in order, each with a hash. */
	seal(HEAD6 F0 F1 FL "V A 0a1f\nV B ffff\n" J0);
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_int_equal(r.nstart_env, 2);
	assert_string_equal(r.start_env[1].name, "B");
	assert_int_equal(r.start_env[0].hash.lo, 0x0a1f);
	ckpt_release(&r);
	refused(HEAD6 F0 F1 FL "V B 0a1f\nV A 0a1f\n" J0, "line 9",
		"start environment");
	refused(HEAD6 F0 F1 FL "V A -\n" J0, "line 8", "start environment");
	/* 16 bits of the value's hash, not more (a secret is not kept). */
	refused(HEAD6 F0 F1 FL "V A 0123456789abcdef0123456789abcdef\n" J0,
		"line 8", "start environment");
	refused(HEAD6 F0 F1 FL "V A 0A1F\n" J0, "line 8", "start environment");
}
#define G01 "g 0r 1r\n"

/* Version 5's groups, as a person would write them, and their damage. */
static void dep_groups_sealed(void **state)
{
	(void)state;
	struct ckpt r;
	seal(HEAD5 F0 F1 G01 "j r -1 0 1 2 /r cc\nd @0 -0 1w\n"
		"j r -1 0 1 2 /r cc\nd @0\n");
	assert_int_equal(read_quiet(&r, NULL), 0);
	assert_int_equal(r.jobs[0].ndeps, 1);
	assert_int_equal(r.jobs[0].deps[0].file, 1);
	assert_int_equal(r.jobs[0].deps[0].acc, ACC_WRITE);
	assert_int_equal(r.jobs[1].ndeps, 2);
	assert_int_equal(r.jobs[1].deps[1].acc, ACC_READ);
	ckpt_release(&r);
	refused(HEAD4 F0 F1 G01 J0, "line 7", "before any job");
	refused(HEAD5 F0 F1 G01 "j r -1 0 1 2 /r cc\nd @1 0r\n", "line 9",
		"group that does not exist");
	refused(HEAD5 F0 F1 "j r -1 0 1 2 /r cc\nd @0 0r\n", "line 8",
		"group that does not exist");
	refused(HEAD5 F0 F1 G01 "j r -1 0 1 2 /r cc\nd @0x 0r\n", "line 9",
		"group that does not exist");
	refused(HEAD5 F0 F1 G01 "j r -1 0 1 2 /r cc\nd @0 1w 0s\n", "line 9",
		"out of order");
	refused(HEAD5 F0 F1 "g 0r\nj r -1 0 1 2 /r cc\nd @0 -1\n", "line 9",
		"the group does not have");
	refused(HEAD5 F0 F1 G01 "j r -1 0 1 2 /r cc\nd @0 -1r\n", "line 9",
		"letter");
	refused(HEAD5 F0 F1 "g 1r 0r\n", "line 7", "out of order");
	refused(HEAD5 F0 F1 "g 0r -1\n", "line 7", "dropped");
	refused(HEAD5 F0 F1 "g 0r 2r\n", "line 7", "unknown file");
	refused(HEAD5 F0 F1 "j r -1 0 1 2 /r cc\nd 0r -1\n", "line 8",
		"unknown file");
}

/* Hand-edited text that is sealed again (the checksum right, the content
 * not): every byte of a manifest with a group, replaced by each of a few
 * bytes that matter to the group syntax, is refused with the line named
 * or read into deps that name existing files; never a crash. */
static void dep_groups_mutated(void **state)
{
	(void)state;
	struct ckpt c, r;
	grouped_jobs(&c);
	assert_int_equal(manifest_write(&c, dir), 0);
	char *text = manifest_text();
	char *body = xstrdup(text);
	*strstr(body, "end ") = 0;	/* the body: seal() adds the end line */
	size_t n = strlen(body), accepted = 0;
	const char subst[] = "@-0 9\nrx";
	for (size_t i = strstr(body, "\ng") - body + 1; i < n; i++) {
		char was = body[i];
		for (const char *b = subst; *b; b++) {
			if (*b == was)
				continue;
			body[i] = *b;
			seal(body);
			char *msg;
			if (read_quiet(&r, &msg) == 0) {
				accepted++;
				for (size_t j = 0; j < r.njobs; j++)
					for (size_t k = 0; k < r.jobs[j].ndeps; k++)
						assert_true(r.jobs[j].deps[k].file >= 0 &&
							    (size_t)r.jobs[j].deps[k].file < r.nfiles);
				ckpt_release(&r);
			} else {
				assert_non_null(strstr(msg, "damaged"));
			}
			free(msg);
		}
		body[i] = was;
	}
	assert_true(accepted > 0);	/* a digit for a digit, say */
	free(body);
	free(text);
	ckpt_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(any_flipped_byte),
		cmocka_unit_test(any_truncation),
		cmocka_unit_test(sealed_valid),
		cmocka_unit_test(sealed_but_wrong),
		cmocka_unit_test(recipe_links),
		cmocka_unit_test(source_links),
		cmocka_unit_test(sealed_empty_fields),
		cmocka_unit_test(hooked),
		cmocka_unit_test(details_skipped),
		cmocka_unit_test(many_files),
		cmocka_unit_test(large_in_frames),
		cmocka_unit_test(many_jobs_deps),
		cmocka_unit_test(dep_groups),
		cmocka_unit_test(dep_groups_sealed),
		cmocka_unit_test(dep_groups_mutated),
		cmocka_unit_test(listing_names_sealed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
