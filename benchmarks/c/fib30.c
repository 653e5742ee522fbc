/* fib30.nyash in C: naive recursion, fib(30). */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>

static int64_t fib(int64_t n) {
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 30);
    printf("%ld\n", (long)fib(n));
    return 0;
}
