/* maps.nyash in C: a string-keyed hash table in the compact layout CPython's dict uses
 * (an open-addressing index of int32 into an insertion-ordered entry array; the stored
 * hash avoids touching other keys while probing; key bytes live in a bump arena). */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint64_t hash; const char *key; int64_t value; } Entry;
typedef struct {
    int32_t *index;          /* 0 = empty, else entry number + 1 */
    size_t index_cap;        /* power of two */
    Entry *entries;
    size_t size, entries_cap;
} Map;

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n);
    if (!p) { perror("realloc"); exit(1); }
    return p;
}

/* Key storage: 1 MiB chunks, never moved (entries point into them). */
static char *arena, *arena_end;
static const char *arena_copy(const char *s, size_t n) {
    if ((size_t)(arena_end - arena) < n + 1) {
        size_t chunk = n + 1 > (1 << 20) ? n + 1 : (1 << 20);
        arena = xrealloc(NULL, chunk);
        arena_end = arena + chunk;
    }
    char *out = arena;
    memcpy(out, s, n + 1);
    arena += n + 1;
    return out;
}

static uint64_t hash(const char *s) {
    uint64_t h = 1469598103934665603ULL;            /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h ^= h >> 33;                 /* finalizer: FNV's low bits cluster on keys like "k123" */
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* The index slot where `key` is, or the empty slot where it would go. */
static size_t find_slot(const Map *m, const char *key, uint64_t h) {
    size_t mask = m->index_cap - 1, i = h & mask;
    for (;;) {
        int32_t e = m->index[i];
        if (e == 0) return i;
        const Entry *entry = &m->entries[e - 1];
        if (entry->hash == h && strcmp(entry->key, key) == 0) return i;
        i = (i + 1) & mask;
    }
}

static void grow_index(Map *m) {
    free(m->index);
    m->index_cap = m->index_cap ? m->index_cap * 2 : 16;
    m->index = calloc(m->index_cap, sizeof(int32_t));
    if (!m->index) { perror("calloc"); exit(1); }
    size_t mask = m->index_cap - 1;
    for (size_t e = 0; e < m->size; e++) {
        size_t i = m->entries[e].hash & mask;
        while (m->index[i]) i = (i + 1) & mask;
        m->index[i] = (int32_t)(e + 1);
    }
}

static void map_set(Map *m, const char *key, int64_t value) {
    if ((m->size + 1) * 3 > m->index_cap * 2) grow_index(m);
    uint64_t h = hash(key);
    size_t slot = find_slot(m, key, h);
    if (m->index[slot]) {
        m->entries[m->index[slot] - 1].value = value;
        return;
    }
    if (m->size == m->entries_cap) {
        m->entries_cap = m->entries_cap ? m->entries_cap * 2 : 8;
        m->entries = xrealloc(m->entries, m->entries_cap * sizeof(Entry));
    }
    m->entries[m->size] = (Entry){h, arena_copy(key, strlen(key)), value};
    m->index[slot] = (int32_t)(++m->size);
}

static int64_t map_get(const Map *m, const char *key) {
    size_t slot = find_slot(m, key, hash(key));
    if (!m->index[slot]) { fprintf(stderr, "missing key %s\n", key); exit(1); }
    return m->entries[m->index[slot] - 1].value;
}

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 1000000), total = 0;
    Map m = {0};
    char key[32];
    for (int64_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%ld", (long)i);
        map_set(&m, key, i);
    }
    for (int64_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%ld", (long)(i * 7 % n));
        total += map_get(&m, key);
    }
    printf("%ld\n", (long)(total + (int64_t)m.size));
    return 0;
}
