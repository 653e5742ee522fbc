n = 1000000
st = []
total = 0
for i in range(n):
    st.append(i)
    st.append(i * 2)
    if i % 3 == 0:
        total = total + st.pop()
    total = total + st.pop() % 11
total = total + len(st)
q = list(range(2000))
for i in range(n // 4):
    v = q.pop(0)
    q.append(v + 1)
    total = total + v % 5
for i in range(1500):
    total = total + q.pop(len(q) // 2)
print(total)
print(len(q))
