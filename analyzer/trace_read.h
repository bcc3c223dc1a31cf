/*
 * trace.h - the trace as the analyzer sees it: one image per trace file
 * (a process after an exec, or a fork child), each with its events in
 * order. Strings point into the mapped files; nothing is copied.
 */
#ifndef CKPT_TRACE_READ_H
#define CKPT_TRACE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

struct event {
	const struct ckpt_rec *rec;
	const char *str;	/* first string, or NULL; others follow */
};

struct image {
	const char *file;	/* trace file name, for messages */
	int pid, ppid;
	int forked;		/* a fork child, not an exec */
	uint64_t start;		/* time of START */
	const char *exe, *cwd;
	int argc;
	const char *argv0;	/* argv strings follow one another */
	struct event *ev;
	size_t nev;
};

struct trace {
	struct image *img;
	size_t nimg;
	size_t nevents;
	/* Processes whose records are not all there: a LOST record ends
	 * their file, or their file is named *.lost (no room for a single
	 * record). A checkpoint from such a trace would be wrong. */
	size_t nlost;
	char *lost_file;	/* one of them, for messages */
	int lost_err;		/* why, for that one */
	/* The files' mappings: side by side in one reserved area, so that
	 * one munmap releases them all, or each its own where the area is
	 * full or could not be reserved. */
	char *area;
	size_t area_size;
	void **maps;		/* those of their own */
	size_t *map_sizes;
	size_t nmaps;
};

/* Load every *.trc of dir; sorted by start time. -1 with a message naming
 * the file and offset when something does not parse. */
int trace_load(struct trace *t, const char *dir);
void trace_release(struct trace *t);
/* "N processes could not write all their records (FILE: why)", for a
 * trace with nlost > 0; the caller frees it. */
char *trace_lost_message(const struct trace *t);

/* The i-th string of an event (i < rec->nstr). */
const char *event_str(const struct event *e, int i);
const char *op_name(int op);
int op_from_name(const char *name);

#endif
