/* nyrt.h: what C runtime parts may use (docs/design.md, "C runtime parts").
 *
 * C sources in this directory are compiled freestanding (no libc, no headers beyond
 * this one and the compiler's <stdint.h>/<stddef.h>) to wasm32 by zig, linked into one
 * wasm module and decoded into the module IR, where they join the WAT runtime:
 *
 *   - NY_EXPORT(name) makes a function callable from WAT and generated code as $name.
 *     Everything else is internal and dropped when nothing reachable calls it.
 *   - NY_IMPORT(name) declares a runtime function $name (WAT) that C calls; the loader
 *     checks the C signature against the runtime's.
 *   - A Nyash value is an ny_value {tag, payload}: compiled with the "experimental-mv"
 *     ABI (c_build.py), it is passed as the two wasm values (i32 tag, i64 payload) and
 *     returned as a multi-value result, exactly the runtime's convention.  So C can
 *     implement $m_<Kind>_<method> (int64_t self, ny_value args...) -> ny_value
 *     directly and call runtime functions that take or return values.
 *   - No function pointers (the IR has no tables): use switch statements.
 *   - Static data lives in the C region of the memory map; the C stack (128 KiB) follows
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
       T_MAP = 7, T_ERR = 8, T_INST = 9, T_BOX = 10, T_CONSOLE = 11, T_MATH = 12 };

typedef struct { int32_t tag; int64_t payload; } ny_value;

static inline ny_value ny_val(int32_t tag, int64_t payload) { ny_value v = {tag, payload}; return v; }
#define NY_VOID ny_val(T_VOID, 0)
#define NY_NULL ny_val(T_NULL, 0)
static inline ny_value ny_int(int64_t n) { return ny_val(T_INT, n); }
static inline ny_value ny_bool(int b) { return ny_val(T_BOOL, b != 0); }
static inline ny_value ny_float(double x) { ny_value v = {T_FLOAT, 0}; __builtin_memcpy(&v.payload, &x, 8); return v; }
static inline double ny_as_float(ny_value v) { double x; __builtin_memcpy(&x, &v.payload, 8); return x; }
static inline ny_value ny_strv(int32_t s) { return ny_val(T_STR, (int64_t)(uint32_t)s); }  /* takes ownership */
static inline ny_value ny_arrv(int32_t a) { return ny_val(T_ARR, (int64_t)(uint32_t)a); }
static inline ny_value ny_mapv(int32_t m) { return ny_val(T_MAP, (int64_t)(uint32_t)m); }
static inline int32_t ny_ptr(ny_value v) { return (int32_t)v.payload; }

/* memory */
NY_IMPORT(alloc) int32_t ny_alloc(int32_t size);
NY_IMPORT(free) void ny_free(int32_t ptr);
NY_IMPORT(realloc) int32_t ny_realloc(int32_t ptr, int32_t size);
NY_IMPORT(retain) void ny_retain(ny_value v);
NY_IMPORT(release) void ny_release(ny_value v);

/* strings: +0 rc, +4 byte length, +8 UTF-8 bytes */
NY_IMPORT(str_new) int32_t ny_str_new(int32_t len);                 /* uninitialised bytes */
NY_IMPORT(str_from_bytes) int32_t ny_str_from_bytes(int32_t ptr, int32_t len);
NY_IMPORT(str_from_i64) int32_t ny_str_from_i64(int64_t n);
NY_IMPORT(str_from_f64) int32_t ny_str_from_f64(double x);
NY_IMPORT(to_string) int32_t ny_to_string(ny_value v);          /* owned string form */
NY_IMPORT(kind_name) int32_t ny_kind_name(ny_value v);          /* immortal: IntegerBox, ... */
NY_IMPORT(str_eq) int32_t ny_str_eq(int32_t a, int32_t b);
NY_IMPORT(op_eq) int32_t ny_op_eq(ny_value a, ny_value b);     /* Nyash == */
NY_IMPORT(out_write) void ny_out_write(int32_t ptr, int32_t len);  /* buffered stdout */

/* collections */
NY_IMPORT(arr_new) int32_t ny_arr_new(void);
NY_IMPORT(arr_push_v) void ny_arr_push_v(int32_t arr, ny_value v);      /* retains v */
NY_IMPORT(arr_get_i) ny_value ny_arr_get_i(int32_t arr, int64_t i);    /* owned */
NY_IMPORT(map_new) int32_t ny_map_new(void);
NY_IMPORT(map_set_v) void ny_map_set_v(int32_t map, ny_value k, ny_value v);  /* retains both */
NY_IMPORT(map_get_v) ny_value ny_map_get_v(int32_t map, ny_value k);   /* owned */
NY_IMPORT(m_Map_keys) ny_value ny_map_keys(int64_t map);                /* owned ArrayBox */

/* errors: raise_error borrows the message string; inside a try it only records the
 * exception and returns, so the caller must return promptly (with dummy results). */
NY_IMPORT(raise_error) void ny_raise_error(int32_t msg);

/* ---- inline helpers over the heap layout ---- */
static inline uint8_t *ny_mem(int32_t addr) { return (uint8_t *)(uintptr_t)(uint32_t)addr; }
static inline int32_t ny_str_len(int32_t s) { return *(int32_t *)ny_mem(s + 4); }
static inline uint8_t *ny_str_bytes(int32_t s) { return ny_mem(s + 8); }
/* ArrayBox: +4 length, +12 element buffer; element i: i32 tag at +0, i64 payload at +8 */
static inline int32_t ny_arr_len(int32_t a) { return *(int32_t *)ny_mem(a + 4); }
/* Element i of an ArrayBox: +16 is the storage mode (0 = tagged 16-byte slots, else
 * every element has that tag and 8-byte payload slots; see collections.wat). */
static inline int32_t ny_arr_mode(int32_t a) { return *(int32_t *)ny_mem(a + 16); }
static inline int32_t ny_arr_tag(int32_t a, int32_t i) {
    int32_t m = ny_arr_mode(a);
    return m ? m : *(int32_t *)ny_mem(*(int32_t *)ny_mem(a + 12) + 16 * i);
}
static inline int64_t ny_arr_payload(int32_t a, int32_t i) {
    return ny_arr_mode(a) ? *(int64_t *)ny_mem(*(int32_t *)ny_mem(a + 12) + 8 * i)
                          : *(int64_t *)ny_mem(*(int32_t *)ny_mem(a + 12) + 16 * i + 8);
}

/* a new string from a C buffer */
static inline int32_t ny_str_copy(const void *p, int32_t len) { return ny_str_from_bytes((int32_t)(uintptr_t)p, len); }
static inline int32_t ny_cstr_len(const char *s) { int32_t n = 0; while (s[n]) n++; return n; }
static inline int32_t ny_str_c(const char *s) { return ny_str_copy(s, ny_cstr_len(s)); }
static inline void ny_release_str(int32_t s) { ny_release(ny_strv(s)); }
/* raise a runtime error with a C message (ny_raise_error borrows; we drop our copy) */
static inline void ny_raise_c(const char *msg) { int32_t s = ny_str_c(msg); ny_raise_error(s); ny_release_str(s); }
static inline void ny_raise_s(int32_t msg) { ny_raise_error(msg); ny_release_str(msg); }  /* consumes msg */
static inline void *ny_malloc(int32_t n) { return (void *)(uintptr_t)(uint32_t)ny_alloc(n); }
static inline void ny_mfree(void *p) { ny_free((int32_t)(uintptr_t)p); }
static inline void *ny_mrealloc(void *p, int32_t n) { return (void *)(uintptr_t)(uint32_t)ny_realloc((int32_t)(uintptr_t)p, n); }

#endif
