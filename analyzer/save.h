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

/* What becomes of the trace once the checkpoint is saved. */
enum trace_after {
	TRACE_KEEP,		/* left as it is (--keep-trace) */
	TRACE_REMOVE,		/* removed if the save succeeds: on failure
				 * it is there for another `ckpt save` */
	TRACE_DISPOSE,		/* removed whatever comes of the save, so
				 * from as soon as it is read, beside the
				 * rest of the save (`record`'s own stage) */
};

/* Save the checkpoint of the trace in trace_dir (NULL: DIR/trace) for the
 * tree at root (absolute), keeping the jobs of the previous checkpoint
 * (from, else DIR itself) that this build did not redo; a from without a
 * checkpoint is an error. */
int checkpoint_save(const char *dir, const char *trace_dir, const char *from,
		    const char *root, enum trace_after after,
		    struct save_stats *s);
/* rm -r */
int remove_tree(const char *path);

#endif
