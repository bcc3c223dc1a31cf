/*
 * model.h - the checkpoint in memory: files, jobs, and what each job did to
 * each file. Built from a trace (build.c) or read from a manifest
 * (manifest.c); the invalidation (changes.c) and every command work on it.
 *
 * Paths inside the root are stored relative to it (no leading '/'), paths
 * outside it are absolute: a relative path is always a root path.
 */
#ifndef CKPT_MODEL_H
#define CKPT_MODEL_H

#include <stdint.h>

#include "ckpt.h"

enum role {
	ROLE_NONE = 0,
	ROLE_SOURCE = 'S',	/* inside root, read, never written */
	ROLE_EXTERNAL = 'E',	/* outside root, read */
	ROLE_OUTPUT = 'O',	/* written by a job, present at the end */
	ROLE_OUTDIR = 'D',	/* directory created by a job */
	ROLE_ABSENT = 'A',	/* looked up, not found, never created */
	ROLE_LISTING = 'L',	/* directory whose listing was read */
	ROLE_EXISTS = 'X',	/* only its existence was used (stat) */
	ROLE_TEMP = 'T',	/* written and gone, or outside the root */
	ROLE_PSEUDO = 'P',	/* /proc, /sys, /dev: for the audit only */
};

struct file {
	char *path;
	int role;
	struct hash128 hash;	/* content, listing, or symlink target */
	uint64_t size, ino;
	int64_t mtime;		/* ns since the epoch */
	uint32_t mode;		/* st_mode; S_IFLNK for a symlink */
	char *link;		/* target, for a symlink among the outputs,
				   the sources (S) and the files looked at
				   (X) of the tree */
	char *names;		/* a listing's entries as recorded, as the
				   manifest's "l" record holds them; NULL
				   if not known (changes.h: listing_diff) */
	int producer;		/* job that wrote it last, or -1 */
	int changed;		/* set by changes.c */
	int64_t seen_mtime;	/* changes.c: mtime in the tree checked (0:
				   missing, a directory, or not stat'ed) */
	int flags;		/* FILE_* below, collected while building */
	int mark_job, mark_idx;	/* dedupe of deps while building */
	int names_job;		/* changes.c: the first job the names added
				   to or removed from this listing matter
				   to (FILE_NAMES_USED) */
};

#define FILE_WRITTEN_OUTSIDE (1 << 0)	/* written outside root, not /tmp */
#define FILE_NO_PRODUCER (1 << 1)	/* appeared, no traced writer */
#define FILE_NAMES_ROOT (1 << 2)	/* output text naming the root */
#define FILE_UPDATED (1 << 3)	/* there before the build, read, rewritten */
#define FILE_WAS_OUTPUT (1 << 4)	/* an output of the previous checkpoint */
#define FILE_OUTPUT_CHILD (1 << 5)	/* a directory holding outputs */
#define FILE_FOUND_FIRST (1 << 6)	/* found by a job before any missed it */
#define FILE_RUNPATH_ROOT (1 << 8)	/* an ELF output whose RUNPATH or
					   RPATH names the root (elfinfo.c) */
#define FILE_NAMES_USED (1 << 7)	/* changes.c: a listing whose names
					   added or removed matter to a job
					   that listed it (makenames.c) */
#define FILE_DEPFILE (1 << 9)		/* make rules a compiler wrote
					   (-MF FILE, -MM > FILE; build.c) */
#define FILE_BEFORE (1 << 10)		/* an output that was there before
					   the build wrote it: restore
					   never removes it (save.c) */
/* While the trace becomes jobs (build.c): written by appending to what
 * was there (`>> log` onto a file the build found), and written in any
 * other way. Appended to only, it is no job's output (save.c). */
#define FILE_APPENDED (1 << 11)
#define FILE_REWRITTEN (1 << 12)
/* A file a make only looked at that its makefiles are remade from
 * (automake's Makefile.in): read by that make (makenames.c,
 * make_remake_inputs), and not a makefile itself. */
#define FILE_MAKE_PREREQ (1 << 13)
/* A file the tree held before the build, which the build only appended
 * to (config.log): what it holds in a tree says nothing of the build's
 * sources, so status does not name it as a file looked at (save.c). */
#define FILE_APPENDED_ONLY (1 << 14)
/* A file of the tree the build deleted (or moved away) and did not make
 * again, which no job wrote: there before the build (m4's `rm -f
 * checks/NNN.*` of the shipped test files). A temporary (T) by
 * role; restore deletes it where the jobs that did are valid, and a
 * tree holding it has it changed for the jobs that read it first
 * (changes.c: CH_GONE). */
#define FILE_GONE (1 << 15)
/* In the previous checkpoint's model while a chained record merges it
 * (save.c, merge_previous): a path the new build wrote that the old
 * build never met. Not a name the old build's makes knew
 * (makenames.c). Never stored. */
#define FILE_MET_LATER (1 << 16)

/* Access flags of one job on one file. */
enum {
	ACC_READ = 1 << 0,	/* content read (open, exec, load) */
	ACC_STAT = 1 << 1,	/* looked up and found */
	ACC_ABSENT = 1 << 2,	/* looked up, not found */
	ACC_LIST = 1 << 3,	/* directory listed */
	ACC_WRITE = 1 << 4,	/* created or modified */
	ACC_DELETE = 1 << 5,	/* removed or renamed away */
	ACC_MKDIR = 1 << 6,
	/* While the trace becomes jobs (until ckpt_classify_deps): a read
	 * by a program that does more than compare (not cmp, diff). */
	ACC_USED = 1 << 7,
	/* Only as an argument of build.c's access_path: the write is an
	 * append to what was there (FILE_APPENDED). Never stored. */
	ACC_APPEND = 1 << 8,
};

/* 8 bytes: a kernel's or a large project's manifest holds half a million
 * or more, which status and restore read, index and walk. */
struct dep {
	int file;
	int acc;		/* ACC_* */
};

/* When a job first touched the file of its dep k (dtimes[k]): kept only
 * while a trace is turned into a checkpoint (build.c, save.c), up to
 * ckpt_classify_deps; never stored. */
struct dep_time {
	uint64_t in;		/* first read/look-up/listing */
	uint64_t write;		/* first write, rename-away or mkdir */
	uint64_t used;		/* first read that did more than compare
				   (ACC_USED), 0 none */
};

/* A recipe job's output goes where make's goes; a $(shell ...) job's
 * stdout is a pipe make reads (told apart by the STDOUT record). */
enum job_kind { JOB_RECIPE = 'r', JOB_DRIVER = 'd', JOB_SHELL = 's' };

struct job {
	int kind;
	int driver;		/* enclosing driver job, -1 at the top */
	int untraced;		/* enum ckpt_untraced of an exec we lost */
	char *untraced_path;
	char *cwd;		/* as recorded (absolute) */
	char *cmd;		/* command line for people, escaped words */
	uint64_t start, end;
	struct dep *deps;
	size_t ndeps, adeps;
	struct dep_time *dtimes;	/* NULL, or adtimes of them */
	size_t adtimes;
	char **env;		/* environment variables read */
	size_t nenv, aenv;
	char **net;		/* connects and name look-ups */
	size_t nnet, anet;
	char **execs;		/* "cwd\targv..." of each program run */
	size_t nexecs, aexecs;
	/* Jobs of the same driver that this one may be the next line of a
	 * recipe after (build.c, link_recipe_lines): make starts the next
	 * line as soon as one ends, and looks at nothing in the tree
	 * between them. Few; usually one. */
	int *prev;
	size_t nprev, aprev;
	uint64_t target_look;	/* when its make last looked at a file it
				 * writes, before it began; 0: never (build.c) */
	int affected;		/* set by changes.c: 0, or why (AFF_*) */
	int cause;		/* file or job that caused it, by AFF_ */
	int via;		/* AFF_INPUT: the affected job that wrote the
				 * file, or -1 (an untrusted output) */
	int keep;		/* scratch for merging */
};

/* An environment variable the build used (envvars.c). */
struct envvar {
	char *name;
	int set;		/* it was set when the build started */
	struct hash128 hash;	/* of its value then, if set */
	int changed;		/* set by envvars_check */
};

struct ckpt {
	char *root;		/* absolute root at record time */
	uint64_t created;	/* wall clock ns when saved */
	struct file *files;
	size_t nfiles, afiles;
	struct slot *slots;	/* the path index (model.c) */
	size_t nslots;
	int output_parents;	/* FILE_OUTPUT_CHILD is set (changes.c) */
	int links_known;	/* sources and files looked at that were
				 * symbolic links have `link` (manifest 11) */
	char *ckpt_rel;		/* the checkpoint directory, when it lies in
				 * the tree: its path from the root, which
				 * listings leave out; else NULL */
	char *dir;		/* the checkpoint directory (ckpt_set_dir),
				 * or NULL */
	char *check_root;	/* the tree last checked against it
				 * (ckpt_detect_changes), or NULL */
	struct job *jobs;
	size_t njobs, ajobs;
	struct envvar *envs;	/* sorted by name */
	size_t nenvs, aenvs;
	/* Every variable compared of the environment the build started
	 * with, kept when a job used all of it (ENV_ALL), to say which
	 * changed: sorted by name, all set; hash.lo holds 16 bits of the
	 * value's hash (envvars.c, value_tag), hash.hi 0. */
	struct envvar *start_env;
	size_t nstart_env, astart_env;
	struct hazard *hazards;
	size_t nhazards, ahazards;
};

/* Something an audit should flag, found while saving (times are needed). */
enum hazard_kind {
	HAZ_WRITE_WRITE = 'w',	/* job1 and job2 both wrote file */
	HAZ_READ_EARLY = 'r',	/* job1 read file before job2 wrote it */
	HAZ_OUTSIDE = 'o',	/* job1 wrote file outside the root */
	HAZ_SOURCE_CHANGED = 's', /* file changed after job1 read it */
};

struct hazard {
	int kind, file, job1, job2;
};

void ckpt_init(struct ckpt *c, const char *root);
void ckpt_release(struct ckpt *c);
/* The file for a path (interned), or -1 if absent and !create. */
int ckpt_file(struct ckpt *c, const char *path, int create);
/* The file for the first len bytes of path, or -1. */
int ckpt_lookup(const struct ckpt *c, const char *path, size_t len);
/* For a reader that adds many files at once: append n, unindexed (no
 * lookup until ckpt_index_files), which the caller fills in (on several
 * threads), each with ckpt_file_init before anything else reads it; then
 * index them all, which returns -1, or the id of a path that an earlier
 * file has. */
void ckpt_files_add(struct ckpt *c, size_t n);
void ckpt_file_init(struct file *f, const char *path);
/* Why a job's program could not be traced (enum ckpt_untraced), for
 * people: audit and explain. */
const char *untraced_reason(int why);
int ckpt_index_files(struct ckpt *c);
/* Make room for n files in all (no growth while a manifest is read). */
void ckpt_reserve(struct ckpt *c, size_t n);
int ckpt_job_new(struct ckpt *c, int kind, int driver);
/* Note access `acc` by job j to file f at time t. */
void job_access(struct ckpt *c, int j, int f, int acc, uint64_t t);
void job_add_string(char ***arr, size_t *n, size_t *a, const char *s,
		    int unique);
/* Merge duplicate deps of every job (sorted by file). */
void ckpt_sort_deps(struct ckpt *c);
/* When job j first looked at / wrote the file of its dep k; 0 where
 * times were not kept (a job read from a manifest). */
static inline uint64_t dep_t_in(const struct job *j, size_t k)
{
	return j->dtimes && k < j->adtimes ? j->dtimes[k].in : 0;
}
static inline uint64_t dep_t_write(const struct job *j, size_t k)
{
	return j->dtimes && k < j->adtimes ? j->dtimes[k].write : 0;
}
static inline uint64_t dep_t_used(const struct job *j, size_t k)
{
	return j->dtimes && k < j->adtimes ? j->dtimes[k].used : 0;
}
/* Is dep k of job j an input (something it read that it did not write
 * first)? Returns the ACC_ kind that counts, or 0. */
int dep_input(const struct job *j, size_t k);
int dep_output(const struct dep *d);
/* Replace each dep's access bits by what they mean once the build is over:
 * at most one input kind (ACC_READ, LIST, ABSENT or STAT) plus the write
 * bits. The times are not needed after this (nor stored). */
void ckpt_classify_deps(struct ckpt *c);
/* A job's command (escaped words, as stored) for people: each word
 * unescaped, and single-quoted if the shell would split it. Returns one of
 * four static buffers, reused in turn. */
const char *cmd_display(const char *words);
/* A path for people: itself, or in bash's $'...' quoting when it holds a
 * control character (a newline would start a line of our output). One
 * of four static buffers, reused in turn. */
const char *path_shown(const char *path);
/* Absolute path of a file in `root` (a relative path joined to root). */
char *file_abs(const struct ckpt *c, const struct file *f, const char *root);

#endif
