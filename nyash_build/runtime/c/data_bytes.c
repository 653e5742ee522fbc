/* data_bytes.c: BufferBox and StreamBox (docs/data-boxes.md).
 *
 * Upstream's methods, return values and soft `Error: ...` strings; state persists
 * (spec row 22: a box is a reference, so `b.write(...)` through a field, a copy or an
 * argument changes the one buffer).  Upstream's panics (read(-1)) are runtime errors.
 *
 * BufferBox object (16 bytes): +0 rc, +4 kind id, +8 address of its data block.
 * The data block is shared by every BufferBox made by share_reference() (upstream's
 * Arc): +0 i32 count of BufferBoxes holding it, +4 i32 length, +8 i32 capacity,
 * +12 i32 address of the bytes (0 while the capacity is 0).
 *
 * StreamBox object (24 bytes): +0 rc, +4 kind id, +8 address of the bytes, +12 length,
 * +16 capacity, +20 read position.
 */
#include "data.h"

NY_IMPORT(buffer_obj) int32_t ny_buffer_obj(int32_t data);   /* databox.wat: a BufferBox holding data */
NY_IMPORT(buffer_kid) int32_t ny_buffer_kid(void);          /* databox.wat: BufferBox's kind id */

typedef struct { int32_t rc, len, cap, bytes; } block_t;
typedef struct { int32_t rc, kid, data; } buffer_t;
typedef struct { int32_t rc, kid, bytes, len, cap, pos; } stream_t;

#define BUF(self) ((buffer_t *)ny_mem((int32_t)(self)))
#define BLK(self) ((block_t *)ny_mem(BUF(self)->data))
#define STR(self) ((stream_t *)ny_mem((int32_t)(self)))

void sb_int(sb_t *b, int64_t v) {
    int32_t s = ny_str_from_i64(v);
    sb_s(b, s);
    ny_release_str(s);
}

static ny_value soft(const char *msg) { return ny_strv(ny_str_c(msg)); }

/* the largest byte count a buffer or stream may hold (strings have the same limit) */
#define MAX_BYTES 0x3ff00000

/* Grow a byte area (*bytes, *cap) to hold at least need bytes; 0 after raising. */
static int grow(int32_t *bytes, int32_t *cap, int64_t need, const char *what) {
    if (need <= *cap) return 1;
    if (need > MAX_BYTES) {
        sb_t m = {0, 0, 0};
        sb_c(&m, what);
        sb_c(&m, "(): the data would exceed 1 GiB");
        ny_raise_s(sb_done(&m));
        return 0;
    }
    int64_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    if (c > MAX_BYTES) c = MAX_BYTES;
    *bytes = *bytes ? ny_realloc(*bytes, (int32_t)c) : ny_alloc((int32_t)c);
    *cap = (int32_t)c;
    return 1;
}

/* ------------------------------------------------------------------ BufferBox */
static int32_t block_new(const uint8_t *p, int32_t n) {
    block_t *b = ny_malloc(sizeof(block_t));
    b->rc = 1;
    b->len = 0;
    b->cap = 0;
    b->bytes = 0;
    if (n > 0) {
        b->bytes = ny_alloc(n);
        b->cap = n;
        __builtin_memcpy(ny_mem(b->bytes), p, n);
        b->len = n;
    }
    return P(b);
}

/* A new BufferBox holding a copy of n bytes at p (owned object address). */
static int32_t buffer_from(const uint8_t *p, int32_t n) { return ny_buffer_obj(block_new(p, n)); }

NY_EXPORT(new_Buffer) int32_t new_Buffer(void) { return buffer_from(0, 0); }

/* BufferBox from C parts elsewhere (StreamBox.read) */
static ny_value buffer_value(const uint8_t *p, int32_t n) {
    return ny_val(T_BOX, (int64_t)(uint32_t)buffer_from(p, n));
}

NY_EXPORT(drop_Buffer) void drop_Buffer(int32_t b) {
    block_t *k = (block_t *)ny_mem(BUF(b)->data);
    if (--k->rc > 0) return;
    if (k->bytes) ny_free(k->bytes);
    ny_mfree(k);
}

NY_EXPORT(tostr_Buffer) int32_t tostr_Buffer(int32_t b) {
    sb_t m = {0, 0, 0};
    sb_c(&m, "BufferBox(");
    sb_int(&m, BLK(b)->len);
    sb_c(&m, " bytes)");
    return sb_done(&m);
}

/* == compares contents (upstream's equals) */
NY_EXPORT(eq_Buffer) int32_t eq_Buffer(int32_t a, int32_t b) {
    block_t *x = BLK(a), *y = BLK(b);
    if (x->len != y->len) return 0;
    return x->len == 0 || __builtin_memcmp(ny_mem(x->bytes), ny_mem(y->bytes), x->len) == 0;
}

static int is_buffer(ny_value v) {
    return v.tag == T_BOX && *(int32_t *)ny_mem(ny_ptr(v) + 4) == ny_buffer_kid();
}

/* upstream's type_name() of a value: user instances are all "InstanceBox" */
void sb_type_name(sb_t *b, ny_value v) {
    if (v.tag == T_INST) sb_c(b, "InstanceBox");
    else sb_s(b, ny_kind_name(v));
}

/* write(array): appends the elements that are integers 0..255 (others are skipped, as
 * upstream); returns the new total length. */
NY_EXPORT(m_Buffer_write) ny_value m_Buffer_write(int64_t self, ny_value arr) {
    if (arr.tag != T_ARR) {
        sb_t m = {0, 0, 0};
        sb_c(&m, "Error: write() requires ArrayBox of integers, got ");
        sb_type_name(&m, arr);
        return ny_strv(sb_done(&m));
    }
    block_t *k = BLK(self);
    int32_t a = ny_ptr(arr), n = ny_arr_len(a);
    if (!grow(&k->bytes, &k->cap, (int64_t)k->len + n, "write")) return NY_VOID;
    uint8_t *dst = ny_mem(k->bytes);
    for (int32_t i = 0; i < n; i++) {
        if (ny_arr_tag(a, i) != T_INT) continue;
        int64_t v = ny_arr_payload(a, i);
        if (v >= 0 && v <= 255) dst[k->len++] = (uint8_t)v;
    }
    return ny_int(k->len);
}

static ny_value bytes_array(const uint8_t *p, int32_t n) {
    int32_t a = ny_arr_new();
    for (int32_t i = 0; i < n; i++) ny_arr_push_v(a, ny_int(p[i]));
    return ny_arrv(a);
}

NY_EXPORT(m_Buffer_readAll) ny_value m_Buffer_readAll(int64_t self) {
    block_t *k = BLK(self);
    return bytes_array(ny_mem(k->bytes), k->len);
}

/* upstream panics (capacity overflow) on a negative count */
static void negative_count(int64_t n) {
    sb_t m = {0, 0, 0};
    sb_c(&m, "read(): negative count: ");
    sb_int(&m, n);
    ny_raise_s(sb_done(&m));
}

/* read(n): the first min(n, length) bytes, removed from the buffer */
NY_EXPORT(m_Buffer_read) ny_value m_Buffer_read(int64_t self, ny_value count) {
    if (count.tag != T_INT) return soft("Error: read() requires integer count");
    if (count.payload < 0) {   /* upstream panics */
        negative_count(count.payload);
        return NY_VOID;
    }
    block_t *k = BLK(self);
    int32_t n = count.payload < k->len ? (int32_t)count.payload : k->len;
    uint8_t *p = ny_mem(k->bytes);
    ny_value r = bytes_array(p, n);
    if (n > 0) {
        __builtin_memmove(p, p + n, k->len - n);
        k->len -= n;
    }
    return r;
}

NY_EXPORT(m_Buffer_clear) ny_value m_Buffer_clear(int64_t self) {
    BLK(self)->len = 0;
    return soft("ok");
}

NY_EXPORT(m_Buffer_length) ny_value m_Buffer_length(int64_t self) { return ny_int(BLK(self)->len); }

/* append(buffer): the other buffer's bytes added; the new total length */
NY_EXPORT(m_Buffer_append) ny_value m_Buffer_append(int64_t self, ny_value other) {
    if (!is_buffer(other)) return soft("Error: append() requires BufferBox");
    block_t *k = BLK(self), *o = BLK(ny_ptr(other));
    int32_t n = o->len;   /* read before growing: o may be k */
    if (!grow(&k->bytes, &k->cap, (int64_t)k->len + n, "append")) return NY_VOID;
    o = BLK(ny_ptr(other));
    if (n) __builtin_memmove(ny_mem(k->bytes) + k->len, ny_mem(o->bytes), n);
    k->len += n;
    return ny_int(k->len);
}

/* slice(a, b): a new BufferBox of bytes a..b; indices are clamped to the length and a
 * negative one counts as huge (upstream's `as usize`), so it clamps to the length too. */
NY_EXPORT(m_Buffer_slice) ny_value m_Buffer_slice(int64_t self, ny_value a, ny_value b) {
    if (a.tag != T_INT || b.tag != T_INT) return soft("Error: slice() requires integer indices");
    block_t *k = BLK(self);
    uint64_t len = (uint64_t)k->len, s = (uint64_t)a.payload, e = (uint64_t)b.payload;
    if (s > len) s = len;
    if (e > len) e = len;
    if (s > e) return soft("Error: invalid slice range");
    return buffer_value(ny_mem(k->bytes) + s, (int32_t)(e - s));
}

NY_EXPORT(m_Buffer_is_shared_with) ny_value m_Buffer_is_shared_with(int64_t self, ny_value other) {
    return ny_bool(is_buffer(other) && BUF(ny_ptr(other))->data == BUF(self)->data);
}

/* share_reference(x): a new BufferBox on this buffer's data (x is ignored, as upstream) */
NY_EXPORT(m_Buffer_share_reference) ny_value m_Buffer_share_reference(int64_t self, ny_value ignored) {
    (void)ignored;
    BLK(self)->rc++;
    return ny_val(T_BOX, (int64_t)(uint32_t)ny_buffer_obj(BUF(self)->data));
}

/* the length plus upstream's size_of::<BufferBox>() (40) */
NY_EXPORT(m_Buffer_memory_footprint) ny_value m_Buffer_memory_footprint(int64_t self) {
    return ny_int((int64_t)BLK(self)->len + 40);
}

/* ------------------------------------------------------------------ StreamBox */
NY_EXPORT(drop_Stream) void drop_Stream(int32_t s) {
    if (STR(s)->bytes) ny_free(STR(s)->bytes);
}

/* upstream's type name and printed form: NyashStreamBox(N bytes, pos: P) */
NY_EXPORT(tostr_Stream) int32_t tostr_Stream(int32_t s) {
    sb_t m = {0, 0, 0};
    sb_c(&m, "NyashStreamBox(");
    sb_int(&m, STR(s)->len);
    sb_c(&m, " bytes, pos: ");
    sb_int(&m, STR(s)->pos);
    sb_c(&m, ")");
    return sb_done(&m);
}

/* == : the same bytes and the same position (upstream's equals) */
NY_EXPORT(eq_Stream) int32_t eq_Stream(int32_t a, int32_t b) {
    stream_t *x = STR(a), *y = STR(b);
    if (x->len != y->len || x->pos != y->pos) return 0;
    return x->len == 0 || __builtin_memcmp(ny_mem(x->bytes), ny_mem(y->bytes), x->len) == 0;
}

static int stream_put(int64_t self, const uint8_t *p, int32_t n) {
    stream_t *s = STR(self);
    if (!grow(&s->bytes, &s->cap, (int64_t)s->len + n, "write")) return 0;
    if (n) __builtin_memmove(ny_mem(s->bytes) + s->len, p, n);
    s->len += n;
    return 1;
}

/* write(string or buffer): appends its bytes at the end; "ok" */
NY_EXPORT(m_Stream_write) ny_value m_Stream_write(int64_t self, ny_value x) {
    if (x.tag == T_STR) {
        if (!stream_put(self, ny_str_bytes(ny_ptr(x)), ny_str_len(ny_ptr(x)))) return NY_VOID;
    } else if (is_buffer(x)) {
        block_t *k = BLK(ny_ptr(x));
        if (!stream_put(self, ny_mem(k->bytes), k->len)) return NY_VOID;
    } else {
        return soft("Error: write() requires BufferBox or StringBox");
    }
    return soft("ok");
}

/* read(n): a new BufferBox of up to n bytes from the position, which advances */
NY_EXPORT(m_Stream_read) ny_value m_Stream_read(int64_t self, ny_value count) {
    if (count.tag != T_INT) return soft("Error: read() requires integer count");
    if (count.payload < 0) {
        negative_count(count.payload);
        return NY_VOID;
    }
    stream_t *s = STR(self);
    int32_t left = s->len - s->pos;
    int32_t n = count.payload < left ? (int32_t)count.payload : left;
    ny_value r = buffer_value(ny_mem(s->bytes) + s->pos, n);
    STR(self)->pos += n;
    return r;
}

NY_EXPORT(m_Stream_position) ny_value m_Stream_position(int64_t self) { return ny_int(STR(self)->pos); }
NY_EXPORT(m_Stream_length) ny_value m_Stream_length(int64_t self) { return ny_int(STR(self)->len); }

/* reset(): back to the start; the bytes stay */
NY_EXPORT(m_Stream_reset) ny_value m_Stream_reset(int64_t self) {
    STR(self)->pos = 0;
    return soft("ok");
}
