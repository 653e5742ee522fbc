/*
 * traps.c - the runner's report of a trap (runtime_stub/runner.py: format_trap,
 * map_frames, _frame_entry, function_bodies, trap_message), line for line: the
 * `Runtime error: ...` head unless the runtime printed it, then `at f (file:line)` for
 * the user-level frames, innermost first, at most STACK_FRAMES_SHOWN.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fastpath_parts.h"

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

void read_lines(const payload *p) {
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
void first_line(strbuf *b, const char *text, size_t len) {
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

/* runner.py:_global_value for an integer global: 1 and its value, else 0. */
int global_int(run_state *r, const char *name, int64_t *out) {
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

/* runner.py:format_trap */
void format_trap(strbuf *out, run_state *r, const payload *p, const jv *meta, const runner_conf *conf) {
    int64_t value;
    int reported = global_int(r, "nyash_error_reported", &value) && value == 1;
    flush_program_output(r);
    const line_table *lines = &g_lines;
    bodies_t bodies, *bp = NULL;
    bytes wasm = get_entry(p, "wasm", 1);
    if (wasm.p && function_bodies(wasm.p, wasm.len, &bodies) == 0) bp = &bodies;
    const jv *users = json_get(meta, "user_functions");
    const char **names;
    size_t nnames = source_names(meta, &names);

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
        if (shown == (size_t)conf->frames_shown) { more++; continue; }
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
void check_meta(const jv *meta) {
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
