n = 1300000
counts = {}
x = 12345
for i in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    k = x % 1000
    if k in counts:
        counts[k] = counts[k] + 1
    else:
        counts[k] = 1
best = 0
bestk = -1
for j in range(1000):
    if j in counts:
        c = counts[j]
        if c > best:
            best = c
            bestk = j
print(len(counts))
print(bestk)
print(best)
