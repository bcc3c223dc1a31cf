/*
 * changes.h - change detection against a checkpoint, and the jobs it
 * affects (see the numbered rules at the top of changes.c).
 */
#ifndef CKPT_CHANGES_H
#define CKPT_CHANGES_H

#include <sys/stat.h>

#include "model.h"

/* file.changed */
enum {
	CH_NONE = 0, CH_CONTENT, CH_DELETED, CH_ADDED, CH_LISTING,
	CH_MODE,	/* the same content, the owner's execute bit not */
	CH_GONE,	/* there, where the build deleted it (FILE_GONE) */
	CH_LINK,	/* a symbolic link naming another file, or a link
			   now where there was none, or none where one was;
			   what it leads to (if anything) reads the same */
};
/* job.affected: why, and job.cause is then... */
enum {
	AFF_NONE = 0,
	AFF_CHANGED,	/* ...the changed file it read */
	AFF_INPUT,	/* ...the output of an affected job it read */
	AFF_DRIVER,	/* ...its affected driver job */
	AFF_UNTRACED,	/* (-1) it ran something that could not be traced */
	AFF_RESULT,	/* ...an affected job of this driver that wrote no
			   output: a $(shell ...) whose result only make saw,
			   a command a script that is not make ran */
	AFF_ENV,	/* ...the environment variable (c->envs) it used,
			   whose value is not the same now */
	AFF_RUNPATH,	/* ...the program it wrote, whose RUNPATH names the
			   recorded tree: checked in another tree */
	AFF_RECIPE,	/* ...the affected job it may be the next recipe line
			   of; it reads nothing in the tree, and nothing
			   reads what it writes (`touch stamp`) */
};

/* Set c->ckpt_rel from the checkpoint directory `dir`, if it lies in the
 * tree at `root` (or, for status in a copy, in the recorded root). */
void ckpt_set_dir(struct ckpt *c, const char *dir, const char *root);
/* Set files[].changed for the tree at root; returns how many changed. */
size_t ckpt_detect_changes(struct ckpt *c, const char *root);
/* Set jobs[].affected/cause from files[].changed; returns how many. */
size_t ckpt_affected(struct ckpt *c);
const char *change_name(int ch);
/* A pair to group by key: (file, job that read it), (job, later line),
 * (job, output). */
struct pair {
	int key, val;
};
/* The values of the n pairs grouped by key (below nkeys): those of key k
 * are out[count[k]] up to out[count[k + 1]]. *countp is the caller's to
 * free, as is what is returned. */
int *group_by_key(size_t nkeys, const struct pair *p, size_t n,
		  int **countp);
/* A file a make includes only to learn when to rebuild a target: one a
 * compiler wrote its make rules to (FILE_DEPFILE: `-MF`, `cc -MM >
 * Makefile.dep`), and by its name gcc's `.d`, kbuild's `.cmd`,
 * automake's `.Po` and `.Plo` (in .deps), CMake's `depend.make` and
 * `compiler_depend.make`. */
int dependency_file(const struct file *f);
/* Mark the directories that hold outputs (after the roles are final):
 * listing_hash looks the entries of only those up. */
void mark_output_parents(struct ckpt *c);
/* The name of a directory that restore fills before renaming it into
 * place (cmd_restore.c: stage_dirs), followed by "PID.N". */
#define STAGE_PREFIX ".ckpt-restore."
/* Hash of a directory's listing, leaving out the build's own outputs and
 * what ckpt itself puts in a tree: every name that starts with ".ckpt"
 * (the checkpoint, restore's stages, the temporary files of a write,
 * both of which a killed restore leaves), the checkpoint directory
 * whatever its name (c->ckpt_rel), and compile_commands.json (`ckpt
 * compdb`). */
int listing_hash(const struct ckpt *c, const struct file *dirf,
		 const char *root, struct hash128 *out, char **names);
/* Names is then set to the entries as the checkpoint keeps them (file.names).
 * What a listing has now that it did not have when recorded, and the
 * reverse: names, a directory's followed by '/'. -1 when the checkpoint
 * does not hold the names (written before manifest version 6) or the
 * directory cannot be read. */
struct name_diff {
	char **added, **removed;
	size_t nadded, nremoved;
	int known;		/* listing_diff succeeded */
};
int listing_diff(const struct ckpt *c, const struct file *f, const char *root,
		 struct name_diff *d);
/* "x, y added; z/ removed", a few names of each (malloc'd). */
char *name_diff_text(const struct name_diff *d);
void name_diff_release(struct name_diff *d);
/* Keep a file's stat data (size, inode, mtime, mode). */
void file_set_stat(struct file *f, const struct stat *st);

#endif
