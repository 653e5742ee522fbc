"""The compiler pipeline as one call: source file (+ what it includes) -> wasm bytes + metadata.

Each stage is a plain function of the previous stage's data (see docs/design.md);
this module only strings them together and packages the result for the AOT and
bundling stages.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .. import __version__
from ..diagnostics import CompileError, Diagnostic
from ..wasm.encoder import encode
from ..wasm.link import reachable_funcs
from ..wasm.module import Module
from . import codegen
from .inline import inline_runtime_calls
from .runtime_lib import runtime_lib
from .infer import infer
from .program import check, position_order
from .sources import IncludeSettings, SourceSet, load_program

__all__ = ["CompileError", "CompileResult", "IncludeSettings", "compile_file", "compile_source",
           "compile_program", "check_source", "check_program", "check_file", "build_module", "build_program",
           "load"]


@dataclass
class CompileResult:
    wasm: bytes
    meta: dict
    dependencies: list[Path] = field(default_factory=list)  # every source file read
    warnings: list[Diagnostic] = field(default_factory=list)
    module: Module | None = None
    sources: SourceSet | None = None


@contextmanager
def _with_sources(ss: SourceSet) -> Iterator[None]:
    """A CompileError leaving here carries the texts of every file of the compilation."""
    try:
        yield
    except CompileError as e:
        e.sources = {**ss.texts(), **e.sources}
        raise


def load(filename: str | Path, text: str | None = None, *, data: bytes | None = None,
         settings: IncludeSettings | None = None) -> SourceSet:
    """The entry file and everything it includes, parsed and spliced (sources.py)."""
    return load_program(filename, settings, text=text, data=data)


def _check(ss: SourceSet):
    """check() plus the parser's warnings of every file (old spellings); the checked
    program's ``sources`` are the texts diagnostics quote."""
    info = check(ss.program)
    parsed = [w for f in ss.files if f.program is not None for w in f.program.warnings]
    if parsed:
        info.warnings = sorted(info.warnings + parsed, key=position_order(ss.program.files))
    info.sources = ss.texts()
    return info


def check_program(ss: SourceSet):
    """Run every compile-time check; return the checked program (raises CompileError)."""
    with _with_sources(ss):
        return _check(ss)


def check_file(path: Path | str, settings: IncludeSettings | None = None):
    """``nyash check``: every check compiling would run, code generation's included (it
    finds unknown builtin methods), without writing anything."""
    ss = load(path, settings=settings)
    with _with_sources(ss):
        info = _check(ss)
        codegen.generate(info, infer(info))
    return info


def check_source(text: str, filename: str, settings: IncludeSettings | None = None):
    """check_program for source text named ``filename`` (its includes are read)."""
    return check_program(load(filename, text, settings=settings))


def build_program(ss: SourceSet) -> tuple[Module, dict[str, str], list[Diagnostic]]:
    with _with_sources(ss):
        info = _check(ss)
        kinds = infer(info)
        module, user_functions = codegen.generate(info, kinds)
        module = reachable_funcs(module, {"$_start"})
        module = inline_runtime_calls(module, runtime_lib())
        _check_c_parts(module, ss.files[0].shown)
    return module, user_functions, info.warnings


def build_module(text: str, filename: str, settings: IncludeSettings | None = None
                 ) -> tuple[Module, dict[str, str], list[Diagnostic]]:
    return build_program(load(filename, text, settings=settings))


def _check_c_parts(module: Module, filename: str) -> None:
    """A program that needs a C runtime part this installation lacks: say why, once."""
    from .runtime_lib import runtime_lib
    reason = runtime_lib().c_unavailable
    if reason is None:
        return
    defined = {f.name for f in module.funcs} | {i.name for i in module.imports}
    for f in module.funcs:
        for ins in f.body:
            if ins[0] == "call" and ins[1] not in defined:
                raise runtime_lib().missing_c_part(filename, ins[1][1:])


def compile_program(ss: SourceSet, *, debug: bool = False) -> CompileResult:
    """Compile a loaded program to a WASI preview1 module.

    ``debug`` keeps every name (function and local names) in the wasm name section;
    a release build keeps only the function names the runner needs for stack frames.
    The metadata's ``sources`` is the file table the line table's file indices refer to
    (docs/design.md, "Source positions").
    """
    module, user_functions, warnings = build_program(ss)
    encoded = encode(module, names=True if debug else "functions")
    entry = ss.files[0]
    meta = {
        "source_name": entry.name,
        "source_sha256": entry.sha256,
        "sources": ss.meta(),
        "compiler_version": __version__,
        "line_table": [list(x) for x in encoded.line_table],
        "user_functions": user_functions,
        "debug": debug,
    }
    return CompileResult(encoded.wasm, meta, [f.path for f in ss.files], warnings, module, ss)


def compile_source(text: str, filename: str, *, debug: bool = False, source_bytes: bytes | None = None,
                   settings: IncludeSettings | None = None) -> CompileResult:
    """Compile Nyash source text named ``filename`` (its includes are read from disk)."""
    return compile_program(load(filename, text, data=source_bytes, settings=settings), debug=debug)


def compile_file(path: Path | str, *, debug: bool = False,
                 settings: IncludeSettings | None = None) -> CompileResult:
    """Compile a .nyash file and what it includes; errors carry ``file:line:col``."""
    return compile_program(load(path, settings=settings), debug=debug)
