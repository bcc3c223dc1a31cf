/*
 * cmd.h - the subcommands, one file each (cmd_NAME.c), dispatched from the
 * table in main.c. Each returns the process exit status.
 */
#ifndef CKPT_CMD_H
#define CKPT_CMD_H

int cmd_record(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_compdb(int argc, char **argv);
int cmd_graph(int argc, char **argv);

/* Exit status for wrong usage (as getopt-based tools do). */
#define EXIT_USAGE 2

/* Locate libckpt.so for `record`: $CKPT_LIB, next to the ckpt binary, or
 * ../lib from it. Returns a malloc'd path or NULL. */
char *find_shim(void);

/* Shared option parsing: -d DIR / --dir DIR. Returns 1 if argv[*i] was
 * that option (and consumed its argument), 0 if not, -1 on error. */
int opt_dir(int argc, char **argv, int *i, const char **dir);

/* Refuse argument `arg` of command `cmd`: "unknown option" for what looks
 * like one, else "unexpected argument", and where the usage is. Returns
 * EXIT_USAGE. */
int bad_arg(const char *cmd, const char *arg);

struct ckpt;
struct file;
/* Read DIR's checkpoint, find the changes in the current directory (its
 * path returned in *root) and the affected jobs. */
int checkpoint_check(const char *dir, struct ckpt *c, char **root);
/* The same, calling meanwhile(c, arg) once the whole manifest is read,
 * while the check of the tree (which may wait on the disk) runs on. */
int checkpoint_check_while(const char *dir, struct ckpt *c, char **root,
			   void (*meanwhile)(struct ckpt *c, void *arg),
			   void *arg);
/* Is this output of the checkpoint invalid (to be rebuilt)? */
int output_invalid(const struct ckpt *c, const struct file *f);
/* Is job j invalid, and not one that make runs again: run by the
 * recorded command itself when that is not make (`./configure` in
 * `sh -c './configure && make'`)? */
int invalid_not_by_make(const struct ckpt *c, size_t j);
/* The recorded commands (jobs without a driver: one a build of a chain)
 * that ran the jobs invalid_not_by_make names, other than themselves,
 * up to max, distinct: their variables and options are those jobs'. */
size_t run_again_roots(const struct ckpt *c, int *roots, size_t max);

#endif
