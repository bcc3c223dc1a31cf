/*
 * envvars.h - the environment variables a build used, and whether their
 * values are still the same (envvars.c).
 */
#ifndef CKPT_ENVVARS_H
#define CKPT_ENVVARS_H

#include "model.h"
#include "trace_read.h"

/* At save, after the jobs are final: add to each driver the variables its
 * makefiles take from the environment, and set c->envs from the
 * environment the build started with (the trace's ENVIRON record), for
 * every variable a job used that could differ in another run. -1, and
 * nothing set, when the trace has no ENVIRON record. */
int envvars_record(struct ckpt *c, const struct trace *t);
/* Call found() for each variable the makefile text refers to by name:
 * $(NAME), ${NAME}, $(NAME:a=b), $(origin NAME), $(value NAME),
 * $(flavor NAME), ifdef NAME, ifndef NAME; not $$NAME (the shell's: seen
 * in the script make runs, by envvars_shell_refs). */
void envvars_refs(const char *text, size_t size,
		  void (*found)(const char *name, size_t len, void *arg),
		  void *arg);
/* Call found() for each variable the makefile text assigns in a way that
 * overrides the environment: NAME = , :=, ::=, :::=, != (after any of
 * override, export, private), and define NAME; not ?= or +=, not in a
 * conditional (it may be the default the environment replaces), not in a
 * recipe line or a continued line (the shell's VAR=... cmd). */
void envvars_assigns(const char *text, size_t size,
		     void (*found)(const char *name, size_t len, void *arg),
		     void *arg);
/* Call found() for each variable a shell script (the text of `sh -c`,
 * what make runs for a recipe line) may expand: $NAME, ${NAME...},
 * ${#NAME}; every name inside ${...} (${s:OFF:2}, ${a[I]}), ((...)),
 * $((...)), $[...] and a let command; HOME for a `~` that starts a word, CDPATH for a
 * `cd`; ENV_ALL for ${!n} and a builtin that prints every variable, as
 * a command (export or set alone, export -p, declare, typeset, compgen
 * -e; not the words in a comment or an echo). Not $1, $@, $?.
 * Quoting is not followed: a name counted for nothing costs a rebuild,
 * one missed a wrong tree. The shell reads its environment without
 * getenv: this is how its jobs are seen to use one. */
void envvars_shell_refs(const char *text, size_t size,
			void (*found)(const char *name, size_t len, void *arg),
			void *arg);
/* Is argv0 a shell's name (sh, dash, bash, /bin/sh, ...)? */
int envvars_is_shell(const char *argv0);
/* The script of a shell's argv (argc strings from argv0 on, one after
 * another) run as `sh -c SCRIPT` (or -ec, -e -c, -euo pipefail -c, bash
 * --norc -c): the script, or NULL if it is not a shell running one. */
const char *envvars_shell_script(const char *argv0, int argc);
/* The script file a shell's argv runs (`sh gen.sh`, a `#!/bin/sh`
 * script's exec), or NULL: not with -c or -s, not for another program.
 * As it is given, relative to the process's working directory. */
const char *envvars_shell_file(const char *argv0, int argc);
/* envvars_shell_refs of the shell script at path, as it is now (at save:
 * what the build read, or the job depends on its change); -1, and nothing
 * found, if it is gone (make's intermediate files), not a regular file,
 * or over 64 MiB: what it expanded is unknown (build.c decides). */
int envvars_shell_file_uses(const char *path,
			     void (*found)(const char *name, size_t len,
					   void *arg),
			     void *arg);
/* envvars_shell_refs of a file a shell read itself: sourced (`. ./vars.sh`),
 * a script given on standard input (`sh -s < gen.sh`), one bash runs in a
 * copy of itself, or data a redirection reads. Nothing if it is gone,
 * not a regular text file, over 16 MiB, or named as C or C++ source or a
 * header (gnulib's `sed ... < unistd.in.h`): such files are data. */
void envvars_sourced_uses(const char *path,
			  void (*found)(const char *name, size_t len,
					void *arg),
			  void *arg);
/* The language of a program that may read the environment without
 * getenv: 'a' awk, 'p' perl, 'y' python; 0 for any other program. */
int envvars_language(const char *argv0);
/* Call file() for each program file that an awk (-f FILE, -fFILE,
 * --file=FILE, gawk's -E FILE), perl or python (the script operand; not
 * with -e or -c, not python -m) process with this argv runs; as given,
 * relative to the process's working directory. */
void envvars_program_files(const char *argv0, int argc,
			   void (*file)(const char *path, void *arg),
			   void *arg);
/* The variables the program file at path, in that language, reads
 * without getenv: those awk's ENVIRON, Perl's ENV, Python's environ or
 * getenv are indexed by, in quotes; ENV_ALL for any other use. -1, and
 * nothing found, if it is gone or not a regular text file. */
int envvars_program_file_uses(int language, const char *path,
			      void (*found)(const char *name, size_t len,
					    void *arg),
			      void *arg);
/* The same for program text in memory. */
void envvars_program_text_uses(int language, const char *text, size_t size,
			       void (*found)(const char *name, size_t len,
					     void *arg),
			       void *arg);
/* The name that stands for the whole environment: a job that printed
 * or walked it (env or printenv alone, export -p, set, ${!n}, awk's
 * ENVIRON) used every variable, also one set since. Its envvar's hash is
 * of every NAME=value not ignored, sorted. */
#define ENV_ALL "*"
/* What a process with this argv (argc strings from argv0 on, one after
 * another) uses of the environment without getenv: a shell's script's
 * variables (envvars_shell_refs) and BASH_ENV for bash; the names
 * printenv prints; ENV_ALL for env or printenv alone, and for a one-line
 * awk, perl or python program that reads ENVIRON, %ENV or os.environ
 * (in a file: envvars_program_file_uses). */
void envvars_exec_uses(const char *argv0, int argc,
		       void (*found)(const char *name, size_t len, void *arg),
		       void *arg);
/* Set envs[].changed against this process's environment; returns how
 * many changed. */
size_t envvars_check(struct ckpt *c);
/* For ENV_ALL: each variable of this process's environment that is not
 * as the build started, "NAME set", "NAME changed" or "NAME unset", by
 * name (malloc'd, in *out); -1 if the checkpoint did not keep the start
 * (c->start_env: before manifest version 6, or no job used ENV_ALL). */
int envvars_all_changes(const struct ckpt *c, char ***out, size_t *n);
/* The variables of c that changed (envs[].changed), to be looked up by
 * name; NULL when none did. */
struct env_changes *envvars_changes(const struct ckpt *c);
/* The index in c->envs of the changed variable named `name`, or -1 (also
 * for a NULL set). */
int envvars_changes_find(const struct env_changes *set, const char *name);
void envvars_changes_free(struct env_changes *set);
/* Is a variable of this name left out of the comparison (it differs from
 * run to run and says nothing about the build: PWD, TERM, ...)? */
int envvars_ignored(const char *name);

#endif
