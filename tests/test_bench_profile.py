"""The harness's instruction profile (benchmarks/profile.py): exact counts, areas, summary."""
from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

from benchmarks import profile
from benchmarks.measure import BenchFailure
from benchmarks.programs import EXTRA_PROGRAMS, Program
from nyash_build.wasm.encoder import encode
from nyash_build.wasm.module import Func, Module


def _countdown() -> Func:
    """(n) -> 0 by a loop: 1 (loop) + 5 per iteration + 1 (end) + 1 (the final get)."""
    return Func("$down", [("$n", "i32")], ["i32"], [], [
        ("loop", "$l", None),
        ("line", 7),  # pseudo-instruction: not counted
        ("local.get", "$n"), ("i32.const", 1), ("i32.sub",), ("local.tee", "$n"), ("br_if", "$l"),
        ("end",),
        ("local.get", "$n"),
    ], export="down")


def test_instrumented_function_counts_every_executed_instruction() -> None:
    funcs, globals_, counted = profile.instrument([_countdown()])
    assert counted == ["$down"]
    wasm = encode(Module(funcs=funcs, globals=globals_), names=False).wasm
    store = wasmtime.Store()
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, wasm), [])
    exports = instance.exports(store)
    assert exports["down"](store, 3) == 0
    assert exports["nyash_prof_0"].value(store) == 1 + 3 * 5 + 1 + 1
    assert exports["down"](store, 1) == 0
    assert exports["nyash_prof_0"].value(store) == 18 + 1 + 5 + 1 + 1


def test_only_the_named_functions_are_counted() -> None:
    other = Func("$other", [], [], [], [("nop",)])
    funcs, globals_, counted = profile.instrument([_countdown(), other], ["$other"])
    assert counted == ["$other"] and len(globals_) == 1
    assert funcs[0].body == _countdown().body


def test_summary_groups_areas_and_names_the_heaviest_functions() -> None:
    p = profile.Profile({"$Main.main": 600, "$callm:run/2": 100, "$alloc": 250, "$release": 50},
                        {"$Main.main": "generated", "$callm:run/2": "dispatch",
                         "$alloc": "runtime:core", "$release": "runtime:core"})
    assert p.total == 1000 and p.generated_share() == pytest.approx(0.6)
    assert p.by_area() == {"generated": 600, "runtime:core": 300, "dispatch": 100}
    assert p.summary(top=2) == ("0M instr; generated 60%, runtime:core 30%, dispatch 10%; "
                                "top: Main.main 60%, alloc 25%")


def test_profile_of_a_program_is_deterministic_and_attributed() -> None:
    src = EXTRA_PROGRAMS / "interp.small.nyash"
    program = Program("interp", "small", src, (EXTRA_PROGRAMS / "interp.small.out").read_text().strip(),
                      None, None, None, None, None)
    first, second = profile.measure(program), profile.measure(program)
    assert first.counts == second.counts and first.total > 100_000
    areas = first.by_area()
    assert areas["generated"] > 0 and any(a.startswith("runtime:") for a in areas)
    assert first.areas["$Main.main"] == "generated" and first.areas["$alloc"] == "runtime:core"
    # prog.get(pc).run(...) runs a copy of the dispatcher in main's loop (inline.py)
    assert "$callm:run/2" not in first.areas


def test_dispatchers_are_their_own_area(tmp_path: Path) -> None:
    """A dispatcher called outside a loop stays a function, counted as "dispatch"."""
    src = tmp_path / "d.nyash"
    src.write_text("box A {\n    f() {\n        return 1\n    }\n}\n"
                   "box B {\n    f() {\n        return 2\n    }\n}\n"
                   "box C {\n    f() {\n        return 3\n    }\n}\n"
                   "local xs = new ArrayBox()\nxs.push(new A())\nxs.push(new B())\nxs.push(new C())\n"
                   "print(xs.get(0).f() + xs.get(1).f() * 10 + xs.get(2).f() * 100)\n")
    p = profile.measure(Program("d", "full", src, "321", None, None, None, None, None))
    assert p.areas["$callm:f/0"] == "dispatch" and p.counts["$callm:f/0"] > 0


def test_profile_checks_the_output(tmp_path: Path) -> None:
    src = tmp_path / "p.nyash"
    src.write_text('static box Main {\n    main() {\n        print(41 + 1)\n    }\n}\n')
    with pytest.raises(BenchFailure, match=r"p \[profile\]: wrong output: expected '43', got '42'"):
        profile.measure(Program("p", "full", src, "43", None, None, None, None, None))
