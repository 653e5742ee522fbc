"""The JSON engine in C (runtime/c/json.c), called through the linked runtime.

Expected outputs in data/json_cases.json were recorded once from the reference
interpreter (`JSONBox.parse(text)` printed: the compact serde_json text, or the soft
`Error parsing JSON: ...` string); the property tests compare with a Python model of
serde_json's documented rules (number conversion, sorted keys, escapes, ryu floats).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from tests.runtime.c_harness import CRuntime

CASES = json.loads((Path(__file__).parent / "data" / "json_cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rt() -> CRuntime:
    return CRuntime()


def parse_and_write(rt: CRuntime, text: str) -> str:
    """What upstream's JSONBox.parse(text) prints: the JSON text or the soft error."""
    errp = rt.alloc(8)
    src = rt.make_str(text)
    root = rt.json_parse_str(src, errp)
    rt.release(5, src)
    if not root:
        msg = rt.read_i32(errp)
        out = "Error parsing JSON: " + rt.str_value(msg)
        rt.release(5, msg)
    else:
        s = rt.json_stringify(root)
        out = rt.str_value(s)
        rt.release(5, s)
        rt.json_free(root)
    rt.free(errp)
    return out


@pytest.mark.parametrize("text,expected", CASES, ids=[f"doc{i}" for i in range(len(CASES))])
def test_matches_reference_interpreter(rt, text, expected):
    assert parse_and_write(rt, text) == expected


# ---------------------------------------------------------------- a model of serde_json

_POW10 = [float(f"1e{i}") for i in range(309)]


def serde_f64(positive: bool, sig: int, exp: int) -> float:
    """serde_json's f64_from_parts (no float_roundtrip feature): inexact on purpose."""
    f = float(sig)
    while True:
        a = abs(exp)
        if a <= 308:
            f = f * _POW10[a] if exp >= 0 else f / _POW10[a]
            break
        if f == 0.0:
            break
        f /= 1e308
        exp += 308
    return f if positive else -f


def ryu(x: float) -> str:
    """ryu's format64 over the shortest digits (Python's repr has the same digits)."""
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    digits, exp = _shortest(abs(x))
    length = len(digits)
    kk = length + exp
    if 0 <= exp and kk <= 16:
        return sign + digits + "0" * (kk - length) + ".0"
    if 0 < kk <= 16:
        return sign + digits[:kk] + "." + digits[kk:]
    if -5 < kk <= 0:
        return sign + "0." + "0" * -kk + digits
    mant = digits[0] + ("." + digits[1:] if length > 1 else "")
    return f"{sign}{mant}e{kk - 1}"


def _shortest(x: float) -> tuple[str, int]:
    r = repr(x)
    mant, _, e = r.partition("e")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    exp = (int(e) if e else 0) - len(frac)
    stripped = digits.rstrip("0")
    exp += len(digits) - len(stripped)
    return stripped or "0", exp


def model_number(text: str) -> str:
    neg = text.startswith("-")
    body = text[1:] if neg else text
    if "." not in body and "e" not in body.lower():
        n = int(body)
        if not neg and n <= 2**64 - 1:
            return str(n)
        if neg and n <= 2**63:
            return "-0.0" if n == 0 else str(-n)
        if n <= 2**64 - 1:  # a negative u64 beyond i64: -(n as f64)
            return ryu(-float(n))
    mant, _, e = body.lower().partition("e")
    whole, _, frac = mant.partition(".")
    sig, exp = int(whole + frac), -len(frac) + (int(e) if e else 0)
    while sig >= 2**64:  # serde stops accumulating digits at u64 overflow
        sig //= 10
        exp += 1
    return ryu(serde_f64(not neg, sig, exp))


def model_string(s: str) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif o < 0x20:
            out.append({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}.get(o, f"\\u{o:04x}"))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def model_dump(v) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, tuple):  # ("num", source text)
        return model_number(v[1])
    if isinstance(v, str):
        return model_string(v)
    if isinstance(v, list):
        return "[" + ",".join(model_dump(x) for x in v) + "]"
    keys = sorted(v, key=lambda k: k.encode("utf-8"))
    return "{" + ",".join(model_string(k) + ":" + model_dump(v[k]) for k in keys) + "}"


def source(v) -> str:
    """The document text (spaces around tokens, numbers in their generated spelling)."""
    if isinstance(v, tuple):
        return v[1]
    if isinstance(v, list):
        return "[ " + " , ".join(source(x) for x in v) + " ]"
    if isinstance(v, dict):
        return "{" + ",\n".join(json.dumps(k) + ": " + source(x) for k, x in v.items()) + "}"
    return json.dumps(v)


def _num_text(draw_float: float | None, i: int | None, style: int) -> str:
    if i is not None:
        return str(i)
    return [repr(draw_float), f"{draw_float:.17e}", f"{draw_float:.6g}"][style]


numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**64 - 1).map(lambda i: ("num", str(i))),
    st.integers(min_value=-(10**30), max_value=10**30).map(lambda i: ("num", str(i))),
    st.tuples(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 2)).map(
        lambda t: ("num", _num_text(t[0], None, t[1]).replace("inf", "1"))),
)
strings = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
values = st.recursive(
    st.none() | st.booleans() | numbers | strings,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(strings, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_stringify_of_parse_follows_serde_json(rt, v):
    assert parse_and_write(rt, source(v)) == model_dump(v)


@settings(max_examples=300, deadline=None)
@given(values)
def test_output_parses_back_to_itself_for_exact_values(rt, v):
    """stringify∘parse is a fixpoint on its own output (ints, strings, structure; and
    floats, since ryu's shortest digits parse back exactly except where serde's
    inexact conversion moves them — checked against the model instead)."""
    once = parse_and_write(rt, source(v))
    twice = parse_and_write(rt, once)
    assert twice == model_dump(_reparse_model(once))


def _reparse_model(text: str):
    """The model's view of a compact document: numbers kept as their text."""
    return json.loads(text, parse_float=lambda s: ("num", s), parse_int=lambda s: ("num", s),
                      parse_constant=lambda s: ("num", s))


def test_recursion_limit_and_deep_structures(rt):
    assert parse_and_write(rt, "[" * 127 + "]" * 127) == "[" * 127 + "]" * 127
    assert parse_and_write(rt, "[" * 128 + "]" * 128) == "Error parsing JSON: recursion limit exceeded at line 1 column 128"
    assert parse_and_write(rt, '{"a":' * 127 + "1" + "}" * 127).startswith('{"a":{"a":')


def test_large_document_is_fast_and_frees_its_memory(rt):
    doc = json.dumps({f"k{i}": [i, i * 0.5, f"s{i}", None, True] for i in range(20000)})
    before = rt.memory_bytes()
    for _ in range(3):
        out = parse_and_write(rt, doc)
    assert out.startswith('{"k0":[0,0.0,"s0",null,true],"k1":[1,0.5,"s1",null,true],"k10":')
    first = rt.memory_bytes()
    for _ in range(5):
        parse_and_write(rt, doc)
    assert rt.memory_bytes() == first >= before


def test_exact_float_bits(rt):
    # serde's inexact conversion: 1.0000000000000002e-7 style cases match the model
    for text in ["0.1", "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308", "9007199254740993",
                 "1e23", "123456789012345678e-30", "4.35", "0.30000000000000004"]:
        assert parse_and_write(rt, text) == model_number(text), text
