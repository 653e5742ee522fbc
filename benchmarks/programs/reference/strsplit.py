# strsplit.nyash in Python: build lines of words by concatenation, split them, look at
# the pieces (length, substring, find) and join them again.
n = 160000
total = 0
for i in range(n):
    line = ""
    for j in range(8):
        line = line + "w" + str((i + j * 7) % 13) + " "
    parts = line.strip().split(" ")
    for k in range(len(parts)):
        word = parts[k]
        total = total + len(word) + word[1:].find("1")
    joined = "-".join(parts)
    total = total + len(joined) + joined.find("w12")
print(total)
