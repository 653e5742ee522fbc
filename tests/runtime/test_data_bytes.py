"""BufferBox and StreamBox in C (runtime/c/data_bytes.c), called through the linked
runtime: the byte store shared by share_reference and its holder count, upstream's
index clamping, the stream's position. Whole programs: tests/world/test_buffer_stream.py."""
from __future__ import annotations

import pytest

from tests.runtime.c_harness import CRuntime

T_INT, T_STR, T_ARR, T_BOX = 3, 5, 6, 10


@pytest.fixture(scope="module")
def rt() -> CRuntime:
    return CRuntime(roots=("$arr_push_v", "$new_Stream"))


def ints(rt: CRuntime, *values: int) -> int:
    a = rt.arr_new()
    for v in values:
        rt.arr_push_v(a, T_INT, v)
    return a


def text(rt: CRuntime, v) -> str:
    """The string form of a returned value (released)."""
    tag, payload = v
    s = rt.to_string(tag, payload)
    out = rt.str_value(s)
    rt.release(5, s)
    rt.release(tag, payload)
    return out


def block(rt: CRuntime, b: int) -> tuple[int, int, int, int]:
    """(holders, length, capacity, bytes address) of a BufferBox's byte store."""
    p = rt.read_i32(b + 8)
    return tuple(rt.read_i32(p + 4 * i) for i in range(4))


def test_share_reference_counts_holders_and_drop_frees_with_the_last(rt):
    b = rt.new_Buffer()
    a = ints(rt, 1, 2, 300, 3)
    assert rt.m_Buffer_write(b, T_ARR, a) == [T_INT, 3]
    tag, s = rt.m_Buffer_share_reference(b, T_INT, 0)
    assert tag == T_BOX and s != b and rt.read_i32(s + 8) == rt.read_i32(b + 8)
    assert block(rt, b)[:2] == (2, 3)
    assert rt.m_Buffer_is_shared_with(b, T_BOX, s) == [2, 1]
    assert rt.m_Buffer_is_shared_with(b, T_ARR, a) == [2, 0]
    rt.drop_Buffer(b)                       # one holder left: the store stays
    assert block(rt, s)[:2] == (1, 3)
    assert text(rt, rt.m_Buffer_readAll(s)) == "[1, 2, 3]"
    rt.drop_Buffer(s)
    rt.release(T_ARR, a)


@pytest.mark.parametrize("lo,hi,want", [(0, 3, "[1, 2, 3]"), (1, 2, "[2]"), (2, 99, "[3]"), (3, 3, "[]"),
                                        (-1, 3, "[]"), (-1, 2, "Error: invalid slice range"), (0, -1, "[1, 2, 3]"),
                                        (2, 1, "Error: invalid slice range"), (-5, -1, "[]")])
def test_slice_clamps_like_upstreams_usize_cast(rt, lo, hi, want):
    b = rt.new_Buffer()
    a = ints(rt, 1, 2, 3)
    rt.m_Buffer_write(b, T_ARR, a)
    tag, v = rt.m_Buffer_slice(b, T_INT, lo, T_INT, hi)
    if tag == T_BOX:
        got = text(rt, rt.m_Buffer_readAll(v))
        rt.drop_Buffer(v)
        rt.free(v)
    else:
        got = text(rt, (tag, v))
    assert got == want
    rt.drop_Buffer(b)
    rt.release(T_ARR, a)


def test_read_removes_from_the_front_and_append_to_itself_doubles(rt):
    b = rt.new_Buffer()
    a = ints(rt, *range(10))
    rt.m_Buffer_write(b, T_ARR, a)
    assert text(rt, rt.m_Buffer_read(b, T_INT, 4)) == "[0, 1, 2, 3]"
    assert rt.m_Buffer_length(b) == [T_INT, 6]
    assert rt.m_Buffer_append(b, T_BOX, b) == [T_INT, 12]
    assert text(rt, rt.m_Buffer_readAll(b)) == "[4, 5, 6, 7, 8, 9, 4, 5, 6, 7, 8, 9]"
    assert rt.m_Buffer_memory_footprint(b) == [T_INT, 52]
    rt.drop_Buffer(b)
    rt.release(T_ARR, a)


def test_stream_reads_from_its_position(rt):
    st = rt.new_Stream()
    s = rt.make_str("héllo")
    assert text(rt, rt.m_Stream_write(st, T_STR, s)) == "ok"
    tag, r = rt.m_Stream_read(st, T_INT, 2)
    assert text(rt, rt.m_Buffer_readAll(r)) == "[104, 195]"
    rt.drop_Buffer(r)
    rt.free(r)
    assert rt.m_Stream_position(st) == [T_INT, 2] and rt.m_Stream_length(st) == [T_INT, 6]
    assert rt.str_value(rt.tostr_Stream(st)) == "NyashStreamBox(6 bytes, pos: 2)"
    tag, r = rt.m_Stream_read(st, T_INT, 1 << 40)
    assert text(rt, rt.m_Buffer_readAll(r)) == "[169, 108, 108, 111]"
    rt.drop_Buffer(r)
    rt.free(r)
    assert text(rt, rt.m_Stream_reset(st)) == "ok" and rt.m_Stream_position(st) == [T_INT, 0]
    rt.drop_Stream(st)
    rt.release(T_STR, s)
