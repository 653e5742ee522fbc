n = 100000
s = ""
count = 0
i = 0
while i < n:
    s = s + "ab" + str(i % 10)
    if i % 3 == 0:
        count = count + 1
    i = i + 1
print(len(s))
print(count)
