/*
 * ckpt.h - what the analyzer's files share: errors, memory, paths, hashing.
 *
 * Library code reports an error with error() and returns -1; only the
 * command layer (cmd_*.c) decides to exit. Internal invariants use assert.
 */
#ifndef CKPT_CKPT_H
#define CKPT_CKPT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define CKPT_VERSION "0.1"

/* ---- errors and memory (util.c) ---- */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);
/* p, or "out of memory" and abort when it is NULL. */
void *xcheck(void *p);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
void *xmemdup(const void *p, size_t n);
/* Ask for huge pages for the 2 MiB-aligned part of a large buffer, before
 * it is written: one fault for 2 MiB instead of 512. */
void advise_huge(void *p, size_t n);
/* Room for n descriptors (at most the soft limit): call with one thread. */
void reserve_fds(int n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define GROW(arr, nr, alloc)                                              \
	do {                                                              \
		if ((nr) >= (alloc)) {                                    \
			(alloc) = (alloc) ? (alloc) * 2 : 16;             \
			(arr) = xrealloc((arr), (alloc) * sizeof *(arr)); \
		}                                                         \
	} while (0)

/* Progress on stderr, only when it is a terminal. */
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress_done(void);

/*
 * fn(arg, i, worker) for every i in [0, n), in chunks of `chunk`, on up to
 * `threads` threads (PFOR_MAX at most); the calling thread is worker 0,
 * the others 1.. (for per-worker state), and it shows progress
 * "what: done/n" when `what` is set. A call returning < 0 stops the
 * handing out of work; then parallel_for returns -1.
 *
 * PFOR_CPU is a thread a core, for work that computes. PFOR_IO is for
 * work on files that may not be cached (a tree copied minutes ago, which
 * the VM has since dropped): threads beyond the cores then wait on the
 * disk side by side. A cold restore of the bench project went from 0.56 to
 * 0.35 s with them; warm, they measured the same as a thread a core.
 * PFOR_CREATE, two threads a core, is for creating files: the kernel's
 * work, which a second thread a core keeps going while the other waits
 * for a directory's lock (2,000 files of the bench project on 2 cores,
 * 8 runs each: median 54 ms on 2 threads, 46 ms on 4, 52 ms on 8).
 */
enum { PFOR_MAX = 8, PFOR_IO = 8, PFOR_CPU = -1, PFOR_CREATE = -2 };
/* The number of threads that `threads` (a count, or PFOR_CPU...) means. */
int pfor_threads(int threads);
int parallel_for(size_t n, size_t chunk, int threads,
		 int (*fn)(void *arg, size_t i, int worker), void *arg,
		 const char *what);

uint64_t now_ns(void);		/* CLOCK_MONOTONIC, as the trace */
uint64_t wall_ns(void);		/* CLOCK_REALTIME, as file mtimes */

/* A JSON string literal: valid UTF-8 passes through, each byte of an
 * invalid sequence is written as \udcXX (Python's "surrogateescape"). */
void json_string(FILE *f, const char *s);

/* ---- paths (path.c) ---- */
/* Lexically normalise an absolute path in place: "//", "/./", "/x/../". */
void path_normalize(char *path);
/* If path is root itself or under it, the part after "root/" ("" for root
 * itself); else NULL. */
const char *path_under(const char *path, const char *root);
/* A stored relative path is safe: not absolute, no ".." component, not
 * empty, no NUL. */
int path_is_safe_relative(const char *rel);
/* The mode of the first directory on the way to root/rel (below root)
 * that is not one (a symlink, a file), or 0. Missing ones are fine. */
mode_t path_blocked(const char *root, const char *rel);
/* The same, and the length of rel's part that names it in *len. */
mode_t path_blocked_at(const char *root, const char *rel, size_t *len);
/* What the symbolic link root/rel points to (malloc'd; "" if it is not
 * one): for messages about a link path_blocked_at found. */
char *path_link_target(const char *root, const char *rel);
/* rel is safe and path_blocked finds nothing, so writing there stays
 * inside root. 1 = safe, 0 = not. */
int path_stays_inside(const char *root, const char *rel);
/* mkdir -p of the directories above root/rel; -1 on error. */
int path_mkdirs_for(const char *root, const char *rel);
/* Escape/unescape for one-token-per-field text (%XX for space, %, \n...). */
char *path_escape(const char *s);
/* The same into out (room for 3 * strlen(s) + 1); returns its end. */
char *path_escape_to(char *out, const char *s);
/* How many bytes from the start of s escaping leaves as they are: all of
 * them (strlen) when s needs no escape. */
size_t path_plain_len(const char *s);
int path_unescape(char *s);
/* Text that names the root (no NUL byte, root followed by '/', the end or a
 * byte no file name continues with) is rewritten when restored elsewhere:
 * kbuild's and objtool's .cmd files hold absolute paths. */
int text_names_root(const char *buf, size_t len, const char *root);
/* buf with each such mention of `from` replaced by `to`; malloc'd, NUL
 * terminated, its length in *out_len. */
char *text_relocate(const char *buf, size_t len, const char *from,
		    const char *to, size_t *out_len);

/* ---- hashing (hash.c) ---- */
struct hash128 {
	uint64_t hi, lo;
};
#define HASH_HEX 33
int hash_file(const char *path, struct hash128 *out);	/* follows symlinks; -1: errno */
/* The hash of text file `path` (at most max bytes) with each mention of
 * root `from` made `to` (text_relocate): 1 if it named `from`, 0 if it
 * did not (or is not text, or is larger), -1 with errno. */
int hash_file_relocated(const char *path, const char *from, const char *to,
			size_t max, struct hash128 *out);
void hash_bytes(const void *p, size_t n, struct hash128 *out);
void hash_to_hex(const struct hash128 *h, char out[HASH_HEX]);
int hash_from_hex(const char *s, struct hash128 *out);
int hash_equal(const struct hash128 *a, const struct hash128 *b);

/* ---- executables (elfinfo.c, libelf) ---- */
/* "ELF64, static (no PT_INTERP), setuid" and the like; malloc'd. */
char *elf_describe(const char *path);
/* Is path an ELF file whose DT_RUNPATH or DT_RPATH names a directory in
 * root (CMake links the programs of its build tree so)? */
int elf_runpath_under(const char *path, const char *root);

#endif
