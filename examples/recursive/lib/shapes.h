int square(int x);
int circle(int r);
