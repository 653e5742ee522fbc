n = 140
a = []
b = []
for i in range(n):
    ra = []
    rb = []
    for j in range(n):
        ra.append((i * j + 1) % 17)
        rb.append((i + 2 * j) % 13)
    a.append(ra)
    b.append(rb)
c = []
for i in range(n):
    row = []
    ai = a[i]
    for j in range(n):
        s = 0
        for k in range(n):
            s = s + ai[k] * b[k][j]
        row.append(s)
    c.append(row)
total = 0
for i in range(n):
    for j in range(n):
        total = total + c[i][j] * (i + j + 1)
print(total)
