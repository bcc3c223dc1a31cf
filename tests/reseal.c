/*
 * reseal.c - reseal < body > manifest: append the end line that ckpt
 * checks (XXH3-128 of the text before it) to a hand-edited manifest text.
 * Used by the tests that craft manifests (t2006, t2011).
 */
#include <stdio.h>
#include <stdlib.h>
#include <xxhash.h>
int main(void)
{
	size_t n = 0, a = 1 << 16, r;
	char *b = malloc(a);
	while ((r = fread(b + n, 1, a - n, stdin)) > 0)
		if ((n += r) == a)
			b = realloc(b, a *= 2);
	XXH128_hash_t h = XXH3_128bits(b, n);
	fwrite(b, 1, n, stdout);
	printf("end %016llx%016llx\n", (unsigned long long)h.high64,
	       (unsigned long long)h.low64);
	return 0;
}
