/* support.c: the few libc functions the compiler may call on its own (no libc is
 * linked).  memcpy/memmove/memset are single bulk-memory instructions. */
#include "nyrt.h"

__attribute__((used)) void *memcpy(void *d, const void *s, size_t n) { __builtin_memmove(d, s, n); return d; }
__attribute__((used)) void *memmove(void *d, const void *s, size_t n) { __builtin_memmove(d, s, n); return d; }
__attribute__((used)) void *memset(void *d, int c, size_t n) { __builtin_memset(d, c, n); return d; }

__attribute__((used)) int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (size_t k = 0; k < n; k++)
        if (x[k] != y[k]) return (int)x[k] - (int)y[k];
    return 0;
}

__attribute__((used)) int bcmp(const void *a, const void *b, size_t n) { return memcmp(a, b, n); }
