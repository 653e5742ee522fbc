n = 300000
for i in range(n):
    print("line " + str(i))
print(n)
