"""Fuzzing the front end with broken input: mutated corpus programs, random token soup,
random bytes. Whatever the input, compiling either succeeds (and yields a valid wasm
module) or raises CompileError whose diagnostics all carry a real position; never any
other Python exception. A few mutated files also go through the CLI (exit 1, no
traceback)."""
from __future__ import annotations

import atexit
import random
import re
from functools import lru_cache

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from nyash_build.compiler.driver import compile_source
from nyash_build.compiler.lexer import decode_source
from nyash_build.diagnostics import CompileError
from tests.fuzz.harness import is_known_bug
from tests.fuzz.profiles import fuzz_settings
from tests.helpers import CORPUS, nyash

SOURCES = [p.read_bytes() for d in ("conformance", "spec-examples") for p in sorted((CORPUS / d).glob("*.nyash"))]
TOKENS = [b"(", b")", b"{", b"}", b"\n", b",", b".", b"=", b"==", b"!=", b"<=", b"+", b"-", b"*",
          b"/", b"%", b"not", b"and", b"or", b"if", b"else", b"loop", b"break", b"return", b"local",
          b"box", b"static", b"from", b"new", b"me", b"init", b"birth", b"function", b"try",
          b"catch", b"finally", b"throw", b"print", b"x", b"1", b'"s"', b'"', b"null", b"true",
          b"override", b"weak", b"public", b"private", b"ArrayBox", b"MapBox", b"FileBox",
          b"nowait", b"9223372036854775808", b"99999999999999999999", b"1.5", b"\\", b"#", b"//",
          b"1" * 5000, b"x" * 2000, b"\t", b"\r", b"\xc3\xa9", b"\xff", b"\x00", b"@", b"$", b";", b"[", b"]"]


# ---- mutation operators (each: draw, data -> data) -------------------------------------
def _pos(draw, data: bytes) -> int:
    return draw(st.integers(0, len(data)))


def _delete_span(draw, data: bytes) -> bytes:
    i = _pos(draw, data)
    return data[:i] + data[i + draw(st.integers(1, 8)):]


def _insert_token(draw, data: bytes) -> bytes:
    i = _pos(draw, data)
    return data[:i] + draw(st.sampled_from(TOKENS)) + data[i:]


def _insert_bytes(draw, data: bytes) -> bytes:
    i = _pos(draw, data)
    return data[:i] + draw(st.binary(min_size=1, max_size=6)) + data[i:]


def _truncate(draw, data: bytes) -> bytes:
    return data[:_pos(draw, data)]


def _lines_op(draw, data: bytes) -> bytes:
    lines = data.split(b"\n")
    a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    kind = draw(st.sampled_from(["delete", "duplicate", "swap"]))
    if kind == "delete":
        del lines[a]
    elif kind == "duplicate":
        lines.insert(b, lines[a])
    else:
        lines[a], lines[b] = lines[b], lines[a]
    return b"\n".join(lines)


def _swap_tokens(draw, data: bytes) -> bytes:
    words = re.split(rb"(\s+)", data)
    a, b = draw(st.integers(0, len(words) - 1)), draw(st.integers(0, len(words) - 1))
    words[a], words[b] = words[b], words[a]
    return b"".join(words)


def _swap_chars(draw, data: bytes) -> bytes:
    if len(data) < 2:
        return data
    i = draw(st.integers(0, len(data) - 2))
    return data[:i] + data[i + 1:i + 2] + data[i:i + 1] + data[i + 2:]


MUTATIONS = [_delete_span, _insert_token, _insert_bytes, _truncate, _lines_op, _swap_tokens, _swap_chars]


@st.composite
def mutated_programs(draw) -> bytes:
    data = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 5))):
        data = draw(st.sampled_from(MUTATIONS))(draw, data)
    return data


token_soup = st.lists(st.sampled_from(TOKENS + [b" ", b" ", b"\n", b"a", b"Point", b"0"]), max_size=80).map(b" ".join)


# ---- the property ------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _engine():
    import wasmtime
    atexit.register(_engine.cache_clear)  # free it before interpreter teardown
    return wasmtime.Engine()


def check_compiles_or_diagnoses(data: bytes) -> None:
    """The property: success with a valid module, or a positioned CompileError."""
    import wasmtime

    nlines = data.count(b"\n") + 1
    try:
        text = decode_source(data, "f.nyash")
        result = compile_source(text, "f.nyash")
    except CompileError as e:
        assert e.diagnostics, "CompileError without diagnostics"
        for d in e.diagnostics:
            assert d.file == "f.nyash"
            assert 1 <= d.line <= nlines, d
            assert d.col >= 1, d
            assert d.message.strip(), d
            assert "Traceback" not in d.message
        event("compile error")
        return
    except Exception as e:  # noqa: BLE001 - classified below
        if is_known_bug(e):
            event("known compiler bug (see harness.KNOWN_INTERNAL_ERRORS)")
            return
        raise
    wasmtime.Module.validate(_engine(), result.wasm)
    event("compiled")


@fuzz_settings(ci_examples=6000)
@given(mutated_programs())
def test_mutated_corpus_programs(data: bytes) -> None:
    check_compiles_or_diagnoses(data)


@fuzz_settings(ci_examples=2000)
@given(token_soup)
def test_random_token_sequences(data: bytes) -> None:
    check_compiles_or_diagnoses(data)


@fuzz_settings(ci_examples=1000)
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    check_compiles_or_diagnoses(data)


@fuzz_settings(ci_examples=1000)
@given(st.text(max_size=200))
def test_random_unicode_text(text: str) -> None:
    check_compiles_or_diagnoses(text.encode("utf-8", "surrogatepass"))


# ---- through the CLI ----------------------------------------------------------------------
def _cli_cases() -> list[bytes]:
    """Deterministic mutants that fail to compile (for the subprocess checks)."""
    rng = random.Random(9)
    out: list[bytes] = []
    while len(out) < 4:
        data = bytearray(rng.choice(SOURCES))
        for _ in range(3):
            i = rng.randrange(len(data) + 1)
            data[i:i] = rng.choice(TOKENS)
        try:
            compile_source(decode_source(bytes(data), "f.nyash"), "f.nyash")
        except CompileError:
            out.append(bytes(data))
        except Exception:  # noqa: BLE001 - a known bug case is not a useful CLI case
            pass
    out.append(b"\xff\xfe garbage \x00")
    return out


@pytest.mark.parametrize("command", ["check", "run"])
def test_cli_reports_diagnostics_without_traceback(tmp_path, command: str) -> None:
    for i, data in enumerate(_cli_cases()):
        src = tmp_path / f"m{i}.nyash"
        src.write_bytes(data)
        p = nyash(command, str(src), timeout=60)
        assert p.returncode == 1, (data, p.stderr)
        assert "Traceback" not in p.stderr and "internal compiler error" not in p.stderr
        assert re.search(rf"^{re.escape(str(src))}:\d+:\d+: \S", p.stderr, re.M), p.stderr
        assert p.stdout == ""
