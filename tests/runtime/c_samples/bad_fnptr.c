#include "nyrt.h"
static int32_t twice(int32_t x) { return 2 * x; }
static int32_t thrice(int32_t x) { return 3 * x; }
NY_EXPORT(cs_apply) int32_t cs_apply(int32_t which, int32_t x) {
    int32_t (*volatile f)(int32_t) = which ? twice : thrice;
    return f(x);
}
