/* Shared by the C benchmarks: the problem size comes from argv[1] when given.
 * The harness passes the `local n = ...` value of the .nyash program being compared,
 * so one C source serves both sizes, and gcc cannot constant-fold the whole run. */
#ifndef NYASH_BENCH_H
#define NYASH_BENCH_H
#include <stdint.h>
#include <stdlib.h>

static inline int64_t arg_n(int argc, char **argv, int64_t fallback) {
    return argc > 1 ? (int64_t)strtoll(argv[1], NULL, 10) : fallback;
}
#endif
