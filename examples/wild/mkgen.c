#include <stdio.h>

int main(void)
{
	printf("#define GEN_VALUE %d\n", 6 * 7);
	return 0;
}
