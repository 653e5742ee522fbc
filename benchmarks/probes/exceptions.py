class ErrorBox(Exception):
    def __init__(self, m):
        self.m = m
    def __str__(self):
        return "ErrorBox(" + self.m + ")"
class Checker:
    def __init__(self, limit):
        self.limit = limit
    def check(self, v):
        if v % self.limit == 0:
            raise ErrorBox("bad " + str(v))
        return v * 2
n = 1000000
ch = Checker(3)
ok = bad = fin = msglen = 0
for i in range(n):
    try:
        ok = ok + ch.check(i)
    except ErrorBox as e:
        bad += 1
        if i % 1000 == 0:
            msglen += len(str(e))
    finally:
        fin += 1
print(ok)
print(bad)
print(fin)
print(msglen)
