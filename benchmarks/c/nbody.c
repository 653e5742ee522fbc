/* nbody.nyash in C: the same float operations in the same order (no FMA contraction:
 * the harness compiles for plain x86-64, which has no FMA instructions). */
#include <math.h>
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct { double x, y, z, vx, vy, vz, mass; } Body;

static Body *body_new(double x, double y, double z, double vx, double vy, double vz, double mass) {
    Body *b = malloc(sizeof *b);
    if (!b) { perror("malloc"); exit(1); }
    *b = (Body){x, y, z, vx, vy, vz, mass};
    return b;
}

static void move(Body *b, double dt) {
    b->x = b->x + dt * b->vx;
    b->y = b->y + dt * b->vy;
    b->z = b->z + dt * b->vz;
}

static double body_energy(const Body *b) {
    return 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
}

static double energy(Body **bodies, int count) {
    double e = 0.0;
    for (int i = 0; i < count; i++) {
        Body *b = bodies[i];
        e = e + body_energy(b);
        for (int j = i + 1; j < count; j++) {
            Body *o = bodies[j];
            double dx = b->x - o->x, dy = b->y - o->y, dz = b->z - o->z;
            e = e - b->mass * o->mass / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static void advance(Body **bodies, int count, double dt) {
    for (int i = 0; i < count; i++) {
        Body *b = bodies[i];
        for (int j = i + 1; j < count; j++) {
            Body *o = bodies[j];
            double dx = b->x - o->x, dy = b->y - o->y, dz = b->z - o->z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            double bm = b->mass * mag, om = o->mass * mag;
            b->vx = b->vx - dx * om;
            b->vy = b->vy - dy * om;
            b->vz = b->vz - dz * om;
            o->vx = o->vx + dx * bm;
            o->vy = o->vy + dy * bm;
            o->vz = o->vz + dz * bm;
        }
    }
    for (int i = 0; i < count; i++) move(bodies[i], dt);
}

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 200000);
    double pi = 3.141592653589793, solar_mass = 4.0 * pi * pi, days = 365.24;
    Body *bodies[5] = {
        body_new(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, solar_mass),
        body_new(4.84143144246472090, 0.0 - 1.16032004402742839, 0.0 - 0.103622044471123109,
                 0.00166007664274403694 * days, 0.00769901118419740425 * days,
                 0.0 - 0.0000690460016972063023 * days, 0.000954791938424326609 * solar_mass),
        body_new(8.34336671824457987, 4.12479856412430479, 0.0 - 0.403523417114321381,
                 0.0 - 0.00276742510726862411 * days, 0.00499852801234917238 * days,
                 0.0000230417297573763929 * days, 0.000285885980666130812 * solar_mass),
        body_new(12.8943695621391310, 0.0 - 15.1111514016986312, 0.0 - 0.223307578892655734,
                 0.00296460137564761618 * days, 0.00237847173959480950 * days,
                 0.0 - 0.0000296589568540237556 * days, 0.0000436624404335156298 * solar_mass),
        body_new(15.3796971148509165, 0.0 - 25.9193146099879641, 0.179258772950371181,
                 0.00268067772490389322 * days, 0.00162824170038242295 * days,
                 0.0 - 0.0000951592254519715870 * days, 0.0000515138902046611451 * solar_mass),
    };
    double px = 0.0, py = 0.0, pz = 0.0;
    for (int i = 0; i < 5; i++) {
        px = px + bodies[i]->vx * bodies[i]->mass;
        py = py + bodies[i]->vy * bodies[i]->mass;
        pz = pz + bodies[i]->vz * bodies[i]->mass;
    }
    bodies[0]->vx = 0.0 - px / solar_mass;
    bodies[0]->vy = 0.0 - py / solar_mass;
    bodies[0]->vz = 0.0 - pz / solar_mass;
    double before = energy(bodies, 5);
    for (int64_t step = 0; step < n; step++) advance(bodies, 5, 0.01);
    double after = energy(bodies, 5);
    printf("%ld\n", (long)((int64_t)(before * 1000000000.0) + (int64_t)(after * 1000000000000000.0)));
    return 0;
}
