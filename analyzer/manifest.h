/*
 * manifest.h - the checkpoint on disk: DIR/manifest (text, checksummed);
 * the objects it names are object.c's.
 */
#ifndef CKPT_MANIFEST_H
#define CKPT_MANIFEST_H

#include "model.h"

#define MANIFEST_VERSION 11

/* Write DIR/manifest atomically (temp, fsync, rename, fsync dir). */
int manifest_write(const struct ckpt *c, const char *dir);
/* Read and verify DIR/manifest into c (initialised here). */
int manifest_read(struct ckpt *c, const char *dir);
/* The same, calling files_read(c, arg) as soon as the file table is
 * whole (before the jobs, most of the text, are read): from then on c's
 * files and their index do not change, and may be read, and their
 * `changed`, `seen_mtime` and FILE_OUTPUT_CHILD written, by another
 * thread. done(arg, ok) is called before this returns, success or not
 * (ok is 1 when the whole manifest was read): that thread must be
 * finished then. With skip_details, the "e", "n" and
 * "x" records (for audit and compdb: a fifth of the text, and a string
 * each) are checked by the checksum only. */
struct manifest_hook {
	void (*files_read)(struct ckpt *c, void *arg);
	void (*done)(void *arg, int ok);
	void *arg;
	int skip_details;	/* leave jobs' env, net and execs empty */
};
int manifest_read_hooked(struct ckpt *c, const char *dir,
			 const struct manifest_hook *hook);

#endif
