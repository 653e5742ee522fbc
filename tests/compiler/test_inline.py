"""Inlining of small clean functions (inline.py): results stay exact, a copy that runs
many times in one frame starts from zeroed locals, recursive functions unrolled into
themselves, and callees that can raise keep their own frames. The program's output was
checked against the reference interpreter (run-share.sh)."""
from __future__ import annotations

import wasmtime

from nyash_build.compiler.driver import build_module
from nyash_build.compiler.inline import SELF_LEVELS, clean_functions, inline_calls
from nyash_build.wasm.encoder import encode
from nyash_build.wasm.module import Func, Module
from tests.helpers import assert_program_prints, nyash

PROGRAM = """
function bag(flag) {
    if flag {
        local a = new ArrayBox()
        a.push(1)
        a.push(2)
        return a.length()
    }
    return 0
}
function fib(n) {
    if n < 2 {
        return n
    }
    return fib(n - 1) + fib(n - 2)
}
function down(n) {
    if n == 0 {
        return 0
    }
    return 1 + down(n - 1)
}
box Counter {
    init { n, log }
    birth() {
        me.n = 0
        me.log = new ArrayBox()
    }
    bump(k) {
        me.n = me.n + k
        me.log.push(k)
        return me.n
    }
}
local t = 0
local i = 0
loop(i < 1000) {
    t = t + bag(i % 2 == 0)
    i = i + 1
}
print(t)
print(fib(24))
print(down(2000))
local c = new Counter()
i = 0
loop(i < 100) {
    c.bump(i)
    i = i + 1
}
print(c.n + c.log.length())
"""


def test_inlined_program_output(tmp_path) -> None:
    # bag(false) after bag(true): the copy in the loop must not see the last copy's array
    assert_program_prints(tmp_path, "inline", PROGRAM, '1000\n46368\n2000\n5050\n')


def _funcs(src: str) -> dict[str, Func]:
    module, _, _ = build_module(src, "i.nyash")
    return {f.name: f for f in module.funcs}


def test_recursive_function_makes_calls_only_every_few_levels() -> None:
    fib = _funcs(PROGRAM)["$fib"]
    calls = [ins for ins in fib.body if ins == ("call", "$fib")]
    assert len(calls) == 2 ** (SELF_LEVELS + 1)  # the calls of the innermost copies


def test_functions_that_can_raise_are_not_inlined(tmp_path) -> None:
    src = ("function half(n) {\n    return 10 / n\n}\n"
           "function run(k) {\n    return half(k)\n}\nprint(run(5))\nprint(run(0))\n")
    funcs = _funcs(src)
    assert ("call", "$half") in funcs["$run"].body
    f = tmp_path / "app.nyash"
    f.write_text(src)
    p = nyash("run", str(f))
    assert p.stdout == "2\n" and p.returncode == 1
    assert p.stderr.startswith("Runtime error: Division by zero\n  at half (app.nyash:2)\n  at run (app.nyash:5)")


def test_inlined_copy_is_renamed_and_runs() -> None:
    """IR level: a callee inlined twice into one caller, with a loop label and locals."""
    callee = Func("$sum", [("$n", "i32")], ["i32"], [("$acc", "i32"), ("$~1", "i32")], [
        ("block", "$out", None), ("loop", "$top", None),
        ("local.get", "$n"), ("i32.eqz",), ("br_if", "$out"),
        ("local.get", "$acc"), ("local.get", "$n"), ("i32.add",), ("local.set", "$acc"),
        ("local.get", "$n"), ("i32.const", 1), ("i32.sub",), ("local.set", "$n"),
        ("br", "$top"), ("end",), ("end",), ("local.get", "$acc")])
    caller = Func("$main", [], ["i32"], [], [
        ("i32.const", 3), ("call", "$sum"), ("i32.const", 4), ("call", "$sum"), ("i32.add",)],
        export="main")
    funcs = inline_calls([callee, caller], {"$main"}, set())
    assert clean_functions({f.name: f for f in funcs}, set()) == {"$sum", "$main"}
    main = funcs[1]
    assert ("call", "$sum") not in main.body
    wasm = encode(Module(funcs=funcs), names=False).wasm
    store = wasmtime.Store()
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, wasm), [])
    assert instance.exports(store)["main"](store) == 6 + 10
