/* Test-only C runtime part: exercises the C pipeline (imports, exports, static data,
 * the C stack, recursion, bulk memory, dead-function elimination). */
#include "nyrt.h"

static const char greeting[] = "hello from C";
static int32_t calls;                      /* .bss: zero-initialised */
static int32_t table[4] = {10, 20, 30, 40}; /* .data */

NY_EXPORT(cs_greeting) int32_t cs_greeting(void) {
    calls++;
    return ny_str_copy(greeting, sizeof greeting - 1);
}

NY_EXPORT(cs_calls) int32_t cs_calls(void) { return calls; }

NY_EXPORT(cs_table_sum) int64_t cs_table_sum(void) {
    int64_t s = 0;
    for (int i = 0; i < 4; i++) s += table[i];
    table[0]++;
    return s;
}

/* byte offset of needle in haystack (both string objects) from byte `from`, or -1 */
NY_EXPORT(cs_find) int32_t cs_find(int32_t hay, int32_t needle, int32_t from) {
    int32_t n = ny_str_len(hay), m = ny_str_len(needle);
    const uint8_t *h = ny_str_bytes(hay), *p = ny_str_bytes(needle);
    for (int32_t i = from; i + m <= n; i++) {
        int32_t j = 0;
        while (j < m && h[i + j] == p[j]) j++;
        if (j == m) return i;
    }
    return -1;
}

static int32_t depth_sum(int32_t d) {
    volatile char buf[64];
    buf[d & 63] = (char)d;
    return d == 0 ? 0 : d + depth_sum(d - 1) + (buf[d & 63] - (char)d);
}

/* recursion through the C stack; the stack pointer must come back */
NY_EXPORT(cs_recurse) int32_t cs_recurse(int32_t d) { return depth_sum(d); }

/* reverse a string through a stack buffer and memcpy */
NY_EXPORT(cs_reverse) int32_t cs_reverse(int32_t s) {
    char buf[256];
    int32_t n = ny_str_len(s);
    if (n > 256) {
        int32_t msg = ny_str_copy("string too long for cs_reverse", 30);
        ny_raise_error(msg);
        ny_release_str(msg);
        return 0;
    }
    __builtin_memcpy(buf, ny_str_bytes(s), n);
    int32_t out = ny_str_new(n);
    for (int32_t i = 0; i < n; i++) ny_str_bytes(out)[i] = buf[n - 1 - i];
    return out;
}

/* an ArrayBox of the integers 0..n-1 */
NY_EXPORT(cs_range) int32_t cs_range(int32_t n) {
    int32_t a = ny_arr_new();
    for (int32_t i = 0; i < n; i++) ny_arr_push_v(a, ny_int(i));
    return a;
}

NY_EXPORT(cs_half) double cs_half(double x) { return x / 2; }

/* a function with the Nyash value ABI: (self i64, v) -> v */
NY_EXPORT(cs_pair) ny_value cs_pair(int64_t self, ny_value a) {
    if (a.tag == T_INT) return ny_int(a.payload * 2 + self);
    return ny_strv(ny_to_string(a));
}
