"""Typed ArrayBox storage (collections.wat modes) through compiled code: integer and
float arrays keep 8-byte payloads, and every way a value of another kind arrives
(push, set, a dynamic alias, a null) switches them to tagged slots without changing
a result. The integer program's output was checked against the reference interpreter
(run-share.sh); the float one against the compiler before typed storage (upstream
rejects float arithmetic)."""
from __future__ import annotations

import pytest

from tests.helpers import assert_program_prints

CASES = {
    "ints": ("""
local a = new ArrayBox()
local i = 0
loop(i < 10) {
    a.push(i * i)
    i = i + 1
}
print(a)
print(a.get(3) + a.get(9))
a.set(2, "two")
print(a)
print(a.get(2) + a.get(4))
local b = new ArrayBox()
b.push(5)
b.push(3)
b.push(9)
b.sort()
print(b)
b.reverse()
print(b.join("-"))
print(b.indexOf(3))
print(b.contains(4))
print(b.pop())
print(b.remove(0))
print(b)
local c = new ArrayBox()
c.push(3)
print(c == b)
b.clear()
b.push("s")
b.push(1)
print(b)
local d = b.slice(0, 2)
print(d)
local e = new ArrayBox()
e.push(true)
e.push(7)
print(e)
print(a.set(20, 1))
print(a.length())
local f = new ArrayBox()
f.push(1)
f.push(2)
local any = 0
any = f
any.push("x")
print(f.get(2) + f.get(1))
local g = new ArrayBox()
loop(g.length() < 100) {
    g.push(g.length())
}
g.set(50, null)
print(g.get(50))
print(g.get(99) + g.get(49))
""", '[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\n90\n[0, 1, two, 9, 16, 25, 36, 49, 64, 81]\ntwo16\n[3, 5, 9]\n9-5-3\n2\nfalse\n3\n9\n[5]\nfalse\n[s, 1]\n[s, 1]\n[true, 7]\nError: index out of bounds\n10\nx2\nnull\n148\n'),
    "floats": ("""
local v = new ArrayBox()
v.push(1.5)
v.push(2.25)
v.push(-0.5)
local s = 0.0
local i = 0
loop(i < v.length()) {
    s = s + v.get(i)
    i = i + 1
}
print(s)
print(v)
v.push(3)
print(v)
print(v.get(3) + v.get(0))
v.sort()
print(v)
local w = new ArrayBox()
w.push(2)
w.push(2.5)
print(w.get(0) + w.get(1))
print(w)
""", '3.25\n[1.5, 2.25, -0.5]\n[1.5, 2.25, -0.5, 3]\n4.5\n[-0.5, 1.5, 2.25, 3]\n4.5\n[2, 2.5]\n'),
    "pops": ("""
local a = new ArrayBox()
print(a.pop())
local i = 0
loop(i < 5) {
    a.push(i * 3)
    i = i + 1
}
local s = 0
loop(a.length() > 0) {
    s = s * 10 + a.pop()
}
print(s)
print(a.pop())
print(a.length())
a.push(7)
print(a.pop() + 1)
local f = new ArrayBox()
f.push(1.5)
f.push(2.5)
print(f.pop() + f.pop())
print(f.pop())
print(f.length())
""", 'null\n129630\nnull\n0\n8\n4\nnull\n0\n'),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_program_output(name: str, tmp_path) -> None:
    assert_program_prints(tmp_path, name, *CASES[name])
