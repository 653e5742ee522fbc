/*
 * lzma2.c - decoder for the runner archive: raw LZMA2 over x86 BCJ.
 *
 * Why our own: the launcher is built by zig, which ships no liblzma, and the archive
 * must stay LZMA-compressed (the runner is ~33 MB raw; xz -9e with the x86 filter
 * keeps a hello executable near 8.4 MB, deflate would not fit 10 MB). The build side
 * writes it with Python's lzma module (FORMAT_RAW, filters [X86, LZMA2 preset 9e]):
 * no container, so only the two formats below are needed, and the archive's sha256
 * (checked before decoding) stands in for the container's checksums.
 *
 * Formats implemented (as documented by the xz project: "The .xz File Format",
 * the LZMA2 chunk layout, and Igor Pavlov's "LZMA specification"):
 *   LZMA2  a sequence of chunks, each starting with a control byte:
 *            0x00           end of stream
 *            0x01 / 0x02    stored chunk (with / without dictionary reset),
 *                           u16be size-1, then the bytes
 *            0x80 | r<<5 | u(bits 16-20)
 *                           LZMA chunk: u16be unpacked-1 (low bits), u16be packed-1,
 *                           a properties byte when r >= 2, then range-coded data;
 *                           r: 0 nothing reset, 1 state reset, 2 + new properties,
 *                           3 + dictionary reset. Every LZMA chunk restarts the
 *                           range decoder.
 *   BCJ x86  relative CALL/JMP (E8/E9) targets were made absolute by the encoder;
 *            the decoder turns them back, tracking which preceding bytes may have
 *            been opcode prefixes exactly as the encoder did.
 * The whole output is one flat buffer, so the dictionary is simply the output
 * produced since the last dictionary reset.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

typedef uint16_t prob_t;
#define PROB_INIT 1024
#define NUM_STATES 12
#define POS_STATES_MAX 16

typedef struct {
    prob_t choice, choice2;
    prob_t low[POS_STATES_MAX][8], mid[POS_STATES_MAX][8], high[256];
} len_probs;

typedef struct {
    /* range decoder */
    const uint8_t *in, *in_end;
    uint32_t range, code;
    int overrun;
    /* model */
    unsigned lc, lp, pb, state;
    uint32_t rep[4];
    prob_t is_match[NUM_STATES][POS_STATES_MAX], is_rep[NUM_STATES], is_rep_g0[NUM_STATES],
        is_rep_g1[NUM_STATES], is_rep_g2[NUM_STATES], is_rep0_long[NUM_STATES][POS_STATES_MAX];
    prob_t pos_slot[4][64], pos_special[115], align[16];
    len_probs match_len, rep_len;
    prob_t literal[0x300 << 4]; /* LZMA2 caps lc + lp at 4 */
    /* output */
    uint8_t *out;
    size_t pos, dict_start, out_len;
    uint32_t pending; /* match bytes still to copy into the next chunk */
} lzma_dec;

static void reset_probs(prob_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = PROB_INIT;
}

static void reset_state(lzma_dec *d) {
    d->state = 0;
    d->rep[0] = d->rep[1] = d->rep[2] = d->rep[3] = 0;
    d->pending = 0;
    reset_probs(&d->is_match[0][0], sizeof d->is_match / sizeof(prob_t));
    reset_probs(d->is_rep, NUM_STATES);
    reset_probs(d->is_rep_g0, NUM_STATES);
    reset_probs(d->is_rep_g1, NUM_STATES);
    reset_probs(d->is_rep_g2, NUM_STATES);
    reset_probs(&d->is_rep0_long[0][0], sizeof d->is_rep0_long / sizeof(prob_t));
    reset_probs(&d->pos_slot[0][0], sizeof d->pos_slot / sizeof(prob_t));
    reset_probs(d->pos_special, sizeof d->pos_special / sizeof(prob_t));
    reset_probs(d->align, 16);
    reset_probs((prob_t *)&d->match_len, sizeof(len_probs) / sizeof(prob_t));
    reset_probs((prob_t *)&d->rep_len, sizeof(len_probs) / sizeof(prob_t));
    reset_probs(d->literal, (size_t)0x300 << (d->lc + d->lp));
}

/* ------------------------------------------------------------- range decoder */
static inline uint8_t next_byte(lzma_dec *d) {
    if (d->in < d->in_end) return *d->in++;
    d->overrun = 1;
    return 0;
}

static inline void normalize(lzma_dec *d) {
    if (d->range < (1u << 24)) {
        d->range <<= 8;
        d->code = (d->code << 8) | next_byte(d);
    }
}

static inline unsigned bit(lzma_dec *d, prob_t *p) {
    uint32_t bound = (d->range >> 11) * *p;
    unsigned b;
    if (d->code < bound) {
        d->range = bound;
        *p = (prob_t)(*p + ((2048 - *p) >> 5));
        b = 0;
    } else {
        d->range -= bound;
        d->code -= bound;
        *p = (prob_t)(*p - (*p >> 5));
        b = 1;
    }
    normalize(d);
    return b;
}

static inline unsigned tree(lzma_dec *d, prob_t *p, unsigned nbits) {
    unsigned m = 1;
    for (unsigned i = 0; i < nbits; i++) m = (m << 1) | bit(d, &p[m]);
    return m - (1u << nbits);
}

static inline unsigned tree_reverse(lzma_dec *d, prob_t *p, unsigned nbits) {
    unsigned m = 1, sym = 0;
    for (unsigned i = 0; i < nbits; i++) {
        unsigned b = bit(d, &p[m]);
        m = (m << 1) | b;
        sym |= b << i;
    }
    return sym;
}

static inline uint32_t direct_bits(lzma_dec *d, unsigned n) {
    uint32_t v = 0;
    while (n--) {
        d->range >>= 1;
        uint32_t one = d->code >= d->range;
        if (one) d->code -= d->range;
        v = (v << 1) | one;
        normalize(d);
    }
    return v;
}

/* ------------------------------------------------------------------- model */
static unsigned decode_len(lzma_dec *d, len_probs *l, unsigned pos_state) {
    if (!bit(d, &l->choice)) return tree(d, l->low[pos_state], 3);
    if (!bit(d, &l->choice2)) return 8 + tree(d, l->mid[pos_state], 3);
    return 16 + tree(d, l->high, 8);
}

static uint32_t decode_distance(lzma_dec *d, unsigned len) {
    unsigned slot = tree(d, d->pos_slot[len < 3 ? len : 3], 6);
    if (slot < 4) return slot;
    unsigned nbits = (slot >> 1) - 1;
    uint32_t dist = (2u | (slot & 1)) << nbits;
    if (slot < 14) return dist + tree_reverse(d, d->pos_special + dist - slot, nbits);
    dist += direct_bits(d, nbits - 4) << 4;
    return dist + tree_reverse(d, d->align, 4);
}

/* Copy up to `len` bytes of a match at distance rep0 + 1, stopping at `limit`;
 * what does not fit is left in d->pending for the next chunk. */
static int copy_match(lzma_dec *d, uint32_t len, size_t limit) {
    size_t dist = (size_t)d->rep[0] + 1;
    if (dist > d->pos - d->dict_start) return -1;
    size_t room = limit - d->pos, n = len < room ? len : room;
    uint8_t *dst = d->out + d->pos;
    const uint8_t *src = dst - dist;
    if (dist >= n) memcpy(dst, src, n);
    else for (size_t i = 0; i < n; i++) dst[i] = src[i];
    d->pos += n;
    d->pending = (uint32_t)(len - n);
    return 0;
}

static int decode_chunk(lzma_dec *d, size_t limit) {
    const unsigned pb_mask = (1u << d->pb) - 1, lp_mask = (1u << d->lp) - 1;
    if (d->pending && copy_match(d, d->pending, limit) != 0) return -1;
    while (d->pos < limit) {
        size_t rel = d->pos - d->dict_start;
        unsigned pos_state = (unsigned)rel & pb_mask;
        unsigned s = d->state;
        if (!bit(d, &d->is_match[s][pos_state])) {
            unsigned prev = rel ? d->out[d->pos - 1] : 0;
            prob_t *probs = d->literal + 0x300 * ((((unsigned)rel & lp_mask) << d->lc) + (prev >> (8 - d->lc)));
            unsigned sym = 1;
            if (s >= 7) {
                if ((size_t)d->rep[0] + 1 > rel) return -1;
                unsigned match_byte = d->out[d->pos - d->rep[0] - 1];
                do {
                    unsigned match_bit = (match_byte >> 7) & 1;
                    match_byte <<= 1;
                    unsigned b = bit(d, &probs[((1 + match_bit) << 8) + sym]);
                    sym = (sym << 1) | b;
                    if (b != match_bit) break;
                } while (sym < 0x100);
            }
            while (sym < 0x100) sym = (sym << 1) | bit(d, &probs[sym]);
            d->out[d->pos++] = (uint8_t)sym;
            d->state = s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
            continue;
        }
        unsigned len;
        if (bit(d, &d->is_rep[s])) {
            if (!bit(d, &d->is_rep_g0[s])) {
                if (!bit(d, &d->is_rep0_long[s][pos_state])) { /* short rep: one byte */
                    if ((size_t)d->rep[0] + 1 > rel) return -1;
                    d->out[d->pos] = d->out[d->pos - d->rep[0] - 1];
                    d->pos++;
                    d->state = s < 7 ? 9 : 11;
                    continue;
                }
            } else {
                uint32_t dist;
                if (!bit(d, &d->is_rep_g1[s])) {
                    dist = d->rep[1];
                } else {
                    if (!bit(d, &d->is_rep_g2[s])) {
                        dist = d->rep[2];
                    } else {
                        dist = d->rep[3];
                        d->rep[3] = d->rep[2];
                    }
                    d->rep[2] = d->rep[1];
                }
                d->rep[1] = d->rep[0];
                d->rep[0] = dist;
            }
            len = decode_len(d, &d->rep_len, pos_state);
            d->state = s < 7 ? 8 : 11;
        } else {
            d->rep[3] = d->rep[2];
            d->rep[2] = d->rep[1];
            d->rep[1] = d->rep[0];
            len = decode_len(d, &d->match_len, pos_state);
            d->state = s < 7 ? 7 : 10;
            d->rep[0] = decode_distance(d, len);
            if (d->rep[0] == 0xFFFFFFFFu) return -1; /* end marker: not used by LZMA2 */
        }
        if (copy_match(d, len + 2, limit) != 0) return -1;
        if (d->overrun) return -1;
    }
    return d->overrun ? -1 : 0;
}

/* ------------------------------------------------------------------ BCJ x86 */
static int ms_byte(uint8_t b) { return b == 0x00 || b == 0xFF; }

/* Undo the x86 branch converter over the whole buffer (it started at offset 0).
 * `mask` records, for the four bytes before the current E8/E9, which were E8/E9
 * candidates that were not converted (bit set = candidate seen there); such a
 * prefix makes the encoder skip or re-check the conversion. */
static void bcj_x86_decode(uint8_t *buf, size_t size) {
    static const unsigned char allowed[8] = {1, 1, 1, 0, 1, 0, 0, 0};
    static const unsigned char byte_index[8] = {0, 1, 2, 2, 3, 3, 3, 3};
    uint32_t mask = 0, last = (uint32_t)-5;
    if (size < 5) return;
    size_t i = 0;
    while (i <= size - 5) {
        if ((buf[i] & 0xFE) != 0xE8) { i++; continue; }
        uint32_t here = (uint32_t)i, gap = here - last;
        last = here;
        if (gap > 5) mask = 0;
        else for (uint32_t k = 0; k < gap; k++) mask = (mask & 0x77) << 1;
        uint8_t top = buf[i + 4];
        if (ms_byte(top) && allowed[(mask >> 1) & 7] && (mask >> 1) < 0x10) {
            uint32_t v = le32(buf + i + 1), dest;
            for (;;) {
                dest = v - (here + 5);
                if (mask == 0) break;
                unsigned idx = byte_index[mask >> 1];
                if (!ms_byte((uint8_t)(dest >> (24 - idx * 8)))) break;
                v = dest ^ ((1u << (32 - idx * 8)) - 1);
            }
            buf[i + 1] = (uint8_t)dest;
            buf[i + 2] = (uint8_t)(dest >> 8);
            buf[i + 3] = (uint8_t)(dest >> 16);
            buf[i + 4] = (dest >> 24) & 1 ? 0xFF : 0x00;
            i += 5;
            mask = 0;
        } else {
            i++;
            mask |= 1;
            if (ms_byte(top)) mask |= 0x10;
        }
    }
}

/* ------------------------------------------------------------------- LZMA2 */
int lzma2_x86_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len) {
    lzma_dec *d = calloc(1, sizeof *d);
    if (!d) return -1;
    d->out = out;
    d->out_len = out_len;
    const uint8_t *p = in, *end = in + in_len;
    int need_dict_reset = 1, need_props = 1, rc = -1;
    for (;;) {
        if (p >= end) goto done;
        unsigned control = *p++;
        if (control == 0x00) { rc = d->pos == out_len && d->pending == 0 ? 0 : -1; goto done; }
        if (control == 0x01 || control == 0x02) {
            if (end - p < 2) goto done;
            size_t size = ((size_t)p[0] << 8 | p[1]) + 1;
            p += 2;
            if (control == 0x01) { d->dict_start = d->pos; need_dict_reset = 0; }
            if (need_dict_reset || d->pending || (size_t)(end - p) < size || out_len - d->pos < size)
                goto done;
            memcpy(out + d->pos, p, size);
            d->pos += size;
            p += size;
            continue;
        }
        if (control < 0x80 || end - p < 4) goto done;
        size_t unpacked = ((size_t)(control & 0x1F) << 16 | (size_t)p[0] << 8 | p[1]) + 1;
        size_t packed = ((size_t)p[2] << 8 | p[3]) + 1;
        p += 4;
        unsigned reset = (control >> 5) & 3;
        if (reset == 3) { d->dict_start = d->pos; need_dict_reset = 0; }
        if (need_dict_reset) goto done;
        if (reset >= 2) {
            if (p >= end) goto done;
            unsigned props = *p++;
            if (props >= 9 * 5 * 5) goto done;
            d->lc = props % 9;
            d->lp = (props / 9) % 5;
            d->pb = props / 45;
            if (d->lc + d->lp > 4) goto done;
            need_props = 0;
        }
        if (need_props) goto done;
        if (reset >= 1) reset_state(d);
        if ((size_t)(end - p) < packed || packed < 5 || out_len - d->pos < unpacked) goto done;
        d->in = p;
        d->in_end = p + packed;
        d->overrun = 0;
        if (next_byte(d) != 0) goto done;
        d->code = 0;
        for (int k = 0; k < 4; k++) d->code = (d->code << 8) | next_byte(d);
        d->range = 0xFFFFFFFFu;
        if (decode_chunk(d, d->pos + unpacked) != 0) goto done;
        p += packed;
    }
done:
    free(d);
    if (rc == 0) bcj_x86_decode(out, out_len);
    return rc;
}
