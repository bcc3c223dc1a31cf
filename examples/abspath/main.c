#include <stdio.h>

int util(int x);

int main(void)
{
	printf("abspath %d\n", util(20));
	return 0;
}
