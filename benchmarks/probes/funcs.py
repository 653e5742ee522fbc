def sq(x):
    return x * x
def pick(a, b, c):
    if a > b:
        return c
    return a + b
def label(x):
    if x % 2 == 0:
        return "even"
    return "odd"
n = 1600000
total = 0
for i in range(n):
    total = total + pick(sq(i % 50), i % 2000, 7) + len(label(i))
print(total)
