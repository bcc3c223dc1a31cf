/*
 * changes.c - what changed in a tree since its checkpoint, and which jobs
 * that affects.
 *
 * 1. A source or external input changed if its content hash differs; the
 *    stat data (size, inode, mtime) stand in for the hash only when the
 *    tree is the one recorded and the file was not modified within a
 *    second of the save (git's racy rule), or always for files outside
 *    the root. A path probed and not found changed if it now exists; a
 *    listing changed if its entries differ (outputs of the build left
 *    out; the directory's stat data stand in for them by the same rule,
 *    its mtime moving with its entries); a file whose existence was used
 *    changed if it is gone.
 * 2. A job is affected if it read a changed file in the way that matters
 *    (content for a read, existence for a stat, appearance for a failed
 *    look-up, names for a listing: to a make only those its globs or
 *    rules could take, makenames.c), if an environment variable it used
 *    has another value now (envvars.c), if it could not be traced, if
 *    its driver is affected, if it read (opened) an output of an
 *    affected job, or, in another tree, if it wrote a program whose
 *    RUNPATH names the recorded one. A make reading a .d/.cmd file of its
 *    own jobs is the exception: such a file only tells make to rebuild
 *    its target, which is removed anyway.
 * 3. A $(shell ...) job (its stdout a pipe make reads, see build.c) that
 *    wrote no output passed its result to make: if it is affected, so is
 *    make, and so every job that make started.
 * 4. A recipe job that reads nothing in the tree, writes nothing another
 *    job reads but writes what its make looked at before it began (the
 *    target), and may be a later line of an affected job's recipe
 *    (build.c, link_recipe_lines), is affected: make reruns a whole
 *    recipe or none of it, and the target is often what such a line
 *    writes (`cp in out` then `touch stamp`).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>
#include <xxhash.h>

#include "build.h"
#include "changes.h"
#include "envvars.h"
#include "makenames.h"
#include "object.h"

static int is_output_role(int role)
{
	return role == ROLE_OUTPUT || role == ROLE_OUTDIR || role == ROLE_TEMP;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The parent's key of a path in the index: "" for a top-level path of the
 * root, "/" for "/x"; NULL for the root itself. */
static char *parent_key(const char *path)
{
	if (!*path)
		return NULL;
	const char *sl = strrchr(path, '/');
	if (!sl)
		return xstrdup("");
	size_t n = sl == path ? 1 : (size_t)(sl - path);
	char *k = xmalloc(n + 1);
	memcpy(k, path, n);
	k[n] = 0;
	return k;
}

void ckpt_set_dir(struct ckpt *c, const char *dir, const char *root)
{
	free(c->ckpt_rel);
	c->ckpt_rel = NULL;
	free(c->dir);
	c->dir = xstrdup(dir);
	char *abs = realpath(dir, NULL);
	if (!abs)
		return;
	const char *rel = path_under(abs, root);
	if (!rel && c->root && *c->root)
		rel = path_under(abs, c->root);
	if (rel && *rel)
		c->ckpt_rel = xstrdup(rel);
	free(abs);
}

void mark_output_parents(struct ckpt *c)
{
	for (size_t i = 0; i < c->nfiles; i++)
		c->files[i].flags &= ~FILE_OUTPUT_CHILD;
	for (size_t i = 0; i < c->nfiles; i++) {
		if (!is_output_role(c->files[i].role))
			continue;
		char *pk = parent_key(c->files[i].path);
		if (!pk)
			continue;
		int d = ckpt_file(c, pk, 0);
		if (d >= 0)
			c->files[d].flags |= FILE_OUTPUT_CHILD;
		free(pk);
	}
	c->output_parents = 1;
}

/* The entries of the listing of dirf in root, as the checkpoint compares
 * them: "1 name" ("0 name" for what is not a directory), sorted, in one
 * buffer (*buf) that the caller frees with the array; NULL if it cannot
 * be read. */
static char **listing_entries(const struct ckpt *c, const struct file *dirf,
			      const char *root, size_t *count, char **buf)
{
	char *abs = file_abs(c, dirf, root);
	DIR *d = opendir(abs);
	free(abs);
	if (!d)
		return NULL;
	/* Entries as "1 name\0" one after another in one buffer: a listed
	 * directory may hold 80,000 of them. */
	char *b = NULL;
	size_t used = 0, size = 0, *offs = NULL, nr = 0, alloc = 0;
	/* Outputs are looked up by "dir/name", and only in a directory known
	 * to hold some. */
	int lookup = !c->output_parents || (dirf->flags & FILE_OUTPUT_CHILD);
	size_t plen = strlen(dirf->path), alen = plen + 256 + 2;
	char *child = xmalloc(alen);
	memcpy(child, dirf->path, plen);
	if (plen && dirf->path[plen - 1] != '/')
		child[plen++] = '/';
	/* The checkpoint directory's name, if it is in this directory. */
	const char *own = NULL;
	if (c->ckpt_rel) {
		const char *slash = strrchr(c->ckpt_rel, '/');
		size_t dl = slash ? (size_t)(slash - c->ckpt_rel) : 0;
		if (dl == strlen(dirf->path) &&
		    !strncmp(c->ckpt_rel, dirf->path, dl))
			own = slash ? slash + 1 : c->ckpt_rel;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (!strcmp(n, ".") || !strcmp(n, "..") ||
		    !strncmp(n, ".ckpt", 5) ||
		    !strcmp(n, "compile_commands.json") ||
		    (own && !strcmp(n, own)))
			continue;
		size_t nlen = strlen(n);
		if (lookup) {
			memcpy(child + plen, n, nlen + 1);
			int f = ckpt_lookup(c, child, plen + nlen);
			/* What the build itself creates is not its input. */
			if (f >= 0 && is_output_role(c->files[f].role))
				continue;
		}
		while (used + nlen + 3 > size) {
			size = size ? size * 2 : 4096;
			b = xrealloc(b, size);
		}
		GROW(offs, nr, alloc);
		offs[nr++] = used;
		b[used] = e->d_type == DT_DIR ? '1' : '0';
		b[used + 1] = ' ';
		memcpy(b + used + 2, n, nlen + 1);
		used += nlen + 3;
	}
	free(child);
	closedir(d);
	char **names = xmalloc((nr ? nr : 1) * sizeof *names);
	for (size_t i = 0; i < nr; i++)
		names[i] = b + offs[i];
	qsort(names, nr, sizeof *names, cmp_str);
	free(offs);
	*count = nr;
	*buf = b;
	return names;
}

/* The entries as a manifest's "l" record holds them: escaped names, a
 * directory's followed by '/', separated by spaces. */
static char *entries_text(char **e, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += 3 * strlen(e[i] + 2) + 2;
	char *text = xmalloc(len), *q = text;
	*q = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*q++ = ' ';
		q = path_escape_to(q, e[i] + 2);
		if (e[i][0] == '1')
			*q++ = '/';
		*q = 0;
	}
	return text;
}

int listing_hash(const struct ckpt *c, const struct file *dirf,
		 const char *root, struct hash128 *out, char **names)
{
	size_t n;
	char *buf;
	char **e = listing_entries(c, dirf, root, &n, &buf);
	if (!e)
		return -1;
	XXH3_state_t *st = XXH3_createState();
	XXH3_128bits_reset(st);
	for (size_t i = 0; i < n; i++)
		XXH3_128bits_update(st, e[i], strlen(e[i]) + 1);
	XXH128_hash_t h = XXH3_128bits_digest(st);
	XXH3_freeState(st);
	if (names)
		*names = entries_text(e, n);
	free(e);
	free(buf);
	out->hi = h.high64;
	out->lo = h.low64;
	return 0;
}

/* The stored entries (an "l" record's text) as listing_entries gives
 * them, in a buffer of the same kind; NULL if malformed. */
static char **stored_entries(const char *text, size_t *n, char **buf)
{
	size_t len = strlen(text), nr = 0;
	char *b = xmalloc(len + 2 * (len / 2 + 1) + 1), *q = b;
	char **e = xmalloc((len / 2 + 1) * sizeof *e);
	for (const char *p = text; *p;) {
		const char *end = strchrnul(p, ' ');
		size_t l = (size_t)(end - p);
		int dir = l && p[l - 1] == '/';
		e[nr++] = q;
		*q++ = dir ? '1' : '0';
		*q++ = ' ';
		memcpy(q, p, l - (size_t)dir);
		q[l - (size_t)dir] = 0;
		if (path_unescape(q) < 0 || !*q) {
			free(e);
			free(b);
			return NULL;
		}
		q += strlen(q) + 1;
		p = *end ? end + 1 : end;
	}
	qsort(e, nr, sizeof *e, cmp_str);
	*n = nr;
	*buf = b;
	return e;
}

static void diff_add(char ***v, size_t *n, const char *entry)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = xasprintf("%s%s", entry + 2, entry[0] == '1' ? "/" : "");
}

int listing_diff(const struct ckpt *c, const struct file *f, const char *root,
		 struct name_diff *d)
{
	memset(d, 0, sizeof *d);
	if (!f->names)
		return -1;
	size_t nold, nnew;
	char *bold, *bnew;
	char **old = stored_entries(f->names, &nold, &bold);
	if (!old)
		return -1;
	char **now = listing_entries(c, f, root, &nnew, &bnew);
	if (!now) {
		free(old);
		free(bold);
		return -1;
	}
	size_t i = 0, k = 0;
	while (i < nold || k < nnew) {
		int cmp = i == nold ? 1 : k == nnew ? -1 : strcmp(old[i], now[k]);
		if (cmp < 0)
			diff_add(&d->removed, &d->nremoved, old[i++]);
		else if (cmp > 0)
			diff_add(&d->added, &d->nadded, now[k++]);
		else
			i++, k++;
	}
	d->known = 1;
	free(old);
	free(bold);
	free(now);
	free(bnew);
	return 0;
}

/* "a, b and 3 more" of at most show names. */
static void names_text(FILE *out, char **v, size_t n, size_t show)
{
	for (size_t i = 0; i < n && i < show; i++)
		fprintf(out, "%s%s", i ? ", " : "", path_shown(v[i]));
	if (n > show)
		fprintf(out, " and %zu more", n - show);
}

char *name_diff_text(const struct name_diff *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return NULL;
	if (d->nadded) {
		names_text(out, d->added, d->nadded, 5);
		fputs(" added", out);
	}
	if (d->nremoved) {
		fputs(d->nadded ? "; " : "", out);
		names_text(out, d->removed, d->nremoved, 5);
		fputs(" removed", out);
	}
	fclose(out);
	return text;
}

void name_diff_release(struct name_diff *d)
{
	for (size_t i = 0; i < d->nadded; i++)
		free(d->added[i]);
	for (size_t i = 0; i < d->nremoved; i++)
		free(d->removed[i]);
	free(d->added);
	free(d->removed);
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

void file_set_stat(struct file *f, const struct stat *st)
{
	f->size = (uint64_t)st->st_size;
	f->ino = (uint64_t)st->st_ino;
	f->mtime = mtime_ns(st);
	f->mode = (uint32_t)st->st_mode;
}

/* May stat data stand in for the content hash? */
static int stat_shortcut(const struct ckpt *c, const struct file *f,
			 const struct stat *st, int same_tree)
{
	if (!same_tree && f->path[0] != '/')
		return 0;
	if (f->size != (uint64_t)st->st_size || f->ino != st->st_ino ||
	    f->mtime != mtime_ns(st))
		return 0;
	/* Modified within a second of the save: the same stat data could
	 * hide a second change (racy timestamps). */
	return f->mtime + 1000000000LL < (int64_t)c->created;
}

/*
 * Open directories of one checking thread, to stat a file by its name in
 * its directory (fstatat) rather than by its whole path: the kernel walks
 * each directory of a path again on every call, and that walk was a
 * third of `ckpt status` on a large tree. Direct-mapped by the hash of
 * the directory's path; a directory that cannot be opened is kept as
 * fd -1 (every name in it is then missing, as stat would find).
 */
enum { DIRCACHE = 64 };

struct dircache {
	int rootfd;		/* the tree's root, or -1 */
	struct {
		uint64_t h;
		char *path;	/* NULL: empty */
		int fd;
	} e[DIRCACHE];
};

static void dircache_init(struct dircache *dc, const char *root)
{
	memset(dc, 0, sizeof *dc);
	dc->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void dircache_release(struct dircache *dc)
{
	for (int i = 0; i < DIRCACHE; i++) {
		if (dc->e[i].path && dc->e[i].fd >= 0)
			close(dc->e[i].fd);
		free(dc->e[i].path);
	}
	if (dc->rootfd >= 0)
		close(dc->rootfd);
}

/* fstatat for a path of the index (relative: under root), following the
 * last component or not, as stat and lstat do. */
static int cached_stat(struct dircache *dc, const char *root,
		       const char *path, struct stat *st, int follow)
{
	int flags = follow ? 0 : AT_SYMLINK_NOFOLLOW;
	const char *sl = strrchr(path, '/');
	if (path[0] != '/' && dc->rootfd < 0) {
		char *abs = xasprintf("%s/%s", root, path);
		int rc = fstatat(AT_FDCWD, abs, st, flags);
		free(abs);
		return rc;
	}
	if (!*path)
		return fstatat(dc->rootfd, ".", st, flags);
	if (!sl)
		return fstatat(dc->rootfd, path, st, flags);
	if (sl == path)
		return fstatat(AT_FDCWD, path, st, flags);
	size_t dlen = (size_t)(sl - path);
	uint64_t h = XXH3_64bits(path, dlen);
	int slot = (int)(h % DIRCACHE);
	typeof(dc->e[0]) *e = &dc->e[slot];
	if (!e->path || e->h != h || strncmp(e->path, path, dlen) ||
	    e->path[dlen]) {
		if (e->path && e->fd >= 0)
			close(e->fd);
		free(e->path);
		e->h = h;
		e->path = xmemdup(path, dlen + 1);
		e->path[dlen] = 0;
		e->fd = openat(path[0] == '/' ? AT_FDCWD : dc->rootfd, e->path,
			       O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (e->fd < 0) {
		errno = ENOENT;
		return -1;
	}
	return fstatat(e->fd, sl + 1, st, flags);
}

/*
 * The names in a directory, read once, for the paths looked up there and
 * not found: a compiler probes every -I directory for every header it
 * includes, and those look-ups, which must still fail, were 25,000 of the
 * 28,000 stats that checking a thousand-file build made. A name not in
 * the listing is still missing; one in it is looked at with lstat, as any
 * other (it may be a dangling symlink). A directory is listed only when it
 * holds enough of those paths, and the listing is given up (the paths are
 * stat'ed one by one) when it turns out to be much larger than they are.
 */
enum { DIRNAMES_MIN = 16, DIRNAMES_RATIO = 32 };

struct dirnames {
	const char *dir;	/* key: the first len bytes */
	size_t len, nabsent;
	int state;		/* DN_* */
	char **names;		/* sorted, into buf */
	size_t n;
	char *buf;
	UT_hash_handle hh;
};

enum { DN_STAT = 0, DN_MISSING, DN_LISTED };

static void dirnames_read(struct dirnames *dn, const char *root)
{
	char *abs = dn->dir[0] == '/'
			    ? xasprintf("%.*s", (int)dn->len, dn->dir)
			    : xasprintf("%s/%.*s", root, (int)dn->len, dn->dir);
	DIR *d = opendir(abs);
	free(abs);
	if (!d) {
		/* lstat of every path in it fails the same way; any other
		 * error (EACCES on a searchable directory): stat each one. */
		dn->state = errno == ENOENT || errno == ENOTDIR ? DN_MISSING
								: DN_STAT;
		return;
	}
	size_t used = 0, size = 0, *offs = NULL, alloc = 0, max;
	max = dn->nabsent * DIRNAMES_RATIO;
	struct dirent *e;
	dn->state = DN_LISTED;
	while ((e = readdir(d))) {
		if (dn->n >= max) {
			dn->state = DN_STAT;
			break;
		}
		size_t nlen = strlen(e->d_name) + 1;
		while (used + nlen > size) {
			size = size ? size * 2 : 4096;
			dn->buf = xrealloc(dn->buf, size);
		}
		GROW(offs, dn->n, alloc);
		offs[dn->n++] = used;
		memcpy(dn->buf + used, e->d_name, nlen);
		used += nlen;
	}
	closedir(d);
	if (dn->state == DN_LISTED) {
		dn->names = xmalloc((dn->n + 1) * sizeof *dn->names);
		for (size_t i = 0; i < dn->n; i++)
			dn->names[i] = dn->buf + offs[i];
		qsort(dn->names, dn->n, sizeof *dn->names, cmp_str);
	}
	free(offs);
}

static int dirnames_has(const struct dirnames *dn, const char *name)
{
	return bsearch(&name, dn->names, dn->n, sizeof *dn->names,
		       cmp_str) != NULL;
}

/* Could a file of size now, with k >= 1 mentions of a root of length
 * rnow made one of length rwas, have size was? Else an edited source in a
 * tree elsewhere is not read a second time to be relocated. */
static int relocated_size(uint64_t was, uint64_t now, size_t rwas,
			  size_t rnow)
{
	int64_t d = (int64_t)rwas - (int64_t)rnow;
	int64_t diff = (int64_t)was - (int64_t)now;
	return d == 0 ? diff == 0 : diff % d == 0 && diff / d >= 1;
}

/* Is what is at f's path of the tree (lst: its lstat) a symbolic link
 * where f was one, naming what f's did? An absolute name inside the
 * recorded tree stands for the same one inside this tree, as restore
 * makes such links there. */
static int same_link(const struct ckpt *c, const struct file *f,
		     const char *root, const struct stat *lst)
{
	if (!S_ISLNK(lst->st_mode) || !f->link)
		return !S_ISLNK(lst->st_mode) && !f->link;
	char *now = path_link_target(root, f->path);
	const char *was_rest = c->root ? path_under(f->link, c->root) : NULL;
	const char *now_rest = path_under(now, root);
	int same = !strcmp(now, f->link) ||
		   (was_rest && now_rest && !strcmp(was_rest, now_rest));
	free(now);
	return same;
}

static int check_file(struct ckpt *c, struct file *f, const char *root,
		      int same_tree, struct dircache *dc,
		      const struct dirnames *dn)
{
	struct stat st;
	int rc;
	/* Whether a source or a file looked at is a symbolic link, and
	 * what it names, is known in a checkpoint that keeps it. */
	int links = c->links_known && f->path[0] != '/';
	switch (f->role) {
	case ROLE_SOURCE:
	case ROLE_EXTERNAL: {
		/* Its lstat, the stat as well but for a link. */
		if (cached_stat(dc, root, f->path, &st, !links) < 0)
			return CH_DELETED;
		int relinked = links && !same_link(c, f, root, &st);
		if (S_ISLNK(st.st_mode) &&
		    cached_stat(dc, root, f->path, &st, 1) < 0)
			return CH_DELETED;
		/* What make sees through a link: restore dates the outputs
		 * it keeps after that. */
		f->seen_mtime = S_ISDIR(st.st_mode) ? 0 : mtime_ns(&st);
		if (relinked)
			return CH_LINK;
		/* A script made executable, or no longer (a patch's `new
		 * mode`): what runs it, or copies it with its mode, does
		 * something else. A chmod leaves the stat data the
		 * shortcut compares as they were. */
		int same_mode = !S_ISREG(f->mode) || !S_ISREG(st.st_mode) ||
				!((f->mode ^ st.st_mode) & S_IXUSR);
		if (stat_shortcut(c, f, &st, same_tree))
			return same_mode ? CH_NONE : CH_MODE;
		if (S_ISDIR(st.st_mode))
			return CH_CONTENT;
		struct hash128 h;
		char *abs = file_abs(c, f, root);
		int same = hash_file(abs, &h) == 0 && hash_equal(&h, &f->hash);
		/* In a tree elsewhere, a source that names the tree (made
		 * by a configure run in each tree: busybox's `make O=out
		 * defconfig` writes the tree's path into its .cmd files)
		 * is unchanged if it names this tree where it named the
		 * recorded one, as restore relocates such outputs. */
		if (!same && !same_tree && f->role == ROLE_SOURCE &&
		    c->root && strcmp(root, c->root) &&
		    relocated_size(f->size, (uint64_t)st.st_size,
				   strlen(c->root), strlen(root)))
			same = hash_file_relocated(abs, root, c->root,
						   RELOCATE_MAX, &h) == 1 &&
			       hash_equal(&h, &f->hash);
		free(abs);
		return !same ? CH_CONTENT : same_mode ? CH_NONE : CH_MODE;
	}
	case ROLE_TEMP:
		if (!(f->flags & FILE_GONE) ||
		    cached_stat(dc, root, f->path, &st, 0) < 0)
			return CH_NONE;
		return CH_GONE;
	case ROLE_ABSENT:
		if (dn && dn->state == DN_MISSING)
			return CH_NONE;
		if (dn && dn->state == DN_LISTED &&
		    !dirnames_has(dn, f->path + dn->len + 1))
			return CH_NONE;
		if (cached_stat(dc, root, f->path, &st, 0) < 0)
			return CH_NONE;
		f->seen_mtime = S_ISDIR(st.st_mode) ? 0 : mtime_ns(&st);
		return CH_ADDED;
	case ROLE_EXISTS:
		rc = cached_stat(dc, root, f->path, &st, 0);
		if (rc < 0)
			return CH_DELETED;
		int ch = links && !same_link(c, f, root, &st) ? CH_LINK
							      : CH_NONE;
		/* make's stat follows a link */
		if (S_ISLNK(st.st_mode) &&
		    cached_stat(dc, root, f->path, &st, 1) < 0)
			return ch;
		f->seen_mtime = S_ISDIR(st.st_mode) ? 0 : mtime_ns(&st);
		return ch;
	case ROLE_LISTING: {
		/* A directory's mtime changes with its entries (lstat, as
		 * the save: a symlink's stat data say nothing of them). */
		if (cached_stat(dc, root, f->path, &st, 0) == 0 &&
		    S_ISDIR(st.st_mode) && stat_shortcut(c, f, &st, same_tree))
			return CH_NONE;
		struct hash128 h;
		if (listing_hash(c, f, root, &h, NULL) < 0)
			return CH_DELETED;
		return hash_equal(&h, &f->hash) ? CH_NONE : CH_LISTING;
	}
	}
	return CH_NONE;
}

/* The check of every file is shared by a few threads, the calling one
 * included, taking chunks of the file table in turn: it is mostly stat
 * calls (80,000 on a large tree), which cost microseconds each in the
 * kernel, so a second core nearly halves it. Each thread writes only the
 * files of its chunks; the index is only read. */
struct detect {
	struct ckpt *c;
	const char *root;
	int same_tree;
	atomic_size_t changed;
	struct dircache dc[PFOR_MAX];	/* one a worker */
	struct dirnames *dirs;		/* by directory */
	struct dirnames **listed;	/* the ones to list */
	size_t nlisted;
	struct dirnames **of;		/* per file: its directory's, or NULL */
};

/* The directory part of an absent path: its length, or -1 for a path
 * without one (a top-level name, "/x"), which is simply stat'ed. */
static ssize_t dir_len(const char *path)
{
	const char *sl = strrchr(path, '/');
	return sl && sl != path ? sl - path : -1;
}

/* Group the absent paths by directory; the directories holding enough of
 * them are read (in parallel) before the check. */
static int list_one(void *arg, size_t i, int worker)
{
	struct detect *d = arg;
	dirnames_read(d->listed[i], d->root);
	return 0;
}

static void dirnames_prepare(struct detect *d)
{
	struct ckpt *c = d->c;
	d->of = xcalloc(c->nfiles + 1, sizeof *d->of);
	for (size_t i = 0; i < c->nfiles; i++) {
		const char *p = c->files[i].path;
		ssize_t len = c->files[i].role == ROLE_ABSENT ? dir_len(p) : -1;
		if (len < 0)
			continue;
		struct dirnames *dn;
		HASH_FIND(hh, d->dirs, p, (size_t)len, dn);
		if (!dn) {
			dn = xcalloc(1, sizeof *dn);
			dn->dir = p;
			dn->len = (size_t)len;
			HASH_ADD_KEYPTR(hh, d->dirs, dn->dir, dn->len, dn);
		}
		dn->nabsent++;
		d->of[i] = dn;
	}
	size_t alloc = 0;
	struct dirnames *dn, *tmp;
	HASH_ITER(hh, d->dirs, dn, tmp)
		if (dn->nabsent >= DIRNAMES_MIN) {
			GROW(d->listed, d->nlisted, alloc);
			d->listed[d->nlisted++] = dn;
		}
	parallel_for(d->nlisted, 1, PFOR_IO, list_one, d, NULL);
}

static void dirnames_release(struct detect *d)
{
	struct dirnames *dn, *tmp;
	HASH_ITER(hh, d->dirs, dn, tmp) {
		HASH_DEL(d->dirs, dn);
		free(dn->names);
		free(dn->buf);
		free(dn);
	}
	free(d->listed);
	free(d->of);
}

static int detect_one(void *arg, size_t i, int worker)
{
	struct detect *d = arg;
	struct file *f = &d->c->files[i];
	f->seen_mtime = 0;
	f->changed = check_file(d->c, f, d->root, d->same_tree,
				&d->dc[worker], d->of[i]);
	if (f->changed != CH_NONE)
		atomic_fetch_add(&d->changed, 1);
	return 0;
}

size_t ckpt_detect_changes(struct ckpt *c, const char *root)
{
	struct detect d = { .c = c, .root = root,
			    .same_tree = !strcmp(c->root, root) };
	free(c->check_root);
	c->check_root = xstrdup(root);
	atomic_init(&d.changed, 0);
	mark_output_parents(c);
	dirnames_prepare(&d);
	for (int i = 0; i < PFOR_MAX; i++)
		dircache_init(&d.dc[i], root);
	/* Threads pay off from about a thousand files. In another tree every
	 * input is read, which may wait on the disk: more threads than cores
	 * (PFOR_IO). In the recorded tree it is mostly stat data, computed
	 * by the kernel: 80,000 files took 0.198 s on PFOR_IO threads against
	 * 0.181 s on a thread a core. */
	int threads = d.same_tree ? PFOR_CPU : PFOR_IO;
	parallel_for(c->nfiles, 128, c->nfiles >= 1024 ? threads : 1,
		     detect_one, &d, "checking inputs");
	for (int i = 0; i < PFOR_MAX; i++)
		dircache_release(&d.dc[i]);
	dirnames_release(&d);
	return atomic_load(&d.changed);
}

/* Does a change of kind ch to a file matter to a dep with these bits? */
static int change_matters(int ch, int acc)
{
	switch (ch) {
	case CH_CONTENT:
	case CH_MODE:
	case CH_GONE:	/* what it held then is not known */
		return acc & ACC_READ;
	case CH_DELETED:
		return acc & (ACC_READ | ACC_STAT | ACC_LIST);
	case CH_ADDED:
		return acc & ACC_ABSENT;
	case CH_LISTING:
		return acc & ACC_LIST;
	case CH_LINK:	/* to what looked at it: not to a make, below */
		return acc & (ACC_READ | ACC_STAT);
	}
	return 0;
}

int dependency_file(const struct file *f)
{
	if (f->flags & FILE_DEPFILE)
		return 1;
	const char *path = f->path;
	size_t n = strlen(path);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return (n > 2 && !strcmp(path + n - 2, ".d")) ||
	       (n > 4 && !strcmp(path + n - 4, ".cmd")) ||
	       (n > 3 && !strcmp(path + n - 3, ".Po")) ||
	       (n > 4 && !strcmp(path + n - 4, ".Plo")) ||
	       /* CMake's Makefiles: CMakeFiles/x.dir/ */
	       !strcmp(base, "depend.make") ||
	       !strcmp(base, "compiler_depend.make");
}

static int has_outputs(const struct ckpt *c, const struct job *j)
{
	for (size_t k = 0; k < j->ndeps; k++) {
		const struct dep *d = &j->deps[k];
		int role = c->files[d->file].role;
		if ((d->acc & (ACC_WRITE | ACC_MKDIR)) &&
		    (role == ROLE_OUTPUT || role == ROLE_OUTDIR))
			return 1;
	}
	return 0;
}

static void mark(struct ckpt *c, int j, int why, int cause, int *queue,
		 size_t *nq)
{
	if (c->jobs[j].affected)
		return;
	c->jobs[j].affected = why;
	c->jobs[j].cause = cause;
	c->jobs[j].via = -1;
	queue[(*nq)++] = j;
}

/* Job j reads or rewrites file fi, which the affected job `writer` wrote. */
static void mark_input(struct ckpt *c, int j, int fi, int writer, int *queue,
		       size_t *nq)
{
	if (c->jobs[j].affected)
		return;
	mark(c, j, AFF_INPUT, fi, queue, nq);
	c->jobs[j].via = writer;
}

int *group_by_key(size_t nkeys, const struct pair *p, size_t n,
			 int **countp)
{
	int *count = xcalloc(nkeys + 2, sizeof *count);
	for (size_t k = 0; k < n; k++)
		count[p[k].key + 1]++;
	for (size_t k = 0; k < nkeys; k++)
		count[k + 1] += count[k];
	int *out = xmalloc((n + 1) * sizeof *out);
	int *fill = xcalloc(nkeys + 1, sizeof *fill);
	for (size_t k = 0; k < n; k++)
		out[count[p[k].key] + fill[p[k].key]++] = p[k].val;
	free(fill);
	*countp = count;
	return out;
}

/* What a file is to the scan of the deps, a byte each. WRITTEN: jobs
 * wrote it, an output or a file gone by the end (an intermediate, a
 * temporary renamed over an output): what its readers read comes from
 * its writers. */
enum { MAY_AFFECT = 1, WRITTEN = 2 };

static int written_role(const struct file *f)
{
	return (f->role == ROLE_OUTPUT && f->producer >= 0) ||
	       f->role == ROLE_TEMP;
}

/* Is job j a line that only marks that a recipe ran: it reads no file of
 * the tree (by content) that it did not write first, and no job reads
 * what it writes (`touch stamp`, `echo done > log`; not `echo '#define V
 * 1' > ver.h`, which compilers read)? (Deps as stored: a read bit is
 * left only on an input, ckpt_classify_deps.) `count` indexes the
 * readers of written files (group_by_key of the reads). */
static int marks_only(const struct ckpt *c, const struct job *j,
		      const int *count)
{
	for (size_t k = 0; k < j->ndeps; k++) {
		const struct dep *d = &j->deps[k];
		if ((d->acc & ACC_READ) && c->files[d->file].path[0] != '/')
			return 0;
		if ((d->acc & ACC_WRITE) && count[d->file + 1] > count[d->file])
			return 0;
	}
	return 1;
}

/* The jobs that may be a later recipe line of each job: next[count[j]]
 * up to next[count[j + 1]] (the reverse of job.prev). */
static int *next_lines_index(const struct ckpt *c, int **countp)
{
	struct pair *p = NULL;
	size_t n = 0, a = 0;
	for (size_t b = 0; b < c->njobs; b++)
		for (size_t k = 0; k < c->jobs[b].nprev; k++) {
			GROW(p, n, a);
			p[n++] = (struct pair){ c->jobs[b].prev[k], (int)b };
		}
	int *next = group_by_key(c->njobs, p, n, countp);
	free(p);
	return next;
}

/*
 * Rule 4, from affected job `from`: the lines that may come after `at` in
 * its recipe. One that only marks that the recipe ran and writes what its
 * make looked at before `from` began (the target: `touch stamp`) is
 * affected; any other is walked through (`cp in out; sh check.sh; touch
 * stamp`), as far as RECIPE_WALK lines on. A marking line whose output
 * make never looked at is not the target: removing it would lose it if
 * the target stays. One whose target make looked at after `from` began
 * is the first line of a target make took up later (-j). A line that
 * writes its target ends its recipe: no walk goes on from one, or through
 * one (under -j, what make starts after it is another target's).
 */
#define RECIPE_WALK 4
static void recipe_walk(struct ckpt *c, int from, int at, int depth,
			const int *next, const int *ncount, const int *count,
			int *queue, size_t *nq)
{
	for (int n = ncount[at]; n < ncount[at + 1]; n++) {
		int b = next[n];
		struct job *job = &c->jobs[b];
		if (job->affected)
			continue;
		/* make looked at the target before the line that changed
		 * began: that line is of the same recipe, or ran first */
		if (job->target_look && job->target_look < c->jobs[from].start &&
		    marks_only(c, job, count))
			mark(c, b, AFF_RECIPE, from, queue, nq);
		else if (!job->target_look && depth + 1 < RECIPE_WALK)
			recipe_walk(c, from, b, depth + 1, next, ncount, count,
				    queue, nq);
	}
}

size_t ckpt_affected(struct ckpt *c)
{
	size_t nj = c->njobs;
	int *queue = xcalloc(nj + 1, sizeof *queue);
	size_t nq = 0;
	for (size_t j = 0; j < nj; j++)
		c->jobs[j].affected = 0;

	/* The half a million deps are looked through once: for the jobs a
	 * change affects, and for the reads of outputs, which the
	 * propagation follows. Most files are neither. */
	char *what = xcalloc(c->nfiles + 1, 1);
	for (size_t i = 0; i < c->nfiles; i++) {
		struct file *f = &c->files[i];
		f->flags &= ~FILE_NAMES_USED;
		if (f->changed || (f->role == ROLE_OUTPUT && f->producer < 0))
			what[i] |= MAY_AFFECT;
		if (written_role(f))
			what[i] |= WRITTEN;
	}
	struct pair *reads = NULL;	/* (written file, job that read it) */
	size_t nreads = 0, areads = 0;
	struct env_changes *env_changed = envvars_changes(c);
	struct make_names *mn = NULL;
	for (size_t j = 0; j < nj; j++) {
		struct job *job = &c->jobs[j];
		if (job->untraced)
			mark(c, (int)j, AFF_UNTRACED, -1, queue, &nq);
		for (size_t k = 0; env_changed && k < job->nenv; k++) {
			int e = envvars_changes_find(env_changed, job->env[k]);
			if (e >= 0)
				mark(c, (int)j, AFF_ENV, e, queue, &nq);
		}
		for (size_t k = 0; k < job->ndeps; k++) {
			const struct dep *d = &job->deps[k];
			int w = what[d->file];
			if (!w)
				continue;
			if ((w & WRITTEN) && (d->acc & ACC_READ)) {
				GROW(reads, nreads, areads);
				reads[nreads++] = (struct pair){ d->file,
								     (int)j };
			}
			if (!(w & MAY_AFFECT))
				continue;
			struct file *f = &c->files[d->file];
			int matters = f->changed &&
				      change_matters(f->changed, d->acc);
			/* A make looks at a prerequisite's time through a
			 * link, and no further. What it reads (a makefile)
			 * may read otherwise now. */
			if (f->changed == CH_LINK && job->kind == JOB_DRIVER &&
			    !(d->acc & ACC_READ))
				matters = 0;
			/* Whether the names of a listing matter is asked of
			 * every job that listed it, for status to say. */
			if (matters && f->changed == CH_LISTING) {
				if (job->affected &&
				    (f->flags & FILE_NAMES_USED))
					continue;
				matters = make_listing_matters(&mn, c, (int)j,
							       d->file);
				if (matters && !(f->flags & FILE_NAMES_USED)) {
					f->flags |= FILE_NAMES_USED;
					f->names_job = (int)j;
				}
			}
			if (job->affected)
				continue;
			/* Without a producer, an output is invalid, and so
			 * is what read it; a make reading a dependency file
			 * excepted, as in propagate: a `.Po` kept as recorded
			 * that a chained build did not write again (grep's
			 * gnulib-tests/.deps/alloca.Po, whose rule has no
			 * prerequisite) made everything invalid for good. */
			if (matters)
				mark(c, (int)j, AFF_CHANGED, d->file, queue,
				     &nq);
			else if (f->role == ROLE_OUTPUT && f->producer < 0 &&
				 (d->acc & ACC_READ) &&
				 !(job->kind == JOB_DRIVER && dependency_file(f)))
				mark(c, (int)j, AFF_INPUT, d->file, queue, &nq);
		}
	}
	envvars_changes_free(env_changed);
	make_names_free(mn);
	/* A program that would load its libraries from the recorded tree
	 * (CMake's build-tree RUNPATH) is linked again in another. */
	for (size_t i = 0; c->check_root && strcmp(c->check_root, c->root) &&
			   i < c->nfiles;
	     i++)
		if ((c->files[i].flags & FILE_RUNPATH_ROOT) &&
		    c->files[i].producer >= 0)
			mark(c, c->files[i].producer, AFF_RUNPATH, (int)i,
			     queue, &nq);
	free(what);
	if (!nq) {
		free(reads);
		free(queue);
		return 0;
	}
	/* Propagate: to the jobs of an affected driver; from a job without
	 * outputs to its driver; and from each file an affected job wrote,
	 * to its readers and to the job that wrote it last (an output a
	 * later job rewrote in place, `strip prog` or `sed -i`, holds what
	 * the first job wrote). A file is followed whether it is still there
	 * or was gone by the end: `tr < in > out.tmp` then `mv out.tmp out`,
	 * make's intermediate files. */
	int *count, *readers = group_by_key(c->nfiles, reads, nreads, &count);
	int *ncount, *next = next_lines_index(c, &ncount);
	char *walked = xcalloc(nj + 1, 1);	/* sub-makes walked from */
	free(reads);
	for (size_t qi = 0; qi < nq; qi++) {
		int j = queue[qi];
		/* A line that writes its target ends its recipe: what
		 * follows it belongs to another target. */
		if (!c->jobs[j].target_look)
			recipe_walk(c, j, j, 0, next, ncount, count, queue,
				    &nq);
		/* A sub-make with an affected job is a line whose next ones
		 * (`touch sub.stamp`) go with it, whether it is affected
		 * itself or not. */
		for (int d = c->jobs[j].driver; d >= 0 && c->jobs[d].driver >= 0;
		     d = c->jobs[d].driver) {
			if (walked[d])
				break;
			walked[d] = 1;
			recipe_walk(c, j, d, 0, next, ncount, count, queue,
				    &nq);
		}
		/* A job that wrote nothing did its work for its driver: a
		 * $(shell ...) for make, any command for a script that is
		 * not make (`if grep -q FOO config; then echo yes > out`,
		 * the recorded command itself). */
		int drv = c->jobs[j].driver;
		if (drv >= 0 && !has_outputs(c, &c->jobs[j]) &&
		    (c->jobs[j].kind == JOB_SHELL ||
		     (c->jobs[j].kind == JOB_RECIPE &&
		      !cmd_is_make(c->jobs[drv].cmd))))
			mark(c, drv, AFF_RESULT, j, queue, &nq);
		if (c->jobs[j].kind == JOB_DRIVER)
			for (size_t k = 0; k < nj; k++)
				if (c->jobs[k].driver == j)
					mark(c, (int)k, AFF_DRIVER, j, queue,
					     &nq);
		const struct job *job = &c->jobs[j];
		for (size_t k = 0; k < job->ndeps; k++) {
			int fi = job->deps[k].file;
			const struct file *f = &c->files[fi];
			if (!written_role(f) || (f->producer != j &&
						 !(job->deps[k].acc & ACC_WRITE)))
				continue;
			if (f->producer >= 0)
				mark_input(c, f->producer, fi, j, queue, &nq);
			for (int r = count[fi]; r < count[fi + 1]; r++) {
				int rj = readers[r];
				if (c->jobs[rj].kind == JOB_DRIVER &&
				    dependency_file(f))
					continue;
				mark_input(c, rj, fi, j, queue, &nq);
			}
		}
	}
	free(count);
	free(readers);
	free(ncount);
	free(next);
	free(walked);
	free(queue);
	return nq;
}

const char *change_name(int ch)
{
	switch (ch) {
	case CH_CONTENT: return "changed";
	case CH_DELETED: return "deleted";
	case CH_ADDED: return "added";
	case CH_LISTING: return "changed: a name added or removed";
	case CH_MODE: return "changed: made executable, or no longer";
	case CH_GONE: return "there, where the recorded build deleted it "
			     "(what it held then is not known)";
	case CH_LINK: return "changed: a symbolic link that names another "
			     "file, or a link now where there was none, or "
			     "none where one was";
	}
	return "unchanged";
}
