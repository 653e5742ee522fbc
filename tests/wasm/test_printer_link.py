"""Printer output for code-generator IR, and dead-code elimination."""
from __future__ import annotations

import math
import struct

import pytest
import wasmtime

from nyash_build.wasm.encoder import encode
from nyash_build.wasm.link import reachable_funcs
from nyash_build.wasm.module import Data, Func, Global, Import, Memory, Module
from nyash_build.wasm.wat import format_float, print_module
from nyash_build.wasm.wat_parser import parse_fields

from .util import Inst, sections


def codegen_like_module() -> Module:
    floats = [0.1, -0.0, 1e300, 5e-324, math.inf, -math.inf, 2.0 ** 60, 1 / 3]
    body: list[tuple] = [("line", 1)]
    for x in floats:
        body += [("f64.const", x), ("i64.reinterpret_f64",), ("drop",)]
    body += [
        ("line", 2), ("f32.const", 0.1), ("i32.reinterpret_f32",),
        ("i32.const", 0xFFFFFFFF), ("i32.add",), ("drop",),
        ("block", "$exit", ((), ("i32", "i64"))),
        ("line", 3), ("i32.const", 3), ("i64.const", (1 << 64) - 1),
        ("local.get", "$c"), ("br_if", "$exit"),
        ("drop",), ("drop",), ("i32.const", 0), ("i64.const", -(1 << 63)),
        ("end",),
        ("line", 4),
    ]
    f = Func("$main", [("$c", "i32")], ["i32", "i64"], [("$tmp", "i64"), (None, "f64")],
             body, export="main")
    imp = Import("wasi_snapshot_preview1", "proc_exit", "$proc_exit", ["i32"], [])
    return Module(imports=[imp], funcs=[f],
                  globals=[Global("$g", "f64", True, 0.1, export="g"),
                           Global("$h", "i64", False, 0xFFFFFFFFFFFFFFFF)],
                  memory=Memory(1, 2, export="memory"),
                  data=[Data(8, bytes(range(256)) + '"\\é'.encode())],
                  exports=[("main2", "func", "$main"), ("mem2", "memory", "$mem")])


def test_printed_ir_reassembles_identically():
    m = codegen_like_module()
    text = print_module(m)
    assert ";; line 3" in text and text.rstrip().endswith(")")
    ours = encode(m).wasm
    ref = bytes(wasmtime.wat2wasm(text))
    for sid in (1, 2, 3, 5, 6, 10, 11):
        assert sections(ours)[sid] == sections(ref)[sid], f"section {sid} differs"
    # Indentation follows block depth.
    assert "\n      i32.const 3\n" in text
    # Printing is a fixpoint through our parser.
    assert encode(parse_fields(text).to_module()).wasm == ours


def test_trailing_line_marker_does_not_swallow_paren():
    f = Func("$f", [], [], [], [("nop",), ("line", 9)])
    text = print_module(Module(funcs=[f]))
    wasmtime.wat2wasm(text)


@pytest.mark.parametrize("x", [0.1, 1 / 3, 1e-310, 3.4e38, -1.0, math.nan])
def test_format_float_is_exact(x):
    for bits, fmt in ((64, "<d"), (32, "<f")):
        text = f'(module (func (export "f") (result {"f64" if bits == 64 else "f32"}) '
        text += f'({"f64" if bits == 64 else "f32"}.const {format_float(x, bits)})))'
        expected = encode(parse_fields(text).to_module()).wasm
        got = Inst(bytes(wasmtime.wat2wasm(text)))("f")
        want = Inst(expected)("f")
        assert struct.pack(fmt, got) == struct.pack(fmt, want) or (math.isnan(got) and math.isnan(want))


def test_nan_payload_printed():
    raw = (0x7FF0000000000001).to_bytes(8, "little")
    assert format_float(raw, 64) == "nan:0x1"
    m = Module(funcs=[Func("$f", [], ["i64"], [], [("f64.const", raw), ("i64.reinterpret_f64",)],
                           export="f")])
    assert Inst(bytes(wasmtime.wat2wasm(print_module(m))))("f") == 0x7FF0000000000001


def _calls(name: str) -> tuple:
    return ("call", name)


def test_reachable_funcs_keeps_only_reachable_in_order():
    def fn(name, calls=(), export=None):
        return Func(name, [], [], [], [_calls(c) for c in calls], export=export)
    funcs = [fn("$a", ["$b"]), fn("$unused", ["$a", "$x"]), fn("$b", ["$c", "$b"]), fn("$c", ["$y"]),
             fn("$exp", ["$d"], export="exp"), fn("$d"), fn("$dead2"), fn("$viaexport")]
    m = Module(imports=[Import("env", "x", "$x", [], []), Import("env", "y", "$y", [], [])], funcs=funcs,
               exports=[("ve", "func", "$viaexport")])
    out = reachable_funcs(m, {"$a"})
    assert [f.name for f in out.funcs] == ["$a", "$b", "$c", "$exp", "$d", "$viaexport"]
    assert [i.name for i in out.imports] == ["$y"]  # $x is only called by dead code
    assert len(m.funcs) == 8  # input untouched
    encode(out)  # still consistent
    with pytest.raises(KeyError, match="\\$nope"):
        reachable_funcs(m, {"$nope"})


def test_used_group_globals_are_kept_only_where_a_kept_function_reads_or_writes_them():
    funcs = [Func("$a", [], [], [], [("global.get", "$kid_A"), ("drop",), ("i32.const", 1), ("global.set", "$w")]),
             Func("$dead", [], [], [], [("global.get", "$kid_B"), ("drop",)])]
    m = Module(funcs=funcs, globals=[Global("$kid_A", "i32", False, 1, group="used"),
                                     Global("$kid_B", "i32", False, 2, group="used"),
                                     Global("$w", "i32", True, 0, group="used"),
                                     Global("$plain", "i32", False, 3)])
    out = reachable_funcs(m, {"$a"})
    assert [g.name for g in out.globals] == ["$kid_A", "$w", "$plain"]
    encode(out)
