#define UTIL_NAME "util"
int util_sum(int a, int b);
int extra_twice(int a);
