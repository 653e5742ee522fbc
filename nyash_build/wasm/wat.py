"""Printer: module IR -> readable WAT text (for ``--emit-wat`` and debugging).

Instructions are printed flat, indented by block depth; ``("line", n[, file])`` becomes a
``;; line n`` comment (``;; line n file f`` outside the entry file).  Floats are printed
so that re-assembling gives the same bits (shortest round-trip decimal for f64, exact hex
for f32 and NaN payloads).
"""
from __future__ import annotations

import math
import struct
from typing import Any

from .module import Func, Global, Import, Module, param_name, param_type
from .opcodes import (K_BLOCK, K_BR_TABLE, K_ELSE, K_END, K_F32, K_F64, K_LINE,
                      K_MEM, K_SELECT, LANE_ZERO_OPS, OPS)

_PRINTABLE = {i: chr(i) for i in range(0x20, 0x7F)}
_PRINTABLE[ord('"')] = '\\"'
_PRINTABLE[ord("\\")] = "\\\\"


def wat_string(data: bytes) -> str:
    """Quote bytes as a WAT string literal."""
    get = _PRINTABLE.get
    return '"' + "".join(get(b) or f"\\{b:02x}" for b in data) + '"'


def format_float(x: Any, bits: int) -> str:
    """WAT literal that assembles to exactly the bits the encoder writes for ``x``."""
    if isinstance(x, (bytes, bytearray)):
        if bits == 32:
            (u,) = struct.unpack("<I", x)
            sign, exp_mask, frac_mask = u >> 31, 0x7F800000, 0x7FFFFF
        else:
            (u,) = struct.unpack("<Q", x)
            sign, exp_mask, frac_mask = u >> 63, 0x7FF0000000000000, 0xFFFFFFFFFFFFF
        if u & exp_mask == exp_mask and u & frac_mask:
            return f"{'-' if sign else ''}nan:0x{u & frac_mask:x}"
        x = struct.unpack("<f" if bits == 32 else "<d", x)[0]
    x = float(x)
    if math.isnan(x):
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    if math.isinf(x):
        return "-inf" if x < 0 else "inf"
    if bits == 32:
        return x.hex()
    return repr(x)


def _blocktype(bt: Any) -> str:
    if bt is None:
        return ""
    if isinstance(bt, str):
        return f" (result {bt})"
    params, results = bt
    out = ""
    if params:
        out += " (param " + " ".join(params) + ")"
    if results:
        out += " (result " + " ".join(results) + ")"
    return out


def format_instr(ins: tuple) -> str:
    """One instruction as flat WAT text (without indentation)."""
    op = ins[0]
    kind = OPS.get(op, (None,))[0]
    if kind is None:
        return f"{op} ;; unknown instruction"
    if op in LANE_ZERO_OPS:
        return f"{op} 0"
    if len(ins) == 1 and kind not in (K_BLOCK, K_MEM):
        return op
    if kind == K_BLOCK:
        label = ins[1] if len(ins) > 1 else None
        bt = ins[2] if len(ins) > 2 else None
        return op + (f" {label}" if label else "") + _blocktype(bt)
    if kind == K_MEM:
        out = op
        offset = ins[1] if len(ins) > 1 else 0
        align = ins[2] if len(ins) > 2 else None
        if offset:
            out += f" offset={offset}"
        if align is not None:
            out += f" align={1 << align}"
        return out
    if kind == K_LINE:
        return f";; line {ins[1]}" if len(ins) < 3 or not ins[2] else f";; line {ins[1]} file {ins[2]}"
    if kind == K_F64 or kind == K_F32:
        return f"{op} {format_float(ins[1], 64 if kind == K_F64 else 32)}"
    if kind == K_BR_TABLE:
        return " ".join([op, *(str(t) for t in ins[1]), str(ins[2])])
    if kind == K_SELECT:
        return f"select (result {ins[1]})" if ins[1] else op
    if kind == K_ELSE or kind == K_END:
        return op
    return f"{op} {ins[1]}"


def _sig(params: list, results: list) -> str:
    parts = []
    for p in params:
        nm = param_name(p)
        parts.append(f"(param {nm} {param_type(p)})" if nm else f"(param {param_type(p)})")
    if results:
        parts.append("(result " + " ".join(results) + ")")
    return " ".join(parts)


def _func(f: Func, out: list[str]) -> None:
    head = f"  (func {f.name}"
    if f.export is not None:
        head += f" (export {wat_string(f.export.encode())})"
    sig = _sig(f.params, f.results)
    out.append(head + (" " + sig if sig else ""))
    if f.locals:
        out.append("    " + " ".join(f"(local {nm} {t})" if nm else f"(local {t})"
                                     for nm, t in f.locals))
    depth = 2
    for ins in f.body:
        op = ins[0]
        if op == "end" or op == "else":
            depth -= 1
        out.append("  " * depth + format_instr(ins))
        if op in ("block", "loop", "if", "else"):
            depth += 1
    if f.body and f.body[-1][0] == "line":
        out.append("  )")  # a trailing comment would swallow the paren
    else:
        out[-1] += ")"


def _import(imp: Import) -> str:
    sig = _sig(imp.params, imp.results)
    return (f"  (import {wat_string(imp.module.encode())} {wat_string(imp.field.encode())}"
            f" (func {imp.name}{' ' + sig if sig else ''}))")


def _global(g: Global) -> str:
    export = f" (export {wat_string(g.export.encode())})" if g.export is not None else ""
    t = f"(mut {g.valtype})" if g.mutable else g.valtype
    if g.valtype in ("f32", "f64"):
        init = format_float(g.init, 32 if g.valtype == "f32" else 64)
    else:
        init = str(int(g.init))
    return f"  (global {g.name}{export} {t} ({g.valtype}.const {init}))"


def print_module(module: Module) -> str:
    """Readable WAT text for ``module`` that standard assemblers accept."""
    out = ["(module"]
    out.extend(_import(i) for i in module.imports)
    m = module.memory
    if m is not None:
        export = f" (export {wat_string(m.export.encode())})" if m.export is not None else ""
        out.append(f"  (memory{export} {m.min_pages}"
                   + (f" {m.max_pages})" if m.max_pages is not None else ")"))
    out.extend(_global(g) for g in module.globals)
    for f in module.funcs:
        _func(f, out)
    for d in module.data:
        out.append(f"  (data (i32.const {d.offset}) {wat_string(d.data)})")
    for name, kind, ref in module.exports:
        target = "0" if kind == "memory" else ref
        out.append(f"  (export {wat_string(name.encode())} ({kind} {target}))")
    out.append(")")
    return "\n".join(out) + "\n"
