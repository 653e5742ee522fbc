/* loops.nyash in C: nested integer loops with %. */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 120000), acc = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < 100; j++)
            acc = (acc + i * 7 + j * 3) % 1000003;
    printf("%ld\n", (long)acc);
    return 0;
}
