/*
 * wrap_exec.c - program execution, loading, environment and network.
 *
 * Every way of starting a program (exec*, posix_spawn*, system, popen) puts
 * LD_PRELOAD and CKPT_DIR back into the child's environment, so `env -i`
 * cannot switch tracing off, and records the exec before it happens (a
 * successful exec never returns). Programs the shim cannot follow (static,
 * secure-exec, other ABI) are recorded as untraced, from their ELF headers.
 *
 * Exec wrappers may run in a vfork child: they take the pid from the kernel,
 * and use only the stack and raw mmap (no malloc, no locks other than the
 * trace lock, which the suspended parent thread does not hold).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <locale.h>
#include <link.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "raw.h"
#include "shim.h"

extern char **environ;

/* ---- the child's environment ----------------------------------------- */

static size_t env_count(char *const *envp)
{
	size_t n = 0;
	while (envp && envp[n])
		n++;
	return n;
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *self_lib(void)
{
	return shim_env_preload + sizeof "LD_PRELOAD=" - 1;
}

/* "LD_PRELOAD=<ours> <theirs>" in buf; theirs may be NULL. */
static char *preload_with(char *buf, size_t size, const char *theirs)
{
	snprintf(buf, size, "%s%s%s", shim_env_preload, theirs ? " " : "",
		 theirs ? theirs : "");
	return buf;
}

/*
 * The environment a child gets. Most often the program passes on its own,
 * which has our variables: it goes as it is. Else a copy is made with them
 * (env_fix), whose array is on the stack when it is small. That of a huge
 * environment (200,000 variables: 1.6 MB) overflowed a thread's stack, or
 * a signal handler's, where the exec alone fails with E2BIG or works: it is
 * mapped for the call instead, and unmapped when the exec has failed (one
 * that works takes the memory with it). Raw system calls: an exec wrapper
 * may run in a vfork child, where malloc is not to be called (and where
 * nothing is mapped: env_map).
 */
#define ENV_ON_STACK 128	/* entries of an array on the stack, at most */
/* In a vfork child, which can map nothing (env_map), up to 32 KiB: else
 * a Python subprocess given an environment of 200 variables ran untraced
 * (found by a helper's attack, /tmp/attack7). */
#define ENV_ON_STACK_VFORK 4096

struct env_copy {
	size_t n;		/* variables in envp */
	size_t stack;		/* entries of the array on the stack */
	size_t buf;		/* bytes for a combined LD_PRELOAD */
	char **map;		/* the array, when mapped */
	size_t map_len;
};

/*
 * Look at envp: 1 when it can go as it is (each LD_PRELOAD has ours, the
 * one CKPT_DIR is ours, no CKPT_ENVIRON), else the room a copy takes.
 */
static int env_scan(char *const *envp, struct env_copy *c)
{
	size_t n = 0, longest = 0;
	int ours = 1, preloads = 0, dirs = 0;
	*c = (struct env_copy){ .stack = 1, .buf = 1 };
	if (!shim_env_preload[0])
		return 1;
	for (; envp && envp[n]; n++) {
		const char *e = envp[n];
		if (e[0] != 'L' && e[0] != 'C')
			continue;
		if (starts(e, "LD_PRELOAD=")) {
			preloads++;
			if (!strstr(e, self_lib())) {
				size_t l = strlen(e);
				longest = l > longest ? l : longest;
				ours = 0;
			}
		} else if (starts(e, "CKPT_DIR=")) {
			dirs++;
			ours &= !strcmp(e, shim_env_dir);
		} else if (starts(e, "CKPT_ENVIRON=")) {
			ours = 0;
		}
	}
	c->n = n;
	if (ours && preloads && dirs == 1)
		return 1;
	if (n + 3 <= ENV_ON_STACK ||
	    (n + 3 <= ENV_ON_STACK_VFORK && raw_getpid() != shim_pid))
		c->stack = n + 3;
	/* "LD_PRELOAD=<ours> <theirs>", cut where the fixed buffer was */
	if (longest) {
		size_t room = strlen(shim_env_preload) + longest -
			      (sizeof "LD_PRELOAD=" - 1) + 2;
		c->buf = room < PATH_MAX * 2 + 64 ? room : PATH_MAX * 2 + 64;
	}
	return 0;
}

/*
 * A vfork child shares its parent's memory: what it mapped would stay
 * mapped in the parent once the exec works, with nothing left of the
 * child to unmap it. So a vfork child makes no copy of a large
 * environment: it goes as given, and the child may go untraced (which
 * the analyzer tells by its missing trace). posix_spawn copies in the
 * parent, before the child is there.
 */
static char **env_map(struct env_copy *c)
{
	if (raw_getpid() != shim_pid)
		return NULL;
	size_t len = (c->n + 3) * sizeof(char *);
	char **v = (char **)raw6(SYS_mmap, 0, (long)len,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((unsigned long)v > -4096UL)
		return NULL;
	c->map = v;
	c->map_len = len;
	return v;
}

/* After the exec failed, or the spawn returned. errno stays. */
static void env_done(struct env_copy *c)
{
	if (!c->map)
		return;
	raw3(SYS_munmap, c->map, c->map_len, 0);
	c->map = NULL;
}

/*
 * Copy envp, with our LD_PRELOAD first in the list and CKPT_DIR set;
 * CKPT_ENVIRON is dropped (only the first traced process records the
 * environment). Into out[] (c->stack entries) or a mapping; buf holds a
 * combined LD_PRELOAD. Without memory for the copy, envp goes as it is:
 * the child may go untraced, which the analyzer tells by its missing
 * trace. No more than the n variables counted are copied: another thread
 * may add one in between.
 */
static char **env_fix(char *const *envp, struct env_copy *c, char **out,
		      char *buf)
{
	size_t k = 0;
	int have_preload = 0;
	if (c->stack < c->n + 3 && !(out = env_map(c)))
		return (char **)envp;
	for (size_t i = 0; i < c->n && envp[i]; i++) {
		char *e = envp[i];
		if (starts(e, "CKPT_DIR=") || starts(e, "CKPT_ENVIRON="))
			continue;
		if (starts(e, "LD_PRELOAD=")) {
			have_preload = 1;
			if (!strstr(e, self_lib()))
				e = preload_with(buf, c->buf,
						 e + sizeof "LD_PRELOAD=" - 1);
		}
		out[k++] = e;
	}
	/* exec never writes to the strings of its environment */
	if (!have_preload)
		out[k++] = (char *)shim_env_preload;
	out[k++] = (char *)shim_env_dir;
	out[k] = NULL;
	return out;
}

/* `var`: the environment to pass; env_done(&var_c) once the call is over. */
#define FIXED_ENV(var, envp)                                              \
	struct env_copy var##_c;                                          \
	int var##_as_is = env_scan(envp, &var##_c);                       \
	char *var##_v[var##_c.stack];                                     \
	char var##_buf[var##_c.buf];                                      \
	char **var = var##_as_is ? (char **)(envp)                        \
				 : env_fix(envp, &var##_c, var##_v, var##_buf)

/* ---- what cannot be traced -------------------------------------------- */

/* hdr holds the file's first n bytes; the program headers are most often
 * among them, and are read from the file only when they are not, into hdr
 * (an array of 64 on the stack was 3.5 KiB, in every exec). */
static int classify_elf(int fd, unsigned char *hdr, size_t hdr_size, long n)
{
	if (n < EI_NIDENT || memcmp(hdr, ELFMAG, SELFMAG) != 0)
		return 0;
	if (hdr[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32))
		return CKPT_UT_ABI;
	ElfW(Ehdr) eh;
	if ((size_t)n < sizeof eh)
		return 0;
	memcpy(&eh, hdr, sizeof eh);
	if (eh.e_phentsize != sizeof(ElfW(Phdr)))
		return 0;
	ElfW(Phdr) ph;
	size_t count = eh.e_phnum < 64 ? eh.e_phnum : 64;
	size_t size = count * sizeof ph;
	size_t chunk = hdr_size / sizeof ph;
	int in_hdr = eh.e_phoff <= (size_t)n && size <= (size_t)n - eh.e_phoff;
	const unsigned char *at = in_hdr ? hdr + eh.e_phoff : hdr;
	for (size_t i = 0; i < count; i++) {
		if (!in_hdr && i % chunk == 0) {
			size_t k = count - i < chunk ? count - i : chunk;
			long want = (long)(k * sizeof ph);
			if (raw_pread(fd, hdr, want,
				      (long)(eh.e_phoff + i * sizeof ph)) < want)
				return 0;
			at = hdr;
		}
		memcpy(&ph, at, sizeof ph);
		at += sizeof ph;
		if (ph.p_type == PT_INTERP)
			return 0;
	}
	return CKPT_UT_STATIC;
}

/*
 * 0 if an exec of `path` will be traced, else an enum ckpt_untraced.
 * Only a regular file is opened and read (the kernel execs nothing else):
 * opening a FIFO waits for a writer, and opening a device may do anything.
 * O_NONBLOCK covers a file swapped for one of those after the stat.
 */
static int classify(const char *path, int depth)
{
	struct stat st;
	if (raw6(SYS_newfstatat, AT_FDCWD, (long)path, (long)&st, 0, 0, 0) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
	    ((st.st_mode & S_ISGID) && st.st_gid != getegid()))
		return CKPT_UT_SETID;
	if (raw6(SYS_getxattr, (long)path, (long)"security.capability", 0, 0,
		 0, 0) > 0)
		return CKPT_UT_CAPS;
	int fd = raw_openat(AT_FDCWD, path,
			    O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	unsigned char hdr[1024];
	long n = raw_pread(fd, hdr, sizeof hdr - 1, 0);
	int why = 0;
	if (n > 2 && hdr[0] == '#' && hdr[1] == '!' && depth == 0) {
		hdr[n] = 0;
		char *p = (char *)hdr + 2;
		while (*p == ' ' || *p == '\t')
			p++;
		char *end = p + strcspn(p, " \t\n");
		*end = 0;
		why = *p ? classify(p, 1) : 0;
	} else if (n > 0) {
		why = classify_elf(fd, hdr, sizeof hdr, n);
	}
	raw_close(fd);
	return why;
}

/* ---- exec records ------------------------------------------------------ */

/* Record that `pid` is about to exec `path` (absolute) with argv. */
static void note_exec(pid_t pid, const char *path, char *const argv[],
		      uint64_t flags)
{
	size_t argc = env_count(argv);
	if (argc > 4096)
		argc = 4096;
	rec_exec(pid, argc | flags, path, (int)argc,
		 (const char *const *)argv);
	int why = classify(path, 0);
	if (why)
		rec_strings(CKPT_UNTRACED, pid, (uint64_t)why, 0, 1, &path);
}

static void note_exec_failed(pid_t pid, const char *path, int err)
{
	rec_strings(CKPT_EXEC, pid, CKPT_EXEC_FAILED, err, 1, &path);
}

/* The PATH execvp searches: the first, as getenv finds it. */
static const char *search_path(void)
{
	for (char **e = environ; e && *e; e++)
		if (starts(*e, "PATH="))
			return *e + 5;
	return "/bin:/usr/bin";
}

/* The room for what path_search finds: its longest candidate, made
 * absolute, and at most the fixed buffer it had (`max`). */
static size_t search_room(const char *file, const char *path, size_t max)
{
	size_t flen = strlen(file), cwd = strlen(shim_cwd) + 1, room;
	if (strchr(file, '/')) {
		room = (file[0] == '/' ? 0 : cwd) + flen + 1;
	} else {
		room = 1;
		for (const char *p = path;; p++) {
			const char *end = strchrnul(p, ':');
			size_t n = (size_t)(end - p) + 1 + flen + 1 +
				   (*p == '/' ? 0 : cwd);
			room = n > room ? n : room;
			if (!*end)
				break;
			p = end;
		}
	}
	return room < max ? room : max;
}

/*
 * Resolve `file` the way execvp does, recording each PATH candidate that is
 * not there (a program that appears earlier in PATH later changes what
 * runs). Returns the path to record: `out`, or `file` if not found.
 */
static const char *path_search(pid_t pid, const char *file, const char *path,
			       char *out, size_t size)
{
	if (strchr(file, '/')) {
		struct shim_abs a;
		shim_abs_room(&a, AT_FDCWD, file, size);
		return shim_abs_make(&a, out, size);
	}
	size_t flen = strlen(file);
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t clen = (size_t)(end - p) + 1 + flen + 1;
		char cand[clen < PATH_MAX ? clen : PATH_MAX];
		struct strb b;
		strb_init(&b, cand, sizeof cand);
		strb_mem(&b, p, (size_t)(end - p));
		if (end != p)
			strb_str(&b, "/");
		strb_str(&b, file);
		if (strb_done(&b)) {
			SHIM_ABSPATH(a, AT_FDCWD, cand, PATH_MAX * 2);
			long r = raw6(SYS_faccessat, AT_FDCWD, (long)a, X_OK, 0,
				      0, 0);
			if (r == 0) {
				strb_init(&b, out, size);
				strb_str(&b, a);
				return strb_done(&b) ? out : file;
			}
			rec_strings(CKPT_STAT, pid, 0, (int)-r, 1, &a);
		}
		if (!*end)
			break;
		p = end;
	}
	return file;
}

static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static int (*real_fexecve)(int, char *const[], char *const[]);
static int (*real_execveat)(int, const char *, char *const[], char *const[],
			    int);

static int do_execve(const char *path, char *const argv[], char *const envp[])
{
	if (!REAL(execve)) {
		errno = ENOSYS;
		return -1;
	}
	const char *volatile given = path;	/* declared nonnull */
	if (!given)	/* the kernel's EFAULT, unrecorded */
		return real_execve(path, argv, envp);
	pid_t pid = raw_getpid();
	SHIM_ABSPATH(abs, AT_FDCWD, path, PATH_MAX * 2);
	FIXED_ENV(env, envp);
	note_exec(pid, abs, argv, 0);
	int r = real_execve(path, argv, env);
	env_done(&env_c);
	note_exec_failed(pid, path, errno);
	return r;
}

static int do_execvpe(const char *file, char *const argv[],
		      char *const envp[])
{
	if (!REAL(execvpe)) {
		errno = ENOSYS;
		return -1;
	}
	const char *volatile given = file;	/* declared nonnull */
	if (!given)	/* glibc's own answer, unrecorded */
		return real_execvpe(file, argv, envp);
	pid_t pid = raw_getpid();
	const char *search = search_path();
	char found[search_room(file, search, PATH_MAX * 2)];
	FIXED_ENV(env, envp);
	note_exec(pid, path_search(pid, file, search, found, sizeof found),
		  argv, 0);
	int r = real_execvpe(file, argv, env);
	env_done(&env_c);
	note_exec_failed(pid, file, errno);
	return r;
}

CKPT_EXPORT int execve(const char *path, char *const argv[],
		       char *const envp[])
{
	return do_execve(path, argv, envp);
}

CKPT_EXPORT int execv(const char *path, char *const argv[])
{
	return do_execve(path, argv, environ);
}

CKPT_EXPORT int execvp(const char *file, char *const argv[])
{
	return do_execvpe(file, argv, environ);
}

CKPT_EXPORT int execvpe(const char *file, char *const argv[],
			char *const envp[])
{
	return do_execvpe(file, argv, envp);
}

/* execl, execle, execlp: gather the variadic list on the stack. */
#define GATHER_ARGS(first, argv, ap_end)                                  \
	va_list ap;                                                       \
	size_t argc_ = 1;                                                 \
	va_start(ap, first);                                              \
	while (va_arg(ap, char *))                                        \
		argc_++;                                                  \
	va_end(ap);                                                       \
	char *argv[argc_ + 1];                                            \
	argv[0] = (char *)(first);                                        \
	va_start(ap, first);                                              \
	for (size_t i_ = 1; i_ <= argc_; i_++)                            \
		argv[i_] = va_arg(ap, char *);                            \
	ap_end;                                                           \
	va_end(ap)

CKPT_EXPORT int execl(const char *path, const char *arg, ...)
{
	GATHER_ARGS(arg, argv, (void)0);
	return do_execve(path, argv, environ);
}

CKPT_EXPORT int execlp(const char *file, const char *arg, ...)
{
	GATHER_ARGS(arg, argv, (void)0);
	return do_execvpe(file, argv, environ);
}

CKPT_EXPORT int execle(const char *path, const char *arg, ...)
{
	char *const *envp;
	GATHER_ARGS(arg, argv, envp = va_arg(ap, char *const *));
	return do_execve(path, argv, envp);
}

CKPT_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	if (!REAL(fexecve)) {
		errno = ENOSYS;
		return -1;
	}
	/* glibc fails a NULL argv or envp with EINVAL (execve would take
	 * them as empty): keep them NULL, and record nothing. */
	char *const *volatile given = argv;	/* declared nonnull */
	if (!given || !envp)
		return real_fexecve(fd, argv, envp);
	pid_t pid = raw_getpid();
	SHIM_FD_NAME(name, fd);
	const char *path = name ? name : "";
	FIXED_ENV(env, envp);
	note_exec(pid, path, argv, 0);
	int r = real_fexecve(fd, argv, env);
	env_done(&env_c);
	note_exec_failed(pid, path, errno);
	return r;
}

CKPT_EXPORT int execveat(int dirfd, const char *path, char *const argv[],
			 char *const envp[], int flags)
{
	if (!REAL(execveat)) {
		errno = ENOSYS;
		return -1;
	}
	const char *volatile given = path;	/* declared nonnull */
	if (!given)
		return real_execveat(dirfd, path, argv, envp, flags);
	pid_t pid = raw_getpid();
	SHIM_ABSPATH(p, dirfd, (flags & AT_EMPTY_PATH) && !*path ? "." : path,
		     PATH_MAX * 2);
	FIXED_ENV(env, envp);
	note_exec(pid, p, argv, 0);
	int r = real_execveat(dirfd, path, argv, env, flags);
	env_done(&env_c);
	note_exec_failed(pid, p, errno);
	return r;
}

/* ---- posix_spawn -------------------------------------------------------- */

/*
 * glibc's file-action list is opaque, so the add* calls are noted in a side
 * table keyed by the list's address; posix_spawn records the child's opens
 * (relative to any chdir action before them) once it knows the child's pid.
 */
struct fa_note {
	const posix_spawn_file_actions_t *fa;
	int op;			/* CKPT_READ/WRITE for open, CKPT_CHDIR */
	int flags;
	char *path;
	struct fa_note *next;
};

static pthread_mutex_t fa_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fa_note *fa_notes;	/* newest first */

static void fa_add(const posix_spawn_file_actions_t *fa, int op, int flags,
		   const char *path)
{
	struct fa_note *n = malloc(sizeof *n);
	if (!n)
		return;
	*n = (struct fa_note){ fa, op, flags, strdup(path ? path : ""), NULL };
	pthread_mutex_lock(&fa_lock);
	n->next = fa_notes;
	fa_notes = n;
	pthread_mutex_unlock(&fa_lock);
}

static void fa_forget(const posix_spawn_file_actions_t *fa)
{
	pthread_mutex_lock(&fa_lock);
	for (struct fa_note **p = &fa_notes; *p;) {
		struct fa_note *n = *p;
		if (n->fa == fa) {
			*p = n->next;
			free(n->path);
			free(n);
		} else {
			p = &n->next;
		}
	}
	pthread_mutex_unlock(&fa_lock);
}

/* Record the child's file actions, oldest first. */
static void fa_record(const posix_spawn_file_actions_t *fa, pid_t child)
{
	if (!fa)
		return;
	pthread_mutex_lock(&fa_lock);
	/* The working directory grows by a chdir at most by its path: room
	 * for all of them, up to the fixed buffers there were. */
	int n = 0;
	size_t room = strlen(shim_cwd) + 1;
	for (struct fa_note *p = fa_notes; p && n < 256; p = p->next)
		if (p->fa == fa) {
			n++;
			room += strlen(p->path) + 1;
		}
	struct fa_note *list[n > 0 ? n : 1];
	int k = 0;
	for (struct fa_note *p = fa_notes; p && k < n; p = p->next)
		if (p->fa == fa)
			list[k++] = p;
	char cwd[room < PATH_MAX * 2 ? room : PATH_MAX * 2];
	snprintf(cwd, sizeof cwd, "%s", shim_cwd);
	for (int i = n - 1; i >= 0; i--) {
		char buf[room < PATH_MAX * 4 ? room : PATH_MAX * 4];
		const char *p = list[i]->path;
		if (p[0] != '/') {
			snprintf(buf, sizeof buf, "%s/%s", cwd, p);
			p = buf;
		}
		if (list[i]->op == CKPT_CHDIR)
			snprintf(cwd, sizeof cwd, "%s", p);
		else
			rec_strings(list[i]->op, child, (unsigned)list[i]->flags,
				    0, 1, &p);
	}
	pthread_mutex_unlock(&fa_lock);
}

static int (*real_posix_spawn_file_actions_init)(posix_spawn_file_actions_t *);
CKPT_EXPORT int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	fa_forget(fa);
	if (!REAL(posix_spawn_file_actions_init))
		return ENOSYS;
	return real_posix_spawn_file_actions_init(fa);
}

static int (*real_posix_spawn_file_actions_destroy)(
	posix_spawn_file_actions_t *);
CKPT_EXPORT int
posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	fa_forget(fa);
	if (!REAL(posix_spawn_file_actions_destroy))
		return ENOSYS;
	return real_posix_spawn_file_actions_destroy(fa);
}

static int (*real_posix_spawn_file_actions_addopen)(
	posix_spawn_file_actions_t *, int, const char *, int, mode_t);
CKPT_EXPORT int
posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
				 const char *path, int flags, mode_t mode)
{
	if (!REAL(posix_spawn_file_actions_addopen))
		return ENOSYS;
	int r = real_posix_spawn_file_actions_addopen(fa, fd, path, flags, mode);
	int acc = flags & O_ACCMODE;
	if (r == 0)
		fa_add(fa,
		       acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC))
			       ? CKPT_WRITE
			       : CKPT_READ,
		       flags, path);
	return r;
}

static int (*real_posix_spawn_file_actions_addchdir_np)(
	posix_spawn_file_actions_t *, const char *);
CKPT_EXPORT int
posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa,
				     const char *path)
{
	if (!REAL(posix_spawn_file_actions_addchdir_np))
		return ENOSYS;
	int r = real_posix_spawn_file_actions_addchdir_np(fa, path);
	if (r == 0)
		fa_add(fa, CKPT_CHDIR, 0, path);
	return r;
}

static int (*real_posix_spawn)(pid_t *, const char *,
			       const posix_spawn_file_actions_t *,
			       const posix_spawnattr_t *, char *const[],
			       char *const[]);
static int (*real_posix_spawnp)(pid_t *, const char *,
				const posix_spawn_file_actions_t *,
				const posix_spawnattr_t *, char *const[],
				char *const[]);

static void note_spawn(pid_t child, const char *path, char *const argv[],
		       const posix_spawn_file_actions_t *fa)
{
	fa_record(fa, child);
	note_exec(child, path, argv, CKPT_EXEC_SPAWN);
}

CKPT_EXPORT int posix_spawn(pid_t *pid, const char *path,
			    const posix_spawn_file_actions_t *fa,
			    const posix_spawnattr_t *attr, char *const argv[],
			    char *const envp[])
{
	if (!REAL(posix_spawn))
		return ENOSYS;
	pid_t child = 0;
	FIXED_ENV(env, envp);
	int r = real_posix_spawn(&child, path, fa, attr, argv, env);
	env_done(&env_c);
	if (r == 0) {
		SHIM_ABSPATH(abs, AT_FDCWD, path, PATH_MAX * 2);
		note_spawn(child, abs, argv, fa);
	}
	if (pid)
		*pid = child;
	return r;
}

CKPT_EXPORT int posix_spawnp(pid_t *pid, const char *file,
			     const posix_spawn_file_actions_t *fa,
			     const posix_spawnattr_t *attr, char *const argv[],
			     char *const envp[])
{
	if (!REAL(posix_spawnp))
		return ENOSYS;
	pid_t child = 0;
	const char *search = search_path();
	char found[search_room(file, search, PATH_MAX * 2)];
	const char *path = path_search(shim_pid, file, search, found,
				       sizeof found);
	FIXED_ENV(env, envp);
	int r = real_posix_spawnp(&child, file, fa, attr, argv, env);
	env_done(&env_c);
	if (r == 0)
		note_spawn(child, path, argv, fa);
	if (pid)
		*pid = child;
	return r;
}

/* ---- wait: when a child was reaped -------------------------------------- */

/*
 * make starts the next line of a recipe as soon as it has reaped the last
 * one, and the analyzer tells the lines of one recipe apart from the next
 * target's by what make did in between (build.c, link_recipe_lines). The
 * child's last record is not when make learnt of its end: make may look
 * at other targets first. A REAP record is. Only an end (exit or signal)
 * is recorded, not a stop or a WNOWAIT peek; with a NULL status, only
 * ends are reported unless the options ask for more.
 */
static void note_reap(pid_t child, const int *status, int options)
{
	if (child <= 0)
		return;
	if (status ? !WIFEXITED(*status) && !WIFSIGNALED(*status)
		   : (options & (WUNTRACED | WCONTINUED)) != 0)
		return;
	rec_strings(CKPT_REAP, 0, (uint64_t)child, 0, 0, NULL);
}

static pid_t (*real_wait)(int *);
CKPT_EXPORT pid_t wait(int *status)
{
	if (!REAL(wait)) {
		errno = ENOSYS;
		return -1;
	}
	pid_t r = real_wait(status);
	note_reap(r, status, 0);
	return r;
}

static pid_t (*real_waitpid)(pid_t, int *, int);
CKPT_EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
	if (!REAL(waitpid)) {
		errno = ENOSYS;
		return -1;
	}
	pid_t r = real_waitpid(pid, status, options);
	note_reap(r, status, options);
	return r;
}

static pid_t (*real_wait3)(int *, int, struct rusage *);
CKPT_EXPORT pid_t wait3(int *status, int options, struct rusage *ru)
{
	if (!REAL(wait3)) {
		errno = ENOSYS;
		return -1;
	}
	pid_t r = real_wait3(status, options, ru);
	note_reap(r, status, options);
	return r;
}

static pid_t (*real_wait4)(pid_t, int *, int, struct rusage *);
CKPT_EXPORT pid_t wait4(pid_t pid, int *status, int options,
			struct rusage *ru)
{
	if (!REAL(wait4)) {
		errno = ENOSYS;
		return -1;
	}
	pid_t r = real_wait4(pid, status, options, ru);
	note_reap(r, status, options);
	return r;
}

static int (*real_waitid)(idtype_t, id_t, siginfo_t *, int);
CKPT_EXPORT int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	if (!REAL(waitid)) {
		errno = ENOSYS;
		return -1;
	}
	int r = real_waitid(type, id, info, options);
	if (r == 0 && info && !(options & WNOWAIT) &&
	    (info->si_code == CLD_EXITED || info->si_code == CLD_KILLED ||
	     info->si_code == CLD_DUMPED))
		rec_strings(CKPT_REAP, 0, (uint64_t)info->si_pid, 0, 0, NULL);
	return r;
}

/* ---- system, popen: they pass the program's own environ on ------------- */

/*
 * If the program removed LD_PRELOAD or CKPT_DIR from its environment, or
 * set a LD_PRELOAD of its own, environ points for the duration of the call
 * to a copy with ours (env_fix: the program's own libraries stay, after
 * ours), then back to the program's own array, which is not touched: a
 * program that set environ to an array of its own goes on editing it, one
 * that cleared it finds it NULL. (setenv and unsetenv did this until
 * 2026-11-24, and left environ pointing to libc's copy.)
 */
static int (*real_system)(const char *);
CKPT_EXPORT int system(const char *cmd)
{
	if (!REAL(system))
		return -1;
	if (!cmd)
		return real_system(cmd);
	char **own = environ;
	FIXED_ENV(env, own);
	environ = env;
	int r = real_system(cmd);
	environ = own;
	env_done(&env_c);
	return r;
}

static FILE *(*real_popen)(const char *, const char *);
CKPT_EXPORT FILE *popen(const char *cmd, const char *type)
{
	if (!REAL(popen))
		return NULL;
	char **own = environ;
	FIXED_ENV(env, own);
	environ = env;
	FILE *f = real_popen(cmd, type);
	environ = own;
	env_done(&env_c);
	return f;
}

/* ---- dlopen, dlclose, getenv ------------------------------------------ */

/*
 * glibc's dlopen takes its caller from its return address: the caller's
 * RUNPATH and $ORIGIN are where a bare name or "$ORIGIN/..." is looked
 * for, its namespace is where the object goes. A wrapper that called it
 * would be the caller, and such a dlopen would fail. So dlopen is a stub
 * that asks shim_dlopen_prepare() for the real dlopen and jumps to it,
 * the caller's return address left in place. In assembly: a C tail call
 * is up to the compiler (none at -O0). The stub never sees the result;
 * what was loaded is recorded later (emit.c).
 */
static void *(*real_dlopen)(const char *, int);

void *shim_dlopen_prepare(const char *file, int flags);

/* Called by the stub with dlopen's arguments: what to jump to, or NULL
 * (the stub then returns NULL). */
__attribute__((used)) void *shim_dlopen_prepare(const char *file, int flags)
{
	int saved = errno;
	if (REAL(dlopen) && file && !(flags & RTLD_NOLOAD)) {
		/* A path with a slash names one file, whoever the caller:
		 * one that is not there is recorded now (the dlopen fails),
		 * a relative one too, while the working directory is the
		 * one it is relative to (ld.so lists it as given). */
		if (strchr(file, '/') && !strchr(file, '$')) {
			long r = raw6(SYS_faccessat, AT_FDCWD, (long)file, F_OK,
				      0, 0, 0);
			if (r < 0 || file[0] != '/')
				rec_path(CKPT_LOAD, AT_FDCWD, file, 0, (int)-r);
		}
		/* Last: a record made before the dlopen would clear it. */
		shim_dl_opening();
	}
	errno = saved;
	return real_dlopen;
}

#if defined(__x86_64__)
__asm__(".pushsection .text\n"
	".globl dlopen\n"
	".type dlopen, @function\n"
	".p2align 4\n"
	"dlopen:\n"
	".cfi_startproc\n"
#ifdef __CET__
	"endbr64\n"
#endif
	/* the arguments kept, the stack 16-byte aligned at the call */
	"pushq %rdi\n"
	".cfi_adjust_cfa_offset 8\n"
	"pushq %rsi\n"
	".cfi_adjust_cfa_offset 8\n"
	"subq $8, %rsp\n"
	".cfi_adjust_cfa_offset 8\n"
	"call shim_dlopen_prepare\n"
	"addq $8, %rsp\n"
	".cfi_adjust_cfa_offset -8\n"
	"popq %rsi\n"
	".cfi_adjust_cfa_offset -8\n"
	"popq %rdi\n"
	".cfi_adjust_cfa_offset -8\n"
	"testq %rax, %rax\n"
	"jz 1f\n"
	"jmp *%rax\n"
	"1: ret\n"
	".cfi_endproc\n"
	".size dlopen, .-dlopen\n"
	".popsection\n");
#elif defined(__aarch64__)
__asm__(".pushsection .text\n"
	".globl dlopen\n"
	".type dlopen, %function\n"
	".p2align 2\n"
	"dlopen:\n"
	".cfi_startproc\n"
#ifdef __ARM_FEATURE_BTI_DEFAULT
	"hint 34\n"			/* bti c */
#endif
	"stp x29, x30, [sp, -32]!\n"
	".cfi_def_cfa_offset 32\n"
	".cfi_offset 29, -32\n"
	".cfi_offset 30, -24\n"
	"mov x29, sp\n"
	"stp x0, x1, [sp, 16]\n"
	"bl shim_dlopen_prepare\n"
	/* x16: a register a "bti c" target may be branched to by */
	"mov x16, x0\n"
	"ldp x0, x1, [sp, 16]\n"
	"ldp x29, x30, [sp], 32\n"
	".cfi_restore 29\n"
	".cfi_restore 30\n"
	".cfi_def_cfa_offset 0\n"
	"cbz x16, 1f\n"
	"br x16\n"
	"1: mov x0, xzr\n"
	"ret\n"
	".cfi_endproc\n"
	".size dlopen, .-dlopen\n"
	".popsection\n");
#endif

/* What dlopen loaded is recorded before dlclose can unload it. dlclose
 * does not depend on its caller: a plain wrapper. */
static int (*real_dlclose)(void *);
CKPT_EXPORT int dlclose(void *handle)
{
	if (!REAL(dlclose))
		return -1;
	shim_dl_flush();
	return real_dlclose(handle);
}

/* The names this process has recorded, by hash: each is recorded once.
 * When it is full, names are recorded again (a duplicate costs a record,
 * not correctness). Small, so that it fits the one page of our state a
 * process touches. */
#define ENV_SEEN 256
static uint64_t env_seen[ENV_SEEN];

void shim_wrap_fork_child(void)
{
	memset(env_seen, 0, sizeof env_seen);
	/* held by a thread the child does not have, it would wait for
	 * ever at its first posix_spawn_file_actions call */
	pthread_mutex_init(&fa_lock, NULL);
}

/* Is this the first time this process records name? */
static int env_first(const char *name)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h |= 1;
	for (unsigned i = 0, k = (unsigned)h; i < ENV_SEEN; i++, k++) {
		uint64_t *slot = &env_seen[k % ENV_SEEN];
		uint64_t old = __atomic_load_n(slot, __ATOMIC_RELAXED);
		if (old == h)
			return 0;
		if (old == 0 && __atomic_compare_exchange_n(
					slot, &old, h, 0, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED))
			break;
	}
	return 1;
}

static void note_getenv(const char *name, int found)
{
	if (name && env_first(name))
		rec_strings(CKPT_GETENV, 0, 0, found ? 0 : ENOENT, 1, &name);
}

static char *(*real_getenv)(const char *);
CKPT_EXPORT char *getenv(const char *name)
{
	if (!REAL(getenv))
		return NULL;
	char *v = real_getenv(name);
	note_getenv(name, v != NULL);
	return v;
}

static char *(*real_secure_getenv)(const char *);
CKPT_EXPORT char *secure_getenv(const char *name)
{
	if (!REAL(secure_getenv))
		return NULL;
	char *v = real_secure_getenv(name);
	note_getenv(name, v != NULL);
	return v;
}

/* ---- what libc reads of the environment itself ------------------------- */

/*
 * libc's own look-ups do not go through our getenv: setlocale and
 * newlocale with "" take the locale from LC_ALL, the category's variable
 * and LANG (and LOCPATH; gettext's LANGUAGE for messages), and the local
 * time functions take the zone from TZ. `sort` orders and `wc -m` counts
 * by them. Each is recorded as a getenv of those names.
 */
static void note_env(const char *name)
{
	if (env_first(name) && REAL(getenv))
		rec_strings(CKPT_GETENV, 0, 0,
			    real_getenv(name) ? 0 : ENOENT, 1, &name);
}

static void note_locale(int mask)
{
	static const char *const names[] = {
		[LC_CTYPE] = "LC_CTYPE",	 [LC_NUMERIC] = "LC_NUMERIC",
		[LC_TIME] = "LC_TIME",		 [LC_COLLATE] = "LC_COLLATE",
		[LC_MONETARY] = "LC_MONETARY",	 [LC_MESSAGES] = "LC_MESSAGES",
		[LC_PAPER] = "LC_PAPER",	 [LC_NAME] = "LC_NAME",
		[LC_ADDRESS] = "LC_ADDRESS",	 [LC_TELEPHONE] = "LC_TELEPHONE",
		[LC_MEASUREMENT] = "LC_MEASUREMENT",
		[LC_IDENTIFICATION] = "LC_IDENTIFICATION",
	};
	int saved = errno;
	note_env("LC_ALL");
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i] && (mask & (1 << i)))
			note_env(names[i]);
	note_env("LANG");
	note_env("LOCPATH");
	if (mask & (1 << LC_MESSAGES))
		note_env("LANGUAGE");
	errno = saved;
}

static char *(*real_setlocale)(int, const char *);
CKPT_EXPORT char *setlocale(int category, const char *locale)
{
	if (!REAL(setlocale))
		return NULL;
	char *r = real_setlocale(category, locale);
	if (locale && !*locale && category >= 0 && category < 31)
		note_locale(category == LC_ALL ? LC_ALL_MASK : 1 << category);
	return r;
}

static locale_t (*real_newlocale)(int, const char *, locale_t);
CKPT_EXPORT locale_t newlocale(int mask, const char *locale, locale_t base)
{
	if (!REAL(newlocale)) {
		errno = ENOMEM;
		return (locale_t)0;
	}
	locale_t r = real_newlocale(mask, locale, base);
	if (locale && !*locale)
		note_locale(mask);
	return r;
}

static void note_tz(void)
{
	int saved = errno;
	note_env("TZ");
	errno = saved;
}

static void (*real_tzset)(void);
CKPT_EXPORT void tzset(void)
{
	if (REAL(tzset))
		real_tzset();
	note_tz();
}

static struct tm *(*real_localtime)(const time_t *);
CKPT_EXPORT struct tm *localtime(const time_t *t)
{
	if (!REAL(localtime))
		return NULL;
	struct tm *r = real_localtime(t);
	note_tz();
	return r;
}

static struct tm *(*real_localtime_r)(const time_t *, struct tm *);
CKPT_EXPORT struct tm *localtime_r(const time_t *t, struct tm *tm)
{
	if (!REAL(localtime_r))
		return NULL;
	struct tm *r = real_localtime_r(t, tm);
	note_tz();
	return r;
}

static time_t (*real_mktime)(struct tm *);
CKPT_EXPORT time_t mktime(struct tm *tm)
{
	if (!REAL(mktime))
		return (time_t)-1;
	time_t r = real_mktime(tm);
	note_tz();
	return r;
}

static time_t (*real_timelocal)(struct tm *);
CKPT_EXPORT time_t timelocal(struct tm *tm)
{
	if (!REAL(timelocal))
		return (time_t)-1;
	time_t r = real_timelocal(tm);
	note_tz();
	return r;
}

static char *(*real_ctime)(const time_t *);
CKPT_EXPORT char *ctime(const time_t *t)
{
	if (!REAL(ctime))
		return NULL;
	char *r = real_ctime(t);
	note_tz();
	return r;
}

static char *(*real_ctime_r)(const time_t *, char *);
CKPT_EXPORT char *ctime_r(const time_t *t, char *buf)
{
	if (!REAL(ctime_r))
		return NULL;
	char *r = real_ctime_r(t, buf);
	note_tz();
	return r;
}

/* ---- network ------------------------------------------------------------ */

/* Only what the kernel itself accepted to read: an address of the length
 * its family needs (EINVAL else), a socket path within sun_path. */
static void note_connect(const struct sockaddr *sa, socklen_t len, int err)
{
	if (!sa || len < sizeof sa->sa_family || err == EINVAL ||
	    len > sizeof(struct sockaddr_storage))
		return;
	/* "unix:@" and the path, or an address and a port; up to the fixed
	 * buffer there was */
	size_t n = len > offsetof(struct sockaddr_un, sun_path)
			   ? len - offsetof(struct sockaddr_un, sun_path)
			   : 0;
	if (n > sizeof ((struct sockaddr_un *)0)->sun_path)
		n = sizeof ((struct sockaddr_un *)0)->sun_path;
	size_t room = sa->sa_family != AF_UNIX ? 64
		      : n < PATH_MAX + 8 ? n + 8 : PATH_MAX + 16;
	char buf[room], ip[INET6_ADDRSTRLEN];
	const char *s = buf;
	if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)sa;
		if (n > 0 && un->sun_path[0] == 0)
			snprintf(buf, sizeof buf, "unix:@%.*s", (int)n - 1,
				 un->sun_path + 1);
		else
			snprintf(buf, sizeof buf, "unix:%.*s", (int)n,
				 un->sun_path);
	} else if (sa->sa_family == AF_INET &&
		   len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
		snprintf(buf, sizeof buf, "%s:%u", ip, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6 &&
		   len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
		snprintf(buf, sizeof buf, "[%s]:%u", ip, ntohs(in6->sin6_port));
	} else {
		return;
	}
	rec_strings(CKPT_CONNECT, 0, 0, err, 1, &s);
}

static int (*real_connect)(int, const struct sockaddr *, socklen_t);
CKPT_EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (!REAL(connect)) {
		errno = ENOSYS;
		return -1;
	}
	int r = real_connect(fd, sa, len);
	int e = errno;
	if (r == 0 || e != EFAULT)	/* else sa may be unreadable */
		note_connect(sa, len, r < 0 ? e : 0);
	errno = e;
	return r;
}

static int (*real_getaddrinfo)(const char *, const char *,
			       const struct addrinfo *, struct addrinfo **);
CKPT_EXPORT int getaddrinfo(const char *node, const char *service,
			    const struct addrinfo *hints,
			    struct addrinfo **res)
{
	if (!REAL(getaddrinfo))
		return EAI_SYSTEM;
	int r = real_getaddrinfo(node, service, hints, res);
	if (node)
		rec_strings(CKPT_RESOLVE, 0, 0, r ? ENOENT : 0, 1, &node);
	return r;
}

static struct hostent *(*real_gethostbyname)(const char *);
CKPT_EXPORT struct hostent *gethostbyname(const char *name)
{
	if (!REAL(gethostbyname))
		return NULL;
	struct hostent *h = real_gethostbyname(name);
	if (name)
		rec_strings(CKPT_RESOLVE, 0, 0, h ? 0 : ENOENT, 1, &name);
	return h;
}

/* ---- syscall(): the file-related numbers -------------------------------- */

static long (*real_syscall)(long, ...);

static void note_syscall(long n, const long *a, long r)
{
	int err = r < 0 ? errno : 0;
	const char *p0 = (const char *)a[0], *p1 = (const char *)a[1];
	if (shim_path_unread(err))	/* also openat2's how */
		return;
	switch (n) {
#ifdef SYS_open
	case SYS_open:
		rec_open_flags(AT_FDCWD, p0, (int)a[1], 0, err);
		break;
	case SYS_stat:
	case SYS_lstat:
	case SYS_access:
		rec_path(CKPT_STAT, AT_FDCWD, p0, 0, err);
		break;
	case SYS_unlink:
		rec_path(CKPT_UNLINK, AT_FDCWD, p0, 0, err);
		break;
	case SYS_mkdir:
		rec_path(CKPT_MKDIR, AT_FDCWD, p0, 0, err);
		break;
	case SYS_rmdir:
		rec_path(CKPT_RMDIR, AT_FDCWD, p0, 0, err);
		break;
	case SYS_rename:
		rec_path2(CKPT_RENAME, AT_FDCWD, p0, AT_FDCWD, p1, err);
		break;
#endif
	case SYS_openat:
		rec_open_flags((int)a[0], p1, (int)a[2], 0, err);
		break;
	case SYS_openat2:
		rec_open_flags((int)a[0], p1,
			       a[2] ? (int)*(const uint64_t *)a[2] : 0, 0, err);
		break;
	case SYS_newfstatat:
	case SYS_statx:
	case SYS_faccessat:
	case SYS_faccessat2:
		rec_path(CKPT_STAT, (int)a[0], p1, 0, err);
		break;
	case SYS_unlinkat:
		rec_path((a[2] & AT_REMOVEDIR) ? CKPT_RMDIR : CKPT_UNLINK,
			 (int)a[0], p1, 0, err);
		break;
	case SYS_mkdirat:
		rec_path(CKPT_MKDIR, (int)a[0], p1, 0, err);
		break;
	case SYS_renameat:
	case SYS_renameat2:
		rec_rename((int)a[0], p1, (int)a[2], (const char *)a[3],
			   n == SYS_renameat2 ? (unsigned)a[4] : 0, err);
		break;
	case SYS_chdir:
	case SYS_fchdir:
		if (r == 0)
			shim_cwd_refresh();
		break;
	}
}

/*
 * Is this the child (it returned 0) of a raw fork or clone that copied our
 * memory? Its records must then go to a file of its own, or they would go
 * into the parent's window, under the parent's pid, and be overwritten. A
 * child that shares our memory (CLONE_VM: SYS_vfork, CLONE_VFORK) writes
 * into the parent's window, as a vfork child does.
 */
static int raw_fork_child(long n, const long *a, long r)
{
	if (r != 0)
		return 0;
	switch (n) {
#ifdef SYS_fork
	case SYS_fork:
		return 1;
#endif
	case SYS_clone:
		return !(a[0] & CLONE_VM);
#ifdef SYS_clone3
	case SYS_clone3:	/* struct clone_args starts with the flags */
		return !(*(const uint64_t *)a[0] & CLONE_VM);
#endif
	}
	return 0;
}

/* ---- _Fork, clone: forks that run no atfork handler -------------------- */

static pid_t (*real__Fork)(void);
CKPT_EXPORT pid_t _Fork(void)
{
	if (!REAL(_Fork)) {
		errno = ENOSYS;
		return -1;
	}
	pid_t r = real__Fork();
	if (r == 0)
		shim_raw_fork_child();
	return r;
}

/* A clone that copies our memory (no CLONE_VM) is a fork whose child runs
 * fn: it starts a trace file of its own first. The call is in the
 * child's copy of our stack. */
struct clone_call {
	int (*fn)(void *);
	void *arg;
};

static int clone_child(void *p)
{
	const struct clone_call *c = p;
	shim_raw_fork_child();
	return c->fn(c->arg);
}

static int (*real_clone)(int (*)(void *), void *, int, void *, ...);
CKPT_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg,
		      ...)
{
	/* the optional words, passed on as they are: used by flag */
	va_list ap;
	va_start(ap, arg);
	pid_t *ptid = va_arg(ap, pid_t *);
	void *tls = va_arg(ap, void *);
	pid_t *ctid = va_arg(ap, pid_t *);
	va_end(ap);
	if (!REAL(clone)) {
		errno = ENOSYS;
		return -1;
	}
	if ((flags & CLONE_VM) || !fn)
		return real_clone(fn, stack, flags, arg, ptid, tls, ctid);
	struct clone_call c = { fn, arg };
	return real_clone(clone_child, stack, flags, &c, ptid, tls, ctid);
}

CKPT_EXPORT long syscall(long n, ...)
{
	long a[6];
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!REAL(syscall)) {
		errno = ENOSYS;
		return -1;
	}
	if (n == SYS_execve && a[0]) {
		/* Raw execve: the environment is the caller's, as given. */
		pid_t pid = raw_getpid();
		SHIM_ABSPATH(p, AT_FDCWD, (const char *)a[0], PATH_MAX * 2);
		note_exec(pid, p, (char *const *)a[1], 0);
		int ours = 0;
		for (char *const *e = (char *const *)a[2]; e && *e; e++)
			ours |= starts(*e, "LD_PRELOAD=") && strstr(*e, self_lib());
		if (!ours)
			rec_strings(CKPT_UNTRACED, pid, CKPT_UT_RAW, 0, 1, &p);
	}
	long r = real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
	int e = errno;
	if (raw_fork_child(n, a, r))
		shim_raw_fork_child();
	note_syscall(n, a, r);
	errno = e;
	return r;
}
