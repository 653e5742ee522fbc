"""Tests for runtime/core.wat: allocator, reference counting, output, errors."""
from __future__ import annotations

import pytest
import wasmtime

from nyash_build.runtime.tables import address_of
from tests.runtime.harness import Runtime

# Test-only accessors for the runtime's private globals, plus an in-wasm stress loop
# (calling alloc/free 1e5 times from Python would be slow).
EXTRA = """
  (func $t_set_try (param $d i32) (global.set $try_depth (local.get $d)))
  (func $t_exc_pending (result i32) (global.get $exc_pending))
  (func $t_exc_tag (result i32) (global.get $exc_tag))
  (func $t_exc_val (result i64) (global.get $exc_val))
  (func $t_heap_top (result i32) (global.get $heap_top))
  (func $t_stress (param $n i32)
    (local $a i32) (local $b i32) (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $a (call $alloc (i32.and (local.get $n) (i32.const 255))))
        (local.set $b (call $alloc (i32.const 3000)))
        (local.set $c (call $alloc (i32.const 100000)))
        (call $free (local.get $b))
        (call $free (local.get $a))
        (call $free (local.get $c))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))
"""


@pytest.fixture
def rt() -> Runtime:
    return Runtime(EXTRA)


def rc(rt: Runtime, p: int) -> int:
    return rt.read_i32(p)


# ------------------------------------------------------------------ allocator
def test_alloc_is_aligned_and_above_heap_base(rt: Runtime) -> None:
    ptrs = [rt.alloc(n) for n in (1, 7, 8, 9, 24, 100, 1000, 70000)]
    assert all(p % 8 == 0 and p >= 0x30000 for p in ptrs)
    assert len(set(ptrs)) == len(ptrs)


def test_freed_block_is_reused_by_same_class(rt: Runtime) -> None:
    p = rt.alloc(24)
    rt.free(p)
    assert rt.alloc(20) == p          # same size class (32-byte blocks)
    q = rt.alloc(24)
    assert q != p


def test_size_class_boundary(rt: Runtime) -> None:
    """65528 bytes (+8 header) is the largest small block; one byte more is a large one."""
    p = rt.alloc(65528)
    guard = rt.alloc(16)
    rt.free(p)
    assert rt.alloc(65000) == p       # the 64 KiB class's free list
    q = rt.alloc(65529)
    rt.alloc(16)
    rt.free(q)
    assert rt.read_i32(q - 8) == 69632  # rounded to 4 KiB, on the large free list
    assert rt.alloc(65529) == q
    rt.free(guard)


def test_blocks_do_not_overlap(rt: Runtime) -> None:
    ptrs = [(rt.alloc(n), n) for n in (8, 24, 56, 120, 5000)]
    for i, (p, n) in enumerate(ptrs):
        rt.memory.write(rt.store, bytes([i + 1]) * n, p)
    for i, (p, n) in enumerate(ptrs):
        assert rt.read_bytes(p, n) == bytes([i + 1]) * n


def test_memory_stable_over_many_cycles(rt: Runtime) -> None:
    rt.t_stress(1000)
    size = rt.memory_bytes()
    top = rt.t_heap_top()
    rt.t_stress(100_000)
    assert rt.memory_bytes() == size
    assert rt.t_heap_top() == top


def test_large_allocation_grows_memory(rt: Runtime) -> None:
    before = rt.memory_bytes()
    p = rt.alloc(5_000_000)
    assert rt.memory_bytes() >= p + 5_000_000 > before
    rt.memory.write(rt.store, b"x" * 16, p + 5_000_000 - 16)
    rt.free(p)
    assert rt.alloc(5_000_000) == p    # freed at the heap top: reused


def test_large_free_list_reuse(rt: Runtime) -> None:
    p = rt.alloc(200_000)
    guard = rt.alloc(16)              # keeps p away from the heap top
    rt.free(p)
    assert rt.alloc(150_000) == p
    assert guard


def test_large_free_list_is_best_fit(rt: Runtime) -> None:
    """Doubling tables freed in order must each be reused by the same size next round."""
    blocks = []
    for size in (130_000, 260_000, 520_000):
        blocks.append(rt.alloc(size))
        rt.alloc(16)                  # guard: not at the heap top
    for p in blocks:
        rt.free(p)
    top = rt.t_heap_top()
    assert [rt.alloc(size) for size in (130_000, 260_000, 520_000)] == blocks
    assert rt.t_heap_top() == top


def test_small_blocks_are_carved_from_freed_large_blocks(rt: Runtime) -> None:
    """A small class with an empty free list takes its blocks from the most recently
    freed large block (its first 64 KiB; the rest stays a free large block) before the
    heap grows; the blocks do not overlap and what is left goes onto the free lists."""
    p = rt.alloc(300_000)
    guard = rt.alloc(16)
    rt.free(p)
    top = rt.t_heap_top()
    small = [rt.alloc(1000) for _ in range(70)]      # 70 KiB: more than one region
    assert all(p <= q < p + 300_000 for q in small[:60])
    assert rt.t_heap_top() == top
    for i, q in enumerate(small):
        rt.memory.write(rt.store, bytes([i + 1]) * 1000, q)
    for i, q in enumerate(small):
        assert rt.read_bytes(q, 1000) == bytes([i + 1]) * 1000
    r = rt.alloc(150_000)                             # the rest of the freed block
    assert p < r < p + 300_000 and all(not (r <= q < r + 150_000) for q in small)
    assert rt.t_heap_top() == top
    assert guard


def test_realloc_keeps_contents(rt: Runtime) -> None:
    p = rt.alloc(40)
    rt.memory.write(rt.store, bytes(range(40)), p)
    q = rt.realloc(p, 400)
    assert rt.read_bytes(q, 40) == bytes(range(40))
    assert rt.realloc(q, 100) == q    # still fits


def test_realloc_grows_top_block_in_place(rt: Runtime) -> None:
    p = rt.alloc(100_000)
    assert rt.realloc(p, 400_000) == p
    assert rt.realloc(p, 1_000_000) == p


def test_out_of_memory_is_fatal(rt: Runtime) -> None:
    with pytest.raises(wasmtime.ExitTrap) as info:
        rt.alloc(0x7FFF0000)
    assert info.value.code == 1
    assert rt.stderr() == "Runtime error: out of memory\n"
    assert rt.exports["nyash_error_reported"].value(rt.store) == 1


def test_out_of_memory_after_many_allocations(rt: Runtime) -> None:
    with pytest.raises(wasmtime.ExitTrap):
        for _ in range(100):
            rt.alloc(0x1000_0000)      # 256 MiB each; the module maximum is 1 GiB
    assert "out of memory" in rt.stderr()


# ------------------------------------------------------------------ reference counting
def test_retain_release_counts_and_free(rt: Runtime) -> None:
    s = rt.make_str("hello")
    rt.retain(5, s)
    assert rc(rt, s) == 2
    rt.release(5, s)
    assert rc(rt, s) == 1
    rt.release(5, s)
    assert rt.str_new(5) == s          # block went back to the free list


def test_non_heap_tags_ignored(rt: Runtime) -> None:
    s = rt.make_str("abc")
    for tag in (0, 1, 2, 3, 4, 11, 12, 13):
        rt.retain(tag, s)
        rt.release(tag, s)
    assert rc(rt, s) == 1


def test_immortal_strings_ignored(rt: Runtime) -> None:
    lit = address_of("true")
    before = rt.read_bytes(lit, 12)
    rt.retain(5, lit)
    rt.release(5, lit)
    rt.release(5, lit)
    assert rt.read_bytes(lit, 12) == before


def test_error_box_owns_message(rt: Runtime) -> None:
    s = rt.make_str("boom")
    e = rt.err_new(s)
    assert rc(rt, e) == 1 and rt.read_i32(e + 4) == s and rc(rt, s) == 2
    rt.release(8, e)
    assert rc(rt, s) == 1


def test_instance_layout_and_release(rt: Runtime) -> None:
    a = rt.inst_new(7, 2)
    b = rt.inst_new(7, 0)
    assert [rt.read_i32(a + k) for k in (0, 4, 12, 16)] == [1, 7, 0, 2]
    assert rt.read_i32(b + 8) == rt.read_i32(a + 8) + 1 >= 2
    assert rt.read_i32(a + 24) == 13 and rt.read_i32(a + 40) == 13
    s = rt.make_str("field")
    rt.retain(5, s)
    rt.memory.write(rt.store, (5).to_bytes(4, "little"), a + 24)
    rt.memory.write(rt.store, s.to_bytes(8, "little"), a + 32)
    rt.release(9, a)
    assert rc(rt, s) == 1


# ------------------------------------------------------------------ output
def write_text(rt: Runtime, text: str, fn: str = "out_write") -> None:
    s = rt.make_str(text)
    getattr(rt, fn)(s + 8, len(text.encode()))


def test_stdout_is_buffered_until_flush(rt: Runtime) -> None:
    write_text(rt, "one\n")
    write_text(rt, "two\n")
    assert rt.stdout_path.read_text() == ""
    assert rt.stdout() == "one\ntwo\n"


def test_stderr_flushes_stdout_first(rt: Runtime) -> None:
    write_text(rt, "before")
    write_text(rt, "err!", "err_write")
    assert rt.stdout_path.read_text() == "before"
    assert rt.stderr() == "err!"


def test_big_writes_keep_order(rt: Runtime) -> None:
    write_text(rt, "head|")
    big = "x" * 70_000
    write_text(rt, big)
    for i in range(2000):
        write_text(rt, f"{i:05d}")
    assert rt.stdout() == "head|" + big + "".join(f"{i:05d}" for i in range(2000))


# ------------------------------------------------------------------ errors
def test_fatal_exits_with_status_1(rt: Runtime) -> None:
    write_text(rt, "printed\n")
    with pytest.raises(wasmtime.ExitTrap) as info:
        rt.fatal(rt.make_str("Division by zero"))
    assert info.value.code == 1
    assert rt.stdout_path.read_text() == "printed\n"
    assert rt.stderr() == "Runtime error: Division by zero\n"


def test_fatal_in_trap_mode_traps(rt: Runtime) -> None:
    rt.exports["nyash_trap_mode"].set_value(rt.store, 1)
    with pytest.raises(wasmtime.Trap):
        rt.raise_error(rt.make_str("bad"))
    assert rt.stderr() == "Runtime error: bad\n"
    assert rt.exports["nyash_error_reported"].value(rt.store) == 1


def test_raise_error_inside_try_sets_pending(rt: Runtime) -> None:
    rt.t_set_try(1)
    msg = rt.make_str("oops")
    rt.raise_error(msg)
    assert rt.t_exc_pending() == 1 and rt.t_exc_tag() == 8
    e = rt.t_exc_val()
    assert rt.read_i32(e + 4) == msg and rc(rt, msg) == 2
    assert rt.stderr() == ""


def test_throw_error_box_as_is(rt: Runtime) -> None:
    rt.t_set_try(2)
    e = rt.err_new(rt.make_str("m"))
    rt.throw_value(8, e)
    assert rt.t_exc_val() == e and rc(rt, e) == 2


def test_throw_other_value_wraps_string_form(rt: Runtime) -> None:
    rt.t_set_try(1)
    rt.throw_value(3, 42)
    e = rt.t_exc_val()
    assert rt.str_value(rt.read_i32(e + 4)) == "42"


def test_uncaught_throw_is_fatal(rt: Runtime) -> None:
    with pytest.raises(wasmtime.ExitTrap):
        rt.throw_value(5, rt.make_str("boom"))
    assert rt.stderr() == "Runtime error: Uncaught exception: ErrorBox(boom)\n"
