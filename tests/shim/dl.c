/* dl.c MODE: dlopen as its caller (t1001). Built with RUNPATH $ORIGIN/lib,
 * where libplug-a.so (which needs libplug-dep.so) and libplug-b.so are:
 * ld.so finds them only through this program's RUNPATH or $ORIGIN. Each
 * mode prints what it got and exits right after, with no other call the
 * shim wraps in between unless the mode says so. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *open_plug(const char *name)
{
	void *h = dlopen(name, RTLD_NOW);
	if (!h) {
		printf("dlopen %s: %s\n", name, dlerror());
		exit(1);
	}
	int (*plug)(void) = (int (*)(void))dlsym(h, "plug");
	printf("%s: plug=%d\n", name, plug ? plug() : -1);
	return h;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	if (!strcmp(m, "bare")) {		/* RUNPATH; recorded at exit() */
		open_plug("libplug-a.so");
		fflush(stdout);
		exit(0);
	}
	if (!strcmp(m, "origin")) {		/* recorded at dlclose */
		void *h = open_plug("$ORIGIN/lib/libplug-b.so");
		return dlclose(h) != 0;
	}
	if (!strcmp(m, "next")) {		/* recorded at the next record */
		open_plug("libplug-b.so");
		int fd = open("next-file", O_RDONLY);
		printf("open: %s\n", fd < 0 ? "failed" : "ok");
		fflush(stdout);
		_exit(0);			/* no exit-time record */
	}
	if (!strcmp(m, "missing")) {		/* a path that is not there */
		void *h = dlopen("lib/libplug-missing.so", RTLD_NOW);
		printf("missing: %s\n", h ? "loaded" : dlerror());
		return 0;
	}
	return 2;
}
