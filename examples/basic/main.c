#include <stdio.h>
#include "util.h"

int main(void)
{
	printf("%s %d %d\n", UTIL_NAME, util_sum(2, 3), extra_twice(21));
	return 0;
}
