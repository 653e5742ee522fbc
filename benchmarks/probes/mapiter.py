n = 360
m = {}
for i in range(5000):
    m["k" + str(i)] = i * 3
total = 0
for r in range(n):
    ks = list(m.keys())
    vs = list(m.values())
    j = 0
    while j < len(ks):
        total = total + len(ks[j]) + vs[j]
        j += 1
    m["k" + str(r)] = r
print(total)
