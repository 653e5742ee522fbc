n = 2000
text = ""
for k in range(60):
    text = text + "the cat and the dog saw " + "w" + str(k % 17) + " and ran to the hill "
total = 0
counts = {}
for r in range(n):
    counts = {}
    words = text.split(" ")
    i = 0
    while i < len(words):
        w = words[i]
        if w != "":
            if w in counts:
                counts[w] = counts[w] + 1
            else:
                counts[w] = 1
        i += 1
    total = total + counts["the"] + len(counts)
ks = sorted(counts.keys(), key=lambda s: s.encode())
print(",".join(ks))
print(total)
