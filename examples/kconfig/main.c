#include <stdio.h>

#include "config.h"

int main(void)
{
	printf("%s %d\n", CONFIG_NAME, CONFIG_SIZE);
	return 0;
}
