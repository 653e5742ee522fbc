"""Test harness for the runtime library: assemble every runtime file into one module,
stub functions whose file is not written yet (signatures from ``runtime/api.py``), export
every function, and call them from pytest through wasmtime.

Assembly uses ``wasmtime.wat2wasm`` here so runtime tests do not depend on the project's
own encoder; ``tests/wasm`` cross-checks the encoder against the same runtime text.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import wasmtime

from nyash_build.runtime import load_sources
from nyash_build.runtime.api import SIGNATURES

_FUNC_DEF = re.compile(r"\(func\s+(\$[\w.$]+)")
_CALL = re.compile(r"\bcall\s+(\$[\w.$]+)")

PRELUDE = """
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 4 16384)
  (global $heap_base i32 (i32.const 0x30000))
"""

CLASS_NAME_STUB = """
  (data (i32.const 0x2DF00) "\\ff\\ff\\ff\\ff\\05\\00\\00\\00Thing")
  (func $class_name (param $cid i32) (result i32) (i32.const 0x2DF00))
"""


_IMPORT = re.compile(r"^\s*\(import .*\)\s*$", re.M)


def module_text(extra: str = "") -> str:
    """The WAT text of a test module holding the whole runtime plus ``extra`` fields.

    Import fields of the runtime files are hoisted (the text format wants them before
    every definition); the kind-id globals the compiler defines are added."""
    from nyash_build.compiler.boxkinds import KINDS
    body = "\n".join(text for _, text in load_sources()) + "\n" + extra
    imports = _IMPORT.findall(body)
    body = _IMPORT.sub("", body)
    defined = set(_FUNC_DEF.findall(body)) | {"$fd_write", "$proc_exit"}
    defined |= {m for i in imports for m in _FUNC_DEF.findall(i)}
    parts = [*imports, PRELUDE]
    parts += [f"  (global $kid_{k.short} i32 (i32.const {k.kid}))" for k in KINDS]
    if "$class_name" not in defined:
        parts.append(CLASS_NAME_STUB)
        defined.add("$class_name")
    for name in sorted(set(_CALL.findall(body)) - defined):
        params, results = SIGNATURES[name]
        p = " ".join(f"(param {t})" for t in params)
        r = f"(result {' '.join(results)})" if results else ""
        parts.append(f"  (func {name} {p} {r} unreachable)")
        defined.add(name)
    imported = {m for i in imports for m in _FUNC_DEF.findall(i)} | {"$fd_write", "$proc_exit"}
    exports = "\n".join(f'  (export "{n[1:]}" (func {n}))' for n in sorted(defined)
                        if n not in imported)
    return "(module\n" + "\n".join(parts) + "\n" + body + "\n" + exports + "\n)"


class Runtime:
    """One instantiated runtime module; ``rt.f(args...)`` calls exported function f."""

    def __init__(self, extra: str = "", trap_mode: int = 0) -> None:
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
        self.wat = module_text(extra)
        module = wasmtime.Module(engine, wasmtime.wat2wasm(self.wat))
        self.instance = linker.instantiate(self.store, module)
        self.exports = self.instance.exports(self.store)
        self.memory = self.exports["memory"]

    def __getattr__(self, name: str):
        try:
            func = self.exports[name]
        except KeyError:
            raise AttributeError(name) from None
        return lambda *args: func(self.store, *args)

    # helpers -----------------------------------------------------------------
    def read_bytes(self, addr: int, n: int) -> bytes:
        return bytes(self.memory.read(self.store, addr, addr + n))

    def read_i32(self, addr: int) -> int:
        return int.from_bytes(self.read_bytes(addr, 4), "little", signed=True)

    def str_value(self, ptr: int) -> str:
        """The text of the string object at ptr."""
        n = self.read_i32(ptr + 4)
        return self.read_bytes(ptr + 8, n).decode("utf-8")

    def make_str(self, text: str) -> int:
        """A fresh (rc=1) string object holding text."""
        data = text.encode("utf-8")
        ptr = self.str_new(len(data))
        if data:  # wasmtime-py rejects even an empty write that starts at the memory's end
            self.memory.write(self.store, data, ptr + 8)
        return ptr

    def stdout(self) -> str:
        self.out_flush()
        return self.stdout_path.read_text(encoding="utf-8")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8")

    def memory_bytes(self) -> int:
        return self.memory.data_len(self.store)
