#include <stdio.h>
#include "shapes.h"

int main(void)
{
	printf("%d %d\n", square(4), circle(2));
	return 0;
}
