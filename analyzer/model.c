/*
 * model.c - the file table and the job list of a checkpoint.
 *
 * Files are interned by path in one growing array, indexed by an open-
 * addressing hash table of file ids (linear probing, at most half full).
 * A slot holds the id + 1 (0 is empty) and the high half of the path's
 * XXH3, so a probe reads the file's path only when that matches; ids do
 * not move when the array does, so only a full table is rebuilt. A job's
 * deps are appended while the trace is read and merged per file at the
 * end (ckpt_sort_deps), keeping the earliest input time and the latest
 * write.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "model.h"
#include "trace.h"

struct slot {
	uint32_t id1;		/* file id + 1; 0: empty */
	uint32_t hi;		/* high 32 bits of the path's hash */
};

void ckpt_init(struct ckpt *c, const char *root)
{
	memset(c, 0, sizeof *c);
	c->root = xstrdup(root ? root : "");
}

static void slot_put(struct ckpt *c, uint32_t id, uint64_t h)
{
	size_t mask = c->nslots - 1, i = (size_t)h & mask;
	while (c->slots[i].id1)
		i = (i + 1) & mask;
	c->slots[i] = (struct slot){ id + 1, (uint32_t)(h >> 32) };
}

static int lookup(const struct ckpt *c, const char *path, size_t len,
		  uint64_t h);

/* Index files [0, nfiles) anew in at least `want` slots; with `check`, the
 * id of the first file whose path an earlier one has, else -1. The
 * hashes are taken a few files ahead and their slots prefetched: each
 * insert is a cache miss in a table of megabytes, and this way several
 * are under way at once (80,000 files: 7 -> 2 ms). */
static int index_all(struct ckpt *c, size_t want, int check)
{
	enum { AHEAD = 8 };
	uint64_t h[AHEAD];
	free(c->slots);
	c->slots = xcalloc(want, sizeof *c->slots);
	c->nslots = want;
	size_t mask = want - 1;
	for (size_t i = 0; i < c->nfiles + AHEAD; i++) {
		if (i >= AHEAD) {	/* file k, whose slot was prefetched */
			size_t k = i - AHEAD;
			const char *p = c->files[k].path;
			if (check && lookup(c, p, strlen(p), h[k % AHEAD]) >= 0)
				return (int)k;
			slot_put(c, (uint32_t)k, h[k % AHEAD]);
		}
		if (i < c->nfiles) {	/* file i: its slot is wanted soon */
			const char *p = c->files[i].path;
			h[i % AHEAD] = XXH3_64bits(p, strlen(p));
			__builtin_prefetch(&c->slots[h[i % AHEAD] & mask], 1);
		}
	}
	return -1;
}

/* Slots for at least n files, at most half of them used. */
static size_t slots_for(size_t n)
{
	size_t want = 1024;
	while (want < 2 * n)
		want *= 2;
	return want;
}

static void index_resize(struct ckpt *c, size_t n)
{
	if (slots_for(n) > c->nslots)
		index_all(c, slots_for(n), 0);
}

static void files_reserve(struct ckpt *c, size_t n)
{
	if (n > c->afiles) {
		c->files = xrealloc(c->files, n * sizeof *c->files);
		advise_huge(c->files + c->afiles,
			    (n - c->afiles) * sizeof *c->files);
		c->afiles = n;
	}
}

void ckpt_reserve(struct ckpt *c, size_t n)
{
	files_reserve(c, n);
	index_resize(c, n);
}

void ckpt_file_init(struct file *f, const char *path)
{
	memset(f, 0, sizeof *f);
	f->path = path ? xstrdup(path) : NULL;
	f->producer = -1;
	f->mark_job = -1;
}

static int file_append(struct ckpt *c, const char *path)
{
	if (c->nfiles >= c->afiles)
		files_reserve(c, c->afiles ? c->afiles * 2 : 1024);
	ckpt_file_init(&c->files[c->nfiles], path);
	return (int)c->nfiles++;
}

void ckpt_files_add(struct ckpt *c, size_t n)
{
	if (c->nfiles + n > c->afiles)
		files_reserve(c, c->nfiles + n);
	c->nfiles += n;
}

const char *untraced_reason(int why)
{
	switch (why) {
	case CKPT_UT_STATIC: return "static executable (no PT_INTERP)";
	case CKPT_UT_SETID: return "setuid/setgid";
	case CKPT_UT_CAPS: return "file capabilities";
	case CKPT_UT_RAW: return "exec by raw system call";
	case CKPT_UT_ABI: return "ELF of another class";
	case CKPT_UT_NOTRACE: return "started, but left no trace (its trace "
				     "file could not be made: a seccomp "
				     "sandbox, as man-db runs its filters "
				     "in unless MAN_DISABLE_SECCOMP=1; or it "
				     "died before the shim ran)";
	}
	return "unknown";
}

int ckpt_index_files(struct ckpt *c)
{
	return index_all(c, slots_for(c->nfiles), 1);
}

static int lookup(const struct ckpt *c, const char *path, size_t len,
		  uint64_t h)
{
	if (!c->nslots)
		return -1;
	size_t mask = c->nslots - 1;
	for (size_t i = (size_t)h & mask; c->slots[i].id1; i = (i + 1) & mask) {
		if (c->slots[i].hi != (uint32_t)(h >> 32))
			continue;
		const char *p = c->files[c->slots[i].id1 - 1].path;
		if (!strncmp(p, path, len) && !p[len])
			return (int)c->slots[i].id1 - 1;
	}
	return -1;
}

int ckpt_lookup(const struct ckpt *c, const char *path, size_t len)
{
	return lookup(c, path, len, XXH3_64bits(path, len));
}

int ckpt_file(struct ckpt *c, const char *path, int create)
{
	size_t len = strlen(path);
	uint64_t h = XXH3_64bits(path, len);
	int id = lookup(c, path, len, h);
	if (id >= 0 || !create)
		return id;
	if (2 * (c->nfiles + 1) > c->nslots)
		index_resize(c, c->nfiles + 1);
	id = file_append(c, path);
	slot_put(c, (uint32_t)id, h);
	return id;
}

int ckpt_job_new(struct ckpt *c, int kind, int driver)
{
	GROW(c->jobs, c->njobs, c->ajobs);
	struct job *j = &c->jobs[c->njobs];
	memset(j, 0, sizeof *j);
	j->kind = kind;
	j->driver = driver;
	return (int)c->njobs++;
}

void job_access(struct ckpt *c, int ji, int fi, int acc, uint64_t t)
{
	struct job *j = &c->jobs[ji];
	struct file *f = &c->files[fi];
	size_t k;
	if (f->mark_job == ji && f->mark_idx < (int)j->ndeps &&
	    j->deps[f->mark_idx].file == fi) {
		k = (size_t)f->mark_idx;
	} else {
		GROW(j->deps, j->ndeps, j->adeps);
		if (j->adtimes < j->adeps) {	/* room for as many times */
			j->dtimes = xrealloc(j->dtimes,
					     j->adeps * sizeof *j->dtimes);
			memset(j->dtimes + j->adtimes, 0,
			       (j->adeps - j->adtimes) * sizeof *j->dtimes);
			j->adtimes = j->adeps;
		}
		k = j->ndeps++;
		j->deps[k] = (struct dep){ .file = fi };
		/* Not what a merged-away dep left there (ckpt_sort_deps). */
		j->dtimes[k] = (struct dep_time){ 0, 0, 0 };
		f->mark_job = ji;
		f->mark_idx = (int)k;
	}
	struct dep *d = &j->deps[k];
	struct dep_time *dt = &j->dtimes[k];
	/* The earliest times, not the first seen: a job's processes are
	 * taken one after another, and a shell's own `>>` comes before the
	 * events of the child it forked earlier. */
	int in = ACC_READ | ACC_STAT | ACC_ABSENT | ACC_LIST;
	int out = ACC_WRITE | ACC_MKDIR | ACC_DELETE;
	if ((acc & in) && (!(d->acc & in) || t < dt->in))
		dt->in = t;
	if ((acc & out) && (!(d->acc & out) || t < dt->write))
		dt->write = t;
	if ((acc & ACC_USED) && (!(d->acc & ACC_USED) || t < dt->used))
		dt->used = t;
	d->acc |= acc;
}

void job_add_string(char ***arr, size_t *n, size_t *a, const char *s,
		    int unique)
{
	if (unique)
		for (size_t i = 0; i < *n; i++)
			if (!strcmp((*arr)[i], s))
				return;
	GROW(*arr, *n, *a);
	(*arr)[(*n)++] = xstrdup(s);
}

/* A dep with its times, while the deps of a job are sorted. */
struct timed_dep {
	struct dep d;
	struct dep_time t;
};

/*
 * A job's deps by file, stably: a radix sort of the file numbers, a byte
 * at a time, from v into tmp and back (`passes` bytes: enough for every
 * file number). glibc's qsort, a call through a pointer for each of some
 * 20 million comparisons, was a fifth of build_from_trace on a kernel
 * build's trace. Returns where the sorted deps are, v or tmp.
 */
static struct timed_dep *sort_by_file(struct timed_dep *v,
				      struct timed_dep *tmp, size_t n,
				      int passes)
{
	size_t sorted = 1;
	while (sorted < n && v[sorted - 1].d.file <= v[sorted].d.file)
		sorted++;
	if (sorted >= n)
		return v;	/* often: the files in the order first seen */
	if (n < 32) {		/* insertion */
		for (size_t i = sorted; i < n; i++) {
			struct timed_dep x = v[i];
			size_t k = i;
			for (; k > 0 && v[k - 1].d.file > x.d.file; k--)
				v[k] = v[k - 1];
			v[k] = x;
		}
		return v;
	}
	size_t at[256];
	for (int p = 0; p < passes; p++) {
		int shift = 8 * p;
		memset(at, 0, sizeof at);
		for (size_t i = 0; i < n; i++)
			at[((unsigned)v[i].d.file >> shift) & 255]++;
		size_t sum = 0;
		for (int b = 0; b < 256; b++) {
			size_t k = at[b];
			at[b] = sum;
			sum += k;
		}
		for (size_t i = 0; i < n; i++)
			tmp[at[((unsigned)v[i].d.file >> shift) & 255]++] = v[i];
		struct timed_dep *swap = v;
		v = tmp;
		tmp = swap;
	}
	return v;
}

void ckpt_sort_deps(struct ckpt *c)
{
	struct timed_dep *buf = NULL, *tmp = NULL;
	size_t abuf = 0;
	int passes = 1;
	while (passes < 4 && c->nfiles >> (8 * passes))
		passes++;
	for (size_t i = 0; i < c->njobs; i++) {
		struct job *j = &c->jobs[i];
		if (j->ndeps > abuf) {
			abuf = j->ndeps;
			buf = xrealloc(buf, abuf * sizeof *buf);
			tmp = xrealloc(tmp, abuf * sizeof *tmp);
		}
		for (size_t n = 0; n < j->ndeps; n++)
			buf[n] = (struct timed_dep){
				j->deps[n], { dep_t_in(j, n), dep_t_write(j, n),
					      dep_t_used(j, n) }
			};
		struct timed_dep *td = sort_by_file(buf, tmp, j->ndeps, passes);
		size_t k = 0;
		for (size_t n = 0; n < j->ndeps; n++) {
			const struct timed_dep *d = &td[n];
			if (k && td[k - 1].d.file == d->d.file) {
				struct timed_dep *m = &td[k - 1];
				int m_in = m->d.acc & ~(ACC_WRITE | ACC_MKDIR | ACC_DELETE);
				int d_in = d->d.acc & ~(ACC_WRITE | ACC_MKDIR | ACC_DELETE);
				if (d_in && (!m_in || d->t.in < m->t.in))
					m->t.in = d->t.in;
				int m_w = m->d.acc & (ACC_WRITE | ACC_MKDIR | ACC_DELETE);
				int d_w = d->d.acc & (ACC_WRITE | ACC_MKDIR | ACC_DELETE);
				if (d_w && (!m_w || d->t.write < m->t.write))
					m->t.write = d->t.write;
				if ((d->d.acc & ACC_USED) &&
				    (!(m->d.acc & ACC_USED) ||
				     d->t.used < m->t.used))
					m->t.used = d->t.used;
				m->d.acc |= d->d.acc;
			} else {
				td[k++] = *d;
			}
		}
		j->ndeps = k;
		if (k > j->adtimes) {
			j->dtimes = xrealloc(j->dtimes, k * sizeof *j->dtimes);
			j->adtimes = k;
		}
		for (size_t n = 0; n < k; n++) {
			j->deps[n] = td[n].d;
			j->dtimes[n] = td[n].t;
		}
	}
	free(buf);
	free(tmp);
	for (size_t i = 0; i < c->nfiles; i++)
		c->files[i].mark_job = -1;
}

int dep_input(const struct job *j, size_t k)
{
	const struct dep *d = &j->deps[k];
	int wrote = d->acc & (ACC_WRITE | ACC_MKDIR | ACC_DELETE);
	/* What a job looked at only after writing it is its own doing. */
	if (wrote && dep_t_write(j, k) <= dep_t_in(j, k))
		return 0;
	if (wrote && !(d->acc & ACC_READ) && (d->acc & ACC_ABSENT))
		return 0;	/* probed, then created: its own output */
	/* A directory opened, then listed (find: openat, fdopendir): the
	 * names are what it used. */
	if (d->acc & ACC_LIST)
		return ACC_LIST;
	if (d->acc & ACC_READ)
		return ACC_READ;
	if (d->acc & ACC_ABSENT)
		return ACC_ABSENT;
	if (d->acc & ACC_STAT)
		return ACC_STAT;
	return 0;
}

int dep_output(const struct dep *d)
{
	return (d->acc & (ACC_WRITE | ACC_MKDIR)) != 0;
}

/* Does s hold a byte a terminal acts on (a control character)? */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* s in bash's $'...' quoting at buf, which has room for 4 * strlen(s) +
 * 4 bytes; the bytes written, without a NUL. */
static size_t quote_c(char *buf, const char *s)
{
	size_t n = 0;
	buf[n++] = '$';
	buf[n++] = '\'';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		const char *esc = ch == '\n'	 ? "\\n"
				  : ch == '\t'  ? "\\t"
				  : ch == '\r'  ? "\\r"
				  : ch == '\\' ? "\\\\"
				  : ch == '\''  ? "\\'"
						: NULL;
		if (esc) {
			memcpy(buf + n, esc, 2);
			n += 2;
		} else if (ch < 0x20 || ch == 0x7f) {
			n += (size_t)sprintf(buf + n, "\\x%02x", ch);
		} else {
			buf[n++] = (char)ch;
		}
	}
	buf[n++] = '\'';
	return n;
}

const char *path_shown(const char *path)
{
	static char *bufs[4];
	static size_t caps[4];
	static int next;
	if (!has_control(path))
		return path;
	int slot = next++ & 3;
	size_t need = strlen(path) * 4 + 4;
	if (need > caps[slot]) {
		caps[slot] = need;
		bufs[slot] = xrealloc(bufs[slot], need);
	}
	bufs[slot][quote_c(bufs[slot], path)] = 0;
	return bufs[slot];
}

const char *cmd_display(const char *words)
{
	static char *bufs[4];
	static size_t caps[4];
	static int next;
	int slot = next++ & 3;
	size_t need = strlen(words) * 5 + 16, n = 0;
	if (need > caps[slot]) {
		caps[slot] = need;
		bufs[slot] = xrealloc(bufs[slot], need);
	}
	char *buf = bufs[slot];
	char *copy = xstrdup(words), *rest = copy, *w;
	while ((w = strsep(&rest, " "))) {
		if (path_unescape(w) < 0)
			continue;
		int quote = !*w || strpbrk(w, " \t\n'\"\\$`*?[]{}()<>|&;#~") != NULL;
		if (n)
			buf[n++] = ' ';
		if (has_control(w)) {
			n += quote_c(buf + n, w);
			continue;
		}
		if (!quote) {
			n += (size_t)sprintf(buf + n, "%s", w);
			continue;
		}
		buf[n++] = '\'';
		for (char *p = w; *p; p++) {
			if (*p == '\'') {
				memcpy(buf + n, "'\\''", 4);
				n += 4;
			} else {
				buf[n++] = *p;
			}
		}
		buf[n++] = '\'';
	}
	buf[n] = 0;
	free(copy);
	return buf;
}

void ckpt_classify_deps(struct ckpt *c)
{
	for (size_t i = 0; i < c->njobs; i++) {
		struct job *j = &c->jobs[i];
		for (size_t k = 0; k < j->ndeps; k++) {
			struct dep *d = &j->deps[k];
			d->acc = dep_input(j, k) |
				 (d->acc & (ACC_WRITE | ACC_MKDIR | ACC_DELETE));
		}
		free(j->dtimes);
		j->dtimes = NULL;
		j->adtimes = 0;
	}
}

char *file_abs(const struct ckpt *c, const struct file *f, const char *root)
{
	(void)c;
	if (f->path[0] == '/')
		return xstrdup(f->path);
	if (!f->path[0])
		return xstrdup(root);
	size_t rl = strlen(root), pl = strlen(f->path);
	char *abs = xmalloc(rl + pl + 2);
	memcpy(abs, root, rl);
	abs[rl] = '/';
	memcpy(abs + rl + 1, f->path, pl + 1);
	return abs;
}

static void free_strings(char **a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i]);
	free(a);
}

void ckpt_release(struct ckpt *c)
{
	free(c->slots);
	free(c->ckpt_rel);
	free(c->dir);
	free(c->check_root);
	for (size_t i = 0; i < c->nfiles; i++) {
		free(c->files[i].path);
		free(c->files[i].link);
		free(c->files[i].names);
	}
	for (size_t i = 0; i < c->njobs; i++) {
		struct job *j = &c->jobs[i];
		free(j->untraced_path);
		free(j->cwd);
		free(j->cmd);
		free(j->deps);
		free(j->dtimes);
		free(j->prev);
		free_strings(j->env, j->nenv);
		free_strings(j->net, j->nnet);
		free_strings(j->execs, j->nexecs);
	}
	for (size_t i = 0; i < c->nenvs; i++)
		free(c->envs[i].name);
	free(c->envs);
	for (size_t i = 0; i < c->nstart_env; i++)
		free(c->start_env[i].name);
	free(c->start_env);
	free(c->files);
	free(c->jobs);
	free(c->hazards);
	free(c->root);
	memset(c, 0, sizeof *c);
}
