/* windows.c N: N failing opens of paths whose lengths cycle through every
 * multiple of 8, so that the trace's 1 MiB windows end with every possible
 * remainder (8, 16, 24 bytes: less than a record header). The shim once
 * wrote a 32-byte pad header there, past the end of its mapping. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	char path[128];
	for (long i = 0; i < n; i++) {
		int len = 8 + (int)(i % 13) * 8 - 1;	/* + NUL: multiples of 8 */
		memset(path, 'x', (size_t)len);
		memcpy(path, "no/", 3);
		path[len] = 0;
		if (open(path, O_RDONLY) >= 0)
			return 2;
	}
	printf("%ld\n", n);
	return 0;
}
