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


class CompileError(Exception):
    """Same shape as the real one: `.diagnostics`, str() is `file:line:col: message`."""

    def __init__(self, diagnostics: list[str]):
        super().__init__("\n".join(diagnostics))
        self.diagnostics = diagnostics


@dataclass
class CompileResult:
    wasm: bytes
    meta: dict
    dependencies: list[Path] = field(default_factory=list)


def compile_file(path: Path, *, debug: bool = False) -> CompileResult:
    text = Path(path).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if "SYNTAX ERROR" in line:
            raise CompileError([f"{path}:{number}:1: unexpected token 'SYNTAX'"])
    digest = hashlib.sha256(text.encode()).hexdigest()
    wasm = b"\0asm\1\0\0\0" + digest.encode() + (b"D" if debug else b"R")
    meta = {"source_name": Path(path).name, "source_sha256": digest,
            "compiler_version": "fake", "line_table": [], "user_functions": []}
    return CompileResult(wasm, meta, [Path(path)])


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
