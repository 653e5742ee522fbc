/*
 * json.c - a small JSON reader for the payload header, the payload meta and the
 * runner's nyash-fastpath.json.
 *
 * Everything it reads was written by Python's json.dumps, so it accepts standard JSON
 * only; anything else (or a number that does not fit an int64 or a double exactly)
 * is reported as unreadable and the launcher hands the run to the Python runner,
 * which then reports it in its own words. Values live for the whole process (never
 * freed: the launcher either execs or exits).
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"

typedef struct {
    const char *p, *end;
    int depth;
} reader;

static void skip_ws(reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

static jv *new_value(int type) {
    jv *v = calloc(1, sizeof *v);
    if (v) v->type = type;
    return v;
}

static int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string body after the opening quote; NUL-terminated copy in *out. Lone
 * surrogates (which Python would keep as such) are refused. */
static int read_string(reader *r, char **out, size_t *out_len) {
    const char *start = r->p;
    size_t cap = 1;
    while (r->p < r->end && *r->p != '"') {
        if (*r->p == '\\') r->p++;
        r->p++;
        cap += 4;
    }
    if (r->p >= r->end) return -1;
    r->p = start;
    char *s = malloc(cap), *o = s;
    if (!s) return -1;
    while (*r->p != '"') {
        unsigned char c = (unsigned char)*r->p++;
        if (c < 0x20) return -1;
        if (c != '\\') { *o++ = (char)c; continue; }
        char e = *r->p++;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (r->end - r->p < 4 || hex4(r->p, &cp) != 0) return -1;
            r->p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' || hex4(r->p + 2, &lo) != 0
                    || lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                r->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += put_utf8(o, cp);
            break;
        }
        default: return -1;
        }
    }
    r->p++;
    *o = 0;
    *out = s;
    *out_len = (size_t)(o - s);
    return 0;
}

static jv *read_value(reader *r);

static jv *read_number(reader *r) {
    const char *s = r->p;
    int is_int = 1;
    if (r->p < r->end && *r->p == '-') r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9') return NULL;
    if (*r->p == '0') r->p++;
    else while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    if (r->p < r->end && *r->p == '.') {
        is_int = 0;
        r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9') return NULL;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        is_int = 0;
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-')) r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9') return NULL;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    }
    size_t n = (size_t)(r->p - s);
    char buf[64];
    if (n >= sizeof buf) return NULL;
    memcpy(buf, s, n);
    buf[n] = 0;
    jv *v = new_value(JV_NUM);
    if (!v) return NULL;
    if (is_int) {
        size_t digits = n - (buf[0] == '-');
        if (digits > 18) return NULL; /* beyond what is exact here; Python would be exact */
        v->is_int = 1;
        v->ival = strtoll(buf, NULL, 10);
        v->num = (double)v->ival;
    } else {
        v->num = strtod(buf, NULL);
    }
    return v;
}

static jv *read_value(reader *r) {
    skip_ws(r);
    if (r->p >= r->end || ++r->depth > 64) return NULL;
    jv *v = NULL;
    char c = *r->p;
    if (c == '{' || c == '[') {
        int obj = c == '{';
        r->p++;
        v = new_value(obj ? JV_OBJ : JV_ARR);
        if (!v) return NULL;
        size_t cap = 0;
        skip_ws(r);
        if (r->p < r->end && *r->p == (obj ? '}' : ']')) { r->p++; r->depth--; return v; }
        for (;;) {
            if (v->n == cap) {
                cap = cap ? cap * 2 : 8;
                v->items = realloc(v->items, cap * sizeof *v->items);
                if (obj) {
                    v->keys = realloc(v->keys, cap * sizeof *v->keys);
                    v->key_lens = realloc(v->key_lens, cap * sizeof *v->key_lens);
                }
                if (!v->items || (obj && (!v->keys || !v->key_lens))) return NULL;
            }
            if (obj) {
                skip_ws(r);
                if (r->p >= r->end || *r->p != '"') return NULL;
                r->p++;
                if (read_string(r, &v->keys[v->n], &v->key_lens[v->n]) != 0) return NULL;
                skip_ws(r);
                if (r->p >= r->end || *r->p != ':') return NULL;
                r->p++;
            }
            jv *item = read_value(r);
            if (!item) return NULL;
            if (obj) { /* a repeated key: the last value wins, at the first position (Python) */
                size_t k = 0;
                while (k < v->n && !(v->key_lens[k] == v->key_lens[v->n]
                                     && memcmp(v->keys[k], v->keys[v->n], v->key_lens[k]) == 0)) k++;
                if (k < v->n) { v->items[k] = item; goto next; }
            }
            v->items[v->n++] = item;
        next:
            skip_ws(r);
            if (r->p < r->end && *r->p == ',') { r->p++; continue; }
            if (r->p < r->end && *r->p == (obj ? '}' : ']')) { r->p++; break; }
            return NULL;
        }
    } else if (c == '"') {
        r->p++;
        v = new_value(JV_STR);
        if (!v || read_string(r, &v->str, &v->len) != 0) return NULL;
    } else if (r->end - r->p >= 4 && memcmp(r->p, "null", 4) == 0) {
        r->p += 4;
        v = new_value(JV_NULL);
    } else if (r->end - r->p >= 4 && memcmp(r->p, "true", 4) == 0) {
        r->p += 4;
        v = new_value(JV_TRUE);
    } else if (r->end - r->p >= 5 && memcmp(r->p, "false", 5) == 0) {
        r->p += 5;
        v = new_value(JV_FALSE);
    } else {
        v = read_number(r);
    }
    r->depth--;
    return v;
}

jv *json_parse(const char *text, size_t len) {
    reader r = {text, text + len, 0};
    jv *v = read_value(&r);
    if (!v) return NULL;
    skip_ws(&r);
    return r.p == r.end ? v : NULL;
}

const jv *json_get(const jv *obj, const char *key) {
    if (!obj || obj->type != JV_OBJ) return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < obj->n; i++)
        if (obj->key_lens[i] == n && memcmp(obj->keys[i], key, n) == 0) return obj->items[i];
    return NULL;
}

int json_truthy(const jv *v) {
    if (!v) return 0;
    switch (v->type) {
    case JV_NULL: case JV_FALSE: return 0;
    case JV_TRUE: return 1;
    case JV_NUM: return v->num != 0;
    case JV_STR: return v->len != 0;
    default: return v->n != 0;
    }
}

static int numeric(const jv *v) { return v->type == JV_NUM || v->type == JV_TRUE || v->type == JV_FALSE; }

/* Python's == on the decoded values (True == 1, 1 == 1.0, a missing key is None). */
int json_equal(const jv *a, const jv *b) {
    if (!a || a->type == JV_NULL) return !b || b->type == JV_NULL;
    if (!b || b->type == JV_NULL) return 0;
    if (numeric(a) && numeric(b)) {
        int ai = a->type != JV_NUM || a->is_int, bi = b->type != JV_NUM || b->is_int;
        long long av = a->type == JV_NUM ? a->ival : a->type == JV_TRUE;
        long long bv = b->type == JV_NUM ? b->ival : b->type == JV_TRUE;
        if (ai && bi) return av == bv;
        double ad = a->type == JV_NUM ? a->num : (double)av, bd = b->type == JV_NUM ? b->num : (double)bv;
        return ad == bd;
    }
    if (a->type != b->type) return 0;
    if (a->type == JV_STR) return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->type == JV_ARR) {
            if (!json_equal(a->items[i], b->items[i])) return 0;
        } else {
            const jv *other = NULL;
            for (size_t k = 0; k < b->n && !other; k++)
                if (b->key_lens[k] == a->key_lens[i] && memcmp(b->keys[k], a->keys[i], a->key_lens[i]) == 0)
                    other = b->items[k];
            if (!other || !json_equal(a->items[i], other)) return 0;
        }
    }
    return 1;
}
