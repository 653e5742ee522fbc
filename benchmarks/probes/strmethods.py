n = 600000
words = ["  alpha ", "Bravo", "charlie  ", " delta", "echo", "Foxtrot"]
total = 0
less = 0
prev = ""
for i in range(n):
    w = words[i % 6].strip()
    u = w.upper()
    l = u.lower()
    r = l.replace("a", "4")
    total = total + r.find("4") + len(u) + l.find("o")
    if r < prev:
        less += 1
    if u == "ECHO":
        total += 3
    prev = r
print(total)
print(less)
