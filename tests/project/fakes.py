"""Fast stand-ins for the compiler, AOT and bundler, so doit behaviour tests run in ms.

They honour the real APIs' contracts (signatures, atomic writes, CompileError text) and
count calls, but produce placeholder bytes. Installed through sys.modules, so the task
library imports them exactly like the real modules.
"""
from __future__ import annotations

import hashlib
import os
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nyash_build.diagnostics import Diagnostic


class CompileError(Exception):
    """Same shape as the real one: `.diagnostics` (Diagnostic objects), `.sources`,
    str() is one `file:line:col: error: message` header per diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(d.render() for d in diagnostics))
        self.diagnostics = diagnostics
        self.sources: dict[str, str] = {}


@dataclass
class CompileResult:
    wasm: bytes
    meta: dict
    dependencies: list[Path] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    module: object = None
    sources: object = None  # the real one: a SourceSet (texts() for snippets)


def compile_file(path: Path, *, debug: bool = False, settings=None) -> CompileResult:
    """Reads the file and everything it includes (the real resolution, via the
    scanner), so the output changes exactly when one of them does."""
    from nyash_build.compiler.includes import IncludeSettings, resolve_include
    from nyash_build.project.scan import Scanner

    settings = settings or IncludeSettings.single_file()
    scanner = Scanner()
    closure = scanner.closure(Path(path), settings)
    digest = hashlib.sha256()
    for name, file in zip(closure.names, closure.files):
        text = file.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if "SYNTAX ERROR" in line:
                shown = str(path) if file == closure.files[0] else name
                raise CompileError([Diagnostic(shown, number, 1, "unexpected token 'SYNTAX'", code="N0110",
                                               end_col=7)])
        for spec in scanner.includes_of(file) or ():
            if resolve_include(spec, file, settings).path is None:
                raise CompileError([Diagnostic(name, 0, 0, f"cannot include {spec!r}", code="N0601")])
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    wasm = b"\0asm\1\0\0\0" + digest.hexdigest().encode() + (b"D" if debug else b"R")
    meta = {"source_name": Path(path).name, "source_sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
            "sources": [{"name": n, "sha256": hashlib.sha256(f.read_bytes()).hexdigest()}
                        for n, f in zip(closure.names, closure.files)],
            "compiler_version": "fake", "line_table": [], "user_functions": []}
    return CompileResult(wasm, meta, list(closure.files))


def precompile(wasm: bytes, variant: str, *, debug: bool = False, opt_level: str = "speed") -> bytes:
    return b"CWASM:" + variant.encode() + b":" + opt_level.encode() + b":" + hashlib.sha256(wasm).hexdigest().encode()


def build_executable(out_path: Path, *, wasm: bytes, cwasm: dict, meta: dict) -> None:
    body = hashlib.sha256(wasm + b"".join(cwasm[k] for k in sorted(cwasm))).hexdigest()
    script = f"#!/bin/sh\necho 'fake app {meta['source_name']} {body[:12]}'\n".encode()
    tmp = Path(str(out_path) + ".tmp")
    tmp.write_bytes(script)
    os.chmod(tmp, 0o755)
    os.replace(tmp, out_path)


def install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the fakes where the task library imports the real stages from."""
    driver = types.ModuleType("nyash_build.compiler.driver")
    driver.compile_file, driver.CompileError, driver.CompileResult = compile_file, CompileError, CompileResult
    aot = types.ModuleType("nyash_build.aot.compile")
    aot.precompile = precompile
    exe = types.ModuleType("nyash_build.bundle.exe")
    exe.build_executable = build_executable
    for name, module in (("nyash_build.compiler.driver", driver), ("nyash_build.aot.compile", aot),
                         ("nyash_build.bundle.exe", exe)):
        monkeypatch.setitem(sys.modules, name, module)
