#include "util.h"
#include "extra.h"

int extra_twice(int a)
{
	return EXTRA_FACTOR * a;
}
