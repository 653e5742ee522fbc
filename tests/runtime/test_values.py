"""Tests for runtime/values.wat: string forms, printing, truthiness, kind names and the
operator table of spec section 5 (including error messages and equality rules)."""
from __future__ import annotations

import math
import re
import struct

import pytest
import wasmtime

from nyash_build.runtime import load_sources
from tests.runtime.harness import Runtime

VOID, NULL, BOOL, INT, FLOAT, STR, ARR, MAP, ERR, INST, BOX, CONSOLE, MATH = range(13)

# Minimal stand-ins for strings.wat functions, used only while that file does not
# exist yet (or lacks one of them), so these tests can run on their own.
_STANDINS: dict[str, str] = {
    "$str_new": """
  (func $str_new (param $n i32) (result i32) (local $p i32)
    (local.set $p (call $alloc (i32.add (local.get $n) (i32.const 8))))
    (i32.store (local.get $p) (i32.const 1))
    (i32.store offset=4 (local.get $p) (local.get $n))
    (local.get $p))""",
    "$str_concat": """
  (func $str_concat (param $a i32) (param $b i32) (result i32) (local $s i32)
    (local.set $s (call $str_new (i32.add (i32.load offset=4 (local.get $a)) (i32.load offset=4 (local.get $b)))))
    (memory.copy (i32.add (local.get $s) (i32.const 8)) (i32.add (local.get $a) (i32.const 8)) (i32.load offset=4 (local.get $a)))
    (memory.copy (i32.add (i32.add (local.get $s) (i32.const 8)) (i32.load offset=4 (local.get $a)))
                 (i32.add (local.get $b) (i32.const 8)) (i32.load offset=4 (local.get $b)))
    (local.get $s))""",
    "$str_cmp": """
  (func $str_cmp (param $a i32) (param $b i32) (result i32) (local $i i32) (local $n i32) (local $x i32) (local $y i32)
    (local.set $n (i32.load offset=4 (local.get $a)))
    (if (i32.lt_u (i32.load offset=4 (local.get $b)) (local.get $n)) (then (local.set $n (i32.load offset=4 (local.get $b)))))
    (block $end (loop $l
      (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $x (i32.load8_u offset=8 (i32.add (local.get $a) (local.get $i))))
      (local.set $y (i32.load8_u offset=8 (i32.add (local.get $b) (local.get $i))))
      (if (i32.ne (local.get $x) (local.get $y)) (then (return (i32.sub (local.get $x) (local.get $y)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (i32.sub (i32.load offset=4 (local.get $a)) (i32.load offset=4 (local.get $b))))""",
    "$str_eq": """
  (func $str_eq (param $a i32) (param $b i32) (result i32)
    (i32.eqz (call $str_cmp (local.get $a) (local.get $b))))""",
    "$str_hash": """
  (func $str_hash (param $s i32) (result i32) (local $h i32) (local $i i32)
    (local.set $h (i32.const 0x811c9dc5))
    (block $end (loop $l
      (br_if $end (i32.ge_u (local.get $i) (i32.load offset=4 (local.get $s))))
      (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u offset=8 (i32.add (local.get $s) (local.get $i)))) (i32.const 16777619)))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (local.get $h))""",
    "$str_from_i64": """
  (func $str_from_i64 (param $x i64) (result i32) (local $p i32) (local $s i32)
    (local.set $p (call $val_fmt_i64 (local.get $x)))
    (local.set $s (call $str_new (i32.sub (i32.const 0x400) (local.get $p))))
    (memory.copy (i32.add (local.get $s) (i32.const 8)) (local.get $p) (i32.sub (i32.const 0x400) (local.get $p)))
    (local.get $s))""",
    "$str_repeat": """
  (func $str_repeat (param $a i32) (param $n i64) (result i32) (local $s i32) (local $i i32) (local $l i32)
    (local.set $l (i32.load offset=4 (local.get $a)))
    (local.set $s (call $str_new (i32.mul (local.get $l) (i32.wrap_i64 (local.get $n)))))
    (block $end (loop $k
      (br_if $end (i64.ge_u (i64.extend_i32_u (local.get $i)) (local.get $n)))
      (memory.copy (i32.add (i32.add (local.get $s) (i32.const 8)) (i32.mul (local.get $i) (local.get $l)))
                   (i32.add (local.get $a) (i32.const 8)) (local.get $l))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $k)))
    (local.get $s))""",
}

_FUNC_DEF = re.compile(r"\(func\s+(\$[\w.$]+)")

# Class names for instance printing (cid 0 -> Thing, 1 -> Point), placed in values.wat's
# unused data range (the harness's own stub at 0x30000 sits on the heap base).
_CLASS_NAMES = """
  (data (i32.const 0x2DF00) "\\ff\\ff\\ff\\ff\\05\\00\\00\\00Thing")
  (data (i32.const 0x2DF10) "\\ff\\ff\\ff\\ff\\05\\00\\00\\00Point")
  (func $class_name (param $cid i32) (result i32)
    (select (i32.const 0x2DF10) (i32.const 0x2DF00) (local.get $cid)))
"""


def defined_runtime_functions() -> set[str]:
    """Names of functions defined by the runtime files present right now."""
    names: set[str] = set()
    for _, text in load_sources():
        names |= set(_FUNC_DEF.findall(text))
    return names


def _missing_float_tables() -> str:
    """float.wat's data tables, if ``load_sources()`` does not include them yet."""
    try:
        from nyash_build.runtime import float_tables
    except ImportError:
        return ""
    loaded = {name for name, _ in load_sources()}
    return "".join(text for name, text in float_tables.generated_fragments()
                   if name not in loaded)


def make_runtime(trap_mode: int = 0, extra: str = "") -> Runtime:
    """A Runtime with stand-ins for whatever strings.wat does not provide yet."""
    have = defined_runtime_functions()
    standins = "".join(text for name, text in _STANDINS.items() if name not in have)
    return Runtime(extra=standins + _missing_float_tables() + _CLASS_NAMES + extra,
                   trap_mode=trap_mode)


def has_float_formatting() -> bool:
    return "$str_from_f64" in defined_runtime_functions()


def fbits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def bitsf(b: int) -> float:
    return struct.unpack("<d", struct.pack("<q", b))[0]


class Vals:
    """Convenience wrapper: build values and read string results."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def s(self, text: str) -> tuple[int, int]:
        return (STR, self.rt.make_str(text))

    def arr(self, *items: tuple[int, int]) -> tuple[int, int]:
        a = self.rt.arr_new()
        for t, p in items:
            self.rt.arr_push_v(a, t, p)
        return (ARR, a)

    def text(self, v: tuple[int, int]) -> str:
        ptr = self.rt.to_string(*v)
        out = self.rt.str_value(ptr)
        self.rt.release(STR, ptr)
        return out


def i(n: int) -> tuple[int, int]:
    return (INT, n)


def b(x: bool) -> tuple[int, int]:
    return (BOOL, int(x))


def f(x: float) -> tuple[int, int]:
    return (FLOAT, fbits(x))


# -------------------------------------------------------------------- string forms

def test_to_string_scalars(V: Vals) -> None:
    assert V.text((VOID, 0)) == "void"
    assert V.text((NULL, 0)) == "null"
    assert V.text(b(True)) == "true"
    assert V.text(b(False)) == "false"
    assert V.text(i(42)) == "42"
    assert V.text(i(-9223372036854775808)) == "-9223372036854775808"
    assert V.text((CONSOLE, 0)) == "[ConsoleBox - Mock Implementation]"  # upstream
    assert V.text((MATH, 0)) == "MathBox()"  # upstream MathBox::to_string_box


def test_to_string_of_string_is_same_object_retained(rt: Runtime, V: Vals) -> None:
    _, p = V.s("hello")
    assert rt.to_string(STR, p) == p
    assert rt.read_i32(p) == 2
    rt.release(STR, p)


def test_to_string_nested_array(rt: Runtime, V: Vals) -> None:
    inner = V.arr(i(1), V.s("two"))
    outer = V.arr(inner, V.s("x"), b(True), (NULL, 0), (VOID, 0))
    assert V.text(outer) == "[[1, two], x, true, null, void]"
    assert V.text(V.arr()) == "[]"


def test_to_string_map_error_instance(rt: Runtime, V: Vals) -> None:
    m = rt.map_new()
    assert V.text((MAP, m)) == "MapBox(size=0)"
    rt.map_set_v(m, *V.s("a"), *i(1))
    rt.map_set_v(m, *i(2), *i(1))
    assert V.text((MAP, m)) == "MapBox(size=2)"
    _, msg = V.s("boom")
    e = rt.err_new(msg)
    assert V.text((ERR, e)) == "ErrorBox(boom)"
    inst = rt.inst_new(1, 0)
    text = V.text((INST, inst))
    assert re.fullmatch(r"<Point instance #\d+>", text)
    assert V.text(V.arr((ERR, e), (MAP, m))) == "[ErrorBox(boom), MapBox(size=2)]"


@pytest.mark.skipif(not has_float_formatting(), reason="float.wat not written yet")
def test_to_string_floats(V: Vals) -> None:
    assert V.text(f(3.5)) == "3.5"
    assert V.text(V.arr(f(2.0), f(0.1))) == "[2, 0.1]"
    assert V.text(tuple(V.rt.op_add(*f(0.1), *f(0.2)))) == "0.30000000000000004"
    assert V.text(tuple(V.rt.op_div(*f(1.0), *i(3)))) == "0.3333333333333333"
    assert V.text(tuple(V.rt.op_add(*V.s("a"), *f(2.5)))) == "a2.5"


def test_self_containing_array_prints_without_overflow(rt: Runtime, V: Vals) -> None:
    _, a = V.arr(i(1))
    rt.arr_push_v(a, ARR, a)
    text = V.text((ARR, a))
    assert text == "[1, " * 1001 + "[...]" + "]" * 1001


# -------------------------------------------------------------------- printing

def test_print_value(rt: Runtime, V: Vals) -> None:
    rt.print_value(*i(-17))
    rt.print_value(*V.s("héllo"))
    rt.print_value(*V.arr(i(1), V.arr(V.s("a"))))
    rt.print_value(VOID, 0)
    rt.print_value(*b(False))
    assert rt.stdout() == "-17\nhéllo\n[1, [a]]\nvoid\nfalse\n"


# -------------------------------------------------------------------- truthiness / kinds

def test_truthy(rt: Runtime, V: Vals) -> None:
    falsy = [b(False), i(0), V.s(""), (VOID, 0)]
    truthy = [b(True), i(-1), V.s("0"), (NULL, 0), f(0.0), V.arr(), (MAP, rt.map_new()),
              (INST, rt.inst_new(0, 0)), (CONSOLE, 0)]
    assert [rt.truthy(*v) for v in falsy] == [0] * len(falsy)
    assert [rt.truthy(*v) for v in truthy] == [1] * len(truthy)


def test_kind_name(rt: Runtime, V: Vals) -> None:
    cases = [((VOID, 0), "VoidBox"), ((NULL, 0), "NullBox"), (b(True), "BoolBox"),
             (i(1), "IntegerBox"), (f(1.0), "FloatBox"), (V.s("x"), "StringBox"),
             (V.arr(), "ArrayBox"), ((MAP, rt.map_new()), "MapBox"),
             ((CONSOLE, 0), "ConsoleBox"), ((MATH, 0), "MathBox"),
             ((INST, rt.inst_new(1, 0)), "Point")]
    for v, name in cases:
        assert rt.str_value(rt.kind_name(*v)) == name


# -------------------------------------------------------------------- arithmetic

MIN, MAX = -2**63, 2**63 - 1


def test_int_arithmetic_wraps_and_truncates(rt: Runtime) -> None:
    assert rt.op_add(*i(MAX), *i(1)) == [INT, MIN]
    assert rt.op_sub(*i(MIN), *i(1)) == [INT, MAX]
    assert rt.op_mul(*i(2**62), *i(4)) == [INT, 0]
    assert rt.op_div(*i(-17), *i(5)) == [INT, -3]
    assert rt.op_mod(*i(-17), *i(5)) == [INT, -2]
    assert rt.op_mod(*i(17), *i(-5)) == [INT, 2]
    assert rt.op_div(*i(MIN), *i(-1)) == [INT, MIN]
    assert rt.op_mod(*i(MIN), *i(-1)) == [INT, 0]
    assert rt.op_neg(*i(MIN)) == [INT, MIN]
    assert rt.op_neg(*i(5)) == [INT, -5]


def test_float_arithmetic_and_mixes(rt: Runtime) -> None:
    def fl(res: list[int]) -> float:
        assert res[0] == FLOAT
        return bitsf(res[1])
    assert fl(rt.op_add(*f(1.5), *f(2.25))) == 3.75
    assert fl(rt.op_div(*i(10), *f(4.0))) == 2.5
    assert fl(rt.op_mul(*i(3), *f(1.5))) == 4.5
    assert fl(rt.op_sub(*f(7.5), *i(10))) == -2.5
    assert fl(rt.op_div(*f(1.0), *i(0))) == math.inf
    assert math.isnan(fl(rt.op_div(*f(0.0), *f(0.0))))
    assert fl(rt.op_neg(*f(2.5))) == -2.5
    for x, y in [(5.5, 2.0), (-7.25, 2.0), (1e300, 3.0), (7.0, -0.3), (5.0, math.inf), (1e-310, 3e-320)]:
        assert fl(rt.op_mod(*f(x), *f(y))) == math.fmod(x, y)
    assert math.isnan(fl(rt.op_mod(*f(1.0), *f(0.0))))
    assert math.isnan(fl(rt.op_mod(*f(math.inf), *f(2.0))))


def test_string_concat_and_repeat(rt: Runtime, V: Vals) -> None:
    def st(res: list[int]) -> str:
        assert res[0] == STR
        out = rt.str_value(res[1])
        rt.release(STR, res[1])
        return out
    assert st(rt.op_add(*V.s("n="), *i(5))) == "n=5"
    assert st(rt.op_add(*V.s("x"), *b(True))) == "xtrue"
    assert st(rt.op_add(*V.s("a"), *V.arr(i(1), i(2)))) == "a[1, 2]"
    assert st(rt.op_add(*V.s("ab"), *V.s("cd"))) == "abcd"
    assert st(rt.op_add(*V.s("v:"), VOID, 0)) == "v:void"
    assert st(rt.op_mul(*V.s("ab"), *i(3))) == "ababab"
    assert st(rt.op_mul(*V.s("ab"), *i(0))) == ""
    assert st(rt.op_mul(*V.s("ab"), *i(-2))) == ""


def _fatal_message(call) -> str:
    """Run an operation outside any try: it must exit(1) with the message on stderr."""
    rt = make_runtime()
    with pytest.raises(wasmtime.ExitTrap) as info:
        call(rt, Vals(rt))
    assert info.value.code == 1
    return rt.stderr()


@pytest.mark.parametrize("op, a, bb, msg", [
    ("op_add", i(1), ("s", "x"), "Addition not supported between IntegerBox and StringBox"),
    ("op_add", b(True), i(1), "Addition not supported between BoolBox and IntegerBox"),
    ("op_add", (NULL, 0), (VOID, 0), "Addition not supported between NullBox and VoidBox"),
    ("op_mul", i(3), ("s", "ab"), "Multiplication not supported between IntegerBox and StringBox"),
    ("op_mul", ("s", "ab"), f(2.0), "Multiplication not supported between StringBox and FloatBox"),
    ("op_sub", ("s", "a"), ("s", "b"), "Subtraction not supported between StringBox and StringBox"),
    ("op_sub", ("s", "a"), i(1), "Subtraction not supported between StringBox and IntegerBox"),
    ("op_div", ("s", "a"), i(1), "Division not supported between StringBox and IntegerBox"),
    ("op_mod", (CONSOLE, 0), i(1), "Modulo not supported between ConsoleBox and IntegerBox"),
    ("op_div", i(1), i(0), "Division by zero"),
    ("op_mod", i(1), i(0), "Modulo by zero"),
    ("op_neg", ("s", "a"), None, "Negation not supported for StringBox"),
])
def test_operator_errors(op: str, a, bb, msg: str) -> None:
    def val(V: Vals, x):
        return V.s(x[1]) if x[0] == "s" else x

    def call(rt: Runtime, V: Vals) -> None:
        args = [*val(V, a)] + ([] if bb is None else [*val(V, bb)])
        getattr(rt, op)(*args)
    assert _fatal_message(call) == f"Runtime error: {msg}\n"


_TRY = """
  (func $test_enter_try (global.set $try_depth (i32.const 1)))
  (func $test_pending (result i32) (global.get $exc_pending))
  (func $test_pending_msg (result i32) (i32.load offset=4 (i32.wrap_i64 (global.get $exc_val))))
"""


def test_errors_inside_try_become_pending_exceptions() -> None:
    rt = make_runtime(extra=_TRY)
    rt.test_enter_try()
    assert rt.op_div(*i(1), *i(0)) == [VOID, 0]
    assert rt.test_pending() == 1
    assert rt.str_value(rt.test_pending_msg()) == "Division by zero"
    V = Vals(rt)
    assert rt.op_add(*i(1), *V.s("x")) == [VOID, 0]
    assert rt.str_value(rt.test_pending_msg()) == ("Addition not supported between "
                                                   "IntegerBox and StringBox")
    assert rt.stdout() == "" and rt.stderr() == ""


def test_error_message_names_user_box() -> None:
    def call(rt: Runtime, V: Vals) -> None:
        rt.op_add(INST, rt.inst_new(1, 0), *i(1))
    assert "Addition not supported between Point and IntegerBox" in _fatal_message(call)


# -------------------------------------------------------------------- comparisons

def test_comparisons(rt: Runtime, V: Vals) -> None:
    assert rt.op_lt(*i(1), *i(2)) == 1
    assert rt.op_lt(*i(2), *i(1)) == 0
    assert rt.op_le(*i(3), *i(3)) == 1
    assert rt.op_ge(*i(4), *i(5)) == 0
    assert rt.op_gt(*i(5), *i(4)) == 1
    assert rt.op_lt(*i(-1), *i(0)) == 1
    assert rt.op_lt(*V.s("apple"), *V.s("banana")) == 1
    assert rt.op_gt(*V.s("b"), *V.s("a")) == 1
    assert rt.op_lt(*V.s("10"), *V.s("9")) == 1
    assert rt.op_lt(*V.s("ab"), *V.s("abc")) == 1
    assert rt.op_ge(*V.s("abc"), *V.s("abc")) == 1
    assert rt.op_lt(*f(2.5), *i(3)) == 1
    assert rt.op_le(*i(3), *f(3.0)) == 1
    nan = f(math.nan)
    assert [rt.op_lt(*nan, *i(1)), rt.op_le(*nan, *i(1)), rt.op_gt(*nan, *i(1)),
            rt.op_ge(*nan, *i(1))] == [0, 0, 0, 0]
    # string mixed with anything: compares the string forms ("5" < "abc")
    assert rt.op_lt(*i(5), *V.s("abc")) == 1
    assert rt.op_gt(*V.s("abc"), *i(5)) == 1
    assert rt.op_lt(*i(10), *V.s("9")) == 1
    # other combinations compare string forms too ("false" < "true")
    assert rt.op_lt(*b(False), *b(True)) == 1


# -------------------------------------------------------------------- equality

def test_equality_rules(rt: Runtime, V: Vals) -> None:
    eq = rt.op_eq
    assert eq(*i(7), *i(7)) == 1
    assert eq(*i(7), *i(8)) == 0
    assert eq(*i(1), *f(1.0)) == 1  # int/float mixes compare as numbers (spec section 11 row 18)
    assert eq(*f(5.0), *i(5)) == 1
    assert eq(*i(1), *f(1.5)) == 0
    assert eq(*f(math.nan), *i(0)) == 0
    assert eq(*f(0.5), *f(0.5)) == 1
    assert eq(*f(math.nan), *f(math.nan)) == 0
    assert eq(*i(1), *V.s("1")) == 0
    assert eq(*V.s("abc"), *V.s("abc")) == 1
    assert eq(*V.s("abc"), *V.s("abd")) == 0
    assert eq(*b(True), *b(True)) == 1
    assert eq(*b(True), *i(1)) == 0
    assert eq(NULL, 0, NULL, 0) == 1
    assert eq(VOID, 0, NULL, 0) == 0
    assert eq(VOID, 0, VOID, 0) == 1
    p1, p2 = rt.inst_new(1, 0), rt.inst_new(1, 0)
    assert eq(INST, p1, INST, p1) == 1
    assert eq(INST, p1, INST, p2) == 0
    m1, m2 = rt.map_new(), rt.map_new()
    assert eq(MAP, m1, MAP, m1) == 1
    assert eq(MAP, m1, MAP, m2) == 0
    assert eq(*V.arr(), *V.arr()) == 1
    assert eq(*V.arr(i(1), V.s("a"), V.arr(i(2))), *V.arr(i(1), V.s("a"), V.arr(i(2)))) == 1
    assert eq(*V.arr(i(1), V.s("a")), *V.arr(i(1), V.s("b"))) == 0
    assert eq(*V.arr(i(1)), *V.arr(i(1), i(1))) == 0
    assert eq(*V.arr(i(1)), *V.arr(f(1.0))) == 1
    assert eq(*V.arr(i(1)), *V.arr(f(1.5))) == 0
    _, msg = V.s("m")
    e1, e2 = rt.err_new(msg), rt.err_new(msg)
    assert eq(ERR, e1, ERR, e1) == 1
    assert eq(ERR, e1, ERR, e2) == 1  # ErrorBoxes compare by message (upstream)
    assert eq(ERR, e1, ERR, rt.err_new(V.s("other")[1])) == 0
    assert eq(CONSOLE, 0, CONSOLE, 0) == 1
    assert eq(CONSOLE, 0, MATH, 0) == 0


# -------------------------------------------------------------------- no leaks

def _heap_top(rt: Runtime) -> int:
    return rt.alloc(8)  # a fresh small block: stable address when nothing leaked


def test_operators_and_to_string_do_not_leak(rt: Runtime, V: Vals) -> None:
    _, arr = V.arr(i(1), V.s("two"), V.arr(i(3)), (NULL, 0))
    _, s = V.s("abc")

    def cycle() -> None:
        for _ in range(50):
            r = rt.op_add(STR, s, ARR, arr)
            rt.release(*r)
            r = rt.op_add(STR, s, INT, 12345)
            rt.release(*r)
            rt.op_lt(INT, 5, STR, s)
            rt.op_eq(ARR, arr, ARR, arr)
            p = rt.to_string(ARR, arr)
            rt.release(STR, p)
            m = rt.map_new()
            p = rt.to_string(MAP, m)
            rt.release(STR, p)
            rt.release(MAP, m)
            rt.print_value(ARR, arr)
    cycle()
    before = rt.memory_bytes()
    probe = rt.alloc(8)
    rt.free(probe)
    for _ in range(20):
        cycle()
    assert rt.memory_bytes() == before
    assert rt.alloc(8) == probe


# -------------------------------------------------------------------- api.py contract

def test_api_signatures_match_wat() -> None:
    """Every function of values.wat/collections.wat listed in api.py has that signature."""
    from nyash_build.runtime.api import SIGNATURES
    texts = dict(load_sources())
    head = re.compile(r"\(func (\$\w+)((?:\s*\(param \$\w+ \w+\))*)\s*(?:\(result ([^)]*)\))?")
    checked = 0
    for name in ("values.wat", "collections.wat"):
        for m in head.finditer(texts[name]):
            if m.group(1) not in SIGNATURES:
                continue
            params = tuple(re.findall(r"\(param \$\w+ (\w+)\)", m.group(2)))
            results = tuple((m.group(3) or "").split())
            assert (params, results) == SIGNATURES[m.group(1)], m.group(1)
            checked += 1
    assert checked >= 50
