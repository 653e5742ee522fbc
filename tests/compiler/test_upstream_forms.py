"""Forms that real upstream programs use beyond the spec's grammar summary: older
constructor spellings, bare field declarations, main(args), builtin extras."""
from __future__ import annotations

import pytest

from tests.helpers import assert_program_prints

CASES = {
    "pack_and_init_constructors": ("""
box P {
    init { a }
    pack(x) {
        me.a = x
    }
}
box Q from P {
    init(x, y) {
        from P.pack(x)
        me.b = y
    }
}
print(new P(5).a)
local q = new Q(1, 2)
print(q.a + q.b)
""", "5\n3\n"),
    "bare_fields_and_loose_field_lists": ("""
box G {
    message
    weak other, third
    birth(m) {
        me.message = m
        me.third = 3
    }
}
box H {
    init { a b c, }
    birth() {
        me.c = "c"
    }
}
print(new G("hi").message + new G("x").third)
print(new H().c)
""", "hi3\nc\n"),
    "main_with_args_parameter": ("""
static box Main {
    main(args) {
        print("args " + args.length())
    }
}
""", "args 0\n"),
    "default_fini_and_to_string": ("""
box T {
    init { v }
}
local t = new T()
print(t.fini())
print(t.toString() == "" + t)
""", "void\ntrue\n"),
    "builtin_extras": ("""
local m = new MathBox()
print(m.getPi())
print(m.divide(7, 2))
local n = null
print(n.toString())
print(n.isNull())
print("a".concat(5))
print(true.not())
print((2.5).isNaN())
local mp = new MapBox()
mp.set("x", 1)
print(mp.containsKey("x"))
print(mp.containsKey("y"))
""", "3.141592653589793\n3.5\nnull\ntrue\na5\nfalse\nfalse\ntrue\nfalse\n"),
    "builtin_parent_answers_its_methods": ("""
box EnhancedString from StringBox {
    init { extra }
    birth(e) {
        me.extra = e
    }
    show() {
        return "[" + me.toString() + "]" + me.length()
    }
}
print(new EnhancedString("x").show())
""", "[]0\n"),
    "value_box_constructors_like_upstreams_factory": ("""
local s = new StringBox()
print("[" + s + "]" + s.length())
print(new IntegerBox() + 1)
print(new FloatBox())
print(new BoolBox())
print(new ErrorBox())
print(new NullBox(1, 2))
print(new StringBox("a", "b"))
print(new IntegerBox("7", 9) + 1)
function side() {
    print("side")
    return 1
}
print(new StringBox("x", side()))
""", "[]0\n1\n0\nfalse\nErrorBox()\nnull\na\n8\nside\nx\n"),
    "reference_tokenizer_spellings": ("""
local 名前 = "taro"
print(名前 + "\\x|")
print(1 < 2 && 3 > 2 || false)
""", "taro\\x|\ntrue\n"),
    "this_and_global_statement": ("""
global counter = 5
box C {
    init { v }
    birth() {
        this.v = 3
    }
    get() {
        return this.v + counter
    }
}
function bump() {
    local counter = 100
    global counter = counter + 1
    return counter
}
print(new C().get())
print(bump())
print(counter)
""", "8\n100\n101\n"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_upstream_form(name: str, tmp_path) -> None:
    assert_program_prints(tmp_path, name, *CASES[name])
