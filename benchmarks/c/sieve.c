/* sieve.nyash in C: growable int64 array filled by push, then get/set. */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct { int64_t *data; int64_t len, cap; } Array;

static void push(Array *a, int64_t v) {
    if (a->len == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 8;
        a->data = realloc(a->data, (size_t)a->cap * sizeof(int64_t));
        if (!a->data) { perror("realloc"); exit(1); }
    }
    a->data[a->len++] = v;
}

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 5000000);
    Array flags = {0};
    for (int64_t i = 0; i <= n; i++) push(&flags, 1);
    flags.data[0] = 0;
    flags.data[1] = 0;
    for (int64_t p = 2; p * p <= n; p++)
        if (flags.data[p] == 1)
            for (int64_t k = p * p; k <= n; k += p) flags.data[k] = 0;
    int64_t count = 0;
    for (int64_t i = 0; i <= n; i++) count += flags.data[i];
    printf("%ld\n", (long)count);
    free(flags.data);
    return 0;
}
