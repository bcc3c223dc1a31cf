/*
 * cmd_dump.c - `ckpt dump`: the raw events of the trace, as text or as one
 * JSON object a line (schema in docs/trace-format.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "cmd.h"
#include "trace_read.h"

static const char *const untraced_reasons[] = {
	"", "static", "setid", "capabilities", "raw-syscall", "other-abi",
};

static const char *reason_name(uint64_t r)
{
	return r < sizeof untraced_reasons / sizeof *untraced_reasons
		       ? untraced_reasons[r]
		       : "unknown";
}

static void dump_json(const struct image *im, const struct event *e)
{
	const struct ckpt_rec *r = e->rec;
	printf("{\"pid\":%d,\"ppid\":%d,\"time\":%llu,\"op\":\"%s\"", r->pid,
	       r->pid == im->pid ? im->ppid : im->pid,
	       (unsigned long long)r->time, op_name(r->op));
	printf(",\"path\":");
	json_string(stdout, r->nstr ? e->str : "");
	printf(",\"ok\":%s,\"errno\":%d", r->err ? "false" : "true", r->err);
	if (r->err)
		printf(",\"error\":\"%s\"", strerrorname_np(r->err) ?
			strerrorname_np(r->err) : "?");
	switch (r->op) {
	case CKPT_RENAME:
	case CKPT_LINK:
	case CKPT_SYMLINK:
		printf(",\"to\":");
		json_string(stdout, r->nstr > 1 ? event_str(e, 1) : "");
		break;
	case CKPT_READ:
	case CKPT_WRITE:
		printf(",\"flags\":%u", (unsigned)r->arg);
		if (r->op == CKPT_WRITE && (r->arg & CKPT_WRITE_CREATED))
			printf(",\"created\":true");
		if (r->op == CKPT_WRITE && (r->arg & CKPT_WRITE_EXISTED))
			printf(",\"existed\":true");
		break;
	case CKPT_UNTRACED:
		printf(",\"reason\":\"%s\"", reason_name(r->arg));
		break;
	case CKPT_START:
		printf(",\"fork\":%s,\"cwd\":", im->forked ? "true" : "false");
		json_string(stdout, im->cwd);
		break;
	case CKPT_REAP:
		printf(",\"child\":%llu", (unsigned long long)r->arg);
		break;
	case CKPT_EXEC:
		printf(",\"spawn\":%s,\"failed\":%s",
		       r->arg & CKPT_EXEC_SPAWN ? "true" : "false",
		       r->arg & CKPT_EXEC_FAILED ? "true" : "false");
		break;
	}
	if (r->op == CKPT_START || r->op == CKPT_EXEC || r->op == CKPT_ENVIRON) {
		int first = r->op == CKPT_START ? 2 : r->op == CKPT_EXEC ? 1 : 0;
		printf(",\"%s\":[", r->op == CKPT_ENVIRON ? "env" : "argv");
		for (int i = first; i < r->nstr; i++) {
			if (i > first)
				putchar(',');
			json_string(stdout, event_str(e, i));
		}
		putchar(']');
	}
	if (r->op == CKPT_GETENV) {
		printf(",\"name\":");
		json_string(stdout, e->str);
	}
	puts("}");
}

static void dump_text(const struct image *im, const struct event *e)
{
	const struct ckpt_rec *r = e->rec;
	printf("%d %-8s", r->pid, op_name(r->op));
	for (int i = 0; i < r->nstr && i < 8; i++)
		printf(" %s", event_str(e, i));
	if (r->nstr > 8)
		printf(" ...");
	if (r->op == CKPT_UNTRACED)
		printf(" (%s)", reason_name(r->arg));
	if (r->op == CKPT_REAP)
		printf(" %llu", (unsigned long long)r->arg);
	if (r->err)
		printf(" = %s", strerrorname_np(r->err) ? strerrorname_np(r->err)
							: "error");
	putchar('\n');
	(void)im;
}

static void usage(void)
{
	printf("usage: ckpt dump [-d DIR] [--json]\n\n"
		   "Print every event of the trace in DIR/trace (default "
		   ".ckpt/trace),\nprocess by process in start order. "
		   "--json prints one object a line:\npid, ppid, time, op, "
		   "path, ok, errno, and op-specific keys\n"
		   "(see docs/trace-format.md).\n");
}

int cmd_dump(int argc, char **argv)
{
	const char *dir = ".ckpt";
	int json = 0;
	for (int i = 1; i < argc; i++) {
		int r = opt_dir(argc, argv, &i, &dir);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return 0;
		} else {
			return bad_arg("dump", argv[i]);
		}
	}
	char *tdir = xasprintf("%s/trace", dir);
	struct trace t;
	int rc = trace_load(&t, tdir);
	free(tdir);
	if (rc < 0)
		return 1;
	for (size_t i = 0; i < t.nimg; i++)
		for (size_t j = 0; j < t.img[i].nev; j++)
			(json ? dump_json : dump_text)(&t.img[i], &t.img[i].ev[j]);
	if (t.nlost) {
		char *why = trace_lost_message(&t);
		warning("the trace is incomplete: %s", why);
		free(why);
	}
	trace_release(&t);
	return 0;
}
