"""Inlining of small generated functions at their call sites (wasm IR to wasm IR).

A wasm call costs far more under Cranelift than the few instructions of a typical
getter, ``step()`` or ``fib``: frame setup, the stack-limit check, spilling around the
call. So calls to small generated functions (functions and methods of the program) are
replaced by a copy of the callee's body -- one level deep, from the original bodies,
so a recursive function is unrolled once into itself and nothing grows without bound.

Only *clean* callees are inlined: they cannot raise a runtime error (no call that can
leave an exception pending, transitively). The error message of a runtime error prints
the Nyash call stack from the wasm frames, and an inlined callee has no frame of its
own; a callee that cannot raise shows up there only for the two fatal conditions that
can stop any code -- the stack or the memory running out -- and then the report lists
the frames that exist (the caller's line instead of the inlined helper's). Nothing is
inlined into ``$_start``, so the top level and ``main`` always keep their frames.

A recursive function's calls to itself are inlined into it up to SELF_LEVELS levels
deep (fewer when the copies would outgrow SELF_BUDGET): ``fib`` then makes a real call
only every fourth level of its recursion.

The copy gets fresh names for its locals and labels, takes its arguments off the stack
into the renamed parameters, zeroes the locals that a real call would find zero (the
copy may run many times in one frame): all but the code generator's temporaries
``$~N``, which it always writes before reading, and the reference-counting scratch
``$rc.*``; it is wrapped in a block with the callee's results, which ``return``
branches to.

Last, method dispatchers (``$callm:NAME/ARGC``, with the methods they took in) of fully
dynamic calls (not the cold fallbacks of guarded calls) are
copied into the loops that call them, raising or not: a dispatcher has no frame of its
own in an error report (see ``_inline_dispatchers``).

The same copying serves the runtime library itself (``RuntimeInliner``): its small
helpers are inlined into the runtime functions that call them, two levels deep.
"""
from __future__ import annotations

from dataclasses import replace

from typing import TYPE_CHECKING

from .abi import NON_RAISING
from ..wasm.link import reachable_funcs
from ..wasm.module import Func, Module

if TYPE_CHECKING:
    from .runtime_lib import RuntimeLib

MAX_CALLEE = 140        # real instructions of a callee body
MAX_CALLER = 20000      # stop growing a caller beyond this
SELF_LEVELS = 3         # a recursive function is inlined into itself up to this deep...
SELF_BUDGET = 2400      # ...while the copies stay within this many instructions
MAX_DISPATCH = 1200     # real instructions of a method dispatcher copied into a caller's loop
_CONTROL_LABELED = ("block", "loop", "if")
_ZERO = {"i32": ("i32.const", 0), "i64": ("i64.const", 0), "f64": ("f64.const", 0.0),
         "f32": ("f32.const", 0.0)}


def size(f: Func) -> int:
    return sum(1 for ins in f.body if ins[0] != "line")


def clean_functions(funcs: dict[str, Func], runtime: set[str]) -> set[str]:
    """Generated functions that can never raise (optimistic fixed point)."""
    clean = {name for name, f in funcs.items() if _locally_clean(f)}
    changed = True
    while changed:
        changed = False
        for name in list(clean):
            for ins in funcs[name].body:
                if ins[0] != "call":
                    continue
                target = ins[1]
                ok = (target in NON_RAISING) if target in runtime or target not in funcs else target in clean
                if not ok:
                    clean.discard(name)
                    changed = True
                    break
    return clean


def _locally_clean(f: Func) -> bool:
    if any(not isinstance(p, tuple) or p[0] is None for p in [*f.params, *f.locals]):
        return False  # unnamed parameters or locals: not renamable here
    for ins in f.body:
        op = ins[0]
        if op == "unreachable" or (op == "global.set" and ins[1] == "$exc_pending"):
            return False
        if op in ("local.get", "local.set", "local.tee") and not isinstance(ins[1], str):
            return False  # numeric local indexes: not renamable here
    return True


def inline_calls(funcs: list[Func], callers: set[str], runtime: set[str],
                 dispatch_calls: set[int] = frozenset()) -> list[Func]:
    """Copies of funcs where calls from `callers` to small clean functions are inlined,
    and the dispatcher calls listed in `dispatch_calls` (ids of the call instructions:
    fully dynamic method calls, not the cold fallbacks of guarded calls) that sit in
    loops are replaced by copies of the dispatchers."""
    by_name = {f.name: f for f in funcs}
    clean = clean_functions(by_name, runtime)
    small = {n for n in clean if size(by_name[n]) <= MAX_CALLEE}
    out = []
    for f in funcs:
        if f.name in callers and any(ins[0] == "call" and ins[1] in small for ins in f.body):
            f = _inline_into(f, by_name, small)
        out.append(f)
    # second level: calls the copies brought along (a dispatcher's copy of `run` calling
    # a small `push`) are inlined from the first level's results when those are still
    # small; never a function into itself here (recursion was unrolled above)
    by_name = {f.name: f for f in out}
    small = {n for n in clean if size(by_name[n]) <= MAX_CALLEE}
    out = [_inline_into(f, by_name, small - {f.name}, counter_base=1000)
           if f.name in callers and any(ins[0] == "call" and ins[1] in small and ins[1] != f.name for ins in f.body)
           else f for f in out]
    # last: method dispatchers (with the method bodies they took in above) into the
    # loops that call them
    by_name = {f.name: f for f in out}
    disp = {n for n, f in by_name.items() if n.startswith("$callm:") and size(f) <= MAX_DISPATCH}
    return [_inline_dispatchers(f, by_name, disp, dispatch_calls) if f.name in callers and f.name not in disp
            and any(id(ins) in dispatch_calls for ins in f.body) else f for f in out]


def _inline_dispatchers(f: Func, by_name: dict[str, Func], disp: set[str], sites: set[int]) -> Func:
    """Calls to method dispatchers inside loops of f replaced by copies of them.

    A polymorphic call in a loop (``prog.get(pc).run(vm, pc)``) then switches on the
    class id in the loop itself and calls (or runs the inlined copy of) the method
    directly: one call level less per turn, and Cranelift sees the receiver's loads
    and the switch together with the loop. A dispatcher has no frame in an error
    report, so any dispatcher may be copied, whether it can raise or not: the copy
    raises (sets the pending flag) exactly where the call did, and the exception
    check after the call stays. The copy's line marks (of the methods it inlined,
    which cannot raise) are dropped, so the caller's line stays in force for the
    calls the copy makes."""
    body: list[tuple] = []
    new_locals = list(f.locals)
    grown = size(f)
    counter = [5000]
    control: list[str] = []
    loops = 0
    for ins in f.body:
        op = ins[0]
        if op in _CONTROL_LABELED:
            control.append(op)
            loops += op == "loop"
        elif op == "end" and control:
            loops -= control.pop() == "loop"
        if op == "call" and ins[1] in disp and id(ins) in sites and loops and grown < MAX_CALLER:
            # a dispatcher writes its own locals before reading them, and the method
            # copies in it zero theirs where they start: no zeroing at the copy's entry
            code, locals_ = _copy(by_name[ins[1]], counter, 0, zero=False)
            code = [c for c in code if c[0] != "line"]
            body += code
            new_locals += locals_
            grown += len(code)
        else:
            body.append(ins)
    return replace(f, body=body, locals=new_locals)


def _inline_into(f: Func, by_name: dict[str, Func], small: set[str], counter_base: int = 0) -> Func:
    body: list[tuple] = []
    new_locals = list(f.locals)
    grown = size(f)
    counter = [counter_base]
    code_in = f.body
    line = None  # the caller's line mark in force at this point
    i = 0
    while i < len(code_in):
        ins = code_in[i]
        i += 1
        if ins[0] == "line":
            line = ins
        if ins[0] == "call" and ins[1] in small and grown < MAX_CALLER:
            levels = _self_levels(f) if ins[1] == f.name else 1
            code, locals_ = _copy(by_name[ins[1]], counter, levels - 1)
            body += code
            if line is not None:  # the copy brought the callee's line marks: back to the caller's
                body.append(line)
            new_locals += locals_
            grown += len(code)
            # the exception check right after the call: a clean callee cannot raise
            if code_in[i:i + 1] == [("global.get", "$exc_pending")] and i + 1 < len(code_in) \
                    and code_in[i + 1][0] == "br_if":
                i += 2
        else:
            body.append(ins)
    return replace(f, body=body, locals=new_locals)


def _self_levels(f: Func) -> int:
    """How deep a recursive function is inlined into itself."""
    branching = sum(1 for ins in f.body if ins == ("call", f.name))
    levels, copies, total = 0, 1, 0
    while levels < SELF_LEVELS:
        copies *= branching
        total += copies * size(f)
        if total > SELF_BUDGET:
            break
        levels += 1
    return max(levels, 1)


def _needs_zero(name: str) -> bool:
    return not name.startswith(("$~", "$rc."))


def _copy(callee: Func, counter: list[int], self_depth: int,
          zero: bool = True) -> tuple[list[tuple], list[tuple[str, str]]]:
    """The callee's body renamed with a fresh prefix, taking its arguments off the
    stack; its calls to itself inlined again while self_depth lasts. Without `zero`
    the copy's locals start with what they held (for a callee that writes every local
    before reading it)."""
    counter[0] += 1
    prefix = f"$i{counter[0]}:"
    def local(name: str) -> str:
        return prefix + name

    def label(lab):
        return prefix + lab if isinstance(lab, str) else lab

    ret = prefix + "ret"
    params = [(local(n), t) for n, t in callee.params]
    locals_ = [(local(n), t) for n, t in callee.locals]
    code: list[tuple] = [("local.set", n) for n, _ in reversed(params)]
    code += [ins for (n0, _), (n, t) in zip(callee.locals, locals_) if zero and _needs_zero(n0)
             for ins in (_ZERO[t], ("local.set", n))]
    results = callee.results
    bt = None if not results else results[0] if len(results) == 1 else ((), tuple(results))
    code.append(("block", ret, bt))
    line = None
    for ins in callee.body:
        op = ins[0]
        if op == "line":
            line = ins
        if op in ("local.get", "local.set", "local.tee"):
            code.append((op, local(ins[1])))
        elif op in _CONTROL_LABELED:
            code.append((op, label(ins[1]), *ins[2:]))
        elif op in ("br", "br_if"):
            code.append((op, label(ins[1])))
        elif op == "br_table":
            code.append((op, [label(x) for x in ins[1]], label(ins[2])))
        elif op == "return":
            code.append(("br", ret))
        elif op == "call" and ins[1] == callee.name and self_depth > 0:
            inner, inner_locals = _copy(callee, counter, self_depth - 1)
            code += inner + ([line] if line is not None else [])
            locals_ += inner_locals
        else:
            code.append(ins)
    code.append(("end",))
    return code, params + locals_


# ------------------------------------------------------------------ the runtime itself
RT_MAX_CALLEE = 100     # real instructions of a runtime helper inlined into runtime code
RT_MAX_CALLER = 1500    # stop growing a runtime function beyond this
RT_LEVELS = 2           # helpers that call helpers: inlined up to this deep
# Cold paths that stay calls: copied into a hot helper they make its frame heavy (more
# registers saved at every entry) and keep it from being inlined itself ($alloc's
# free-list pop with $bump and $fatal copied in was too big to inline into $str_new's
# callers; $release's string case paid for the copied $drop_object).
RT_NEVER_INLINE = frozenset({"$fatal", "$bump", "$alloc_fresh", "$alloc_large", "$drop_object",
                             "$mem_ensure", "$col_canon_int", "$to_string"})


def renamable(f: Func) -> bool:
    """Every parameter and local has a name and is referred to by it (WAT-written code;
    the C parts use numeric indexes and are left alone)."""
    if any(not isinstance(p, tuple) or p[0] is None for p in [*f.params, *f.locals]):
        return False
    return all(isinstance(ins[1], str) for ins in f.body if ins[0] in ("local.get", "local.set", "local.tee"))


class RuntimeInliner:
    """The runtime library's functions with their small helpers inlined: a call costs
    far more under Cranelift than a typical helper (retain, release, alloc, str_new,
    mem_eq, ...), and Cranelift does not inline.

    A runtime function has no frame in a Nyash error report, so any small helper may be
    inlined, whether it can raise or not (an exception is a pending flag, which the copy
    sets just as the call did). Level n of a function is its level n-1 body with the
    calls left there to small functions replaced by their level n-1 bodies, computed on
    demand and memoized; recursion stays a call (a helper is never inlined into itself,
    and each level copies the level below, so a cycle such as release -> drop_object ->
    release unrolls a bounded number of times)."""

    def __init__(self, funcs: dict[str, Func]) -> None:
        self.levels: list[dict[str, Func]] = [funcs]

    def inlined(self, name: str) -> Func:
        return self._at(name, RT_LEVELS)

    def _at(self, name: str, level: int) -> Func:
        while len(self.levels) <= level:
            self.levels.append({})
        memo = self.levels[level]
        if name in memo:
            return memo[name]
        f = self.levels[0][name]
        if level > 0 and renamable(f):
            f = self._inline_into(self._at(name, level - 1), level)
        memo[name] = f
        return f

    def _small(self, name: str, level: int) -> Func | None:
        """The body to copy for a call to `name` from a level-`level` function, if small."""
        base = self.levels[0].get(name)
        if base is None or name in RT_NEVER_INLINE or not renamable(base) or any(ins == ("call", name) for ins in base.body):
            return None
        callee = self._at(name, level - 1)
        return callee if size(callee) <= RT_MAX_CALLEE else None

    def _inline_into(self, f: Func, level: int) -> Func:
        body: list[tuple] = []
        new_locals = list(f.locals)
        grown = size(f)
        counter = [100000 * level]  # copy prefixes distinct from the lower levels' ones
        for ins in f.body:
            if ins[0] == "call" and ins[1] != f.name and grown < RT_MAX_CALLER:
                callee = self._small(ins[1], level)
                if callee is not None:
                    code, locals_ = _copy(callee, counter, 0)
                    body += code
                    new_locals += locals_
                    grown += len(code)
                    continue
            body.append(ins)
        return replace(f, body=body, locals=new_locals)


def inline_runtime_calls(module: Module, runtime: "RuntimeLib") -> Module:
    """`module` with each runtime function replaced by its inlined form, minus the
    helpers nothing calls any more."""
    names = runtime.func_names
    funcs = [runtime.inlined(f.name) if f.name in names and f is runtime.funcs_by_name.get(f.name) else f
             for f in module.funcs]
    return reachable_funcs(replace(module, funcs=funcs), {"$_start"})
