"""The binary decoder (wasm/decoder.py): decoding then encoding keeps behaviour and
bytes, for wasmtime-assembled samples and for whole compiled Nyash programs; what the
IR cannot express is refused with a clear message."""
from __future__ import annotations

import struct

import pytest
import wasmtime

from nyash_build.compiler.driver import compile_source
from nyash_build.wasm.decoder import WasmDecodeError, decode
from nyash_build.wasm.encoder import encode

from .samples import SAMPLES
from .test_roundtrip import _behaviour
from .util import sections


@pytest.mark.parametrize("name,text,calls", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_decode_encode_keeps_behaviour(name, text, calls):
    ref = bytes(wasmtime.wat2wasm(text))
    ours = encode(decode(ref).module(), names=False).wasm
    assert _behaviour(ours, calls) == _behaviour(ref, calls)
    # decoding our own output gives the same bytes again (a fixpoint)
    assert encode(decode(ours).module(), names=False).wasm == ours
    assert sections(ours).get(11) == sections(ref).get(11)


@pytest.mark.parametrize("src", [
    "print(\"Hello\")\n",
    "static box Main {\n main() {\n local a = new ArrayBox()\n a.push(1.5)\n"
    " try { throw \"x\" } catch (Error e) { print(e) }\n print(a.get(0) + 2)\n }\n}\n",
])
def test_compiled_program_round_trips_byte_for_byte(src):
    wasm = compile_source(src, "p.nyash").wasm
    assert encode(decode(wasm).module(), names="functions").wasm == wasm


def test_names_and_exact_float_bits_are_kept():
    text = """(module
      (func $lonely (export "nan") (result f64) f64.const nan:0x4000000000001)
      (func (export "f32") (result f32) f32.const -nan:0x200001)
      (func (export "big") (result i64) i64.const -0x8000000000000000)
      (func (export "i32") (result i32) i32.const -2147483648))"""
    m = decode(bytes(wasmtime.wat2wasm(text)))
    nan = m.funcs[0]
    assert nan.name == "$lonely"
    assert nan.body == [("f64.const", struct.pack("<Q", 0x7FF4000000000001))]
    assert m.funcs[1].body == [("f32.const", struct.pack("<I", 0xFFA00001))]
    assert m.funcs[2].body == [("i64.const", -0x8000000000000000)]
    assert m.funcs[3].body == [("i32.const", -2147483648)]


def test_unsupported_input_is_refused_with_a_reason():
    with pytest.raises(WasmDecodeError, match="not a WebAssembly"):
        decode(b"\x00asm\x02\x00\x00\x00")
    fnptr = bytes(wasmtime.wat2wasm("""(module (type $t (func (result i32)))
      (table 1 funcref) (func $k (result i32) i32.const 1) (elem (i32.const 0) $k)
      (func $f (export "f") (result i32) i32.const 0 call_indirect (type $t)))"""))
    with pytest.raises(WasmDecodeError, match=r"function \$f: .*indirect call"):
        decode(fnptr)
    with pytest.raises(WasmDecodeError, match="unexpected end"):
        decode(bytes(wasmtime.wat2wasm("(module (func))"))[:-3])
