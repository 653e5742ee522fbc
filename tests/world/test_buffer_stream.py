"""BufferBox and StreamBox (issue 15) through `nyash run` and as a built executable:
upstream's return values, soft `Error: ...` strings and printed forms (the upstream
parts of the programs were compared with the reference interpreter, which prints the
same up to the lines the programs mark), state that persists (spec row 22), runtime
errors where upstream panics, and no memory growth."""
from __future__ import annotations

from tests.world.conftest import same
from tests.world.test_time_random import measure

BUFFER_OUT = """\
BufferBox(0 bytes)
40
3
[72, 105, 33]
3 43
Error: write() requires ArrayBox of integers, got StringBox
Error: write() requires ArrayBox of integers, got MapBox
Error: write() requires ArrayBox of integers, got InstanceBox
BufferBox(2 bytes)
[72, 105]
Error: invalid slice range
BufferBox(0 bytes)
[105, 33]
Error: slice() requires integer indices
5
Error: append() requires BufferBox
[72, 105]
[33, 72, 105]
[]
[33, 72, 105]
Error: read() requires integer count
0
3
true true true
false false
[0, 128, 255, 1, 2, 3]
true
false
ok
BufferBox(0 bytes)
true
[7, 8, 9, 10, 11, 12, 4, 5, 6]
true
BufferBox(9 bytes)
18
[7, 8, 9, 10, 11, 12, 4, 5, 6, 7, 8, 9, 10, 11, 12, 4, 5, 6]
"""

STREAM_OUT = """\
NyashStreamBox(0 bytes, pos: 0)
0 0
ok
ok
Error: write() requires BufferBox or StringBox
Error: write() requires BufferBox or StringBox
NyashStreamBox(8 bytes, pos: 0)
BufferBox(3 bytes)
[104, 195, 169]
3
[108, 108, 111, 33, 10]
BufferBox(0 bytes)
NyashStreamBox(8 bytes, pos: 8)
Error: read() requires integer count
ok
NyashStreamBox(8 bytes, pos: 0)
false
true
false
true
"""

ERRORS_OUT = """\
ErrorBox(read(): negative count: -1)
ErrorBox(read(): negative count: -9223372036854775807)
ErrorBox(Unknown method 'size' for BufferBox)
ErrorBox(Unknown method 'seek' for StreamBox)
ErrorBox(write() expects 1 argument, got 0)
ErrorBox(slice() expects 2 arguments, got 1)
ErrorBox(read() expects 1 argument, got 0)
ErrorBox(reset() expects 0 arguments, got 1)
ErrorBox(BufferBox constructor expects 0 arguments, got 1)
ErrorBox(StreamBox constructor expects 0 arguments, got 1)
ErrorBox(toString() expects 0 arguments, got 1)
BufferBox(0 bytes)
"""


def test_buffer_methods_soft_errors_and_persistence(world):
    same(world.run("buffer"), BUFFER_OUT)


def test_stream_writes_persist_and_reads_advance(world):
    same(world.run("stream"), STREAM_OUT)


def test_bad_calls_are_clear_runtime_errors(world):
    results = world.run("buffer_errors")
    same(results, ERRORS_OUT, code=1, stderr=None)
    report = "Runtime error: read(): negative count: -2\n  at <main> (buffer_errors.nyash:17)\n"
    for r in results:
        assert report in r.stderr, r.stderr
        assert "wasm" not in r.stderr and "trap" not in r.stderr, r.stderr


def test_buffer_and_stream_do_not_grow_memory_over_a_million_iterations():
    def loop(n: int) -> str:
        return f"""
local i = 0
local total = 0
local bytes = new ArrayBox()
bytes.push(1)
bytes.push(2)
bytes.push(3)
loop(i < {n}) {{
    local b = new BufferBox()
    b.write(bytes)
    local s = b.share_reference(b)
    local c = s.slice(1, 3)
    total = total + c.length() + b.append(c) + b.read(1).length() + b.readAll().length() + b.memory_footprint()
    total = total + b.write("x").length() + b.slice(3, 1).length() + b.clear().length()
    if b.is_shared_with(s) {{ total = total + 1 }}
    if b == c {{ total = total + 1 }}
    total = total + b.toString().length()
    local st = new StreamBox()
    st.write("hello")
    st.write(c)
    total = total + st.read(3).length() + st.position() + st.length() + st.toString().length()
    st.reset()
    try {{ st.read(-1) }} catch (Error e) {{ total = total + 1 }}
    try {{ b.read(-1) }} catch (Error e) {{ total = total + 1 }}
    i = i + 1
}}
print(total)
"""
    small_out, small = measure(loop(2000))
    big_out, big = measure(loop(1_000_000))
    assert (small_out, big_out) == (f"{2000 * 208}\n", f"{1_000_000 * 208}\n")
    assert big == small


def test_shared_store_outlives_either_holder_and_is_freed_with_the_last():
    """share_reference: the byte store is counted by its BufferBoxes; dropping the
    original leaves the share working, and dropping both frees it (no growth)."""
    def loop(n: int) -> str:
        return f"""
static box Main {{
    share(n) {{
        local b = new BufferBox()
        local bytes = new ArrayBox()
        bytes.push(n % 256)
        b.write(bytes)
        return b.share_reference(null)
    }}
    main() {{
        local i = 0
        local total = 0
        loop(i < {n}) {{
            local s = me.share(i)
            s.write(s.readAll())
            total = total + s.length() + s.readAll().get(1)
            local t = s.share_reference(s)
            s = null
            t.clear()
            total = total + t.length()
            i = i + 1
        }}
        print(total)
    }}
}}
"""
    small_out, small = measure(loop(2000))
    big_out, big = measure(loop(300_000))
    assert small_out == f"{sum(2 + i % 256 for i in range(2000))}\n"
    assert big_out == f"{sum(2 + i % 256 for i in range(300_000))}\n"
    assert big == small
