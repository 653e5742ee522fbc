/* sort.nyash in C: insertion sort of 6,000 LCG values in a growable array. */
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
    int64_t n = arg_n(argc, argv, 6000), x = 12345;
    Array a = {0};
    for (int64_t i = 0; i < n; i++) {
        x = (int64_t)((uint64_t)x * 1103515245u + 12345u) % 2147483648;
        push(&a, x % 100000);
    }
    for (int64_t i = 1; i < n; i++) {
        int64_t key = a.data[i], j = i - 1;
        while (j >= 0 && a.data[j] > key) {
            a.data[j + 1] = a.data[j];
            j--;
        }
        a.data[j + 1] = key;
    }
    printf("%ld\n", (long)(a.data[0] + a.data[n / 2] * 7 + a.data[n - 1] * 13));
    free(a.data);
    return 0;
}
