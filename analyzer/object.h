/*
 * object.h - the checkpoint's content-addressed, compressed store of the
 * final outputs (object.c). Every function reports its own errors, but
 * for the failed writes of object_write_to.
 */
#ifndef CKPT_OBJECT_H
#define CKPT_OBJECT_H

#include <stdint.h>
#include <sys/types.h>

#include "model.h"

/* Outputs up to this size are scanned for mentions of the root (text that
 * restore rewrites in a tree elsewhere); larger ones never are. */
#define RELOCATE_MAX (16u << 20)

/* DIR/objects/<hh>/<rest of the hex hash>.zst */
char *object_path(const char *dir, const struct hash128 *h);
struct pack_writer;

/* Store the content of src, which must hash to f->hash, unless already
 * there: in the pack pw if it is small (and pw is given), else in a file
 * of its own. *names_root tells whether it is text that names root;
 * *stored grows by f->size when a new object was written. */
int object_store(const char *dir, const char *src, const struct file *f,
		 const char *root, struct pack_writer *pw, int *names_root,
		 uint64_t *stored);
/* The object of f is there and holds f's content. */
int object_check(const char *dir, const struct file *f);
/* f's content in a malloc'd buffer, every mention of the root `from`
 * rewritten to `to` unless either is NULL. */
int object_load(const char *dir, const struct file *f, const char *from,
		const char *to, char **buf, size_t *len);
/* f's content, if a pack holds it and it is whole, in a malloc'd buffer
 * of f->size bytes (+1): 0. Else -1, and nothing said: for reading ahead
 * what may not be needed, object_load then says what is wrong. */
int object_load_packed(const char *dir, const struct file *f, char **buf);
/* Write f's content to fd. A damaged object is reported (errno EIO); a
 * write that fails is not: errno says why, for the caller to report with
 * the name of what it was making. */
int object_write_to(const char *dir, const struct file *f, int fd);

#endif
