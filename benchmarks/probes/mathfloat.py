import math
n = 800000
acc = 0.0
cells = 0
for i in range(n):
    x = i * 0.001
    s = math.sin(x)
    c = math.cos(x)
    acc = acc + s * s + c * c + math.pow(x, 0.5) - math.sqrt(x)
    cells = cells + int(math.floor(x * 3.7)) % 10
print(int(math.floor(acc * 1000)))
print(cells)
