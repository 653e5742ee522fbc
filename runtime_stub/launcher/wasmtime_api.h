/*
 * wasmtime_api.h - the part of wasmtime's documented C API (wasm.h, wasi.h,
 * wasmtime/ headers of wasmtime 50) the fast path calls, written out as function-pointer
 * types so the library can be loaded with dlopen from the unpacked runner directory
 * (the runner ships the wasmtime wheel's _libwasmtime.so; no headers are needed to
 * build the launcher).
 *
 * Struct layouts follow the headers (sizes checked against wasmtime-py's generated
 * bindings of the same version: wasmtime_extern_t 32 bytes, wasmtime_val_t 32,
 * wasmtime_instance_t 16, wasmtime_func_t 16, wasmtime_global_t 24, wasmtime_memory_t 24).
 */
#ifndef NYASH_WASMTIME_API_H
#define NYASH_WASMTIME_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasm_frame_t wasm_frame_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_module wasmtime_module_t;
typedef struct wasmtime_store wasmtime_store_t;
typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_linker wasmtime_linker_t;
typedef struct wasi_config_t wasi_config_t;

typedef struct { size_t size; char *data; } wasm_byte_vec_t; /* wasm_name_t, wasm_message_t */
typedef struct { size_t size; wasm_frame_t **data; } wasm_frame_vec_t;

typedef struct { uint64_t store_id; size_t private_; } wasmtime_instance_t;
typedef struct { uint64_t store_id; void *private_; } wasmtime_func_t;
typedef struct { uint64_t store_id; uint32_t private1, private2, private3; } wasmtime_global_t;
typedef struct { struct { uint64_t store_id; uint32_t private1; } s; uint32_t private2; } wasmtime_memory_t;

#define WASMTIME_EXTERN_FUNC 0
#define WASMTIME_EXTERN_GLOBAL 1
#define WASMTIME_EXTERN_MEMORY 3
typedef struct {
    uint8_t kind;
    union {
        wasmtime_func_t func;
        wasmtime_global_t global;
        wasmtime_memory_t memory;
        uint8_t other[24]; /* table, sharedmemory, tag */
    } of;
} wasmtime_extern_t;

_Static_assert(sizeof(wasmtime_memory_t) == 24, "wasmtime_memory_t layout");
_Static_assert(sizeof(wasmtime_extern_t) == 32, "wasmtime_extern_t layout");

#define WASMTIME_I32 0
#define WASMTIME_I64 1
typedef struct {
    uint8_t kind;
    union {
        int32_t i32;
        int64_t i64;
        uint8_t other[24];
    } of;
} wasmtime_val_t;

#define WASMTIME_TRAP_CODE_STACK_OVERFLOW 0
#define WASMTIME_OPT_LEVEL_SPEED 1

/* Every function the fast path resolves with dlsym: X(return type, name, params). */
#define WASMTIME_FUNCTIONS(X)                                                                   \
    X(wasm_config_t *, wasm_config_new, (void))                                                 \
    X(wasmtime_error_t *, wasmtime_config_target_set, (wasm_config_t *, const char *))          \
    X(void, wasmtime_config_cranelift_flag_enable, (wasm_config_t *, const char *))             \
    X(void, wasmtime_config_cranelift_opt_level_set, (wasm_config_t *, uint8_t))                \
    X(void, wasmtime_config_debug_info_set, (wasm_config_t *, bool))                            \
    X(void, wasmtime_config_max_wasm_stack_set, (wasm_config_t *, size_t))                      \
    X(void, wasmtime_config_async_stack_size_set, (wasm_config_t *, size_t))                    \
    X(void, wasmtime_config_wasm_relaxed_simd_set, (wasm_config_t *, bool))                     \
    X(void, wasmtime_config_wasm_relaxed_simd_deterministic_set, (wasm_config_t *, bool))       \
    X(wasm_engine_t *, wasm_engine_new_with_config, (wasm_config_t *))                          \
    X(void, wasm_engine_delete, (wasm_engine_t *))                                              \
    X(wasmtime_error_t *, wasmtime_module_deserialize,                                          \
      (wasm_engine_t *, const uint8_t *, size_t, wasmtime_module_t **))                         \
    X(wasmtime_error_t *, wasmtime_module_deserialize_file,                                     \
      (wasm_engine_t *, const char *, wasmtime_module_t **))                                    \
    X(wasmtime_store_t *, wasmtime_store_new, (wasm_engine_t *, void *, void (*)(void *)))      \
    X(wasmtime_context_t *, wasmtime_store_context, (wasmtime_store_t *))                       \
    X(void, wasmtime_store_limiter,                                                             \
      (wasmtime_store_t *, int64_t, int64_t, int64_t, int64_t, int64_t))                        \
    X(wasi_config_t *, wasi_config_new, (void))                                                 \
    X(bool, wasi_config_set_argv, (wasi_config_t *, size_t, const char *const *))               \
    X(bool, wasi_config_set_env,                                                                \
      (wasi_config_t *, size_t, const char *const *, const char *const *))                      \
    X(void, wasi_config_inherit_stdin, (wasi_config_t *))                                       \
    X(void, wasi_config_inherit_stdout, (wasi_config_t *))                                      \
    X(void, wasi_config_inherit_stderr, (wasi_config_t *))                                      \
    X(bool, wasi_config_preopen_dir, (wasi_config_t *, const char *, const char *, bool))       \
    X(wasmtime_error_t *, wasmtime_context_set_wasi, (wasmtime_context_t *, wasi_config_t *))   \
    X(wasmtime_linker_t *, wasmtime_linker_new, (wasm_engine_t *))                              \
    X(wasmtime_error_t *, wasmtime_linker_define_wasi, (wasmtime_linker_t *))                   \
    X(wasmtime_error_t *, wasmtime_linker_instantiate,                                          \
      (const wasmtime_linker_t *, wasmtime_context_t *, const wasmtime_module_t *,              \
       wasmtime_instance_t *, wasm_trap_t **))                                                  \
    X(bool, wasmtime_instance_export_get,                                                       \
      (wasmtime_context_t *, const wasmtime_instance_t *, const char *, size_t,                 \
       wasmtime_extern_t *))                                                                    \
    X(void, wasmtime_global_get, (wasmtime_context_t *, const wasmtime_global_t *,              \
                                  wasmtime_val_t *))                                            \
    X(wasmtime_error_t *, wasmtime_global_set,                                                  \
      (wasmtime_context_t *, const wasmtime_global_t *, const wasmtime_val_t *))                \
    X(uint8_t *, wasmtime_memory_data, (const wasmtime_context_t *, const wasmtime_memory_t *))   \
    X(wasmtime_error_t *, wasmtime_func_call,                                                   \
      (wasmtime_context_t *, const wasmtime_func_t *, const wasmtime_val_t *, size_t,           \
       wasmtime_val_t *, size_t, wasm_trap_t **))                                               \
    X(bool, wasmtime_error_exit_status, (const wasmtime_error_t *, int *))                      \
    X(void, wasmtime_error_message, (const wasmtime_error_t *, wasm_byte_vec_t *))              \
    X(void, wasmtime_error_delete, (wasmtime_error_t *))                                        \
    X(bool, wasmtime_trap_code, (const wasm_trap_t *, uint8_t *))                               \
    X(void, wasm_trap_message, (const wasm_trap_t *, wasm_byte_vec_t *))                        \
    X(void, wasm_trap_trace, (const wasm_trap_t *, wasm_frame_vec_t *))                         \
    X(uint32_t, wasm_frame_func_index, (const wasm_frame_t *))                                  \
    X(size_t, wasm_frame_module_offset, (const wasm_frame_t *))                                 \
    X(const wasm_byte_vec_t *, wasmtime_frame_func_name, (const wasm_frame_t *))                \
    X(void, wasm_byte_vec_delete, (wasm_byte_vec_t *))

#define WASMTIME_FIELD(ret, name, params) ret(*name) params;
typedef struct {
    WASMTIME_FUNCTIONS(WASMTIME_FIELD)
} wasmtime_api;
#undef WASMTIME_FIELD

#endif
