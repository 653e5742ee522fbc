"""The runtime's fused multiply-add ($fl_fma in runtime/float.wat) is exact on both CPU
variants: f64x2.relaxed_madd, which the engines of runtime_stub/variants.py run in
relaxed SIMD's deterministic mode (fused everywhere: one instruction on x86-64-v3,
Cranelift's exact fma libcall on baseline). glibc's libm computes with single-rounded
fma, and exp/log/pow/sin/cos are built on it, so an unfused (twice rounded) result
would change printed floats. The function is taken from the runtime source, encoded
by our own WAT parser and encoder, compiled ahead of time for each variant and run."""
from __future__ import annotations

import random
import re
from fractions import Fraction

import pytest
import wasmtime

from nyash_build.runtime import load_sources
from nyash_build.wasm.encoder import encode
from nyash_build.wasm.wat_parser import parse_module
from runtime_stub import variants as V


def _fma_module() -> bytes:
    float_wat = dict(load_sources())["float.wat"]
    body = re.search(r"\(func \$fl_fma .*?\n\n", float_wat, re.S).group(0)
    text = f'(module {body} (export "fma" (func $fl_fma)))'
    return encode(parse_module(text)).wasm


def _exact(a: float, b: float, c: float) -> float:
    return float(Fraction(a) * Fraction(b) + Fraction(c))  # rounded once, to nearest even


CASES = [
    (1 + 2.0 ** -30, 1 - 2.0 ** -30, -1.0),     # unfused: 0.0; fused: -2^-60
    (0.1, 10.0, -1.0),                            # unfused: 0.0
    (3.0, 1 / 3, -1.0),
    (1e308, 2.0, -1.5e308),                       # the product alone overflows
    (-0.0, 5.0, 0.0),
]


@pytest.mark.parametrize("variant", V.VARIANTS)
def test_fused_on_every_variant(variant) -> None:
    if not V.cpu_supports(variant):
        pytest.skip(f"this CPU cannot run {variant} code")
    engine = wasmtime.Engine(V.engine_config(variant))
    module = wasmtime.Module.deserialize(engine, wasmtime.Module(engine, _fma_module()).serialize())
    store = wasmtime.Store(engine)
    fma = wasmtime.Instance(store, module, []).exports(store)["fma"]
    rng = random.Random(19)
    cases = CASES + [(rng.uniform(-4, 4), rng.uniform(-4, 4), rng.uniform(-16, 16)) for _ in range(2000)]
    for a, b, c in cases:
        got = fma(store, a, b, c)
        want = _exact(a, b, c)
        assert got == want and str(got) == str(want), (variant, a, b, c, got, want)
    assert fma(store, 1 + 2.0 ** -30, 1 - 2.0 ** -30, -1.0) == -(2.0 ** -60)
