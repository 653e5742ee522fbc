class Base:
    def __init__(self, v):
        self.v = v
    def score(self, x):
        return self.v + x
    def bump(self):
        self.v = self.v + 1
class L1(Base):
    def __init__(self, v):
        Base.__init__(self, v)
    def score(self, x):
        return Base.score(self, x) * 2
class L2(L1):
    def __init__(self, v):
        L1.__init__(self, v)
    def score(self, x):
        return L1.score(self, x) + 3
class L3(L2):
    def __init__(self, v):
        L2.__init__(self, v)
    def score(self, x):
        return L2.score(self, x) - 1
n = 600000
objs = [Base(1), L1(2), L2(3), L3(4)]
total = 0
for i in range(n):
    o = objs[i % 4]
    total = total + o.score(i % 100)
    if i % 5 == 0:
        o.bump()
    t = L3(i % 10)
    total = total + t.score(1)
print(total)
