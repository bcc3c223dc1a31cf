/* fs.c DIR: every family of file entry points, on paths in DIR, for the
 * shim tests (t1001). Exits 0 when every call behaved as libc documents. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

static int failures;
#define CHECK(x)                                                     \
	do {                                                         \
		if (!(x)) {                                          \
			fprintf(stderr, "fs.c:%d: %s\n", __LINE__, #x); \
			failures++;                                  \
		}                                                    \
	} while (0)

static int nftw_cb(const char *p, const struct stat *s, int t, struct FTW *f)
{
	(void)p; (void)s; (void)t; (void)f;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || chdir(argv[1]) < 0)
		return 2;
	volatile int rdonly = O_RDONLY;	/* not constant: __open_2 path */
	int fd;
	/* open family */
	CHECK((fd = open("exists.txt", rdonly)) >= 0); close(fd);
	CHECK(open("missing.txt", O_RDONLY) < 0 && errno == ENOENT);
	CHECK(open("exists.txt/x", O_RDONLY) < 0 && errno == ENOTDIR);
	CHECK((fd = open("created.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0);
	CHECK(write(fd, "x\n", 2) == 2); close(fd);
	CHECK((fd = creat("creat.txt", 0644)) >= 0); close(fd);
	int dfd = open("sub", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK((fd = openat(dfd, "in-sub.txt", O_RDONLY)) >= 0); close(fd);
	CHECK(openat(dfd, "nope.h", O_RDONLY) < 0 && errno == ENOENT);
	/* stdio */
	FILE *f = fopen("exists.txt", "r");
	CHECK(f != NULL); fclose(f);
	CHECK((f = fopen("fopen-w.txt", "w")) != NULL);
	CHECK((f = freopen("freopen.txt", "w", f)) != NULL); fclose(f);
	CHECK(fopen("missing-f.txt", "r") == NULL);
	/* opens that keep what is there: created or not */
	for (int i = 0; i < 2; i++) {
		CHECK((fd = open("appended.txt", O_WRONLY | O_CREAT | O_APPEND,
				 0644)) >= 0);
		close(fd);
	}
	CHECK((fd = openat(dfd, "b.txt", O_RDWR | O_CREAT, 0644)) >= 0);
	close(fd);
	CHECK((f = fopen("fopen-a.txt", "a")) != NULL); fclose(f);
	/* `>`: O_CREAT | O_TRUNC empties what is there, if anything was */
	for (int i = 0; i < 2; i++) {
		CHECK((fd = creat("emptied.txt", 0644)) >= 0);
		close(fd);
	}
	/* touch: O_WRONLY | O_CREAT keeps what is there too */
	for (int i = 0; i < 2; i++) {
		CHECK((fd = open("touched.txt", O_WRONLY | O_CREAT, 0644)) >= 0);
		close(fd);
	}
	/* stat family */
	struct stat st;
	struct statx sx;
	CHECK(stat("exists.txt", &st) == 0);
	CHECK(stat("missing-stat.h", &st) < 0 && errno == ENOENT);
	CHECK(lstat("link-to-exists", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(fstatat(dfd, "in-sub.txt", &st, 0) == 0);
	CHECK(statx(AT_FDCWD, "statx.h", 0, STATX_BASIC_STATS, &sx) < 0);
	CHECK(access("exists.txt", R_OK) == 0);
	CHECK(access("missing-access", F_OK) < 0);
	CHECK(faccessat(dfd, "missing-faccessat", F_OK, 0) < 0);
	CHECK(euidaccess("exists.txt", R_OK) == 0);
	char buf[PATH_MAX];
	CHECK(readlink("link-to-exists", buf, sizeof buf) > 0);
	CHECK(realpath("sub/../exists.txt", buf) != NULL);
	/* listings */
	DIR *d = opendir("sub");
	CHECK(d != NULL);
	while (d && readdir(d))
		;
	if (d) closedir(d);
	struct dirent **names;
	int n = scandir("sub", &names, NULL, alphasort);
	CHECK(n >= 3);
	while (n-- > 0) free(names[n]);
	if (n >= -1) free(names);
	glob_t g;
	CHECK(glob("sub/*.txt", 0, NULL, &g) == 0); globfree(&g);
	/* Nothing to match: a look-up of the name, no listing of g/. */
	CHECK(glob("g/one.txt", 0, NULL, &g) == 0); globfree(&g);
	CHECK(glob("g/none.txt", 0, NULL, &g) == GLOB_NOMATCH);
	CHECK(glob("g/nocheck.txt", GLOB_NOCHECK, NULL, &g) == 0); globfree(&g);
	CHECK(nftw("tree", nftw_cb, 8, FTW_PHYS) == 0);
	char *paths[] = { "tree", NULL };
	FTS *fts = fts_open(paths, FTS_PHYSICAL, NULL);
	CHECK(fts != NULL);
	while (fts && fts_read(fts))
		;
	if (fts) fts_close(fts);
	/* changes */
	CHECK(rename("created.txt", "renamed.txt") == 0);
	CHECK(link("renamed.txt", "hardlink.txt") == 0);
	CHECK(symlink("renamed.txt", "symlink.txt") == 0);
	CHECK(unlink("hardlink.txt") == 0);
	CHECK(remove("symlink.txt") == 0);
	CHECK(mkdir("newdir", 0755) == 0);
	CHECK(rmdir("newdir") == 0);
	CHECK(truncate("renamed.txt", 1) == 0);
	CHECK(utimensat(AT_FDCWD, "renamed.txt", NULL, 0) == 0);
	CHECK(utime("renamed.txt", NULL) == 0);
	CHECK(chmod("renamed.txt", 0600) == 0);
	CHECK(unlink("missing-unlink") < 0 && errno == ENOENT);
	/* an exchange: both names read, both written */
	CHECK(link("renamed.txt", "swap-a.txt") == 0);
	CHECK(symlink("renamed.txt", "swap-b.txt") == 0);
	CHECK(renameat2(AT_FDCWD, "swap-a.txt", AT_FDCWD, "swap-b.txt",
			RENAME_EXCHANGE) == 0);
	/* temporary files */
	char tmpl[] = "tmp-XXXXXX";
	CHECK((fd = mkstemp(tmpl)) >= 0); close(fd); unlink(tmpl);
	char dtmpl[] = "dtmp-XXXXXX";
	CHECK(mkdtemp(dtmpl) != NULL); rmdir(dtmpl);
	FILE *t = tmpfile();
	CHECK(t != NULL); if (t) fclose(t);
	/* raw syscall with a path */
	CHECK((fd = (int)syscall(SYS_openat, AT_FDCWD, "exists.txt", O_RDONLY)) >= 0);
	close(fd);
	/* working directory: relative paths made absolute after chdir */
	CHECK(chdir("sub") == 0);
	CHECK((fd = open("in-sub.txt", O_RDONLY)) >= 0); close(fd);
	int top = open("..", O_RDONLY | O_DIRECTORY);
	CHECK(fchdir(top) == 0); close(top);
	CHECK((fd = open("after-fchdir.txt", O_RDONLY)) < 0);
	/* dlopen */
	void *h = dlopen("libm.so.6", RTLD_NOW);
	CHECK(h != NULL);
	/* getenv */
	CHECK(getenv("CKPT_TEST_SET") != NULL);
	CHECK(getenv("CKPT_TEST_UNSET") == NULL);
	close(dfd);
	return failures ? 1 : 0;
}
