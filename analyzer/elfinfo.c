/*
 * elfinfo.c - what an executable is, read with libelf, for the audit's
 * evidence on programs the shim could not trace. The shim itself parses
 * the two headers it needs by hand: it runs inside vfork children, where
 * calling into a library that allocates is not allowed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"

char *elf_describe(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return xasprintf("gone now");
	const char *id = (st.st_mode & S_ISUID)	  ? ", setuid"
			 : (st.st_mode & S_ISGID) ? ", setgid"
						  : "";
	if (elf_version(EV_CURRENT) == EV_NONE)
		return xasprintf("libelf unusable%s", id);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xasprintf("unreadable%s", id);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	char *out = NULL;
	if (!e || elf_kind(e) != ELF_K_ELF) {
		out = xasprintf("not ELF (a script?)%s", id);
		goto done;
	}
	int cls = gelf_getclass(e);
	size_t n = 0;
	char interp[256] = "";
	int is_dyn = 0;
	GElf_Ehdr eh;
	if (gelf_getehdr(e, &eh))
		is_dyn = eh.e_type == ET_DYN;
	if (elf_getphdrnum(e, &n) == 0)
		for (size_t i = 0; i < n; i++) {
			GElf_Phdr ph;
			if (!gelf_getphdr(e, (int)i, &ph) ||
			    ph.p_type != PT_INTERP)
				continue;
			size_t len = ph.p_filesz < sizeof interp - 1
					     ? ph.p_filesz
					     : sizeof interp - 1;
			if (pread(fd, interp, len, (off_t)ph.p_offset) < 0)
				interp[0] = 0;
			interp[len] = 0;
		}
	if (interp[0])
		out = xasprintf("ELF%d, dynamic, interpreter %s%s",
				cls == ELFCLASS32 ? 32 : 64, interp, id);
	else
		out = xasprintf("ELF%d, static%s (no PT_INTERP)%s",
				cls == ELFCLASS32 ? 32 : 64,
				is_dyn ? "-pie" : "", id);
done:
	if (e)
		elf_end(e);
	close(fd);
	return out;
}

/* libelf's version is set once: the save asks from several threads. */
static pthread_once_t elf_once = PTHREAD_ONCE_INIT;
static int elf_usable;

static void elf_init(void)
{
	elf_usable = elf_version(EV_CURRENT) != EV_NONE;
}

int elf_runpath_under(const char *path, const char *root)
{
	pthread_once(&elf_once, elf_init);
	if (!elf_usable)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char magic[4];
	int found = 0;
	Elf *e = NULL;
	if (pread(fd, magic, 4, 0) != 4 || memcmp(magic, "\177ELF", 4) ||
	    !(e = elf_begin(fd, ELF_C_READ, NULL)))
		goto done;
	size_t rlen = strlen(root);
	Elf_Scn *scn = NULL;
	while (!found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		for (size_t i = 0; d && !found && i < n; i++) {
			GElf_Dyn dyn;
			if (!gelf_getdyn(d, (int)i, &dyn) ||
			    (dyn.d_tag != DT_RUNPATH && dyn.d_tag != DT_RPATH))
				continue;
			const char *v = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
			/* A directory of the list (colon-separated) in root. */
			for (const char *p = v; p && *p && !found;) {
				size_t len = strcspn(p, ":");
				found = len >= rlen && !strncmp(p, root, rlen) &&
					(len == rlen || p[rlen] == '/');
				p += len + (p[len] == ':');
			}
		}
	}
done:
	if (e)
		elf_end(e);
	close(fd);
	return found;
}
