/* regex.c: the regular expressions of RegexBox, with the syntax and the match results
 * of upstream's engine (Rust `regex` 1.7 / regex-syntax 0.6.27, Unicode 14.0) and a
 * linear-time matcher (docs/boxes.md "RegexBox").
 *
 *   pattern --parse--> AST --compile (flags applied)--> program --Pike VM--> matches
 *
 * The parser follows regex-syntax's structure, so patterns are accepted or refused the
 * same way and errors print the same "regex parse error:" text with carets under the
 * offending span.  The matcher is a Pike VM (Thompson NFA simulation with capture
 * slots): leftmost-first semantics like Rust's, time O(pattern size x text length), no
 * backtracking.  Text positions are byte offsets into UTF-8; matching is by code point.
 */
#include "nyrt.h"
#include "unicode_data.h"

/* ================================================================== small helpers */

static void *xalloc(int32_t n) { return ny_malloc(n > 0 ? n : 1); }

typedef struct { char *p; int32_t n, cap; } SB;  /* string builder */

static void sb_put(SB *b, const void *p, int32_t n) {
    if (b->n + n > b->cap) {
        int32_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n) cap *= 2;
        b->p = ny_mrealloc(b->p, cap);
        b->cap = cap;
    }
    __builtin_memcpy(b->p + b->n, p, n);
    b->n += n;
}
static void sb_c(SB *b, char c) { sb_put(b, &c, 1); }
static void sb_s(SB *b, const char *s) { sb_put(b, s, ny_cstr_len(s)); }
static void sb_u(SB *b, uint32_t u) {
    char t[12];
    int32_t d = 0;
    do { t[d++] = (char)('0' + u % 10); u /= 10; } while (u);
    while (d) sb_c(b, t[--d]);
}
static int32_t sb_str(SB *b) { int32_t s = ny_str_copy(b->p, b->n); if (b->p) ny_mfree(b->p); b->p = 0; return s; }

/* UTF-8 decode at p[i] (valid UTF-8 assumed, as Nyash strings are); *w = width */
static uint32_t dec(const uint8_t *p, int32_t i, int32_t *w) {
    uint32_t c = p[i];
    if (c < 0x80) { *w = 1; return c; }
    if (c < 0xE0) { *w = 2; return (c & 0x1F) << 6 | (p[i + 1] & 0x3F); }
    if (c < 0xF0) { *w = 3; return (c & 0x0F) << 12 | (p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F); }
    *w = 4;
    return (c & 0x07) << 18 | (p[i + 1] & 0x3F) << 12 | (p[i + 2] & 0x3F) << 6 | (p[i + 3] & 0x3F);
}

static int32_t enc(uint8_t *o, uint32_t c) {
    if (c < 0x80) { o[0] = (uint8_t)c; return 1; }
    if (c < 0x800) { o[0] = (uint8_t)(0xC0 | c >> 6); o[1] = (uint8_t)(0x80 | (c & 63)); return 2; }
    if (c < 0x10000) { o[0] = (uint8_t)(0xE0 | c >> 12); o[1] = (uint8_t)(0x80 | (c >> 6 & 63)); o[2] = (uint8_t)(0x80 | (c & 63)); return 3; }
    o[0] = (uint8_t)(0xF0 | c >> 18); o[1] = (uint8_t)(0x80 | (c >> 12 & 63)); o[2] = (uint8_t)(0x80 | (c >> 6 & 63)); o[3] = (uint8_t)(0x80 | (c & 63));
    return 4;
}

/* ================================================================== classes */

typedef struct { uint32_t lo, hi; } Rng;
typedef struct { Rng *r; int32_t n, cap; } Cls;

#define MAXCP 0x10FFFF

static void cls_add(Cls *c, uint32_t lo, uint32_t hi) {
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->r = ny_mrealloc(c->r, c->cap * (int32_t)sizeof(Rng));
    }
    c->r[c->n].lo = lo;
    c->r[c->n].hi = hi;
    c->n++;
}
static void cls_free(Cls *c) { if (c->r) ny_mfree(c->r); c->r = 0; c->n = c->cap = 0; }

/* sort by lo and merge overlapping or adjacent ranges */
static void cls_canon(Cls *c) {
    int32_t n = c->n;
    if (n < 2) return;
    Rng *a = c->r, *tmp = xalloc(n * (int32_t)sizeof(Rng));
    for (int32_t w = 1; w < n; w *= 2) {
        for (int32_t lo = 0; lo < n - w; lo += 2 * w) {
            int32_t mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n, i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = a[j].lo < a[i].lo ? a[j++] : a[i++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
            for (k = lo; k < hi; k++) a[k] = tmp[k];
        }
    }
    ny_mfree(tmp);
    int32_t out = 0;
    for (int32_t k = 0; k < n; k++) {
        if (out && a[k].lo <= a[out - 1].hi + 1) {
            if (a[k].hi > a[out - 1].hi) a[out - 1].hi = a[k].hi;
        } else {
            a[out++] = a[k];
        }
    }
    c->n = out;
}

static void cls_union(Cls *a, const Cls *b) {
    for (int32_t k = 0; k < b->n; k++) cls_add(a, b->r[k].lo, b->r[k].hi);
    cls_canon(a);
}

/* complement over the Unicode scalar values (surrogates never occur in text) */
static void cls_negate(Cls *c) {
    cls_canon(c);
    Cls out = {0, 0, 0};
    uint32_t next = 0;
    for (int32_t k = 0; k < c->n; k++) {
        if (c->r[k].lo > next) cls_add(&out, next, c->r[k].lo - 1);
        next = c->r[k].hi + 1;
    }
    if (next <= MAXCP) cls_add(&out, next, MAXCP);
    cls_free(c);
    *c = out;
}

static void cls_intersect(Cls *a, const Cls *b) {
    Cls out = {0, 0, 0};
    int32_t i = 0, j = 0;
    while (i < a->n && j < b->n) {
        uint32_t lo = a->r[i].lo > b->r[j].lo ? a->r[i].lo : b->r[j].lo;
        uint32_t hi = a->r[i].hi < b->r[j].hi ? a->r[i].hi : b->r[j].hi;
        if (lo <= hi) cls_add(&out, lo, hi);
        if (a->r[i].hi < b->r[j].hi) i++; else j++;
    }
    cls_free(a);
    *a = out;
}

static void cls_copy(Cls *dst, const Cls *src) {
    *dst = (Cls){0, 0, 0};
    for (int32_t k = 0; k < src->n; k++) cls_add(dst, src->r[k].lo, src->r[k].hi);
}

static void cls_difference(Cls *a, const Cls *b) {
    Cls nb;
    cls_copy(&nb, b);
    cls_negate(&nb);
    cls_intersect(a, &nb);
    cls_free(&nb);
}

static void cls_symdiff(Cls *a, const Cls *b) {
    Cls i;
    cls_copy(&i, a);
    cls_intersect(&i, b);
    cls_union(a, b);
    cls_difference(a, &i);
    cls_free(&i);
}

static int cls_has(const Cls *c, uint32_t ch) {
    int32_t lo = 0, hi = c->n - 1;
    while (lo <= hi) {
        int32_t mid = (lo + hi) >> 1;
        if (ch < c->r[mid].lo) hi = mid - 1;
        else if (ch > c->r[mid].hi) lo = mid + 1;
        else return 1;
    }
    return 0;
}

/* ---- Unicode data */

static int32_t fold_find(uint32_t c) {   /* index in FOLD of c, or -1 */
    int32_t lo = 0, hi = FOLD_N - 1;
    while (lo <= hi) {
        int32_t mid = (lo + hi) >> 1;
        uint32_t k = FOLD[mid] >> 11;
        if (k == c) return mid;
        if (k < c) lo = mid + 1; else hi = mid - 1;
    }
    return -lo - 1;
}

/* add the simple case-fold equivalents of every character in the class */
static void cls_fold(Cls *c) {
    int32_t n = c->n;
    for (int32_t k = 0; k < n; k++) {
        uint32_t lo = c->r[k].lo, hi = c->r[k].hi;
        int32_t at = fold_find(lo);
        if (at < 0) at = -at - 1;
        for (; at < FOLD_N && (FOLD[at] >> 11) <= hi; at++) {
            uint32_t x = FOLD[at] >> 11;
            for (;;) {  /* walk the orbit */
                int32_t i = fold_find(x);
                uint32_t nx = (uint32_t)((int32_t)x + FOLD_DELTA[FOLD[i] & 0x7FF]);
                if (nx == (FOLD[at] >> 11)) break;
                cls_add(c, nx, nx);
                x = nx;
            }
        }
    }
    cls_canon(c);
}

static void cls_from_pairs(Cls *c, const uint32_t *p, int32_t n) {
    for (int32_t k = 0; k < n; k++) cls_add(c, p[2 * k], p[2 * k + 1]);
}

static void cls_prop(Cls *c, int32_t id) {
    const uint8_t *p = PROP_DATA + PROP_INDEX[2 * (id - PROP_FIRST)];
    int32_t n = (int32_t)PROP_INDEX[2 * (id - PROP_FIRST) + 1];
    uint32_t prev = 0;
    for (int32_t k = 0; k < n; k++) {
        uint32_t v[2];
        for (int j = 0; j < 2; j++) {
            uint32_t x = 0;
            int sh = 0;
            for (;;) { uint8_t b = *p++; x |= (uint32_t)(b & 0x7F) << sh; sh += 7; if (!(b & 0x80)) break; }
            v[j] = x;
        }
        uint32_t lo = prev + v[0], hi = lo + v[1];
        cls_add(c, lo, hi);
        prev = hi;
    }
}

static void cls_gc(Cls *c, uint32_t mask) {
    for (int32_t k = 0; k < GC_NRUNS; k++) {
        if (mask >> (GC_RUNS[k] & 31) & 1) {
            uint32_t lo = GC_RUNS[k] >> 5, hi = k + 1 < GC_NRUNS ? (GC_RUNS[k + 1] >> 5) - 1 : MAXCP;
            cls_add(c, lo, hi);
        }
    }
    cls_canon(c);
}

static void cls_script(Cls *c, uint32_t id) {
    for (int32_t k = 0; k < SC_NRUNS; k++) {
        if ((SC_RUNS[k] & 255) == id) {
            uint32_t lo = SC_RUNS[k] >> 8, hi = k + 1 < SC_NRUNS ? (SC_RUNS[k + 1] >> 8) - 1 : MAXCP;
            cls_add(c, lo, hi);
        }
    }
    cls_canon(c);
}

static int is_word_char(uint32_t c) {
    if (c < 128) return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    int32_t lo = 0, hi = PERL_WORD_N - 1;
    while (lo <= hi) {
        int32_t mid = (lo + hi) >> 1;
        if (c < PERL_WORD[2 * mid]) hi = mid - 1;
        else if (c > PERL_WORD[2 * mid + 1]) lo = mid + 1;
        else return 1;
    }
    return 0;
}

/* find "gc:name" etc. in UNAMES; returns (kind << 8) | id, or -1 */
static int32_t uname_lookup(const char *prefix, const char *name, int32_t nlen) {
    char key[80];
    int32_t kn = 0;
    for (; *prefix; prefix++) key[kn++] = *prefix;
    if (kn + nlen >= (int32_t)sizeof key) return -1;
    for (int32_t k = 0; k < nlen; k++) key[kn++] = name[k];
    const char *p = UNAMES;
    for (int32_t i = 0; i < UNAMES_N; i++) {   /* linear: 650 short names, compile time only */
        int32_t k = 0;
        while (k < kn && p[k] == key[k]) k++;
        if (k == kn && p[k] == 0) return UNAMES_VAL[i];
        while (*p) p++;
        p++;
    }
    return -1;
}

/* ================================================================== AST */

typedef struct { int32_t off, line, col; } Pos;
typedef struct { Pos s, e; } Span;

enum {
    A_EMPTY, A_LIT, A_DOT, A_ASSERT, A_PERL, A_UNICODE, A_BRACKET, A_REP, A_GROUP, A_FLAGS, A_CONCAT, A_ALT,
    /* class set items */
    S_LIT, S_RANGE, S_ASCII, S_UNION, S_OP
};
enum { AS_START_LINE, AS_END_LINE, AS_START_TEXT, AS_END_TEXT, AS_WORD, AS_NOT_WORD, AS_WORD_ASCII, AS_NOT_WORD_ASCII };
enum { F_I = 1, F_M = 2, F_S = 4, F_U = 8, F_UNI = 16, F_X = 32 };
enum { OPK_AND, OPK_MINUS, OPK_XOR };

typedef struct Node Node;
struct Node {
    uint8_t kind, neg, greedy, opk;
    Span span;
    uint32_t c, c2;             /* literal / range; assertion / perl / ascii kind */
    int32_t min, max;           /* repetition (max -1 = unbounded) */
    int32_t cap;                /* capture index, 0 = non-capturing */
    uint16_t fon, foff;         /* flags set / cleared */
    int32_t name_off, name_len; /* \p{...} name (and value after name_len2) */
    int32_t val_off, val_len;   /* -1 when there is no "=value" part */
    Node *kid, *last, *next;    /* children list; for S_OP: kid = lhs, last = rhs */
    int32_t h;                  /* nesting height as regex-syntax's NestLimiter counts it */
    Node *arena_next;
};

typedef struct {
    int kind;                   /* 0 = none */
    const char *msg;
    Span span, aux;
    int has_aux;
} RxErr;

typedef struct {
    const uint8_t *p;
    int32_t len;
    Pos pos;
    int ignore_ws;
    int32_t ncap;
    Node *arena;
    RxErr err;
    /* capture names: (name_off, name_len, index) and their spans */
    int32_t *names;
    Span *name_spans;
    int32_t nnames, names_cap;
} Parser;

/* height of a concatenation / class union: a single item stands for itself */
static int32_t list_h(Node *list) {
    int32_t n = 0, m = 0;
    for (Node *k = list->kid; k; k = k->next) { n++; if (k->h > m) m = k->h; }
    return n >= 2 ? m + 1 : m;
}

static Node *node(Parser *P, int kind, Span sp) {
    Node *n = xalloc(sizeof(Node));
    __builtin_memset(n, 0, sizeof(Node));
    n->kind = (uint8_t)kind;
    n->span = sp;
    n->val_off = -1;
    n->arena_next = P->arena;
    P->arena = n;
    return n;
}

static void kid_add(Node *parent, Node *k) {
    k->next = 0;
    if (!parent->kid) parent->kid = k; else parent->last->next = k;
    parent->last = k;
}

static void *perr(Parser *P, Span sp, const char *msg) {
    if (!P->err.kind) { P->err.kind = 1; P->err.msg = msg; P->err.span = sp; }
    return 0;
}
static void *perr_aux(Parser *P, Span sp, Span aux, const char *msg) {
    if (!P->err.kind) { P->err.kind = 1; P->err.msg = msg; P->err.span = sp; P->err.aux = aux; P->err.has_aux = 1; }
    return 0;
}

static int eof(Parser *P) { return P->pos.off >= P->len; }
static uint32_t ch(Parser *P) { int32_t w; return dec(P->p, P->pos.off, &w); }
static uint32_t ch_at(Parser *P, int32_t off) { int32_t w; return dec(P->p, off, &w); }
static int32_t chw(Parser *P) { int32_t w; dec(P->p, P->pos.off, &w); return w; }

static int bump(Parser *P) {
    if (eof(P)) return 0;
    if (ch(P) == '\n') { P->pos.line++; P->pos.col = 1; } else P->pos.col++;
    P->pos.off += chw(P);
    return !eof(P);
}

static int bump_if(Parser *P, const char *s) {
    int32_t n = ny_cstr_len(s);
    if (P->pos.off + n > P->len) return 0;
    for (int32_t k = 0; k < n; k++) if (P->p[P->pos.off + k] != (uint8_t)s[k]) return 0;
    for (int32_t k = 0; k < n; k++) bump(P);
    return 1;
}

static int is_ws(uint32_t c) {   /* char::is_whitespace (White_Space) */
    for (int32_t k = 0; k < PERL_SPACE_N; k++)
        if (c >= PERL_SPACE[2 * k] && c <= PERL_SPACE[2 * k + 1]) return 1;
    return 0;
}

static void bump_space(Parser *P) {
    if (!P->ignore_ws) return;
    while (!eof(P)) {
        if (is_ws(ch(P))) bump(P);
        else if (ch(P) == '#') {
            bump(P);
            while (!eof(P)) {
                uint32_t c = ch(P);
                bump(P);
                if (c == '\n') break;
            }
        } else break;
    }
}

static int bump_and_bump_space(Parser *P) {
    if (!bump(P)) return 0;
    bump_space(P);
    return !eof(P);
}

static int32_t peek(Parser *P) {   /* next char after the current, or -1 */
    if (eof(P)) return -1;
    int32_t o = P->pos.off + chw(P);
    return o < P->len ? (int32_t)ch_at(P, o) : -1;
}

static int32_t peek_space(Parser *P) {
    if (!P->ignore_ws) return peek(P);
    if (eof(P)) return -1;
    int32_t o = P->pos.off + chw(P);
    int in_comment = 0;
    while (o < P->len) {
        int32_t w;
        uint32_t c = dec(P->p, o, &w);
        if (is_ws(c)) { o += w; continue; }
        if (!in_comment && c == '#') { in_comment = 1; o += w; continue; }
        if (in_comment && c == '\n') { in_comment = 0; o += w; continue; }
        if (in_comment) { o += w; continue; }
        return (int32_t)c;
    }
    return -1;
}

static Span span_here(Parser *P) { Span s = {P->pos, P->pos}; return s; }
static Span span_char(Parser *P) {
    Span s = {P->pos, P->pos};
    s.e.off += chw(P);
    if (ch(P) == '\n') { s.e.line++; s.e.col = 1; } else s.e.col++;
    return s;
}
static Span span2(Pos a, Pos b) { Span s = {a, b}; return s; }

static int is_meta(uint32_t c) {
    switch (c) {
    case '\\': case '.': case '+': case '*': case '?': case '(': case ')': case '|': case '[': case ']':
    case '{': case '}': case '^': case '$': case '#': case '&': case '-': case '~': return 1;
    default: return 0;
    }
}
static int is_hex(uint32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static uint32_t hexval(uint32_t c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; }

/* ---- primitives (a node whose kind is A_LIT, A_ASSERT, A_DOT, A_PERL or A_UNICODE) */

static Node *parse_hex(Parser *P, Pos start) {
    uint32_t kind = ch(P);   /* x, u or U */
    int digits = kind == 'x' ? 2 : kind == 'u' ? 4 : 8;
    if (!bump_and_bump_space(P)) return perr(P, span_here(P), "incomplete escape sequence, reached end of pattern prematurely");
    uint64_t v = 0;
    if (ch(P) == '{') {
        Pos brace = P->pos;
        Pos hstart = span_char(P).e;
        int32_t nd = 0;
        while (bump_and_bump_space(P) && ch(P) != '}') {
            if (!is_hex(ch(P))) return perr(P, span_char(P), "invalid hexadecimal digit");
            if (v < 0x100000000ull) v = v * 16 + hexval(ch(P));
            nd++;
        }
        if (eof(P)) return perr(P, span2(brace, P->pos), "incomplete escape sequence, reached end of pattern prematurely");
        Pos hend = P->pos;
        bump_and_bump_space(P);
        if (nd == 0) return perr(P, span2(brace, P->pos), "hexadecimal literal empty");
        if (nd > 8 || v > MAXCP || (v >= 0xD800 && v <= 0xDFFF))
            return perr(P, span2(hstart, hend), "hexadecimal literal is not a Unicode scalar value");
        Node *n = node(P, A_LIT, span2(start, P->pos));
        n->c = (uint32_t)v;
        return n;
    }
    Pos hstart = P->pos;
    for (int i = 0; i < digits; i++) {
        if (i > 0 && !bump_and_bump_space(P)) return perr(P, span_here(P), "incomplete escape sequence, reached end of pattern prematurely");
        if (!is_hex(ch(P))) return perr(P, span_char(P), "invalid hexadecimal digit");
        v = v * 16 + hexval(ch(P));
    }
    bump_and_bump_space(P);
    if (v > MAXCP || (v >= 0xD800 && v <= 0xDFFF))
        return perr(P, span2(hstart, P->pos), "hexadecimal literal is not a Unicode scalar value");
    Node *n = node(P, A_LIT, span2(start, P->pos));
    n->c = (uint32_t)v;
    return n;
}

static Node *parse_unicode_class(Parser *P, Pos start) {
    int neg = ch(P) == 'P';
    if (!bump_and_bump_space(P)) return perr(P, span_here(P), "incomplete escape sequence, reached end of pattern prematurely");
    Node *n;
    if (ch(P) == '{') {
        /* the name is the chars up to '}' (spaces skipped under x) */
        int32_t name_start = P->pos.off + 1, name_end;
        SB name = {0, 0, 0};
        while (bump_and_bump_space(P) && ch(P) != '}') {
            uint8_t tmp[4];
            sb_put(&name, tmp, enc(tmp, ch(P)));
        }
        if (eof(P)) { if (name.p) ny_mfree(name.p); return perr(P, span_here(P), "incomplete escape sequence, reached end of pattern prematurely"); }
        name_end = P->pos.off;
        (void)name_start; (void)name_end;
        bump(P);
        n = node(P, A_UNICODE, span2(start, P->pos));
        /* store the collected name in the node (owned copy) */
        n->name_off = (int32_t)(uintptr_t)name.p;
        n->name_len = name.n;
        n->c2 = 1;  /* owns name buffer */
        /* split name=value / name:value / name!=value */
        for (int32_t k = 0; k < name.n; k++) {
            /* (regex-syntax 0.6.27 does not negate for "!=": it reads the negated flag only) */
            if (name.p[k] == '!' && k + 1 < name.n && name.p[k + 1] == '=') { n->val_off = k + 2; n->name_len = k; break; }
        }
        if (n->val_off < 0)
            for (int32_t k = 0; k < name.n; k++) if (name.p[k] == ':') { n->val_off = k + 1; n->name_len = k; break; }
        if (n->val_off < 0)
            for (int32_t k = 0; k < name.n; k++) if (name.p[k] == '=') { n->val_off = k + 1; n->name_len = k; break; }
        if (n->val_off >= 0) n->val_len = name.n - n->val_off;
    } else {
        Pos s = P->pos;
        uint32_t c = ch(P);
        if (c == '\\') return perr(P, span_char(P), "invalid Unicode character class");
        bump_and_bump_space(P);
        (void)s;
        n = node(P, A_UNICODE, span2(start, P->pos));
        SB name = {0, 0, 0};
        uint8_t tmp[4];
        sb_put(&name, tmp, enc(tmp, c));
        n->name_off = (int32_t)(uintptr_t)name.p;
        n->name_len = name.n;
        n->c2 = 1;
        n->c = 1;  /* one letter */
    }
    n->neg ^= (uint8_t)neg;
    return n;
}

static Node *parse_escape(Parser *P) {
    Pos start = P->pos;
    if (!bump(P)) return perr(P, span2(start, P->pos), "incomplete escape sequence, reached end of pattern prematurely");
    uint32_t c = ch(P);
    if (c >= '0' && c <= '9') return perr(P, span2(start, span_char(P).e), "backreferences are not supported");
    if (c == 'x' || c == 'u' || c == 'U') return parse_hex(P, start);
    if (c == 'p' || c == 'P') return parse_unicode_class(P, start);
    if (c == 'd' || c == 's' || c == 'w' || c == 'D' || c == 'S' || c == 'W') {
        bump(P);
        Node *n = node(P, A_PERL, span2(start, P->pos));
        n->c2 = (c | 32) == 'd' ? 0 : (c | 32) == 's' ? 1 : 2;
        n->neg = c < 'a';
        return n;
    }
    bump(P);
    Span sp = span2(start, P->pos);
    Node *n;
    if (is_meta(c)) { n = node(P, A_LIT, sp); n->c = c; return n; }
    uint32_t lit;
    switch (c) {
    case 'a': lit = 7; break;
    case 'f': lit = 12; break;
    case 't': lit = 9; break;
    case 'n': lit = 10; break;
    case 'r': lit = 13; break;
    case 'v': lit = 11; break;
    case ' ': if (P->ignore_ws) { lit = ' '; break; } return perr(P, sp, "unrecognized escape sequence");
    case 'A': n = node(P, A_ASSERT, sp); n->c2 = AS_START_TEXT; return n;
    case 'z': n = node(P, A_ASSERT, sp); n->c2 = AS_END_TEXT; return n;
    case 'b': n = node(P, A_ASSERT, sp); n->c2 = AS_WORD; return n;
    case 'B': n = node(P, A_ASSERT, sp); n->c2 = AS_NOT_WORD; return n;
    default: return perr(P, sp, "unrecognized escape sequence");
    }
    n = node(P, A_LIT, sp);
    n->c = lit;
    return n;
}

static Node *parse_primitive(Parser *P) {
    uint32_t c = ch(P);
    if (c == '\\') return parse_escape(P);
    Span sp = span_char(P);
    Node *n;
    if (c == '.') n = node(P, A_DOT, sp);
    else if (c == '^') { n = node(P, A_ASSERT, sp); n->c2 = AS_START_LINE; }
    else if (c == '$') { n = node(P, A_ASSERT, sp); n->c2 = AS_END_LINE; }
    else { n = node(P, A_LIT, sp); n->c = c; }
    bump(P);
    return n;
}

/* ---- repetition */

static int32_t parse_decimal(Parser *P, uint32_t *out) {  /* 1 ok, 0 error (set) */
    while (!eof(P) && is_ws(ch(P))) bump(P);
    Pos start = P->pos;
    uint64_t v = 0;
    int32_t nd = 0;
    while (!eof(P) && ch(P) >= '0' && ch(P) <= '9') {
        if (v <= 0xFFFFFFFFull) v = v * 10 + (ch(P) - '0');
        nd++;
        bump_and_bump_space(P);
    }
    Span sp = span2(start, P->pos);
    while (!eof(P) && is_ws(ch(P))) bump_and_bump_space(P);
    if (nd == 0) { perr(P, sp, "repetition quantifier expects a valid decimal"); return 0; }
    if (v > 0xFFFFFFFFull) { perr(P, sp, "decimal literal invalid"); return 0; }
    *out = (uint32_t)v;
    return 1;
}

static int rep_target_ok(Node *concat) {
    return concat->last && concat->last->kind != A_EMPTY && concat->last->kind != A_FLAGS;
}

static Node *pop_last(Node *concat) {
    Node *last = concat->last, *k = concat->kid;
    if (k == last) { concat->kid = concat->last = 0; return last; }
    while (k->next != last) k = k->next;
    k->next = 0;
    concat->last = k;
    return last;
}

static int parse_uncounted(Parser *P, Node *concat) {
    uint32_t op = ch(P);
    Pos op_start = P->pos;
    (void)op_start;
    if (!rep_target_ok(concat)) { perr(P, span_here(P), "repetition operator missing expression"); return 0; }
    Node *target = pop_last(concat);
    int greedy = 1;
    if (bump(P) && ch(P) == '?') { greedy = 0; bump(P); }
    Node *r = node(P, A_REP, span2(target->span.s, P->pos));
    r->min = op == '+' ? 1 : 0;
    r->max = op == '?' ? 1 : -1;
    r->greedy = (uint8_t)greedy;
    r->h = target->h + 1;
    kid_add(r, target);
    kid_add(concat, r);
    return 1;
}

static int parse_counted(Parser *P, Node *concat) {
    Pos start = P->pos;
    if (!rep_target_ok(concat)) { perr(P, span_here(P), "repetition operator missing expression"); return 0; }
    Node *target = pop_last(concat);
    if (!bump_and_bump_space(P)) { perr(P, span2(start, P->pos), "unclosed counted repetition"); return 0; }
    uint32_t lo, hi;
    if (!parse_decimal(P, &lo)) return 0;
    int32_t max = (int32_t)lo;
    int bounded = 1;
    if (eof(P)) { perr(P, span2(start, P->pos), "unclosed counted repetition"); return 0; }
    if (ch(P) == ',') {
        if (!bump_and_bump_space(P)) { perr(P, span2(start, P->pos), "unclosed counted repetition"); return 0; }
        if (ch(P) != '}') {
            if (!parse_decimal(P, &hi)) return 0;
            max = (int32_t)hi;
            if (hi > 0x7FFFFFFF) max = 0x7FFFFFFF;
        } else {
            bounded = 0;
            max = -1;
        }
    }
    if (eof(P) || ch(P) != '}') { perr(P, span2(start, P->pos), "unclosed counted repetition"); return 0; }
    int greedy = 1;
    if (bump_and_bump_space(P) && ch(P) == '?') { greedy = 0; bump(P); }
    Span op = span2(start, P->pos);
    if (bounded && max >= 0 && (uint32_t)max < lo) { perr(P, op, "invalid repetition count range, the start must be <= the end"); return 0; }
    Node *r = node(P, A_REP, span2(target->span.s, P->pos));
    r->min = lo > 0x7FFFFFFF ? 0x7FFFFFFF : (int32_t)lo;
    r->max = max;
    r->greedy = (uint8_t)greedy;
    r->h = target->h + 1;
    kid_add(r, target);
    kid_add(concat, r);
    return 1;
}

/* ---- groups and flags */

typedef struct { Node *concat; Node *group; Node *alt; int ignore_ws; } GFrame;

static int parse_flags(Parser *P, uint16_t *on, uint16_t *off, int *nitems) {
    Span items[16];
    uint32_t kinds[16];
    int n = 0, neg = 0;
    Span last_neg;
    int last_was_neg = 0;
    *on = *off = 0;
    while (ch(P) != ':' && ch(P) != ')') {
        uint32_t c = ch(P);
        uint32_t kind;
        if (c == '-') kind = '-';
        else {
            switch (c) {
            case 'i': case 'm': case 's': case 'U': case 'u': case 'x': kind = c; break;
            default: perr(P, span_char(P), "unrecognized flag"); return 0;
            }
        }
        for (int k = 0; k < n; k++)
            if (kinds[k] == kind) {
                perr_aux(P, span_char(P), items[k], kind == '-' ? "flag negation operator repeated" : "duplicate flag");
                return 0;
            }
        if (n < 16) { items[n] = span_char(P); kinds[n] = kind; n++; }
        if (kind == '-') { neg = 1; last_was_neg = 1; last_neg = span_char(P); }
        else {
            last_was_neg = 0;
            uint16_t bit = c == 'i' ? F_I : c == 'm' ? F_M : c == 's' ? F_S : c == 'U' ? F_U : c == 'u' ? F_UNI : F_X;
            if (neg) *off |= bit; else *on |= bit;
        }
        if (!bump(P)) { perr(P, span_here(P), "expected flag but got end of regex"); return 0; }
    }
    if (last_was_neg) { perr(P, last_neg, "dangling flag negation operator"); return 0; }
    *nitems = n;
    return 1;
}

static int is_capture_char(uint32_t c, int first) {
    return c == '_' || (!first && ((c >= '0' && c <= '9') || c == '.' || c == '[' || c == ']'))
        || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* returns: 1 group pushed (*grp set), 2 flags only (*grp = flags node), 0 error */
static int parse_group(Parser *P, Node **grp) {
    Span open = span_char(P);
    bump(P);
    bump_space(P);
    if (bump_if(P, "?=") || bump_if(P, "?!") || bump_if(P, "?<=") || bump_if(P, "?<!")) {
        perr(P, span2(open.s, P->pos), "look-around, including look-ahead and look-behind, is not supported");
        return 0;
    }
    Span inner = span_here(P);
    if (bump_if(P, "?P<")) {
        int32_t idx = ++P->ncap;
        if (eof(P)) { perr(P, span_here(P), "unclosed capture group name"); return 0; }
        Pos start = P->pos;
        for (;;) {
            if (ch(P) == '>') break;
            if (!is_capture_char(ch(P), P->pos.off == start.off)) { perr(P, span_char(P), "invalid capture group character"); return 0; }
            if (!bump(P)) break;
        }
        Pos end = P->pos;
        if (eof(P)) { perr(P, span_here(P), "unclosed capture group name"); return 0; }
        bump(P);
        int32_t nlen = end.off - start.off;
        if (nlen == 0) { perr(P, span2(start, start), "empty capture group name"); return 0; }
        for (int32_t k = 0; k < P->nnames; k++) {
            int32_t o = P->names[3 * k], l = P->names[3 * k + 1];
            if (l == nlen && __builtin_memcmp(P->p + o, P->p + start.off, nlen) == 0) {
                /* the first definition's span is shown too */
                perr_aux(P, span2(start, end), P->name_spans[k], "duplicate capture group name");
                return 0;
            }
        }
        if (P->nnames == P->names_cap) {
            P->names_cap = P->names_cap ? P->names_cap * 2 : 4;
            P->names = ny_mrealloc(P->names, P->names_cap * 3 * 4);
            P->name_spans = ny_mrealloc(P->name_spans, P->names_cap * (int32_t)sizeof(Span));
        }
        P->name_spans[P->nnames] = span2(start, end);
        P->names[3 * P->nnames] = start.off;
        P->names[3 * P->nnames + 1] = nlen;
        P->names[3 * P->nnames + 2] = idx;
        P->nnames++;
        Node *g = node(P, A_GROUP, open);
        g->cap = idx;
        *grp = g;
        return 1;
    }
    if (bump_if(P, "?")) {
        if (eof(P)) { perr(P, open, "unclosed group"); return 0; }
        uint16_t on, off;
        int nitems;
        if (!parse_flags(P, &on, &off, &nitems)) return 0;
        uint32_t end = ch(P);
        bump(P);
        if (end == ')') {
            if (nitems == 0) { perr(P, inner, "repetition operator missing expression"); return 0; }
            Node *f = node(P, A_FLAGS, span2(open.s, P->pos));
            f->fon = on;
            f->foff = off;
            if (on & F_X) P->ignore_ws = 1;
            if (off & F_X) P->ignore_ws = 0;
            *grp = f;
            return 2;
        }
        Node *g = node(P, A_GROUP, open);
        g->fon = on;
        g->foff = off;
        g->c2 = 1;  /* has flags */
        *grp = g;
        return 1;
    }
    Node *g = node(P, A_GROUP, open);
    g->cap = ++P->ncap;
    *grp = g;
    return 1;
}

/* ---- character classes */

typedef struct { Node *set; Node *uni; int is_op; uint8_t opk; Node *lhs; } CFrame;

static Node *cls_item_from_prim(Parser *P, Node *prim) {
    if (prim->kind == A_LIT) { prim->kind = S_LIT; return prim; }
    if (prim->kind == A_PERL || prim->kind == A_UNICODE) return prim;
    return perr(P, prim->span, "invalid escape sequence found in character class");
}

static Node *parse_set_item(Parser *P) {
    if (ch(P) == '\\') return parse_escape(P);
    Node *n = node(P, A_LIT, span_char(P));
    n->c = ch(P);
    bump(P);
    return n;
}

static const char *const ASCII_NAMES[] = {"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
                                          "lower", "print", "punct", "space", "upper", "word", "xdigit"};

static Node *maybe_ascii_class(Parser *P) {
    Pos start = P->pos;
    int neg = 0;
    if (!bump(P) || ch(P) != ':') { P->pos = start; return 0; }
    if (!bump(P)) { P->pos = start; return 0; }
    if (ch(P) == '^') { neg = 1; if (!bump(P)) { P->pos = start; return 0; } }
    int32_t ns = P->pos.off;
    while (ch(P) != ':' && bump(P)) {}
    if (eof(P)) { P->pos = start; return 0; }
    int32_t ne = P->pos.off;
    if (!bump_if(P, ":]")) { P->pos = start; return 0; }
    for (uint32_t k = 0; k < sizeof ASCII_NAMES / sizeof ASCII_NAMES[0]; k++) {
        int32_t l = ny_cstr_len(ASCII_NAMES[k]);
        if (l == ne - ns && __builtin_memcmp(ASCII_NAMES[k], P->p + ns, l) == 0) {
            Node *n = node(P, S_ASCII, span2(start, P->pos));
            n->c2 = k;
            n->neg = (uint8_t)neg;
            return n;
        }
    }
    P->pos = start;
    return 0;
}

static Node *parse_set_class(Parser *P) {
    CFrame stack[300];
    int sp = 0;
    Node *uni = node(P, S_UNION, span_here(P));
    for (;;) {
        bump_space(P);
        if (eof(P)) goto unclosed;
        uint32_t c = ch(P);
        if (c == '[') {
            if (sp > 0) {
                Node *a = maybe_ascii_class(P);
                if (a) { kid_add(uni, a); continue; }
            }
            /* parse_set_class_open */
            Pos start = P->pos;
            if (!bump_and_bump_space(P)) return perr(P, span2(start, P->pos), "unclosed character class");
            int neg = 0;
            if (ch(P) == '^') {
                neg = 1;
                if (!bump_and_bump_space(P)) return perr(P, span2(start, P->pos), "unclosed character class");
            }
            Node *nu = node(P, S_UNION, span_here(P));
            while (ch(P) == '-') {
                Node *l = node(P, S_LIT, span_char(P));
                l->c = '-';
                kid_add(nu, l);
                if (!bump_and_bump_space(P)) return perr(P, span2(start, start), "unclosed character class");
            }
            if (!nu->kid && ch(P) == ']') {
                Node *l = node(P, S_LIT, span_char(P));
                l->c = ']';
                kid_add(nu, l);
                if (!bump_and_bump_space(P)) return perr(P, span2(start, P->pos), "unclosed character class");
            }
            Node *set = node(P, A_BRACKET, span2(start, P->pos));
            set->neg = (uint8_t)neg;
            if (sp >= 299) return perr(P, set->span, "exceed the maximum number of nested parentheses/brackets (250)");
            stack[sp].is_op = 0;
            stack[sp].set = set;
            stack[sp].uni = uni;
            sp++;
            uni = nu;
        } else if (c == ']') {
            /* pop_class: fold a pending op into the union */
            Node *item = uni;
            item->h = list_h(item);
            if (sp > 0 && stack[sp - 1].is_op) {
                sp--;
                Node *op = node(P, S_OP, span2(stack[sp].lhs->span.s, item->span.e));
                op->opk = stack[sp].opk;
                op->kid = stack[sp].lhs;
                op->last = item;
                op->h = 1 + (op->kid->h > item->h ? op->kid->h : item->h);
                item = op;
            }
            sp--;
            Node *set = stack[sp].set;
            bump(P);
            set->span.e = P->pos;
            set->kid = set->last = item;
            item->next = 0;
            set->h = item->h + 1;
            if (sp == 0) return set;
            uni = stack[sp].uni;
            kid_add(uni, set);
        } else if ((c == '&' || c == '-' || c == '~') && peek(P) == (int32_t)c) {
            bump(P);
            bump(P);
            uint8_t k = c == '&' ? OPK_AND : c == '-' ? OPK_MINUS : OPK_XOR;
            Node *item = uni;
            item->h = list_h(item);
            if (sp > 0 && stack[sp - 1].is_op) {
                sp--;
                Node *op = node(P, S_OP, span2(stack[sp].lhs->span.s, item->span.e));
                op->opk = stack[sp].opk;
                op->kid = stack[sp].lhs;
                op->last = item;
                op->h = 1 + (op->kid->h > item->h ? op->kid->h : item->h);
                item = op;
            }
            if (sp >= 299) return perr(P, item->span, "exceed the maximum number of nested parentheses/brackets (250)");
            stack[sp].is_op = 1;
            stack[sp].opk = k;
            stack[sp].lhs = item;
            sp++;
            uni = node(P, S_UNION, span_here(P));
        } else {
            /* parse_set_class_range */
            Node *p1 = parse_set_item(P);
            if (!p1) return 0;
            bump_space(P);
            if (eof(P)) goto unclosed;
            if (ch(P) != '-' || peek_space(P) == ']' || peek_space(P) == '-') {
                Node *it = cls_item_from_prim(P, p1);
                if (!it) return 0;
                kid_add(uni, it);
                continue;
            }
            if (!bump_and_bump_space(P)) goto unclosed;
            Node *p2 = parse_set_item(P);
            if (!p2) return 0;
            Span rs = span2(p1->span.s, p2->span.e);
            if (p1->kind != A_LIT) return perr(P, p1->span, "invalid range boundary, must be a literal");
            if (p2->kind != A_LIT) return perr(P, p2->span, "invalid range boundary, must be a literal");
            if (p1->c > p2->c) return perr(P, rs, "invalid character class range, the start must be <= the end");
            Node *r = node(P, S_RANGE, rs);
            r->c = p1->c;
            r->c2 = p2->c;
            kid_add(uni, r);
        }
    }
unclosed:
    for (int k = sp - 1; k >= 0; k--)
        if (!stack[k].is_op) return perr(P, stack[k].set->span, "unclosed character class");
    return perr(P, span_here(P), "unclosed character class");
}

/* ---- the whole pattern */

static Node *concat_new(Parser *P) { return node(P, A_CONCAT, span_here(P)); }

static int32_t max_kid_h(Node *n) {
    int32_t m = 0;
    for (Node *k = n->kid; k; k = k->next) if (k->h > m) m = k->h;
    return m;
}

static Node *parse_pattern(Parser *P) {
    GFrame stack[300];
    int sp = 0;
    Node *concat = concat_new(P);
    Node *alt = 0;   /* alternation at this level, if any */
    for (;;) {
        bump_space(P);
        if (eof(P)) break;
        uint32_t c = ch(P);
        if (c == '(') {
            Node *g;
            int r = parse_group(P, &g);
            if (!r) return 0;
            if (r == 2) { kid_add(concat, g); continue; }
            if (sp >= 299) return perr(P, g->span, "exceed the maximum number of nested parentheses/brackets (250)");
            stack[sp].concat = concat;
            stack[sp].group = g;
            stack[sp].alt = alt;
            stack[sp].ignore_ws = P->ignore_ws;
            sp++;
            if (g->c2) {  /* (?flags:...) */
                if (g->fon & F_X) P->ignore_ws = 1;
                if (g->foff & F_X) P->ignore_ws = 0;
            }
            concat = concat_new(P);
            alt = 0;
        } else if (c == ')') {
            if (sp == 0) return perr(P, span_char(P), "unopened group");
            sp--;
            concat->span.e = P->pos;
            concat->h = list_h(concat);
            Node *body = concat;
            if (alt) { kid_add(alt, concat); alt->span.e = concat->span.e; alt->h = 1 + max_kid_h(alt); body = alt; }
            P->ignore_ws = stack[sp].ignore_ws;
            bump(P);
            Node *g = stack[sp].group;
            g->span.e = P->pos;
            g->h = body->h + 1;
            kid_add(g, body);
            concat = stack[sp].concat;
            alt = stack[sp].alt;
            kid_add(concat, g);
        } else if (c == '|') {
            concat->span.e = P->pos;
            concat->h = list_h(concat);
            if (!alt) alt = node(P, A_ALT, span2(concat->span.s, P->pos));
            kid_add(alt, concat);
            bump(P);
            concat = concat_new(P);
        } else if (c == '[') {
            Node *cls = parse_set_class(P);
            if (!cls) return 0;
            kid_add(concat, cls);
        } else if (c == '?' || c == '*' || c == '+') {
            if (!parse_uncounted(P, concat)) return 0;
        } else if (c == '{') {
            if (!parse_counted(P, concat)) return 0;
        } else {
            Node *p = parse_primitive(P);
            if (!p) return 0;
            kid_add(concat, p);
        }
    }
    concat->span.e = P->pos;
    concat->h = list_h(concat);
    Node *top = concat;
    if (alt) { kid_add(alt, concat); alt->span.e = P->pos; alt->h = 1 + max_kid_h(alt); top = alt; }
    if (sp > 0) return perr(P, stack[sp - 1].group->span, "unclosed group");
    if (top->h > 250) return perr(P, top->span, "exceed the maximum number of nested parentheses/brackets (250)");
    return top;
}

/* ================================================================== program */

enum { OP_CHAR, OP_CLASS, OP_ANY, OP_ANYNL, OP_SPLIT, OP_JMP, OP_SAVE, OP_ASSERT, OP_MATCH };

typedef struct { uint8_t op; int32_t x, y; } Inst;

typedef struct {
    Inst *code;
    int32_t n, cap;
    Cls *classes;
    uint32_t *ascii;     /* 4 words of ASCII bitmap per class */
    int32_t ncls, ccap;
    int32_t ncap;        /* capture groups including group 0 */
    int32_t *names;      /* (name string object, index) pairs */
    int32_t nnames;
    int anchored;        /* starts with \A (or ^ without m) */
} Prog;

#define MAX_INSTS 262144  /* stands in for regex's 10 MB compiled-size limit */

typedef struct {
    Prog *prog;
    Parser *P;
    int too_big;
} Comp;

static int32_t emit(Comp *C, int op, int32_t x, int32_t y) {
    Prog *g = C->prog;
    if (g->n >= MAX_INSTS) { C->too_big = 1; return g->n; }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 32;
        g->code = ny_mrealloc(g->code, g->cap * (int32_t)sizeof(Inst));
    }
    g->code[g->n].op = (uint8_t)op;
    g->code[g->n].x = x;
    g->code[g->n].y = y;
    return g->n++;
}

static int32_t add_class(Comp *C, Cls *cls) {   /* takes ownership */
    Prog *g = C->prog;
    if (g->ncls == g->ccap) {
        g->ccap = g->ccap ? g->ccap * 2 : 4;
        g->classes = ny_mrealloc(g->classes, g->ccap * (int32_t)sizeof(Cls));
        g->ascii = ny_mrealloc(g->ascii, g->ccap * 16);
    }
    g->classes[g->ncls] = *cls;
    uint32_t *bm = g->ascii + 4 * g->ncls;
    bm[0] = bm[1] = bm[2] = bm[3] = 0;
    for (uint32_t c = 0; c < 128; c++)
        if (cls_has(cls, c)) bm[c >> 5] |= 1u << (c & 31);
    return g->ncls++;
}

/* the class of a class-set item under flags; returns 0 and sets the error on failure */
static int item_class(Comp *C, Node *n, uint16_t fl, Cls *out);

static int unicode_class(Comp *C, Node *n, uint16_t fl, Cls *out) {
    Parser *P = C->P;
    if (!(fl & F_UNI)) { perr(P, n->span, "Unicode not allowed here"); return 0; }
    const char *raw = (const char *)(uintptr_t)(uint32_t)n->name_off;
    char nm[64], vl[64];
    int32_t nn = 0, vn = 0;
    /* symbolic_name_normalize: drop an "is" prefix, spaces, '_' and '-', lowercase, ASCII only */
    const char *src = raw;
    int32_t len = n->name_len;
    for (int pass = 0; pass < 2; pass++) {
        char *dst = pass ? vl : nm;
        int32_t *dn = pass ? &vn : &nn;
        if (pass) {
            if (n->val_off < 0) break;
            src = raw + n->val_off;
            len = n->val_len;
        }
        int32_t start = 0, is = 0;
        if (len >= 2 && (src[0] | 32) == 'i' && (src[1] | 32) == 's') { start = 2; is = 1; }
        for (int32_t k = start; k < len; k++) {
            uint8_t b = (uint8_t)src[k];
            if (b == ' ' || b == '_' || b == '-' || b >= 0x80) continue;
            if (*dn < 60) dst[(*dn)++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
        if (is && *dn == 1 && dst[0] == 'c') { dst[0] = 'i'; dst[1] = 's'; dst[2] = 'c'; *dn = 3; }
    }
    int32_t v;
    const char *notfound = "Unicode property not found";
    *out = (Cls){0, 0, 0};
    if (n->val_off < 0) {
        /* canonical_binary: property names first (except cf), then general categories, then scripts */
        int32_t pr = (nn == 2 && nm[0] == 'c' && nm[1] == 'f') ? -1 : uname_lookup("pr:", nm, nn);
        if (pr >= 0) {
            int32_t id = pr & 255;
            if (id == 1) cls_from_pairs(out, PERL_SPACE, PERL_SPACE_N);
            else if (id >= PROP_FIRST && id < PROP_FIRST + PROP_N) cls_prop(out, id);
            else { perr(P, n->span, notfound); return 0; }
        } else if ((nn == 3 && __builtin_memcmp(nm, "any", 3) == 0)) {
            cls_add(out, 0, MAXCP);
        } else if (nn == 5 && __builtin_memcmp(nm, "ascii", 5) == 0) {
            cls_add(out, 0, 127);
        } else if (nn == 8 && __builtin_memcmp(nm, "assigned", 8) == 0) {
            cls_gc(out, 1u << GC_Cn);
            cls_negate(out);
        } else if ((v = uname_lookup("gc:", nm, nn)) >= 0) {
            cls_gc(out, GC_MASKS[v & 255]);
        } else if ((v = uname_lookup("sc:", nm, nn)) >= 0) {
            cls_script(out, (uint32_t)(v & 255));
        } else {
            perr(P, n->span, notfound);
            return 0;
        }
    } else {
        int32_t pr = uname_lookup("pr:", nm, nn);
        if (pr < 0) { perr(P, n->span, notfound); return 0; }
        if ((pr & 255) == 2) {
            if (vn == 3 && __builtin_memcmp(vl, "any", 3) == 0) cls_add(out, 0, MAXCP);
            else if (vn == 5 && __builtin_memcmp(vl, "ascii", 5) == 0) cls_add(out, 0, 127);
            else if (vn == 8 && __builtin_memcmp(vl, "assigned", 8) == 0) { cls_gc(out, 1u << GC_Cn); cls_negate(out); }
            else if ((v = uname_lookup("gc:", vl, vn)) >= 0) cls_gc(out, GC_MASKS[v & 255]);
            else { perr(P, n->span, "Unicode property value not found"); return 0; }
        } else if ((pr & 255) == 3) {
            if ((v = uname_lookup("sc:", vl, vn)) >= 0) cls_script(out, (uint32_t)(v & 255));
            else { perr(P, n->span, "Unicode property value not found"); return 0; }
        } else {
            perr(P, n->span, notfound);
            return 0;
        }
    }
    if (fl & F_I) cls_fold(out);
    if (n->neg) cls_negate(out);
    if (out->n == 0) { cls_free(out); perr(P, n->span, "empty character classes are not allowed"); return 0; }
    return 1;
}

static void perl_class(Node *n, uint16_t fl, Cls *out) {
    *out = (Cls){0, 0, 0};
    if (fl & F_UNI) {
        if (n->c2 == 0) cls_gc(out, 1u << GC_Nd);
        else if (n->c2 == 1) cls_from_pairs(out, PERL_SPACE, PERL_SPACE_N);
        else cls_from_pairs(out, PERL_WORD, PERL_WORD_N);
    } else {
        if (n->c2 == 0) cls_add(out, '0', '9');
        else if (n->c2 == 1) { cls_add(out, 9, 13); cls_add(out, ' ', ' '); }
        else { cls_add(out, '0', '9'); cls_add(out, 'A', 'Z'); cls_add(out, '_', '_'); cls_add(out, 'a', 'z'); }
    }
    cls_canon(out);
    if (n->neg) cls_negate(out);
}

static const uint8_t ASCII_RANGES[14][9] = {
    /* pairs of (lo, hi), 0-terminated */
    {'0', '9', 'A', 'Z', 'a', 'z'}, {'A', 'Z', 'a', 'z'}, {1, 0x7F}, {'\t', '\t', ' ', ' '}, {1, 0x1F, 0x7F, 0x7F},
    {'0', '9'}, {'!', '~'}, {'a', 'z'}, {' ', '~'}, {'!', '/', ':', '@', '[', '`', '{', '~'},
    {'\t', '\r', ' ', ' '}, {'A', 'Z'}, {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'}, {'0', '9', 'A', 'F', 'a', 'f'},
};

static int ascii_only(const Cls *c) { return c->n == 0 || c->r[c->n - 1].hi < 128; }

static int item_class(Comp *C, Node *n, uint16_t fl, Cls *out) {
    *out = (Cls){0, 0, 0};
    switch (n->kind) {
    case S_LIT: cls_add(out, n->c, n->c); break;
    case S_RANGE: cls_add(out, n->c, n->c2); break;
    case S_ASCII: {
        const uint8_t *r = ASCII_RANGES[n->c2];
        for (int k = 0; k < 8 && (r[k] || r[k + 1]); k += 2) cls_add(out, r[k], r[k + 1]);
        if (n->c2 == 2 || n->c2 == 4) cls_add(out, 0, 0);  /* ascii and cntrl include NUL */
        cls_canon(out);
        if (fl & F_I) cls_fold(out);
        if (n->neg) cls_negate(out);
        break;
    }
    case A_UNICODE: return unicode_class(C, n, fl, out);
    case A_PERL: perl_class(n, fl, out); break;
    case S_UNION:
        for (Node *k = n->kid; k; k = k->next) {
            Cls sub;
            if (!item_class(C, k, fl, &sub)) { cls_free(out); return 0; }
            for (int32_t i = 0; i < sub.n; i++) cls_add(out, sub.r[i].lo, sub.r[i].hi);
            cls_free(&sub);
        }
        cls_canon(out);
        break;
    case A_BRACKET: {
        if (!item_class(C, n->kid, fl, out)) return 0;
        if (fl & F_I) cls_fold(out);
        if (n->neg) cls_negate(out);
        if (!(fl & F_UNI) && !ascii_only(out)) { cls_free(out); perr(C->P, n->span, "pattern can match invalid UTF-8"); return 0; }
        break;
    }
    case S_OP: {
        Cls rhs;
        if (!item_class(C, n->kid, fl, out)) return 0;
        if (!item_class(C, n->last, fl, &rhs)) { cls_free(out); return 0; }
        if (fl & F_I) { cls_fold(out); cls_fold(&rhs); }
        if (n->opk == OPK_AND) cls_intersect(out, &rhs);
        else if (n->opk == OPK_MINUS) cls_difference(out, &rhs);
        else cls_symdiff(out, &rhs);
        cls_free(&rhs);
        break;
    }
    }
    return 1;
}

static int compile(Comp *C, Node *n, uint16_t *fl);

static int compile_class(Comp *C, Cls *cls) {
    if (cls->n == 1 && cls->r[0].lo == cls->r[0].hi) {
        emit(C, OP_CHAR, (int32_t)cls->r[0].lo, 0);
        cls_free(cls);
    } else {
        emit(C, OP_CLASS, add_class(C, cls), 0);
    }
    return 1;
}

static int compile_rep(Comp *C, Node *n, uint16_t fl) {
    Node *e = n->kid;
    int greedy = (fl & F_U) ? !n->greedy : n->greedy;
    uint16_t f;
    for (int32_t k = 0; k < n->min; k++) {
        f = fl;
        if (!compile(C, e, &f)) return 0;
        if (C->too_big) return 1;
    }
    if (n->max < 0) {  /* e* after the mandatory copies: L: split body, out; body: e; jmp L */
        int32_t L = emit(C, OP_SPLIT, 0, 0);
        f = fl;
        if (!compile(C, e, &f)) return 0;
        emit(C, OP_JMP, L, 0);
        int32_t out = C->prog->n;
        if (C->too_big) return 1;
        if (greedy) { C->prog->code[L].x = L + 1; C->prog->code[L].y = out; }
        else { C->prog->code[L].x = out; C->prog->code[L].y = L + 1; }
        return 1;
    }
    int32_t opt = n->max - n->min;
    int32_t *hp = xalloc(opt * 4), nh = 0;
    for (int32_t k = 0; k < opt; k++) {
        int32_t s = emit(C, OP_SPLIT, 0, 0);
        if (C->too_big) break;
        hp[nh++] = s;
        f = fl;
        if (!compile(C, e, &f)) { ny_mfree(hp); return 0; }
        if (C->too_big) break;
    }
    int32_t out = C->prog->n;
    if (!C->too_big)
        for (int32_t k = 0; k < nh; k++) {
            if (greedy) { C->prog->code[hp[k]].x = hp[k] + 1; C->prog->code[hp[k]].y = out; }
            else { C->prog->code[hp[k]].x = out; C->prog->code[hp[k]].y = hp[k] + 1; }
        }
    ny_mfree(hp);
    return 1;
}

/* compile node n under flags *fl (A_FLAGS updates *fl for the rest of the concat) */
static int compile(Comp *C, Node *n, uint16_t *fl) {
    if (C->too_big) return 1;
    switch (n->kind) {
    case A_EMPTY: return 1;
    case A_FLAGS:
        *fl = (uint16_t)((*fl | n->fon) & ~n->foff);
        return 1;
    case A_LIT: {
        uint32_t c = n->c;
        if (!(*fl & F_UNI) && c > 0x7F) { perr(C->P, n->span, "Unicode not allowed here"); return 0; }
        if (*fl & F_I) {
            Cls cls = {0, 0, 0};
            cls_add(&cls, c, c);
            if (*fl & F_UNI) cls_fold(&cls);
            else if ((c | 32) >= 'a' && (c | 32) <= 'z') { cls_add(&cls, c ^ 32, c ^ 32); cls_canon(&cls); }
            return compile_class(C, &cls);
        }
        emit(C, OP_CHAR, (int32_t)c, 0);
        return 1;
    }
    case A_DOT:
        if (!(*fl & F_UNI)) { perr(C->P, n->span, "pattern can match invalid UTF-8"); return 0; }
        emit(C, (*fl & F_S) ? OP_ANY : OP_ANYNL, 0, 0);
        return 1;
    case A_ASSERT: {
        int k = (int)n->c2;
        if (k == AS_START_LINE && !(*fl & F_M)) k = AS_START_TEXT;
        else if (k == AS_END_LINE && !(*fl & F_M)) k = AS_END_TEXT;
        else if (k == AS_WORD && !(*fl & F_UNI)) k = AS_WORD_ASCII;
        else if (k == AS_NOT_WORD && !(*fl & F_UNI)) { perr(C->P, n->span, "pattern can match invalid UTF-8"); return 0; }
        emit(C, OP_ASSERT, k, 0);
        return 1;
    }
    case A_PERL: {
        Cls cls;
        perl_class(n, *fl, &cls);
        return compile_class(C, &cls);
    }
    case A_UNICODE: {
        Cls cls;
        if (!unicode_class(C, n, *fl, &cls)) return 0;
        return compile_class(C, &cls);
    }
    case A_BRACKET: {
        Cls cls;
        if (!item_class(C, n, *fl, &cls)) return 0;
        if (cls.n == 0) { cls_free(&cls); perr(C->P, n->span, "empty character classes are not allowed"); return 0; }
        return compile_class(C, &cls);
    }
    case A_REP: return compile_rep(C, n, *fl);
    case A_GROUP: {
        uint16_t inner = *fl;
        if (n->c2) inner = (uint16_t)((inner | n->fon) & ~n->foff);
        if (n->cap) emit(C, OP_SAVE, 2 * n->cap, 0);
        if (!compile(C, n->kid, &inner)) return 0;
        if (n->cap) emit(C, OP_SAVE, 2 * n->cap + 1, 0);
        return 1;
    }
    case A_CONCAT:
        for (Node *k = n->kid; k; k = k->next)
            if (!compile(C, k, fl)) return 0;
        return 1;
    case A_ALT: {
        /* split L1, next; L1: e1; jmp out; next: split L2, next2; ... last: en.
         * Flags set in one branch stay set for the next ones (regex-syntax resets
         * flags only at the end of a group). */
        int32_t nj = 0, cap = 8, *jp = xalloc(cap * 4);
        for (Node *k = n->kid; k; k = k->next) {
            if (k->next) {
                int32_t s = emit(C, OP_SPLIT, 0, 0);
                if (!compile(C, k, fl)) { ny_mfree(jp); return 0; }
                if (nj == cap) { cap *= 2; jp = ny_mrealloc(jp, cap * 4); }
                jp[nj++] = emit(C, OP_JMP, 0, 0);
                if (C->too_big) break;
                C->prog->code[s].x = s + 1;
                C->prog->code[s].y = C->prog->n;
            } else if (!compile(C, k, fl)) {
                ny_mfree(jp);
                return 0;
            }
        }
        if (!C->too_big)
            for (int32_t k = 0; k < nj; k++) C->prog->code[jp[k]].x = C->prog->n;
        ny_mfree(jp);
        return 1;
    }
    }
    return 1;
}

static void prog_free(Prog *g) {
    if (!g) return;
    for (int32_t k = 0; k < g->ncls; k++) cls_free(&g->classes[k]);
    if (g->classes) ny_mfree(g->classes);
    if (g->ascii) ny_mfree(g->ascii);
    if (g->code) ny_mfree(g->code);
    for (int32_t k = 0; k < g->nnames; k++) ny_release_str(g->names[2 * k]);
    if (g->names) ny_mfree(g->names);
    ny_mfree(g);
}

static void free_nodes(Parser *P) {
    for (Node *n = P->arena; n;) {
        Node *next = n->arena_next;
        if (n->kind == A_UNICODE && n->c2 && n->name_off) ny_mfree((void *)(uintptr_t)(uint32_t)n->name_off);
        ny_mfree(n);
        n = next;
    }
    P->arena = 0;
}

/* ---- error text, as regex-syntax's Formatter writes it */

static int32_t pattern_lines(const uint8_t *p, int32_t len, int32_t *starts, int32_t *lens, int32_t max) {
    /* str::lines: split at \n, drop a trailing \r of each line, no final empty line */
    int32_t n = 0, s = 0;
    for (int32_t i = 0; i <= len; i++) {
        if (i == len || p[i] == '\n') {
            if (i == len && s == len) break;
            int32_t e = i;
            if (e > s && p[e - 1] == '\r') e--;
            if (n < max) { starts[n] = s; lens[n] = e - s; }
            n++;
            s = i + 1;
        }
    }
    return n;
}

static int32_t error_text(const uint8_t *pat, int32_t len, RxErr *e) {
    SB b = {0, 0, 0};
    int32_t st[64], ln[64];
    int32_t nl = pattern_lines(pat, len, st, ln, 64);
    int32_t count = nl + (len > 0 && pat[len - 1] == '\n');
    int multi = 0;
    for (int32_t i = 0; i < len; i++) if (pat[i] == '\n') multi = 1;
    int32_t width = 0;
    if (count > 1) { int32_t c = count; while (c) { width++; c /= 10; } }
    Span spans[2];
    int ns = 0;
    spans[ns++] = e->span;
    if (e->has_aux) spans[ns++] = e->aux;
    if (ns == 2 && (spans[1].s.line < spans[0].s.line || (spans[1].s.line == spans[0].s.line && spans[1].s.col < spans[0].s.col))) {
        Span t = spans[0]; spans[0] = spans[1]; spans[1] = t;
    }
    sb_s(&b, "regex parse error:\n");
    if (multi) { for (int k = 0; k < 79; k++) sb_c(&b, '~'); sb_c(&b, '\n'); }
    for (int32_t i = 0; i < nl && i < 64; i++) {
        if (width > 0) {
            int32_t num = i + 1, d = 0, t = num;
            while (t) { d++; t /= 10; }
            for (int32_t k = d; k < width; k++) sb_c(&b, ' ');
            sb_u(&b, (uint32_t)num);
            sb_s(&b, ": ");
        } else sb_s(&b, "    ");
        sb_put(&b, pat + st[i], ln[i]);
        sb_c(&b, '\n');
        int any = 0;
        for (int k = 0; k < ns; k++) if (spans[k].s.line == spans[k].e.line && spans[k].s.line == i + 1) any = 1;
        if (any) {
            int32_t pad = width == 0 ? 4 : width + 2, pos = 0;
            for (int32_t k = 0; k < pad; k++) sb_c(&b, ' ');
            for (int k = 0; k < ns; k++) {
                if (!(spans[k].s.line == spans[k].e.line && spans[k].s.line == i + 1)) continue;
                for (; pos < spans[k].s.col - 1; pos++) sb_c(&b, ' ');
                int32_t nc = spans[k].e.col - spans[k].s.col;
                if (nc < 1) nc = 1;
                for (int32_t q = 0; q < nc; q++, pos++) sb_c(&b, '^');
            }
            sb_c(&b, '\n');
        }
    }
    if (multi) {
        for (int k = 0; k < 79; k++) sb_c(&b, '~');
        sb_c(&b, '\n');
        int first = 1;
        for (int k = 0; k < ns; k++) {
            if (spans[k].s.line == spans[k].e.line) continue;
            if (!first) sb_c(&b, '\n');
            first = 0;
            sb_s(&b, "on line "); sb_u(&b, (uint32_t)spans[k].s.line);
            sb_s(&b, " (column "); sb_u(&b, (uint32_t)spans[k].s.col);
            sb_s(&b, ") through line "); sb_u(&b, (uint32_t)spans[k].e.line);
            sb_s(&b, " (column "); sb_u(&b, (uint32_t)(spans[k].e.col - 1));
            sb_c(&b, ')');
        }
        if (!first) sb_c(&b, '\n');
    }
    sb_s(&b, "error: ");
    sb_s(&b, e->msg);
    return sb_str(&b);
}

/* Compile a pattern (string object). Returns the program, or 0 with *err an owned
 * message "regex parse error: ..." (or the compiled-size message). */
static Prog *rx_compile(int32_t pattern, int32_t *err) {
    Parser P;
    __builtin_memset(&P, 0, sizeof P);
    P.p = ny_str_bytes(pattern);
    P.len = ny_str_len(pattern);
    P.pos.line = 1;
    P.pos.col = 1;
    Node *ast = parse_pattern(&P);
    Prog *g = 0;
    if (ast) {
        g = xalloc(sizeof(Prog));
        __builtin_memset(g, 0, sizeof(Prog));
        Comp C = {g, &P, 0};
        uint16_t fl = F_UNI;
        emit(&C, OP_SAVE, 0, 0);
        int ok = compile(&C, ast, &fl);
        emit(&C, OP_SAVE, 1, 0);
        emit(&C, OP_MATCH, 0, 0);
        if (!ok || C.too_big) {
            if (ok) *err = ny_str_c("Compiled regex exceeds size limit of 10485760 bytes.");
            prog_free(g);
            g = 0;
        } else {
            g->ncap = P.ncap + 1;
            g->nnames = P.nnames;
            g->names = P.nnames ? xalloc(P.nnames * 8) : 0;
            for (int32_t k = 0; k < P.nnames; k++) {
                g->names[2 * k] = ny_str_copy(P.p + P.names[3 * k], P.names[3 * k + 1]);
                g->names[2 * k + 1] = P.names[3 * k + 2];
            }
            g->anchored = g->n > 1 && g->code[1].op == OP_ASSERT && g->code[1].x == AS_START_TEXT;
        }
    }
    if (!g && P.err.kind) *err = error_text(P.p, P.len, &P.err);
    free_nodes(&P);
    if (P.names) ny_mfree(P.names);
    if (P.name_spans) ny_mfree(P.name_spans);
    return g;
}

/* ================================================================== Pike VM */

typedef struct {
    int32_t *dense, *sparse, n;
    int32_t *caps;      /* nslots per pc */
} TList;

typedef struct {
    const Prog *g;
    const uint8_t *t;
    int32_t len, nslots;
    TList a, b;
    int32_t *stack;     /* (pc) or (-(slot+1), old value) frames */
    int32_t sp, scap;
    int32_t *tmp;       /* scratch caps for a new thread */
} VM;

static void vm_init(VM *m, const Prog *g, const uint8_t *t, int32_t len, int32_t nslots) {
    m->g = g;
    m->t = t;
    m->len = len;
    m->nslots = nslots;
    int32_t n = g->n;
    for (int k = 0; k < 2; k++) {
        TList *l = k ? &m->b : &m->a;
        l->dense = xalloc(n * 4);
        l->sparse = xalloc(n * 4);
        l->caps = xalloc(n * nslots * 4);
        l->n = 0;
    }
    m->scap = 2 * n + 16;
    m->stack = xalloc(m->scap * 4);
    m->tmp = xalloc(nslots * 4);
}

static void vm_free(VM *m) {
    ny_mfree(m->a.dense); ny_mfree(m->a.sparse); ny_mfree(m->a.caps);
    ny_mfree(m->b.dense); ny_mfree(m->b.sparse); ny_mfree(m->b.caps);
    ny_mfree(m->stack);
    ny_mfree(m->tmp);
}

static int tl_has(TList *l, int32_t pc) {
    int32_t i = l->sparse[pc];
    return i >= 0 && i < l->n && l->dense[i] == pc;
}

static int32_t prev_char(const uint8_t *t, int32_t at) {   /* -1 at the start */
    if (at <= 0) return -1;
    int32_t i = at - 1, w;
    while (i > 0 && (t[i] & 0xC0) == 0x80) i--;
    return (int32_t)dec(t, i, &w);
}

static int assert_ok(VM *m, int kind, int32_t at) {
    int32_t len = m->len;
    int32_t next = -1, prev;
    if (at < len) { int32_t w; next = (int32_t)dec(m->t, at, &w); }
    switch (kind) {
    case AS_START_TEXT: return at == 0;
    case AS_END_TEXT: return at == len;
    case AS_START_LINE: return at == 0 || m->t[at - 1] == '\n';
    case AS_END_LINE: return at == len || m->t[at] == '\n';
    case AS_WORD: case AS_NOT_WORD: {
        prev = prev_char(m->t, at);
        int a = prev >= 0 && is_word_char((uint32_t)prev), b = next >= 0 && is_word_char((uint32_t)next);
        return kind == AS_WORD ? a != b : a == b;
    }
    default: {
        prev = prev_char(m->t, at);
        int a = prev >= 0 && prev < 128 && is_word_char((uint32_t)prev);
        int b = next >= 0 && next < 128 && is_word_char((uint32_t)next);
        return kind == AS_WORD_ASCII ? a != b : a == b;
    }
    }
}

/* follow epsilon transitions from pc with capture values caps (modified and restored) */
static void vm_add(VM *m, TList *l, int32_t pc0, int32_t *caps, int32_t at) {
    const Inst *code = m->g->code;
    int32_t ns = m->nslots;
    m->sp = 0;
    m->stack[m->sp++] = pc0;
    while (m->sp > 0) {
        int32_t fr = m->stack[--m->sp];
        if (fr < 0) {  /* restore a capture slot */
            int32_t slot = -fr - 1;
            caps[slot] = m->stack[--m->sp];
            continue;
        }
        int32_t pc = fr;
        for (;;) {
            if (tl_has(l, pc)) break;
            l->sparse[pc] = l->n;
            l->dense[l->n++] = pc;
            const Inst *in = &code[pc];
            if (in->op == OP_ASSERT) {
                if (!assert_ok(m, in->x, at)) break;
                pc++;
            } else if (in->op == OP_SAVE) {
                if (in->x < ns) {
                    if (m->sp + 2 > m->scap) {
                        m->scap *= 2;
                        m->stack = ny_mrealloc(m->stack, m->scap * 4);
                    }
                    m->stack[m->sp++] = caps[in->x];
                    m->stack[m->sp++] = -(in->x + 1);
                    caps[in->x] = at;
                }
                pc++;
            } else if (in->op == OP_SPLIT) {
                if (m->sp + 1 > m->scap) {
                    m->scap *= 2;
                    m->stack = ny_mrealloc(m->stack, m->scap * 4);
                }
                m->stack[m->sp++] = in->y;
                pc = in->x;
            } else if (in->op == OP_JMP) {
                pc = in->x;
            } else {
                __builtin_memcpy(l->caps + (int64_t)pc * ns, caps, ns * 4);
                break;
            }
        }
    }
}

static int class_match(const Prog *g, int32_t k, uint32_t c) {
    if (c < 128) return (int)(g->ascii[4 * k + (c >> 5)] >> (c & 31) & 1);
    return cls_has(&g->classes[k], c);
}

/* Leftmost-first search from byte offset start; slots (nslots) receive the match.
 * Returns 1 when a match was found. */
static int vm_search(VM *m, int32_t start, int32_t *slots) {
    const Prog *g = m->g;
    TList *cl = &m->a, *nl = &m->b;
    int32_t ns = m->nslots;
    int matched = 0;
    cl->n = nl->n = 0;
    for (int32_t k = 0; k < ns; k++) slots[k] = -1;
    int32_t at = start;
    for (;;) {
        if (cl->n == 0) {
            if (matched || at > m->len || (g->anchored && at > start)) break;
        }
        if (cl->n == 0 || (!g->anchored && !matched)) {
            for (int32_t k = 0; k < ns; k++) m->tmp[k] = -1;
            vm_add(m, cl, 0, m->tmp, at);
        }
        int32_t w = 0;
        uint32_t c = 0;
        int has = at < m->len;
        if (has) c = dec(m->t, at, &w);
        int32_t next = at + (has ? w : 1);
        for (int32_t i = 0; i < cl->n; i++) {
            int32_t pc = cl->dense[i];
            const Inst *in = &g->code[pc];
            int32_t *tc = cl->caps + (int64_t)pc * ns;
            if (in->op == OP_MATCH) {
                __builtin_memcpy(slots, tc, ns * 4);
                matched = 1;
                break;  /* lower-priority threads are cut */
            }
            if (!has) continue;
            int ok;
            switch (in->op) {
            case OP_CHAR: ok = c == (uint32_t)in->x; break;
            case OP_CLASS: ok = class_match(g, in->x, c); break;
            case OP_ANY: ok = 1; break;
            case OP_ANYNL: ok = c != '\n'; break;
            default: ok = 0; break;  /* epsilon instructions are only visited */
            }
            if (ok) vm_add(m, nl, pc + 1, tc, next);
        }
        if (at >= m->len) break;
        at = next;
        TList *t = cl; cl = nl; nl = t;
        nl->n = 0;
    }
    return matched;
}

/* ================================================================== RegexBox */

/* object: +0 rc, +4 kind id, +8 pattern string (owned), +12 Prog* */
typedef struct { int32_t rc, kid, pattern; Prog *prog; } RegexObj;

static int32_t next_after(const uint8_t *t, int32_t len, int32_t e) {
    if (e >= len) return e + 1;
    uint8_t b = t[e];
    return e + (b <= 0x7F ? 1 : b <= 0xDF ? 2 : b <= 0xEF ? 3 : 4);
}

/* Rust's find_iter/captures_iter: calls fn for each match; empty matches advance by
 * one character and an empty match right after the previous match is skipped. */
typedef struct {
    VM vm;
    int32_t last_end, last_match, *slots;
} Iter;

static void iter_init(Iter *it, const Prog *g, int32_t text, int32_t nslots) {
    vm_init(&it->vm, g, ny_str_bytes(text), ny_str_len(text), nslots);
    it->last_end = 0;
    it->last_match = -1;
    it->slots = xalloc(nslots * 4);
}
static void iter_free(Iter *it) { vm_free(&it->vm); ny_mfree(it->slots); }

static int iter_next(Iter *it) {
    for (;;) {
        if (it->last_end > it->vm.len) return 0;
        if (!vm_search(&it->vm, it->last_end, it->slots)) return 0;
        int32_t s = it->slots[0], e = it->slots[1];
        if (s == e) {
            it->last_end = next_after(it->vm.t, it->vm.len, e);
            if (e == it->last_match) continue;
        } else {
            it->last_end = e;
        }
        it->last_match = e;
        return 1;
    }
}

NY_EXPORT(rx_new) int32_t rx_new(int32_t kid, int32_t pattern_str) {
    int32_t err = 0;
    Prog *g = rx_compile(pattern_str, &err);
    if (!g) {
        SB b = {0, 0, 0};
        sb_s(&b, "Invalid regex pattern: ");
        sb_put(&b, ny_str_bytes(err), ny_str_len(err));
        ny_release_str(err);
        ny_raise_s(sb_str(&b));
        return 0;
    }
    RegexObj *o = xalloc(sizeof(RegexObj));
    o->rc = 1;
    o->kid = kid;
    ny_retain(ny_strv(pattern_str));
    o->pattern = pattern_str;
    o->prog = g;
    return (int32_t)(uintptr_t)o;
}

NY_EXPORT(rx_drop) void rx_drop(int32_t self) {
    RegexObj *o = (RegexObj *)(uintptr_t)self;
    ny_release_str(o->pattern);
    prog_free(o->prog);
}

NY_EXPORT(rx_pattern) int32_t rx_pattern(int32_t self) { return ((RegexObj *)(uintptr_t)self)->pattern; }

NY_EXPORT(rx_test) int32_t rx_test(int32_t self, int32_t text) {
    RegexObj *o = (RegexObj *)(uintptr_t)self;
    VM vm;
    int32_t slots[2];
    vm_init(&vm, o->prog, ny_str_bytes(text), ny_str_len(text), 2);
    int r = vm_search(&vm, 0, slots);
    vm_free(&vm);
    return r;
}

/* the first match as a string object, or 0 */
NY_EXPORT(rx_find) int32_t rx_find(int32_t self, int32_t text) {
    RegexObj *o = (RegexObj *)(uintptr_t)self;
    VM vm;
    int32_t slots[2], r = 0;
    vm_init(&vm, o->prog, ny_str_bytes(text), ny_str_len(text), 2);
    if (vm_search(&vm, 0, slots)) r = ny_str_copy(ny_str_bytes(text) + slots[0], slots[1] - slots[0]);
    vm_free(&vm);
    return r;
}

NY_EXPORT(rx_find_all) int32_t rx_find_all(int32_t self, int32_t text) {
    RegexObj *o = (RegexObj *)(uintptr_t)self;
    Iter it;
    int32_t a = ny_arr_new();
    iter_init(&it, o->prog, text, 2);
    while (iter_next(&it)) {
        int32_t s = ny_str_copy(ny_str_bytes(text) + it.slots[0], it.slots[1] - it.slots[0]);
        ny_arr_push_v(a, ny_strv(s));
        ny_release_str(s);
    }
    iter_free(&it);
    return a;
}

NY_EXPORT(rx_split) int32_t rx_split(int32_t self, int32_t text) {
    RegexObj *o = (RegexObj *)(uintptr_t)self;
    Iter it;
    int32_t a = ny_arr_new(), last = 0;
    const uint8_t *t = ny_str_bytes(text);
    iter_init(&it, o->prog, text, 2);
    while (iter_next(&it)) {
        int32_t s = ny_str_copy(t + last, it.slots[0] - last);
        ny_arr_push_v(a, ny_strv(s));
        ny_release_str(s);
        last = it.slots[1];
    }
    int32_t s = ny_str_copy(t + last, ny_str_len(text) - last);
    ny_arr_push_v(a, ny_strv(s));
    ny_release_str(s);
    iter_free(&it);
    return a;
}

/* group index named by rep[i..j) (a decimal u32, or a capture name), or -1 */
static int32_t cap_index(const Prog *g, const uint8_t *r, int32_t i, int32_t j) {
    int32_t k = i;
    uint64_t v = 0;
    if (k < j && r[k] == '+') k++;
    if (k < j) {
        int digits = 1;
        for (int32_t q = k; q < j; q++) {
            if (r[q] < '0' || r[q] > '9') { digits = 0; break; }
            v = v * 10 + (r[q] - '0');
            if (v > 0xFFFFFFFFull) { digits = 0; break; }
        }
        if (digits) return v < (uint64_t)g->ncap ? (int32_t)v : -1;
    }
    for (int32_t q = 0; q < g->nnames; q++) {
        int32_t s = g->names[2 * q];
        if (ny_str_len(s) == j - i && __builtin_memcmp(ny_str_bytes(s), r + i, j - i) == 0) return g->names[2 * q + 1];
    }
    return -1;
}

static int cap_letter(uint8_t b) { return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_'; }

/* regex's expand_str */
static void expand(SB *out, const Prog *g, const uint8_t *text, const int32_t *slots, const uint8_t *r, int32_t n) {
    int32_t i = 0;
    while (i < n) {
        int32_t d = i;
        while (d < n && r[d] != '$') d++;
        sb_put(out, r + i, d - i);
        i = d;
        if (i >= n) break;
        if (i + 1 < n && r[i + 1] == '$') { sb_c(out, '$'); i += 2; continue; }
        int32_t idx = -2, end = -1;
        if (i + 1 < n) {
            if (r[i + 1] == '{') {
                int32_t q = i + 2;
                while (q < n && r[q] != '}') q++;
                if (q < n) { idx = cap_index(g, r, i + 2, q); end = q + 1; }
            } else {
                int32_t q = i + 1;
                while (q < n && cap_letter(r[q])) q++;
                if (q > i + 1) { idx = cap_index(g, r, i + 1, q); end = q; }
            }
        }
        if (end < 0) { sb_c(out, '$'); i++; continue; }
        if (idx >= 0 && slots[2 * idx] >= 0) sb_put(out, text + slots[2 * idx], slots[2 * idx + 1] - slots[2 * idx]);
        i = end;
    }
}

NY_EXPORT(rx_replace) int32_t rx_replace(int32_t self, int32_t text, int32_t rep) {
    RegexObj *o = (RegexObj *)(uintptr_t)self;
    const uint8_t *t = ny_str_bytes(text), *r = ny_str_bytes(rep);
    int32_t rn = ny_str_len(rep), has_dollar = 0;
    for (int32_t k = 0; k < rn; k++) if (r[k] == '$') { has_dollar = 1; break; }
    Iter it;
    iter_init(&it, o->prog, text, has_dollar ? 2 * o->prog->ncap : 2);
    SB out = {0, 0, 0};
    int32_t last = 0, any = 0;
    while (iter_next(&it)) {
        any = 1;
        sb_put(&out, t + last, it.slots[0] - last);
        if (has_dollar) expand(&out, o->prog, t, it.slots, r, rn);
        else sb_put(&out, r, rn);
        last = it.slots[1];
    }
    iter_free(&it);
    if (!any) {
        if (out.p) ny_mfree(out.p);
        ny_retain(ny_strv(text));
        return text;
    }
    sb_put(&out, t + last, ny_str_len(text) - last);
    return sb_str(&out);
}
