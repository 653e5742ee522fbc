import sys
sys.setrecursionlimit(10000)
def tak(x, y, z):
    if y < x:
        return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y))
    return z
def walk(depth, a, b, c, d):
    if depth == 0:
        return a + b * 2 + c * 3 + d * 4
    r = walk(depth - 1, d, a, b, c - 1)
    m = abs(r) % 7
    if r < 0:
        m = -m
    return walk(depth - 1, b, c, d, a + 1) + m
n = 21
print(tak(n, 10, 4))
print(walk(n, 1, 2, 3, 4))
