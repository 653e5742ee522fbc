/* collatz.nyash in C: longest Collatz chain below 300,000. */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 300000), best = 0, best_start = 0;
    for (int64_t start = 1; start < n; start++) {
        int64_t x = start, steps = 0;
        while (x != 1) {
            if (x % 2 == 0) x = x / 2;
            else x = 3 * x + 1;
            steps++;
        }
        if (steps > best) { best = steps; best_start = start; }
    }
    printf("%ld\n", (long)(best_start * 1000 + best));
    return 0;
}
