#include <stdio.h>
#include "gen.h"
#include "banner.h"

extern const unsigned char asset[];
extern const unsigned asset_len;
int scale(int x);

int main(void)
{
	unsigned sum = 0;
	for (unsigned i = 0; i < asset_len; i++)
		sum += asset[i];
	printf("%s %d %u %d\n", BANNER, GEN_VALUE, sum, scale(5));
	return 0;
}
