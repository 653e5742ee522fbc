/* arrayops.nyash in C: qsort, reverse, linear searches, slice and join length. */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t index_of(const int64_t *a, int n, int64_t v) {
    for (int i = 0; i < n; i++)
        if (a[i] == v) return i;
    return -1;
}

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 3000), total = 0;
    int64_t a[400];
    char buf[64];
    for (int64_t r = 0; r < n; r++) {
        for (int64_t i = 0; i < 400; i++) a[i] = (i * 7919 + r * 31) % 1009;
        qsort(a, 400, sizeof a[0], cmp);
        total += a[0] + a[399] + a[200];
        for (int lo = 0, hi = 399; lo < hi; lo++, hi--) { int64_t t = a[lo]; a[lo] = a[hi]; a[hi] = t; }
        total += a[10];
        if (index_of(a, 400, r) >= 0) total += 1;
        total += index_of(a, 400, r % 1009) + index_of(a, 400, -5);
        int64_t joined = 0;
        for (int i = 5; i < 25; i++) joined += sprintf(buf, "%ld", (long)a[i]) + (i > 5);
        total += joined;
    }
    printf("%ld\n", (long)total);
    return 0;
}
