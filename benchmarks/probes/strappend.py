def main():
    n = 1000000
    s = ""
    for i in range(n):
        s += "ab" + str(i % 7)
    print(len(s))
    print(s[1000:1010])
main()
