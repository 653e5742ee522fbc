/* objects.nyash in C: heap-allocated particles behind an array of pointers. */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct { int64_t x, v; } Particle;

static Particle *particle_new(int64_t x, int64_t v) {
    Particle *p = malloc(sizeof *p);
    if (!p) { perror("malloc"); exit(1); }
    p->x = x;
    p->v = v;
    return p;
}

static void step(Particle *p) {
    p->x = p->x + p->v;
    if (p->x > 1000) p->v = 0 - p->v;
    if (p->x < 0) p->v = 0 - p->v;
}

static int64_t pos(const Particle *p) { return p->x; }

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 1000000);
    Particle *ps[10];
    for (int64_t i = 0; i < 10; i++) ps[i] = particle_new(i * 50, i + 1);
    for (int64_t t = 0; t < n; t++)
        for (int i = 0; i < 10; i++) step(ps[i]);
    int64_t sum = 0;
    for (int i = 0; i < 10; i++) sum += pos(ps[i]);
    printf("%ld\n", (long)sum);
    return 0;
}
