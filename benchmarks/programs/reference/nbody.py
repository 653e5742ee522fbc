# nbody.nyash in Python: float arithmetic on the fields of objects held in a list.
from math import sqrt

class Body:
    def __init__(self, x, y, z, vx, vy, vz, mass):
        self.x = x
        self.y = y
        self.z = z
        self.vx = vx
        self.vy = vy
        self.vz = vz
        self.mass = mass

    def move(self, dt):
        self.x = self.x + dt * self.vx
        self.y = self.y + dt * self.vy
        self.z = self.z + dt * self.vz

    def energy(self):
        return 0.5 * self.mass * (self.vx * self.vx + self.vy * self.vy + self.vz * self.vz)




PI = 3.141592653589793
SOLAR_MASS = 4.0 * PI * PI
DAYS = 365.24
bodies = [
    Body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS),
    Body(4.84143144246472090, -1.16032004402742839, -0.103622044471123109,
         0.00166007664274403694 * DAYS, 0.00769901118419740425 * DAYS,
         -0.0000690460016972063023 * DAYS, 0.000954791938424326609 * SOLAR_MASS),
    Body(8.34336671824457987, 4.12479856412430479, -0.403523417114321381,
         -0.00276742510726862411 * DAYS, 0.00499852801234917238 * DAYS,
         0.0000230417297573763929 * DAYS, 0.000285885980666130812 * SOLAR_MASS),
    Body(12.8943695621391310, -15.1111514016986312, -0.223307578892655734,
         0.00296460137564761618 * DAYS, 0.00237847173959480950 * DAYS,
         -0.0000296589568540237556 * DAYS, 0.0000436624404335156298 * SOLAR_MASS),
    Body(15.3796971148509165, -25.9193146099879641, 0.179258772950371181,
         0.00268067772490389322 * DAYS, 0.00162824170038242295 * DAYS,
         -0.0000951592254519715870 * DAYS, 0.0000515138902046611451 * SOLAR_MASS),
]


def energy():
    e = 0.0
    count = len(bodies)
    for i in range(count):
        b = bodies[i]
        e = e + b.energy()
        for j in range(i + 1, count):
            o = bodies[j]
            dx = b.x - o.x
            dy = b.y - o.y
            dz = b.z - o.z
            e = e - b.mass * o.mass / sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(dt):
    count = len(bodies)
    for i in range(count):
        b = bodies[i]
        for j in range(i + 1, count):
            o = bodies[j]
            dx = b.x - o.x
            dy = b.y - o.y
            dz = b.z - o.z
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * sqrt(d2))
            bm = b.mass * mag
            om = o.mass * mag
            b.vx = b.vx - dx * om
            b.vy = b.vy - dy * om
            b.vz = b.vz - dz * om
            o.vx = o.vx + dx * bm
            o.vy = o.vy + dy * bm
            o.vz = o.vz + dz * bm
    for b in bodies:
        b.move(dt)


px = py = pz = 0.0
for b in bodies:
    px = px + b.vx * b.mass
    py = py + b.vy * b.mass
    pz = pz + b.vz * b.mass
sun = bodies[0]
sun.vx = 0.0 - px / SOLAR_MASS
sun.vy = 0.0 - py / SOLAR_MASS
sun.vz = 0.0 - pz / SOLAR_MASS
n = 200000
before = energy()
for step in range(n):
    advance(0.01)
after = energy()
print(int(before * 1000000000.0) + int(after * 1000000000000000.0))
