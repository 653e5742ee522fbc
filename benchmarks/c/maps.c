/* maps.nyash in C: string-keyed open-addressing hash table (FNV-1a), keys "k<i>". */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *key; uint64_t hash; int64_t value; } Slot;
typedef struct { Slot *slots; size_t cap, size; } Map;

static uint64_t hash(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h ^= h >> 33;                 /* finalizer: FNV's low bits cluster on keys like "k123" */
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* Linear probing; the stored hash avoids touching other keys' bytes while probing. */
static Slot *find(Slot *slots, size_t cap, const char *key, uint64_t h) {
    size_t i = h & (cap - 1);
    while (slots[i].key && (slots[i].hash != h || strcmp(slots[i].key, key) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(Map *m) {
    size_t cap = m->cap ? m->cap * 2 : 16;
    Slot *slots = calloc(cap, sizeof(Slot));
    if (!slots) { perror("calloc"); exit(1); }
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *find(slots, cap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

static void map_set(Map *m, const char *key, int64_t value) {
    if ((m->size + 1) * 4 > m->cap * 3) grow(m);
    uint64_t h = hash(key);
    Slot *s = find(m->slots, m->cap, key, h);
    if (!s->key) { s->key = strdup(key); s->hash = h; m->size++; }
    s->value = value;
}

static int64_t map_get(Map *m, const char *key) {
    Slot *s = find(m->slots, m->cap, key, hash(key));
    if (!s->key) { fprintf(stderr, "missing key %s\n", key); exit(1); }
    return s->value;
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
