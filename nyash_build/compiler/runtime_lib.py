"""The runtime library (nyash_build/runtime/*.wat plus compiler/support.wat) parsed
once per process into module IR that every compilation links in."""
from __future__ import annotations

from functools import lru_cache

from ..wasm.module import Data, Func, Global

class RuntimeLib:
    """The parsed runtime (plus compiler support code), shared by every compilation."""

    def __init__(self) -> None:
        from importlib import resources
        from ..runtime import load_sources
        from ..wasm.wat_parser import parse_fields
        texts = load_sources()
        support = (resources.files("nyash_build.compiler") / "support.wat").read_text(encoding="utf-8")
        texts.append(("support.wat", support))
        self.funcs: list[Func] = []
        self.globals: list[Global] = []
        self.data: list[Data] = []
        self.exports: list[tuple[str, str, str]] = []
        for name, text in texts:
            frag = parse_fields(text, name)
            self.funcs += frag.funcs
            self.globals += frag.globals
            self.data += frag.data
            self.exports += frag.exports
        self.func_names = {f.name for f in self.funcs}
        self.method_argc: dict[str, int] = {}
        for f in self.funcs:
            if f.name.startswith("$m_"):
                self.method_argc[f.name] = (len(f.params) - 1) // 2


@lru_cache(maxsize=1)
def runtime_lib() -> RuntimeLib:
    return RuntimeLib()
