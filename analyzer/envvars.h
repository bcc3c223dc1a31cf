/*
 * envvars.h - the environment variables a build used, and whether their
 * values are still the same (envvars.c).
 */
#ifndef CKPT_ENVVARS_H
#define CKPT_ENVVARS_H

#include "model.h"
#include "trace_read.h"

/* At save, after the jobs are final: add to each driver the variables its
 * makefiles refer to, and set c->envs from the environment the build
 * started with (the trace's ENVIRON record), for every variable a job
 * read that could differ in another run. */
void envvars_record(struct ckpt *c, const struct trace *t);
/* Set envs[].changed against this process's environment; returns how
 * many changed. */
size_t envvars_check(struct ckpt *c);
/* The index in c->envs of a variable named `name` that changed, or -1. */
int envvars_changed(const struct ckpt *c, const char *name);
/* Is a variable of this name left out of the comparison (it differs from
 * run to run and says nothing about the build: PWD, TERM, ...)? */
int envvars_ignored(const char *name);

#endif
