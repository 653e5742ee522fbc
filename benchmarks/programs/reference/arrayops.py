# arrayops.nyash in Python: sort, reverse, membership, index, slice and join on lists of ints.
n = 3000
total = 0
def index_of(a, v):
    try:
        return a.index(v)
    except ValueError:
        return -1
for r in range(n):
    a = [(i * 7919 + r * 31) % 1009 for i in range(400)]
    a.sort()
    total = total + a[0] + a[399] + a[200]
    a.reverse()
    total = total + a[10]
    if r in a:
        total += 1
    total = total + index_of(a, r % 1009) + index_of(a, -5)
    part = a[5:25]
    total = total + len(",".join(str(x) for x in part))
print(total)
