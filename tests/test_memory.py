"""Memory management seen from whole programs: reference counting frees temporaries,
freed memory is reused, and unbounded allocation stops with a clear error."""
from __future__ import annotations

import wasmtime

from nyash_build.compiler.driver import compile_source
from tests.helpers import nyash

MiB = 1024 * 1024


def run_and_measure(src: str) -> tuple[str, int]:
    """Run a program through wasmtime directly; return (stdout, final memory bytes)."""
    import tempfile
    from pathlib import Path
    wasm = compile_source(src, "mem.nyash").wasm
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "out"
        wasi = wasmtime.WasiConfig()
        wasi.stdout_file = str(out)
        store.set_wasi(wasi)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        inst = linker.instantiate(store, wasmtime.Module(engine, wasm))
        inst.exports(store)["_start"](store)
        return out.read_text(), inst.exports(store)["memory"].data_len(store)


def test_ten_million_temporary_strings_stay_small() -> None:
    src = """
local i = 0
local total = 0
loop(i < 10000000) {
    local s = "item-" + i
    total = total + s.length()
    i = i + 1
}
print(total)
"""
    out, mem = run_and_measure(src)
    expected = sum(len(f"item-{i}") for i in range(10_000_000))
    assert out == f"{expected}\n"
    assert mem < 64 * MiB


def test_ten_million_temporary_arrays_stay_small() -> None:
    src = """
local i = 0
local total = 0
loop(i < 10000000) {
    local a = new ArrayBox()
    a.push(i)
    a.push("x")
    total = total + a.length()
    i = i + 1
}
print(total)
"""
    out, mem = run_and_measure(src)
    assert out == "20000000\n"
    assert mem < 64 * MiB


def test_objects_and_maps_in_a_loop_are_released() -> None:
    src = """
box Node {
    init { value, next }
    birth(v) {
        me.value = v
        me.next = null
    }
}
local i = 0
loop(i < 300000) {
    local m = new MapBox()
    m.set("k" + i, new Node(i))
    local n = new Node(i)
    n.next = new Node(i + 1)
    i = i + 1
}
print("done")
"""
    out, mem = run_and_measure(src)
    assert out == "done\n"
    assert mem < 16 * MiB


def test_unbounded_allocation_reports_out_of_memory(tmp_path) -> None:
    src = tmp_path / "hog.nyash"
    src.write_text("""
local keep = new ArrayBox()
local s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
loop(true) {
    s = s + s
    keep.push(s)
}
""")
    r = nyash("run", str(src), env={"NYASH_MAX_MEMORY": "64M"})
    assert r.returncode == 1
    assert "out of memory" in r.stderr
    assert "Traceback" not in r.stderr


def test_exceptions_thrown_and_caught_in_a_loop_do_not_grow_memory() -> None:
    src = """
function risky(i) {
    local s = "v" + i
    if i % 2 == 0 {
        throw s + "!"
    }
    return s.length() + risky2(s + "x")
}
function risky2(t) {
    return t.length() / (t.length() - t.length())
}
local i = 0
local caught = 0
loop(i < 1000000) {
    try {
        risky(i)
    } catch (Error e) {
        caught = caught + 1
    }
    i = i + 1
}
print(caught)
"""
    out, mem = run_and_measure(src)
    assert out == "1000000\n"
    assert mem < 4 * MiB


def test_calls_of_main_from_the_program_release_their_locals() -> None:
    """Only the outermost main() (the one the program starts with) leaves its locals to
    the process exit; main() called again by the program releases them like any method."""
    src = """
static box Main {
    init { rounds }
    main() {
        local first = false
        try {
            me.rounds = me.rounds + 1
        } catch (Error e) {
            first = true
        }
        if first {
            me.rounds = 0
            local i = 0
            loop(i < 40) {
                Main.main()
                i = i + 1
            }
            print(me.rounds)
            return 0
        }
        local big = new ArrayBox()
        local k = 0
        loop(k < 20000) {
            big.push("item number " + k)
            k = k + 1
        }
        return big.length()
    }
}
"""
    out, mem = run_and_measure(src)
    assert out == "40\n"
    assert mem < 8 * MiB   # 40 rounds kept alive would take ~40 MiB


def test_a_big_map_alive_at_the_end_of_main() -> None:
    """main() ends holding a map of 200,000 string keys: the output is complete (the
    locals are left to the process exit, not released entry by entry)."""
    src = """
static box Main {
    main() {
        local m = new MapBox()
        local i = 0
        loop(i < 200000) {
            m.set("key" + i, i)
            i = i + 1
        }
        print(m.size())
        print(m.get("key" + 199999))
    }
}
"""
    out, _ = run_and_measure(src)
    assert out == "200000\n199999\n"
