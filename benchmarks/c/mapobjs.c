/* mapobjs.nyash in C: a string-keyed hash table (compact, insertion-ordered like
 * maps.c) whose values are pointers to heap objects; has + get are two lookups, as in
 * the Nyash program. */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *name; int64_t price, count; } Item;
typedef struct { uint64_t hash; char *key; Item *value; } Entry;
typedef struct { int32_t *index; size_t index_cap; Entry *entries; size_t size, entries_cap; } Map;

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n);
    if (!p) { perror("realloc"); exit(1); }
    return p;
}

static uint64_t hash(const char *s) {
    uint64_t h = 1469598103934665603ULL;            /* FNV-1a with a finalizer */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

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

static void map_set(Map *m, const char *key, Item *value) {
    if ((m->size + 1) * 3 > m->index_cap * 2) grow_index(m);
    uint64_t h = hash(key);
    size_t slot = find_slot(m, key, h);
    if (m->index[slot]) { m->entries[m->index[slot] - 1].value = value; return; }
    if (m->size == m->entries_cap) {
        m->entries_cap = m->entries_cap ? m->entries_cap * 2 : 8;
        m->entries = xrealloc(m->entries, m->entries_cap * sizeof(Entry));
    }
    m->entries[m->size] = (Entry){h, strdup(key), value};
    m->index[slot] = (int32_t)(++m->size);
}

static Entry *map_find(const Map *m, const char *key) {
    size_t slot = find_slot(m, key, hash(key));
    return m->index[slot] ? &m->entries[m->index[slot] - 1] : NULL;
}

static int64_t sell(Item *it, int64_t k) {
    it->count = it->count + k;
    return it->price * k;
}

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 1500000), revenue = 0, best = 0;
    Map items = {0};
    char key[32];
    for (int64_t i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "item%ld", (long)i);
        Item *it = xrealloc(NULL, sizeof *it);
        *it = (Item){strdup(key), i % 97 + 1, 0};
        map_set(&items, key, it);
    }
    for (int64_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "item%ld", (long)(i * 7919 % 1000));
        if (map_find(&items, key)) revenue += sell(map_find(&items, key)->value, i % 5 + 1);
    }
    for (size_t e = 0; e < items.size; e++)
        if (items.entries[e].value->count > best) best = items.entries[e].value->count;
    printf("%ld\n", (long)(revenue * 1000 + best));
    return 0;
}
