/* parallel_for: every index once, worker numbers in range, failures stop.
 * json_string: valid UTF-8 passes through, other bytes become \udcXX.
 * reserve_fds: the descriptor table grown, no descriptor taken or lost. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ckpt.h"

struct counts {
	atomic_int *seen;	/* calls per index */
	atomic_int workers[PFOR_MAX];
	atomic_int bad_worker;
	size_t fail_at;		/* index whose call fails, or SIZE_MAX */
};

static int count(void *arg, size_t i, int worker)
{
	struct counts *c = arg;
	if (worker < 0 || worker >= PFOR_MAX) {
		atomic_store(&c->bad_worker, 1);
		return -1;
	}
	atomic_fetch_add(&c->workers[worker], 1);
	atomic_fetch_add(&c->seen[i], 1);
	return i == c->fail_at ? -1 : 0;
}

static struct counts *counts_new(size_t n, size_t fail_at)
{
	struct counts *c = xcalloc(1, sizeof *c);
	c->seen = xcalloc(n + 1, sizeof *c->seen);
	c->fail_at = fail_at;
	return c;
}

static void counts_free(struct counts *c)
{
	free(c->seen);
	free(c);
}

static void every_index_once(void **state)
{
	(void)state;
	/* Chunks that do not divide n, one of them short. */
	const size_t n = 10007;
	struct counts *c = counts_new(n, SIZE_MAX);
	assert_int_equal(parallel_for(n, 64, PFOR_MAX, count, c, NULL), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(atomic_load(&c->seen[i]), 1);
	assert_int_equal(atomic_load(&c->bad_worker), 0);
	int total = 0;
	for (int w = 0; w < PFOR_MAX; w++)
		total += atomic_load(&c->workers[w]);
	assert_int_equal(total, (int)n);
	/* The caller works too: with one thread it does everything. */
	counts_free(c);
	c = counts_new(n, SIZE_MAX);
	assert_int_equal(parallel_for(n, 7, 1, count, c, NULL), 0);
	assert_int_equal(atomic_load(&c->workers[0]), (int)n);
	counts_free(c);
}

static void nothing_to_do(void **state)
{
	(void)state;
	struct counts *c = counts_new(1, SIZE_MAX);
	assert_int_equal(parallel_for(0, 16, PFOR_MAX, count, c, NULL), 0);
	assert_int_equal(atomic_load(&c->seen[0]), 0);
	counts_free(c);
}

static void a_failure_stops_the_rest(void **state)
{
	(void)state;
	/* Single-threaded, the order is fixed: nothing after the failing
	 * call runs. */
	const size_t n = 1000;
	struct counts *c = counts_new(n, 10);
	assert_int_equal(parallel_for(n, 4, 1, count, c, NULL), -1);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(atomic_load(&c->seen[i]), i <= 10);
	counts_free(c);
	/* With threads, the failure is reported and no index runs twice. */
	c = counts_new(n, 500);
	assert_int_equal(parallel_for(n, 1, PFOR_MAX, count, c, NULL), -1);
	assert_int_equal(atomic_load(&c->seen[500]), 1);
	for (size_t i = 0; i < n; i++)
		assert_true(atomic_load(&c->seen[i]) <= 1);
	counts_free(c);
}

/* Calls that wait, as reads of a cold tree do: each a millisecond. */
static int wait_a_little(void *arg, size_t i, int worker)
{
	struct counts *c = arg;
	atomic_fetch_add(&c->workers[worker], 1);
	atomic_fetch_add(&c->seen[i], 1);
	usleep(1000);
	return 0;
}

static int workers_used(struct counts *c)
{
	int used = 0;
	for (int w = 0; w < PFOR_MAX; w++)
		used += atomic_load(&c->workers[w]) > 0;
	return used;
}

/* PFOR_CPU: a thread a core, never more; PFOR_IO: PFOR_IO threads, more
 * than the cores where there are fewer, so that waits overlap;
 * PFOR_CREATE: two a core. */
static void threads_for_cpu_and_io(void **state)
{
	(void)state;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const size_t n = 400;
	struct counts *c = counts_new(n, SIZE_MAX);
	assert_int_equal(parallel_for(n, 1, PFOR_CPU, wait_a_little, c, NULL),
			 0);
	assert_true(workers_used(c) <= cpus);
	counts_free(c);
	c = counts_new(n, SIZE_MAX);
	assert_int_equal(parallel_for(n, 1, PFOR_IO, wait_a_little, c, NULL),
			 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(atomic_load(&c->seen[i]), 1);
	/* 400 waits of 1 ms: each of the 8 threads gets some. */
	assert_int_equal(workers_used(c), PFOR_IO);
	counts_free(c);
	/* PFOR_CREATE: two a core, within PFOR_MAX; and all of them work. */
	long want = 2 * cpus < PFOR_MAX ? 2 * cpus : PFOR_MAX;
	assert_int_equal(pfor_threads(PFOR_CREATE), want);
	assert_int_equal(pfor_threads(PFOR_CPU), cpus < PFOR_MAX ? cpus : PFOR_MAX);
	assert_int_equal(pfor_threads(0), 1);
	assert_int_equal(pfor_threads(1000), PFOR_MAX);
	c = counts_new(n, SIZE_MAX);
	assert_int_equal(parallel_for(n, 1, PFOR_CREATE, wait_a_little, c,
				      NULL), 0);
	assert_int_equal(workers_used(c), want);
	counts_free(c);
}

/* json_string(s), as a string. */
static char *json_of(const char *s)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	json_string(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void expect_json(const char *s, const char *want)
{
	char *got = json_of(s);
	assert_string_equal(got, want);
	free(got);
}

static void json_ascii_and_escapes(void **state)
{
	(void)state;
	expect_json("", "\"\"");
	expect_json(NULL, "\"\"");
	expect_json("src/a.c", "\"src/a.c\"");
	expect_json("a\"b\\c", "\"a\\\"b\\\\c\"");
	expect_json("\n\t\r\x01\x1f\x7f",
		    "\"\\n\\t\\r\\u0001\\u001f\x7f\"");
}

/* Well-formed UTF-8 of every length, and the ends of the ranges. */
static void json_valid_utf8(void **state)
{
	(void)state;
	/* U+00E9; U+0080, U+07FF */
	expect_json("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	expect_json("\xc2\x80\xdf\xbf", "\"\xc2\x80\xdf\xbf\"");
	/* U+20AC; U+0800; U+D7FF, U+E000 (around the surrogates) */
	expect_json("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	expect_json("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");
	expect_json("\xed\x9f\xbf\xee\x80\x80",
		    "\"\xed\x9f\xbf\xee\x80\x80\"");
	/* U+1F600; U+10000; U+10FFFF */
	expect_json("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	expect_json("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"");
	expect_json("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");
}

/* Each byte of an invalid sequence is escaped alone; what follows is
 * read afresh. */
static void json_invalid_utf8(void **state)
{
	(void)state;
	/* A lone 0xff; a lone continuation byte. */
	expect_json("a\xff" "b", "\"a\\udcffb\"");
	expect_json("\x80", "\"\\udc80\"");
	/* Truncated at the end of the string, or by another byte. */
	expect_json("x\xe2\x82", "\"x\\udce2\\udc82\"");
	expect_json("\xf0\x9f\x98", "\"\\udcf0\\udc9f\\udc98\"");
	expect_json("\xe2\x82" "a", "\"\\udce2\\udc82a\"");
	expect_json("\xc3\xc3\xa9", "\"\\udcc3\xc3\xa9\"");
	/* Overlong forms of '/'. */
	expect_json("\xc0\xaf", "\"\\udcc0\\udcaf\"");
	expect_json("\xe0\x80\xaf", "\"\\udce0\\udc80\\udcaf\"");
	expect_json("\xf0\x80\x80\xaf",
		    "\"\\udcf0\\udc80\\udc80\\udcaf\"");
	/* Encoded surrogates U+D800, U+DFFF. */
	expect_json("\xed\xa0\x80", "\"\\udced\\udca0\\udc80\"");
	expect_json("\xed\xbf\xbf", "\"\\udced\\udcbf\\udcbf\"");
	/* U+110000, and lead bytes that are never valid. */
	expect_json("\xf4\x90\x80\x80",
		    "\"\\udcf4\\udc90\\udc80\\udc80\"");
	expect_json("\xf5\xfe", "\"\\udcf5\\udcfe\"");
}

/* The size of this process's descriptor table (FDSize), or -1. */
static int fd_table_size(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int n = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "FDSize: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

/* In a process whose table is the kernel's smallest (64): reserve_fds
 * grows it, and leaves no descriptor open. Exit status: 0 when right,
 * else which check failed. */
static int grow_in_child(void)
{
	if (fd_table_size() >= 256)
		return 1;	/* it should not be: nothing would be proved */
	int lowest = open("/dev/null", O_RDONLY);
	close(lowest);
	reserve_fds(256);
	if (fd_table_size() < 256)
		return 2;
	if (fcntl(255, F_GETFD) >= 0)
		return 3;	/* the one it made was left open */
	return open("/dev/null", O_RDONLY) == lowest ? 0 : 4;
}

/* A descriptor already at n - 1 is stepped over, not replaced. */
static int in_use_in_child(void)
{
	int p[2];
	struct stat before, after;
	if (pipe(p) < 0 || dup2(p[1], 255) != 255 || fstat(255, &before) < 0)
		return 1;
	int lowest = open("/dev/null", O_RDONLY);
	close(lowest);
	reserve_fds(256);
	if (fstat(255, &after) < 0 || after.st_ino != before.st_ino)
		return 2;
	if (fcntl(256, F_GETFD) >= 0)
		return 3;	/* the one above it was left open */
	return open("/dev/null", O_RDONLY) == lowest ? 0 : 4;
}

/* fn's return in a grandchild: a process whose table is new, sized by
 * the descriptors its parent had open (0-2 only: whatever ran the tests
 * may have left one past 63 open). */
static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		close_range(3, ~0u, 0);
		pid_t gc = fork();
		int status;
		if (gc == 0)
			_exit(fn());
		if (gc < 0 || waitpid(gc, &status, 0) != gc ||
		    !WIFEXITED(status))
			_exit(99);
		_exit(WEXITSTATUS(status));
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void reserve_fds_grows_the_table(void **state)
{
	(void)state;
	assert_int_equal(in_child(grow_in_child), 0);
	assert_int_equal(in_child(in_use_in_child), 0);
}

/* Never past the soft limit (F_DUPFD there would fail): the table covers
 * up to it, and nothing is left open. */
static int limited_in_child(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 100;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	int lowest = open("/dev/null", O_RDONLY);
	close(lowest);
	reserve_fds(1024);
	if (fd_table_size() < 100)
		return 2;
	if (fcntl(99, F_GETFD) >= 0)
		return 3;
	return open("/dev/null", O_RDONLY) == lowest ? 0 : 4;
}

static void reserve_fds_within_the_limit(void **state)
{
	(void)state;
	assert_int_equal(in_child(limited_in_child), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_index_once),
		cmocka_unit_test(nothing_to_do),
		cmocka_unit_test(a_failure_stops_the_rest),
		cmocka_unit_test(threads_for_cpu_and_io),
		cmocka_unit_test(json_ascii_and_escapes),
		cmocka_unit_test(json_valid_utf8),
		cmocka_unit_test(json_invalid_utf8),
		cmocka_unit_test(reserve_fds_grows_the_table),
		cmocka_unit_test(reserve_fds_within_the_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
