class Counter:
    count = 0
    total = 0
    @staticmethod
    def reset():
        Counter.count = 0
        Counter.total = 0
    @staticmethod
    def add(x):
        Counter.count = Counter.count + 1
        Counter.total = Counter.total + x
        return Counter.total
class Util:
    @staticmethod
    def clamp(x, lo, hi):
        if x < lo:
            return lo
        if x > hi:
            return hi
        return x
    @staticmethod
    def mix(a, b):
        return (a * 31 + b) % 1000003
n = 1200000
Counter.reset()
h = 7
for i in range(n):
    h = Util.mix(h, i)
    Counter.add(Util.clamp(h % 200, 20, 150))
print(Counter.count)
print(Counter.total)
print(h)
