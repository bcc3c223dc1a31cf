/*
 * build.h - turning a loaded trace into the jobs and files of a checkpoint.
 */
#ifndef CKPT_BUILD_H
#define CKPT_BUILD_H

#include "model.h"
#include "trace_read.h"

/* Is this program a build driver (make)? By executable or argv[0]. */
int is_driver_program(const char *exe, const char *argv0);
/* Does a job's command (escaped words, as stored) run make? */
int cmd_is_make(const char *cmd);

/* Add the jobs and accesses of trace t to c (whose root is set). Paths
 * under `skip` (the checkpoint directory) are left out. */
int build_from_trace(struct ckpt *c, const struct trace *t, const char *skip);

#endif
