/* strsplit.nyash in C: each line built by appending to a growing buffer, trimmed,
 * split into freshly allocated pieces, searched and joined again. */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xmalloc(size_t n) {
    char *p = malloc(n);
    if (!p) { perror("malloc"); exit(1); }
    return p;
}

static int64_t find(const char *s, size_t len, const char *t) {
    size_t lt = strlen(t);
    for (size_t i = 0; i + lt <= len; i++)
        if (memcmp(s + i, t, lt) == 0) return (int64_t)i;
    return -1;
}

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 160000), total = 0;
    char line[256];
    for (int64_t i = 0; i < n; i++) {
        size_t len = 0;
        for (int64_t j = 0; j < 8; j++)
            len += (size_t)sprintf(line + len, "w%ld ", (long)((i + j * 7) % 13));
        /* trim */
        size_t a = 0, b = len;
        while (a < b && (line[a] == ' ' || line[a] == '\t' || line[a] == '\n')) a++;
        while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\n')) b--;
        /* split on " " */
        char *parts[64];
        size_t plen[64], count = 0, start = a;
        for (size_t k = a; k <= b; k++) {
            if (k == b || line[k] == ' ') {
                plen[count] = k - start;
                parts[count] = xmalloc(plen[count] + 1);
                memcpy(parts[count], line + start, plen[count]);
                parts[count][plen[count]] = 0;
                count++;
                start = k + 1;
            }
        }
        for (size_t k = 0; k < count; k++) {
            char *sub = xmalloc(plen[k]);
            memcpy(sub, parts[k] + 1, plen[k] - 1);
            total += (int64_t)plen[k] + find(sub, plen[k] - 1, "1");
            free(sub);
        }
        size_t jl = 0;
        for (size_t k = 0; k < count; k++) jl += plen[k] + (k ? 1 : 0);
        char *joined = xmalloc(jl + 1), *p = joined;
        for (size_t k = 0; k < count; k++) {
            if (k) *p++ = '-';
            memcpy(p, parts[k], plen[k]);
            p += plen[k];
        }
        total += (int64_t)jl + find(joined, jl, "w12");
        free(joined);
        for (size_t k = 0; k < count; k++) free(parts[k]);
    }
    printf("%ld\n", (long)total);
    return 0;
}
