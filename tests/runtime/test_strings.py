"""Tests for runtime/strings.wat: string primitives and String/Integer/Bool methods."""
from __future__ import annotations

import math
import re
import struct

import pytest
from hypothesis import given, settings, strategies as st

from nyash_build.runtime.tables import address_of
from tests.runtime.harness import Runtime

VOID, INT, FLOAT, STR, ARR = 0, 3, 4, 5, 6
RUST_WS = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) \
    + "\u2028\u2029\u202f\u205f\u3000"
EXTRA = """
  (func $t_set_try (param $d i32) (global.set $try_depth (local.get $d)))
  (func $t_exc_msg (result i32) (i32.load offset=4 (i32.wrap_i64 (global.get $exc_val))))
"""


_SHARED: list[Runtime] = []


def shared_rt() -> Runtime:
    """One runtime for the whole module (instantiating per hypothesis example is slow).

    Hypothesis tests call this instead of taking the fixture: hypothesis probes its first
    argument with hasattr, which the harness's __getattr__ answers with KeyError.
    """
    if not _SHARED:
        _SHARED.append(Runtime(EXTRA))
    return _SHARED[0]


@pytest.fixture
def rt() -> Runtime:
    return shared_rt()


def f64(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<q", bits))[0]


def f64_bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def call(rt: Runtime, method: str, text: str, *args: object) -> object:
    """Call $m_String_<method> on a fresh string; decode the result into Python."""
    flat: list[int] = []
    for a in args:
        if isinstance(a, str):
            flat += [STR, rt.make_str(a)]
        elif isinstance(a, float):
            flat += [FLOAT, f64_bits(a)]
        else:
            flat += [INT, int(a)]
    tag, payload = getattr(rt, f"m_String_{method}")(rt.make_str(text), *flat)
    return decode(rt, tag, payload)


def decode(rt: Runtime, tag: int, payload: int) -> object:
    if tag == STR:
        return rt.str_value(payload)
    if tag == INT:
        return payload
    if tag == FLOAT:
        return f64(payload)
    if tag == VOID:
        return None
    if tag == ARR:
        n, buf = rt.read_i32(payload + 4), rt.read_i32(payload + 12)
        return [decode(rt, rt.read_i32(buf + 16 * i),
                       int.from_bytes(rt.read_bytes(buf + 16 * i + 8, 8), "little", signed=True))
                for i in range(n)]
    raise AssertionError(f"unexpected tag {tag}")


# ------------------------------------------------------------------ primitives
def test_concat_eq_cmp_hash(rt: Runtime) -> None:
    a, b = rt.make_str("héllo "), rt.make_str("wörld")
    assert rt.str_value(rt.str_concat(a, b)) == "héllo wörld"
    assert rt.str_eq(rt.make_str("same text!"), rt.make_str("same text!")) == 1
    assert rt.str_eq(rt.make_str("same text!"), rt.make_str("same text?")) == 0
    assert rt.str_eq(rt.make_str("a"), rt.make_str("ab")) == 0
    for x, y in [("10", "9"), ("abc", "abd"), ("ab", "abc"), ("b", "b"), ("", "a"), ("é", "z")]:
        want = (x.encode() > y.encode()) - (x.encode() < y.encode())
        assert rt.str_cmp(rt.make_str(x), rt.make_str(y)) == want
    assert rt.str_hash(rt.make_str("ab")) == rt.str_hash(rt.make_str("ab"))
    assert rt.str_len(rt.make_str("héllo")) == 6


def test_str_cmp_at_every_position_of_words_and_tails(rt: Runtime) -> None:
    """The comparison takes eight bytes at a time: a difference at every offset (both
    directions, bytes above 0x7F), prefixes of every length, equal strings."""
    base = bytes(range(0x61, 0x61 + 21))  # 21 ASCII letters
    for k in range(len(base)):
        for d in (1, -1, 0x80):
            y = bytearray(base)
            y[k] = (y[k] + d) % 256 if d != 0x80 else 0xC3
            x, yb = base, bytes(y)
            want = (x > yb) - (x < yb)
            ys = yb.decode("latin-1") if d == 0x80 else yb.decode()
            got = rt.str_cmp(rt.make_str(x.decode()), rt.make_str(ys if d != 0x80 else "é".join([x[:k].decode(), x[k + 1:].decode()])))
            if d != 0x80:
                assert got == want
            else:  # 0xC3 (first byte of é) sorts after any ASCII letter
                assert got == -1
        assert rt.str_cmp(rt.make_str(base[:k].decode()), rt.make_str(base.decode())) == -1
        assert rt.str_cmp(rt.make_str(base.decode()), rt.make_str(base[:k].decode())) == 1
        assert rt.str_cmp(rt.make_str(base[:k].decode()), rt.make_str(base[:k].decode())) == 0


def _str_hash(data: bytes) -> int:
    """Reference model of $str_hash (64-bit arithmetic, low 32 bits returned)."""
    m, k = 2**64 - 1, 0x9E3779B97F4A7C15
    n = len(data)
    h = ((n + 1) * k) & m
    if n <= 8:  # at most eight bytes: the bytes as one little-endian word
        h = ((h ^ int.from_bytes(data, "little")) * k) & m
        h = ((h ^ (h >> 33)) * 0xFF51AFD7ED558CCD) & m
        h = ((h ^ (h >> 33)) * 0xC4CEB9FE1A85EC53) & m
        return (h ^ (h >> 33)) & 0xFFFFFFFF
    full = n - n % 8
    for i in range(0, full, 8):
        h = ((h ^ int.from_bytes(data[i:i + 8], "little")) * k) & m
        h = ((h << 26) | (h >> 38)) & m
    t, p = 0, full
    for width in (4, 2, 1):
        if n % 8 & width:
            t = (t << (8 * width)) | int.from_bytes(data[p:p + width], "little")
            p += width
    h = ((h ^ t) * k) & m
    h = ((h ^ (h >> 33)) * 0xFF51AFD7ED558CCD) & m
    h = ((h ^ (h >> 33)) * 0xC4CEB9FE1A85EC53) & m
    return (h ^ (h >> 33)) & 0xFFFFFFFF


@pytest.mark.parametrize("text", ["", "a", "ab", "abc", "abcd", "abcde", "abcdefg", "abcdefgh",
                                  "abcdefghi", "k123456", "héllo wörld", "item999", "x" * 37,
                                  "y" * 13])
def test_str_hash_matches_its_model(rt: Runtime, text: str) -> None:
    assert rt.str_hash(rt.make_str(text)) & 0xFFFFFFFF == _str_hash(text.encode())


def test_str_hash_spreads_sequential_keys(rt: Runtime) -> None:
    # keys like "k123" differ in a few low bits of one word: the low 10 bits (a small
    # map's slot) and the bits above them (kept in index slots) both spread
    hashes = [_str_hash(f"k{n}".encode()) for n in range(4096)]
    assert len({h & 1023 for h in hashes}) > 600
    assert len({h >> 22 for h in hashes}) > 600
    assert rt.str_hash(rt.make_str("k4095")) & 0xFFFFFFFF == hashes[-1]


def test_str_eq_compares_every_byte_of_every_tail_length(rt: Runtime) -> None:
    for n in range(0, 20):
        base = "".join(chr(97 + i % 26) for i in range(n))
        assert rt.str_eq(rt.make_str(base), rt.make_str(base)) == 1
        for i in range(n):
            other = base[:i] + "#" + base[i + 1:]
            assert rt.str_eq(rt.make_str(base), rt.make_str(other)) == 0, (n, i)


@pytest.mark.parametrize("n", [0, 5, 9, 10, 99, 100, 101, 4294967295, 4294967296, -1, -100,
                               9223372036854775807, -9223372036854775808, 1000000000000000000])
def test_str_concat_i64(rt: Runtime, n: int) -> None:
    assert rt.str_value(rt.str_concat_i64(rt.make_str("k"), n)) == f"k{n}"
    assert rt.str_value(rt.str_concat_i64(rt.make_str(""), n)) == str(n)


def test_concat_with_empty_shares(rt: Runtime) -> None:
    a = rt.make_str("x")
    assert rt.str_concat(a, address_of("empty")) == a
    assert rt.read_i32(a) == 2


@pytest.mark.parametrize("n", [0, 7, -7, 10, 9223372036854775807, -9223372036854775808, 1234567890123,
                               99, 100, 4294967295, 4294967296, -4294967296, 10 ** 18, 10 ** 18 - 1])
def test_str_from_i64(rt: Runtime, n: int) -> None:
    assert rt.str_value(rt.str_from_i64(n)) == str(n)


def test_str_repeat(rt: Runtime) -> None:
    s = rt.make_str("ab")
    assert rt.str_value(rt.str_repeat(s, 3)) == "ababab"
    assert rt.str_value(rt.str_repeat(s, 0)) == ""
    assert rt.str_value(rt.str_repeat(s, -2)) == ""
    assert rt.str_value(rt.str_repeat(rt.make_str("xyz"), 1001)) == "xyz" * 1001


# ------------------------------------------------------------------ String methods
def test_length_counts_bytes(rt: Runtime) -> None:
    assert call(rt, "length", "héllo") == 6
    assert call(rt, "length", "") == 0


def test_substring_counts_characters(rt: Runtime) -> None:
    assert call(rt, "substring", "héllo wörld", 1, 4) == "éll"
    assert call(rt, "substring", "héllo", 2, 100) == "llo"
    assert call(rt, "substring", "héllo", 3, 3) == ""
    assert call(rt, "substring", "héllo", 4, 2) == ""
    # negative positions behave as upstream's usize conversion: start past the end,
    # end clamped to the length
    assert call(rt, "substring", "héllo", -3, 2) == ""
    assert call(rt, "substring", "héllo", 1, -1) == "éllo"
    assert call(rt, "substring", "日本語テキスト", 2, 5) == "語テキ"
    assert call(rt, "substring", "a😀b", 1, 2) == "😀"


def test_get_character(rt: Runtime) -> None:
    assert call(rt, "get", "héllo", 1) == "é"
    assert call(rt, "get", "héllo", 0) == "h"
    assert call(rt, "get", "héllo", 5) is None
    assert call(rt, "get", "héllo", -1) is None
    assert call(rt, "get", "", 0) is None


def test_find_byte_offsets(rt: Runtime) -> None:
    assert call(rt, "find", "héllo", "llo") == 3
    assert call(rt, "find", "hello", "z") == -1
    assert call(rt, "find", "hello", "") == 0
    assert call(rt, "find", "ab", "abc") == -1
    assert call(rt, "find", "aaab", "aab") == 1


def test_replace(rt: Runtime) -> None:
    assert call(rt, "replace", "a-b--c", "-", "+") == "a+b++c"
    assert call(rt, "replace", "hello", "l", "") == "heo"
    assert call(rt, "replace", "aaaa", "aa", "b") == "bb"
    assert call(rt, "replace", "abc", "x", "y") == "abc"
    assert call(rt, "replace", "héllo", "é", "ee") == "heello"
    assert call(rt, "replace", "aa", "a", "") == ""
    # empty pattern: Python/Rust semantics, inserted at every character boundary
    assert call(rt, "replace", "hé", "", "-") == "-h-é-"
    assert call(rt, "replace", "", "", "x") == "x"


def test_split(rt: Runtime) -> None:
    assert call(rt, "split", "a-b--c", "-") == ["a", "b", "", "c"]
    assert call(rt, "split", "abc", "") == ["", "a", "b", "c", ""]
    assert call(rt, "split", "héllo", "") == ["", "h", "é", "l", "l", "o", ""]
    assert call(rt, "split", "a, b, c", ", ") == ["a", "b", "c"]
    assert call(rt, "split", "", "-") == [""]
    assert call(rt, "split", "-x-", "-") == ["", "x", ""]


def test_trim_unicode_whitespace(rt: Runtime) -> None:
    assert call(rt, "trim", "  hi there \n") == "hi there"
    assert call(rt, "trim", RUST_WS + "é x é" + RUST_WS) == "é x é"
    assert call(rt, "trim", RUST_WS) == ""
    assert call(rt, "trim", "\x1fa\x1f") == "\x1fa\x1f"     # not whitespace in Rust
    assert call(rt, "trim", "") == ""


@pytest.mark.parametrize("text", [
    "Hello, World! 123", "àéîõüÿ ÀÉÎÕÜ ñÑ çÇ", "αβγδ ΑΒΓΔ ωΩ", "привет ПРИВЕТ ёЁ",
    "straße", "ǅungla", "ﬁx", "ŉ", "Ǆ ǆ", "aΐb",
])
def test_case_mapping_matches_python(rt: Runtime, text: str) -> None:
    assert call(rt, "toUpper", text) == text.upper()
    assert call(rt, "toLower", text) == text.lower()


def test_case_mapping_ascii_words_and_tails(rt: Runtime) -> None:
    """All-ASCII strings take the eight-bytes-at-a-time path: every byte value, at every
    position of a word and in the tail; the letters' neighbours ('@', '[', '`', '{')
    stay; a string without letters of the other case comes back as is."""
    every = "".join(map(chr, range(128)))
    for k in range(0, 21):
        for text in (every[k:k + 19], every[::-1][k:k + 13], "@[`{" * k, "aZ@[`{zA" * k + "q"[:k % 2]):
            assert call(rt, "toUpper", text) == text.upper()
            assert call(rt, "toLower", text) == text.lower()
    assert call(rt, "toUpper", every) == every.upper()
    assert call(rt, "toLower", "ALREADY UPPER 123") == "already upper 123"
    assert call(rt, "toUpper", "ALREADY UPPER 123") == "ALREADY UPPER 123"
    assert call(rt, "toUpper", "abcdefgh" * 3 + "é") == ("abcdefgh" * 3).upper() + "É"


def test_case_special(rt: Runtime) -> None:
    assert call(rt, "toUpper", "ß") == "SS"
    assert call(rt, "toLower", "İ") == "i̇"
    assert call(rt, "toLower", "ΟΔΟΣ") == "οδος"          # final sigma
    assert call(rt, "toLower", "ΣΑΣ ΣΟΦΟΣ.") == "σας σοφος."
    assert call(rt, "toLower", "Σ") == "σ"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x1FFFF, blacklist_categories=("Cs",),
                                      blacklist_characters="Σ")))
def test_case_mapping_property(text: str) -> None:
    rt = shared_rt()
    assert call(rt, "toUpper", text) == text.upper()
    assert call(rt, "toLower", text) == text.lower()


def test_to_integer(rt: Runtime) -> None:
    cases = {"42": 42, "-17": -17, "0": 0, "007": 7, "": 0, "-": 0, "12a": 0, " 1": 1,
             "+5": 5, "\t-3 ": -3, "+": 0, "+-1": 0, "- 1": 0, "1 2": 0, "1.5": 0, "9223372036854775807": 9223372036854775807,
             "-9223372036854775808": -9223372036854775808, "9223372036854775808": 0,
             "99999999999999999999": 0}
    for text, want in cases.items():
        assert call(rt, "toInteger", text) == want, text


def test_to_string_is_itself(rt: Runtime) -> None:
    s = rt.make_str("me")
    assert rt.m_String_toString(s) == [STR, s]
    assert rt.read_i32(s) == 2


def test_bad_argument_kind_raises(rt: Runtime) -> None:
    rt.t_set_try(1)
    try:
        assert rt.m_String_substring(rt.make_str("abc"), STR, rt.make_str("x"), INT, 2) == [0, 0]
        assert "substring" in rt.str_value(rt.t_exc_msg())
        assert rt.m_String_find(rt.make_str("abc"), INT, 1) == [0, 0]
        assert "find" in rt.str_value(rt.t_exc_msg())
    finally:
        rt.t_set_try(0)


# ------------------------------------------------------------------ hypothesis vs Python
text_st = st.text(alphabet="ab-é😀 ", max_size=12)


@settings(max_examples=200, deadline=None)
@given(text_st, st.text(alphabet="ab-é", max_size=3), st.text(alphabet="xé", max_size=2))
def test_find_replace_split_property(s: str, t: str, r: str) -> None:
    rt = shared_rt()
    assert call(rt, "find", s, t) == s.encode().find(t.encode())
    assert call(rt, "replace", s, t, r) == s.replace(t, r)
    if t:
        assert call(rt, "split", s, t) == s.split(t)


@settings(max_examples=200, deadline=None)
@given(text_st, st.integers(-5, 15), st.integers(-5, 15))
def test_substring_get_property(s: str, a: int, b: int) -> None:
    rt = shared_rt()
    b0 = len(s) if b < 0 else min(b, len(s))
    want = "" if a < 0 else (s[a:b0] if a < b0 else "")
    assert call(rt, "substring", s, a, b) == want
    assert call(rt, "get", s, a) == (s[a] if 0 <= a < len(s) else None)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="-+0123456789x \t", max_size=22))
def test_to_integer_property(s: str) -> None:
    # upstream: s.trim().parse::<i64>(), 0 when that fails
    rt = shared_rt()
    t = s.strip()
    want = int(t) if re.fullmatch(r"[-+]?[0-9]+", t) and -2**63 <= int(t) < 2**63 else 0
    assert call(rt, "toInteger", s) == want


# ------------------------------------------------------------------ Integer / Bool
def test_integer_methods(rt: Runtime) -> None:
    assert decode(rt, *rt.m_Integer_toString(-9223372036854775808)) == "-9223372036854775808"
    assert rt.m_Integer_abs(-5) == [INT, 5]
    assert rt.m_Integer_abs(-9223372036854775808) == [INT, -9223372036854775808]
    assert rt.m_Integer_max(3, INT, 9) == [INT, 9]
    assert rt.m_Integer_min(3, INT, 9) == [INT, 3]
    assert rt.m_Integer_max(3, FLOAT, f64_bits(3.5)) == [FLOAT, f64_bits(3.5)]
    assert rt.m_Integer_max(3, FLOAT, f64_bits(2.5)) == [INT, 3]
    assert rt.m_Integer_min(3, FLOAT, f64_bits(2.5)) == [FLOAT, f64_bits(2.5)]
    assert rt.m_Integer_toFloat(7) == [FLOAT, f64_bits(7.0)]


@pytest.mark.parametrize("n,e", [(2, 10), (2, 62), (2, 63), (-2, 63), (3, 40), (-3, 3), (0, 0),
                                 (7, 0), (2, -1), (4, -2), (0, -1), (10, 18), (10, 19), (-1, 2**63 - 1)])
def test_integer_pow_is_float_like_upstream(rt: Runtime, n: int, e: int) -> None:
    tag, bits = rt.m_Integer_pow(n, INT, e)
    assert tag == FLOAT
    got = f64(bits)
    want = math.inf if (n == 0 and e < 0) else math.pow(n, e)
    assert got == pytest.approx(want, rel=1e-15)
    if 0 <= e < 2**53 and abs(n ** e) < 2**63:
        assert got == float(n ** e)   # exact integer result, correctly rounded once


def test_bool_to_string(rt: Runtime) -> None:
    assert decode(rt, *rt.m_Bool_toString(1)) == "true"
    assert decode(rt, *rt.m_Bool_toString(0)) == "false"


LONG = ["x" * 37 + "needle" + "y" * 9, "ab" * 20 + "é" + "ab" * 5, "日本語" * 5 + "tail" * 4,
        "a😀b" * 7 + "plain ascii text here", "\x7f\x80" * 0 + "~" * 16 + "é" * 3 + "~" * 16,
        "0123456789abcdefghijklmnopqrstuvwxyz" * 2]


@pytest.mark.parametrize("s", LONG)
def test_word_at_a_time_find_and_substring(rt: Runtime, s: str) -> None:
    """find scans eight bytes at a time and substring skips eight ASCII characters at a
    time: every start, end and needle position across the word boundaries."""
    b = s.encode()
    for i in range(len(b)):
        for n in (1, 2, 3):
            t = b[i:i + n]
            try:
                text = t.decode()
            except UnicodeDecodeError:
                continue
            assert call(rt, "find", s, text) == b.find(t)
    assert call(rt, "find", s, "Q") == -1
    assert call(rt, "find", s, s + "!") == -1
    for a in range(0, len(s) + 2, 3):
        for e in range(a, len(s) + 3):
            assert call(rt, "substring", s, a, e) == s[a:e]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="abé😀 ", min_size=8, max_size=60), st.text(alphabet="abé", min_size=1, max_size=3),
       st.integers(0, 60), st.integers(0, 70))
def test_long_find_substring_property(s: str, t: str, a: int, e: int) -> None:
    rt = shared_rt()
    assert call(rt, "find", s, t) == s.encode().find(t.encode())
    assert call(rt, "substring", s, a, e) == (s[a:e] if a < e else "")


def test_character_position_cache(rt: Runtime) -> None:
    """substring/get on one string remember the last character position: forwards,
    backwards and jumping around give the same characters; a freed string's cached
    position is never used for a new string at the same address."""
    text = "aé日😀b" * 6 + "ascii tail ..........."
    s = rt.make_str(text)
    order = list(range(len(text))) + list(reversed(range(len(text)))) + [5, 30, 2, 29, 44, 0, 44]
    for i in order:
        tag, p = rt.m_String_substring(s, INT, i, INT, i + 2)
        assert decode(rt, tag, p) == text[i:i + 2]
        tag, p = rt.m_String_get(s, INT, i)
        assert decode(rt, tag, p) == text[i]
    a = rt.make_str("ab" * 20)
    tag, p = rt.m_String_get(a, INT, 30)
    assert decode(rt, tag, p) == "a"
    rt.release(STR, a)
    b = rt.make_str("é" * 5 + "0123456789" * 3)
    assert b == a  # the freed block is reused: same address, same length
    tag, p = rt.m_String_get(b, INT, 32)
    assert decode(rt, tag, p) == "7"


def test_character_position_cache_ascii_prefix(rt: Runtime) -> None:
    """The cache's known ASCII prefix: positions inside it are bytes, the first
    non-ASCII character (at every offset within a word) ends it, and positions past it,
    backwards into it and jumping across it agree with Python; the prefix of a freed
    string is never used for a new one at the same address."""
    for cut in range(0, 20):
        text = "x" * cut + "é日" + "abcdefghij" * 2 + "😀" + "z" * 9
        s = rt.make_str(text)
        order = [len(text) - 1, 0, cut + 1, cut, cut - 1, 3, len(text) - 5, cut + 2, 1, len(text) + 3]
        order += list(range(len(text))) + list(reversed(range(len(text))))
        for i in order:
            tag, p = rt.m_String_get(s, INT, i)
            assert (decode(rt, tag, p) if tag != 0 else None) == (text[i] if 0 <= i < len(text) else None)
            for n in (1, 3, 40):
                tag, p = rt.m_String_substring(s, INT, i, INT, i + n)
                assert decode(rt, tag, p) == (text[i:i + n] if i >= 0 else "")
        rt.release(STR, s)
    a = rt.make_str("0123456789" * 4)
    tag, p = rt.m_String_get(a, INT, 35)
    assert decode(rt, tag, p) == "5"
    rt.release(STR, a)
    b = rt.make_str("é" * 20)
    assert b == a  # same block: the 40-byte ASCII prefix must be forgotten
    tag, p = rt.m_String_get(b, INT, 12)
    assert decode(rt, tag, p) == "é"
    tag, p = rt.m_String_substring(b, INT, 3, INT, 5)
    assert decode(rt, tag, p) == "éé"


def test_mcopy_is_memmove_for_every_short_length_and_overlap(rt: Runtime) -> None:
    """$mcopy (the strings' copy: words, then bytes, memory.copy beyond 32 bytes or
    when the destination starts inside the source) gives exactly what memmove gives,
    for every length around the word and the 32-byte limits and every overlap."""
    pattern = bytes(range(33, 33 + 90))
    for n in [*range(0, 18), 23, 24, 25, 31, 32, 33, 40]:
        for shift in range(-10, 11):
            buf = rt.make_str(pattern.decode("ascii")) + 8
            src, dst = buf + 20, buf + 20 + shift
            rt.mcopy(dst, src, n)
            want = bytearray(pattern)
            want[20 + shift:20 + shift + n] = pattern[20:20 + n]
            assert rt.read_bytes(buf, len(pattern)) == bytes(want), (n, shift)
