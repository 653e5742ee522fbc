"""The runtime library (nyash_build/runtime/*.wat, the C runtime parts and
compiler/support.wat) parsed once per process into module IR that every compilation
links in."""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from ..wasm.module import Data, Func, Global, Import


class RuntimeLib:
    """The parsed runtime (plus compiler support code), shared by every compilation.

    ``c_unavailable`` holds the reason when the C runtime parts could not be loaded
    (an installation without the prebuilt artifact and without zig); programs that do
    not reach a C function still compile, others fail with that reason (driver)."""

    def __init__(self) -> None:
        from importlib import resources
        from ..runtime import load_sources
        from ..runtime.c_parts import CPartsError, load_c_parts
        from ..wasm.wat_parser import parse_fields
        texts = load_sources()
        support = (resources.files("nyash_build.compiler") / "support.wat").read_text(encoding="utf-8")
        texts.append(("support.wat", support))
        self.funcs: list[Func] = []
        self.globals: list[Global] = []
        self.data: list[Data] = []
        self.exports: list[tuple[str, str, str]] = []
        self.origin: dict[str, str] = {}  # function name -> source file (for profiles)
        self.imports: list[Import] = []  # WASI functions the runtime calls (dropped when unused)
        for name, text in texts:
            frag = parse_fields(text, name)
            self.origin.update((f.name, name) for f in frag.funcs)
            self.funcs += frag.funcs
            self.globals += frag.globals
            self.data += frag.data
            self.exports += frag.exports
            self.imports += frag.imports
        self.c_unavailable: Optional[str] = None
        self.c_exports: list[str] = []
        try:
            c = load_c_parts()
        except CPartsError as e:
            self.c_unavailable = str(e)
        else:
            link_c_parts(self.funcs, c)
            self.funcs += c.funcs
            self.globals += c.globals
            self.data += c.data
            self.c_exports = c.exports
        self.func_names = {f.name for f in self.funcs}
        self.funcs_by_name = {f.name: f for f in self.funcs}
        self._inliner = None
        self.method_argc: dict[str, int] = {}
        for f in self.funcs:
            if f.name.startswith("$m_"):
                self.method_argc[f.name] = (len(f.params) - 1) // 2

    def missing_c_part(self, file: str, what: str):
        """The environment problem of a program in ``file`` that needs ``what`` from the
        C runtime parts this installation could not load (N0608 when there is no C
        compiler to build them, else N0604): not a compile error (the program may be
        fine) and not a compiler bug."""
        from ..diagnostics import EnvironmentProblem
        from ..prebuilt import NO_COMPILER
        text = self.c_unavailable or "?"
        reason, _, fix = text.partition("; ")  # prebuilt.PrebuiltMissing: WHAT; FIX
        if "pip install" not in fix:
            reason, fix = text, "reinstall nyash-build, or `pip install ziglang` so the C parts can be built here"
        return EnvironmentProblem(f"{file} needs {what}, a runtime part written in C, which is "
                                  f"unavailable: {reason}", fix,
                                  "N0608" if reason.startswith(NO_COMPILER) else "N0604")

    def inlined(self, name: str) -> Func:
        """Runtime function `name` with its small helpers inlined (inline.RuntimeInliner;
        computed on first use and kept, so each process pays only for the functions the
        programs it compiles reach)."""
        if self._inliner is None:
            from .inline import RuntimeInliner
            self._inliner = RuntimeInliner(self.funcs_by_name)
        return self._inliner.inlined(name)

    def kinds(self) -> list[str]:
        """Builtin kinds with methods ("Array", "String", ...), from the function table."""
        return sorted({n.split("_", 2)[1] for n in self.func_names
                       if n.startswith(("$m_", "$mv_")) and n.count("_") >= 2})

    def methods_of(self, kind: str) -> list[str]:
        """Method names of builtin kind ``kind`` ("String", "Array", ...), from the runtime's
        own function table (fixed-arity ``$m_`` and variadic ``$mv_`` functions): what
        suggestions for a misspelled method choose from."""
        out = {n.split("_", 2)[2] for n in self.func_names
               if n.startswith((f"$m_{kind}_", f"$mv_{kind}_"))}
        return sorted(out)


def link_c_parts(runtime_funcs: list[Func], c) -> None:
    """Check that every runtime function C calls exists with the signature C declared,
    and that no C export shadows a runtime function (raises CPartsError)."""
    from ..runtime.c_parts import CPartsError
    by_name = {f.name: f for f in runtime_funcs}
    for name, (params, results) in c.imports.items():
        f = by_name.get(name)
        if f is None:
            raise CPartsError(f"C runtime parts call {name}, which the runtime does not define")
        have = ([p if isinstance(p, str) else p[1] for p in f.params], list(f.results))
        if have != (params, results):
            raise CPartsError(f"C runtime parts declare {name} as {params} -> {results}, "
                              f"the runtime defines {have[0]} -> {have[1]}")
    for name in c.exports:
        if name in by_name:
            raise CPartsError(f"C function {name} has the name of a runtime function")


@lru_cache(maxsize=1)
def runtime_lib() -> RuntimeLib:
    return RuntimeLib()
