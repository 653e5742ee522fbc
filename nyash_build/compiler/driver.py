"""The compiler pipeline as one call: source file -> wasm bytes + metadata.

Each stage is a plain function of the previous stage's data (see docs/design.md);
this module only strings them together and packages the result for the AOT and
bundling stages.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..diagnostics import CompileError, Diagnostic
from ..wasm.encoder import encode
from ..wasm.link import reachable_funcs
from ..wasm.module import Module
from . import codegen
from .infer import infer
from .lexer import decode_source, tokenize
from .parser import parse
from .program import check

__all__ = ["CompileError", "CompileResult", "compile_file", "compile_source", "check_source", "build_module"]


@dataclass
class CompileResult:
    wasm: bytes
    meta: dict
    dependencies: list[Path] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    module: Module | None = None


def check_source(text: str, filename: str):
    """Run every compile-time check; return the checked program (raises CompileError)."""
    return check(parse(tokenize(text, filename), filename))


def build_module(text: str, filename: str) -> tuple[Module, dict[str, str], list[Diagnostic]]:
    info = check_source(text, filename)
    kinds = infer(info)
    module, user_functions = codegen.generate(info, kinds)
    module = reachable_funcs(module, {"$_start"})
    _check_c_parts(module, filename)
    return module, user_functions, info.warnings


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
                raise CompileError([Diagnostic(filename, 0, 0, f"this program needs {ins[1][1:]}, "
                                               f"a runtime part written in C, which is unavailable: {reason}")])


def compile_source(text: str, filename: str, *, debug: bool = False, source_bytes: bytes | None = None) -> CompileResult:
    """Compile Nyash source text to a WASI preview1 module.

    ``debug`` keeps every name (function and local names) in the wasm name section;
    a release build keeps only the function names the runner needs for stack frames.
    """
    module, user_functions, warnings = build_module(text, filename)
    encoded = encode(module, names=True if debug else "functions")
    data = source_bytes if source_bytes is not None else text.encode("utf-8")
    meta = {
        "source_name": Path(filename).name,
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "compiler_version": __version__,
        "line_table": [list(x) for x in encoded.line_table],
        "user_functions": user_functions,
        "debug": debug,
    }
    return CompileResult(encoded.wasm, meta, [], warnings, module)


def compile_file(path: Path | str, *, debug: bool = False) -> CompileResult:
    """Compile a .nyash file; errors carry ``file:line:col``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CompileError([Diagnostic(str(path), 0, 0, f"cannot read source file: {e.strerror or e}")]) from None
    text = decode_source(data, str(path))
    result = compile_source(text, str(path), debug=debug, source_bytes=data)
    result.dependencies = [path]
    return result
