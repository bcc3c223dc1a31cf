#include "link.h"

int scale(int x)
{
	return x * REAL_FACTOR;
}
