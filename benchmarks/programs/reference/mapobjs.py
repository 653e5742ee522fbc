# mapobjs.nyash in Python: a map from string keys to objects; each step looks an object
# up by a computed key and updates its fields.
class Item:
    def __init__(self, name, price):
        self.name = name
        self.price = price
        self.count = 0

    def sell(self, k):
        self.count = self.count + k
        return self.price * k


n = 1500000
items = {}
for i in range(1000):
    name = "item" + str(i)
    items[name] = Item(name, i % 97 + 1)
revenue = 0
for i in range(n):
    key = "item" + str(i * 7919 % 1000)
    if key in items:
        revenue = revenue + items[key].sell(i % 5 + 1)
best = 0
for name in items:
    item = items[name]
    if item.count > best:
        best = item.count
print(revenue * 1000 + best)
