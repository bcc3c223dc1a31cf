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

/* Which jobs of a previous checkpoint were invalid in the tree when the
 * build began: record asks before it starts the build (chain_start_check,
 * -1 when there is no checkpoint to ask), for the save to tell what the
 * build itself rewrote from what had changed before it. */
struct chain_start {
	uint64_t created;	/* the checkpoint's, to know it is the same */
	size_t njobs;
	unsigned char *stale;	/* by job of the checkpoint */
};
int chain_start_check(const char *dir, const char *root,
		      struct chain_start *cs);
void chain_start_release(struct chain_start *cs);

/* Save the checkpoint of the trace in trace_dir (NULL: DIR/trace) for the
 * tree at root (absolute), keeping the jobs of the previous checkpoint
 * (from, else DIR itself) that this build did not redo; a from without a
 * checkpoint is an error. cs: chain_start_check's, before the build, or
 * NULL (`ckpt save` of a trace). */
int checkpoint_save(const char *dir, const char *trace_dir, const char *from,
		    const char *root, enum trace_after after,
		    const struct chain_start *cs, struct save_stats *s);
/* rm -r */
int remove_tree(const char *path);

#endif
