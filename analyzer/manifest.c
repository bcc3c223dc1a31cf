/*
 * manifest.c - the checkpoint's manifest: write it atomically, read it
 * back with errors that name the line. docs/checkpoint-format.md has the
 * grammar; in short, one record a line, fields separated by one space,
 * every free-form field %XX-escaped (path_escape), and a last line
 * "end <XXH3-128 of every byte before it>".
 *
 *   ckpt-manifest 8        (1 to 7 are read too; 1 has no "t" lines,
 *                          before 4 no "p" lines, before 5 no "g" lines,
 *                          before 6 no "l" lines, before 7 no "R" lines,
 *                          before 8 no "M" or "B" lines)
 *   root <path>            absolute root when recorded
 *   created <ns>           wall clock of the save
 *   counts <files> <jobs>
 *   f <role> <hash|-> <size> <mode> <mtime-ns> <ino> <producer> <path> [<link>]
 *   t <file>               output that is text naming the root (rewritten
 *                          when restored into another tree)
 *   R <file>               ELF output whose RUNPATH names the root
 *                          (invalid in another tree)
 *   M <file>               output a compiler wrote make rules to (-MF)
 *   B <file>               output that was there before the build wrote
 *                          it (restore never removes it)
 *   l <file> <name>...     the names a listed directory held, a
 *                          directory's followed by '/' (listing_diff)
 *   v <name> <hash|->      an environment variable the build used: its
 *                          value's hash when the build started, or unset
 *   V <name> <tag>         a variable the build started with, each one,
 *                          when a job used them all (envvars_all_changes)
 *   g <file><acc>...       dep group 0: deps many jobs have (put_dep)
 *   j <kind> <driver> <untraced> <start> <end> <cwd> <cmd words...>
 *   p <look> <job>...      jobs the last one may be a later recipe line of;
 *                          when its make looked at what it writes, or 0
 *   u <path>               program a job ran that could not be traced
 *   d <file><acc>...       deps of the last job: file id + letters
 *   d @0 <file><acc>|-<file>...   the same, as group 0's deps changed
 *   e <name>               environment variable read by the last job
 *   n <what>               network access of the last job
 *   x <cwd> <argv...>      a program the last job executed
 *   h <kind> <file> <job1> <job2>   a hazard for the audit (model.h)
 *   end <hash>
 *
 * On disk the text is zstd frames of about a MiB each (a kernel's is 20 MB
 * as text, 2 MB compressed; `zstdcat` shows it); a plain-text manifest is
 * read too, as hand-made ones and those of ckpt 0.1 are.
 *
 * Files are numbered by their order, jobs likewise; "." is the root itself.
 * Dep letters: r read, s stat, a absent, l listed, w written, m mkdir,
 * x deleted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "envvars.h"
#include "fsio.h"
#include "manifest.h"

static const struct {
	int acc;
	char letter;
} acc_letters[] = {
	{ ACC_READ, 'r' },  { ACC_STAT, 's' },  { ACC_ABSENT, 'a' },
	{ ACC_LIST, 'l' },  { ACC_WRITE, 'w' }, { ACC_MKDIR, 'm' },
	{ ACC_DELETE, 'x' },
};
#define NLETTERS (sizeof acc_letters / sizeof *acc_letters)

/* " <file><letters>": a manifest holds one for each dependency of each
 * job (half a million for a kernel), so not through fprintf's parsing.
 * A dep with acc DROP is written " -<file>" (dep groups, below). */
#define DROP (-1)
static void put_dep(FILE *f, const struct dep *d)
{
	char b[32], *p = b + 12;	/* digits go right to left from here */
	char *q = p;
	unsigned v = (unsigned)d->file;
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (d->acc == DROP)
		*--p = '-';
	*--p = ' ';
	for (size_t l = 0; d->acc != DROP && l < NLETTERS; l++)
		if (d->acc & acc_letters[l].acc)
			*q++ = acc_letters[l].letter;
	fwrite_unlocked(p, 1, (size_t)(q - p), f);
}

/* A path, escaped (path_escape); most need none, and are written as
 * they are: a kernel's manifest has some 140,000 of them. */
static void put_path(FILE *f, const char *p)
{
	if (!*p) {
		fputc('.', f);
		return;
	}
	size_t plain = path_plain_len(p);
	if (!p[plain]) {
		fwrite_unlocked(p, 1, plain, f);
		return;
	}
	char *e = path_escape(p);
	fputs(e, f);
	free(e);
}

/*
 * The text as zstd frames of about FRAME bytes each, cut after a newline,
 * one after another (a valid zstd stream: zstdcat shows the text). Each
 * frame is compressed and read back on a thread of its own: a single frame
 * of a large tree's 11 MB manifest took 18 ms to decompress, a tenth of
 * `ckpt status` there.
 */
#define FRAME (1u << 20)

struct frames {
	const char *text;
	size_t *cut;		/* n + 1 offsets into text */
	char **z;		/* compressed, per frame */
	size_t *zlen, n;
};

static int compress_one(void *arg, size_t i, int worker)
{
	(void)worker;
	struct frames *fr = arg;
	size_t n = fr->cut[i + 1] - fr->cut[i];
	size_t cap = ZSTD_compressBound(n);
	fr->z[i] = xmalloc(cap);
	fr->zlen[i] = ZSTD_compress(fr->z[i], cap, fr->text + fr->cut[i], n, 3);
	return ZSTD_isError(fr->zlen[i]) ? -1 : 0;
}

static char *compress_frames(const char *text, size_t len, size_t *zlen)
{
	struct frames fr = { .text = text };
	size_t a = 0, at = 0;
	do {
		GROW(fr.cut, fr.n, a);
		fr.cut[fr.n++] = at;
		const char *nl = len - at > FRAME
					 ? memchr(text + at + FRAME, '\n',
						  len - at - FRAME)
					 : NULL;
		at = nl ? (size_t)(nl - text) + 1 : len;
	} while (at < len);
	GROW(fr.cut, fr.n, a);
	fr.cut[fr.n] = len;
	fr.z = xcalloc(fr.n, sizeof *fr.z);
	fr.zlen = xcalloc(fr.n, sizeof *fr.zlen);
	char *out = NULL;
	if (parallel_for(fr.n, 1, fr.n > 1 ? PFOR_CPU : 1, compress_one, &fr,
			 NULL) < 0) {
		error("cannot compress the manifest");
	} else {
		size_t total = 0;
		for (size_t i = 0; i < fr.n; i++)
			total += fr.zlen[i];
		out = xmalloc(total + 1);
		*zlen = 0;
		for (size_t i = 0; i < fr.n; i++) {
			memcpy(out + *zlen, fr.z[i], fr.zlen[i]);
			*zlen += fr.zlen[i];
		}
	}
	for (size_t i = 0; i < fr.n; i++)
		free(fr.z[i]);
	free(fr.z);
	free(fr.zlen);
	free(fr.cut);
	return out;
}

/*
 * Dep groups. Nearly all of a manifest is deps, and compiles share most
 * of theirs: a generated project's two thousand jobs have half a million
 * deps, four in five of them the same ~400 system headers and misses in
 * the -I directories. So the deps that at least half of the jobs with
 * many deps have (the same file, the same letters) are written once, as
 * group 0 ("g" line), and a job's "d" line may start with "@0" and list
 * only how its deps differ: its own deps ("<file><letters>", which also
 * stands for the group's dep on that file if there is one) and the
 * group's deps it does not have ("-<file>"), in the order of the files.
 * A job gets the group only where that is shorter; read back, its deps
 * are the same, in the same order.
 */
enum { GROUP_MIN_DEPS = 16 };

/* Deps in strictly increasing file order, as ckpt_sort_deps leaves them:
 * only such a job can be written against the group. */
static int sorted_deps(const struct job *j)
{
	for (size_t k = 1; k < j->ndeps; k++)
		if (j->deps[k].file <= j->deps[k - 1].file)
			return 0;
	return j->ndeps >= GROUP_MIN_DEPS;
}

/* The deps of at least half of the jobs sorted_deps takes, by file. For
 * each file, the letters most of them have (a majority vote, then a
 * count of the winner). Returns how many; *out is what the caller
 * frees. */
static size_t common_deps(const struct ckpt *c, struct dep **out)
{
	int *cand = xcalloc(c->nfiles + 1, sizeof *cand);
	int *votes = xcalloc(c->nfiles + 1, sizeof *votes);
	size_t njobs = 0, n = 0, a = 0;
	for (size_t i = 0; i < c->njobs; i++) {
		const struct job *j = &c->jobs[i];
		if (!sorted_deps(j))
			continue;
		njobs++;
		for (size_t k = 0; k < j->ndeps; k++) {
			const struct dep *d = &j->deps[k];
			if (!votes[d->file])
				cand[d->file] = d->acc;
			votes[d->file] += cand[d->file] == d->acc ? 1 : -1;
		}
	}
	memset(votes, 0, (c->nfiles + 1) * sizeof *votes);
	for (size_t i = 0; i < c->njobs; i++) {
		const struct job *j = &c->jobs[i];
		if (sorted_deps(j))
			for (size_t k = 0; k < j->ndeps; k++)
				votes[j->deps[k].file] +=
					cand[j->deps[k].file] == j->deps[k].acc;
	}
	*out = NULL;
	for (size_t f = 0; njobs >= 2 && f < c->nfiles; f++)
		if (votes[f] && 2 * (size_t)votes[f] >= njobs) {
			GROW(*out, n, a);
			(*out)[n++] = (struct dep){ .file = (int)f, .acc = cand[f] };
		}
	free(cand);
	free(votes);
	return n;
}

/* Job j's deps against group g (n of them): into *diff (the caller's
 * scratch, *adiff long) what its "d @0" line lists; returns how many, or
 * SIZE_MAX when the job cannot or should not use the group. */
static size_t diff_deps(const struct job *j, const struct dep *g, size_t n,
			struct dep **diff, size_t *adiff)
{
	if (!n || !sorted_deps(j))
		return SIZE_MAX;
	size_t a = 0, b = 0, k = 0;
	while (a < n || b < j->ndeps) {
		GROW(*diff, k, *adiff);
		if (b == j->ndeps ||
		    (a < n && g[a].file < j->deps[b].file)) {
			(*diff)[k++] = (struct dep){ .file = g[a++].file,
						     .acc = DROP };
		} else if (a == n || j->deps[b].file < g[a].file) {
			(*diff)[k++] = j->deps[b++];
		} else {
			if (g[a].acc != j->deps[b].acc)
				(*diff)[k++] = j->deps[b];
			a++, b++;
		}
		if (k + 1 >= j->ndeps)
			return SIZE_MAX;	/* no shorter */
	}
	return k;
}

/* The marks of an output, or of any file (any_role), a line each:
 * `<letter> <file id>`. */
struct mark {
	char letter;
	int flag;
	int since;		/* the manifest version that has them */
	int any_role;
};
static const struct mark marks[] = {
	{ 't', FILE_NAMES_ROOT, 2, 0 },
	{ 'R', FILE_RUNPATH_ROOT, 7, 0 },
	{ 'M', FILE_DEPFILE, 8, 0 },
	{ 'B', FILE_BEFORE, 8, 0 },
	{ 'P', FILE_MAKE_PREREQ, 9, 1 },
	{ 'A', FILE_APPENDED_ONLY, 9, 1 },
	{ 'G', FILE_GONE, 10, 1 },
};

static const struct mark *mark_of(const char *s, int version)
{
	for (size_t m = 0; m < sizeof marks / sizeof *marks; m++)
		if (s[0] == marks[m].letter && !s[1] &&
		    version >= marks[m].since)
			return &marks[m];
	return NULL;
}

int manifest_write(const struct ckpt *c, const char *dir)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return error_errno("cannot allocate the manifest");
	fprintf(f, "ckpt-manifest %d\nroot ", MANIFEST_VERSION);
	put_path(f, c->root);
	fprintf(f, "\ncreated %" PRIu64 "\ncounts %zu %zu\n", c->created,
		c->nfiles, c->njobs);
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *fl = &c->files[i];
		char hex[HASH_HEX] = "-";
		if (fl->hash.hi || fl->hash.lo)
			hash_to_hex(&fl->hash, hex);
		fprintf(f, "f %c %s %" PRIu64 " %o %" PRId64 " %" PRIu64 " %d ",
			fl->role, hex, fl->size, fl->mode, fl->mtime, fl->ino,
			fl->producer);
		put_path(f, fl->path);
		if (fl->link) {
			fputc(' ', f);
			put_path(f, fl->link);
		}
		fputc('\n', f);
	}
	for (size_t m = 0; m < sizeof marks / sizeof *marks; m++)
		for (size_t i = 0; i < c->nfiles; i++)
			if ((c->files[i].role == ROLE_OUTPUT ||
			     marks[m].any_role) &&
			    (c->files[i].flags & marks[m].flag))
				fprintf(f, "%c %zu\n", marks[m].letter, i);
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *fl = &c->files[i];
		if (fl->role == ROLE_LISTING && fl->names)
			fprintf(f, "l %zu%s%s\n", i, *fl->names ? " " : "",
				fl->names);
	}
	for (size_t i = 0; i < c->nenvs; i++) {
		const struct envvar *e = &c->envs[i];
		char hex[HASH_HEX];
		fputs("v ", f);
		put_path(f, e->name);
		if (e->set) {
			hash_to_hex(&e->hash, hex);
			fprintf(f, " %s\n", hex);
		} else {
			fputs(" -\n", f);
		}
	}
	for (size_t i = 0; i < c->nstart_env; i++) {
		fputs("V ", f);
		put_path(f, c->start_env[i].name);
		fprintf(f, " %04x\n", (unsigned)(c->start_env[i].hash.lo & 0xffff));
	}
	struct dep *group, *diff = NULL;
	size_t ngroup = common_deps(c, &group), adiff = 0;
	if (ngroup) {
		fputc('g', f);
		for (size_t k = 0; k < ngroup; k++)
			put_dep(f, &group[k]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < c->njobs; i++) {
		const struct job *j = &c->jobs[i];
		fprintf(f, "j %c %d %d %" PRIu64 " %" PRIu64 " ", j->kind,
			j->driver, j->untraced, j->start, j->end);
		put_path(f, j->cwd);
		fputc(' ', f);
		fputs(j->cmd, f);
		fputc('\n', f);
		if (j->nprev) {
			fprintf(f, "p %" PRIu64, j->target_look);
			for (size_t k = 0; k < j->nprev; k++)
				fprintf(f, " %d", j->prev[k]);
			fputc('\n', f);
		}
		if (j->untraced) {
			fputs("u ", f);
			put_path(f, j->untraced_path ? j->untraced_path : "?");
			fputc('\n', f);
		}
		size_t nd = diff_deps(j, group, ngroup, &diff, &adiff);
		if (nd != SIZE_MAX) {
			fputs("d @0", f);
			for (size_t k = 0; k < nd; k++)
				put_dep(f, &diff[k]);
			fputc('\n', f);
		} else if (j->ndeps) {
			fputc('d', f);
			for (size_t k = 0; k < j->ndeps; k++)
				put_dep(f, &j->deps[k]);
			fputc('\n', f);
		}
		for (size_t k = 0; k < j->nenv; k++) {
			fputs("e ", f);
			put_path(f, j->env[k]);
			fputc('\n', f);
		}
		for (size_t k = 0; k < j->nnet; k++) {
			fputs("n ", f);
			put_path(f, j->net[k]);
			fputc('\n', f);
		}
		for (size_t k = 0; k < j->nexecs; k++) {
			const char *tab = strchr(j->execs[k], '\t');
			char *cwd = tab ? strndup(j->execs[k],
						  (size_t)(tab - j->execs[k]))
					: xstrdup("");
			fputs("x ", f);
			put_path(f, cwd);
			fprintf(f, " %s\n", tab ? tab + 1 : j->execs[k]);
			free(cwd);
		}
	}
	free(group);
	free(diff);
	for (size_t i = 0; i < c->nhazards; i++) {
		const struct hazard *h = &c->hazards[i];
		fprintf(f, "h %c %d %d %d\n", h->kind, h->file, h->job1,
			h->job2);
	}
	/* The last line holds the hash of all that comes before it. */
	if (fflush(f) != 0) {
		fclose(f);
		free(buf);
		return error_errno("cannot build the manifest");
	}
	struct hash128 h;
	hash_bytes(buf, len, &h);
	char hex[HASH_HEX];
	hash_to_hex(&h, hex);
	fprintf(f, "end %s\n", hex);
	if (fclose(f) != 0) {
		free(buf);
		return error_errno("cannot build the manifest");
	}
	size_t zlen;
	char *z = compress_frames(buf, len, &zlen);
	free(buf);
	if (!z)
		return -1;
	char *path = xasprintf("%s/manifest", dir);
	int rc = atomic_write(path, z, zlen, 0644);
	if (rc < 0)
		error_errno("cannot write %s", path);
	free(path);
	free(z);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

struct reader {
	const char *name;
	char *p, *end;
	int line;
	unsigned char acc[256];	/* access flags by dep letter */
	struct deps_line *dl;	/* the "d" lines, parsed last (parse_all_deps) */
	size_t ndl, adl;
	struct dep_group *groups;	/* "g" lines */
	size_t ngroups, agroups;
	int *file_line;		/* per file: its line, for errors */
	size_t afile_line;
	int envs_known;		/* envs_changed is made (env_wanted) */
	struct env_changes *envs_changed;
};

/* Next line, NUL-terminated in place, or NULL at the end. */
static char *next_line(struct reader *r)
{
	if (r->p >= r->end)
		return NULL;
	char *s = r->p;
	char *nl = memchr(s, '\n', (size_t)(r->end - s));
	if (!nl)
		nl = r->end;
	*nl = 0;
	r->p = nl + 1;
	r->line++;
	return s;
}

static int bad(struct reader *r, const char *what)
{
	return error("%s, line %d: %s (the checkpoint is damaged)", r->name,
		     r->line, what);
}

/* Split off the next space-separated token. */
static char *tok(char **s)
{
	if (!*s)
		return NULL;
	char *t = *s;
	char *sp = strchr(t, ' ');
	if (sp) {
		*sp = 0;
		*s = sp + 1;
	} else {
		*s = NULL;
	}
	return *t ? t : NULL;
}

/* A field's text, unescaped in place ("." is the empty string); NULL
 * when it is missing or malformed. */
static char *unescape_field(char *t)
{
	if (!t)
		return NULL;
	if (!strcmp(t, "."))
		t[0] = 0;
	else if (path_unescape(t) < 0)
		return NULL;
	return t;
}

static char *unescaped(char *t)
{
	t = unescape_field(t);
	return t ? xstrdup(t) : NULL;
}

/* A whole token of decimal digits, in base (8 or 10), that fits in 64
 * bits. Written out rather than strtoull: the manifest of a large tree
 * has half a million numbers, and the C library's locale-aware parser was
 * a tenth of `ckpt status`. */
static int digits(const char *t, unsigned base, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = t;
	for (; *p; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (d >= base)
			return -1;
		/* 19 digits fit in any base up to 10: no division before */
		if (p - t >= 19 && v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (p == t)
		return -1;
	*out = v;
	return 0;
}

static int unum(const char *t, uint64_t *out)
{
	return t ? digits(t, 10, out) : -1;
}

static int num(const char *t, int64_t *out)
{
	if (!t)
		return -1;
	int neg = *t == '-';
	uint64_t v;
	if (digits(t + neg, 10, &v) || v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* One file record into f, its line s unescaped in place: NULL, or what is
 * wrong with it. Pure but for its allocations: the records are parsed on
 * several threads. */
static const char *file_record(struct file *f, char *s)
{
	char *role = tok(&s), *hex = tok(&s), *size = tok(&s), *mode = tok(&s),
	     *mtime = tok(&s), *ino = tok(&s), *prod = tok(&s),
	     *path = tok(&s), *link = tok(&s);
	int64_t mt, pr;
	uint64_t sz, in, md;
	ckpt_file_init(f, NULL);
	if (!path || !role || !hex || strlen(role) != 1 ||
	    !strchr("SEODALXTP", role[0]) || !mode || digits(mode, 8, &md) ||
	    md > UINT32_MAX || unum(size, &sz) || num(mtime, &mt) ||
	    unum(ino, &in) || num(prod, &pr) || pr < -1 ||
	    pr >= (int64_t)INT32_MAX)
		return "malformed file record";
	if (!unescape_field(path))
		return "malformed path";
	if (path[0] != '/' && path[0] && !path_is_safe_relative(path))
		return "a path that escapes the root";
	f->path = xstrdup(path);
	f->role = role[0];
	if (strcmp(hex, "-") && hash_from_hex(hex, &f->hash) < 0)
		return "malformed hash";
	f->size = sz;
	f->mode = (uint32_t)md;
	f->mtime = mt;
	f->ino = in;
	f->producer = (int)pr;
	if (link && !(f->link = unescaped(link)))
		return "malformed link target";
	return NULL;
}

/*
 * The file records, all the lines from r->p that start with "f ": found
 * first (a pass of memchr), then parsed on a thread a core, each into its
 * own slot. They are most of a large tree's manifest (80,000 lines, 8 MB),
 * and reading them was a third of `ckpt status` there. A damaged one is
 * reported by the first such line.
 */
struct files_part {
	struct ckpt *c;
	size_t base;		/* id of the first */
	char **line;		/* n + 1 starts: the last is the section's end */
	pthread_mutex_t lock;
	size_t bad;		/* index of the first damaged one, or n */
	const char *why;
};

static int file_one(void *arg, size_t i, int worker)
{
	(void)worker;
	struct files_part *fp = arg;
	fp->line[i + 1][-1] = 0;	/* its newline */
	const char *why = file_record(&fp->c->files[fp->base + i],
				      fp->line[i] + 2);	/* past "f " */
	if (why) {
		pthread_mutex_lock(&fp->lock);
		if (i < fp->bad)
			fp->bad = i, fp->why = why;
		pthread_mutex_unlock(&fp->lock);
	}
	return 0;	/* every slot is filled in: all are freed alike */
}

static int parse_files(struct reader *r, struct ckpt *c)
{
	size_t n = 0, a = 0;
	char **line = NULL;
	char *q = r->p;
	while (q < r->end && q[0] == 'f' && q[1] == ' ') {
		GROW(line, n, a);
		line[n++] = q;
		char *nl = memchr(q, '\n', (size_t)(r->end - q));
		q = nl ? nl + 1 : r->end;
	}
	GROW(line, n, a);
	line[n] = q;
	if (q == r->end && (q == r->p || q[-1] != '\n')) {
		free(line);	/* the file records run into the end line */
		return bad(r, "malformed file record");
	}
	struct files_part fp = { .c = c, .base = c->nfiles, .line = line,
				 .lock = PTHREAD_MUTEX_INITIALIZER, .bad = n };
	ckpt_files_add(c, n);
	if (fp.base + n > r->afile_line) {
		r->file_line = xrealloc(r->file_line, (fp.base + n) *
						      sizeof *r->file_line);
		r->afile_line = fp.base + n;
	}
	for (size_t i = 0; i < n; i++)
		r->file_line[fp.base + i] = r->line + 1 + (int)i;
	parallel_for(n, 1024, n >= 8192 ? PFOR_CPU : 1, file_one, &fp, NULL);
	free(line);
	if (fp.bad < n) {
		r->line += (int)fp.bad + 1;
		return bad(r, fp.why);
	}
	r->line += (int)n;
	r->p = q;
	return 0;
}

static int parse_mark(struct reader *r, struct ckpt *c, char *s,
		      const struct mark *m)
{
	int64_t id;
	if (num(s, &id) || id < 0 || id >= (int64_t)c->nfiles)
		return bad(r, "a mark of a file that is not there");
	if (!m->any_role && c->files[id].role != ROLE_OUTPUT)
		return bad(r, "a mark of an output on what is not one");
	c->files[id].flags |= m->flag;
	return 0;
}

/* A listing's names are kept as written, and read only by listing_diff. */
static int parse_listing(struct reader *r, struct ckpt *c, char *s)
{
	int64_t id;
	if (num(tok(&s), &id) || id < 0 || id >= (int64_t)c->nfiles ||
	    c->files[id].role != ROLE_LISTING)
		return bad(r, "listed names of what is not a listed directory");
	free(c->files[id].names);
	c->files[id].names = xstrdup(s ? s : "");
	return 0;
}

static int parse_job(struct reader *r, struct ckpt *c, char *s)
{
	char *kind = tok(&s), *drv = tok(&s), *ut = tok(&s), *start = tok(&s),
	     *end = tok(&s), *cwd = tok(&s);
	int64_t d, u;
	uint64_t st, en;
	if (!cwd || !kind || strlen(kind) != 1 || !strchr("rds", kind[0]) ||
	    num(drv, &d) || num(ut, &u) || unum(start, &st) || unum(end, &en) ||
	    d < -1 || d >= (int64_t)c->njobs)
		return bad(r, "malformed job record");
	int j = ckpt_job_new(c, kind[0], (int)d);
	struct job *job = &c->jobs[j];
	job->untraced = (int)u;
	job->start = st;
	job->end = en;
	job->cwd = unescaped(cwd);
	job->cmd = xstrdup(s ? s : "");
	if (!job->cwd)
		return bad(r, "malformed directory");
	return 0;
}

/* Is the variable of an "e" record one that changed (envs[].changed, set
 * by the files_read hook)? Those are all a reader that skips details
 * needs. The set of them is made at the first "e" record, after every
 * "v" record and the hook. */
static int env_wanted(struct reader *r, const struct ckpt *c,
		      const char *field)
{
	if (!r->envs_known) {
		r->envs_known = 1;
		r->envs_changed = envvars_changes(c);
	}
	if (!r->envs_changed)
		return 0;
	char *name = xstrdup(field);
	int wanted = unescape_field(name) &&
		     envvars_changes_find(r->envs_changed, name) >= 0;
	free(name);
	return wanted;
}

/* "p <job>...": the jobs the last one may follow in a recipe. */
static int parse_prev(struct reader *r, struct job *job, char *s)
{
	if (job->nprev || job->target_look)
		return bad(r, "a second recipe link record");
	if (unum(tok(&s), &job->target_look))
		return bad(r, "malformed recipe link");
	for (char *t; (t = tok(&s));) {
		int64_t v;
		if (num(t, &v) || v < 0 || v > INT32_MAX)
			return bad(r, "malformed recipe link");
		GROW(job->prev, job->nprev, job->aprev);
		job->prev[job->nprev++] = (int)v;
	}
	if (!job->nprev && !job->target_look)
		return bad(r, "malformed recipe link");
	return 0;
}

/* Access flags by dep letter, 0 for any other byte. */
_Static_assert(ACC_MKDIR <= 0xff && ACC_DELETE <= 0xff,
	       "a dep letter's flags fit in a byte");
static void letter_table(unsigned char acc[256])
{
	memset(acc, 0, 256);
	for (size_t i = 0; i < NLETTERS; i++)
		acc[(unsigned char)acc_letters[i].letter] =
			(unsigned char)acc_letters[i].acc;
}

/* A "d" line: the deps of job `job`, its text from s. */
struct deps_line {
	size_t job;
	const char *s;
	int line;
};

/*
 * "<file><letters> ..." in one pass, into a scratch array; "-<file>"
 * (acc DROP) too if `drops`, and then the files must come in increasing
 * order. NULL, or what is wrong.
 */
static const char *tokens_of(const struct ckpt *c, const unsigned char acc[256],
			     const char *s, int drops, struct dep **scratch,
			     size_t *ascratch, size_t *ntok)
{
	const unsigned char *e = (const unsigned char *)s;
	size_t n = 0;
	while (*e) {
		int drop = drops && *e == '-';
		e += drop;
		const unsigned char *t = e;
		uint64_t f = 0;
		while (*e >= '0' && *e <= '9' && f < c->nfiles)
			f = f * 10 + (uint64_t)(*e++ - '0');
		if (e == t || f >= c->nfiles)
			return "a dependency on an unknown file";
		int a = 0, l;
		for (; *e && *e != ' '; e++) {
			if (drop || !(l = acc[*e]))
				return "unknown access letter";
			a |= l;
		}
		if (drops && n && (int)f <= (*scratch)[n - 1].file)
			return "dependencies out of order";
		GROW(*scratch, n, *ascratch);
		struct dep *d = &(*scratch)[n++];
		d->file = (int)f;	/* not a compound literal: gcc clears */
		d->acc = drop ? DROP : a;	/* that with a slow `rep stos` */
		if (*e)
			e++;
	}
	*ntok = n;
	return NULL;
}

/* A dep group ("g" line), parsed before the jobs' deps. */
struct dep_group {
	struct dep *deps;
	size_t n;
};

/*
 * A "d" line of job j, its deps added to those it has: the line's tokens
 * as they are, or (starting with "@N") group N's deps with the line's
 * own merged in by file, its drops taken out. These lines hold nearly all
 * of a manifest, so they are parsed last (parse_all_deps), on a thread a
 * core, each job's by one thread. NULL, or what is wrong.
 */
static const char *deps_of(const struct ckpt *c, const struct reader *r,
			   struct job *j, const char *s, struct dep **scratch,
			   size_t *ascratch)
{
	const struct dep_group *g = NULL;
	if (*s == '@') {
		char *end;
		unsigned long gi = strtoul(s + 1, &end, 10);
		if (end == s + 1 || gi >= r->ngroups || (*end && *end != ' '))
			return "a dependency group that does not exist";
		g = &r->groups[gi];
		s = *end ? end + 1 : end;
	}
	size_t n;
	const char *why = tokens_of(c, r->acc, s, g != NULL, scratch,
				    ascratch, &n);
	if (why)
		return why;
	const struct dep *own = *scratch;
	size_t most = n + (g ? g->n : 0), k = j->ndeps;
	j->deps = xrealloc(j->deps, (k + most) * sizeof *j->deps);
	if (!g) {
		memcpy(j->deps + k, own, n * sizeof *own);
		k += n;
	}
	for (size_t a = 0, b = 0; g && (a < g->n || b < n);) {
		if (b == n || (a < g->n && g->deps[a].file < own[b].file)) {
			j->deps[k++] = g->deps[a++];
		} else if (a == g->n || own[b].file < g->deps[a].file) {
			if (own[b].acc == DROP)
				return "dropping a dependency the group does "
				       "not have";
			j->deps[k++] = own[b++];
		} else {
			if (own[b].acc != DROP)
				j->deps[k++] = own[b];
			a++, b++;
		}
	}
	j->ndeps = j->adeps = k;
	return NULL;
}

/* A "g" line: group r->ngroups. */
static int parse_group(struct reader *r, const struct ckpt *c, const char *s)
{
	struct dep *deps = NULL;
	size_t n = 0, a = 0;
	const char *why = tokens_of(c, r->acc, s, 1, &deps, &a, &n);
	for (size_t k = 0; !why && k < n; k++)
		if (deps[k].acc == DROP)
			why = "a dropped dependency in a group";
	if (why) {
		free(deps);
		return bad(r, why);
	}
	GROW(r->groups, r->ngroups, r->agroups);
	r->groups[r->ngroups++] = (struct dep_group){ deps, n };
	return 0;
}

struct deps_part {
	struct ckpt *c;
	const struct reader *r;
	size_t *run;		/* starts in r->dl of each job's lines; n + 1 */
	struct dep *scratch[PFOR_MAX];
	size_t ascratch[PFOR_MAX];
	pthread_mutex_t lock;
	int bad_line;		/* the first damaged one, or 0 */
	const char *why;
};

static int deps_run(void *arg, size_t k, int worker)
{
	struct deps_part *dp = arg;
	for (size_t i = dp->run[k]; i < dp->run[k + 1]; i++) {
		const struct deps_line *l = &dp->r->dl[i];
		const char *why = deps_of(dp->c, dp->r,
					  &dp->c->jobs[l->job], l->s,
					  &dp->scratch[worker],
					  &dp->ascratch[worker]);
		if (why) {
			pthread_mutex_lock(&dp->lock);
			if (!dp->bad_line || l->line < dp->bad_line)
				dp->bad_line = l->line, dp->why = why;
			pthread_mutex_unlock(&dp->lock);
			break;
		}
	}
	return 0;
}

static int parse_all_deps(struct reader *r, struct ckpt *c)
{
	struct deps_part dp = { .c = c, .r = r,
				.lock = PTHREAD_MUTEX_INITIALIZER };
	dp.run = xmalloc((r->ndl + 1) * sizeof *dp.run);
	size_t n = 0;
	for (size_t i = 0; i < r->ndl; i++)
		if (!i || r->dl[i].job != r->dl[i - 1].job)
			dp.run[n++] = i;
	dp.run[n] = r->ndl;
	parallel_for(n, 16, r->ndl >= 256 ? PFOR_CPU : 1, deps_run, &dp, NULL);
	for (int w = 0; w < PFOR_MAX; w++)
		free(dp.scratch[w]);
	free(dp.run);
	if (dp.bad_line) {
		r->line = dp.bad_line;
		return bad(r, dp.why);
	}
	return 0;
}

/* The file table is whole: index it, at once (a path twice is damage),
 * and hand it to the hook. No file is added after this. */
static int files_whole(struct reader *r, struct ckpt *c,
		       const struct manifest_hook *hook)
{
	int dup = ckpt_index_files(c);
	if (dup >= 0) {
		r->line = r->file_line[dup];
		return bad(r, "the same path twice");
	}
	if (hook)
		hook->files_read(c, hook->arg);
	return 0;
}

static int parse(struct reader *r, struct ckpt *c,
		 const struct manifest_hook *hook)
{
	char *s = next_line(r);
	if (!s || strncmp(s, "ckpt-manifest ", 14))
		return bad(r, "not a ckpt manifest");
	int version = atoi(s + 14);
	if (version < 1 || version > MANIFEST_VERSION)
		return error("%s: manifest version %s, this ckpt reads 1 to %d",
			     r->name, s + 14, MANIFEST_VERSION);
	c->links_known = version >= 11;
	struct job *last = NULL;
	int files_read = 0;	/* the file table is whole: files_whole */
	while (r->p < r->end) {
		if (!files_read && !strncmp(r->p, "f ", 2)) {
			if (parse_files(r, c) < 0)
				return -1;
			continue;
		}
		s = next_line(r);
		char *rest = strchr(s, ' ');
		if (!rest)
			return bad(r, "malformed line");
		*rest++ = 0;
		int rc = 0;
		const struct mark *mark = mark_of(s, version);
		int file_line = mark || !strcmp(s, "f") || !strcmp(s, "l") ||
				!strcmp(s, "v") || !strcmp(s, "V");
		if (file_line && files_read)
			return bad(r, "a file or environment record after the "
				      "jobs");
		if (!files_read && !file_line && strcmp(s, "root") &&
		    strcmp(s, "created") && strcmp(s, "counts")) {
			if (files_whole(r, c, hook) < 0)
				return -1;
			files_read = 1;
		}
		if (mark) {
			rc = parse_mark(r, c, rest, mark);
		} else if (!strcmp(s, "l") && version >= 6) {
			rc = parse_listing(r, c, rest);
		} else if (!strcmp(s, "j")) {
			rc = parse_job(r, c, rest);
			last = &c->jobs[c->njobs - 1];
		} else if (!strcmp(s, "root")) {
			free(c->root);
			c->root = unescaped(rest);
			if (!c->root || c->root[0] != '/')
				return bad(r, "malformed root");
		} else if (!strcmp(s, "created")) {
			if (unum(rest, &c->created))
				return bad(r, "malformed time");
		} else if (!strcmp(s, "counts")) {
			/* Room for every file at once: growing the array
			 * moves it each time it doubles. */
			uint64_t nf;
			char *t = tok(&rest);
			if (!unum(t, &nf) && nf <= (1u << 26))
				ckpt_reserve(c, (size_t)nf);
		} else if (!strcmp(s, "h")) {
			char *k = tok(&rest), *fi = tok(&rest), *j1 = tok(&rest),
			     *j2 = tok(&rest);
			int64_t f, a, b;
			if (!k || strlen(k) != 1 || !strchr("wros", *k) ||
			    num(fi, &f) || num(j1, &a) || num(j2, &b) || f < 0 ||
			    f >= (int64_t)c->nfiles || a < -1 ||
			    a >= (int64_t)c->njobs || b < -1 ||
			    b >= (int64_t)c->njobs)
				return bad(r, "malformed hazard");
			GROW(c->hazards, c->nhazards, c->ahazards);
			c->hazards[c->nhazards++] = (struct hazard){
				*k, (int)f, (int)a, (int)b
			};
		} else if (!strcmp(s, "v") && version >= 4) {
			char *name = unescaped(tok(&rest)), *hv = tok(&rest);
			struct envvar e = { .name = name, .set = hv && strcmp(hv, "-") };
			if (!name || !*name || !hv || rest ||
			    (e.set && hash_from_hex(hv, &e.hash) < 0)) {
				free(name);
				return bad(r, "malformed environment variable");
			}
			GROW(c->envs, c->nenvs, c->aenvs);
			c->envs[c->nenvs++] = e;
		} else if (!strcmp(s, "V") && version >= 6) {
			char *name = unescaped(tok(&rest)), *hv = tok(&rest);
			struct envvar e = { .name = name, .set = 1 };
			if (!name || !*name || !hv || rest || strlen(hv) != 4 ||
			    strspn(hv, "0123456789abcdef") != 4 ||
			    (c->nstart_env &&
			     strcmp(c->start_env[c->nstart_env - 1].name,
				    name) >= 0)) {
				free(name);
				return bad(r, "malformed start environment "
					      "variable");
			}
			e.hash.lo = strtoul(hv, NULL, 16);
			GROW(c->start_env, c->nstart_env, c->astart_env);
			c->start_env[c->nstart_env++] = e;
		} else if (!strcmp(s, "g") && version >= 5) {
			rc = parse_group(r, c, rest);
		} else if (!strcmp(s, "end")) {
			break;
		} else if (!last) {
			return bad(r, "a job detail before any job");
		} else if (!strcmp(s, "d")) {
			GROW(r->dl, r->ndl, r->adl);
			r->dl[r->ndl++] = (struct deps_line){ c->njobs - 1, rest,
							      r->line };
		} else if (!strcmp(s, "p") && version >= 4) {
			rc = parse_prev(r, last, rest);
		} else if (!strcmp(s, "u")) {
			free(last->untraced_path);
			last->untraced_path = unescaped(rest);
		} else if (hook && hook->skip_details &&
			   (!strcmp(s, "n") || !strcmp(s, "x") ||
			    (!strcmp(s, "e") && !env_wanted(r, c, rest)))) {
			continue;
		} else if (!strcmp(s, "e") || !strcmp(s, "n")) {
			char *v = unescape_field(rest);
			if (!v)
				return bad(r, "malformed name");
			if (*s == 'e')
				job_add_string(&last->env, &last->nenv,
					       &last->aenv, v, 0);
			else
				job_add_string(&last->net, &last->nnet,
					       &last->anet, v, 0);
		} else if (!strcmp(s, "x")) {
			char *cwd = unescaped(tok(&rest));
			if (!cwd)
				return bad(r, "malformed exec");
			char *line = xasprintf("%s\t%s", cwd, rest ? rest : "");
			job_add_string(&last->execs, &last->nexecs,
				       &last->aexecs, line, 0);
			free(line);
			free(cwd);
		} else {
			return bad(r, "unknown record");
		}
		if (rc < 0)
			return -1;
	}
	if (!files_read && files_whole(r, c, hook) < 0)	/* no jobs */
		return -1;
	if (parse_all_deps(r, c) < 0)
		return -1;
	for (size_t i = 0; i < c->nfiles; i++)
		if (c->files[i].producer >= (int)c->njobs)
			return error("%s: file %s names job %d, which does not "
				     "exist (the checkpoint is damaged)",
				     r->name, c->files[i].path,
				     c->files[i].producer);
	for (size_t i = 0; i < c->njobs; i++)
		for (size_t k = 0; k < c->jobs[i].nprev; k++)
			if (c->jobs[i].prev[k] >= (int)c->njobs)
				return error("%s: job %zu follows job %d, which "
					     "does not exist (the checkpoint "
					     "is damaged)",
					     r->name, i, c->jobs[i].prev[k]);
	return 0;
}

/* A manifest's frames, each decompressed into its place in the text. */
struct unframes {
	const char *z;
	size_t *zoff;		/* n + 1 offsets into z */
	size_t *cut;		/* n + 1 offsets into the text */
	char *text;
	size_t n;
};

static int decompress_one(void *arg, size_t i, int worker)
{
	(void)worker;
	struct unframes *u = arg;
	size_t want = u->cut[i + 1] - u->cut[i];
	size_t got = ZSTD_decompress(u->text + u->cut[i], want, u->z + u->zoff[i],
				     u->zoff[i + 1] - u->zoff[i]);
	return ZSTD_isError(got) || got != want ? -1 : 0;
}

/*
 * A compressed manifest is replaced by its text: whole zstd frames, one
 * or more (ckpt wrote a single one before 2026-11-24), nothing after
 * them, each announcing its size; decompressed side by side.
 */
static int unpack(const char *path, char **buf, size_t *len)
{
	static const unsigned char magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	if (*len < 4 || memcmp(*buf, magic, 4))
		return 0;	/* plain text */
	struct unframes u = { .z = *buf };
	size_t a = 0, b = 0, at = 0, total = 0, nz = 0;
	int ok = 1;
	while (ok && at < *len) {
		size_t fl = ZSTD_findFrameCompressedSize(*buf + at, *len - at);
		unsigned long long n = ZSTD_getFrameContentSize(*buf + at,
								*len - at);
		ok = !ZSTD_isError(fl) && n != ZSTD_CONTENTSIZE_ERROR &&
		     n != ZSTD_CONTENTSIZE_UNKNOWN && n <= (1ull << 34) - total;
		if (!ok)
			break;
		GROW(u.zoff, nz, a);
		u.zoff[nz++] = at;
		GROW(u.cut, u.n, b);
		u.cut[u.n++] = total;
		at += fl;
		total += (size_t)n;
	}
	if (ok) {
		GROW(u.zoff, nz, a);
		u.zoff[nz] = at;
		GROW(u.cut, u.n, b);
		u.cut[u.n] = total;
		u.text = xmalloc(total + 1);
		advise_huge(u.text, total + 1);
		ok = parallel_for(u.n, 1, u.n > 1 ? PFOR_CPU : 1,
				  decompress_one, &u, NULL) == 0;
	}
	free(u.zoff);
	free(u.cut);
	if (!ok) {
		free(u.text);
		return error("%s: the manifest cannot be decompressed: the "
			     "checkpoint is damaged", path);
	}
	u.text[total] = 0;
	free(*buf);
	*buf = u.text;
	*len = total;
	return 0;
}

int manifest_read(struct ckpt *c, const char *dir)
{
	return manifest_read_hooked(c, dir, NULL);
}

int manifest_read_hooked(struct ckpt *c, const char *dir,
			 const struct manifest_hook *hook)
{
	char *path = xasprintf("%s/manifest", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			error("no checkpoint in %s (record one with `ckpt "
			      "record -- make`)", dir);
		else
			error_errno("cannot open %s", path);
		free(path);
		if (hook)
			hook->done(hook->arg, 0);
		return -1;
	}
	struct stat st;
	char *buf = NULL;
	int rc = -1;
	if (fstat(fd, &st) < 0) {
		error_errno("cannot stat %s", path);
		goto out;
	}
	size_t len = (size_t)st.st_size;
	buf = xmalloc(len + 1);
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n <= 0) {
			error_errno("cannot read %s", path);
			goto out;
		}
		got += (size_t)n;
	}
	buf[len] = 0;
	if (unpack(path, &buf, &len) < 0)
		goto out;
	/* The last line carries the checksum of everything before it. */
	char *endl = len >= 37 ? buf + len - 37 : NULL;
	struct hash128 want, have;
	if (!endl || strncmp(endl, "end ", 4) || buf[len - 1] != '\n' ||
	    (endl > buf && endl[-1] != '\n')) {
		error("%s: the manifest is cut short (no end line): the "
		      "checkpoint is damaged", path);
		goto out;
	}
	char hex[HASH_HEX];
	memcpy(hex, endl + 4, 32);
	hex[32] = 0;
	hash_bytes(buf, (size_t)(endl - buf), &have);
	if (hash_from_hex(hex, &want) < 0 || !hash_equal(&want, &have)) {
		error("%s: checksum mismatch: the checkpoint is damaged", path);
		goto out;
	}
	struct reader r = { .name = path, .p = buf, .end = endl };
	letter_table(r.acc);
	ckpt_init(c, NULL);
	rc = parse(&r, c, hook);
	free(r.dl);
	free(r.file_line);
	envvars_changes_free(r.envs_changed);
	for (size_t g = 0; g < r.ngroups; g++)
		free(r.groups[g].deps);
	free(r.groups);
	if (hook)
		hook->done(hook->arg, rc == 0);
	if (rc < 0)
		ckpt_release(c);
	hook = NULL;	/* done */
out:
	if (hook)	/* failed before the parse */
		hook->done(hook->arg, 0);
	free(buf);
	close(fd);
	free(path);
	return rc;
}
