"""Binary encoder: module IR -> ``.wasm`` bytes plus a source line table.

Written for speed (the whole program plus runtime is encoded on every build): one
dict lookup per instruction selects the immediate kind, bytes go into one bytearray,
and index LEB128 encodings are precomputed per name.  Output is a pure function of the
IR (no dict-order or id() dependence), so builds are reproducible.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from .module import Func, Module, param_name, param_type
from .opcodes import (K_BLOCK, K_BR, K_BR_TABLE, K_CALL, K_ELSE, K_END, K_F32, K_F64,
                      K_GLOBAL, K_I32, K_I64, K_LINE, K_LOCAL, K_MEM, K_PLAIN, K_SELECT,
                      NATURAL_ALIGN, OPS, VALTYPES)


class WasmEncodeError(Exception):
    """The IR cannot be encoded (unknown op, unknown name, bad immediate)."""


@dataclass
class Encoded:
    """Result of :func:`encode`.

    ``line_table`` holds ``(absolute module offset, file index, line)`` for the first
    instruction after each ("line", n[, file]) marker (file defaults to 0), strictly
    increasing in offset (when several markers precede the same instruction only the
    last is kept).  A wasm trap offset maps to the file and line of the last entry at
    or before it.
    """

    wasm: bytes
    line_table: list[tuple[int, int, int]] = field(default_factory=list)


# ---------------------------------------------------------------- LEB128 helpers

def uleb(n: int) -> bytes:
    """Unsigned LEB128."""
    if 0 <= n < 0x80:
        return bytes((n,))
    if n < 0:
        raise WasmEncodeError(f"negative value {n} where an unsigned integer is required")
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(n: int) -> bytes:
    """Signed LEB128."""
    if -64 <= n < 64:
        return bytes((n & 0x7F,))
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


_ULEB_SMALL = [uleb(i) for i in range(4096)]


def _u(n: int) -> bytes:
    return _ULEB_SMALL[n] if 0 <= n < 4096 else uleb(n)


def wrap_i32(n: int) -> int:
    """Accept signed or unsigned 32-bit ints; return the signed value."""
    if -0x80000000 <= n < 0x80000000:
        return n
    if 0x80000000 <= n <= 0xFFFFFFFF:
        return n - 0x100000000
    raise WasmEncodeError(f"i32 constant out of range: {n}")


def wrap_i64(n: int) -> int:
    """Accept signed or unsigned 64-bit ints; return the signed value."""
    if -0x8000000000000000 <= n < 0x8000000000000000:
        return n
    if 0x8000000000000000 <= n <= 0xFFFFFFFFFFFFFFFF:
        return n - 0x10000000000000000
    raise WasmEncodeError(f"i64 constant out of range: {n}")


def _name_bytes(s: str) -> bytes:
    b = s.encode("utf-8")
    return _u(len(b)) + b


def _vec(items: list[bytes]) -> bytes:
    return _u(len(items)) + b"".join(items)


def _section(sid: int, payload: bytes) -> bytes:
    return bytes((sid,)) + uleb(len(payload)) + payload


def _valtype(t: Any, where: str) -> int:
    try:
        return VALTYPES[t]
    except (KeyError, TypeError):
        raise WasmEncodeError(f"{where}: unknown value type {t!r}") from None


def _strip(name: str) -> str:
    return name[1:] if name.startswith("$") else name


# ---------------------------------------------------------------- type interning

class _Types:
    """Function types in first-use order (deterministic)."""

    def __init__(self) -> None:
        self.index: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}

    def get(self, params: tuple[str, ...], results: tuple[str, ...]) -> int:
        key = (params, results)
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.index)
        return i

    def section(self) -> bytes:
        entries = []
        for params, results in self.index:
            entries.append(b"\x60" + _vec([bytes((_valtype(t, "type"),)) for t in params])
                           + _vec([bytes((_valtype(t, "type"),)) for t in results]))
        return _vec(entries)


# ---------------------------------------------------------------- function bodies

class _FuncEncoder:
    """Encodes function bodies; holds the module-wide name -> index-bytes maps."""

    def __init__(self, funcs: dict[str, bytes], globals_: dict[str, bytes],
                 types: _Types) -> None:
        self.funcs = funcs
        self.globals = globals_
        self.types = types

    def blocktype(self, bt: Any, fname: str) -> bytes:
        if bt is None:
            return b"\x40"
        if isinstance(bt, str):
            return bytes((_valtype(bt, fname),))
        try:
            params, results = bt
            params, results = tuple(params), tuple(results)
        except (TypeError, ValueError):
            raise WasmEncodeError(f"{fname}: bad block type {bt!r}") from None
        if not params and not results:
            return b"\x40"
        if not params and len(results) == 1:
            return bytes((_valtype(results[0], fname),))
        for t in params + results:
            _valtype(t, fname)
        return sleb(self.types.get(params, results))

    def encode(self, f: Func) -> tuple[bytes, list[tuple[int, int, int]]]:
        """Return the body bytes (locals + code + end) and body-relative line marks
        ``(offset, file, line)``."""
        fname = f.name
        local_idx: dict[Any, bytes] = {}
        n = 0
        for p in f.params:
            nm = param_name(p)
            if nm is not None:
                local_idx[nm] = _u(n)
            n += 1
        # Locals: run-length groups of equal types, in declaration order.
        groups: list[list] = []
        for nm, t in f.locals:
            if nm is not None:
                local_idx[nm] = _u(n)
            n += 1
            vt = _valtype(t, fname)
            if groups and groups[-1][1] == vt:
                groups[-1][0] += 1
            else:
                groups.append([1, vt])
        nlocals = n
        out = bytearray(_u(len(groups)))
        for cnt, vt in groups:
            out += _u(cnt)
            out.append(vt)
        lines: list[tuple[int, int, int]] = []
        try:
            self._code(f, out, local_idx, nlocals, lines)
        except WasmEncodeError:
            raise
        except (KeyError, ValueError, TypeError, IndexError, struct.error) as e:
            raise WasmEncodeError(f"function {fname}: bad instruction: {e}") from None
        out.append(0x0B)
        return bytes(out), lines

    def _code(self, f: Func, out: bytearray, local_idx: dict[Any, bytes], nlocals: int,
              lines: list[tuple[int, int, int]]) -> None:
        ops = OPS
        funcs = self.funcs
        globals_ = self.globals
        append = out.append
        extend = out.extend
        labels: list[Optional[str]] = []     # innermost last
        kinds: list[str] = []                # "block" | "loop" | "if" | "else"
        fname = f.name
        for ins in f.body:
            op = ins[0]
            ent = ops.get(op)
            if ent is None:
                raise WasmEncodeError(f"function {fname}: unknown instruction {op!r}")
            kind, code = ent
            if kind == K_PLAIN:
                extend(code)
            elif kind == K_LOCAL:
                extend(code)
                ref = ins[1]
                b = local_idx.get(ref)
                if b is None:
                    if isinstance(ref, int) and 0 <= ref < nlocals:
                        b = _u(ref)
                    else:
                        raise WasmEncodeError(
                            f"function {fname}: {op} of unknown local {ref!r}")
                extend(b)
            elif kind == K_I32:
                extend(code)
                v = ins[1]
                if -64 <= v < 64:
                    append(v & 0x7F)
                else:
                    extend(sleb(wrap_i32(v)))
            elif kind == K_CALL or kind == K_GLOBAL:
                extend(code)
                ref = ins[1]
                table = funcs if kind == K_CALL else globals_
                b = table.get(ref)
                if b is None:
                    if isinstance(ref, int) and ref >= 0:
                        b = _u(ref)
                    else:
                        what = "function" if kind == K_CALL else "global"
                        raise WasmEncodeError(
                            f"function {fname}: {op} of unknown {what} {ref!r}")
                extend(b)
            elif kind == K_MEM:
                extend(code)
                offset = ins[1] if len(ins) > 1 else 0
                align = ins[2] if len(ins) > 2 else None
                extend(_u(NATURAL_ALIGN[op] if align is None else align))
                extend(_u(offset or 0))
            elif kind == K_I64:
                extend(code)
                v = ins[1]
                if -64 <= v < 64:
                    append(v & 0x7F)
                else:
                    extend(sleb(wrap_i64(v)))
            elif kind == K_BLOCK:
                extend(code)
                label = ins[1] if len(ins) > 1 else None
                extend(self.blocktype(ins[2] if len(ins) > 2 else None, fname))
                labels.append(label)
                kinds.append(op)
            elif kind == K_END:
                if not labels:
                    raise WasmEncodeError(f"function {fname}: 'end' without open block")
                labels.pop()
                kinds.pop()
                append(0x0B)
            elif kind == K_BR:
                extend(code)
                extend(_u(self._depth(ins[1], labels, fname, op)))
            elif kind == K_LINE:
                lines.append((len(out), ins[2] if len(ins) > 2 else 0, ins[1]))
            elif kind == K_ELSE:
                if not kinds or kinds[-1] != "if":
                    raise WasmEncodeError(f"function {fname}: 'else' outside of 'if'")
                kinds[-1] = "else"
                append(0x05)
            elif kind == K_BR_TABLE:
                extend(code)
                targets = ins[1]
                extend(_u(len(targets)))
                for t in targets:
                    extend(_u(self._depth(t, labels, fname, op)))
                extend(_u(self._depth(ins[2], labels, fname, op)))
            elif kind == K_F64:
                extend(code)
                extend(_f64_bytes(ins[1]))
            elif kind == K_F32:
                extend(code)
                extend(_f32_bytes(ins[1]))
            elif kind == K_SELECT:
                if len(ins) > 1 and ins[1] is not None:
                    extend(b"\x1c\x01")
                    append(_valtype(ins[1], fname))
                else:
                    append(0x1B)
            else:  # pragma: no cover - table and dispatch out of sync
                raise WasmEncodeError(f"function {fname}: unhandled instruction {op!r}")
        if labels:
            raise WasmEncodeError(
                f"function {fname}: {len(labels)} block(s) not closed with 'end'")

    @staticmethod
    def _depth(ref: Any, labels: list[Optional[str]], fname: str, op: str) -> int:
        if isinstance(ref, int):
            if 0 <= ref <= len(labels):
                return ref
            raise WasmEncodeError(f"function {fname}: {op} depth {ref} out of range")
        for i in range(len(labels) - 1, -1, -1):
            if labels[i] == ref:
                return len(labels) - 1 - i
        raise WasmEncodeError(f"function {fname}: {op} to unknown label {ref!r}")


def _f64_bytes(x: Any) -> bytes:
    if isinstance(x, (bytes, bytearray)):
        return bytes(x)
    return struct.pack("<d", x)


def _f32_bytes(x: Any) -> bytes:
    if isinstance(x, (bytes, bytearray)):
        return bytes(x)
    x = float(x)
    if math.isfinite(x) and abs(x) > 3.4028234663852886e38:
        # Values past FLT_MAX that still round to it are legal WAT; pack would raise.
        try:
            return struct.pack("<f", x)
        except OverflowError:
            return struct.pack("<f", math.copysign(math.inf, x))
    return struct.pack("<f", x)


# ---------------------------------------------------------------- module assembly

def _const_expr(valtype: str, init: Any, where: str) -> bytes:
    if valtype == "i32":
        return b"\x41" + sleb(wrap_i32(int(init))) + b"\x0b"
    if valtype == "i64":
        return b"\x42" + sleb(wrap_i64(int(init))) + b"\x0b"
    if valtype == "f32":
        return b"\x43" + _f32_bytes(init) + b"\x0b"
    if valtype == "f64":
        return b"\x44" + _f64_bytes(init) + b"\x0b"
    raise WasmEncodeError(f"{where}: unknown value type {valtype!r}")


def _index_map(names: list[str], what: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for i, nm in enumerate(names):
        if nm in out:
            raise WasmEncodeError(f"duplicate {what} name {nm}")
        out[nm] = _u(i)
    return out


NamesOption = Union[bool, str]
NAMES_OPTIONS = (True, "functions", False)


def encode(module: Module, *, names: NamesOption = True) -> Encoded:
    """Encode ``module`` to wasm bytes; record absolute offsets of ("line", ...) marks.

    ``names`` chooses the custom "name" section: True keeps function and local names
    (debug builds), "functions" keeps only function names (release builds: the runner
    needs them to print Nyash stack frames) and False writes no name section.
    Raises :class:`WasmEncodeError` for unknown ops, names, labels or bad immediates.
    """
    if not (isinstance(names, bool) or names == "functions"):
        raise WasmEncodeError(f"names must be True, 'functions' or False, not {names!r}")
    types = _Types()
    func_names = [imp.name for imp in module.imports] + [f.name for f in module.funcs]
    func_map = _index_map(func_names, "function")
    global_map = _index_map([g.name for g in module.globals], "global")

    imports = []
    for imp in module.imports:
        ti = types.get(tuple(param_type(p) for p in imp.params), tuple(imp.results))
        imports.append(_name_bytes(imp.module) + _name_bytes(imp.field) + b"\x00" + _u(ti))
    # Each function's type is interned just before its block types, the order
    # wasmtime's own assembler uses: identical code sections ease cross-checking.
    fenc = _FuncEncoder(func_map, global_map, types)
    func_types = []
    bodies: list[bytes] = []
    marks: list[list[tuple[int, int, int]]] = []
    for f in module.funcs:
        func_types.append(_u(types.get(tuple(param_type(p) for p in f.params),
                                       tuple(f.results))))
        body, lines = fenc.encode(f)
        bodies.append(body)
        marks.append(lines)

    globals_ = [bytes((_valtype(g.valtype, g.name), 1 if g.mutable else 0))
                + _const_expr(g.valtype, g.init, g.name) for g in module.globals]
    exports = _exports(module, func_map, global_map)

    out = bytearray(b"\x00asm\x01\x00\x00\x00")
    out += _section(1, types.section())
    if imports:
        out += _section(2, _vec(imports))
    if func_types:
        out += _section(3, _vec(func_types))
    if module.memory is not None:
        m = module.memory
        lim = (b"\x00" + _u(m.min_pages) if m.max_pages is None
               else b"\x01" + _u(m.min_pages) + _u(m.max_pages))
        out += _section(5, b"\x01" + lim)
    if globals_:
        out += _section(6, _vec(globals_))
    if exports:
        out += _section(7, _vec(exports))
    line_table: list[tuple[int, int, int]] = []
    if bodies:
        line_table = _code_section(out, bodies, marks)
    if module.data:
        segs = [b"\x00\x41" + sleb(wrap_i32(d.offset)) + b"\x0b" + _u(len(d.data))
                + bytes(d.data) for d in module.data]
        out += _section(11, _vec(segs))
    if names:
        out += _name_section(module, func_names, locals_=names is True)
    return Encoded(bytes(out), line_table)


def _code_section(out: bytearray, bodies: list[bytes],
                  marks: list[list[tuple[int, int, int]]]) -> list[tuple[int, int, int]]:
    """Append the code section to ``out``; return absolute line-table entries."""
    sized = [uleb(len(b)) for b in bodies]
    payload_len = len(uleb(len(bodies))) + sum(len(s) + len(b) for s, b in zip(sized, bodies))
    out.append(10)
    out += uleb(payload_len)
    out += uleb(len(bodies))
    table: list[tuple[int, int, int]] = []
    for s, b, m in zip(sized, bodies, marks):
        out += s
        base = len(out)
        for rel, file, line in m:
            off = base + rel
            if table and table[-1][0] == off:
                table[-1] = (off, file, line)  # consecutive markers: the last one wins
            else:
                table.append((off, file, line))
        out += b
    return table


def _exports(module: Module, func_map: dict[str, bytes],
             global_map: dict[str, bytes]) -> list[bytes]:
    entries: list[tuple[str, int, bytes]] = []
    for f in module.funcs:
        if f.export is not None:
            entries.append((f.export, 0, func_map[f.name]))
    for g in module.globals:
        if g.export is not None:
            entries.append((g.export, 3, global_map[g.name]))
    if module.memory is not None and module.memory.export is not None:
        entries.append((module.memory.export, 2, b"\x00"))
    for ename, kind, ref in module.exports:
        if kind == "func":
            idx = func_map.get(ref)
            k = 0
        elif kind == "global":
            idx = global_map.get(ref)
            k = 3
        elif kind == "memory":
            if module.memory is None:
                raise WasmEncodeError(f"export {ename!r}: module has no memory")
            idx, k = b"\x00", 2
        else:
            raise WasmEncodeError(f"export {ename!r}: unknown kind {kind!r}")
        if idx is None:
            raise WasmEncodeError(f"export {ename!r}: unknown {kind} {ref!r}")
        entries.append((ename, k, idx))
    seen: set[str] = set()
    out = []
    for ename, k, idx in entries:
        if ename in seen:
            raise WasmEncodeError(f"duplicate export name {ename!r}")
        seen.add(ename)
        out.append(_name_bytes(ename) + bytes((k,)) + idx)
    return out


def _name_section(module: Module, func_names: list[str], *, locals_: bool = True) -> bytes:
    """Custom "name" section: function names (no ``$``) and, if `locals_`, local names."""
    fn = _vec([_u(i) + _name_bytes(_strip(n)) for i, n in enumerate(func_names)])
    nimp = len(module.imports)
    local_entries = []
    for i, f in enumerate(module.funcs if locals_ else []):
        named = []
        j = 0
        for p in f.params:
            nm = param_name(p)
            if nm is not None:
                named.append(_u(j) + _name_bytes(_strip(nm)))
            j += 1
        for nm, _t in f.locals:
            if nm is not None:
                named.append(_u(j) + _name_bytes(_strip(nm)))
            j += 1
        if named:
            local_entries.append(_u(nimp + i) + _vec(named))
    payload = _name_bytes("name") + b"\x01" + uleb(len(fn)) + fn
    if local_entries:
        loc = _vec(local_entries)
        payload += b"\x02" + uleb(len(loc)) + loc
    return _section(0, payload)
