"""Harness for runtime parts written in C: build C sources with the real recipe
(``runtime/c_build.py``), decode them (``runtime/c_parts.py``) and link them into a
real compiled module (a tiny Nyash program plus the whole runtime), exactly as the
compiler links them — then call C and runtime functions from pytest through wasmtime.

``CRuntime(sources=None)`` uses the shipped C parts (``runtime/c/*.c``); pass test
sources (``tests/runtime/c_samples``) to exercise the pipeline itself.
"""
from __future__ import annotations

import hashlib
import tempfile
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import wasmtime

from nyash_build.compiler.runtime_lib import link_c_parts, runtime_lib
from nyash_build.prebuilt import zig_cc
from nyash_build.runtime import c_build
from nyash_build.runtime.c_parts import CParts, from_wasm
from nyash_build.wasm.encoder import encode
from nyash_build.wasm.link import reachable_funcs
from tests.runtime.harness import Runtime

SAMPLES = Path(__file__).resolve().parent / "c_samples"

# runtime functions tests call directly (besides every C export)
RUNTIME_EXPORTS = ("$str_new", "$arr_new", "$arr_len", "$arr_get_i", "$map_new", "$release", "$retain",
                   "$out_flush", "$to_string", "$alloc", "$free")


@lru_cache(maxsize=None)
def build_c(*sources: Path) -> bytes:
    """The linked wasm of ``sources`` (cached per content in this process)."""
    h = hashlib.sha256()
    for s in sources:
        h.update(s.read_bytes())
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / f"c-{h.hexdigest()[:12]}.wasm"
        c_build.build_sources(out, zig_cc(), list(sources))
        return out.read_bytes()


def _program_module(text: str):
    """The compiled module of ``text`` before dead-code elimination: the compiler's
    per-program functions ($box_kind_name, ...) and globals ($kid_<S>) that C parts can
    reach stay, whether or not the tiny program uses them."""
    from nyash_build.compiler import codegen, driver
    from nyash_build.compiler.infer import infer
    ss = driver.load("harness.nyash", text)
    with driver._with_sources(ss):
        info = driver._check(ss)
        module, _ = codegen.generate(info, infer(info))
    return module


def linked_module(parts: CParts | None, roots: tuple[str, ...] = (), globals_: tuple[str, ...] = ()):
    """A compiled empty program with ``parts`` (default: the shipped C parts) linked in,
    keeping the C exports, RUNTIME_EXPORTS and ``roots`` alive and exported (and the
    globals named in ``globals_``: the C stack pointer is exported as c_stack_pointer)."""
    module = _program_module("local a = new ArrayBox()\na.push(1)\nprint(a.get(0) == a)\n")
    rt = runtime_lib()
    if parts is None:
        funcs = rt.funcs
        c_exports = rt.c_exports
        extra_g, extra_d = [g for g in rt.globals if g.group], [d for d in rt.data if d.group]
    else:
        link_c_parts([f for f in rt.funcs if f.group is None], parts)
        funcs = [f for f in rt.funcs if f.group is None] + parts.funcs
        c_exports = parts.exports
        extra_g, extra_d = parts.globals, parts.data
    names = {g.name for g in module.globals}
    imported = {i.name for i in module.imports}  # the WASI functions the runtime (C parts too) may call
    module = replace(module, imports=module.imports + [i for i in rt.imports if i.name not in imported],
                     funcs=[f for f in funcs if f.name not in {m.name for m in module.funcs}] + module.funcs,
                     globals=module.globals + [g for g in extra_g if g.name not in names],
                     data=[d for d in module.data if d.group is None] + extra_d)
    want = set(c_exports) | set(RUNTIME_EXPORTS) | set(roots)
    module = reachable_funcs(module, want | {"$_start"})
    exports = [(n[1:], "func", n) for n in sorted(want)]
    if any(g.name == "$c:__stack_pointer" for g in module.globals):
        exports.append(("c_stack_pointer", "global", "$c:__stack_pointer"))
    exports += [(g[1:], "global", g) for g in globals_]
    return replace(module, exports=module.exports + exports)


class CRuntime(Runtime):
    """Like ``harness.Runtime`` but built from the compiler's own linked module IR."""

    def __init__(self, sources: tuple[Path, ...] | None = None, roots: tuple[str, ...] = (),
                 trap_mode: int = 0, globals_: tuple[str, ...] = ()) -> None:
        parts = from_wasm(build_c(*sources)) if sources is not None else None
        self.module = linked_module(parts, roots, globals_)
        self.wasm = encode(self.module).wasm
        self._dir = tempfile.TemporaryDirectory()
        d = Path(self._dir.name)
        self.stdout_path = d / "stdout"
        self.stderr_path = d / "stderr"
        engine = wasmtime.Engine()
        self.store = wasmtime.Store(engine)
        wasi = wasmtime.WasiConfig()
        wasi.stdout_file = str(self.stdout_path)
        wasi.stderr_file = str(self.stderr_path)
        self.store.set_wasi(wasi)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        self.instance = linker.instantiate(self.store, wasmtime.Module(engine, self.wasm))
        self.exports = self.instance.exports(self.store)
        self.memory = self.exports["memory"]
        if trap_mode:
            self.exports["nyash_trap_mode"].set_value(self.store, wasmtime.Val.i32(trap_mode))

    def c_stack_pointer(self) -> int:
        return self.global_("c_stack_pointer")

    def global_(self, name: str) -> int:
        return self.exports[name].value(self.store)

    def set_global(self, name: str, value: int) -> None:
        self.exports[name].set_value(self.store, wasmtime.Val.i32(value))
