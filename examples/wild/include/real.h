#define REAL_FACTOR 3
