/* arrays.nyash in C: push into a growable int64 array, then 5 summing passes. */
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
    int64_t n = arg_n(argc, argv, 2000000);
    Array a = {0};
    for (int64_t i = 0; i < n; i++) push(&a, i * 3 % 1000);
    int64_t total = 0;
    for (int round = 0; round < 5; round++)
        for (int64_t i = 0; i < n; i++) total += a.data[i];
    printf("%ld\n", (long)total);
    free(a.data);
    return 0;
}
