/* strings.nyash in C: append to a realloc'd buffer, reset every 1000 appends. */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *buf; size_t len, cap; } Str;

static void append(Str *s, const char *text, size_t n) {
    if (s->len + n + 1 > s->cap) {
        while (s->len + n + 1 > s->cap) s->cap = s->cap ? s->cap * 2 : 16;
        s->buf = realloc(s->buf, s->cap);
        if (!s->buf) { perror("realloc"); exit(1); }
    }
    memcpy(s->buf + s->len, text, n);
    s->len += n;
    s->buf[s->len] = 0;
}

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 3000000), words = 0;
    Str s = {0};
    char digits[24];
    for (int64_t i = 0; i < n; i++) {
        append(&s, "w", 1);
        int k = snprintf(digits, sizeof digits, "%ld", (long)(i % 10));
        append(&s, digits, (size_t)k);
        if (i % 1000 == 999) {
            words += (int64_t)s.len;
            s.len = 0;
        }
    }
    printf("%ld\n", (long)(words + (int64_t)s.len));
    free(s.buf);
    return 0;
}
