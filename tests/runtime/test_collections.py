"""Tests for runtime/collections.wat: ArrayBox and MapBox methods (spec section 7),
ConsoleBox output, ownership (no leaks) and memory reuse of the hash map."""
from __future__ import annotations

import struct

import pytest
import wasmtime

from tests.helpers import assert_program_prints
from tests.runtime.harness import Runtime
from tests.runtime.test_values import (ARR, BOOL, FLOAT, INT, MAP, NULL, STR,
                                       VOID, Vals, i, make_runtime)


def assert_no_growth(rt: Runtime, cycle) -> None:
    """After one warm-up, repeating cycle() neither grows memory nor leaks blocks."""
    cycle()
    probe = rt.alloc(8)
    rt.free(probe)
    before = rt.memory_bytes()
    for _ in range(5):
        cycle()
    assert rt.memory_bytes() == before
    assert rt.alloc(8) == probe


def f(x: float) -> tuple[int, int]:
    return (FLOAT, struct.unpack("<q", struct.pack("<d", x))[0])


def st(rt: Runtime, res: list[int]) -> str:
    """Text of an owned string result (released afterwards)."""
    assert res[0] == STR, res
    out = rt.str_value(res[1])
    rt.release(STR, res[1])
    return out


# -------------------------------------------------------------------- ArrayBox

def test_array_methods_conformance_016(rt: Runtime, V: Vals) -> None:
    _, a = V.arr()
    assert st(rt, rt.m_Array_push(a, *i(10))) == "ok"
    rt.m_Array_push(a, *i(20))
    rt.m_Array_push(a, *i(30))
    assert rt.m_Array_length(a) == [INT, 3]
    assert rt.m_Array_get(a, *i(0)) == [INT, 10]
    assert rt.m_Array_get(a, *i(5)) == [NULL, 0]
    assert rt.m_Array_get(a, *i(-1)) == [NULL, 0]
    assert st(rt, rt.m_Array_set(a, *i(1), *i(25))) == "ok"
    assert V.text((ARR, a)) == "[10, 25, 30]"
    assert rt.m_Array_pop(a) == [INT, 30]
    assert rt.m_Array_indexOf(a, *i(25)) == [INT, 1]
    assert rt.m_Array_indexOf(a, *i(99)) == [INT, -1]
    assert rt.m_Array_contains(a, *i(10)) == [BOOL, 1]
    assert rt.m_Array_contains(a, *V.s("10")) == [BOOL, 0]
    assert st(rt, rt.m_Array_join(a, *V.s("-"))) == "10-25"
    assert rt.m_Array_isEmpty(a) == [BOOL, 0]
    assert st(rt, rt.m_Array_clear(a)) == "ok"  # upstream's return value
    assert rt.m_Array_isEmpty(a) == [BOOL, 1]
    assert V.text((ARR, a)) == "[]"
    assert rt.m_Array_pop(a) == [NULL, 0]
    rt.m_Array_push(a, *i(7))
    assert V.text((ARR, a)) == "[7]"


def test_array_bounds_and_remove(rt: Runtime, V: Vals) -> None:
    _, a = V.arr(i(3), V.s("b"), i(1))
    assert st(rt, rt.m_Array_join(a, *V.s(", "))) == "3, b, 1"
    assert st(rt, rt.m_Array_remove(a, *i(1))) == "b"
    assert V.text((ARR, a)) == "[3, 1]"
    assert st(rt, rt.m_Array_toString(a)) == "[3, 1]"
    assert st(rt, rt.m_Array_set(a, *i(5), *i(2))) == "Error: index out of bounds"
    assert st(rt, rt.m_Array_set(a, *i(-1), *i(2))) == "Error: index out of bounds"
    assert rt.m_Array_remove(a, *i(7)) == [NULL, 0]
    assert V.text((ARR, a)) == "[3, 1]"
    assert st(rt, rt.m_Array_join(rt.arr_new(), *V.s(","))) == ""
    # join with a non-string separator: upstream's message as the result
    assert st(rt, rt.m_Array_join(a, *i(0))) == "Error: join() requires string separator"


def test_fast_paths(rt: Runtime, V: Vals) -> None:
    a = rt.arr_new()
    for n in range(100):
        rt.arr_push_v(a, INT, n * n)
    assert rt.arr_len(a) == 100
    assert rt.arr_get_i(a, 99) == [INT, 9801]
    assert rt.arr_get_i(a, 100) == [NULL, 0]
    assert rt.arr_get_i(a, -5) == [NULL, 0]
    assert st(rt, rt.arr_set_i(a, 0, *V.s("zero"))) == "ok"
    assert st(rt, rt.arr_get_i(a, 0)) == "zero"


def test_get_retains_and_set_releases(rt: Runtime, V: Vals) -> None:
    _, s = V.s("shared")
    a = rt.arr_new()
    rt.arr_push_v(a, STR, s)
    assert rt.read_i32(s) == 2
    got = rt.arr_get_i(a, 0)
    assert got == [STR, s] and rt.read_i32(s) == 3
    rt.release(STR, s)
    rt.arr_set_i(a, 0, INT, 1)
    assert rt.read_i32(s) == 1
    rt.m_Array_push(a, STR, s)
    rt.release(ARR, a)          # dropping the array releases its elements
    assert rt.read_i32(s) == 1


def test_non_integer_index_answers_a_string() -> None:
    # upstream: "Error: get() requires integer index" (set, remove alike), no error
    rt = make_runtime()
    V = Vals(rt)
    a = rt.arr_new()
    rt.m_Array_push(a, *i(7))
    assert st(rt, rt.m_Array_get(a, *V.s("0"))) == "Error: get() requires integer index"
    assert st(rt, rt.m_Array_set(a, NULL, 0, *i(1))) == "Error: set() requires integer index"
    assert st(rt, rt.m_Array_remove(a, *f(0.0))) == "Error: remove() requires integer index"
    assert rt.m_Array_get(a, *i(0)) == [INT, 7]
    assert rt.stderr() == ""


def test_nested_and_aliasing(rt: Runtime, V: Vals) -> None:
    _, inner = V.arr(V.s("a"))
    _, outer = V.arr((ARR, inner))
    rt.m_Array_push(inner, *V.s("b"))
    assert V.text((ARR, outer)) == "[[a, b]]"
    got = rt.m_Array_get(outer, *i(0))
    assert got == [ARR, inner]
    rt.m_Array_push(inner, *V.s("c"))
    assert V.text((ARR, outer)) == "[[a, b, c]]"


def test_sort_reverse_slice(rt: Runtime, V: Vals) -> None:
    _, m = V.arr(i(3), i(1), i(2))
    assert st(rt, rt.m_Array_sort(m)) == "ok"
    assert V.text((ARR, m)) == "[1, 2, 3]"
    assert st(rt, rt.m_Array_reverse(m)) == "ok"
    assert V.text((ARR, m)) == "[3, 2, 1]"
    assert V.text(tuple(rt.m_Array_slice(m, *i(0), *i(2)))) == "[3, 2]"
    assert V.text(tuple(rt.m_Array_slice(m, *i(-5), *i(99)))) == "[3, 2, 1]"
    assert V.text(tuple(rt.m_Array_slice(m, *i(2), *i(1)))) == "[]"
    assert V.text(tuple(rt.m_Array_slice(m, *i(1), *i(-1)))) == "[2, 1]"  # negative end: to the end
    _, s = V.arr(V.s("pear"), V.s("apple"), V.s("fig"))
    rt.m_Array_sort(s)
    assert V.text((ARR, s)) == "[apple, fig, pear]"
    _, mixed = V.arr(V.s("b"), i(3), V.s("a"), i(1))
    rt.m_Array_sort(mixed)
    assert V.text((ARR, mixed)) == "[1, 3, a, b]"
    _, e = V.arr()
    rt.m_Array_sort(e)
    rt.m_Array_reverse(e)
    assert V.text((ARR, e)) == "[]"


def test_sort_mixed_numbers_and_stability(rt: Runtime, V: Vals) -> None:
    _, a = V.arr(f(2.5), i(2), V.s("x"), (NULL, 0), i(-7), f(-0.5), (VOID, 0), i(3), f(2.0))
    rt.m_Array_sort(a)
    kinds = [rt.arr_get_i(a, k)[0] for k in range(9)]
    # numbers by value (2 and 2.0 equal -> original order); every other pair by string
    # form: "null" < "void" < "x" (upstream: [-7, -0.5, 2, 2, 2.5, 3, null, void, x])
    assert kinds == [INT, FLOAT, INT, FLOAT, FLOAT, INT, NULL, VOID, STR]
    assert [rt.arr_get_i(a, k)[1] for k in (0, 2, 5)] == [-7, 2, 3]


def test_sort_mixed_kinds_by_string_form_as_upstream(rt: Runtime, V: Vals) -> None:
    # outputs of the reference interpreter for the same arrays
    def sorted_text(*items) -> str:
        _, a = V.arr(*items)
        rt.m_Array_sort(a)
        return V.text((ARR, a))
    assert sorted_text(i(3), f(1.5), V.s("b"), i(-2), V.s("a"), f(2.0), V.s("10"), V.s("9")) == \
        "[-2, 1.5, 10, 2, 3, 9, a, b]"
    assert sorted_text((BOOL, 1), (BOOL, 0), V.s("apple"), i(5), V.s(""), V.s(" z"), i(-3)) == \
        "[,  z, -3, 5, apple, false, true]"
    # not a total order (2 < 10 < "1x" < 2): the insertion sort upstream runs on short arrays
    assert sorted_text(V.s("1x"), i(10), i(2)) == "[10, 1x, 2]"
    assert sorted_text(i(2), i(10), V.s("1x")) == "[2, 10, 1x]"


def test_sort_large_matches_python(rt: Runtime, V: Vals) -> None:
    import random
    rng = random.Random(7)
    nums = [rng.randrange(-1000, 1000) for _ in range(3000)]
    a = rt.arr_new()
    for n in nums:
        rt.arr_push_v(a, INT, n)
    rt.m_Array_sort(a)
    assert [rt.arr_get_i(a, k)[1] for k in range(len(nums))] == sorted(nums)


def test_sort_large_strings_and_mixed_match_the_rule(rt: Runtime, V: Vals) -> None:
    """Beyond 20 elements (merge sort): strings byte-wise with shared prefixes longer
    than eight bytes; strings mixed with integers by the string-form rule."""
    import random
    rng = random.Random(11)
    words = ["prefix-common-" + str(rng.randrange(0, 500)) + rng.choice(["", "x", "é"]) for _ in range(300)]
    a = rt.arr_new()
    for w in words:
        rt.arr_push_v(a, *V.s(w))
    rt.m_Array_sort(a)
    assert [rt.str_value(rt.arr_get_i(a, k)[1]) for k in range(len(words))] == \
        sorted(words, key=lambda w: w.encode())
    mixed = [rng.randrange(-50, 50) for _ in range(40)] + [str(rng.randrange(-50, 50)) + "s" for _ in range(40)]
    rng.shuffle(mixed)
    b = rt.arr_new()
    for m in mixed:
        rt.arr_push_v(b, *(V.s(m) if isinstance(m, str) else (INT, m)))
    rt.m_Array_sort(b)
    def key(m):  # numbers among themselves numerically, else by string form
        return str(m).encode()
    out = []
    for k in range(len(mixed)):
        tag, p = rt.arr_get_i(b, k)
        out.append(rt.str_value(p) if tag == STR else p)
    for x, y in zip(out, out[1:]):  # every neighbouring pair is in order by the rule
        if isinstance(x, int) and isinstance(y, int):
            assert x <= y
        else:
            assert key(x) <= key(y)


def test_array_equality_via_index_of(rt: Runtime, V: Vals) -> None:
    _, a = V.arr(V.arr(i(1)), V.s("x"))
    assert rt.m_Array_indexOf(a, *V.arr(i(1))) == [INT, 0]
    assert rt.m_Array_indexOf(a, *V.s("x")) == [INT, 1]


def test_arrays_do_not_leak(rt: Runtime, V: Vals) -> None:
    def push_owned(a: int, v: tuple[int, int]) -> None:
        rt.arr_push_v(a, *v)       # the array retains ...
        rt.release(*v)             # ... and we drop our own reference

    def cycle() -> None:
        for _ in range(20):
            _, a = V.arr()
            for n in range(50):
                push_owned(a, V.s(f"s{n}"))
            deep = V.s("deep")
            push_owned(a, V.arr(i(1), deep))
            rt.release(*deep)
            rt.release(*rt.arr_get_i(a, 50))
            rt.release(*rt.m_Array_set(a, *i(0), *i(5)))
            rt.m_Array_sort(a)
            rt.m_Array_reverse(a)
            rt.release(*rt.m_Array_slice(a, *i(3), *i(30)))
            sep = V.s(",")
            rt.release(*rt.m_Array_join(a, *sep))
            rt.release(*sep)
            rt.release(*rt.m_Array_remove(a, *i(4)))
            rt.release(*rt.m_Array_pop(a))
            rt.release(*rt.m_Array_toString(a))
            rt.m_Array_clear(a)
            push_owned(a, V.s("again"))
            rt.release(ARR, a)
    assert_no_growth(rt, cycle)


# -------------------------------------------------------------------- MapBox

def test_map_conformance_112(rt: Runtime, V: Vals) -> None:
    m = rt.map_new()
    assert st(rt, rt.m_Map_set(m, *V.s("a"), *i(1))) == "Set key: a"
    rt.m_Map_set(m, *V.s("b"), *V.s("two"))
    rt.m_Map_set(m, *V.s("c"), BOOL, 1)
    assert rt.m_Map_size(m) == [INT, 3]
    assert rt.m_Map_get(m, *V.s("a")) == [INT, 1]
    assert st(rt, rt.m_Map_get(m, *V.s("b"))) == "two"
    assert rt.m_Map_has(m, *V.s("c")) == [BOOL, 1]
    assert rt.m_Map_has(m, *V.s("zz")) == [BOOL, 0]
    assert st(rt, rt.m_Map_get(m, *V.s("zz"))) == "Key not found: zz"
    rt.m_Map_set(m, *V.s("a"), *i(100))
    assert rt.m_Map_get(m, *V.s("a")) == [INT, 100]
    assert st(rt, rt.m_Map_delete(m, *V.s("b"))) == "Deleted key: b"
    assert st(rt, rt.m_Map_delete(m, *V.s("b"))) == "Key not found: b"
    assert rt.m_Map_size(m) == [INT, 2]
    assert V.text((MAP, m)) == "MapBox(size=2)"
    assert st(rt, rt.m_Map_toString(m)) == "MapBox(size=2)"
    assert V.text(tuple(rt.m_Map_keys(m))) == "[a, c]"
    assert V.text(tuple(rt.m_Map_values(m))) == "[100, true]"
    assert rt.m_Map_isEmpty(m) == [BOOL, 0]
    assert st(rt, rt.m_Map_clear(m)) == "Map cleared"
    assert rt.m_Map_size(m) == [INT, 0]
    assert rt.m_Map_isEmpty(m) == [BOOL, 1]
    assert V.text(tuple(rt.m_Map_keys(m))) == "[]"
    rt.m_Map_set(m, *i(5), *i(6))
    assert rt.m_Map_get(m, *i(5)) == [INT, 6]


def test_map_keys_by_string_form_as_upstream(rt: Runtime, V: Vals) -> None:
    # upstream stores every key as its string form: 1 and "1" are one key, keys() gives
    # strings, null is "null", 2.0 is "2"
    m = rt.map_new()
    rt.map_set_v(m, *i(1), *V.s("one"))
    rt.map_set_v(m, *V.s("1"), *V.s("string one"))
    assert st(rt, rt.map_get_v(m, *i(1))) == "string one"
    assert st(rt, rt.map_get_v(m, *V.s("1"))) == "string one"
    assert st(rt, rt.map_get_v(m, *i(2))) == "Key not found: 2"
    assert st(rt, rt.m_Map_set(m, *i(-3), *i(0))) == "Set key: -3"
    assert rt.m_Map_has(m, *V.s("-3")) == [BOOL, 1]
    assert rt.m_Map_size(m) == [INT, 2]
    keys = rt.m_Map_keys(m)
    assert V.text(tuple(keys)) == "[1, -3]"
    assert rt.arr_get_i(keys[1], 0)[0] == STR
    # strings that are not the string form of an integer stay apart
    for text in ("01", "-0", "+1", " 1", "9223372036854775808", "1.0"):
        rt.map_set_v(m, *V.s(text), *V.s(text))
    assert rt.m_Map_size(m) == [INT, 8]
    assert st(rt, rt.map_get_v(m, *V.s("9223372036854775808"))) == "9223372036854775808"
    rt.map_set_v(m, *V.s("-9223372036854775808"), *V.s("min"))
    assert st(rt, rt.map_get_v(m, *i(-(1 << 63)))) == "min"
    rt.map_set_v(m, *f(2.0), *V.s("two"))
    assert st(rt, rt.map_get_v(m, *V.s("2"))) == "two"
    rt.map_set_v(m, NULL, 0, *V.s("nothing"))
    assert st(rt, rt.map_get_v(m, *V.s("null"))) == "nothing"
    assert st(rt, rt.m_Map_delete(m, BOOL, 0)) == "Key not found: false"


def test_map_order_with_delete_and_readd(rt: Runtime, V: Vals) -> None:
    m = rt.map_new()
    for k in "abcde":
        rt.map_set_v(m, *V.s(k), *V.s(k.upper()))
    rt.release(*rt.m_Map_delete(m, *V.s("b")))
    rt.map_set_v(m, *V.s("d"), *i(4))       # update keeps place
    rt.map_set_v(m, *V.s("b"), *i(2))       # re-added goes to the end
    assert V.text(tuple(rt.m_Map_keys(m))) == "[a, c, d, e, b]"
    assert V.text(tuple(rt.m_Map_values(m))) == "[A, C, 4, E, 2]"
    # many deletes/re-adds force compaction; order must survive it
    for n in range(200):
        rt.map_set_v(m, *V.s(f"k{n}"), *i(n))
    for n in range(0, 200, 2):
        rt.release(*rt.m_Map_delete(m, *V.s(f"k{n}")))
    for n in range(300, 400):
        rt.map_set_v(m, *V.s(f"k{n}"), *i(n))
    keys = V.text(tuple(rt.m_Map_keys(m)))[1:-1].split(", ")
    expected = list("acdeb") + [f"k{n}" for n in range(1, 200, 2)] + [f"k{n}" for n in range(300, 400)]
    assert keys == expected
    assert rt.m_Map_size(m) == [INT, len(expected)]


def test_map_matches_an_ordered_model_through_growth_and_deletes(rt: Runtime, V: Vals) -> None:
    """Random sets, updates, deletes and lookups over a few thousand integer and string
    keys (index slots carry hash bits; probe chains cross deleted entries, growth and
    compaction): every answer and the final key order match an insertion-ordered dict
    keyed by the string form."""
    import random
    rnd = random.Random(19)
    model: dict[str, int] = {}
    m = rt.map_new()

    def key(n: int) -> tuple[int, int]:
        return i(n) if n % 3 == 0 else V.s(f"k{n}" if n % 3 == 1 else str(n))
    for step in range(6000):
        n = rnd.randrange(2500 if step < 3000 else 600)
        k = key(n)
        op = rnd.random()
        if op < 0.55:
            rt.map_set_v(m, *k, *i(step))
            model[str(n) if n % 3 != 1 else f"k{n}"] = step
        elif op < 0.75:
            rt.release(*rt.m_Map_delete(m, *k))
            model.pop(str(n) if n % 3 != 1 else f"k{n}", None)
        else:
            want = model.get(str(n) if n % 3 != 1 else f"k{n}")
            assert rt.m_Map_has(m, *k) == [BOOL, int(want is not None)]
            if want is not None:
                assert rt.map_get_v(m, *k) == [INT, want]
        if k[0] == STR:
            rt.release(*k)
    assert rt.m_Map_size(m) == [INT, len(model)]
    assert V.text(tuple(rt.m_Map_keys(m)))[1:-1].split(", ") == list(model)
    assert V.text(tuple(rt.m_Map_values(m)))[1:-1].split(", ") == [str(v) for v in model.values()]
    rt.release(MAP, m)


def test_map_values_are_shared_not_copied(rt: Runtime, V: Vals) -> None:
    m = rt.map_new()
    _, a = V.arr(V.s("a"))
    rt.map_set_v(m, *V.s("k"), ARR, a)
    rt.m_Array_push(a, *V.s("d"))
    got = rt.map_get_v(m, *V.s("k"))
    assert got == [ARR, a]
    assert V.text(tuple(got)) == "[a, d]"


def test_any_key_kind_is_its_string_form() -> None:
    rt = make_runtime()
    m = rt.map_new()
    rt.m_Map_set(m, BOOL, 1, INT, 1)
    assert rt.m_Map_has(m, *Vals(rt).s("true")) == [BOOL, 1]
    assert rt.stderr() == ""


# Test-only loop: map[keys[i]] = i for every element of the ArrayBox keys (avoids
# 100k Python->wasm calls per round).
_FILL = """
  (func $test_map_fill (param $m i32) (param $keys i32)
    (local $i i32)
    (block $end (loop $l
      (br_if $end (i32.ge_u (local.get $i) (i32.load offset=4 (local.get $keys))))
      (call $map_set_v (local.get $m)
        (i32.load (i32.add (i32.load offset=12 (local.get $keys)) (i32.shl (local.get $i) (i32.const 4))))
        (i64.load offset=8 (i32.add (i32.load offset=12 (local.get $keys)) (i32.shl (local.get $i) (i32.const 4))))
        (i32.const 3) (i64.extend_i32_u (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
"""


def test_map_many_inserts_memory_bounded() -> None:
    """100k inserts, then clear/drop, repeated: memory stops growing (freed tables are
    reused; the allocator may need one extra round to settle its free lists)."""
    rt = make_runtime(extra=_FILL)
    V = Vals(rt)
    keys = rt.arr_new()
    for n in range(100_000):
        k = rt.make_str(f"key{n}")
        rt.arr_push_v(keys, STR, k)
        rt.release(STR, k)
    base = rt.memory_bytes()
    m = rt.map_new()
    rt.test_map_fill(m, keys)
    assert rt.m_Map_size(m) == [INT, 100_000]
    assert rt.map_get_v(m, *rt.arr_get_i(keys, 77_777)) == [INT, 77_777]
    assert rt.m_Map_has(m, *V.s("key99999")) == [BOOL, 1]
    assert rt.m_Map_has(m, *V.s("key100000")) == [BOOL, 0]
    rt.m_Map_clear(m)
    first = rt.memory_bytes() - base
    sizes = []
    for _ in range(3):
        rt.test_map_fill(m, keys)
        rt.m_Map_clear(m)
        sizes.append(rt.memory_bytes() - base)
    rt.release(MAP, m)
    for _ in range(3):
        m2 = rt.map_new()
        rt.test_map_fill(m2, keys)
        rt.release(MAP, m2)
        sizes.append(rt.memory_bytes() - base)
    assert first < 16 * 2**20
    assert max(sizes) <= 2 * first
    assert sizes[-1] == sizes[1]
    assert rt.read_i32(rt.arr_get_i(keys, 5)[1]) == 2   # the array's ref + ours from get


def test_maps_do_not_leak(rt: Runtime, V: Vals) -> None:
    def cycle() -> None:
        for _ in range(10):
            m = rt.map_new()
            for n in range(40):
                k, v = V.s(f"k{n}"), V.arr(i(n))
                rt.release(*rt.m_Map_set(m, *k, *v))
                rt.release(*k)
                rt.release(*v)
            for n in range(40):
                k = V.s(f"k{n}")
                rt.release(*rt.map_get_v(m, *k))
                rt.release(*rt.m_Map_has(m, *k))
                rt.map_set_v(m, *k, *i(n))       # replaces (releases) the old array
                rt.release(*k)
            for n in range(0, 40, 3):
                k = V.s(f"k{n}")
                rt.release(*rt.m_Map_delete(m, *k))
                rt.release(*rt.m_Map_delete(m, *k))
                rt.release(*k)
            rt.release(*rt.map_get_v(m, *i(9)))
            rt.release(*rt.m_Map_keys(m))
            rt.release(*rt.m_Map_values(m))
            rt.release(*rt.m_Map_toString(m))
            rt.release(MAP, m)
    assert_no_growth(rt, cycle)


# -------------------------------------------------------------------- ConsoleBox

def test_console(rt: Runtime, V: Vals) -> None:
    assert rt.m_Console_log(0, *V.s("hello")) == [VOID, 0]
    rt.m_Console_log(0, *i(3))
    rt.m_Console_warn(0, *V.s("careful"))
    rt.m_Console_error(0, *V.arr(i(1), V.s("x")))
    assert rt.stdout() == ("[Console LOG] hello\n[Console LOG] 3\n[Console WARN] careful\n"
                           "[Console ERROR] [1, x]\n")


# ---------------------------------------------------------- ArrayBox storage modes
def _mode(rt: Runtime, a: int) -> int:
    return rt.read_i32(a + 16)


def test_integer_array_is_typed_until_another_kind_arrives(rt: Runtime, V: Vals) -> None:
    a = rt.arr_new()
    assert _mode(rt, a) == 15  # undecided
    for k in range(5):
        rt.arr_push_v(a, *i(k * 10))
    assert _mode(rt, a) == INT
    buf = rt.read_i32(a + 12)
    assert [int.from_bytes(rt.read_bytes(buf + 8 * k, 8), "little") for k in range(5)] == [0, 10, 20, 30, 40]
    assert rt.m_Array_get(a, *i(4)) == [INT, 40]
    assert st(rt, rt.m_Array_set(a, *i(1), *i(11))) == "ok" and _mode(rt, a) == INT
    rt.arr_push_v(a, *V.s("x"))  # a string: tagged slots from now on, values kept
    assert _mode(rt, a) == 0
    assert V.text((ARR, a)) == "[0, 11, 20, 30, 40, x]"
    assert rt.m_Array_get(a, *i(3)) == [INT, 30]


def test_floats_and_mixed_numbers(rt: Runtime, V: Vals) -> None:
    _, a = V.arr(f(1.5), f(2.5))
    assert _mode(rt, a) == FLOAT
    assert rt.m_Array_pop(a) == list(f(2.5))
    rt.arr_push_v(a, *i(3))  # an integer among floats: tagged
    assert _mode(rt, a) == 0 and V.text((ARR, a)) == "[1.5, 3]"
    _, b = V.arr(V.s("s"))
    assert _mode(rt, b) == 0


def test_typed_arrays_through_every_method(rt: Runtime, V: Vals) -> None:
    _, a = V.arr(i(5), i(3), i(9), i(3))
    assert rt.m_Array_indexOf(a, *i(9)) == [INT, 2]
    assert rt.m_Array_contains(a, *i(4)) == [BOOL, 0]
    assert st(rt, rt.m_Array_join(a, *V.s("+"))) == "5+3+9+3"
    sliced = rt.m_Array_slice(a, *i(1), *i(3))
    assert V.text(tuple(sliced)) == "[3, 9]" and _mode(rt, sliced[1]) == INT
    _, b = V.arr(i(5), V.s("3"))
    assert rt.op_eq(ARR, a, ARR, b) == 0
    _, c = V.arr(i(5), i(3), i(9), i(3))
    assert rt.op_eq(ARR, a, ARR, c) == 1
    assert rt.m_Array_remove(a, *i(0)) == [INT, 5]
    assert V.text((ARR, a)) == "[3, 9, 3]"
    rt.m_Array_sort(c)
    rt.m_Array_reverse(c)
    assert V.text((ARR, c)) == "[9, 5, 3, 3]"
    rt.m_Array_clear(c)
    assert _mode(rt, c) == 15
    rt.arr_push_v(c, *V.s("after"))
    assert V.text((ARR, c)) == "[after]"


def test_typed_array_cycle_does_not_grow(rt: Runtime, V: Vals) -> None:
    def cycle() -> None:
        a = rt.arr_new()
        for k in range(300):
            rt.arr_push_v(a, *i(k))
        rt.arr_push_v(a, *V.s("s"))  # widen to tagged slots
        rt.release(ARR, a)
    assert_no_growth(rt, cycle)


MAP_INDEX_PROGRAM = """static box Main {
    main() {
        local m = new MapBox()
        // "c100368" and "c119089" have the same 32-bit hash: one slot chain, two entries
        m.set("c100368", 1)
        m.set("c119089", 2)
        print(m.get("c100368") + m.get("c119089"))
        print(m.has("c100369"))
        m.delete("c100368")
        print(m.has("c100368"))
        print(m.get("c119089"))
        m.set("c100368", 3)
        print(m.get("c100368") * 10 + m.get("c119089"))
        // many keys: probe chains, integer and string keys, deletes, rebuilds
        local i = 0
        loop(i < 3000) {
            m.set("k" + i, i)
            m.set(i, i * 2)
            i = i + 1
        }
        i = 0
        loop(i < 3000) {
            if i % 3 == 0 {
                m.delete("k" + i)
                m.delete(i)
            }
            i = i + 1
        }
        local total = 0
        local found = 0
        i = 0
        loop(i < 3200) {
            if m.has("k" + i) {
                total = total + m.get("k" + i)
                found = found + 1
            }
            if m.has(i) {
                total = total + m.get("" + i)
            }
            i = i + 1
        }
        print(total)
        print(found)
        print(m.size())
        i = 0
        loop(i < 3000) {
            m.set("k" + i, 1)
            i = i + 1
        }
        print(m.size())
        print(m.get("c100368") + m.get("c119089") + m.get("k2999") + m.get(2999))
    }
}
"""


def test_map_index_slots_carry_the_hash(tmp_path) -> None:
    """Index slots hold hash bits beside the entry number, so probing skips other keys'
    slots by hash alone; two keys with one 32-bit hash (c100368, c119089: only the
    entry comparison tells them apart), deletes in probe chains, integer and string
    keys, rebuilds on growth. Output checked against run-share.sh."""
    assert_program_prints(tmp_path, "mapindex", MAP_INDEX_PROGRAM, '3\nfalse\nfalse\n2\n32\n9000000\n2000\n4002\n5002\n6004\n')
