def tmod(a, b):
    r = abs(a) % b
    return -r if a < 0 else r
n = 750000
total = 0
for i in range(n):
    s = str(i * 37 + 11)
    t = "-" + s
    total = total + int(s) - tmod(int(t), 1000) + len(s)
print(total)
