#include <stdio.h>

/* Writes a table of squares to argv[1]. */
int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "table.c", "w");
	if (!f)
		return 1;
	fprintf(f, "const int table[8] = {");
	for (int i = 0; i < 8; i++)
		fprintf(f, "%d,", i * i);
	fprintf(f, "};\n");
	return fclose(f) != 0;
}
