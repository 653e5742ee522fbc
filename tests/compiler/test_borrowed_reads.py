"""Borrowed reads (effects.py): a value read from a field or an array is not retained
when only release-free code runs before its use ends -- and is retained whenever the
code in between may drop the container's reference (the fallback). Each case below
would read freed memory if the analysis borrowed where it must not; the expected
output was checked against the reference interpreter (run-share.sh)."""
from __future__ import annotations

from nyash_build.compiler.driver import check_source
from nyash_build.compiler.effects import Effects
from nyash_build.compiler.infer import infer
from tests.helpers import assert_program_prints

PROGRAM = """
box Node {
    init { child, name }
    birth(n) {
        me.name = n
        me.child = null
    }
    detach(parent) {
        parent.child = null
        return me.name + "!"
    }
    label() {
        return me.name
    }
}
box Bag {
    init { items }
    birth() {
        me.items = new ArrayBox()
    }
    takeFirst() {
        local it = me.items.pop()
        return "took"
    }
}
function rename(n) {
    n.name = "renamed-" + n.name
    return 1
}
local p = new Node("p")
p.child = new Node("c" + "hild")
print(p.child.detach(p))
print(p.child == null)
p.child = new Node("x" + "y")
print(p.child.name + rename(p.child))
print(p.child.name)
local bag = new Bag()
bag.items.push(new Node("in" + "side"))
local arr = bag.items
print(arr.get(0).label() + bag.takeFirst())
print(arr.length())
local q = null
print(q == null)
print(q != null)
print(p != null)
print(5 == null)
"""


def test_values_whose_holder_is_overwritten_during_use_stay_alive(tmp_path) -> None:
    # p.child.detach(p) drops the receiver's last reference inside the call;
    # p.child.name + rename(p.child) replaces the string before the concatenation;
    # arr.get(0).label() + bag.takeFirst() pops the element before the "+" runs
    assert_program_prints(tmp_path, "borrow", PROGRAM, 'child!\ntrue\nxy1\nrenamed-xy\ninsidetook\n0\ntrue\nfalse\ntrue\nfalse\n')


def test_release_free_bodies() -> None:
    info = check_source(PROGRAM, "b.nyash")
    effects = Effects(info, infer(info))
    assert effects.free["Node.label"] and effects.free["Node.birth"] is False
    assert not effects.free["Node.detach"]    # writes an object field
    assert not effects.free["Bag.takeFirst"]  # pop() drops the array's reference
    assert not effects.free["fn:rename"]      # replaces a string field


def test_scalar_field_writes_and_recursion_are_release_free() -> None:
    src = ("box P {\n init { x, next }\n birth() {\n me.x = 0\n me.next = null\n }\n"
           " step() {\n me.x = me.x + 1\n if me.next != null {\n me.next.step()\n }\n }\n}\n"
           "local p = new P()\np.next = new P()\np.step()\nprint(p.x)")
    info = check_source(src, "s.nyash")
    effects = Effects(info, infer(info))
    assert effects.free["P.step"] and not effects.free["P.birth"]
