#include <stdio.h>

extern const int table[8];

int main(void)
{
	int sum = 0;
	for (int i = 0; i < 8; i++)
		sum += table[i];
	printf("sum of squares: %d\n", sum);
	return 0;
}
