/*
 * pack.h - the small objects of a save in one file (pack.c).
 *
 * DIR/objects/packs/<hex>.pack: the objects' zstd frames one after
 * another, then an index in a zstd skippable frame (`zstdcat` of a pack
 * prints every object and skips the index). A pack is written under a
 * temporary name and renamed when whole; readers verify every object's
 * content against its hash, so a damaged pack yields "missing or damaged"
 * objects, never wrong ones.
 */
#ifndef CKPT_PACK_H
#define CKPT_PACK_H

#include <stdint.h>

#include "ckpt.h"

/* Objects of at most this many bytes (uncompressed) are packed. */
#define PACK_MAX (1u << 20)

struct pack_writer;

struct pack_writer *pack_begin(const char *dir);
/* Add an object's zstd frame; safe from several threads. 0; 1 if an
 * object of that hash was added before (nothing written); -1 with errno
 * on a failed write. */
int pack_add(struct pack_writer *w, const struct hash128 *h,
	     const void *frame, size_t len);
/* ok: write the index and rename the pack into place (no fsync: the save
 * flushes the file system once), if it holds anything; else remove it.
 * Frees w. */
int pack_finish(struct pack_writer *w, int ok);
/* Read the packed object h of dir: its zstd frame, malloc'd, in *frame.
 * 0; 1 if no pack of dir holds h; -1 with errno if reading failed. */
int pack_read(const char *dir, const struct hash128 *h, char **frame,
	      size_t *len);
/* Is h in a pack of dir? (The packs are read once a process.) */
int pack_has(const char *dir, const struct hash128 *h);
/* Index dir's packs now, and ask the kernel to read their frames ahead
 * (a restore does this first: the objects are read once the tree has
 * been checked, and by then they are in memory). */
void pack_prefetch(const char *dir);
/* Read dir's packs again at the next look-up; no reader may be running. */
void pack_forget(const char *dir);
/* After a save: remove the packs with no object live() wants, rewrite
 * those where most bytes are unwanted, and temporary files a killed save
 * left. */
void pack_collect(const char *dir,
		  int (*live)(void *arg, const struct hash128 *h), void *arg);

#endif
