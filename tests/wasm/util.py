"""Helpers for the wasm toolkit tests: instantiate modules, read sections."""
from __future__ import annotations

from typing import Any, Callable, Optional

import wasmtime


def read_uleb(b: bytes, pos: int) -> tuple[int, int]:
    """Decode unsigned LEB128 at ``pos``; return (value, new pos)."""
    result = shift = 0
    while True:
        byte = b[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def read_sleb(b: bytes, pos: int) -> tuple[int, int]:
    """Decode signed LEB128 at ``pos``; return (value, new pos)."""
    result = shift = 0
    while True:
        byte = b[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            if byte & 0x40:
                result -= 1 << shift
            return result, pos


def sections(wasm: bytes) -> dict[int, list[bytes]]:
    """Section id -> payloads (custom sections may repeat)."""
    assert wasm[:8] == b"\x00asm\x01\x00\x00\x00"
    pos = 8
    out: dict[int, list[bytes]] = {}
    while pos < len(wasm):
        sid = wasm[pos]
        size, pos = read_uleb(wasm, pos + 1)
        out.setdefault(sid, []).append(wasm[pos:pos + size])
        pos += size
    return out


_VT = {"i32": wasmtime.ValType.i32, "i64": wasmtime.ValType.i64,
       "f32": wasmtime.ValType.f32, "f64": wasmtime.ValType.f64}


class Inst:
    """An instantiated module; ``inst("f", *args)`` calls export f."""

    def __init__(self, wasm: bytes,
                 host: Optional[dict[tuple[str, str], tuple[str, str, Callable]]] = None
                 ) -> None:
        """``host`` maps (module, field) to ("i32 i32", "i64", python function)."""
        self.engine = wasmtime.Engine()
        self.store = wasmtime.Store(self.engine)
        linker = wasmtime.Linker(self.engine)
        for key, (params, results, fn) in (host or {}).items():
            # FuncType objects must not be shared between linkers: build one per use.
            ty = wasmtime.FuncType([_VT[t]() for t in params.split()],
                                   [_VT[t]() for t in results.split()])
            linker.define_func(key[0], key[1], ty, fn)
        module = wasmtime.Module(self.engine, wasm)
        self.instance = linker.instantiate(self.store, module)
        self.exports = self.instance.exports(self.store)

    def __call__(self, name: str, *args: Any) -> Any:
        return self.exports[name](self.store, *args)

    def outcome(self, name: str, *args: Any) -> Any:
        """Result, or ('trap', message-first-line) when the call traps."""
        try:
            return self(name, *args)
        except wasmtime.Trap as e:
            return ("trap", str(e.message).splitlines()[0])

    def memory(self, name: str = "memory") -> bytes:
        mem = self.exports[name]
        return bytes(mem.read(self.store, 0, mem.data_len(self.store)))
