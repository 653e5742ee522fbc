"""Float printing, Float methods and MathBox methods of runtime/float.wat.

Printing is checked digit for digit against Python's repr (also shortest round-trip),
reformatted the way Rust's `{}` prints (no exponent, no ".0").  exp/log/pow must equal
Python's math module (glibc) exactly; sin/cos/tan are correctly rounded double-double
kernels, so they may only differ from glibc where glibc itself is not correctly rounded.
"""
from __future__ import annotations

import math
import random
import struct

import pytest

from nyash_build.runtime import load_sources
from nyash_build.runtime.float_tables import (MESSAGES, MSG_ADDR, MSG_SLOT, POW_TAB,
                                              generated_fragments)
from tests.runtime.harness import Runtime

FALLBACK_STR_NEW = """
  (global $fl_test_heap (mut i32) (i32.const 0x40000))
  (func $str_new (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $fl_test_heap))
    (global.set $fl_test_heap
      (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 15)) (i32.const -8)))
    (i32.store (local.get $p) (i32.const 1))
    (i32.store offset=4 (local.get $p) (local.get $n))
    (local.get $p))
"""


def _extra() -> str:
    """Our table fragment unless tables.py already includes it, plus a $str_new stub
    while strings.wat is not there."""
    sources = load_sources()
    names = {name for name, _ in sources}
    extra = "" if "float_tables" in names else generated_fragments()[0][1]
    if not any("(func $str_new" in text for _, text in sources):
        extra += FALLBACK_STR_NEW
    return extra


@pytest.fixture(scope="module")
def rt() -> Runtime:
    return Runtime(extra=_extra())


def rust_display(x: float) -> str:
    """Rust's `{}` for f64, derived from Python's shortest repr."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    r = repr(x)
    sign = "-" if r.startswith("-") else ""
    r = r.lstrip("-")
    mant, _, e = r.partition("e")
    ip, _, fp = mant.partition(".")
    digits = ip + fp
    point = len(ip) + int(e or 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    ds = stripped.rstrip("0")
    if not ds:
        return sign + "0"
    if point >= len(ds):
        return sign + ds + "0" * (point - len(ds))
    if point > 0:
        return sign + ds[:point] + "." + ds[point:]
    return sign + "0." + "0" * (-point) + ds


def fmt(rt: Runtime, x: float) -> str:
    return rt.str_value(rt.str_from_f64(x))


def bits_to_f(u: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", u))[0]


def f_to_bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def same(a: float, b: float) -> bool:
    return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))


# ------------------------------------------------------------------ printing
@pytest.mark.parametrize("x, text", [
    (0.0, "0"), (-0.0, "-0"), (100.0, "100"), (2.0 ** 62, "4611686018427388000"),
    (2.0 ** 64, "18446744073709552000"), (0.1, "0.1"), (2 ** 0.5, "1.4142135623730951"),
    (1e-7, "0.0000001"), (1.5, "1.5"), (-3.5, "-3.5"), (0.1 + 0.2, "0.30000000000000004"),
    (1e21, "1000000000000000000000"), (1e22, "10000000000000000000000"),
    (123456789.125, "123456789.125"), (2.0 ** 53 + 2, "9007199254740994"),
    (2.0 ** 53 - 1, "9007199254740991"), (float("inf"), "inf"), (float("-inf"), "-inf"),
    (float("nan"), "NaN"), (1e300, "1" + "0" * 300),
    (5e-324, "0." + "0" * 323 + "5"),
])
def test_known_printing(rt: Runtime, x: float, text: str) -> None:
    assert fmt(rt, x) == text


def test_extremes_match_repr(rt: Runtime) -> None:
    for x in (1.7976931348623157e308, -1.7976931348623157e308, 2.2250738585072014e-308,
              2.225073858507201e-308, 4.9406564584124654e-324, 9007199254740993.0):
        assert fmt(rt, x) == rust_display(x)


def test_random_bit_patterns_round_trip(rt: Runtime) -> None:
    rng = random.Random(1234)
    values = [bits_to_f(rng.getrandbits(64)) for _ in range(3000)]
    values += [rng.uniform(-1e6, 1e6) for _ in range(1000)]
    values += [float(rng.randint(-10 ** 17, 10 ** 17)) for _ in range(500)]
    values += [rng.randint(1, 99999) / 10 ** rng.randint(1, 12) for _ in range(500)]
    bad = [x for x in values if fmt(rt, x) != rust_display(x)]
    assert bad == []


def test_printed_text_parses_back(rt: Runtime) -> None:
    rng = random.Random(99)
    for _ in range(500):
        x = bits_to_f(rng.getrandbits(64))
        if math.isfinite(x):
            assert float(fmt(rt, x)) == x


# ------------------------------------------------------------------ Float methods
def f(rt: Runtime, name: str, x: float, *args: int):
    return rt.__getattr__(f"m_Float_{name}")(f_to_bits(x), *args)


def as_float(result) -> float:
    tag, payload = result
    assert tag == 4
    return bits_to_f(payload & (2 ** 64 - 1))


def test_float_to_integer(rt: Runtime) -> None:
    cases = [(2.7, 2), (-2.7, -2), (0.0, 0), (float("nan"), 0), (1e300, 2 ** 63 - 1),
             (-1e300, -2 ** 63), (float("inf"), 2 ** 63 - 1), (-9.223372036854775808e18, -2 ** 63)]
    for x, n in cases:
        assert list(f(rt, "toInteger", x)) == [3, n]


@pytest.mark.parametrize("x, floor, ceil, rnd", [
    (2.5, 2, 3, 3), (-2.5, -3, -2, -3), (0.49999999999999994, 0, 1, 0),
    (-0.4, -1, 0, 0), (1e300, 2**63 - 1, 2**63 - 1, 2**63 - 1), (3.0, 3, 3, 3),
    (float("nan"), 0, 0, 0),
])
def test_float_rounding(rt: Runtime, x: float, floor: int, ceil: int, rnd: int) -> None:
    """floor/ceil/round give integers (upstream: IntegerBox(x.floor() as i64))."""
    assert list(f(rt, "floor", x)) == [3, floor]
    assert list(f(rt, "ceil", x)) == [3, ceil]
    assert list(f(rt, "round", x)) == [3, rnd]


def test_float_misc_methods(rt: Runtime) -> None:
    assert as_float(f(rt, "sqrt", 2.0)) == math.sqrt(2.0)
    assert as_float(f(rt, "abs", -3.5)) == 3.5
    assert as_float(f(rt, "toFloat", 1.25)) == 1.25
    tag, ptr = f(rt, "toString", 0.1)
    assert tag == 5 and rt.str_value(ptr) == "0.1"
    assert as_float(f(rt, "max", 1.5, 3, 2)) == 2.0
    assert as_float(f(rt, "min", 1.5, 3, 2)) == 1.5
    assert as_float(f(rt, "pow", 2.0, 3, 10)) == 1024.0


# ------------------------------------------------------------------ MathBox
def num(x) -> tuple[int, int]:
    return (3, x) if isinstance(x, int) else (4, f_to_bits(x))


def m(rt: Runtime, name: str, *args):
    flat: list[int] = []
    for a in args:
        flat.extend(num(a))
    return rt.__getattr__(f"m_Math_{name}")(0, *flat)


def test_math_abs_max_min_keep_integers(rt: Runtime) -> None:
    assert list(m(rt, "abs", -5)) == [3, 5]
    assert list(m(rt, "abs", -2 ** 63)) == [3, -2 ** 63]  # wraps like the integer op
    assert as_float(m(rt, "abs", -2.5)) == 2.5
    assert list(m(rt, "max", 3, 7)) == [3, 7]
    assert list(m(rt, "min", 3, -7)) == [3, -7]
    assert as_float(m(rt, "max", 3, 7.5)) == 7.5
    assert as_float(m(rt, "min", 3.5, 7)) == 3.5
    assert as_float(m(rt, "max", float("nan"), 1.0)) == 1.0


def test_math_float_results_print_without_fraction(rt: Runtime) -> None:
    assert fmt(rt, as_float(m(rt, "pow", 2, 10))) == "1024"
    assert fmt(rt, as_float(m(rt, "pow", 2, 62))) == "4611686018427388000"
    assert fmt(rt, as_float(m(rt, "pow", 2, 64))) == "18446744073709552000"
    assert fmt(rt, as_float(m(rt, "sqrt", 16))) == "4"
    # floor/ceil/round are integers: an integer argument comes back unchanged
    assert list(m(rt, "floor", 7)) == [3, 7]
    assert list(m(rt, "round", 2.5)) == [3, 3]
    assert list(m(rt, "ceil", 2.1)) == [3, 3]
    assert list(m(rt, "floor", -2.5)) == [3, -3]


def _powi(a: float, b: int) -> float:
    """Rust f64::powi (LLVM __powidf2): square and multiply, rounding at each step."""
    recip, r = b < 0, 1.0
    while True:
        if b & 1:
            r *= a
        b = int(b / 2)
        if b == 0:
            break
        a *= a
    return 1 / r if recip else r


def test_math_pow_of_integers_is_powi(rt: Runtime) -> None:
    # upstream: MathBox.pow(int, int >= 0) is (b as f64).powi(e as i32)
    for b in list(range(-12, 13)) + [13, 99, 123456789, -1000003]:
        for e in range(0, 40):
            assert same(as_float(m(rt, "pow", b, e)), _powi(float(b), e)), (b, e)
    assert as_float(m(rt, "pow", 13, 17)) == 8650415919381339000.0  # math.pow: ...338000
    assert as_float(m(rt, "pow", 10, 23)) == 1e23
    assert as_float(m(rt, "pow", 2, -1)) == 0.5
    assert math.isnan(as_float(m(rt, "pow", -8, 1 / 3)))


def test_math_wrong_argument_kind_raises(rt: Runtime) -> None:
    for i, msg in enumerate(MESSAGES):
        addr = MSG_ADDR + MSG_SLOT * i
        assert rt.read_i32(addr) == -1 and rt.str_value(addr) == msg
    fresh = Runtime(extra=_extra())
    s = fresh.make_str("x")
    with pytest.raises(Exception):
        fresh.m_Math_sqrt(0, 5, s)
    err = fresh.stderr()
    assert err == "" or "MathBox.sqrt expects a number" in err


# ------------------------------------------------------------------ accuracy vs glibc
def _mismatches(fn, ref, xs):
    bad = []
    for x in xs:
        try:
            want = ref(x)
        except (ValueError, OverflowError):
            continue
        got = fn(x)
        if not same(got, want):
            bad.append((x, got, want))
    return bad


def test_exp_log_equal_glibc(rt: Runtime) -> None:
    rng = random.Random(7)
    xs = [rng.uniform(-745, 709) for _ in range(1500)] + [rng.uniform(-3, 3) for _ in range(1500)]
    xs += [rng.uniform(-1e-6, 1e-6) for _ in range(300)] + [0.0, 1.0, -1.0, 709.78, -745.1]
    assert _mismatches(rt.fl_exp, math.exp, xs) == []
    ls = [math.exp(rng.uniform(-700, 700)) for _ in range(1500)]
    ls += [rng.uniform(0.9, 1.1) for _ in range(1000)] + [rng.uniform(0, 1e5) for _ in range(1000)]
    ls += [5e-324, 1e-310, 1.0, 2.0, 10.0]
    assert _mismatches(rt.fl_log, math.log, ls) == []
    assert rt.fl_log(0.0) == float("-inf") and math.isnan(rt.fl_log(-1.0))
    assert rt.fl_exp(1000.0) == float("inf") and rt.fl_exp(-1000.0) == 0.0


def test_pow_equals_glibc(rt: Runtime) -> None:
    rng = random.Random(8)
    pairs = [(rng.uniform(0, 100), rng.uniform(-60, 60)) for _ in range(2000)]
    pairs += [(float(rng.randint(-30, 30)), float(rng.randint(-40, 40))) for _ in range(1000)]
    pairs += [(rng.uniform(-10, 10), float(rng.randint(-20, 20))) for _ in range(500)]
    bad = []
    for a, b in pairs:
        try:
            want = math.pow(a, b)
        except (ValueError, OverflowError, ZeroDivisionError):
            continue
        if not same(rt.fl_pow(a, b), want):
            bad.append((a, b))
    assert bad == []


@pytest.mark.parametrize("name", ["sin", "cos", "tan"])
def test_trig_matches_glibc(rt: Runtime, name: str) -> None:
    """Exact for all but rare cases; every mismatch must be glibc's rounding, not ours."""
    rng = random.Random(9)
    xs = [rng.uniform(-1e5, 1e5) for _ in range(2000)] + [rng.uniform(-7, 7) for _ in range(2000)]
    xs += [rng.uniform(-1e300, 1e300) for _ in range(300)] + [1e22, 2.0 ** 60, 1e7, 0.5, 1.0]
    bad = _mismatches(getattr(rt, f"fl_{name}"), getattr(math, name), xs)
    assert len(bad) <= len(xs) * 0.005, bad[:5]
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.prec = 200
    for x, got, want in bad:
        exact = getattr(mpmath, name)(mpmath.mpf(x))
        ulp = math.ulp(float(exact))
        assert abs(float((mpmath.mpf(got) - exact) / ulp)) <= 0.5 + 1e-9, (x, got, want)


def test_trig_specials(rt: Runtime) -> None:
    assert same(rt.fl_sin(-0.0), -0.0) and rt.fl_cos(0.0) == 1.0
    assert math.isnan(rt.fl_sin(float("inf"))) and math.isnan(rt.fl_tan(float("nan")))
    assert rt.fl_sin(1e-10) == 1e-10


# ------------------------------------------------------------------ tables
def test_pow_log_table_derivation() -> None:
    """logc/logctail are reproducible from invc (glibc's documented recipe)."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.prec = 300
    for invc, logc, tail in POW_TAB:
        lg = mpmath.log(1 / mpmath.mpf(float.fromhex(invc)))
        want_logc = float(mpmath.nint(lg * 2 ** 43) / 2 ** 43)
        assert float.fromhex(logc) == want_logc
        assert float.fromhex(tail) == float(lg - want_logc)
