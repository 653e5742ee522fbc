/*
 * payload.c - the app payload at the end of the executable, checked exactly as
 * runtime_stub/payload.py:Payload does: magic, version, the whole sha256 before anything
 * is read, each entry's own sha256 before it is used; the same messages and exit codes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fastpath_parts.h"

#define PAYLOAD_HEAD 16 /* magic[8] u32 version u32 header length */
#define DIGEST 32

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

void read_payload(payload *p, const launch_info *info) {
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
        const jv *raw = json_get(e, "raw_digest"); /* only the fast path's module cache reads it */
        entry en = {name->str, (uint64_t)off->ival, (uint64_t)size->ival, sha->str,
                    strcmp(codec->str, "zlib") == 0,
                    raw && raw->type == JV_STR && raw->len == 64 ? raw->str : NULL};
        size_t k = 0; /* a repeated name: the last one wins (a Python dict) */
        while (k < p->nentries && strcmp(p->entries[k].name, en.name) != 0) k++;
        p->entries[k] = en;
        if (k == p->nentries) p->nentries++;
    }
    p->data = p->blob + PAYLOAD_HEAD + hlen;
    p->data_len = len - DIGEST - PAYLOAD_HEAD - hlen;
}

const entry *find_entry(const payload *p, const char *name) {
    for (size_t i = 0; i < p->nentries; i++)
        if (strcmp(p->entries[i].name, name) == 0) return &p->entries[i];
    return NULL;
}

static const uint8_t *stored_bytes(const payload *p, const entry *e, int *ok) {
    uint64_t avail = e->offset < p->data_len ? p->data_len - e->offset : 0;
    const uint8_t *stored = p->data + (e->offset < p->data_len ? e->offset : p->data_len);
    *ok = avail >= e->size;
    if (*ok) {
        uint8_t d[32];
        char hex[65];
        sha256(stored, e->size, d);
        for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
        *ok = strcmp(hex, e->sha256) == 0;
    }
    return stored;
}

/* Payload.get: the entry's bytes after checking its own sha256. `soft` (the runner's
 * best-effort reads) returns p == NULL instead of failing. */
bytes get_entry(const payload *p, const char *name, int soft) {
    bytes none = {NULL, 0, NULL};
    const entry *e = find_entry(p, name);
    if (!e) {
        if (soft) return none;
        fail(EXIT_CORRUPT, "payload has no entry '%s'", name);
    }
    int ok;
    const uint8_t *stored = stored_bytes(p, e, &ok);
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

const entry *checked_entry(const payload *p, const char *name) {
    const entry *e = find_entry(p, name);
    if (!e) fail(EXIT_CORRUPT, "payload has no entry '%s'", name);
    int ok;
    stored_bytes(p, e, &ok);
    if (!ok) fail(EXIT_CORRUPT, "payload entry '%s' checksum mismatch", name);
    return e;
}

bytes decode_entry(const payload *p, const entry *e) {
    const uint8_t *stored = p->data + e->offset; /* checked_entry: within the data */
    bytes b = {stored, e->size, NULL};
    if (e->zlib) {
        if (zlib_decompress(stored, e->size, &b.owned, &b.len) != 0) handover();
        b.p = b.owned;
    }
    return b;
}
