n = 120
size = 48
g = []
for y in range(size):
    row = []
    for x in range(size):
        if (x * 7 + y * 13) % 5 == 0 or (x + y) % 7 == 3:
            row.append(1)
        else:
            row.append(0)
    g.append(row)
for gen in range(n):
    ng = []
    for y in range(size):
        row = []
        for x in range(size):
            cnt = 0
            for dy in (-1, 0, 1):
                r = g[(y + dy + size) % size]
                for dx in (-1, 0, 1):
                    if dx != 0 or dy != 0:
                        cnt = cnt + r[(x + dx + size) % size]
            alive = g[y][x]
            if cnt == 3 or (alive == 1 and cnt == 2):
                row.append(1)
            else:
                row.append(0)
        ng.append(row)
    g = ng
pop = 0
for y in range(size):
    for x in range(size):
        pop = pop + g[y][x] * (x + 1)
print(pop)
