/*
 * path.c - lexical path handling and the checks that keep restore inside
 * the root. Normalisation is lexical ("a/b/../c" is "a/c") as in the shim's
 * records; path_stays_inside() is what refuses symlinks on the way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"

void path_normalize(char *path)
{
	char *out = path;
	const char *in = path;
	if (*in != '/')
		return;
	while (*in) {
		while (*in == '/')
			in++;
		const char *end = strchrnul(in, '/');
		size_t n = (size_t)(end - in);
		if (n == 0 || (n == 1 && in[0] == '.')) {
			/* skip */
		} else if (n == 2 && in[0] == '.' && in[1] == '.') {
			while (out > path && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, in, n);
			out += n;
		}
		in = end;
	}
	if (out == path)
		*out++ = '/';
	*out = 0;
}

const char *path_under(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return path + 1;
	if (strncmp(path, root, n) != 0)
		return NULL;
	if (path[n] == 0)
		return path + n;
	if (path[n] == '/')
		return path + n + 1;
	return NULL;
}

int path_is_safe_relative(const char *rel)
{
	if (!rel || !*rel || rel[0] == '/')
		return 0;
	for (const char *p = rel; *p;) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p = *end ? end + 1 : end;
	}
	return 1;
}

mode_t path_blocked_at(const char *root, const char *rel, size_t *len)
{
	char *buf = xasprintf("%s/%s", root, rel);
	char *start = buf + strlen(root) + 1;
	mode_t mode = 0;
	for (char *p = start; (p = strchr(p, '/')); p++) {
		struct stat st;
		*p = 0;
		if (lstat(buf, &st) == 0 && !S_ISDIR(st.st_mode))
			mode = st.st_mode;	/* a symlink or a file */
		*p = '/';
		if (mode) {
			if (len)
				*len = (size_t)(p - start);
			break;
		}
	}
	free(buf);
	return mode;
}

char *path_link_target(const char *root, const char *rel)
{
	char *abs = xasprintf("%s/%s", root, rel);
	char target[PATH_MAX];
	ssize_t n = readlink(abs, target, sizeof target - 1);
	target[n < 0 ? 0 : n] = 0;
	free(abs);
	return xstrdup(target);
}

mode_t path_blocked(const char *root, const char *rel)
{
	return path_blocked_at(root, rel, NULL);
}

int path_stays_inside(const char *root, const char *rel)
{
	return path_is_safe_relative(rel) && !path_blocked(root, rel);
}

int path_mkdirs_for(const char *root, const char *rel)
{
	char *buf = xasprintf("%s/%s", root, rel);
	int rc = 0;
	for (char *p = buf + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		if (mkdir(buf, 0777) < 0 && errno != EEXIST) {
			rc = error_errno("cannot create directory %s", buf);
			break;
		}
		*p = '/';
	}
	free(buf);
	return rc;
}

static int needs_escape(unsigned char c)
{
	return c <= ' ' || c == '%' || c == 0x7f;
}

char *path_escape_to(char *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const void *)s; *p; p++) {
		if (needs_escape(*p)) {
			*out++ = '%';
			*out++ = hex[*p >> 4];
			*out++ = hex[*p & 15];
		} else {
			*out++ = (char)*p;
		}
	}
	*out = 0;
	return out;
}

size_t path_plain_len(const char *s)
{
	const unsigned char *p = (const void *)s;
	while (*p && !needs_escape(*p))
		p++;
	return (size_t)(p - (const unsigned char *)s);
}

char *path_escape(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const void *)s; *p; p++)
		n += needs_escape(*p) ? 3 : 1;
	char *out = xmalloc(n + 1);
	path_escape_to(out, s);
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int path_unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p != '%') {
			*o++ = *p;
			continue;
		}
		int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -1;
		*o++ = (char)(hi * 16 + lo);
		p += 2;
	}
	*o = 0;
	return 0;
}

/* ---- relocation of text that names the root ---------------------------- */

static int path_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("._~+-", c) != NULL;
}

/* The next mention of root in buf[from..len): root followed by '/', the
 * end, or a byte that cannot continue a file name ("/r/x" and "/r:" name
 * /r, "/rx" does not). Returns its offset, or len. */
static size_t next_mention(const char *buf, size_t len, size_t from,
			   const char *root, size_t rlen)
{
	while (from + rlen <= len) {
		const char *m = memmem(buf + from, len - from, root, rlen);
		if (!m)
			break;
		size_t at = (size_t)(m - buf), after = at + rlen;
		if (after == len || buf[after] == '/' ||
		    !path_char((unsigned char)buf[after]))
			return at;
		from = at + 1;
	}
	return len;
}

/* Past the rest of the path that a mention at `at` starts. */
static size_t mention_end(const char *buf, size_t len, size_t at, size_t rlen)
{
	at += rlen;
	while (at < len && (buf[at] == '/' || path_char((unsigned char)buf[at])))
		at++;
	return at;
}

int text_names_root(const char *buf, size_t len, const char *root)
{
	size_t rlen = strlen(root);
	if (rlen < 2 || memchr(buf, 0, len))
		return 0;
	return next_mention(buf, len, 0, root, rlen) < len;
}

char *text_relocate(const char *buf, size_t len, const char *from,
		    const char *to, size_t *out_len)
{
	size_t flen = strlen(from), tlen = strlen(to), n = 0, at, pos = 0;
	for (at = 0; (at = next_mention(buf, len, at, from, flen)) < len;
	     at = mention_end(buf, len, at, flen))
		n++;
	size_t size = len - n * flen + n * tlen;
	char *out = xmalloc(size + 1), *o = out;
	while ((at = next_mention(buf, len, pos, from, flen)) < len) {
		memcpy(o, buf + pos, at - pos);
		o += at - pos;
		memcpy(o, to, tlen);
		o += tlen;
		pos = at + flen;
		size_t end = mention_end(buf, len, at, flen);
		memcpy(o, buf + pos, end - pos);
		o += end - pos;
		pos = end;
	}
	memcpy(o, buf + pos, len - pos);
	out[size] = 0;
	*out_len = size;
	return out;
}
