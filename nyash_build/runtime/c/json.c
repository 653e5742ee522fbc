/* json.c: JSONBox — a JSON document parsed and written exactly as upstream's
 * serde_json 1.0 does (docs/boxes.md "JSONBox").
 *
 * Parsing follows serde_json's Deserializer for `Value` step by step, so that every
 * accepted document, every number's value (its non-"float_roundtrip" decimal
 * conversion included) and every error message with its line and column are the same:
 * "key must be a string at line 1 column 2".  Objects are kept sorted by key (bytes),
 * a repeated key keeps the last value (serde_json's BTreeMap).  Writing is compact
 * JSON with serde_json's escapes and ryu's float spelling ("1.0", "1e300", "1.5e-7").
 *
 * The tree lives in runtime-allocated memory; strings are runtime string objects.
 */
#include "nyrt.h"

enum { J_NULL, J_BOOL, J_INT, J_UINT, J_FLOAT, J_STR, J_ARR, J_OBJ };

typedef struct JVal JVal;
typedef struct { int32_t key; JVal *val; } JPair;
struct JVal {
    uint8_t type, b;
    int32_t n, cap;
    union { int64_t i; uint64_t u; double f; int32_t s; JVal **items; JPair *pairs; } v;
};

#define MAX_DEPTH 128  /* serde_json's recursion limit */

/* ------------------------------------------------------------------ tree */

static JVal *jv_new(int type) {
    JVal *j = ny_malloc(sizeof(JVal));
    __builtin_memset(j, 0, sizeof(JVal));
    j->type = (uint8_t)type;
    return j;
}

static void jv_free(JVal *j) {
    if (!j) return;
    if (j->type == J_STR) {
        ny_release_str(j->v.s);
    } else if (j->type == J_ARR) {
        for (int32_t k = 0; k < j->n; k++) jv_free(j->v.items[k]);
        if (j->v.items) ny_mfree(j->v.items);
    } else if (j->type == J_OBJ) {
        for (int32_t k = 0; k < j->n; k++) { ny_release_str(j->v.pairs[k].key); jv_free(j->v.pairs[k].val); }
        if (j->v.pairs) ny_mfree(j->v.pairs);
    }
    ny_mfree(j);
}

static void arr_append(JVal *a, JVal *item) {
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4;
        a->v.items = ny_mrealloc(a->v.items, a->cap * (int32_t)sizeof(JVal *));
    }
    a->v.items[a->n++] = item;
}

static int key_cmp(int32_t a, int32_t b) {
    int32_t la = ny_str_len(a), lb = ny_str_len(b), n = la < lb ? la : lb;
    const uint8_t *x = ny_str_bytes(a), *y = ny_str_bytes(b);
    for (int32_t k = 0; k < n; k++)
        if (x[k] != y[k]) return (int)x[k] - (int)y[k];
    return la - lb;
}

/* index of key, or -(insertion point) - 1 */
static int32_t obj_find(const JVal *o, int32_t key) {
    int32_t lo = 0, hi = o->n - 1;
    while (lo <= hi) {
        int32_t mid = (lo + hi) >> 1;
        int c = key_cmp(o->v.pairs[mid].key, key);
        if (c == 0) return mid;
        if (c < 0) lo = mid + 1; else hi = mid - 1;
    }
    return -lo - 1;
}

/* insert or replace; takes ownership of key and val */
static void obj_put(JVal *o, int32_t key, JVal *val) {
    int32_t at = obj_find(o, key);
    if (at >= 0) {
        ny_release_str(key);
        jv_free(o->v.pairs[at].val);
        o->v.pairs[at].val = val;
        return;
    }
    at = -at - 1;
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 4;
        o->v.pairs = ny_mrealloc(o->v.pairs, o->cap * (int32_t)sizeof(JPair));
    }
    for (int32_t k = o->n; k > at; k--) o->v.pairs[k] = o->v.pairs[k - 1];
    o->v.pairs[at].key = key;
    o->v.pairs[at].val = val;
    o->n++;
}

static void obj_append(JVal *o, int32_t key, JVal *val) {
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 4;
        o->v.pairs = ny_mrealloc(o->v.pairs, o->cap * (int32_t)sizeof(JPair));
    }
    o->v.pairs[o->n].key = key;
    o->v.pairs[o->n].val = val;
    o->n++;
}

/* Sort appended pairs by key (stable merge sort) and keep the last of equal keys:
 * what inserting them one by one into a BTreeMap gives, in O(n log n). */
static void obj_sort(JVal *o) {
    int32_t n = o->n;
    if (n < 2) return;
    JPair *a = o->v.pairs, *tmp = ny_malloc(n * (int32_t)sizeof(JPair));
    for (int32_t w = 1; w < n; w *= 2) {
        for (int32_t lo = 0; lo < n - w; lo += 2 * w) {
            int32_t mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n, i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = key_cmp(a[j].key, a[i].key) < 0 ? a[j++] : a[i++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
            for (k = lo; k < hi; k++) a[k] = tmp[k];
        }
    }
    ny_mfree(tmp);
    int32_t out = 0;
    for (int32_t k = 0; k < n; k++) {
        if (k + 1 < n && key_cmp(a[k].key, a[k + 1].key) == 0) {  /* a later duplicate wins */
            ny_release_str(a[k].key);
            jv_free(a[k].val);
            continue;
        }
        a[out++] = a[k];
    }
    o->n = out;
}

static int jv_equal(const JVal *a, const JVal *b) {
    if (a->type != b->type) return 0;
    switch (a->type) {
    case J_NULL: return 1;
    case J_BOOL: return a->b == b->b;
    case J_INT: return a->v.i == b->v.i;
    case J_UINT: return a->v.u == b->v.u;
    case J_FLOAT: return a->v.f == b->v.f;
    case J_STR: return ny_str_eq(a->v.s, b->v.s);
    case J_ARR:
        if (a->n != b->n) return 0;
        for (int32_t k = 0; k < a->n; k++) if (!jv_equal(a->v.items[k], b->v.items[k])) return 0;
        return 1;
    default:
        if (a->n != b->n) return 0;
        for (int32_t k = 0; k < a->n; k++)
            if (!ny_str_eq(a->v.pairs[k].key, b->v.pairs[k].key) || !jv_equal(a->v.pairs[k].val, b->v.pairs[k].val)) return 0;
        return 1;
    }
}

/* ------------------------------------------------------------------ parser */

enum {
    E_NONE, E_EOF_LIST, E_EOF_OBJECT, E_EOF_STRING, E_EOF_VALUE, E_COLON, E_LIST_COMMA, E_OBJ_COMMA,
    E_IDENT, E_VALUE, E_ESCAPE, E_NUMBER, E_RANGE, E_CODEPOINT, E_CONTROL, E_KEY, E_LONE_SURROGATE,
    E_TRAILING_COMMA, E_TRAILING_CHARS, E_HEX_END, E_RECURSION
};
static const char *const ERR_TEXT[] = {
    "", "EOF while parsing a list", "EOF while parsing an object", "EOF while parsing a string",
    "EOF while parsing a value", "expected `:`", "expected `,` or `]`", "expected `,` or `}`",
    "expected ident", "expected value", "invalid escape", "invalid number", "number out of range",
    "invalid unicode code point", "control character (\\u0000-\\u001F) found while parsing a string",
    "key must be a string", "lone leading surrogate in hex escape", "trailing comma",
    "trailing characters", "unexpected end of hex escape", "recursion limit exceeded",
};

typedef struct {
    const uint8_t *p;
    int32_t len, i, depth;
    int err, err_at;            /* error code and the index whose position is reported */
    uint8_t *buf;               /* string scratch */
    int32_t blen, bcap;
} JP;

static int peek(JP *s) { return s->i < s->len ? s->p[s->i] : -1; }
static int peek0(JP *s) { return s->i < s->len ? s->p[s->i] : 0; }
/* serde's error(): position of the current index; peek_error(): one further */
static void *fail(JP *s, int code) { if (!s->err) { s->err = code; s->err_at = s->i; } return 0; }
static void *fail_peek(JP *s, int code) {
    if (!s->err) { s->err = code; s->err_at = s->i + 1 < s->len ? s->i + 1 : s->len; }
    return 0;
}

static int ws(JP *s) {
    for (;;) {
        int c = peek(s);
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') s->i++;
        else return c;
    }
}

static const double POW10[309] = {
#define P10(a) 1e##a##0, 1e##a##1, 1e##a##2, 1e##a##3, 1e##a##4, 1e##a##5, 1e##a##6, 1e##a##7, 1e##a##8, 1e##a##9
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
    P10(1), P10(2), P10(3), P10(4), P10(5), P10(6), P10(7), P10(8), P10(9), P10(10),
    P10(11), P10(12), P10(13), P10(14), P10(15), P10(16), P10(17), P10(18), P10(19), P10(20),
    P10(21), P10(22), P10(23), P10(24), P10(25), P10(26), P10(27), P10(28), P10(29),
    1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
#undef P10
};

static int f64_from_parts(JP *s, int positive, uint64_t sig, int32_t exp, double *out) {
    double f = (double)sig;
    for (;;) {
        uint32_t a = exp < 0 ? (uint32_t)0 - (uint32_t)exp : (uint32_t)exp;
        if (a <= 308) {
            if (exp >= 0) {
                f *= POW10[a];
                if (__builtin_isinf(f)) { fail(s, E_RANGE); return 0; }
            } else {
                f /= POW10[a];
            }
            break;
        }
        if (f == 0.0) break;
        if (exp >= 0) { fail(s, E_RANGE); return 0; }
        f /= 1e308;
        exp += 308;
    }
    *out = positive ? f : -f;
    return 1;
}

static int sat_add(int32_t a, int32_t b) {
    int64_t r = (int64_t)a + b;
    return r > 2147483647 ? 2147483647 : r < -2147483647 - 1 ? -2147483647 - 1 : (int32_t)r;
}

static int parse_exponent(JP *s, int positive, uint64_t sig, int32_t start, double *out) {
    s->i++; /* e or E */
    int pos_exp = 1, c = peek0(s);
    if (c == '+') s->i++;
    else if (c == '-') { s->i++; pos_exp = 0; }
    if (s->i >= s->len) { fail(s, E_EOF_VALUE); return 0; }
    c = s->p[s->i++];
    if (c < '0' || c > '9') { fail(s, E_NUMBER); return 0; }
    int32_t e = c - '0';
    for (;;) {
        c = peek0(s);
        if (c < '0' || c > '9') break;
        s->i++;
        int32_t d = c - '0';
        if (e >= 214748364 && (e > 214748364 || d > 7)) {
            /* parse_exponent_overflow */
            if (sig != 0 && pos_exp) { fail(s, E_RANGE); return 0; }
            while ((c = peek0(s)) >= '0' && c <= '9') s->i++;
            *out = positive ? 0.0 : -0.0;
            return 1;
        }
        e = e * 10 + d;
    }
    return f64_from_parts(s, positive, sig, pos_exp ? sat_add(start, e) : sat_add(start, -e), out);
}

static int parse_decimal(JP *s, int positive, uint64_t sig, int32_t exp, double *out) {
    s->i++; /* . */
    int c;
    while ((c = peek0(s)) >= '0' && c <= '9') {
        uint64_t d = (uint64_t)(c - '0');
        if (sig >= 1844674407370955161ull && (sig > 1844674407370955161ull || d > 5)) {
            /* parse_decimal_overflow: ignore further digits */
            while ((c = peek0(s)) >= '0' && c <= '9') s->i++;
            if (c == 'e' || c == 'E') return parse_exponent(s, positive, sig, exp, out);
            return f64_from_parts(s, positive, sig, exp, out);
        }
        s->i++;
        sig = sig * 10 + d;
        exp--;
    }
    if (exp == 0) { fail_peek(s, peek(s) < 0 ? E_EOF_VALUE : E_NUMBER); return 0; }
    c = peek0(s);
    if (c == 'e' || c == 'E') return parse_exponent(s, positive, sig, exp, out);
    return f64_from_parts(s, positive, sig, exp, out);
}

static JVal *float_val(double f) { JVal *j = jv_new(J_FLOAT); j->v.f = f; return j; }

/* the number after an optional '-' */
static JVal *parse_number(JP *s, int positive) {
    if (s->i >= s->len) return fail(s, E_EOF_VALUE);
    int c = s->p[s->i++];
    uint64_t sig;
    double f;
    if (c == '0') {
        int n = peek0(s);
        if (n >= '0' && n <= '9') return fail_peek(s, E_NUMBER);
        sig = 0;
    } else if (c >= '1' && c <= '9') {
        sig = (uint64_t)(c - '0');
        for (;;) {
            c = peek0(s);
            if (c < '0' || c > '9') break;
            uint64_t d = (uint64_t)(c - '0');
            if (sig >= 1844674407370955161ull && (sig > 1844674407370955161ull || d > 5)) {
                /* parse_long_integer: further digits only scale the exponent */
                int32_t exp = 0;
                for (;;) {
                    c = peek0(s);
                    if (c >= '0' && c <= '9') { s->i++; exp++; continue; }
                    int ok = c == '.' ? parse_decimal(s, positive, sig, exp, &f)
                           : (c == 'e' || c == 'E') ? parse_exponent(s, positive, sig, exp, &f)
                           : f64_from_parts(s, positive, sig, exp, &f);
                    return ok ? float_val(f) : 0;
                }
            }
            s->i++;
            sig = sig * 10 + d;
        }
    } else {
        return fail(s, E_NUMBER);
    }
    c = peek0(s);
    if (c == '.') return parse_decimal(s, positive, sig, 0, &f) ? float_val(f) : 0;
    if (c == 'e' || c == 'E') return parse_exponent(s, positive, sig, 0, &f) ? float_val(f) : 0;
    if (positive) {
        JVal *j;
        if (sig > 9223372036854775807ull) { j = jv_new(J_UINT); j->v.u = sig; }
        else { j = jv_new(J_INT); j->v.i = (int64_t)sig; }
        return j;
    }
    int64_t neg = (int64_t)(0 - sig);
    if (neg >= 0) return float_val(-(double)sig);  /* underflow, or -0 */
    JVal *j = jv_new(J_INT);
    j->v.i = neg;
    return j;
}

static void buf_push(JP *s, const uint8_t *p, int32_t n) {
    if (s->blen + n > s->bcap) {
        int32_t cap = s->bcap ? s->bcap : 64;
        while (cap < s->blen + n) cap *= 2;
        s->buf = ny_mrealloc(s->buf, cap);
        s->bcap = cap;
    }
    __builtin_memcpy(s->buf + s->blen, p, n);
    s->blen += n;
}

static int hex4(JP *s, uint32_t *out) {
    if (s->i + 4 > s->len) { s->i = s->len; fail(s, E_EOF_STRING); return 0; }
    uint32_t n = 0;
    for (int k = 0; k < 4; k++) {
        int c = s->p[s->i++], v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else { fail(s, E_ESCAPE); return 0; }
        n = (n << 4) + (uint32_t)v;
    }
    *out = n;
    return 1;
}

static int put_utf8(uint8_t *o, uint32_t c) {
    if (c < 0x80) { o[0] = (uint8_t)c; return 1; }
    if (c < 0x800) { o[0] = (uint8_t)(0xC0 | c >> 6); o[1] = (uint8_t)(0x80 | (c & 63)); return 2; }
    if (c < 0x10000) {
        o[0] = (uint8_t)(0xE0 | c >> 12); o[1] = (uint8_t)(0x80 | (c >> 6 & 63)); o[2] = (uint8_t)(0x80 | (c & 63));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | c >> 18); o[1] = (uint8_t)(0x80 | (c >> 12 & 63));
    o[2] = (uint8_t)(0x80 | (c >> 6 & 63)); o[3] = (uint8_t)(0x80 | (c & 63));
    return 4;
}

static int parse_escape(JP *s) {
    if (s->i >= s->len) { fail(s, E_EOF_STRING); return 0; }
    int c = s->p[s->i++];
    uint8_t ch;
    switch (c) {
    case '"': ch = '"'; break;
    case '\\': ch = '\\'; break;
    case '/': ch = '/'; break;
    case 'b': ch = 8; break;
    case 'f': ch = 12; break;
    case 'n': ch = 10; break;
    case 'r': ch = 13; break;
    case 't': ch = 9; break;
    case 'u': {
        uint32_t n, n2;
        if (!hex4(s, &n)) return 0;
        if (n >= 0xDC00 && n <= 0xDFFF) { fail(s, E_LONE_SURROGATE); return 0; }
        if (n >= 0xD800 && n <= 0xDBFF) {
            if (s->i >= s->len) { fail(s, E_EOF_STRING); return 0; }
            if (s->p[s->i] != '\\') { s->i++; fail(s, E_HEX_END); return 0; }
            s->i++;
            if (s->i >= s->len) { fail(s, E_EOF_STRING); return 0; }
            if (s->p[s->i] != 'u') { s->i++; fail(s, E_HEX_END); return 0; }
            s->i++;
            if (!hex4(s, &n2)) return 0;
            if (n2 < 0xDC00 || n2 > 0xDFFF) { fail(s, E_LONE_SURROGATE); return 0; }
            n = (((n - 0xD800) << 10) | (n2 - 0xDC00)) + 0x10000;
        }
        uint8_t tmp[4];
        buf_push(s, tmp, put_utf8(tmp, n));
        return 1;
    }
    default:
        fail(s, E_ESCAPE);
        return 0;
    }
    buf_push(s, &ch, 1);
    return 1;
}

/* after the opening quote; returns an owned string object or 0 */
static int32_t parse_string(JP *s) {
    s->blen = 0;
    int32_t start = s->i;
    for (;;) {
        while (s->i < s->len) {
            uint8_t c = s->p[s->i];
            if (c == '"' || c == '\\' || c < 0x20) break;
            s->i++;
        }
        if (s->i == s->len) { fail(s, E_EOF_STRING); return 0; }
        uint8_t c = s->p[s->i];
        if (c == '"') {
            int32_t r;
            if (s->blen == 0) r = ny_str_copy(s->p + start, s->i - start);
            else { buf_push(s, s->p + start, s->i - start); r = ny_str_copy(s->buf, s->blen); }
            s->i++;
            return r;
        }
        if (c == '\\') {
            buf_push(s, s->p + start, s->i - start);
            s->i++;
            if (!parse_escape(s)) return 0;
            start = s->i;
        } else {
            s->i++;
            fail(s, E_CONTROL);
            return 0;
        }
    }
}

static JVal *parse_value(JP *s);

static JVal *parse_ident(JP *s, const char *rest, JVal *val) {
    for (; *rest; rest++) {
        if (s->i >= s->len) { jv_free(val); return fail(s, E_EOF_VALUE); }
        if (s->p[s->i++] != (uint8_t)*rest) { jv_free(val); return fail(s, E_IDENT); }
    }
    return val;
}

static JVal *parse_array(JP *s) {
    JVal *a = jv_new(J_ARR);
    int first = 1;
    for (;;) {
        int c = ws(s);
        if (c == ']') break;
        if (c == ',' && !first) { s->i++; c = ws(s); }
        else if (c >= 0) {
            if (!first) { fail_peek(s, E_LIST_COMMA); goto bad; }
            first = 0;
        } else { fail_peek(s, E_EOF_LIST); goto bad; }
        if (c == ']') { fail_peek(s, E_TRAILING_COMMA); goto bad; }
        if (c < 0) { fail_peek(s, E_EOF_VALUE); goto bad; }
        JVal *item = parse_value(s);
        if (!item) goto bad;
        arr_append(a, item);
    }
    return a;
bad:
    jv_free(a);
    return 0;
}

static JVal *parse_object(JP *s) {
    JVal *o = jv_new(J_OBJ);
    int first = 1;
    for (;;) {
        int c = ws(s);
        if (c == '}') break;
        if (c == ',' && !first) { s->i++; c = ws(s); }
        else if (c >= 0) {
            if (!first) { fail_peek(s, E_OBJ_COMMA); goto bad; }
            first = 0;
        } else { fail_peek(s, E_EOF_OBJECT); goto bad; }
        if (c == '}') { fail_peek(s, E_TRAILING_COMMA); goto bad; }
        if (c < 0) { fail_peek(s, E_EOF_VALUE); goto bad; }
        if (c != '"') { fail_peek(s, E_KEY); goto bad; }
        s->i++;
        int32_t key = parse_string(s);
        if (!key) goto bad;
        c = ws(s);
        if (c != ':') { ny_release_str(key); fail_peek(s, c < 0 ? E_EOF_OBJECT : E_COLON); goto bad; }
        s->i++;
        JVal *val = parse_value(s);
        if (!val) { ny_release_str(key); goto bad; }
        obj_append(o, key, val);
    }
    obj_sort(o);
    return o;
bad:
    jv_free(o);
    return 0;
}

static JVal *parse_value(JP *s) {
    int c = ws(s);
    if (c < 0) return fail_peek(s, E_EOF_VALUE);
    switch (c) {
    case 'n': s->i++; return parse_ident(s, "ull", jv_new(J_NULL));
    case 't': { s->i++; JVal *j = jv_new(J_BOOL); j->b = 1; return parse_ident(s, "rue", j); }
    case 'f': s->i++; return parse_ident(s, "alse", jv_new(J_BOOL));
    case '-': s->i++; return parse_number(s, 0);
    case '"': {
        s->i++;
        int32_t str = parse_string(s);
        if (!str) return 0;
        JVal *j = jv_new(J_STR);
        j->v.s = str;
        return j;
    }
    case '[': case '{': {
        if (++s->depth >= MAX_DEPTH) return fail_peek(s, E_RECURSION);
        s->i++;
        JVal *j = c == '[' ? parse_array(s) : parse_object(s);
        s->depth--;
        if (!j) return 0;
        /* end_seq / end_map: the closing bracket */
        s->i++;
        return j;
    }
    default:
        if (c >= '0' && c <= '9') return parse_number(s, 1);
        return fail_peek(s, E_VALUE);
    }
}

/* Parse a whole document.  On failure returns 0 and *err_msg is an owned string
 * "<reason> at line L column C". */
static JVal *json_parse(const uint8_t *p, int32_t len, int32_t *err_msg) {
    JP s;
    __builtin_memset(&s, 0, sizeof s);
    s.p = p;
    s.len = len;
    JVal *j = parse_value(&s);
    if (j && ws(&s) >= 0) { fail_peek(&s, E_TRAILING_CHARS); jv_free(j); j = 0; }
    if (s.buf) ny_mfree(s.buf);
    if (j) return j;
    int32_t line = 1, col = 0;
    for (int32_t k = 0; k < s.err_at; k++) {
        if (p[k] == '\n') { line++; col = 0; } else col++;
    }
    char msg[160];
    int32_t n = 0;
    for (const char *t = ERR_TEXT[s.err]; *t; t++) msg[n++] = *t;
    const char *at = " at line ";
    for (; *at; at++) msg[n++] = *at;
    char num[12];
    int32_t d = 0;
    do { num[d++] = (char)('0' + line % 10); line /= 10; } while (line);
    while (d) msg[n++] = num[--d];
    for (const char *c2 = " column "; *c2; c2++) msg[n++] = *c2;
    do { num[d++] = (char)('0' + col % 10); col /= 10; } while (col);
    while (d) msg[n++] = num[--d];
    *err_msg = ny_str_copy(msg, n);
    return 0;
}

/* ------------------------------------------------------------------ writer */

typedef struct { uint8_t *p; int32_t n, cap; } Buf;

static void bput(Buf *b, const void *p, int32_t n) {
    if (b->n + n > b->cap) {
        int32_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n) cap *= 2;
        b->p = ny_mrealloc(b->p, cap);
        b->cap = cap;
    }
    __builtin_memcpy(b->p + b->n, p, n);
    b->n += n;
}
static void bputc(Buf *b, char c) { bput(b, &c, 1); }

static void write_u64(Buf *b, uint64_t u) {
    char t[24];
    int32_t d = 0;
    do { t[d++] = (char)('0' + u % 10); u /= 10; } while (u);
    while (d) bputc(b, t[--d]);
}

static void write_exp3(Buf *b, int32_t k) {
    if (k < 0) { bputc(b, '-'); k = -k; }
    write_u64(b, (uint64_t)k);
}

/* ryu's format64 layout over the shortest digits, which the runtime's Rust-Display
 * float formatting ($str_from_f64) already computes. */
static void write_f64(Buf *b, double x) {
    if (x == 0.0) { if (__builtin_signbit(x)) bputc(b, '-'); bput(b, "0.0", 3); return; }
    int32_t s = ny_str_from_f64(x);    /* e.g. "-1234.5", "1000000", "0.00015": no exponent */
    const uint8_t *t = ny_str_bytes(s);
    int32_t n = ny_str_len(s);
    char dig[800];
    int32_t nd = 0, point = -1;
    for (int32_t k = 0; k < n; k++) {
        if (t[k] == '-') bputc(b, '-');
        else if (t[k] == '.') point = nd;
        else if (nd < (int32_t)sizeof dig) dig[nd++] = (char)t[k];
    }
    ny_release_str(s);
    if (point < 0) point = nd;
    int32_t first = 0, last = nd - 1;
    while (first < nd && dig[first] == '0') first++;
    while (last > first && dig[last] == '0') last--;
    /* shortest digits dig[first..last]; the value is 0.d1d2... * 10^kk */
    int32_t length = last - first + 1, kk = point - first;
    const char *m = dig + first;
    if (kk >= length && kk <= 16) {           /* 1234e7 -> 12340000000.0 */
        bput(b, m, length);
        for (int32_t z = length; z < kk; z++) bputc(b, '0');
        bput(b, ".0", 2);
    } else if (kk > 0 && kk <= 16) {          /* 1234e-2 -> 12.34 */
        bput(b, m, kk);
        bputc(b, '.');
        bput(b, m + kk, length - kk);
    } else if (kk > -5 && kk <= 0) {          /* 1234e-6 -> 0.001234 */
        bput(b, "0.", 2);
        for (int32_t z = 0; z < -kk; z++) bputc(b, '0');
        bput(b, m, length);
    } else {                                  /* 1e30, 1.234e33, 1.5e-7 */
        bputc(b, m[0]);
        if (length > 1) { bputc(b, '.'); bput(b, m + 1, length - 1); }
        bputc(b, 'e');
        write_exp3(b, kk - 1);
    }
}

static void write_str(Buf *b, int32_t str) {
    static const char HEX[] = "0123456789abcdef";
    const uint8_t *p = ny_str_bytes(str);
    int32_t n = ny_str_len(str), start = 0;
    bputc(b, '"');
    for (int32_t k = 0; k < n; k++) {
        uint8_t c = p[k];
        char esc;
        if (c == '"') esc = '"';
        else if (c == '\\') esc = '\\';
        else if (c >= 0x20) continue;
        else if (c == 8) esc = 'b';
        else if (c == 9) esc = 't';
        else if (c == 10) esc = 'n';
        else if (c == 12) esc = 'f';
        else if (c == 13) esc = 'r';
        else esc = 'u';
        bput(b, p + start, k - start);
        start = k + 1;
        bputc(b, '\\');
        bputc(b, esc);
        if (esc == 'u') { bput(b, "00", 2); bputc(b, HEX[c >> 4]); bputc(b, HEX[c & 15]); }
    }
    bput(b, p + start, n - start);
    bputc(b, '"');
}

static void write_val(Buf *b, const JVal *j) {
    switch (j->type) {
    case J_NULL: bput(b, "null", 4); break;
    case J_BOOL: if (j->b) bput(b, "true", 4); else bput(b, "false", 5); break;
    case J_INT:
        if (j->v.i < 0) { bputc(b, '-'); write_u64(b, (uint64_t)0 - (uint64_t)j->v.i); }
        else write_u64(b, (uint64_t)j->v.i);
        break;
    case J_UINT: write_u64(b, j->v.u); break;
    case J_FLOAT: write_f64(b, j->v.f); break;
    case J_STR: write_str(b, j->v.s); break;
    case J_ARR:
        bputc(b, '[');
        for (int32_t k = 0; k < j->n; k++) { if (k) bputc(b, ','); write_val(b, j->v.items[k]); }
        bputc(b, ']');
        break;
    default:
        bputc(b, '{');
        for (int32_t k = 0; k < j->n; k++) {
            if (k) bputc(b, ',');
            write_str(b, j->v.pairs[k].key);
            bputc(b, ':');
            write_val(b, j->v.pairs[k].val);
        }
        bputc(b, '}');
    }
}

static int32_t json_text(const JVal *j) {
    Buf b = {0, 0, 0};
    write_val(&b, j);
    int32_t s = ny_str_copy(b.p, b.n);
    ny_mfree(b.p);
    return s;
}

/* ------------------------------------------------------------------ Nyash values */

static ny_value to_nyash(const JVal *j) {
    switch (j->type) {
    case J_NULL: return NY_NULL;
    case J_BOOL: return ny_bool(j->b);
    case J_INT: return ny_int(j->v.i);
    case J_UINT: return ny_float((double)j->v.u);
    case J_FLOAT: return ny_float(j->v.f);
    case J_STR: ny_retain(ny_strv(j->v.s)); return ny_strv(j->v.s);
    case J_ARR: {
        int32_t a = ny_arr_new();
        for (int32_t k = 0; k < j->n; k++) {
            ny_value v = to_nyash(j->v.items[k]);
            ny_arr_push_v(a, v);
            ny_release(v);
        }
        return ny_arrv(a);
    }
    default: {
        int32_t m = ny_map_new();
        for (int32_t k = 0; k < j->n; k++) {
            ny_value v = to_nyash(j->v.pairs[k].val);
            ny_map_set_v(m, ny_strv(j->v.pairs[k].key), v);
            ny_release(v);
        }
        return ny_mapv(m);
    }
    }
}

static int32_t depth_error;

/* Nyash value -> tree (upstream's nyash_box_to_json_value; FloatBox as a number) */
static JVal *from_nyash(ny_value v, int depth) {
    if (depth > MAX_DEPTH) { depth_error = 1; return jv_new(J_NULL); }
    JVal *j;
    switch (v.tag) {
    case T_NULL: return jv_new(J_NULL);
    case T_BOOL: j = jv_new(J_BOOL); j->b = v.payload != 0; return j;
    case T_INT: j = jv_new(J_INT); j->v.i = v.payload; return j;
    case T_FLOAT: {
        double f = ny_as_float(v);
        if (f - f == 0.0) return float_val(f);
        break;  /* NaN and infinities are no JSON numbers: their text, as a string */
    }
    case T_STR: j = jv_new(J_STR); ny_retain(v); j->v.s = ny_ptr(v); return j;
    case T_ARR: {
        int32_t a = ny_ptr(v), n = ny_arr_len(a);
        j = jv_new(J_ARR);
        for (int32_t k = 0; k < n && !depth_error; k++) {
            ny_value item = ny_arr_get_i(a, k);
            arr_append(j, from_nyash(item, depth + 1));
            ny_release(item);
        }
        return j;
    }
    case T_MAP: {
        ny_value keys = ny_map_keys(v.payload);
        int32_t ka = ny_ptr(keys), n = ny_arr_len(ka);
        j = jv_new(J_OBJ);
        for (int32_t k = 0; k < n && !depth_error; k++) {
            ny_value key = ny_arr_get_i(ka, k);
            ny_value val = ny_map_get_v(ny_ptr(v), key);
            obj_put(j, ny_to_string(key), from_nyash(val, depth + 1));
            ny_release(val);
            ny_release(key);
        }
        ny_release(keys);
        return j;
    }
    default: break;
    }
    j = jv_new(J_STR);
    j->v.s = ny_to_string(v);
    return j;
}

/* ------------------------------------------------------------------ exported engine */

/* Parse text (a string object): the root, or 0 with *err = owned message. */
NY_EXPORT(json_parse_str) int32_t json_parse_str(int32_t text, int32_t *err) {
    return (int32_t)(uintptr_t)json_parse(ny_str_bytes(text), ny_str_len(text), err);
}

NY_EXPORT(json_free) void json_free(int32_t root) { jv_free((JVal *)(uintptr_t)root); }

NY_EXPORT(json_stringify) int32_t json_stringify(int32_t root) { return json_text((JVal *)(uintptr_t)root); }

NY_EXPORT(json_equal) int32_t json_equal(int32_t a, int32_t b) {
    return jv_equal((JVal *)(uintptr_t)a, (JVal *)(uintptr_t)b);
}

/* member of an object, or element of an array by decimal index text; NY_NULL when absent */
NY_EXPORT(json_get) ny_value json_get(int32_t root, ny_value key) {
    const JVal *j = (const JVal *)(uintptr_t)root;
    int32_t ks = ny_to_string(key);
    ny_value r = NY_NULL;
    if (j->type == J_OBJ) {
        int32_t at = obj_find(j, ks);
        if (at >= 0) r = to_nyash(j->v.pairs[at].val);
    } else if (j->type == J_ARR) {
        /* Rust usize::from_str: optional '+', then at least one digit, no overflow */
        const uint8_t *p = ny_str_bytes(ks);
        int32_t n = ny_str_len(ks), k = 0;
        uint64_t idx = 0;
        int ok = 1;
        if (n > 0 && p[0] == '+') k = 1;
        if (k >= n) ok = 0;
        for (; k < n && ok; k++) {
            if (p[k] < '0' || p[k] > '9' || idx > 429496729u) ok = 0;
            else idx = idx * 10 + (uint64_t)(p[k] - '0');
        }
        if (ok && idx < (uint64_t)j->n) r = to_nyash(j->v.items[idx]);
    }
    ny_release_str(ks);
    return r;
}

NY_EXPORT(json_has) int32_t json_has(int32_t root, ny_value key) {
    const JVal *j = (const JVal *)(uintptr_t)root;
    if (j->type != J_OBJ) return 0;
    int32_t ks = ny_to_string(key);
    int32_t at = obj_find(j, ks);
    ny_release_str(ks);
    return at >= 0;
}

NY_EXPORT(json_keys) int32_t json_keys(int32_t root) {
    const JVal *j = (const JVal *)(uintptr_t)root;
    int32_t a = ny_arr_new();
    if (j->type == J_OBJ)
        for (int32_t k = 0; k < j->n; k++) ny_arr_push_v(a, ny_strv(j->v.pairs[k].key));
    return a;
}

/* 1 = stored, 0 = not an object, -1 = value nested too deeply (error raised) */
NY_EXPORT(json_set) int32_t json_set(int32_t root, ny_value key, ny_value value) {
    JVal *j = (JVal *)(uintptr_t)root;
    if (j->type != J_OBJ) return 0;
    depth_error = 0;
    JVal *val = from_nyash(value, 1);
    if (depth_error) {
        depth_error = 0;
        jv_free(val);
        ny_raise_c("JSONBox.set: the value is nested more than 128 levels deep (or contains itself)");
        return -1;
    }
    obj_put(j, ny_to_string(key), val);
    return 1;
}
