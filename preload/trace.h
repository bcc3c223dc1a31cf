/*
 * trace.h - the on-disk trace format, shared by the shim and the analyzer.
 *
 * Every traced process image (a fresh exec, or a fork child) writes its own
 * file DIR/trace/<pid>-<n>.trc through a MAP_SHARED window, so a record is on
 * its way to disk the moment it is copied in: exec, _exit, abort or SIGKILL
 * lose nothing, and the shim holds no file descriptor a program could close.
 * The file is a header followed by 8-byte aligned records; a record length of
 * zero marks the end (the unused tail of the last window is a sparse hole).
 * docs/trace-format.md is the prose version of this header.
 */
#ifndef CKPT_TRACE_H
#define CKPT_TRACE_H

#include <stdint.h>

#define CKPT_TRACE_MAGIC "CKPTTRC"	/* 7 chars + NUL = 8 bytes */
#define CKPT_TRACE_VERSION 1
#define CKPT_TRACE_WINDOW (1u << 20)	/* bytes mapped at a time */

struct ckpt_file_header {
	char magic[8];		/* CKPT_TRACE_MAGIC */
	uint32_t version;	/* CKPT_TRACE_VERSION */
	uint32_t window;	/* records never straddle a multiple of this */
	uint64_t reserved[2];
};

/*
 * One event. Strings follow the header, each NUL-terminated, then zero
 * padding up to a multiple of 8. What the strings and `arg` mean depends on
 * `op` (see enum ckpt_op). Paths are absolute: relative paths are joined with
 * the process's tracked working directory or the dirfd's path, but not
 * normalised ("a/../b" is left for the analyzer).
 */
struct ckpt_rec {
	uint32_t len;		/* bytes including this header; 0 = end */
	uint16_t op;		/* enum ckpt_op */
	uint16_t nstr;		/* number of strings that follow */
	int32_t pid;		/* process that did it */
	int32_t err;		/* 0 on success, else the errno it failed with */
	uint64_t time;		/* CLOCK_MONOTONIC, nanoseconds */
	uint64_t arg;		/* op-specific number, see below */
};

/* Each value is stable: new ops are appended, never renumbered. */
enum ckpt_op {
	CKPT_PAD = 0,		/* filler to the end of a window */
	CKPT_START = 1,		/* first record of every file. arg: ppid,
				   | CKPT_START_FORK for a fork child.
				   strings: exe, cwd, argv... */
	CKPT_EXEC = 2,		/* exec about to happen. arg: argc | flags.
				   strings: path, argv... With
				   CKPT_EXEC_FAILED: it failed, err says why */
	CKPT_UNTRACED = 3,	/* exec of something the shim cannot follow.
				   arg: enum ckpt_untraced. strings: path */
	CKPT_READ = 4,		/* open for reading. arg: open flags. s: path */
	CKPT_WRITE = 5,		/* open for writing/creating. arg: flags
				   | CKPT_WRITE_CREATED */
	CKPT_STAT = 6,		/* stat/lstat/access/readlink/realpath */
	CKPT_READDIR = 7,	/* directory listed. s: path */
	CKPT_UNLINK = 8,	/* s: path */
	CKPT_RENAME = 9,	/* s: from, to */
	CKPT_LINK = 10,		/* hard link. s: existing, new */
	CKPT_SYMLINK = 11,	/* s: target (as given), linkpath */
	CKPT_MKDIR = 12,
	CKPT_RMDIR = 13,
	CKPT_CHDIR = 14,	/* s: new cwd */
	CKPT_TRUNCATE = 15,
	CKPT_UTIME = 16,
	CKPT_CHMOD = 17,
	CKPT_GETENV = 18,	/* s: name. err: ENOENT when unset */
	CKPT_LOAD = 19,		/* shared object mapped. s: path */
	CKPT_CONNECT = 20,	/* s: address ("unix:/path", "1.2.3.4:80") */
	CKPT_RESOLVE = 21,	/* name look-up. s: host name */
	CKPT_ENVIRON = 22,	/* the environment of the first traced
				   process. strings: NAME=value... */
	CKPT_STDOUT = 23,	/* what fd 1 is at start. arg: its inode;
				   strings: "pipe", "file", "tty", "other",
				   or "closed". The analyzer tells a make's
				   $(shell ...) (a pipe of its own) from a
				   recipe (make's own stdout) by it. */
	CKPT_LOST = 24,		/* the process could not write the rest of
				   its records (the file system of the trace
				   had no room). err: why. The last record. */
	CKPT_REAP = 25,		/* a child's end was waited for (wait*).
				   arg: the child's pid */
	CKPT_OP_MAX
};

#define CKPT_START_FORK (1ull << 32)	/* START of a fork child */
#define CKPT_EXEC_SPAWN (1ull << 32)	/* EXEC done for a posix_spawn/system
					   child; pid is the child's */
#define CKPT_EXEC_FAILED (1ull << 33)	/* the exec just before failed; err */
#define CKPT_WRITE_CREATED (1ull << 32)	/* WRITE: an open that keeps what is
					   there (O_CREAT for writing, without
					   O_TRUNC or O_EXCL) found the path
					   missing just before */
#define CKPT_WRITE_EXISTED (1ull << 33)	/* WRITE: an open that empties what
					   is there (O_CREAT | O_TRUNC,
					   without O_EXCL) found the path
					   there just before */
#define CKPT_EXEC_ARGC(arg) ((uint32_t)(arg))

enum ckpt_untraced {
	CKPT_UT_STATIC = 1,	/* ELF without PT_INTERP */
	CKPT_UT_SETID = 2,	/* setuid/setgid bit that makes it secure-exec */
	CKPT_UT_CAPS = 3,	/* file capabilities */
	CKPT_UT_RAW = 4,	/* execve by raw syscall without our LD_PRELOAD */
	CKPT_UT_ABI = 5,	/* ELF of another class (32-bit on 64-bit) */
	/* Never in a trace: the analyzer's, for an exec that succeeded and
	 * left no trace of the program it started (its trace file could not
	 * be made, as by a program that dropped its privileges, or it died
	 * before the shim ran). */
	CKPT_UT_NOTRACE = 6,
};

#define CKPT_REC_ALIGN(n) (((n) + 7u) & ~7u)

#endif
