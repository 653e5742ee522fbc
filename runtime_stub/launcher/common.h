/*
 * common.h - declarations shared by the launcher's translation units.
 *
 * The launcher is plain C11 with no dependency beyond the C library (glibc: the fast
 * path dlopens wasmtime's shared library, which is linked against glibc). It is built
 * by zig at package build time (nyash_build/bundle/launcher_build.py) or, when no
 * prebuilt launcher fits, by gcc.
 */
#ifndef NYASH_LAUNCHER_COMMON_H
#define NYASH_LAUNCHER_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes: the one list is runtime_stub/runner.py EXIT_CODES. */
#define EXIT_RUNTIME_ERROR 1
#define EXIT_INTERNAL 120
#define EXIT_CORRUPT 121
#define EXIT_NO_VARIANT 122
#define EXIT_FOREIGN 123
#define EXIT_RUNNER_CORRUPT 124
#define EXIT_RUNNER_IO 125

/* sha256.c: SHA-256, with the x86 SHA extensions when the CPU has them. */
void sha256(const uint8_t *data, size_t len, uint8_t out[32]);
void sha256_portable(const uint8_t *data, size_t len, uint8_t out[32]); /* tests */

/* lzma2.c: decode a raw LZMA2 stream whose input went through the x86 BCJ filter
 * (Python: lzma.compress(data, lzma.FORMAT_RAW, filters=[X86, LZMA2])) into exactly
 * out_len bytes. Returns 0 on success, -1 on malformed or short input. */
int lzma2_x86_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len);

/* inflate.c: decode one zlib stream (RFC 1950/1951), checking its Adler-32. On success
 * returns 0 and a malloc'd buffer in *out (caller frees); -1 otherwise. */
int zlib_decompress(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len);

/* Little-endian readers. */
static inline uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t le64(const uint8_t *p) {
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

#endif
