"""Static kinds must never change results: programs whose variables change kind at run
time, mix typed and dynamic paths, overflow, and raise inside typed code."""
from __future__ import annotations

import pytest

from nyash_build.compiler.driver import check_source
from nyash_build.compiler.infer import infer
from tests.helpers import assert_program_prints

CASES = {
    "kind_changes": ("""
local x = 1
print(x + 1)
x = "one"
print(x + 1)
x = 2.5
print(x * 2)
x = true
print(x)
""", "2\none1\n5\ntrue\n"),
    "param_kinds_join": ("""
function twice(v) {
    return v + v
}
print(twice(21))
print(twice("ab"))
print(twice(1.5))
""", "42\nabab\n3\n"),
    "wrapping_typed_and_dynamic": ("""
function big() {
    return 9223372036854775807
}
local a = 9223372036854775807
print(a + 1)
local d = big()
local arr = new ArrayBox()
arr.push(d)
print(arr.get(0) + 1)
print(-(-9223372036854775808))
print(a * 2)
""", "-9223372036854775808\n-9223372036854775808\n-9223372036854775808\n-2\n"),
    "division_rules_typed": ("""
print(-17 / 5)
print(-17 % 5)
print(17 % -5)
local m = -9223372036854775808
print(m / -1)
print(m % -1)
""", "-3\n-2\n2\n-9223372036854775808\n0\n"),
    "division_by_zero_inside_try": ("""
function div(a, b) {
    return a / b
}
try {
    print(div(10, 2))
    print(div(1, 0))
} catch (Error e) {
    print("caught " + e)
}
""", "5\ncaught ErrorBox(Division by zero)\n"),
    "return_kind_depends_on_branch": ("""
function pick(n) {
    if n > 0 {
        return n
    }
    return "none"
}
print(pick(3) + 1)
print(pick(0) + 1)
""", "4\nnone1\n"),
    "int_float_equality_compares_numbers": ("""
local i = 1
local f = 1.0
print(i == f)
print(f != i)
print(i == f + 0.5)
print(i < f + 0.5)
print(i + f)
""", "true\nfalse\nfalse\ntrue\n2\n"),
    "counter_becomes_float": ("""
local c = 0
loop(c < 3) {
    c = c + 1.5
}
print(c)
""", "3\n"),
    "array_values_change_kind": ("""
local a = new ArrayBox()
a.push(1)
a.push("2")
a.push(3.5)
local s = ""
local n = 0
local i = 0
loop(i < a.length()) {
    s = s + a.get(i)
    if i != 1 {
        n = n + a.get(i)
    }
    i = i + 1
}
print(s)
print(n)
""", "123.5\n4.5\n"),
    "field_kind_changes_through_dynamic_receiver": ("""
box Cell {
    init { v }
    birth(x) {
        me.v = x
    }
    twice() {
        return me.v + me.v
    }
}
local c = new Cell(21)
print(c.twice())
local any = new ArrayBox()
any.push(c)
any.get(0).v = "ab"
print(c.twice())
""", "42\nabab\n"),
    "subclass_writes_other_kind_to_parent_field": ("""
box Base {
    init { n }
    birth() {
        me.n = 1
    }
    inc() {
        me.n = me.n + 1
        return me.n
    }
}
box Child from Base {
    birth() {
        from Base.birth()
    }
    rename() {
        me.n = "child"
    }
}
local b = new Base()
print(b.inc())
local k = new Child()
k.rename()
print(k.inc())
""", "2\nchild1\n"),
    "method_param_kinds_join_over_dynamic_calls": ("""
box Acc {
    init { total }
    birth() {
        me.total = 0
    }
    add(x) {
        me.total = me.total + x
        return me.total
    }
}
local a = new Acc()
print(a.add(5))
local boxes = new ArrayBox()
boxes.push(a)
print(boxes.get(0).add(2.5))
local s = new Acc()
s.total = "s"
print(boxes.get(0).add(1))
print(s.add("x"))
""", "5\n7.5\n8.5\nsx\n"),
    "typed_fields_float_bool_and_unset": ("""
box P {
    init { f, ok, never }
    birth() {
        me.f = 1.5
        me.ok = true
    }
    show() {
        if me.ok {
            return me.f * 2
        }
        return 0
    }
    missing() {
        return me.never + 1
    }
}
local p = new P()
print(p.show())
try {
    p.missing()
} catch (Error e) {
    print("caught " + e)
}
""", "3\ncaught ErrorBox(Field 'never' not found in P)\n"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_program_output(name: str, tmp_path) -> None:
    assert_program_prints(tmp_path, name, *CASES[name])


def test_fib_is_fully_typed() -> None:
    info = check_source("function fib(n) {\n if n < 2 {\n return n\n }\n return fib(n - 1) + fib(n - 2)\n}\nprint(fib(20))", "f.nyash")
    kinds = infer(info)
    body = info.function_bodies["fib"]
    assert kinds.local_kind(body, "n") == "int"
    assert kinds.return_kind(body) == "int"


def test_fields_and_method_parameters_are_typed() -> None:
    src = ("box P {\n init { x, v }\n birth(x, v) {\n me.x = x\n me.v = v\n }\n"
           " step() {\n me.x = me.x + me.v\n }\n}\nlocal p = new P(1, 2)\np.step()\nprint(p.x)")
    info = check_source(src, "f.nyash")
    kinds = infer(info)
    birth = next(b for b in info.bodies if b.name == "P.birth")
    assert kinds.local_kind(birth, "x") == "int"
    assert set(kinds.field_kinds.values()) == {"int"}


def test_mixed_call_sites_make_a_parameter_dynamic() -> None:
    info = check_source("function f(v) {\n return v\n}\nprint(f(1))\nprint(f(\"s\"))", "f.nyash")
    kinds = infer(info)
    body = info.function_bodies["f"]
    assert kinds.local_kind(body, "v") == "dyn"
