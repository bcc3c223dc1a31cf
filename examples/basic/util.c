#include "util.h"

int util_sum(int a, int b)
{
	return a + b;
}
