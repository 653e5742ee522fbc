/*
 * fastpath.c - run the app natively: no Python on the common path.
 *
 * Why: starting the frozen Python runner costs ~100 ms before the program runs; this
 * does what runtime_stub/runner.py does for an ordinary run with wasmtime's C API,
 * loaded with dlopen from the unpacked runner directory (the same library the runner
 * uses). The Python runner stays the complete runner: whenever a run needs anything
 * this file does not do exactly as the runner would (--nyash-info, NYASH_AOT_DEBUG,
 * a JIT fallback, an invalid setting whose message is the runner's to word, a library
 * that does not load, ...), fastpath_run returns before anything was written and the
 * launcher execs the runner, which then does everything from the start.
 *
 * What must match the runner exactly (tests/launcher/test_fastpath.py runs every
 * program both ways and compares stdout, stderr and the exit code):
 *   integrity   the whole-payload sha256 before anything is decoded, each entry's own
 *               sha256 before it is used; the same messages and exit codes
 *   variants    compat key check, CPU feature check (cpuid), deserialise, best first
 *   engine      the settings of runtime_stub/variants.py:engine_config
 *   world       argv, environment, stdio, store limits (docs/design.md "World interface")
 *   outcome     exit status, traps mapped to `Runtime error: ...` and `at f (file:line)`
 *               frames, the time limit, the NYASH_TIMING line
 * Settings that belong to the runner's Python code (variant tables, compat keys, the
 * hidden launcher variables, stack sizes) are not repeated here: the runner freeze
 * writes them into <runner>/nyash-fastpath.json from the Python definitions.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "fastpath.h"
#include "json.h"
#include "wasmtime_api.h"

#ifndef PAYLOAD_VERSION
#error "build with the -D constants from runtime_stub/payload.py"
#endif
#define PAYLOAD_HEAD 16 /* magic[8] u32 version u32 header length */
#define DIGEST 32

extern char **environ;

/* ------------------------------------------------------------------ output */
typedef struct {
    char *p;
    size_t len, cap;
} strbuf;

static void sb_add(strbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}
static void sb_str(strbuf *b, const char *s) { sb_add(b, s, strlen(s)); }
static void sb_fmt(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void sb_fmt(strbuf *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) sb_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static const char *g_self = "?";

/* A failure the runner would report as one line `nyash: <exe>: <message>`. */
static void fail(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void fail(int code, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    strbuf b = {0};
    sb_fmt(&b, "nyash: %s: %s\n", g_self, msg);
    write_all(2, b.p, b.len);
    _exit(code);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Set when the run must go to the Python runner; fastpath_run returns. */
#include <setjmp.h>
static jmp_buf g_handover;
static void handover(void) __attribute__((noreturn));
static void handover(void) { longjmp(g_handover, 1); }

/* ------------------------------------------------------------ small parsers */
static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Python's `os.environ.get(name, "") not in ("", "0")`. */
static int env_flag(const char *name) {
    const char *v = getenv(name);
    return v && v[0] && strcmp(v, "0") != 0;
}

/* The runner's parse_size grammar `\s*(\d+)\s*([kKmMgG]?)(?:i?[bB])?\s*`, ASCII only
 * (anything else goes to the runner, which words the error). -1: not accepted. */
static int64_t parse_size(const char *s) {
    while (is_ws(*s)) s++;
    if (*s < '0' || *s > '9') return -1;
    int64_t v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9') {
        if (++digits > 18) return -1;
        v = v * 10 + (*s++ - '0');
    }
    while (is_ws(*s)) s++;
    int shift = 0;
    switch (*s) {
    case 'k': case 'K': shift = 10; s++; break;
    case 'm': case 'M': shift = 20; s++; break;
    case 'g': case 'G': shift = 30; s++; break;
    default: break;
    }
    if (*s == 'i' && (s[1] == 'b' || s[1] == 'B')) s += 2;
    else if (*s == 'b' || *s == 'B') s++;
    while (is_ws(*s)) s++;
    if (*s) return -1;
    if (v > (INT64_MAX >> shift)) return -1;
    return v << shift;
}

/* The runner's parse_timeout grammar `\s*(\d+(?:\.\d*)?|\.\d+)\s*s?\s*`, positive and at
 * most `max`. -1: not accepted. */
static double parse_timeout(const char *s, double max) {
    while (is_ws(*s)) s++;
    const char *start = s;
    int int_digits = 0, frac_digits = 0;
    while (*s >= '0' && *s <= '9') { s++; int_digits++; }
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') { s++; frac_digits++; }
    }
    if (int_digits == 0 && frac_digits == 0) return -1;
    char num[64];
    size_t n = (size_t)(s - start);
    if (n >= sizeof num) return -1;
    memcpy(num, start, n);
    num[n] = 0;
    while (is_ws(*s)) s++;
    if (*s == 's') s++;
    while (is_ws(*s)) s++;
    if (*s) return -1;
    double v = strtod(num, NULL);
    return v > 0 && v <= max ? v : -1;
}

static int valid_utf8(const unsigned char *s) {
    while (*s) {
        unsigned c = *s, n;
        uint32_t cp;
        if (c < 0x80) { s++; continue; }
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return 0;
        for (unsigned i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))
            || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

/* --------------------------------------------------------- runner settings */
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

static char *read_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && st.st_size < (1 << 24) && (buf = malloc((size_t)st.st_size + 1))) {
        size_t done = 0;
        while (done < (size_t)st.st_size) {
            ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
            if (n <= 0) { if (n < 0 && errno == EINTR) continue; break; }
            done += (size_t)n;
        }
        if (done != (size_t)st.st_size) { free(buf); buf = NULL; }
        else { buf[done] = 0; *len = done; }
    }
    close(fd);
    return buf;
}

static int64_t conf_int(const jv *root, const char *key) {
    const jv *v = json_get(root, key);
    if (!v || v->type != JV_NUM || !v->is_int) handover();
    return v->ival;
}

static int str_list(const jv *v) {
    if (!v || v->type != JV_ARR) return 0;
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i]->type != JV_STR) return 0;
    return 1;
}

static void load_conf(runner_conf *c, const char *dir) {
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/nyash-fastpath.json", dir);
    char *text = read_file(path, &len);
    if (!text || !(c->root = json_parse(text, len))) handover();
    const jv *fmt = json_get(c->root, "format"), *lib = json_get(c->root, "wasmtime_library");
    const jv *libdir = json_get(c->root, "library_dir"), *vs = json_get(c->root, "variants");
    if (!fmt || fmt->type != JV_NUM || fmt->ival != 1 || !lib || lib->type != JV_STR || !libdir
        || libdir->type != JV_STR || !vs || vs->type != JV_ARR || vs->n > 8)
        handover();
    snprintf(c->library, sizeof c->library, "%s/%s", dir, lib->str);
    snprintf(c->library_dir, sizeof c->library_dir, "%s/%s", dir, libdir->str);
    for (size_t i = 0; i < vs->n; i++) {
        const jv *v = vs->items[i], *name = json_get(v, "name"), *keys = json_get(v, "compat_key");
        variant_conf *vc = &c->variants[c->nvariants++];
        if (!name || name->type != JV_STR) handover();
        vc->name = name->str;
        vc->target = json_get(v, "target");
        vc->flags = json_get(v, "cranelift_flags");
        vc->cpu_features = json_get(v, "cpu_features");
        vc->key_release = json_get(keys, "release");
        vc->key_debug = json_get(keys, "debug");
        if (!vc->target || vc->target->type != JV_STR || !str_list(vc->flags) || !str_list(vc->cpu_features)
            || !vc->key_release || vc->key_release->type != JV_OBJ || !vc->key_debug
            || vc->key_debug->type != JV_OBJ)
            handover();
    }
    c->info_only_keys = json_get(c->root, "info_only_keys");
    c->hidden_env = json_get(c->root, "hidden_env_prefixes");
    c->variant_choices = json_get(c->root, "variant_choices");
    if (!str_list(c->info_only_keys) || !str_list(c->hidden_env) || !str_list(c->variant_choices)) handover();
    c->max_wasm_stack = conf_int(c->root, "max_wasm_stack");
    c->async_stack_size = conf_int(c->root, "async_stack_size");
    c->native_stack = conf_int(c->root, "native_stack");
    c->default_max_memory = conf_int(c->root, "default_max_memory");
    c->frames_shown = conf_int(c->root, "stack_frames_shown");
    c->opt_level = (uint8_t)conf_int(c->root, "opt_level");
    const jv *tm = json_get(c->root, "timeout_max");
    if (!tm || tm->type != JV_NUM) handover();
    c->timeout_max = tm->num;
}

static int in_list(const jv *list, const char *s) {
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i]->str, s) == 0) return 1;
    return 0;
}

/* ------------------------------------------------------------------ payload */
typedef struct {
    const char *name;
    uint64_t offset, size;
    const char *sha256; /* hex */
    int zlib;
} entry;

typedef struct {
    const uint8_t *blob;
    const uint8_t *data; /* entry data: after the header, before the digest */
    uint64_t data_len;
    entry *entries;
    size_t nentries;
} payload;

/* The payload's bytes: mapped from the executable (no copy; the page cache serves
 * them), read into memory if mapping fails. */
static const uint8_t *map_payload(const launch_info *info) {
    uint64_t len = info->payload_len, page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t delta = info->payload_off % page;
    void *m = len ? mmap(NULL, len + delta, PROT_READ, MAP_PRIVATE, info->fd,
                         (off_t)(info->payload_off - delta)) : MAP_FAILED;
    if (m != MAP_FAILED) return (const uint8_t *)m + delta;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) handover();
    uint64_t done = 0;
    while (done < len) {
        ssize_t n = pread(info->fd, buf + done, len - done, (off_t)(info->payload_off + done));
        if (n <= 0) { if (n < 0 && errno == EINTR) continue; handover(); }
        done += (uint64_t)n;
    }
    return buf;
}

static void read_payload(payload *p, const launch_info *info) {
    uint64_t len = info->payload_len;
    p->blob = map_payload(info);
    if (len < PAYLOAD_HEAD + DIGEST) fail(EXIT_CORRUPT, "payload is truncated");
    if (memcmp(p->blob, PAYLOAD_MAGIC, 8) != 0)
        fail(EXIT_FOREIGN, "payload has a foreign format (bad magic)");
    uint32_t version = le32(p->blob + 8), hlen = le32(p->blob + 12);
    if (version != PAYLOAD_VERSION)
        fail(EXIT_FOREIGN, "payload format version %u is not supported (this runner reads %d)",
             version, PAYLOAD_VERSION);
    uint8_t digest[32];
    sha256(p->blob, len - DIGEST, digest);
    if (memcmp(digest, p->blob + len - DIGEST, DIGEST) != 0)
        fail(EXIT_CORRUPT, "payload checksum mismatch (altered or truncated)");
    /* the header: anything unexpected is the runner's to report */
    if ((uint64_t)hlen > len - DIGEST - PAYLOAD_HEAD) handover();
    jv *header = json_parse((const char *)p->blob + PAYLOAD_HEAD, hlen);
    const jv *list = json_get(header, "entries");
    if (!list || list->type != JV_ARR) handover();
    p->entries = calloc(list->n ? list->n : 1, sizeof *p->entries);
    if (!p->entries) handover();
    for (size_t i = 0; i < list->n; i++) {
        const jv *e = list->items[i], *name = json_get(e, "name"), *off = json_get(e, "offset"),
                 *size = json_get(e, "size"), *sha = json_get(e, "sha256"), *codec = json_get(e, "codec");
        if (!name || name->type != JV_STR || !off || off->type != JV_NUM || !off->is_int || off->ival < 0
            || !size || size->type != JV_NUM || !size->is_int || size->ival < 0 || !sha
            || sha->type != JV_STR || !codec || codec->type != JV_STR)
            handover();
        entry en = {name->str, (uint64_t)off->ival, (uint64_t)size->ival, sha->str,
                    strcmp(codec->str, "zlib") == 0};
        size_t k = 0; /* a repeated name: the last one wins (a Python dict) */
        while (k < p->nentries && strcmp(p->entries[k].name, en.name) != 0) k++;
        p->entries[k] = en;
        if (k == p->nentries) p->nentries++;
    }
    p->data = p->blob + PAYLOAD_HEAD + hlen;
    p->data_len = len - DIGEST - PAYLOAD_HEAD - hlen;
}

static const entry *find_entry(const payload *p, const char *name) {
    for (size_t i = 0; i < p->nentries; i++)
        if (strcmp(p->entries[i].name, name) == 0) return &p->entries[i];
    return NULL;
}

/* An entry's bytes: pointing into the payload (raw) or decoded (owned). */
typedef struct {
    const uint8_t *p;
    size_t len;
    uint8_t *owned; /* free() this */
} bytes;

/* Payload.get: the entry's bytes after checking its own sha256. `soft` (the runner's
 * best-effort reads) returns p == NULL instead of failing. */
static bytes get_entry(const payload *p, const char *name, int soft) {
    bytes none = {NULL, 0, NULL};
    const entry *e = find_entry(p, name);
    if (!e) {
        if (soft) return none;
        fail(EXIT_CORRUPT, "payload has no entry '%s'", name);
    }
    uint64_t avail = e->offset < p->data_len ? p->data_len - e->offset : 0;
    const uint8_t *stored = p->data + (e->offset < p->data_len ? e->offset : p->data_len);
    int ok = avail >= e->size;
    if (ok) {
        uint8_t d[32];
        char hex[65];
        sha256(stored, e->size, d);
        for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
        ok = strcmp(hex, e->sha256) == 0;
    }
    if (!ok) {
        if (soft) return none;
        fail(EXIT_CORRUPT, "payload entry '%s' checksum mismatch", name);
    }
    if (e->zlib) {
        bytes b = {NULL, 0, NULL};
        if (zlib_decompress(stored, e->size, &b.owned, &b.len) != 0) {
            if (soft) return none;
            handover(); /* the runner words zlib's error */
        }
        b.p = b.owned;
        return b;
    }
    bytes b = {stored, e->size, NULL};
    return b;
}

/* ----------------------------------------------------------------- CPU */
#if defined(__x86_64__)
#include <cpuid.h>
static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}
#endif

/* The feature names of runtime_stub/variants.py:_cpuid_features, from cpuid. */
static int cpu_has(const char *name) {
#if defined(__x86_64__)
    static int ready;
    static uint32_t c1, b7, c81, os_avx;
    if (!ready) {
        unsigned a, b, c, d, max_leaf, max_ext;
        __cpuid(0, max_leaf, b, c, d);
        __cpuid(1, a, b, c1, d);
        if (max_leaf >= 7) { __cpuid_count(7, 0, a, b7, c, d); }
        __cpuid(0x80000000, max_ext, b, c, d);
        if (max_ext >= 0x80000001) { __cpuid(0x80000001, a, b, c81, d); }
        os_avx = (c1 >> 27 & 1) && (xgetbv0() & 6) == 6;
        ready = 1;
    }
    static const struct { const char *name; int reg, bit; } bits[] = {
        {"sse3", 0, 0}, {"ssse3", 0, 9}, {"fma", 0, 12}, {"cx16", 0, 13}, {"sse4.1", 0, 19},
        {"sse4.2", 0, 20}, {"movbe", 0, 22}, {"popcnt", 0, 23}, {"osxsave", 0, 27},
        {"avx", 0, 28}, {"f16c", 0, 29}, {"bmi1", 1, 3}, {"avx2", 1, 5}, {"bmi2", 1, 8},
        {"lzcnt", 2, 5}};
    if (strcmp(name, "os-avx") == 0) return (int)os_avx;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (strcmp(bits[i].name, name) == 0) {
            uint32_t r = bits[i].reg == 0 ? c1 : bits[i].reg == 1 ? b7 : c81;
            return (int)(r >> bits[i].bit & 1);
        }
#else
    (void)name;
#endif
    return 0;
}

/* ------------------------------------------------------------- wasmtime */
static wasmtime_api W;

static void load_wasmtime(const runner_conf *c) {
    void *h = dlopen(c->library, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        /* the runner finds libgcc_s in its own directory (LD_LIBRARY_PATH); so do we */
        char dep[4200];
        snprintf(dep, sizeof dep, "%s/libgcc_s.so.1", c->library_dir);
        if (dlopen(dep, RTLD_NOW | RTLD_GLOBAL)) h = dlopen(c->library, RTLD_NOW | RTLD_LOCAL);
    }
    if (!h) handover();
#define WASMTIME_RESOLVE(ret, name, params) \
    if (!(*(void **)&W.name = dlsym(h, #name))) handover();
    WASMTIME_FUNCTIONS(WASMTIME_RESOLVE)
#undef WASMTIME_RESOLVE
}

static void drop_error(wasmtime_error_t *e) {
    if (e) W.wasmtime_error_delete(e);
}

/* runtime_stub/variants.py:engine_config(variant, debug=debug) */
static wasm_engine_t *make_engine(const runner_conf *c, const variant_conf *v, int debug) {
    wasm_config_t *cfg = W.wasm_config_new();
    if (!cfg) return NULL;
    wasmtime_error_t *e = W.wasmtime_config_target_set(cfg, v->target->str);
    if (e) { drop_error(e); return NULL; }
    for (size_t i = 0; i < v->flags->n; i++) W.wasmtime_config_cranelift_flag_enable(cfg, v->flags->items[i]->str);
    W.wasmtime_config_cranelift_opt_level_set(cfg, c->opt_level);
    W.wasmtime_config_debug_info_set(cfg, debug != 0);
    W.wasmtime_config_async_stack_size_set(cfg, (size_t)c->async_stack_size);
    W.wasmtime_config_max_wasm_stack_set(cfg, (size_t)c->max_wasm_stack);
    return W.wasm_engine_new_with_config(cfg);
}

/* runner.py:compat_mismatch(recorded, expected) is None */
static int compat_ok(const runner_conf *c, const jv *recorded, const jv *expected) {
    for (int pass = 0; pass < 2; pass++) {
        const jv *a = pass ? expected : recorded, *b = pass ? recorded : expected;
        for (size_t i = 0; i < a->n; i++) {
            if (in_list(c->info_only_keys, a->keys[i])) continue;
            if (!json_equal(a->items[i], json_get(b, a->keys[i]))) return 0;
        }
    }
    return 1;
}

typedef struct {
    wasm_engine_t *engine;
    wasmtime_module_t *module;
    const char *how;
} loaded;

/* runner.py:choose_module without the JIT: 0 when no variant loads. */
static int choose_module(const runner_conf *c, const payload *p, const jv *meta, const char *forced,
                         loaded *out) {
    int debug = json_truthy(json_get(meta, "debug"));
    int ignore_cpu = env_flag("NYASH_AOT_IGNORE_CPU");
    const jv *recorded = json_get(meta, "variants");
    if (recorded && recorded->type != JV_OBJ) handover();
    for (size_t i = 0; i < c->nvariants; i++) {
        const variant_conf *v = &c->variants[i];
        if (forced && strcmp(forced, v->name) != 0) continue;
        char entry_name[128];
        snprintf(entry_name, sizeof entry_name, "cwasm/%s", v->name);
        const jv *key = json_get(recorded, v->name);
        if (!key || !find_entry(p, entry_name)) continue;
        if (key->type != JV_OBJ) handover();
        if (!compat_ok(c, key, debug ? v->key_debug : v->key_release)) continue;
        int cpu_ok = 1;
        for (size_t k = 0; k < v->cpu_features->n && !ignore_cpu; k++)
            cpu_ok = cpu_ok && cpu_has(v->cpu_features->items[k]->str);
        if (!cpu_ok) continue;
        bytes code = get_entry(p, entry_name, 0);
        wasm_engine_t *engine = make_engine(c, v, debug);
        wasmtime_module_t *module = NULL;
        if (engine) {
            wasmtime_error_t *e = W.wasmtime_module_deserialize(engine, code.p, code.len, &module);
            if (e) { drop_error(e); module = NULL; }
        }
        free(code.owned);
        if (module) {
            out->engine = engine;
            out->module = module;
            out->how = v->name;
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- world */
/* docs/design.md "World interface": the environment the program sees is ours minus
 * what the launcher and the runner's bootloader add (runner.py:program_env). */
static size_t program_env(const runner_conf *c, const char ***names, const char ***values) {
    size_t n = 0, cap = 16;
    *names = malloc(cap * sizeof **names);
    *values = malloc(cap * sizeof **values);
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq || eq == *e) handover(); /* Python's os.environ would differ */
        size_t klen = (size_t)(eq - *e);
        char *key = strndup(*e, klen);
        int hidden = 0;
        for (size_t i = 0; i < c->hidden_env->n && !hidden; i++) {
            const jv *pre = c->hidden_env->items[i];
            hidden = strncmp(key, pre->str, pre->len) == 0;
        }
        if (strcmp(key, "LD_LIBRARY_PATH_ORIG") == 0) handover();
        for (size_t i = 0; i < n; i++)
            if (strcmp((*names)[i], key) == 0) handover(); /* duplicates: Python keeps one */
        if (!valid_utf8((const unsigned char *)*e)) handover();
        if (hidden) { free(key); continue; }
        if (n == cap) {
            cap *= 2;
            *names = realloc(*names, cap * sizeof **names);
            *values = realloc(*values, cap * sizeof **values);
        }
        (*names)[n] = key;
        (*values)[n] = eq + 1;
        n++;
    }
    return n;
}

/* ---------------------------------------------------------- trap mapping */
typedef struct {
    uint32_t *first, *end; /* by defined-function index + imported count */
    uint32_t imported, count;
} bodies_t;

static int uleb(const uint8_t *d, size_t len, size_t *pos, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= len) return -1;
        uint8_t b = d[(*pos)++];
        v |= (uint64_t)(b & 0x7F) << shift;
        if (b < 0x80) { *out = v; return 0; }
    }
    return -1;
}

/* runner.py:function_bodies, including its reading of the import section. */
static int function_bodies(const uint8_t *w, size_t len, bodies_t *b) {
    size_t pos = 8;
    uint64_t v;
    memset(b, 0, sizeof *b);
    while (pos < len) {
        uint8_t sid = w[pos++];
        if (uleb(w, len, &pos, &v) != 0) return -1;
        size_t end = pos + v;
        if (sid == 2) {
            uint64_t count;
            size_t p = pos;
            uint32_t funcs = 0;
            if (uleb(w, len, &p, &count) != 0) return -1;
            for (uint64_t i = 0; i < count; i++) {
                for (int k = 0; k < 2; k++) {
                    if (uleb(w, len, &p, &v) != 0) return -1;
                    p += v;
                }
                if (p >= len) return -1;
                uint8_t kind = w[p++];
                if (kind == 0) { funcs++; if (uleb(w, len, &p, &v) != 0) return -1; }
                else if (kind == 1 || kind == 2) {
                    if (kind == 1) p++;
                    if (p >= len) return -1;
                    uint8_t flags = w[p++];
                    if (uleb(w, len, &p, &v) != 0) return -1;
                    if ((flags & 1) && uleb(w, len, &p, &v) != 0) return -1;
                } else p += 2;
            }
            b->imported = funcs;
        } else if (sid == 10) {
            uint64_t count;
            size_t p = pos;
            if (uleb(w, len, &p, &count) != 0 || count > len) return -1;
            free(b->first);
            free(b->end);
            b->first = malloc((count ? count : 1) * sizeof *b->first);
            b->end = malloc((count ? count : 1) * sizeof *b->end);
            b->count = (uint32_t)count;
            for (uint64_t i = 0; i < count; i++) {
                if (uleb(w, len, &p, &v) != 0) return -1;
                b->first[i] = (uint32_t)p;
                b->end[i] = (uint32_t)(p + v);
                p += v;
            }
        }
        pos = end;
    }
    return 0;
}

/* The `lines` entry: (module offset, file index, line) u32 triples, by offset. */
typedef struct {
    uint32_t *off, *file, *line;
    size_t n;
} line_table;

static size_t bisect_right(const line_table *t, uint64_t x) {
    size_t lo = 0, hi = t->n;
    while (lo < hi) { size_t mid = (lo + hi) / 2; if (x < t->off[mid]) hi = mid; else lo = mid + 1; }
    return lo;
}
static size_t bisect_left(const line_table *t, uint64_t x) {
    size_t lo = 0, hi = t->n;
    while (lo < hi) { size_t mid = (lo + hi) / 2; if (t->off[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
}

static line_table g_lines;

static void read_lines(const payload *p) {
    bytes b = get_entry(p, "lines", 0);
    const uint8_t *raw = b.p;
    g_lines.n = b.len / 12;
    size_t cap = g_lines.n ? g_lines.n : 1;
    g_lines.off = malloc(cap * sizeof *g_lines.off);
    g_lines.file = malloc(cap * sizeof *g_lines.file);
    g_lines.line = malloc(cap * sizeof *g_lines.line);
    if (!g_lines.off || !g_lines.file || !g_lines.line) handover();
    for (size_t i = 0; i < g_lines.n; i++) {
        g_lines.off[i] = le32(raw + 12 * i);
        g_lines.file[i] = le32(raw + 12 * i + 4);
        g_lines.line[i] = le32(raw + 12 * i + 8);
    }
    free(b.owned);
}

/* runner.py:_frame_entry: the index of the frame's line-table entry, -1 for none. */
static long frame_entry(const line_table *t, const bodies_t *b, uint32_t func, size_t offset) {
    int has_off = offset < ((size_t)1 << 63);
    int has_body = b && b->count && func >= b->imported && func - b->imported < b->count;
    if (!has_body) {
        if (!has_off) return -1;
        size_t i = bisect_right(t, offset);
        return i ? (long)i - 1 : -1;
    }
    uint32_t first = b->first[func - b->imported], end = b->end[func - b->imported];
    if (has_off && first <= offset && offset < end) {
        size_t i = bisect_right(t, offset);
        if (i && t->off[i - 1] >= first) return (long)i - 1;
    }
    size_t i = bisect_left(t, first);
    return i < t->n && t->off[i] < end ? (long)i : -1;
}

/* runner.py:source_names: file i of the line table is meta["sources"][i]["name"];
 * without a file table, file 0 is source_name. (check_meta made sure the names are
 * strings, or absent.) */
static size_t source_names(const jv *meta, const char ***out) {
    const jv *sources = json_get(meta, "sources");
    if (sources && sources->type == JV_ARR && sources->n) {
        *out = malloc(sources->n * sizeof **out);
        for (size_t i = 0; i < sources->n; i++) {
            const jv *name = json_get(sources->items[i], "name");
            (*out)[i] = sources->items[i]->type != JV_OBJ ? "?" : name ? name->str : "?";
        }
        return sources->n;
    }
    const jv *src = json_get(meta, "source_name");
    *out = malloc(sizeof **out);
    (*out)[0] = src ? src->str : "?";
    return 1;
}

static int is_py_space(unsigned char c) { return is_ws((char)c) || (c >= 0x1c && c <= 0x1f); }

/* runner.py:_first_line of `text` (len bytes) into b. */
static void first_line(strbuf *b, const char *text, size_t len) {
    while (len && is_py_space((unsigned char)text[0])) { text++; len--; }
    while (len && is_py_space((unsigned char)text[len - 1])) len--;
    if (!len) { sb_str(b, "(no message)"); return; }
    size_t i = 0;
    while (i < len && !strchr("\n\r\v\f\x1c\x1d\x1e", text[i])) {
        if ((unsigned char)text[i] == 0xC2 && i + 1 < len && (unsigned char)text[i + 1] == 0x85) break;
        if ((unsigned char)text[i] == 0xE2 && i + 2 < len && (unsigned char)text[i + 1] == 0x80
            && ((unsigned char)text[i + 2] == 0xA8 || (unsigned char)text[i + 2] == 0xA9))
            break;
        i++;
    }
    sb_add(b, text, i);
}

/* runner.py:trap_message */
static void trap_message(strbuf *b, const char *msg, size_t len) {
    static const char tag[] = "wasm trap: ";
    for (size_t i = 0; i + sizeof tag - 1 < len; i++) {
        if (memcmp(msg + i, tag, sizeof tag - 1) != 0) continue;
        size_t s = i + sizeof tag - 1, e = s;
        while (e < len && msg[e] != '\n') e++;
        if (e == s) continue;
        while (s < e && is_py_space((unsigned char)msg[s])) s++;
        while (e > s && is_py_space((unsigned char)msg[e - 1])) e--;
        sb_add(b, msg + s, e - s);
        return;
    }
    first_line(b, msg, len);
}

/* ------------------------------------------------------------------ run */
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

static int export_get(run_state *r, const char *name, wasmtime_extern_t *item) {
    return W.wasmtime_instance_export_get(r->ctx, &r->instance, name, strlen(name), item);
}

/* runner.py:execute's program thread. Instantiating or finding `_start` failing is
 * the runner's to report (nothing has run yet): hand over. */
static void run_program(run_state *r) {
    wasm_trap_t *trap = NULL;
    wasmtime_error_t *e = W.wasmtime_linker_instantiate(r->linker, r->ctx, r->module, &r->instance, &trap);
    if (e || trap) handover();
    r->have_instance = 1;
    wasmtime_extern_t item;
    if (export_get(r, "nyash_trap_mode", &item) && item.kind == WASMTIME_EXTERN_GLOBAL) {
        wasmtime_val_t one;
        memset(&one, 0, sizeof one);
        one.kind = WASMTIME_I32;
        one.of.i32 = 1;
        if (W.wasmtime_global_set(r->ctx, &item.of.global, &one)) handover();
    }
    wasmtime_extern_t start;
    if (!export_get(r, "_start", &start) || start.kind != WASMTIME_EXTERN_FUNC) handover();
    r->instantiate_s = now_s() - r->t_setup;
    r->phase = 1;
    double t0 = now_s();
    r->error = W.wasmtime_func_call(r->ctx, &start.of.func, NULL, 0, NULL, 0, &r->trap);
    r->exec_s = now_s() - t0;
    r->phase = 2;
}

static int g_timing;
static double g_load_s;
static run_state *g_run;
static const char *g_how = "";

static void timing_line(strbuf *b) {
    double load = g_load_s, exec = 0;
    if (g_run) {
        load += g_run->phase >= 1 ? g_run->instantiate_s : now_s() - g_run->t_setup;
        if (g_run->phase == 2) exec = g_run->exec_s;
    }
    sb_fmt(b, "nyash-timing: load_ms=%.3f exec_ms=%.3f variant=%s\n", load * 1000, exec * 1000, g_how);
}

/* Python turns SIGINT into KeyboardInterrupt while the runner waits for the program
 * thread: the timing line (if asked for), then exit 130. */
static void on_sigint(int sig) {
    (void)sig;
    if (g_timing && g_run) {
        char buf[160];
        int n = snprintf(buf, sizeof buf, "nyash-timing: load_ms=%.3f exec_ms=0.000 variant=%s\n",
                         g_load_s * 1000, g_how);
        if (n > 0) write_all(2, buf, (size_t)n);
    }
    _exit(130);
}

/* runner.py:_time_limit_exceeded, from the SIGALRM of the interval timer armed when
 * the program started: the message was formatted beforehand (a handler may only
 * write and exit). */
static char g_limit_msg[128];
static size_t g_limit_len;

static void on_time_limit(int sig) {
    (void)sig;
    write_all(2, g_limit_msg, g_limit_len);
    _exit(EXIT_RUNTIME_ERROR);
}

static void arm_time_limit(double limit) {
    int n = limit == floor(limit)
                ? snprintf(g_limit_msg, sizeof g_limit_msg, "Runtime error: time limit of %.0f s exceeded\n", limit)
                : snprintf(g_limit_msg, sizeof g_limit_msg, "Runtime error: time limit of %g s exceeded\n", limit);
    g_limit_len = n > 0 ? (size_t)n : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_time_limit;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval t;
    memset(&t, 0, sizeof t);
    double whole = floor(limit);
    t.it_value.tv_sec = (time_t)whole;
    t.it_value.tv_usec = (suseconds_t)((limit - whole) * 1e6);
    if (t.it_value.tv_sec == 0 && t.it_value.tv_usec == 0) t.it_value.tv_usec = 1;
    setitimer(ITIMER_REAL, &t, NULL);
}

static void disarm_time_limit(void) {
    struct itimerval t;
    memset(&t, 0, sizeof t);
    setitimer(ITIMER_REAL, &t, NULL);
}

/* The program runs on this (the main) thread, as deep as the runner's program thread
 * may go: the stack limit is raised to NATIVE_STACK (the kernel leaves at least
 * 128 MiB for the main stack to grow into). Restored before a hand-over. */
static struct rlimit g_saved_stack;
static int g_stack_raised, g_set_tokio;

static int raise_stack_limit(size_t need) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) != 0) return 0;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need) return 1;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) return 0;
    g_saved_stack = rl;
    rl.rlim_cur = need;
    if (setrlimit(RLIMIT_STACK, &rl) != 0) return 0;
    g_stack_raised = 1;
    return 1;
}

/* runner.py:_global_value for an integer global: 1 and its value, else 0. */
static int global_int(run_state *r, const char *name, int64_t *out) {
    wasmtime_extern_t item;
    if (!r->have_instance || !export_get(r, name, &item) || item.kind != WASMTIME_EXTERN_GLOBAL) return 0;
    wasmtime_val_t v;
    memset(&v, 0, sizeof v);
    W.wasmtime_global_get(r->ctx, &item.of.global, &v);
    if (v.kind == WASMTIME_I32) { *out = v.of.i32; return 1; }
    if (v.kind == WASMTIME_I64) { *out = v.of.i64; return 1; }
    return 0;
}

static void flush_program_output(run_state *r) {
    wasmtime_extern_t item;
    if (!r->have_instance || !export_get(r, "nyash_flush", &item) || item.kind != WASMTIME_EXTERN_FUNC) return;
    wasm_trap_t *trap = NULL;
    wasmtime_error_t *e = W.wasmtime_func_call(r->ctx, &item.of.func, NULL, 0, NULL, 0, &trap);
    drop_error(e);
}

typedef struct {
    const payload *p;
    const jv *meta;
    const runner_conf *conf;
} trap_ctx;

/* runner.py:format_trap */
static void format_trap(strbuf *out, run_state *r, const trap_ctx *t) {
    int64_t value;
    int reported = global_int(r, "nyash_error_reported", &value) && value == 1;
    flush_program_output(r);
    const line_table *lines = &g_lines;
    bodies_t bodies, *bp = NULL;
    bytes wasm = get_entry(t->p, "wasm", 1);
    if (wasm.p && function_bodies(wasm.p, wasm.len, &bodies) == 0) bp = &bodies;
    const jv *users = json_get(t->meta, "user_functions");
    const char **names;
    size_t nnames = source_names(t->meta, &names);

    uint8_t code = 0xFF;
    int overflow = W.wasmtime_trap_code(r->trap, &code) && code == WASMTIME_TRAP_CODE_STACK_OVERFLOW;
    if (overflow) {
        sb_str(out, "Runtime error: stack overflow\n");
    } else if (!reported) {
        wasm_byte_vec_t msg = {0, NULL};
        W.wasm_trap_message(r->trap, &msg);
        sb_str(out, "Runtime error: ");
        trap_message(out, msg.data, msg.size ? msg.size - 1 : 0);
        sb_str(out, "\n");
        W.wasm_byte_vec_delete(&msg);
    }
    wasm_frame_vec_t frames = {0, NULL};
    W.wasm_trap_trace(r->trap, &frames);
    size_t shown = 0, more = 0;
    for (size_t i = 0; i < frames.size; i++) {
        const wasm_byte_vec_t *name = W.wasmtime_frame_func_name(frames.data[i]);
        if (!name) continue;
        if (users) {
            int found = 0;
            for (size_t k = 0; k < users->n && !found; k++) {
                const char *u = users->type == JV_OBJ ? users->keys[k] : users->items[k]->str;
                size_t ulen = users->type == JV_OBJ ? users->key_lens[k] : users->items[k]->len;
                found = ulen == name->size && memcmp(u, name->data, ulen) == 0;
            }
            if (!found) continue;
        }
        if (shown == (size_t)t->conf->frames_shown) { more++; continue; }
        long k = frame_entry(lines, bp, W.wasm_frame_func_index(frames.data[i]),
                             W.wasm_frame_module_offset(frames.data[i]));
        sb_str(out, "  at ");
        sb_add(out, name->data, name->size);
        if (k < 0) {
            sb_fmt(out, " (%s)\n", names[0]);
        } else {
            uint32_t file = lines->file[k];
            sb_fmt(out, " (%s:%u)\n", file < nnames ? names[file] : "?", lines->line[k]);
        }
        shown++;
    }
    if (more) sb_fmt(out, "  ... %zu more\n", more);
}

/* Meta fields the trap report reads must have the types the runner expects, or the
 * runner (which would fail its own way) takes the run. */
static void check_meta(const jv *meta) {
    if (!meta || meta->type != JV_OBJ) handover();
    const jv *users = json_get(meta, "user_functions"), *src = json_get(meta, "source_name");
    if (users && users->type == JV_ARR && !str_list(users)) handover();
    if (users && users->type != JV_ARR && users->type != JV_OBJ) handover();
    const jv *sources = json_get(meta, "sources");
    if (sources && sources->type == JV_ARR && sources->n) {
        for (size_t i = 0; i < sources->n; i++) {
            const jv *name = json_get(sources->items[i], "name");
            if (name && name->type != JV_STR) handover(); /* str() of something else */
        }
    } else if (src && src->type != JV_STR) {
        handover();
    }
}

/* ---------------------------------------------------------------- entry */
static int settings_ok(const runner_conf *c, const char **forced, double *limit, int64_t *max_memory) {
    const char *v = getenv("NYASH_AOT_VARIANT");
    *forced = NULL;
    if (v) {
        static char buf[64];
        while (is_ws(*v)) v++;
        size_t n = strlen(v);
        while (n && is_ws(v[n - 1])) n--;
        if (n >= sizeof buf) return 0;
        memcpy(buf, v, n);
        buf[n] = 0;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)buf[i] >= 0x80) return 0; /* Python strips Unicode spaces too */
        if (n) {
            if (!in_list(c->variant_choices, buf)) return 0;
            int known = 0;
            for (size_t i = 0; i < c->nvariants; i++) known |= strcmp(c->variants[i].name, buf) == 0;
            if (!known) return 0; /* jit: the runner compiles */
            *forced = buf;
        }
    }
    *limit = 0; /* none */
    const char *t = getenv("NYASH_TIMEOUT");
    if (t) {
        const char *s = t;
        while (is_ws(*s)) s++;
        if (*s) { /* (Unicode spaces make parse_timeout refuse: the runner decides) */
            *limit = parse_timeout(t, c->timeout_max);
            if (*limit < 0) return 0;
        }
    }
    const char *m = getenv("NYASH_MAX_MEMORY");
    *max_memory = c->default_max_memory;
    if (m && *m) {
        *max_memory = parse_size(m);
        if (*max_memory < 0) return 0;
    }
    return 1;
}

void fastpath_run(const launch_info *info) {
    if (setjmp(g_handover)) {
        signal(SIGINT, SIG_DFL);
        signal(SIGALRM, SIG_DFL);
        if (g_stack_raised) setrlimit(RLIMIT_STACK, &g_saved_stack);
        if (g_set_tokio) unsetenv("TOKIO_WORKER_THREADS");
        return;
    }
    g_self = info->self;
    signal(SIGINT, on_sigint);
    /* what only the runner does */
    if (info->argc > 1 && strcmp(info->argv[1], "--nyash-info") == 0) return;
    if (env_flag("NYASH_AOT_DEBUG")) return;
    const char *fp = getenv("NYASH_FASTPATH");
    if (fp && strcmp(fp, "0") == 0) return;
    for (int i = 0; i < info->argc; i++)
        if (!valid_utf8((const unsigned char *)info->argv[i])) return;

    static runner_conf conf;
    load_conf(&conf, info->runner_dir);
    const char *forced;
    double limit;
    int64_t max_memory;
    if (!settings_ok(&conf, &forced, &limit, &max_memory)) return;

    /* integrity before anything is decoded (runner.py:run_executable) */
    static payload p;
    read_payload(&p, info);
    bytes meta_text = get_entry(&p, "meta", 0);
    jv *meta = json_parse((const char *)meta_text.p, meta_text.len);
    check_meta(meta);
    if (find_entry(&p, "lines") == NULL) handover(); /* the runner's meta line table */

    const char **env_names, **env_values;
    size_t nenv = program_env(&conf, &env_names, &env_values);

    load_wasmtime(&conf);
    double t0 = now_s();
    loaded L;
    if (!choose_module(&conf, &p, meta, forced, &L)) return; /* JIT or the forced variant's error */
    g_load_s = now_s() - t0;
    g_how = L.how;
    read_lines(&p); /* runner.py reads the line table before it runs the program */

    /* execute(): store, limits, WASI, linker */
    wasmtime_store_t *store = W.wasmtime_store_new(L.engine, NULL, NULL);
    wasmtime_context_t *ctx = W.wasmtime_store_context(store);
    W.wasmtime_store_limiter(store, max_memory, -1, -1, -1, -1);
    wasi_config_t *wasi = W.wasi_config_new();
    const char **args = malloc(((size_t)info->argc + 1) * sizeof *args);
    const char *arg0 = info->argc > 0 ? info->argv[0] : info->self;
    const char *slash = strrchr(arg0, '/');
    args[0] = slash ? slash + 1 : arg0;
    for (int i = 1; i < info->argc; i++) args[i] = info->argv[i];
    size_t nargs = info->argc > 0 ? (size_t)info->argc : 1;
    if (!W.wasi_config_set_argv(wasi, nargs, args) || !W.wasi_config_set_env(wasi, nenv, env_names, env_values))
        handover();
    W.wasi_config_inherit_stdin(wasi);
    W.wasi_config_inherit_stdout(wasi);
    W.wasi_config_inherit_stderr(wasi);
    wasmtime_error_t *e = W.wasmtime_context_set_wasi(ctx, wasi);
    if (e) handover();
    wasmtime_linker_t *linker = W.wasmtime_linker_new(L.engine);
    if (!linker || (e = W.wasmtime_linker_define_wasi(linker))) handover();

    g_timing = env_flag("NYASH_TIMING");
    signal(SIGPIPE, SIG_IGN); /* as in every Python process: EPIPE instead of death */
    signal(SIGXFSZ, SIG_IGN);

    static run_state r;
    r.linker = linker;
    r.ctx = ctx;
    r.module = L.module;
    if (!raise_stack_limit((size_t)conf.native_stack)) handover();
    /* wasmtime's WASI starts a tokio runtime at the first call; one worker instead of
     * one per core (and no probing of cgroup files for the core count) is enough here,
     * since every WASI call blocks the calling thread. Not part of the program's
     * environment (built above); undone before a hand-over. */
    if (!getenv("TOKIO_WORKER_THREADS") && setenv("TOKIO_WORKER_THREADS", "1", 0) == 0)
        g_set_tokio = 1;
    r.t_setup = now_s();
    g_run = &r;
    if (limit > 0) arm_time_limit(limit);
    run_program(&r);
    if (limit > 0) disarm_time_limit();

    /* runner.py:_outcome_code */
    strbuf err = {0};
    int code = 0;
    int exit_status;
    if (r.error) {
        if (W.wasmtime_error_exit_status(r.error, &exit_status)) {
            code = exit_status;
        } else {
            wasm_byte_vec_t msg = {0, NULL};
            W.wasmtime_error_message(r.error, &msg);
            sb_fmt(&err, "nyash: cannot start the program: ");
            first_line(&err, msg.data, msg.size);
            sb_str(&err, "\n");
            code = EXIT_NO_VARIANT;
        }
    } else if (r.trap) {
        int64_t status;
        if (global_int(&r, "nyash_exit_status", &status) && status >= 0 && status <= 255) {
            code = (int)status; /* SystemBox.exit(n >= 126): WASI's proc_exit refuses those */
        } else {
            trap_ctx t = {&p, meta, &conf};
            format_trap(&err, &r, &t);
            code = EXIT_RUNTIME_ERROR;
        }
    }
    strbuf tail = {0};
    if (g_timing) timing_line(&tail);
    if (code == EXIT_NO_VARIANT && r.error) { /* the timing line comes before the runner's message */
        if (tail.len) write_all(2, tail.p, tail.len);
        write_all(2, err.p, err.len);
    } else {
        if (err.len) write_all(2, err.p, err.len);
        if (tail.len) write_all(2, tail.p, tail.len);
    }
    _exit(code >= 0 ? code & 0xFF : 1);
}
