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
 * What must match the runner exactly (tests/bundle/test_fastpath.py runs every
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
#include <limits.h>
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

#include "fastpath_parts.h"

extern char **environ;

/* ----------------------------------------------------------------- settings */
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
wasmtime_api W;

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

void drop_error(wasmtime_error_t *e) {
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
    W.wasmtime_config_wasm_relaxed_simd_set(cfg, true);  /* the runtime's exact fma */
    W.wasmtime_config_wasm_relaxed_simd_deterministic_set(cfg, true);
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

/* ------------------------------------------------------------ module cache
 * Why: a compressed cwasm entry (hello: 44 KB stored, 449 KB decoded, most of it the
 * linear memory's initial image) costs on every start an inflate, wasmtime's copy of
 * the bytes into fresh memory and, at instantiation, a memfd holding the memory image
 * (~1.4 ms of a ~4 ms start). Decoded once into <runner dir>/modules/<stored sha256>.cwasm,
 * later starts hand wasmtime the file (wasmtime_module_deserialize_file: mapped from
 * the page cache, code and memory image shared, nothing copied).
 *
 * Integrity is still checked before anything is deserialised, on every start: the
 * payload's whole sha256 and the entry's own sha256 as always (so the header, and in
 * it the entry's raw_digest -- runtime_stub/payload.py:page_digest of the decoded
 * bytes, written by the build -- are the executable's), then the cached file's full
 * contents are hashed the same way and must equal raw_digest. A cached file that was
 * altered, truncated or replaced in any way is
 * therefore never deserialised; it is decoded again from the payload and rewritten.
 * wasmtime opens the file through /proc/self/fd/N, i.e. exactly the inode that was
 * hashed (a rename over the path after the check does not matter). What is not
 * covered: a process of the same user writing into that inode during the start --
 * such a process could equally replace _libwasmtime.so in the same directory or
 * ptrace this one, so the cache cannot be more trusted than that. Files are written
 * under a temporary name and published with rename(2) (mode 0444); a file is only
 * written when the decoded bytes' digest equals raw_digest. Every failure (read-only
 * cache, disk full, no /proc) falls back to the in-memory path: same outcome, slower.
 * The digest (sha256 over each 4 KiB page's sha256) costs for an all-zero page a
 * comparison with zero instead of hashing it: hello's 449 KB are ~80% zero pages. */
static char g_modules_dir[PATH_MAX];

/* payload.py:page_digest: sha256 over the sha256 of each PAGE-byte piece. */
#define DIGEST_PAGE 4096
static int page_digest(const uint8_t *data, size_t len, uint8_t out[32]) {
    static uint8_t zero_leaf[32];
    static int have_zero_leaf;
    size_t pages = (len + DIGEST_PAGE - 1) / DIGEST_PAGE;
    uint8_t *leaves = malloc(pages ? pages * 32 : 1);
    if (!leaves) return 0;
    for (size_t i = 0; i < pages; i++) {
        const uint8_t *page = data + i * DIGEST_PAGE;
        size_t n = len - i * DIGEST_PAGE < DIGEST_PAGE ? len - i * DIGEST_PAGE : DIGEST_PAGE;
        int zero = n == DIGEST_PAGE;
        if (zero) {
            uint64_t acc = 0;
            for (size_t k = 0; k < DIGEST_PAGE; k += 8) {
                uint64_t w;
                memcpy(&w, page + k, 8);
                acc |= w;
            }
            zero = acc == 0;
        }
        if (zero && !have_zero_leaf) {
            static const uint8_t zeros[DIGEST_PAGE];
            sha256(zeros, DIGEST_PAGE, zero_leaf);
            have_zero_leaf = 1;
        }
        if (zero) memcpy(leaves + 32 * i, zero_leaf, 32);
        else sha256(page, n, leaves + 32 * i);
    }
    sha256(leaves, pages * 32, out);
    free(leaves);
    return 1;
}

static int hex_equal(const uint8_t d[32], const char *hex) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++)
        if (hex[2 * i] != digits[d[i] >> 4] || hex[2 * i + 1] != digits[d[i] & 15]) return 0;
    return 1;
}

static int cache_path(const entry *e, char *path, size_t size) {
    return g_modules_dir[0] && e->zlib && e->raw_digest
           && snprintf(path, size, "%s/%s.cwasm", g_modules_dir, e->sha256) < (int)size;
}

/* The cached module file when its contents' digest is raw_digest: an fd open on it. */
static int cached_module_fd(const entry *e) {
    char path[PATH_MAX];
    if (!cache_path(e, path, sizeof path)) return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    struct stat st;
    int ok = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            uint8_t d[32];
            ok = page_digest(m, (size_t)st.st_size, d) && hex_equal(d, e->raw_digest);
            munmap(m, (size_t)st.st_size);
        }
    }
    if (!ok) { close(fd); return -1; }
    return fd;
}

/* Best effort: publish the decoded bytes as the entry's cached module file. */
static void cache_module(const entry *e, const bytes *code) {
    char path[PATH_MAX], tmp[PATH_MAX + 16];
    uint8_t d[32];
    if (!cache_path(e, path, sizeof path)) return;
    if (!page_digest(code->p, code->len, d) || !hex_equal(d, e->raw_digest))
        return; /* not what the header promises: never cached */
    if (mkdir(g_modules_dir, 0700) != 0 && errno != EEXIST) return;
    snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) return;
    size_t done = 0;
    while (done < code->len) {
        ssize_t n = write(fd, code->p + done, code->len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    int ok = done == code->len && fchmod(fd, 0444) == 0;
    if (close(fd) != 0) ok = 0;
    if (!ok || rename(tmp, path) != 0) unlink(tmp);
}

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
        const entry *en = checked_entry(p, entry_name);
        int fd = cached_module_fd(en);
        bytes code = {NULL, 0, NULL};
        if (fd < 0) code = decode_entry(p, en);
        wasm_engine_t *engine = make_engine(c, v, debug);
        wasmtime_module_t *module = NULL;
        if (engine && fd >= 0) {
            char path[64];
            snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
            wasmtime_error_t *e = W.wasmtime_module_deserialize_file(engine, path, &module);
            if (e) { drop_error(e); module = NULL; }
            close(fd);
            if (!module) code = decode_entry(p, en); /* the in-memory path decides */
        }
        if (engine && !module) {
            wasmtime_error_t *e = W.wasmtime_module_deserialize(engine, code.p, code.len, &module);
            if (e) { drop_error(e); module = NULL; }
            if (module) cache_module(en, &code);
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
/* ---------------------------------------------------------- the world (WASI)
 * docs/design.md "World interface", the same as runner.py:configure_world: the
 * environment gains NYASH_CWD (getcwd) and, when TZ is unset, NYASH_LOCALTIME
 * (realpath of /etc/localtime); the preopens follow the payload meta's "fs". */
static char *g_cwd;        /* NULL when getcwd fails */
static char *g_localtime;  /* NULL unless TZ is unset and /etc/localtime resolves to a file */

static void world_init(void) {
    static char buf[PATH_MAX];
    g_cwd = getcwd(buf, sizeof buf);
    g_localtime = NULL;
    if (getenv("TZ")) return;
    char *real = realpath("/etc/localtime", NULL);
    struct stat st;
    if (real && stat(real, &st) == 0 && S_ISREG(st.st_mode)) g_localtime = real;
    else free(real);
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void preopen(wasi_config_t *wasi, const char *host, int writable) {
    if (!W.wasi_config_preopen_dir(wasi, host, host, writable != 0)) handover();
}

/* runner.py:preopens: native -> "/"; a list -> each entry's real path (a missing one:
 * the runner reports it), then read-only the zoneinfo directory and the local zone
 * file's directory when not already inside a preopen. */
static void configure_fs(wasi_config_t *wasi, const jv *meta) {
    const jv *fs = json_get(meta, "fs");
    if (!fs || fs->type == JV_NULL) {
        preopen(wasi, "/", 1);
        return;
    }
    if (fs->type != JV_ARR) handover();
    size_t n = 0;
    char **hosts = malloc((fs->n + 2) * sizeof *hosts);
    for (size_t i = 0; i < fs->n; i++) {
        const jv *e = fs->items[i];
        if (e->type != JV_STR || strlen(e->str) != e->len || e->len == 0) handover();
        char joined[PATH_MAX * 2];
        if (e->str[0] == '/') snprintf(joined, sizeof joined, "%s", e->str);
        else if (!g_cwd) handover();
        else snprintf(joined, sizeof joined, "%s/%s", g_cwd, e->str);
        char *real = realpath(joined, NULL);
        if (!real || !is_dir(real)) handover(); /* the runner prints why and exits 120 */
        preopen(wasi, real, 1);
        hosts[n++] = real;
    }
    const char *tzdir = getenv("TZDIR");
    char *ro[2] = {strdup(tzdir && *tzdir ? tzdir : "/usr/share/zoneinfo"), NULL};
    if (g_localtime) {
        ro[1] = strdup(g_localtime);
        char *slash = strrchr(ro[1], '/');
        if (slash == ro[1]) slash[1] = 0; else *slash = 0;
    }
    for (int k = 0; k < 2; k++) {
        if (!ro[k]) continue;
        char *real = realpath(ro[k], NULL);
        if (!real || !is_dir(real)) { free(real); continue; }
        int inside = 0;
        for (size_t i = 0; i < n && !inside; i++) {
            size_t L = strlen(hosts[i]);
            while (L > 0 && hosts[i][L - 1] == '/') L--;
            inside = strcmp(real, hosts[i]) == 0 || (strncmp(real, hosts[i], L) == 0 && real[L] == '/');
        }
        if (inside) { free(real); continue; }
        preopen(wasi, real, 0);
        hosts[n++] = real;
    }
}

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
        hidden |= strcmp(key, "NYASH_CWD") == 0 || strcmp(key, "NYASH_LOCALTIME") == 0; /* replaced below */
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
    if (n + 2 > cap) {
        *names = realloc(*names, (n + 2) * sizeof **names);
        *values = realloc(*values, (n + 2) * sizeof **values);
    }
    if (g_cwd) {
        if (!valid_utf8((const unsigned char *)g_cwd)) handover();
        (*names)[n] = "NYASH_CWD";
        (*values)[n++] = g_cwd;
    }
    if (g_localtime) {
        if (!valid_utf8((const unsigned char *)g_localtime)) handover();
        (*names)[n] = "NYASH_LOCALTIME";
        (*values)[n++] = g_localtime;
    }
    return n;
}

/* ------------------------------------------------------------------ run */
int export_get(run_state *r, const char *name, wasmtime_extern_t *item) {
    return W.wasmtime_instance_export_get(r->ctx, &r->instance, name, strlen(name), item);
}

/* Ask for transparent huge pages on the program's linear memory (from its start, up
 * to the module's 1 GiB maximum; wasmtime reserves more address space than that, so
 * the range is mapped). Only a hint: a program with a big heap (large maps, many
 * objects) then takes far fewer TLB misses and page faults; with THP off ("never") or
 * any error nothing changes. Runs before `_start`, so nothing is observable. */
static void advise_huge_pages(run_state *r) {
#ifdef MADV_HUGEPAGE
    wasmtime_extern_t item;
    if (!export_get(r, "memory", &item) || item.kind != WASMTIME_EXTERN_MEMORY) return;
    uintptr_t base = (uintptr_t)W.wasmtime_memory_data(r->ctx, &item.of.memory);
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (!base) return;
    (void)madvise((void *)((base + huge - 1) & ~(huge - 1)), (size_t)1 << 30, MADV_HUGEPAGE);
#else
    (void)r;
#endif
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
    advise_huge_pages(r);
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
    if (snprintf(g_modules_dir, sizeof g_modules_dir, "%s/modules", info->runner_dir) >= (int)sizeof g_modules_dir)
        g_modules_dir[0] = 0;
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
    world_init();
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
    configure_fs(wasi, meta);
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
            format_trap(&err, &r, &p, meta, &conf);
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
