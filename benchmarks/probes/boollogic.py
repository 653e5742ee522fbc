n = 2000000
hits = 0
flag = False
for i in range(n):
    a = i % 3 == 0
    b = i % 5 == 0
    c = not (i % 7 == 0)
    if (a and b) or (c and not a):
        hits += 1
    flag = (flag and not b) or (a and c)
    if flag:
        hits += 2
print(hits)
