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


SECOND_LEVEL = """
box Stack {
    init { items }
    birth() {
        me.items = new ArrayBox()
    }
    push(v) {
        me.items.push(v)
    }
    size() {
        return me.items.length()
    }
}
box One {
    run(st, k) {
        st.push(k)
        return 1
    }
}
box Two {
    run(st, k) {
        st.push(k)
        st.push(k * 2)
        return 2
    }
}
box Three {
    run(st, k) {
        st.push(k + 1)
        return st.size()
    }
}
box Boom {
    run(st, k) {
        return 10 / k
    }
}
static box Main {
    main() {
        local st = new Stack()
        local ops = new ArrayBox()
        ops.push(new One())
        ops.push(new Two())
        ops.push(new Three())
        ops.push(new Boom())
        local i = 0
        local total = 0
        loop(i < 12) {
            total = total + ops.get(i % 4).run(st, i % 4)
            i = i + 1
        }
        print(total + st.size())
    }
}
"""


def test_copies_are_inlined_a_second_level(tmp_path) -> None:
    """The dispatcher inlines each `run`, and the copies' calls to the small clean
    `push`/`size` are inlined from their own inlined forms, without the exception check
    a clean callee cannot need; `Boom.run` can raise (division) and stays a call. The
    program's output and a division by zero inside are unchanged."""
    funcs = _funcs(SECOND_LEVEL)
    # the dispatcher itself was then copied into main's loop (and dropped)
    assert "$callm:run/2" not in funcs
    main = funcs["$Main.main"].body
    calls = [ins[1] for ins in main if ins[0] == "call"]
    assert "$Stack.push" not in calls and "$Stack.size" not in calls
    assert not {"$One.run", "$Two.run", "$Three.run"} & set(calls)
    assert "$Boom.run" in calls
    # two exception checks in main: after the dispatcher's copy (Boom.run and the
    # unknown method can raise) and in the slow side of the `+`; none after the copies
    # of the clean methods
    assert main.count(("global.get", "$exc_pending")) == 2
    assert_program_prints(tmp_path, "second", SECOND_LEVEL, "54\n")
    f = tmp_path / "boom.nyash"
    f.write_text(SECOND_LEVEL.replace("10 / k", "10 / (k - 3)"))
    p = nyash("run", str(f))
    assert p.returncode == 1 and p.stderr.startswith("Runtime error: Division by zero\n  at Boom.run")


# ------------------------------------------------------------------ the runtime's own helpers
def test_runtime_functions_have_their_small_helpers_inlined(tmp_path) -> None:
    """str_append -> str_concat -> str_new, realloc, release: copied into the caller."""
    src = 'local s = "a"\nlocal i = 0\nloop(i < 5) {\n    s = s + i + "b"\n    i = i + 1\n}\nprint(s)\n'
    append = _funcs(src)["$str_append"]
    for helper in ("$str_concat", "$str_new", "$realloc", "$release"):
        assert ("call", helper) not in append.body
    assert_program_prints(tmp_path, "rtinline", src, "a0b1b2b3b4b\n")


def _run(funcs: list[Func], export: str, *args: int) -> int:
    wasm = encode(Module(funcs=funcs), names=False).wasm
    store = wasmtime.Store()
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, wasm), [])
    return instance.exports(store)[export](store, *args)


def test_runtime_inliner_copies_run_exactly() -> None:
    """IR level: a helper with a loop and a local that must start at zero, inlined twice
    into a loop; a mutually recursive pair (bounded unrolling, still exact); a function
    with numeric local indexes (C part) neither inlined nor rewritten."""
    from nyash_build.compiler.inline import RuntimeInliner
    tri = Func("$tri", [("$n", "i32")], ["i32"], [("$acc", "i32")], [
        ("block", "$out", None), ("loop", "$top", None),
        ("local.get", "$n"), ("i32.eqz",), ("br_if", "$out"),
        ("local.get", "$acc"), ("local.get", "$n"), ("i32.add",), ("local.set", "$acc"),
        ("local.get", "$n"), ("i32.const", 1), ("i32.sub",), ("local.set", "$n"),
        ("br", "$top"), ("end",), ("end",), ("local.get", "$acc")])
    # sum over k < m of tri(k) + tri(1)
    user = Func("$user", [("$m", "i32")], ["i32"], [("$t", "i32")], [
        ("block", "$done", None), ("loop", "$l", None),
        ("local.get", "$m"), ("i32.eqz",), ("br_if", "$done"),
        ("local.get", "$m"), ("i32.const", 1), ("i32.sub",), ("local.tee", "$m"),
        ("call", "$tri"), ("i32.const", 1), ("call", "$tri"), ("i32.add",),
        ("local.get", "$t"), ("i32.add",), ("local.set", "$t"), ("br", "$l"),
        ("end",), ("end",), ("local.get", "$t")], export="user")
    even = Func("$even", [("$n", "i32")], ["i32"], [], [
        ("local.get", "$n"), ("i32.eqz",), ("if", None, None), ("i32.const", 1), ("return",), ("end",),
        ("local.get", "$n"), ("i32.const", 1), ("i32.sub",), ("call", "$odd")], export="even")
    odd = Func("$odd", [("$n", "i32")], ["i32"], [], [
        ("local.get", "$n"), ("i32.eqz",), ("if", None, None), ("i32.const", 0), ("return",), ("end",),
        ("local.get", "$n"), ("i32.const", 1), ("i32.sub",), ("call", "$even")])
    c_part = Func("$c", [(None, "i32")], ["i32"], [], [
        ("local.get", 0), ("call", "$tri")], export="c")
    inliner = RuntimeInliner({f.name: f for f in (tri, user, even, odd, c_part)})
    funcs = [inliner.inlined(f.name) for f in (tri, user, even, odd, c_part)]
    by_name = {f.name: f for f in funcs}
    assert ("call", "$tri") not in by_name["$user"].body
    assert by_name["$c"] is c_part
    assert sum(1 for ins in by_name["$even"].body if ins[0] == "call") == 1  # unrolled, bounded
    assert _run(funcs, "user", 6) == sum(k * (k + 1) // 2 for k in range(6)) + 6
    assert [_run(funcs, "even", n) for n in range(7)] == [1, 0, 1, 0, 1, 0, 1]
    assert _run(funcs, "c", 4) == 10


def test_frames_after_an_inlined_copy_show_the_callers_line(tmp_path) -> None:
    """An inlined copy brings its callee's line marks; the caller's code after it (here
    the call that raises, on the same line as the inlined constructor) maps to the
    caller's line again, not the callee's last one."""
    src = ("box Car {\n    init { model }\n    birth(m) {\n        me.model = m\n    }\n}\n"
           "function describe(pet) {\n    return pet.name\n}\n"
           "print(describe(new Car(\"T\")))\n")
    main = _funcs(src)["$<main>"]
    assert not any(ins[0] == "call" and "birth" in ins[1] for ins in main.body)  # the constructor is inlined
    f = tmp_path / "app.nyash"
    f.write_text(src)
    p = nyash("run", str(f))
    assert p.returncode == 1
    assert ("\nRuntime error: Field 'name' not found in Car\n"
            "  at describe (app.nyash:8)\n  at <main> (app.nyash:10)\n") in p.stderr, p.stderr


DISPATCH_LOOP = """
box A {
    init { n }
    birth(n) {
        me.n = n
    }
    step(k) {
        return me.n + k
    }
}
box B {
    init { s }
    birth(s) {
        me.s = s
    }
    step(k) {
        if k > 5 {
            return me.s.length() / (k - 7)
        }
        return me.s + k
    }
}
box C {
    step(k) {
        return k * 2
    }
}
static box Main {
    main() {
        local xs = new ArrayBox()
        xs.push(new A(10))
        xs.push(new B("b"))
        xs.push(new C())
        local i = 0
        loop(i < 6) {
            print(xs.get(i % 3).step(i))
            i = i + 1
        }
        xs.push(42)
        xs.push(null)
        try {
            local j = 0
            loop(j < 5) {
                print(xs.get(j).step(j))
                j = j + 1
            }
        } catch (Error e) {
            print("caught")
        }
        local k = 0
        loop(k < 9) {
            print(xs.get(k % 2).step(k))
            k = k + 1
        }
    }
}
"""


def test_method_dispatchers_are_copied_into_loops(tmp_path) -> None:
    """A polymorphic call in a loop gets a copy of $callm:step/1 (the class-id switch
    and the methods inlined into it): no call to the dispatcher is left in main. What
    the copy raises is unchanged: the unknown method of an integer element (caught),
    and a division by zero inside B.step with main's frame at the call's line -- the
    copy's own line marks (A.step's, inlined) do not leak into main's frame. Output
    checked against the reference interpreter (run-share.sh)."""
    main = _funcs(DISPATCH_LOOP)["$Main.main"]
    calls = [ins[1] for ins in main.body if ins[0] == "call"]
    assert not any(c.startswith("$callm:") for c in calls), calls
    assert "$B.step" in calls
    f = tmp_path / "disp.nyash"
    f.write_text(DISPATCH_LOOP)
    p = nyash("run", str(f))
    assert p.stdout == "10\nb1\n4\n13\nb4\n10\n10\nb1\n4\ncaught\n10\nb1\n12\nb3\n14\nb5\n16\n"
    assert p.returncode == 1
    assert p.stderr.startswith("Runtime error: Division by zero\n  at B.step (disp.nyash:18)\n"
                               "  at Main.main (disp.nyash:52)\n"), p.stderr


def test_guarded_calls_keep_their_dispatcher_call(tmp_path) -> None:
    """A call that tests for its one implementation inline (a static monomorphic inline
    cache) keeps the dispatcher as a call on its cold side, while the fully dynamic
    call in the same loop gets the copy."""
    src = ("box P {\n    init { n }\n    birth() {\n        me.n = 0\n    }\n"
           "    poke() {\n        me.n = me.n + 1\n    }\n}\n"
           "box A {\n    step() {\n        return 1\n    }\n}\n"
           "box B {\n    step() {\n        return 2\n    }\n}\n"
           "box C {\n    step() {\n        return 3\n    }\n}\n"
           "local ps = new ArrayBox()\nps.push(new P())\n"
           "local xs = new ArrayBox()\nxs.push(new A())\nxs.push(new B())\nxs.push(new C())\n"
           "local i = 0\nlocal t = 0\n"
           "loop(i < 7) {\n    ps.get(0).poke()\n    t = t + xs.get(i % 3).step()\n    i = i + 1\n}\n"
           "print(ps.get(0).n + t * 100)\n")
    calls = [ins[1] for ins in _funcs(src)["$<main>"].body if ins[0] == "call"]
    assert "$callm:poke/0" in calls and "$callm:step/0" not in calls
    assert_program_prints(tmp_path, "guarded", src, "1307\n")


def test_dispatcher_copies_need_no_zeroed_locals(tmp_path) -> None:
    """Dispatcher copies skip the zeroing of locals at their entry: a dispatcher writes
    every local of its own before reading it, and the method copies in it zero theirs
    where they start (checked here in order of the code, on a dispatcher that stays
    because it is also called outside a loop). The copy in a loop that runs the same
    inlined method with state from the last turn gives the same output."""
    src = DISPATCH_LOOP.replace("        local i = 0\n", "        print(xs.get(2).step(1))\n        local i = 0\n", 1)
    funcs = _funcs(src)
    disp = funcs["$callm:step/1"]
    written: set[str] = {n for n, _ in disp.params}
    for ins in disp.body:
        if ins[0] in ("local.set", "local.tee"):
            written.add(ins[1])
        elif ins[0] == "local.get":
            assert ins[1] in written, ins
    main = funcs["$Main.main"].body
    assert ("call", "$callm:step/1") in main  # the call outside the loops
    f = tmp_path / "disp.nyash"
    f.write_text(src)
    p = nyash("run", str(f))
    assert p.stdout == "2\n10\nb1\n4\n13\nb4\n10\n10\nb1\n4\ncaught\n10\nb1\n12\nb3\n14\nb5\n16\n"
