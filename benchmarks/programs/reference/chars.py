# chars.nyash in Python: walk a text one character at a time (slices and indexing),
# comparing each character with one-character strings.
n = 150
text = ""
for k in range(200):
    text = text + "The quick brown fox jumps over the lazy dog " + str(k) + ". "
vowels = spaces = digits = 0
for r in range(n):
    i = 0
    ln = len(text)
    while i < ln:
        c = text[i:i + 1]
        if c == "a" or c == "e" or c == "i" or c == "o" or c == "u":
            vowels += 1
        elif c == " ":
            spaces += 1
        d = text[i]
        if d >= "0" and d <= "9":
            digits += 1
        i += 1
print(vowels)
print(spaces)
print(digits)
