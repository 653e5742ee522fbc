/*
 * inflate.c - zlib stream decoder (RFC 1950 wrapper, RFC 1951 deflate).
 *
 * Why: payload entries (the .cwasm variants, the .wasm, the line table) are stored
 * with Python's zlib.compress; the fast path decodes the chosen variant on every start,
 * so the Huffman decoding is table driven (codes up to FAST_BITS long resolve with one
 * lookup, longer ones walk the canonical code bit by bit).
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define FAST_BITS 10
#define MAX_BITS 15

typedef struct {
    uint16_t fast[1 << FAST_BITS]; /* symbol << 4 | length, 0 = longer than FAST_BITS */
    uint16_t count[MAX_BITS + 1];  /* codes per length */
    uint16_t symbol[320];          /* symbols in canonical order */
} huffman;

typedef struct {
    const uint8_t *p, *end;
    uint64_t bits;
    unsigned nbits;
    size_t padding; /* zero bytes fed past the end of the input */
    uint8_t *out;
    size_t len, cap;
} state;

static inline void refill(state *s) {
    if (s->end - s->p >= 8) { /* whole bytes, up to 56 bits buffered */
        uint64_t word;
        memcpy(&word, s->p, 8);
        s->bits |= word << s->nbits;
        s->p += (63 - s->nbits) >> 3;
        s->nbits |= 56;
        return;
    }
    while (s->nbits <= 56) {
        uint64_t byte;
        if (s->p < s->end) byte = *s->p++;
        else { byte = 0; s->padding++; }
        s->bits |= byte << s->nbits;
        s->nbits += 8;
    }
}

static inline unsigned take(state *s, unsigned n) {
    if (n == 0) return 0;
    if (s->nbits < n) refill(s);
    unsigned v = (unsigned)(s->bits & ((1ull << n) - 1));
    s->bits >>= n;
    s->nbits -= n;
    return v;
}

/* Fails when the lengths do not form a usable prefix code (over-subscribed; an
 * incomplete code is allowed only for a single code, as zlib does). */
static int build(huffman *h, const uint8_t *lengths, unsigned n) {
    uint16_t offs[MAX_BITS + 2];
    memset(h->count, 0, sizeof h->count);
    memset(h->fast, 0, sizeof h->fast);
    for (unsigned i = 0; i < n; i++) h->count[lengths[i]]++;
    h->count[0] = 0;
    int left = 1, used = 0;
    for (unsigned len = 1; len <= MAX_BITS; len++) {
        left <<= 1;
        left -= h->count[len];
        used += h->count[len];
        if (left < 0) return -1;
    }
    if (left > 0 && used > 1) return -1;
    offs[1] = 0;
    for (unsigned len = 1; len <= MAX_BITS; len++) offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
    for (unsigned i = 0; i < n; i++)
        if (lengths[i]) h->symbol[offs[lengths[i]]++] = (uint16_t)i;
    /* canonical codes, bit-reversed into the fast table (deflate sends them MSB first) */
    unsigned code = 0, k = 0;
    for (unsigned len = 1; len <= MAX_BITS; len++) {
        for (unsigned c = 0; c < h->count[len]; c++, k++, code++) {
            if (len > FAST_BITS) continue;
            unsigned rev = 0;
            for (unsigned b = 0; b < len; b++) rev |= ((code >> b) & 1) << (len - 1 - b);
            for (unsigned fill = rev; fill < (1u << FAST_BITS); fill += 1u << len)
                h->fast[fill] = (uint16_t)(h->symbol[k] << 4 | len);
        }
        code <<= 1;
    }
    return 0;
}

static inline int decode_sym(state *s, const huffman *h) {
    if (s->nbits < MAX_BITS) refill(s);
    if (s->padding > 8) return -1; /* decoding what lies past the end of the input */
    unsigned e = h->fast[s->bits & ((1u << FAST_BITS) - 1)];
    if (e) {
        s->bits >>= e & 15;
        s->nbits -= e & 15;
        return (int)(e >> 4);
    }
    int code = 0, first = 0, index = 0;
    for (unsigned len = 1; len <= MAX_BITS; len++) {
        code |= (int)take(s, 1);
        int count = h->count[len];
        if (code - count < first) return h->symbol[index + (code - first)];
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return -1;
}

static int grow(state *s, size_t need) {
    if (s->cap - s->len >= need) return 0;
    size_t cap = s->cap ? s->cap : 4096;
    while (cap - s->len < need) {
        if (cap > SIZE_MAX / 2) return -1;
        cap *= 2;
    }
    uint8_t *p = realloc(s->out, cap);
    if (!p) return -1;
    s->out = p;
    s->cap = cap;
    return 0;
}

static const uint16_t LEN_BASE[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                      35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t LEN_EXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                      3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t DIST_BASE[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
                                       193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
                                       6145, 8193, 12289, 16385, 24577};
static const uint8_t DIST_EXTRA[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
                                       8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* Copy `len` bytes from `d` back; when they overlap the bytes repeat with period d,
 * so the already written part doubles as the source (chunks d, 2d, 4d, ...). */
static void copy_match(uint8_t *dst, size_t d, size_t len) {
    if (d >= len) { memcpy(dst, dst - d, len); return; }
    if (d == 1) { memset(dst, dst[-1], len); return; }
    size_t done = 0;
    while (done < len) {
        size_t n = done + d < len - done ? done + d : len - done;
        memcpy(dst + done, dst - d, n);
        done += n;
    }
}

static int codes(state *s, const huffman *lit, const huffman *dist) {
    for (;;) {
        int sym = decode_sym(s, lit);
        if (sym < 0) return -1;
        if (sym < 256) {
            if (s->len == s->cap && grow(s, 1) != 0) return -1;
            s->out[s->len++] = (uint8_t)sym;
            continue;
        }
        if (sym == 256) return 0;
        sym -= 257;
        if (sym >= 29) return -1;
        size_t len = LEN_BASE[sym] + take(s, LEN_EXTRA[sym]);
        int dsym = decode_sym(s, dist);
        if (dsym < 0 || dsym >= 30) return -1;
        size_t d = DIST_BASE[dsym] + take(s, DIST_EXTRA[dsym]);
        if (d > s->len || grow(s, len) != 0) return -1;
        copy_match(s->out + s->len, d, len);
        s->len += len;
    }
}

static int stored(state *s) {
    /* drop to a byte boundary, then give back whole bytes still in the bit buffer */
    take(s, s->nbits & 7);
    while (s->nbits >= 8) {
        if (s->padding) { s->padding--; } else { s->p--; }
        s->nbits -= 8;
    }
    s->bits = 0;
    if (s->padding || s->end - s->p < 4) return -1;
    unsigned len = s->p[0] | s->p[1] << 8, nlen = s->p[2] | s->p[3] << 8;
    s->p += 4;
    if ((len ^ 0xFFFF) != nlen || (size_t)(s->end - s->p) < len || grow(s, len) != 0) return -1;
    memcpy(s->out + s->len, s->p, len);
    s->len += len;
    s->p += len;
    return 0;
}

static int dynamic(state *s, huffman *lit, huffman *dist) {
    static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    uint8_t lengths[320];
    unsigned nlen = take(s, 5) + 257, ndist = take(s, 5) + 1, ncode = take(s, 4) + 4;
    if (nlen > 286 || ndist > 30) return -1;
    memset(lengths, 0, 19);
    for (unsigned i = 0; i < ncode; i++) lengths[order[i]] = (uint8_t)take(s, 3);
    huffman lencode;
    if (build(&lencode, lengths, 19) != 0) return -1;
    unsigned i = 0;
    while (i < nlen + ndist) {
        int sym = decode_sym(s, &lencode);
        if (sym < 0) return -1;
        if (sym < 16) { lengths[i++] = (uint8_t)sym; continue; }
        unsigned repeat, value = 0;
        if (sym == 16) {
            if (i == 0) return -1;
            value = lengths[i - 1];
            repeat = 3 + take(s, 2);
        } else if (sym == 17) {
            repeat = 3 + take(s, 3);
        } else {
            repeat = 11 + take(s, 7);
        }
        if (i + repeat > nlen + ndist) return -1;
        while (repeat--) lengths[i++] = (uint8_t)value;
    }
    if (lengths[256] == 0) return -1;
    if (build(lit, lengths, nlen) != 0 || build(dist, lengths + nlen, ndist) != 0) return -1;
    return codes(s, lit, dist);
}

static uint32_t adler32(const uint8_t *p, size_t n) {
    uint32_t a = 1, b = 0;
    while (n) {
        size_t k = n < 5552 ? n : 5552; /* no overflow before the reduction */
        n -= k;
        for (; k >= 8; k -= 8, p += 8) {
            a += p[0]; b += a; a += p[1]; b += a; a += p[2]; b += a; a += p[3]; b += a;
            a += p[4]; b += a; a += p[5]; b += a; a += p[6]; b += a; a += p[7]; b += a;
        }
        while (k--) { a += *p++; b += a; }
        a %= 65521;
        b %= 65521;
    }
    return b << 16 | a;
}

int zlib_decompress(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len) {
    if (in_len < 6 || (in[0] & 0x0F) != 8 || (in[0] >> 4) > 7 || (in[1] & 0x20)
        || ((unsigned)in[0] << 8 | in[1]) % 31 != 0)
        return -1;
    state s = {in + 2, in + in_len, 0, 0, 0, NULL, 0, 0};
    /* one allocation in the common case: compiled code deflates about 5:1 */
    if (in_len < SIZE_MAX / 8 && grow(&s, in_len * 6) != 0) return -1;
    static huffman fixed_lit, fixed_dist;
    static int fixed_ready;
    huffman *lit = malloc(sizeof *lit), *dist = malloc(sizeof *dist);
    int last = 0, rc = 0;
    if (!lit || !dist) rc = -1;
    while (rc == 0 && !last) {
        last = (int)take(&s, 1);
        unsigned type = take(&s, 2);
        if (type == 0) {
            rc = stored(&s);
        } else if (type == 1) {
            if (!fixed_ready) {
                uint8_t l[320];
                memset(l, 8, 144);
                memset(l + 144, 9, 112);
                memset(l + 256, 7, 24);
                memset(l + 280, 8, 8);
                build(&fixed_lit, l, 288);
                memset(l, 5, 32); /* 30 and 31 complete the code but are invalid */
                build(&fixed_dist, l, 32);
                fixed_ready = 1;
            }
            rc = codes(&s, &fixed_lit, &fixed_dist);
        } else if (type == 2) {
            rc = dynamic(&s, lit, dist);
        } else {
            rc = -1;
        }
        if (s.padding * 8 > s.nbits) rc = -1; /* consumed bits past the end */
    }
    free(lit);
    free(dist);
    if (rc == 0) {
        /* the Adler-32 follows at the next byte boundary */
        size_t unread = s.nbits / 8 - s.padding;
        const uint8_t *tail = s.p - unread;
        if (s.end - tail < 4 || adler32(s.out, s.len) != ((uint32_t)tail[0] << 24 | (uint32_t)tail[1] << 16
                                                           | (uint32_t)tail[2] << 8 | tail[3]))
            rc = -1;
    }
    if (rc != 0) {
        free(s.out);
        return -1;
    }
    *out = s.out ? s.out : malloc(1);
    *out_len = s.len;
    return *out ? 0 : -1;
}
