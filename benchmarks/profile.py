"""Where execution goes: a deterministic instruction profile of one benchmark.

Wall-clock numbers on a shared machine are noisy, and a regression is only explainable
when we can see which code got slower.  So the harness compiles each program once more
with a counter per wasm function: every straight-line segment of code adds its length
to its function's counter when it starts (the same idea as gcov's basic-block counts).
The instrumented module runs under the JIT in this process; afterwards the counters say
exactly how many wasm instructions each function executed -- the same numbers on every
run, however loaded the machine is.

Instructions are a proxy for time, not time: a cache miss, a `memory.copy` of a large
block or a host call (output) costs far more than one instruction.  The summary groups
functions into *generated* code (the program's own functions and methods), *dispatch*
(the generated `$callm:` / `$getf:` / `$setf:` dispatchers) and the runtime library by
source file, and names the heaviest functions.
"""
from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from .measure import BenchFailure, check_output
from .programs import Program

# Instructions after which the next instruction starts a new segment (it may be reached
# from elsewhere, or the rest of the segment may not run).
_SEGMENT_END = frozenset({"block", "loop", "if", "else", "end", "br", "br_if", "br_table",
                          "return", "unreachable"})
_NOT_EXECUTED = frozenset({"line"})  # pseudo-instructions of the module IR
COUNTER_EXPORT = "nyash_prof_"


@dataclass
class Profile:
    """Executed wasm instructions per function, and the area each function belongs to."""
    counts: dict[str, int]
    areas: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def by_area(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for name, n in self.counts.items():
            area = self.areas.get(name, "runtime")
            out[area] = out.get(area, 0) + n
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def top(self, k: int = 4) -> list[tuple[str, int]]:
        return sorted(((n, c) for n, c in self.counts.items() if c), key=lambda kv: -kv[1])[:k]

    def share(self, n: int) -> float:
        return n / self.total if self.total else 0.0

    def generated_share(self) -> float:
        """Share of the program's own compiled code (not runtime, not dispatchers)."""
        return self.share(self.by_area().get("generated", 0))

    def summary(self, top: int = 4) -> str:
        """One line: total, share per area, heaviest functions."""
        if not self.total:
            return "no instructions counted"
        areas = ", ".join(f"{a} {self.share(n):.0%}" for a, n in self.by_area().items()
                          if self.share(n) >= 0.005)
        heavy = ", ".join(f"{name.lstrip('$')} {self.share(n):.0%}" for name, n in self.top(top)
                          if self.share(n) >= 0.005)
        return f"{self.total / 1e6:,.0f}M instr; {areas}; top: {heavy}"


def instrument(funcs: list, names: list[str] | None = None) -> tuple[list, list, list[str]]:
    """Counting copies of `funcs`: (new funcs, new globals, counted function names).

    Counter i (an exported mutable i64 global ``nyash_prof_i``) belongs to the i-th
    counted function.  Only the functions named in `names` are counted (default all).
    """
    from nyash_build.wasm.module import Global

    wanted = None if names is None else set(names)
    out, globals_, counted = [], [], []
    for f in funcs:
        if wanted is not None and f.name not in wanted:
            out.append(f)
            continue
        g = f"$prof:{len(counted)}"
        globals_.append(Global(g, "i64", True, 0, export=f"{COUNTER_EXPORT}{len(counted)}"))
        counted.append(f.name)
        out.append(replace(f, body=_count_segments(f.body, g)))
    return out, globals_, counted


def _count_segments(body: list[tuple], counter: str) -> list[tuple]:
    """Prefix every straight-line segment with `counter += its instruction count`."""
    out: list[tuple] = []
    start = 0      # index in `out` where the current segment's increment goes
    length = 0

    def close() -> None:
        if length:
            out[start:start] = [("global.get", counter), ("i64.const", length), ("i64.add",),
                                ("global.set", counter)]

    for ins in body:
        out.append(ins)
        if ins[0] in _NOT_EXECUTED:
            continue
        length += 1
        if ins[0] in _SEGMENT_END:
            close()
            start, length = len(out), 0
    close()
    return out


def measure(program: Program) -> Profile:
    """Compile `program` with counters, run it once under the JIT, read the counters."""
    import wasmtime

    from nyash_build.aot.variants import engine_config
    from nyash_build.compiler import driver
    from nyash_build.compiler.runtime_lib import runtime_lib
    from nyash_build.diagnostics import CompileError
    from nyash_build.wasm.encoder import encode
    from runtime_stub.variants import NATIVE_STACK

    try:
        module, user_functions, _ = driver.build_module(
            program.source.read_text(encoding="utf-8"), str(program.source))
    except CompileError as e:
        raise BenchFailure(f"{program.label}: compile error:\n{e}") from None
    funcs, globals_, counted = instrument(module.funcs)
    module = replace(module, funcs=funcs, globals=module.globals + globals_)
    wasm = encode(module, names="functions").wasm
    areas = _areas(counted, set(f"${u}" for u in user_functions), runtime_lib().origin)

    engine = wasmtime.Engine(engine_config(None))
    compiled = wasmtime.Module(engine, wasm)
    counts: dict[str, int] = {}
    outcome: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="nyash-profile-") as tmp:
        out = Path(tmp) / "stdout"
        store = wasmtime.Store(engine)
        wasi = wasmtime.WasiConfig()
        wasi.argv = [program.name]
        wasi.stdout_file = str(out)
        wasi.inherit_stderr()
        store.set_wasi(wasi)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        instance = linker.instantiate(store, compiled)
        exports = instance.exports(store)

        def target() -> None:
            try:
                exports["_start"](store)
            except wasmtime.ExitTrap as e:
                if e.code != 0:
                    outcome["error"] = f"exit status {e.code}"
            except wasmtime.WasmtimeError as e:
                outcome["error"] = str(e).strip().splitlines()[0]

        old = threading.stack_size(NATIVE_STACK)
        try:
            thread = threading.Thread(target=target, name="nyash-profile")
            thread.start()
        finally:
            threading.stack_size(old)
        thread.join()
        if "error" in outcome:
            raise BenchFailure(f"{program.label} [profile]: {outcome['error']}")
        check_output(program, "profile", out.read_text(encoding="utf-8"))
        for i, name in enumerate(counted):
            counts[name] = exports[f"{COUNTER_EXPORT}{i}"].value(store)
    return Profile(counts, areas)


def _areas(names: list[str], user: set[str], origin: dict[str, str]) -> dict[str, str]:
    """generated (program bodies, `_start`), dispatch, or runtime:<file>."""
    out = {}
    for name in names:
        if name in user or name in ("$_start", "$class_name"):
            out[name] = "generated"
        elif name.startswith(("$callm:", "$getf:", "$setf:")):
            out[name] = "dispatch"
        else:
            src = origin.get(name, "runtime")
            out[name] = "runtime:" + src.removesuffix(".wat")
    return out
