"""WAT parser: literals, strings, structure, error positions, speed."""
from __future__ import annotations

import math
import time

import pytest

from nyash_build.wasm.module import Data, Global, Import, Memory
from nyash_build.wasm.wat_parser import (WatSyntaxError, parse_fields, parse_float,
                                         parse_int, parse_string)


def body_of(text: str) -> list[tuple]:
    return parse_fields(text).funcs[0].body


def test_fields_without_module_wrapper():
    fr = parse_fields(r'''
      ;; runtime style fragment
      (import "wasi_snapshot_preview1" "fd_write"
        (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (global $heap (mut i32) (i32.const 0x3_0000))
      (global $pi f64 (f64.const 3.5))
      (data (i32.const 0x10000) "ab" "\00\ff")
      (func $f (export "f") (param $a i32) (param i64 i32) (result i32 i64)
        (local $x i32) (local f64 f32)
        (local.get $a) (i64.const -1))
      (export "heap" (global $heap))
    ''', "frag.wat")
    assert fr.imports == [Import("wasi_snapshot_preview1", "fd_write", "$fd_write",
                                 [(None, "i32")] * 4, ["i32"])]
    assert fr.globals == [Global("$heap", "i32", True, 0x30000), Global("$pi", "f64", False, 3.5)]
    assert fr.data == [Data(0x10000, b"ab\x00\xff")]
    f = fr.funcs[0]
    assert (f.name, f.export, f.results) == ("$f", "f", ["i32", "i64"])
    assert f.params == [("$a", "i32"), (None, "i64"), (None, "i32")]
    assert f.locals == [("$x", "i32"), (None, "f64"), (None, "f32")]
    assert f.body == [("local.get", "$a"), ("i64.const", -1)]
    assert fr.exports == [("heap", "global", "$heap")]
    assert fr.memory is None


def test_full_module_with_memory():
    fr = parse_fields('(module $m (memory (export "memory") 2 100) (func $g))')
    assert fr.memory == Memory(2, 100, "memory")
    assert fr.funcs[0].body == []


def test_folded_and_flat_produce_same_code():
    folded = body_of('''(func $f (param $a i32) (result i32)
      (if (result i32) (i32.eqz (local.get $a))
        (then (i32.const 1))
        (else (block $b (result i32) (br $b (i32.const 2)))))
      (loop $l (br_if $l (i32.const 0))))''')
    flat = body_of('''(func $f (param $a i32) (result i32)
      local.get $a i32.eqz
      if (result i32) i32.const 1
      else block $b (result i32) i32.const 2 br $b end $b
      end
      loop $l i32.const 0 br_if $l end)''')
    assert folded == flat
    assert folded[2] == ("if", None, "i32")
    assert folded[5] == ("block", "$b", "i32")


def test_block_types_and_memargs():
    body = body_of('''(func
      (block (param i32 i64) (result i64) (drop))
      (loop $l (result f32 f64))
      (i64.load offset=0x10 align=4 (i32.const 0))
      i32.store8 offset=1_000
      f64.load
      (select (result i32))
      memory.size memory.grow 0 memory.copy memory.fill)''')
    assert body[0] == ("block", None, (("i32", "i64"), ("i64",)))
    assert body[3] == ("loop", "$l", ((), ("f32", "f64")))
    assert body[6] == ("i64.load", 16, 2)
    assert body[7] == ("i32.store8", 1000, None)
    assert body[8] == ("f64.load", 0, None)
    assert body[9] == ("select", "i32")
    assert body[10:] == [("memory.size",), ("memory.grow",), ("memory.copy",), ("memory.fill",)]


def test_br_table_and_comments():
    body = body_of('''(func (; block (; nested ;) comment ;)
      block $a block $b ;; line comment with (parens
        (br_table $a $b 0 1 (i32.const 3))
      end end)''')
    assert body[2] == ("i32.const", 3)
    assert body[3] == ("br_table", ["$a", "$b", 0], 1)


@pytest.mark.parametrize("tok,value", [
    ("0", 0), ("-0", 0), ("+42", 42), ("1_000_000", 1000000), ("0xFF", 255),
    ("-0x8000_0000", -0x80000000), ("0xffffffffffffffff", (1 << 64) - 1),
])
def test_int_literals(tok, value):
    assert parse_int(tok) == value


@pytest.mark.parametrize("tok,value", [
    ("1.5", 1.5), ("-2", -2.0), ("1e10", 1e10), ("1_000.25E-2", 10.0025),
    ("0x1.8p3", 12.0), ("-0x10", -16.0), ("0x1p-1074", 5e-324), ("inf", math.inf),
    ("-inf", -math.inf), ("+1.", 1.0),
])
def test_float_literals(tok, value):
    assert parse_float(tok, 64) == value


def test_nan_literals():
    assert math.isnan(parse_float("nan", 64))
    assert math.copysign(1, parse_float("-nan", 64)) == -1
    assert parse_float("nan:0x4", 32) == b"\x04\x00\x80\x7f"
    raw = parse_float("-nan:0x1", 64)
    assert raw == (0xFFF0000000000001).to_bytes(8, "little")


def test_string_escapes():
    assert parse_string(r'"plain ascii"') == b"plain ascii"
    assert parse_string(r'"\t\n\r\"\'\\"') == b"\t\n\r\"'\\"
    assert parse_string(r'"\00\7f\80\ff\FF"') == b"\x00\x7f\x80\xff\xff"
    assert parse_string(r'"\u{263a}\u{1F600}\u{41}"') == "☺😀A".encode()
    assert parse_string('"caf\u00e9"') == "café".encode()


@pytest.mark.parametrize("text,line,col,fragment", [
    ("(func $f\n  i32.const 1\n  i32.bogus)", 3, 3, "unknown instruction 'i32.bogus'"),
    ("(func $f (param $a i33))", 1, 20, "expected a value type"),
    ("(func $f\n  (i32.add (local.get 0)", 2, 25, "found end of input"),
    ("(func $f i32.const 0x1g)", 1, 20, "expected an integer"),
    ("(func $f i32.const 0x1_0000_0000)", 1, 20, "out of range"),
    ("(table 1 funcref)", 1, 2, "unsupported module field 'table'"),
    ("(func $f)\n)", 2, 1, "unexpected ')'"),
    ('(data (i32.const 0) "abc)', 1, 21, "unexpected character"),
    ("(func $f (; never closed", 1, 10, "unterminated block comment"),
    ("(global $g (mut i32) (global.get $h))", 1, 23, "initialiser must be a constant"),
    ("(func $f\n\n    (if (i32.const 1) (i32.const 2)))", 3, 36, "expected '(then"),
    ("(import \"a\" \"b\" (global i32))", 1, 17, "only function imports"),
    ("(func i32.load align=3)", 1, 16, "power of two"),
])
def test_errors_have_positions(text, line, col, fragment):
    with pytest.raises(WatSyntaxError) as exc:
        parse_fields(text, "bad.wat")
    e = exc.value
    assert fragment in e.msg
    assert str(e).startswith(f"bad.wat:{line}:")
    assert (e.line, e.col) == (line, col), str(e)


def runtime_like_text(nfuncs: int) -> str:
    """Folded, commented WAT resembling the runtime sources."""
    parts = []
    for i in range(nfuncs):
        parts.append(f'''
;; helper {i}: sums a range, with folded and flat code
(func $helper_{i} (param $p i32) (param $n i64) (result i32 i64)
  (local $i i64) (local $acc i64)
  (local.set $i (i64.const 0))
  (block $done
    (loop $top
      (br_if $done (i64.ge_s (local.get $i) (local.get $n)))
      (local.set $acc
        (i64.add (local.get $acc)
                 (i64.load offset=8 align=8 (i32.add (local.get $p) (i32.const 0x10)))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $top)))
  (if (i64.lt_s (local.get $acc) (i64.const 0))
    (then (return (i32.const 3) (i64.const -1))))
  local.get $p
  local.get $acc
  i64.const 0x7fff_ffff
  i64.and)''')
    return "\n".join(parts)


def test_parse_time_is_linear():
    """Parsing stays linear in the text size (the runtime is parsed on every compile);
    5,000 lines against 500, so the check holds on a loaded machine too."""
    small, text = runtime_like_text(28), runtime_like_text(280)
    assert text.count("\n") >= 5000
    t_small = min(_timed(lambda: parse_fields(small, "small.wat")) for _ in range(5))
    t_big = min(_timed(lambda: parse_fields(text, "big.wat")) for _ in range(5))
    assert t_big < 40 * max(t_small, 0.002), (t_small, t_big)  # 10x input: linear ~10x
    assert len(parse_fields(text).funcs) == 280


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
