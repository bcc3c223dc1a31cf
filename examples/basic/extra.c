#include "util.h"

int extra_twice(int a)
{
	return 2 * a;
}
