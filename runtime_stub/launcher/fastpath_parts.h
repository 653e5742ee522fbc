/*
 * fastpath_parts.h - what the fast path's translation units share (see fastpath.c).
 *
 *   util.c     output buffers, one-line failures, the hand-over jump, small helpers
 *   conf.c     the runner's nyash-fastpath.json (settings written from Python)
 *   payload.c  the payload: mapping, integrity, entries
 *   traps.c    the runner's trap report: line table, function bodies, frames
 *   fastpath.c CPU, wasmtime, variant choice, the world, running, the outcome
 */
#ifndef NYASH_FASTPATH_PARTS_H
#define NYASH_FASTPATH_PARTS_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "fastpath.h"
#include "json.h"
#include "wasmtime_api.h"

#ifndef PAYLOAD_VERSION
#error "build with the -D constants from runtime_stub/payload.py"
#endif

/* ------------------------------------------------------------------ util.c */
typedef struct {
    char *p;
    size_t len, cap;
} strbuf;

void sb_add(strbuf *b, const char *s, size_t n);
void sb_str(strbuf *b, const char *s);
void sb_fmt(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void write_all(int fd, const char *p, size_t n);
double now_s(void);

/* The executable's path, for `nyash: <exe>: ...` messages. */
extern const char *g_self;
/* A failure the runner would report as one line `nyash: <exe>: <message>`. */
void fail(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
/* The run must go to the Python runner: back to fastpath_run's setjmp, which returns. */
extern jmp_buf g_handover;
void handover(void) __attribute__((noreturn));

int is_ws(char c);
int env_flag(const char *name);
int valid_utf8(const unsigned char *s);
char *read_file(const char *path, size_t *len);

/* ------------------------------------------------------------------ conf.c */
typedef struct {
    const char *name;
    const jv *target, *flags, *cpu_features; /* engine settings of the variant */
    const jv *key_release, *key_debug;       /* the runner's compat keys */
} variant_conf;

typedef struct {
    jv *root;
    char library[4096], library_dir[4096];
    variant_conf variants[8];
    size_t nvariants;
    const jv *info_only_keys, *hidden_env, *variant_choices;
    int64_t max_wasm_stack, async_stack_size, native_stack, default_max_memory, frames_shown;
    uint8_t opt_level;
    double timeout_max;
} runner_conf;

void load_conf(runner_conf *c, const char *dir);
int str_list(const jv *v);
int in_list(const jv *list, const char *s);

/* --------------------------------------------------------------- payload.c */
typedef struct {
    const char *name;
    uint64_t offset, size;
    const char *sha256; /* hex */
    int zlib;
    const char *raw_digest; /* hex payload.page_digest of the decoded bytes (zlib entries), or NULL */
} entry;

typedef struct {
    const uint8_t *blob;
    const uint8_t *data; /* entry data: after the header, before the digest */
    uint64_t data_len;
    entry *entries;
    size_t nentries;
} payload;

/* An entry's bytes: pointing into the payload (raw) or decoded (owned). */
typedef struct {
    const uint8_t *p;
    size_t len;
    uint8_t *owned; /* free() this */
} bytes;

void read_payload(payload *p, const launch_info *info);
const entry *find_entry(const payload *p, const char *name);
bytes get_entry(const payload *p, const char *name, int soft);
/* get_entry in two steps: the entry after checking its stored bytes' sha256 (failing
 * as get_entry does), then its decoded bytes (a zlib error hands over). */
const entry *checked_entry(const payload *p, const char *name);
bytes decode_entry(const payload *p, const entry *e);

/* ------------------------------------------------------------- fastpath.c */
extern wasmtime_api W;
void drop_error(wasmtime_error_t *e);

typedef struct {
    wasmtime_linker_t *linker;
    wasmtime_context_t *ctx;
    wasmtime_module_t *module;
    wasmtime_instance_t instance;
    int have_instance;
    double t_setup, instantiate_s, exec_s;
    wasmtime_error_t *error;
    wasm_trap_t *trap;
    volatile int phase; /* 0 instantiating, 1 running _start, 2 done */
} run_state;

int export_get(run_state *r, const char *name, wasmtime_extern_t *item);

/* ------------------------------------------------------------------ traps.c */
void check_meta(const jv *meta);
void read_lines(const payload *p);
int global_int(run_state *r, const char *name, int64_t *out);
void first_line(strbuf *b, const char *text, size_t len);
void format_trap(strbuf *out, run_state *r, const payload *p, const jv *meta, const runner_conf *conf);

#endif
