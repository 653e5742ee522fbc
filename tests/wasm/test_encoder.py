"""Encoder tests on IR built directly (as the code generator does)."""
from __future__ import annotations

import time

import pytest
import wasmtime
from hypothesis import given, strategies as st

from nyash_build.wasm.encoder import WasmEncodeError, encode, sleb, uleb
from nyash_build.wasm.module import Data, Func, Global, Import, Memory, Module

from .util import Inst, read_sleb, read_uleb, sections


def fib_func() -> Func:
    return Func("$fib", [("$n", "i64")], ["i64"], [], [
        ("local.get", "$n"), ("i64.const", 2), ("i64.lt_s",),
        ("if", None, "i64"),
        ("local.get", "$n"),
        ("else",),
        ("local.get", "$n"), ("i64.const", 1), ("i64.sub",), ("call", "$fib"),
        ("local.get", "$n"), ("i64.const", 2), ("i64.sub",), ("call", "$fib"),
        ("i64.add",),
        ("end",),
    ], export="fib")


def test_fib():
    inst = Inst(encode(Module(funcs=[fib_func()])).wasm)
    assert [inst("fib", n) for n in (0, 1, 2, 10, 25)] == [0, 1, 1, 55, 75025]


def test_multi_value_and_block_types():
    divmod_ = Func("$divmod", [("$a", "i64"), ("$b", "i64")], ["i64", "i64"], [], [
        ("local.get", "$a"), ("local.get", "$b"), ("i64.div_s",),
        ("local.get", "$a"), ("local.get", "$b"), ("i64.rem_s",),
    ], export="divmod")
    # A block taking two params and returning three values (needs an interned type).
    blk = Func("$blk", [(None, "i32")], ["i32", "i64", "i32"], [], [
        ("local.get", 0), ("i64.const", 5),
        ("block", "$b", (("i32", "i64"), ("i32", "i64", "i32"))),
        ("i32.const", 9),
        ("end",),
    ], export="blk")
    value = Func("$value", [], ["i32", "i64"], [], [
        ("i32.const", 3), ("i64.const", 42), ("call", "$divmod_pair"),
    ], export="value")
    pair = Func("$divmod_pair", [("$t", "i32"), ("$p", "i64")], ["i32", "i64"], [], [
        ("local.get", "$t"), ("local.get", "$p"),
    ])
    inst = Inst(encode(Module(funcs=[divmod_, blk, value, pair])).wasm)
    assert inst("divmod", 17, 5) == [3, 2]
    assert inst("divmod", -17, 5) == [-3, -2]
    assert inst("blk", 7) == [7, 5, 9]
    assert inst("value") == [3, 42]


def test_br_table_with_labels_and_depths():
    body = [
        ("block", "$d", None), ("block", "$c", None), ("block", "$b", None),
        ("block", "$a", None),
        ("local.get", "$x"), ("br_table", ["$a", 1, "$c"], "$d"),
        ("end",), ("i32.const", 100), ("return",),
        ("end",), ("i32.const", 101), ("return",),
        ("end",), ("i32.const", 102), ("return",),
        ("end",), ("i32.const", 103),
    ]
    f = Func("$sw", [("$x", "i32")], ["i32"], [], body, export="sw")
    inst = Inst(encode(Module(funcs=[f])).wasm)
    assert [inst("sw", i) for i in range(5)] == [100, 101, 102, 103, 103]


def test_memory_globals_data():
    g = Global("$count", "i64", True, 0, export="count")
    k = Global("$k", "i32", False, 0xFFFFFFFF)
    f = Global("$f", "f64", False, 2.5)
    body = [
        ("global.get", "$count"), ("i64.const", 1), ("i64.add",), ("global.set", "$count"),
        ("i32.const", 0x20), ("global.get", "$count"), ("i64.store", 8, None),
        ("i32.const", 0x20), ("i64.load", 8, 3),
        ("i32.const", 0x10), ("i32.load16_u", 1, 0), ("i64.extend_i32_u",), ("i64.add",),
        ("global.get", "$k"), ("i64.extend_i32_s",), ("i64.add",),
        ("global.get", "$f"), ("i64.reinterpret_f64",), ("f64.reinterpret_i64",),
        ("i64.trunc_sat_f64_s",), ("i64.add",),
    ]
    fn = Func("$tick", [], ["i64"], [], body, export="tick")
    mem_ops = Func("$mem", [], ["i32", "i32", "i32"], [], [
        ("i32.const", 0x100), ("i32.const", 0x7A), ("i32.const", 4), ("memory.fill",),
        ("i32.const", 0x200), ("i32.const", 0xFF), ("i32.const", 8), ("memory.copy",),
        ("i32.const", 0x200), ("i32.load",), ("i32.const", 1), ("memory.grow",),
        ("memory.size",),
    ], export="mem")
    m = Module(funcs=[fn, mem_ops], globals=[g, k, f], memory=Memory(1, 3, export="memory"),
               data=[Data(0x10, b"\x00\x01\x02\x03"), Data(0xFF, b"\x01")])
    inst = Inst(encode(m).wasm)
    # count(1) + 0x0201 + (-1) + 2
    assert inst("tick") == 1 + 0x0201 - 1 + 2
    assert inst.exports["count"].value(inst.store) == 1
    assert inst("mem") == [0x7A7A7A01, 1, 2]
    assert inst.memory()[0x10:0x14] == b"\x00\x01\x02\x03"


def test_imports_and_typed_select_and_sign_ext():
    imp = Import("env", "add1", "$add1", [("$x", "i32")], ["i32"])
    f = Func("$f", [("$c", "i32")], ["i32", "i64", "f64"], [], [
        ("i32.const", 0x7F), ("call", "$add1"), ("i32.extend8_s",),
        ("i64.const", 0xFFFF_FFFF), ("i64.extend32_s",),
        ("f64.const", 1.5), ("f64.const", -2.0), ("local.get", "$c"), ("select", "f64"),
    ], export="f")
    enc = encode(Module(imports=[imp], funcs=[f]))
    inst = Inst(enc.wasm, {("env", "add1"): ("i32", "i32", lambda x: x + 1)})
    assert inst("f", 1) == [-128, -1, 1.5]
    assert inst("f", 0) == [-128, -1, -2.0]


I32_CASES = [0, 63, 64, -64, -65, 127, 128, -128, 0x7FFFFFFF, -0x80000000,
             0x80000000, 0xFFFFFFFF, 0x12345678]
I64_CASES = [0, 63, 64, -64, -65, (1 << 63) - 1, -(1 << 63), 1 << 63, (1 << 64) - 1,
             0x80000000, 0xFFFFFFFF, -0x80000001]


def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def test_leb128_boundaries_through_wasmtime():
    funcs = [Func(f"$a{i}", [], ["i32"], [], [("i32.const", v)], export=f"a{i}")
             for i, v in enumerate(I32_CASES)]
    funcs += [Func(f"$b{i}", [], ["i64"], [], [("i64.const", v)], export=f"b{i}")
              for i, v in enumerate(I64_CASES)]
    inst = Inst(encode(Module(funcs=funcs)).wasm)
    assert [inst(f"a{i}") for i in range(len(I32_CASES))] == [_signed(v, 32) for v in I32_CASES]
    assert [inst(f"b{i}") for i in range(len(I64_CASES))] == [_signed(v, 64) for v in I64_CASES]


def test_leb128_known_bytes():
    assert uleb(0) == b"\x00" and uleb(127) == b"\x7f" and uleb(128) == b"\x80\x01"
    assert uleb(624485) == b"\xe5\x8e\x26"
    assert sleb(-1) == b"\x7f" and sleb(63) == b"\x3f" and sleb(64) == b"\xc0\x00"
    assert sleb(-123456) == b"\xc0\xbb\x78"
    assert sleb(-(1 << 63)) == b"\x80" * 9 + b"\x7f"
    assert sleb((1 << 63) - 1) == b"\xff" * 9 + b"\x00"
    assert sleb(-0x80000000) == b"\x80\x80\x80\x80\x78"


@given(st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1))
def test_sleb_roundtrip(n):
    b = sleb(n)
    assert read_sleb(b, 0) == (n, len(b))


@given(st.integers(min_value=0, max_value=(1 << 64)))
def test_uleb_roundtrip(n):
    b = uleb(n)
    assert read_uleb(b, 0) == (n, len(b))


def _trap_module() -> Module:
    inner = Func("$inner", [("$x", "i32")], [], [("$tmp", "i64")], [
        ("line", 5), ("local.get", "$x"), ("drop",),
        ("line", 6), ("unreachable",),
        ("line", 7), ("nop",),
    ])
    outer = Func("$outer", [], [], [], [
        ("line", 2), ("i32.const", 1), ("drop",),
        ("line", 3), ("i32.const", 0), ("call", "$inner"),
        ("line", 4), ("nop",),
    ], export="outer")
    return Module(funcs=[inner, outer])


def _line_at(table: list[tuple[int, int, int]], offset: int) -> int:
    best = None
    for off, _, line in table:
        if off <= offset:
            best = line
    assert best is not None
    return best


def test_line_table_maps_trap_frames_to_lines():
    enc = encode(_trap_module())
    table = enc.line_table
    assert table == sorted(table)
    assert [line for _, _, line in table] == [5, 6, 7, 2, 3, 4]
    assert {file for _, file, _ in table} == {0}  # ("line", n) is file 0
    # Each offset points at the first instruction after its marker.
    opcodes = {off: enc.wasm[off] for off, _, _ in table}
    assert [opcodes[off] for off, _, _ in table] == [0x20, 0x00, 0x01, 0x41, 0x41, 0x01]
    inst = Inst(enc.wasm)
    with pytest.raises(wasmtime.Trap) as exc:
        inst("outer")
    frames = exc.value.frames
    assert frames[0].func_name == "inner" and frames[1].func_name == "outer"
    assert _line_at(table, frames[0].module_offset) == 6
    assert _line_at(table, frames[1].module_offset) == 3


def test_consecutive_markers_last_wins():
    f = Func("$f", [], [], [], [("line", 5), ("line", 3, 2), ("nop",), ("line", 4), ("nop",)])
    table = encode(Module(funcs=[f])).line_table
    assert [(file, line) for _, file, line in table] == [(2, 3), (0, 4)]
    assert table[1][0] == table[0][0] + 1


def test_line_markers_carry_their_file():
    f = Func("$f", [], [], [], [("line", 7, 3), ("nop",), ("line", 1, 0), ("nop",)])
    table = encode(Module(funcs=[f])).line_table
    assert [(file, line) for _, file, line in table] == [(3, 7), (0, 1)]


def test_names_false_omits_name_section():
    m = _trap_module()
    with_names = encode(m).wasm
    without = encode(m, names=False).wasm
    assert 0 in sections(with_names) and 0 not in sections(without)
    assert b"inner" in with_names and b"tmp" in with_names
    assert b"inner" not in without
    # Line offsets do not depend on the trailing name section.
    assert encode(m).line_table == encode(m, names=False).line_table


def test_deterministic():
    m = Module(funcs=[fib_func(), *_trap_module().funcs], memory=Memory(1))
    assert encode(m).wasm == encode(m).wasm


@pytest.mark.parametrize("func,message", [
    (Func("$f", [], [], [], [("i32.frobnicate",)]), "$f: unknown instruction 'i32.frobnicate'"),
    (Func("$f", [], [], [], [("local.get", "$nope"), ("drop",)]), "unknown local '$nope'"),
    (Func("$f", [], [], [], [("call", "$missing")]), "unknown function '$missing'"),
    (Func("$f", [], [], [], [("global.get", "$g"), ("drop",)]), "unknown global '$g'"),
    (Func("$f", [], [], [], [("block", "$a", None), ("br", "$b"), ("end",)]),
     "unknown label '$b'"),
    (Func("$f", [], [], [], [("br", 3)]), "depth 3 out of range"),
    (Func("$f", [], [], [], [("block", None, None)]), "not closed"),
    (Func("$f", [], [], [], [("end",)]), "'end' without open block"),
    (Func("$f", [], [], [], [("block", None, None), ("else",), ("end",)]), "'else' outside"),
    (Func("$f", [], [], [], [("i32.const", 1 << 32), ("drop",)]), "out of range"),
    (Func("$f", [], [], [], [("i64.const", -(1 << 63) - 1), ("drop",)]), "out of range"),
    (Func("$f", [], [], [("$x", "i128")], []), "unknown value type 'i128'"),
    (Func("$f", [], [], [], [("i32.const", "x"), ("drop",)]), "$f"),
])
def test_errors_name_function_and_op(func, message):
    with pytest.raises(WasmEncodeError) as exc:
        encode(Module(funcs=[func]))
    assert message in str(exc.value)


def test_module_level_errors():
    f = Func("$f", [], [], [], [], export="x")
    with pytest.raises(WasmEncodeError, match="duplicate function name"):
        encode(Module(funcs=[f, f]))
    with pytest.raises(WasmEncodeError, match="duplicate export name 'x'"):
        encode(Module(funcs=[f], exports=[("x", "func", "$f")]))
    with pytest.raises(WasmEncodeError, match="unknown func '\\$g'"):
        encode(Module(funcs=[f], exports=[("y", "func", "$g")]))


def big_module(nfuncs: int = 3000, per_func: int = 100) -> Module:
    funcs = []
    for k in range(nfuncs):
        body: list[tuple] = []
        for j in range(per_func // 12):
            body += [("line", j), ("local.get", "$a"), ("i64.const", 123456789 + j),
                     ("i64.add",), ("local.set", "$x"), ("block", "$b", None),
                     ("local.get", "$x"), ("i64.eqz",), ("br_if", "$b"),
                     ("i32.const", 0x30000), ("i64.load", 8, None), ("drop",), ("end",)]
        body += [("local.get", "$x"), ("call", f"$f{max(k - 1, 0)}"), ("drop",),
                 ("local.get", "$x")]
        funcs.append(Func(f"$f{k}", [("$a", "i64")], ["i64"], [("$x", "i64"), ("$t", "i32")],
                          body, export=f"f{k}" if k % 100 == 0 else None))
    return Module(funcs=funcs, memory=Memory(4))


def test_encode_time_is_linear():
    """Encoding must stay linear in the number of instructions (a quadratic step once
    made big programs slow). Absolute speed is a benchmark number, not a test: this
    compares 300k instructions with 30k, which stays meaningful on a loaded machine."""
    small, big = big_module(nfuncs=300), big_module()
    assert sum(len(f.body) for f in big.funcs) >= 300_000
    t_small = min(_timed(lambda: encode(small)) for _ in range(5))
    t_big = min(_timed(lambda: encode(big)) for _ in range(5))
    assert t_big < 40 * max(t_small, 0.005), (t_small, t_big)  # 10x input: linear ~10x, quadratic ~100x; margin for load
    wasmtime.Module.validate(wasmtime.Engine(), encode(big).wasm)


def _timed(fn) -> float:
    """Wall time of fn() with the garbage collector paused (its pauses are noise here)."""
    import gc
    gc.disable()
    try:
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t
    finally:
        gc.enable()
