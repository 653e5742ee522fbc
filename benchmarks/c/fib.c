/* fib.nyash in C: naive recursion, fib(35). */
#include <stdint.h>
#include <stdio.h>

static int64_t fib(int64_t n) {
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    int64_t n = argc > 1 ? 0 : 35;   /* argc trick keeps gcc from folding the call */
    if (argc > 1) sscanf(argv[1], "%ld", &n);
    printf("%ld\n", (long)fib(n));
    return 0;
}
