# bintrees.nyash in Python: allocation-heavy recursive structures.
class Node:
    def __init__(self, left, right):
        self.left = left
        self.right = right

    def check(self):
        if self.left is None:
            return 1
        return 1 + self.left.check() + self.right.check()


def make(d):
    if d == 0:
        return Node(None, None)
    return Node(make(d - 1), make(d - 1))


n = 14
total = make(n + 1).check()
long_lived = make(n)
d = 4
while d <= n:
    iters = 1 << (n - d + 4)
    chk = 0
    for i in range(iters):
        chk += make(d).check()
    total = total + chk * d
    d += 2
print(total + long_lived.check())
