/*
 * manifest.h - the checkpoint on disk: DIR/manifest (text, checksummed)
 * and DIR/objects/<hh>/<hash> (the content of the final outputs).
 */
#ifndef CKPT_MANIFEST_H
#define CKPT_MANIFEST_H

#include "model.h"

#define MANIFEST_VERSION 3

/* Write DIR/manifest atomically (temp, fsync, rename, fsync dir). */
int manifest_write(const struct ckpt *c, const char *dir);
/* Read and verify DIR/manifest into c (initialised here). */
int manifest_read(struct ckpt *c, const char *dir);

#endif
