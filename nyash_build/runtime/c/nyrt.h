/* nyrt.h: what C runtime parts may use (docs/design.md, "C runtime parts").
 *
 * C sources in this directory are compiled freestanding (no libc, no headers beyond
 * this one and the compiler's <stdint.h>/<stddef.h>) to wasm32 by zig, linked into one
 * wasm module and decoded into the module IR, where they join the WAT runtime:
 *
 *   - NY_EXPORT(name) makes a function callable from WAT and generated code as $name.
 *     Everything else is internal and dropped when nothing reachable calls it.
 *   - NY_IMPORT(name) declares a runtime function $name (WAT) that C calls; the loader
 *     checks the C signature against the runtime's.  Only functions with at most one
 *     result can be called (C cannot receive the (tag, payload) pair); a Nyash value
 *     is passed as two arguments (int32_t tag, int64_t payload).
 *   - No function pointers (the IR has no tables): use switch statements.
 *   - Static data lives in the C region of the memory map; the C stack (64 KiB) follows
 *     it.  Keep recursion bounded.
 *   - memcpy/memset: __builtin_memcpy / __builtin_memset compile to memory.copy/fill.
 *
 * Ownership follows the runtime (docs/design.md "Ownership"): runtime functions borrow
 * their arguments and return owned results.
 */
#ifndef NYRT_H
#define NYRT_H

#include <stdint.h>
#include <stddef.h>

#define NY_EXPORT(name) __attribute__((export_name(#name))) 
#define NY_IMPORT(name) __attribute__((import_module("nyash"), import_name(#name)))

/* value tags (docs/design.md "Value representation") */
enum { T_VOID = 0, T_NULL = 1, T_BOOL = 2, T_INT = 3, T_FLOAT = 4, T_STR = 5, T_ARR = 6,
       T_MAP = 7, T_ERR = 8, T_INST = 9 };

/* memory */
NY_IMPORT(alloc) int32_t ny_alloc(int32_t size);
NY_IMPORT(free) void ny_free(int32_t ptr);
NY_IMPORT(realloc) int32_t ny_realloc(int32_t ptr, int32_t size);
NY_IMPORT(retain) void ny_retain(int32_t tag, int64_t payload);
NY_IMPORT(release) void ny_release(int32_t tag, int64_t payload);

/* strings: +0 rc, +4 byte length, +8 UTF-8 bytes */
NY_IMPORT(str_new) int32_t ny_str_new(int32_t len);                 /* uninitialised bytes */
NY_IMPORT(str_from_bytes) int32_t ny_str_from_bytes(int32_t ptr, int32_t len);
NY_IMPORT(str_from_i64) int32_t ny_str_from_i64(int64_t n);
NY_IMPORT(str_from_f64) int32_t ny_str_from_f64(double x);
NY_IMPORT(to_string) int32_t ny_to_string(int32_t tag, int64_t payload);

/* collections */
NY_IMPORT(arr_new) int32_t ny_arr_new(void);
NY_IMPORT(arr_push_v) void ny_arr_push_v(int32_t arr, int32_t tag, int64_t payload);
NY_IMPORT(map_new) int32_t ny_map_new(void);
NY_IMPORT(map_set_v) void ny_map_set_v(int32_t map, int32_t ktag, int64_t kpay, int32_t vtag, int64_t vpay);

/* errors: raise_error borrows the message string; inside a try it only records the
 * exception and returns, so the caller must return promptly (with dummy results). */
NY_IMPORT(raise_error) void ny_raise_error(int32_t msg);

/* ---- inline helpers over the heap layout ---- */
static inline uint8_t *ny_mem(int32_t addr) { return (uint8_t *)(uintptr_t)(uint32_t)addr; }
static inline int32_t ny_str_len(int32_t s) { return *(int32_t *)ny_mem(s + 4); }
static inline uint8_t *ny_str_bytes(int32_t s) { return ny_mem(s + 8); }
/* ArrayBox: +4 length, +12 element buffer; element i: i32 tag at +0, i64 payload at +8 */
static inline int32_t ny_arr_len(int32_t a) { return *(int32_t *)ny_mem(a + 4); }
static inline int32_t ny_arr_tag(int32_t a, int32_t i) { return *(int32_t *)ny_mem(*(int32_t *)ny_mem(a + 12) + 16 * i); }
static inline int64_t ny_arr_payload(int32_t a, int32_t i) { return *(int64_t *)ny_mem(*(int32_t *)ny_mem(a + 12) + 16 * i + 8); }

/* a new string from a C buffer */
static inline int32_t ny_str_copy(const void *p, int32_t len) { return ny_str_from_bytes((int32_t)(uintptr_t)p, len); }

#endif
