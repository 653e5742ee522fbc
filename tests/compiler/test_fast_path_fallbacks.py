"""The slow side of compiled fast paths: each program reaches a fast path with values
it does not cover and must behave exactly as the generic code does. Outputs were
checked against the reference interpreter (run-share.sh) except where the spec decides
otherwise (inherited methods, section 4; error wording "Unknown method")."""
from __future__ import annotations

import pytest

from tests.helpers import assert_program_prints

CASES = {
    # three or more implementations: the dispatcher switches on the class id
    # (br_table); an inherited implementation shares its parent's case, and class ids
    # without the method or other kinds fall through to the builtin/error path
    "dispatch_switch": ("""
box Sq {
    init { s }
    birth(s) { me.s = s }
    area() { return me.s * me.s }
}
box Rect {
    init { w, h }
    birth(w, h) { me.w = w
        me.h = h }
    area() { return me.w * me.h }
}
box Tri {
    init { b, h }
    birth(b, h) { me.b = b
        me.h = h }
    area() { return me.b * me.h / 2 }
}
box BigSq from Sq {
    birth(s) { from Sq.birth(s * 10) }
}
box Blob {
    init { n }
    birth(n) { me.n = n }
}
static box Main {
    main() {
        local xs = new ArrayBox()
        xs.push(new Sq(3))
        xs.push(new Rect(2, 5))
        xs.push(new Tri(4, 3))
        xs.push(new BigSq(1))
        xs.push("text")
        xs.push(new Blob(1))
        local i = 0
        loop(i < xs.length()) {
            try {
                print(xs.get(i).area())
            } catch (Error e) {
                print("error: " + e)
            }
            i = i + 1
        }
    }
}
""", "9\n10\n6\n100\nerror: ErrorBox(Unknown method 'area' for StringBox)\n"
     "error: ErrorBox(Unknown method 'area' for Blob)\n"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_program_output(name: str, tmp_path) -> None:
    assert_program_prints(tmp_path, name, *CASES[name])
