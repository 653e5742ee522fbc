"""The C runtime parts as module IR, ready to join the WAT runtime.

Why: C functions must link into every module exactly like WAT functions (same
dead-function elimination, same encoder). This module takes the zig-built wasm
(``c_build.py``, via ``prebuilt.artifact_path``), decodes it (``wasm/decoder.py``) and
renames it into the runtime's name space:

* a function exported by C (``NY_EXPORT(name)``) becomes ``$name``; every other C
  function ``$c:<C name>``;
* an import ``nyash.name`` (``NY_IMPORT(name)``) becomes a call of the runtime
  function ``$name`` (the caller checks the signatures, see ``runtime_lib``);
* C's globals become ``$c:<name>`` (``__stack_pointer`` starts at the top of the C
  stack);
* C's data segments stay at their linked addresses inside the C region.

Functions, globals and data carry ``group="c"``: ``wasm/link.py`` drops C's globals and
data when no C function is reachable, so a program that uses no C part does not grow.
"""
from __future__ import annotations

import marshal
from dataclasses import dataclass, field
from typing import Optional

from ..wasm.decoder import WasmDecodeError, decode
from ..wasm.module import Data, Func, Global
from .c_build import ARTIFACT_NAME, C_BASE, C_END, IR_VERSION

GROUP = "c"


class CPartsError(Exception):
    """The C runtime parts cannot be used (missing artifact or a bad module)."""


@dataclass
class CParts:
    funcs: list[Func] = field(default_factory=list)
    globals: list[Global] = field(default_factory=list)
    data: list[Data] = field(default_factory=list)
    imports: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # "$name" -> sig
    exports: list[str] = field(default_factory=list)    # "$name" of NY_EXPORT functions


def load_c_parts() -> CParts:
    """The built C parts (stored IR); raises :class:`CPartsError` with a one-line reason."""
    from ..prebuilt import PrebuiltMissing, artifact_path
    try:
        data = artifact_path(ARTIFACT_NAME).read_bytes()
    except PrebuiltMissing as e:
        raise CPartsError(str(e)) from None
    except Exception as e:  # a compile error in the C sources (development checkouts)
        raise CPartsError(f"building the C runtime parts failed: {e}") from None
    return load_parts(data)


def dump_parts(parts: CParts) -> bytes:
    """The IR as plain tuples in ``marshal`` form (the artifact's content)."""
    return marshal.dumps((
        IR_VERSION,
        [(f.name, f.params, f.results, f.locals, f.body) for f in parts.funcs],
        [(g.name, g.valtype, g.mutable, g.init) for g in parts.globals],
        [(d.offset, d.data) for d in parts.data],
        parts.imports,
        parts.exports,
    ))


def load_parts(data: bytes) -> CParts:
    try:
        version, funcs, globals_, segs, imports, exports = marshal.loads(data)
    except (ValueError, EOFError, TypeError) as e:
        raise CPartsError(f"C runtime parts: unreadable artifact ({e})") from None
    if version != IR_VERSION:
        raise CPartsError(f"C runtime parts: artifact has IR version {version}, expected {IR_VERSION}")
    return CParts(
        funcs=[Func(n, p, r, loc, body, group=GROUP) for n, p, r, loc, body in funcs],
        globals=[Global(n, t, m, i, group=GROUP) for n, t, m, i in globals_],
        data=[Data(o, b, group=GROUP) for o, b in segs],
        imports=imports,
        exports=exports,
    )


def from_wasm(wasm: bytes) -> CParts:
    try:
        m = decode(wasm)
    except WasmDecodeError as e:
        raise CPartsError(f"C runtime parts: {e}") from None
    if m.table_elements:
        raise CPartsError("C runtime parts use function pointers (a table with elements); not supported")
    if m.global_imports:
        raise CPartsError("C runtime parts import globals; not supported")
    out = CParts()
    if not m.funcs:
        return out
    rename: dict[str, str] = {}
    for imp in m.imports:
        if imp.module != "nyash":
            raise CPartsError(f"C runtime parts import {imp.module}.{imp.field}; only NY_IMPORT "
                              "(module 'nyash') functions can be called")
        rename[imp.name] = "$" + imp.field
        out.imports["$" + imp.field] = ([p if isinstance(p, str) else p[1] for p in imp.params], list(imp.results))
    exported = {ref: ename for ename, kind, ref in m.exports if kind == "func"}
    for f in m.funcs:
        rename[f.name] = "$" + exported[f.name] if f.name in exported else "$c:" + f.name[1:]
    out.exports = ["$" + e for e in exported.values()]
    gexports = {ename: ref for ename, kind, ref in m.exports if kind == "global"}
    heap_base = _global_value(m.globals, gexports.get("__heap_base"))
    data_end = _global_value(m.globals, gexports.get("__data_end"))
    if heap_base is None or data_end is None:
        raise CPartsError("C runtime parts: __heap_base/__data_end not exported (link flags)")
    if heap_base > C_END:
        raise CPartsError(f"C runtime parts: static data and stack end at 0x{heap_base:x}, past the C region "
                          f"(0x{C_BASE:x}-0x{C_END:x}): enlarge it in c_build.py, abi.py and docs/design.md")
    for d in m.data:
        if d.offset < C_BASE or d.offset + len(d.data) > data_end:
            raise CPartsError(f"C runtime parts: data segment at 0x{d.offset:x} outside the C region")
        out.data.append(Data(d.offset, d.data, group=GROUP))
    used_globals: set[str] = set()
    for f in m.funcs:
        body = []
        for ins in f.body:
            op = ins[0]
            if op == "call":
                ins = ("call", rename[ins[1]])
            elif op == "global.get" or op == "global.set":
                used_globals.add(ins[1])
                ins = (op, "$c:" + ins[1][1:])
            body.append(ins)
        out.funcs.append(Func(rename[f.name], f.params, f.results, f.locals, body, group=GROUP))
    for g in m.globals:
        if g.name in used_globals:
            out.globals.append(Global("$c:" + g.name[1:], g.valtype, g.mutable, g.init, group=GROUP))
    return out


def _global_value(globals_: list[Global], name: Optional[str]) -> Optional[int]:
    for g in globals_:
        if g.name == name:
            return int(g.init)
    return None
