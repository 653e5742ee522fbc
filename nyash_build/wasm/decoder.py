"""Binary decoder: ``.wasm`` bytes -> module IR (the inverse of ``encoder``).

Why: runtime parts written in C are compiled to wasm by zig and must link into every
Nyash module like the hand-written WAT runtime, so they are read back into the same
plain data (``module.py``) the code generator and the WAT parser produce.  Dead-function
elimination, encoding and printing then treat them like any other function.

Scope: the MVP binary format plus the post-MVP instructions the encoder knows
(sign extension, non-trapping float-to-int, bulk memory ``memory.copy``/``memory.fill``,
typed ``select``, multi-value block types).  Tables, indirect calls, reference types
and SIMD are refused with :class:`WasmDecodeError` naming the function: the IR has no
way to express them (docs/design.md, "C runtime parts": no function pointers).

Naming: functions take their name from the "name" custom section (else an import is
``$<module>.<field>`` and a defined function ``$f<index>``; duplicates get ``.2``...), globals
``$g<index>`` unless named; local indices and branch depths stay integers (the IR and
the encoder accept both).  Float constants keep their exact bytes.  The caller (e.g.
``runtime/c_parts.py``) renames what it needs.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Optional

from .module import Data, Func, Global, Import, Memory, Module
from .opcodes import (K_BLOCK, K_BR, K_BR_TABLE, K_CALL, K_ELSE, K_END, K_F32, K_F64,
                      K_GLOBAL, K_I32, K_I64, K_LOCAL, K_MEM, K_PLAIN, K_SELECT, OPS)


class WasmDecodeError(Exception):
    """The bytes are not a module this decoder can express in the IR (message for humans)."""


_VALTYPE = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64"}


def _build_tables() -> tuple[dict[int, tuple[str, int, int]], dict[int, tuple[str, int, int]]]:
    """Opcode byte -> (name, kind, number of fixed trailing zero bytes) for one-byte
    opcodes and for the 0xFC-prefixed ones (keyed by sub-opcode)."""
    single: dict[int, tuple[str, int, int]] = {}
    prefixed: dict[int, tuple[str, int, int]] = {}
    for name, (kind, code) in OPS.items():
        if not code:
            continue  # pseudo-instructions
        if code[0] == 0xFC:
            prefixed[code[1]] = (name, kind, len(code) - 2)
        else:
            single[code[0]] = (name, kind, len(code) - 1)
    return single, prefixed


_SINGLE, _PREFIXED = _build_tables()


@dataclass
class DecodedModule:
    """What a module holds, in IR form plus the raw facts the IR has no slot for."""

    types: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    funcs: list[Func] = field(default_factory=list)
    globals: list[Global] = field(default_factory=list)
    memory: Optional[Memory] = None
    data: list[Data] = field(default_factory=list)
    # (export name, kind in {"func", "global", "memory", "table"}, symbolic name or index)
    exports: list[tuple[str, str, object]] = field(default_factory=list)
    table_elements: int = 0          # function references in element segments
    global_imports: list[tuple[str, str]] = field(default_factory=list)

    def module(self) -> Module:
        """The decoded items as one IR module (exports of functions, globals, memory)."""
        return Module(imports=list(self.imports), funcs=list(self.funcs), globals=list(self.globals),
                      memory=self.memory, data=list(self.data),
                      exports=[(n, k, r) for n, k, r in self.exports if k in ("func", "global", "memory")])


class _Reader:
    __slots__ = ("b", "i", "end")

    def __init__(self, b: bytes, i: int = 0, end: Optional[int] = None) -> None:
        self.b = b
        self.i = i
        self.end = len(b) if end is None else end

    def byte(self) -> int:
        if self.i >= self.end:
            raise WasmDecodeError("unexpected end of data")
        v = self.b[self.i]
        self.i += 1
        return v

    def uleb(self) -> int:
        result = shift = 0
        while True:
            v = self.byte()
            result |= (v & 0x7F) << shift
            if not v & 0x80:
                return result
            shift += 7
            if shift > 63:
                raise WasmDecodeError("LEB128 integer too long")

    def sleb(self, bits: int) -> int:
        result = shift = 0
        while True:
            v = self.byte()
            result |= (v & 0x7F) << shift
            shift += 7
            if not v & 0x80:
                if v & 0x40 and shift < bits + 7:
                    result -= 1 << shift
                break
            if shift > bits + 7:
                raise WasmDecodeError("LEB128 integer too long")
        return result

    def bytes_(self, n: int) -> bytes:
        if self.i + n > self.end:
            raise WasmDecodeError("unexpected end of data")
        v = self.b[self.i:self.i + n]
        self.i += n
        return v

    def name(self) -> str:
        return self.bytes_(self.uleb()).decode("utf-8")

    def valtype(self) -> str:
        v = self.byte()
        t = _VALTYPE.get(v)
        if t is None:
            raise WasmDecodeError(f"unsupported value type 0x{v:02x}")
        return t

    def limits(self) -> tuple[int, Optional[int]]:
        flag = self.byte()
        lo = self.uleb()
        hi = self.uleb() if flag & 1 else None
        return lo, hi

    def const_expr(self) -> int | float | bytes:
        op = self.byte()
        if op == 0x41:
            v: int | float | bytes = self.sleb(32)
        elif op == 0x42:
            v = self.sleb(64)
        elif op == 0x43:
            v = struct.unpack("<f", self.bytes_(4))[0]
        elif op == 0x44:
            v = struct.unpack("<d", self.bytes_(8))[0]
        else:
            raise WasmDecodeError(f"unsupported constant expression opcode 0x{op:02x}")
        if self.byte() != 0x0B:
            raise WasmDecodeError("constant expression longer than one instruction")
        return v


def decode(wasm: bytes) -> DecodedModule:
    """Decode a whole module; raises :class:`WasmDecodeError` for anything unsupported."""
    if wasm[:8] != b"\x00asm\x01\x00\x00\x00":
        raise WasmDecodeError("not a WebAssembly version 1 module")
    m = DecodedModule()
    r = _Reader(wasm, 8)
    func_types: list[int] = []
    bodies: list[tuple[int, int]] = []
    global_specs: list[tuple[str, bool, object]] = []
    func_names: dict[int, str] = {}
    global_names: dict[int, str] = {}
    while r.i < r.end:
        sid = r.byte()
        size = r.uleb()
        if r.i + size > r.end:
            raise WasmDecodeError("unexpected end of data")
        s = _Reader(wasm, r.i, r.i + size)
        r.i += size
        if sid == 0:
            cname = s.name()
            if cname == "name":
                _names(s, func_names, global_names)
        elif sid == 1:
            for _ in range(s.uleb()):
                if s.byte() != 0x60:
                    raise WasmDecodeError("type section: only function types are supported")
                params = tuple(s.valtype() for _ in range(s.uleb()))
                results = tuple(s.valtype() for _ in range(s.uleb()))
                m.types.append((params, results))
        elif sid == 2:
            for _ in range(s.uleb()):
                mod, fld = s.name(), s.name()
                kind = s.byte()
                if kind == 0:
                    p, res = m.types[s.uleb()]
                    m.imports.append(Import(mod, fld, f"${mod}.{fld}", list(p), list(res)))
                elif kind == 3:
                    s.valtype()
                    s.byte()
                    m.global_imports.append((mod, fld))
                else:
                    raise WasmDecodeError(f"import {mod}.{fld}: only function and global imports are supported")
        elif sid == 3:
            func_types = [s.uleb() for _ in range(s.uleb())]
        elif sid == 4:
            for _ in range(s.uleb()):
                s.byte()
                s.limits()
        elif sid == 5:
            if s.uleb() != 1:
                raise WasmDecodeError("memory section: exactly one memory expected")
            lo, hi = s.limits()
            m.memory = Memory(lo, hi)
        elif sid == 6:
            for _ in range(s.uleb()):
                t = s.valtype()
                mut = s.byte() == 1
                global_specs.append((t, mut, s.const_expr()))
        elif sid == 7:
            for _ in range(s.uleb()):
                ename = s.name()
                kind = s.byte()
                idx = s.uleb()
                m.exports.append((ename, {0: "func", 1: "table", 2: "memory", 3: "global"}.get(kind, "?"), idx))
        elif sid == 9:
            for _ in range(s.uleb()):
                flags = s.uleb()
                if flags not in (0,):
                    raise WasmDecodeError("element section: only active function-index segments are supported")
                s.const_expr()
                n = s.uleb()
                for _ in range(n):
                    s.uleb()
                m.table_elements += n
        elif sid == 10:
            for _ in range(s.uleb()):
                n = s.uleb()
                bodies.append((s.i, s.i + n))
                s.i += n
        elif sid == 11:
            for _ in range(s.uleb()):
                flags = s.uleb()
                if flags == 1:
                    raise WasmDecodeError("data section: passive segments are not supported")
                if flags == 2:
                    s.uleb()
                offset = s.const_expr()
                if not isinstance(offset, int):
                    raise WasmDecodeError("data section: non-integer offset")
                m.data.append(Data(offset & 0xFFFFFFFF, bytes(s.bytes_(s.uleb()))))
        elif sid in (8, 12):
            pass  # start function (none expected), data count
        else:
            raise WasmDecodeError(f"unsupported section id {sid}")
    nimp = len(m.imports)
    for i, imp in enumerate(m.imports):
        if i in func_names:
            imp.name = "$" + func_names[i]
    all_names = [imp.name for imp in m.imports]
    if len(set(all_names)) != nimp:
        raise WasmDecodeError("two imported functions have the same name")
    used: set[str] = set(all_names)
    for i in range(len(func_types)):
        base = "$" + func_names.get(nimp + i, f"f{nimp + i}")
        nm, k = base, 1
        while nm in used:
            k += 1
            nm = f"{base}.{k}"
        used.add(nm)
        all_names.append(nm)
    gnames = []
    nglob_imp = len(m.global_imports)
    for gi, (t, mut, init) in enumerate(global_specs):
        nm = "$" + global_names.get(nglob_imp + gi, f"g{nglob_imp + gi}")
        gnames.append(nm)
        m.globals.append(Global(nm, t, mut, init))  # type: ignore[arg-type]
    if len(bodies) != len(func_types):
        raise WasmDecodeError("function and code sections disagree")
    for i, (ti, (lo, hi)) in enumerate(zip(func_types, bodies)):
        params, results = m.types[ti]
        fname = all_names[nimp + i]
        m.funcs.append(_body(wasm, lo, hi, fname, list(params), list(results), m.types, all_names,
                             ["$imported_global"] * nglob_imp + gnames))
    resolved = []
    for ename, kind, idx in m.exports:
        if kind == "func":
            resolved.append((ename, kind, all_names[idx]))
        elif kind == "global":
            resolved.append((ename, kind, (["$imported_global"] * nglob_imp + gnames)[idx]))
        else:
            resolved.append((ename, kind, idx))
    m.exports = resolved
    return m


def _names(s: _Reader, func_names: dict[int, str], global_names: dict[int, str]) -> None:
    while s.i < s.end:
        sub = s.byte()
        size = s.uleb()
        end = s.i + size
        if sub in (1, 7):  # function names, global names
            target = func_names if sub == 1 else global_names
            for _ in range(s.uleb()):
                idx = s.uleb()
                target[idx] = s.name()
        s.i = end


def _body(wasm: bytes, lo: int, hi: int, fname: str, params: list[str], results: list[str],
          types: list, funcs: list[str], globals_: list[str]) -> Func:
    r = _Reader(wasm, lo, hi)
    locals_: list[tuple[Optional[str], str]] = []
    for _ in range(r.uleb()):
        n = r.uleb()
        t = r.valtype()
        locals_.extend([(None, t)] * n)
    body: list[tuple] = []
    append = body.append
    depth = 1  # the function body's own block
    single, prefixed = _SINGLE, _PREFIXED
    while True:
        op = r.byte()
        if op == 0xFC:
            sub = r.uleb()
            ent = prefixed.get(sub)
        elif op == 0x1C:
            ent = ("select", K_SELECT, 0)
        else:
            ent = single.get(op)
        if ent is None:
            what = f"0xfc {sub}" if op == 0xFC else f"0x{op:02x}"
            hint = " (an indirect call: C function pointers are not supported)" if op == 0x11 else ""
            raise WasmDecodeError(f"function {fname}: unsupported instruction {what}{hint}")
        name, kind, zeros = ent
        if kind == K_PLAIN:
            for _ in range(zeros):
                if r.byte() != 0:
                    raise WasmDecodeError(f"function {fname}: {name} with a non-zero memory index")
            append((name,))
        elif kind == K_LOCAL:
            append((name, r.uleb()))
        elif kind == K_I32:
            append((name, r.sleb(32)))
        elif kind == K_I64:
            append((name, r.sleb(64)))
        elif kind == K_MEM:
            align = r.uleb()
            append((name, r.uleb(), align))
        elif kind == K_CALL:
            append((name, funcs[r.uleb()]))
        elif kind == K_GLOBAL:
            append((name, globals_[r.uleb()]))
        elif kind == K_BLOCK:
            b = wasm[r.i]
            if b == 0x40:
                r.i += 1
                bt: object = None
            elif b in _VALTYPE:
                r.i += 1
                bt = _VALTYPE[b]
            else:
                p, res = types[r.sleb(33)]
                bt = (tuple(p), tuple(res))
            append((name, None, bt))
            depth += 1
        elif kind == K_END:
            depth -= 1
            if depth == 0:
                if r.i != hi:
                    raise WasmDecodeError(f"function {fname}: code after the final end")
                break
            append(("end",))
        elif kind == K_ELSE:
            append(("else",))
        elif kind == K_BR:
            append((name, r.uleb()))
        elif kind == K_BR_TABLE:
            targets = [r.uleb() for _ in range(r.uleb())]
            append((name, targets, r.uleb()))
        elif kind == K_F32:
            append((name, r.bytes_(4)))
        elif kind == K_F64:
            append((name, r.bytes_(8)))
        elif kind == K_SELECT:
            if op == 0x1C:
                n = r.uleb()
                if n != 1:
                    raise WasmDecodeError(f"function {fname}: typed select with {n} types")
                append(("select", r.valtype()))
            else:
                append(("select",))
        else:  # pragma: no cover - table and decoder out of sync
            raise WasmDecodeError(f"function {fname}: unhandled instruction {name}")
    return Func(fname, [(None, t) for t in params], results, locals_, body)
