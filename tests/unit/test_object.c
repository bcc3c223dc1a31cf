/* The object store (compressed, checked against its name on every read)
 * and the relocation of text that names the root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ckpt.h"
#include "fsio.h"
#include "object.h"
#include "pack.h"

static char *relocate(const char *in, const char *from, const char *to)
{
	size_t n;
	char *out = text_relocate(in, strlen(in), from, to, &n);
	assert_int_equal(strlen(out), n);
	return out;
}

static void relocation(void **state)
{
	(void)state;
	struct {
		const char *in, *out;
	} cases[] = {
		{ "cmd_/r/a.o := gcc -I/r/include -o /r/a.o",
		  "cmd_/new/root/a.o := gcc -I/new/root/include -o /new/root/a.o" },
		{ "/r", "/new/root" },				/* the end */
		{ "x /r\n", "x /new/root\n" },			/* a space */
		{ "\"/r\":", "\"/new/root\":" },		/* quotes */
		{ "/rx /r.o /r-2 /r_", "/rx /r.o /r-2 /r_" },	/* longer names */
		{ "/r/r/r /r/x", "/new/root/r/r /new/root/x" },	/* once a path */
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *o = relocate(cases[i].in, "/r", "/new/root");
		assert_string_equal(o, cases[i].out);
		free(o);
	}
	/* Shorter than the old root, too. */
	char *o = relocate("a /tmp/long/root/x b", "/tmp/long/root", "/s");
	assert_string_equal(o, "a /s/x b");
	free(o);
}

static void names_root(void **state)
{
	(void)state;
	assert_true(text_names_root("-I/r/include", 12, "/r"));
	assert_true(text_names_root("/r", 2, "/r"));
	assert_false(text_names_root("/rx/include", 11, "/r"));
	assert_false(text_names_root("nothing here", 12, "/r"));
	/* Binary (a NUL byte): never rewritten, lengths would move. */
	assert_false(text_names_root("/r/a\0b", 6, "/r"));
	/* A root of "/" would be everywhere: never. */
	assert_false(text_names_root("/a/b", 4, "/"));
}

/* A scratch checkpoint directory and tree. */
static char dir[] = "/tmp/ckpt-test-object.XXXXXX";

static void put(const char *path, const char *content, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, n), (ssize_t)n);
	close(fd);
}

static struct file file_of(const char *path, const char *content, size_t n)
{
	struct file f = { .path = (char *)path, .size = n, .mode = 0100644 };
	hash_bytes(content, n, &f.hash);
	return f;
}

static void round_trip(void **state)
{
	(void)state;
	/* Big enough for several blocks, compressible, with a NUL. */
	size_t n = 3u << 20;
	char *big = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i % 251 < 200 ? 'a' + i % 7 : i % 13);
	char *src = xasprintf("%s/big", dir), *out = xasprintf("%s/out", dir);
	put(src, big, n);
	struct file f = file_of("big", big, n);
	int text = -1;
	uint64_t stored = 0;
	assert_int_equal(object_store(dir, src, &f, "/r", NULL, &text, &stored), 0);
	assert_int_equal(text, 0);
	assert_int_equal(stored, n);
	/* Compressed on disk, and read back whole. */
	char *o = object_path(dir, &f.hash);
	struct stat st;
	assert_int_equal(stat(o, &st), 0);
	assert_true((size_t)st.st_size < n / 2);
	assert_int_equal(object_check(dir, &f), 0);
	/* Written out whole, and loaded whole. */
	const int64_t when = 1500000000LL * 1000000000 + 123456789;
	struct atomic_file a;
	assert_int_equal(atomic_begin(&a, out, 0640, MAKE_NEW), 0);
	assert_int_equal(object_write_to(dir, &f, a.fd), 0);
	assert_int_equal(atomic_commit_mtime(&a, 0640, when), 0);
	char *back = xmalloc(n + 1);
	int fd = open(out, O_RDONLY);
	assert_int_equal(read(fd, back, n + 1), (ssize_t)n);
	close(fd);
	assert_memory_equal(back, big, n);
	free(back);
	size_t len;
	assert_int_equal(object_load(dir, &f, NULL, NULL, &back, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(back, big, n);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_size, (off_t)n);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_mtim.tv_sec, 1500000000);
	assert_int_equal(st.st_mtim.tv_nsec, 123456789);
	free(back);
	/* Stored again: already there, nothing written. */
	stored = 0;
	assert_int_equal(object_store(dir, src, &f, "/r", NULL, &text, &stored), 0);
	assert_int_equal(stored, 0);
	/* A source that no longer has the hash it was saved with. */
	struct file wrong = f;
	wrong.hash.lo ^= 1;
	assert_int_equal(object_store(dir, src, &wrong, "/r", NULL, &text, &stored), -1);
	char *wo = object_path(dir, &wrong.hash);
	assert_int_equal(access(wo, F_OK), -1);
	free(wo);
	free(o);
	free(src);
	free(out);
	free(big);
}

static void damaged(void **state)
{
	(void)state;
	const char *c = "some output, long enough to be worth compressing. "
			"some output, long enough to be worth compressing.";
	char *src = xasprintf("%s/small", dir), *out = xasprintf("%s/o2", dir);
	put(src, c, strlen(c));
	struct file f = file_of("small", c, strlen(c));
	int text;
	uint64_t stored = 0;
	assert_int_equal(object_store(dir, src, &f, "/r", NULL, &text, &stored), 0);
	char *o = object_path(dir, &f.hash);
	struct stat st;
	assert_int_equal(stat(o, &st), 0);
	/* Every cut is refused. A flipped byte is refused, or it did not
	 * change what the frame decodes to (a header bit zstd ignores): the
	 * content is checked, not the bytes. Writing it out fails with EIO
	 * (the caller's atomic file then leaves nothing: test_fsio). */
	char *good = xmalloc((size_t)st.st_size);
	int fd = open(o, O_RDONLY);
	assert_int_equal(read(fd, good, (size_t)st.st_size), st.st_size);
	close(fd);
	chmod(o, 0644);
	off_t refused = 0;
	for (off_t i = 0; i < st.st_size; i++) {
		put(o, good, (size_t)i);
		assert_int_equal(object_check(dir, &f), -1);
		good[i] ^= 0x20;
		put(o, good, (size_t)st.st_size);
		if (object_check(dir, &f) == 0) {
			char *b;
			size_t n;
			assert_int_equal(object_load(dir, &f, NULL, NULL, &b, &n), 0);
			assert_int_equal(n, strlen(c));
			assert_memory_equal(b, c, n);
			free(b);
		} else {
			refused++;
			int wfd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			errno = 0;
			assert_int_equal(object_write_to(dir, &f, wfd), -1);
			assert_int_equal(errno, EIO);
			close(wfd);
		}
		good[i] ^= 0x20;
	}
	assert_true(refused >= st.st_size - 4);
	put(o, good, (size_t)st.st_size);
	assert_int_equal(object_check(dir, &f), 0);
	/* Missing. */
	unlink(o);
	assert_int_equal(object_check(dir, &f), -1);
	free(good);
	free(o);
	free(src);
	free(out);
}

static void format1_raw(void **state)
{
	(void)state;
	/* A checkpoint of format 1 holds raw copies, without ".zst". */
	const char *c = "raw content\n";
	struct file f = file_of("raw", c, strlen(c));
	char *z = object_path(dir, &f.hash);
	char *raw = xstrdup(z);
	raw[strlen(raw) - 4] = 0;
	char *sub = xstrdup(raw);
	*strrchr(sub, '/') = 0;
	char *objs = xasprintf("%s/objects", dir);
	mkdir(objs, 0755);
	free(objs);
	mkdir(sub, 0755);
	put(raw, c, strlen(c));
	assert_int_equal(object_check(dir, &f), 0);
	char *b;
	size_t n;
	assert_int_equal(object_load(dir, &f, NULL, NULL, &b, &n), 0);
	assert_int_equal(n, strlen(c));
	assert_memory_equal(b, c, n);
	free(b);
	free(z);
	free(raw);
	free(sub);
}

static void text_that_names_root(void **state)
{
	(void)state;
	const char *c = "cmd_/old/root/a.o := gcc -o /old/root/a.o a.c\n";
	char *src = xasprintf("%s/a.cmd", dir);
	put(src, c, strlen(c));
	struct file f = file_of("a.cmd", c, strlen(c));
	int text = 0;
	uint64_t stored = 0;
	assert_int_equal(object_store(dir, src, &f, "/old/root", NULL, &text, &stored), 0);
	assert_int_equal(text, 1);
	assert_int_equal(object_store(dir, src, &f, "/other", NULL, &text, &stored), 0);
	assert_int_equal(text, 0);
	char *b;
	size_t n;
	assert_int_equal(object_load(dir, &f, "/old/root", "/n", &b, &n), 0);
	assert_string_equal(b, "cmd_/n/a.o := gcc -o /n/a.o a.c\n");
	free(b);
	free(src);
}

/* Small objects go into one pack per save: read back by hash, the same
 * content stored once; damage shows as "missing or damaged", never as
 * other content; collecting removes a dead pack and rewrites a mostly
 * dead one, keeping what is live. */
static int count_packs(const char *packs)
{
	char *cmd = xasprintf("exit $(ls %s | grep -c '\\.pack$')", packs);
	int rc = system(cmd);
	free(cmd);
	return WEXITSTATUS(rc);
}

static int keep_first(void *arg, const struct hash128 *h)
{
	return hash_equal(h, arg);
}

static void packed(void **state)
{
	(void)state;
	char *pd = xasprintf("%s/packed", dir), *objs, *packs;
	objs = xasprintf("%s/objects", pd);
	packs = xasprintf("%s/objects/packs", pd);
	assert_int_equal(mkdir(pd, 0755), 0);
	assert_int_equal(mkdir(objs, 0755), 0);
	enum { N = 40 };
	char content[N][64];
	struct file f[N];
	char *src[N];
	struct pack_writer *w = pack_begin(pd);
	uint64_t stored = 0, want = 0;
	int text;
	for (int i = 0; i < N; i++) {
		/* Two files of each content: stored once. */
		snprintf(content[i], sizeof content[i],
			 "object number %d, and some more text", i / 2);
		size_t n = strlen(content[i]);
		want += i % 2 ? 0 : n;
		src[i] = xasprintf("%s/src%02d", dir, i);
		put(src[i], content[i], n);
		f[i] = file_of(src[i], content[i], n);
		assert_int_equal(object_store(pd, src[i], &f[i], "/r", w,
					      &text, &stored), 0);
	}
	assert_int_equal(pack_finish(w, 1), 0);
	assert_int_equal(count_packs(packs), 1);
	assert_int_equal(stored, want);
	for (int i = 0; i < N; i++) {
		char *o = object_path(pd, &f[i].hash);
		assert_int_equal(access(o, F_OK), -1);	/* not loose */
		free(o);
		char *b;
		size_t n;
		assert_int_equal(object_load(pd, &f[i], NULL, NULL, &b, &n), 0);
		assert_int_equal(n, strlen(content[i]));
		assert_memory_equal(b, content[i], n);
		free(b);
	}
	/* Stored again: already there, no new pack. */
	w = pack_begin(pd);
	stored = 0;
	assert_int_equal(object_store(pd, src[0], &f[0], "/r", w, &text,
				      &stored), 0);
	assert_int_equal(pack_finish(w, 1), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(count_packs(packs), 1);

	/* A byte of one frame flipped: that object is refused, the others
	 * read. */
	char *cmd = xasprintf("cp -a %s %s.good && chmod u+w %s/*.pack && "
			      "printf X | dd of=$(ls %s/*.pack) bs=1 seek=20 "
			      "conv=notrunc 2>/dev/null", packs, packs, packs,
			      packs);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	pack_forget(pd);
	int bad = 0;
	for (int i = 0; i < N; i++)
		bad += object_check(pd, &f[i]) < 0;
	assert_true(bad >= 1 && bad <= 2);	/* one content, two files */
	/* Cut short: its index is gone, every object missing. */
	cmd = xasprintf("rm -r %s && cp -a %s.good %s && chmod u+w %s/*.pack "
			"&& truncate -s -1 %s/*.pack", packs, packs, packs,
			packs, packs);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	pack_forget(pd);
	for (int i = 0; i < N; i++)
		assert_int_equal(object_check(pd, &f[i]), -1);
	cmd = xasprintf("rm -r %s && cp -a %s.good %s", packs, packs, packs);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	pack_forget(pd);
	assert_int_equal(object_check(pd, &f[0]), 0);

	/* Collecting: one live object of twenty, so the pack is rewritten
	 * with that one; then none, and it goes. A killed save's temporary
	 * file goes too. */
	char *tmp = xasprintf("%s/new.pack.tmp.1.1", packs);
	put(tmp, "partial", 7);
	pack_collect(pd, keep_first, &f[0].hash);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(count_packs(packs), 1);
	assert_int_equal(object_check(pd, &f[0]), 0);
	assert_int_equal(object_check(pd, &f[2]), -1);
	cmd = xasprintf("test $(stat -c %%s %s/*.pack) -lt 200", packs);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	struct hash128 none = { 0, 0 };
	pack_collect(pd, keep_first, &none);
	assert_int_equal(count_packs(packs), 0);
	assert_int_equal(object_check(pd, &f[0]), -1);
	for (int i = 0; i < N; i++)
		free(src[i]);
	free(tmp);
	free(pd);
	free(objs);
	free(packs);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf %s", dir);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(relocation),
		cmocka_unit_test(names_root),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(damaged),
		cmocka_unit_test(format1_raw),
		cmocka_unit_test(text_that_names_root),
		cmocka_unit_test(packed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
