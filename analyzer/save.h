/*
 * save.h - turning DIR/trace into the checkpoint DIR/manifest + objects.
 */
#ifndef CKPT_SAVE_H
#define CKPT_SAVE_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt.h"

struct save_stats {
	size_t processes, events, jobs, files, outputs, kept;
	uint64_t bytes_stored;
};

/* Save the checkpoint of the trace in trace_dir (NULL: DIR/trace) for the
 * tree at root (absolute), keeping the jobs of the previous checkpoint
 * (from, else DIR itself) that this build did not redo; a from without a
 * checkpoint is an error. The trace is removed afterwards unless
 * keep_trace. */
int checkpoint_save(const char *dir, const char *trace_dir, const char *from,
		    const char *root, int keep_trace, struct save_stats *s);
/* rm -r */
int remove_tree(const char *path);

#endif
