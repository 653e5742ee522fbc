"""Module IR shared by the code generator, the WAT parser, the encoder and the printer.

Plain data on purpose: the code generator builds it with minimal overhead, and every
consumer (encoder, printer, dead-code elimination) can walk it without a class
hierarchy.  See docs/design.md, section "Wasm module IR", for the instruction format.

An instruction is a tuple ``(op, *immediates)``:

* ``("i32.const", n)``, ``("i64.const", n)`` (signed or unsigned ints),
  ``("f32.const", x)``, ``("f64.const", x)``
* ``("local.get"|"local.set"|"local.tee", "$name" | index)``,
  ``("global.get"|"global.set", "$name" | index)``, ``("call", "$func" | index)``
* ``("block"|"loop"|"if", label_or_None, blocktype)``, ``("else",)``, ``("end",)``;
  blocktype is ``None``, a valtype, or ``((params...), (results...))``
* ``("br"|"br_if", "$label" | depth)``, ``("br_table", [labels...], default)``
* loads/stores ``("i64.load", offset, align_log2_or_None)`` (immediates optional)
* ``("select",)`` or typed ``("select", valtype)``
* everything else by WAT name without immediates, e.g. ``("i64.add",)``
* pseudo-instruction ``("line", n)`` or ``("line", n, file)``: following code comes
  from line n of source file ``file`` (an index into the program's file table; 0, the
  default, is the entry file).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

ValType = str  # "i32" | "i64" | "f32" | "f64"
Instr = tuple  # (op, *immediates)
Param = tuple  # (name_or_None, valtype)
BlockType = Union[None, str, tuple]


@dataclass
class Func:
    """A defined function; ``name`` is symbolic with ``$``, ``body`` is flat (no final end)."""

    name: str
    params: list[tuple[Optional[str], ValType]]
    results: list[ValType]
    locals: list[tuple[Optional[str], ValType]]
    body: list[Instr]
    export: Optional[str] = None
    group: Optional[str] = None  # see Data.group


@dataclass
class Import:
    """A function import.  ``params`` may be valtypes or ``(name, valtype)`` pairs."""

    module: str
    field: str
    name: str
    params: list[Any]
    results: list[ValType]


@dataclass
class Global:
    """A global with a constant initialiser (a Python number)."""

    name: str
    valtype: ValType
    mutable: bool
    init: Union[int, float]
    export: Optional[str] = None
    group: Optional[str] = None  # see Data.group


@dataclass
class Memory:
    """The single linear memory; sizes in 64 KiB pages."""

    min_pages: int
    max_pages: Optional[int] = None
    export: Optional[str] = None


@dataclass
class Data:
    """An active data segment for memory 0 at a constant offset.

    ``group`` (also on Func and Global) ties an item to a part of the runtime, e.g. "c"
    for the C runtime parts: dead-code elimination keeps grouped globals and data only
    when some function of the same group is reachable (``link.reachable_funcs``)."""

    offset: int
    data: bytes
    group: Optional[str] = None


@dataclass
class Module:
    """A whole module.  ``exports`` entries are ``(export_name, kind, symbolic_name)``
    with kind in {"func", "global", "memory"}, in addition to per-item ``export``."""

    imports: list[Import] = field(default_factory=list)
    funcs: list[Func] = field(default_factory=list)
    globals: list[Global] = field(default_factory=list)
    memory: Optional[Memory] = None
    data: list[Data] = field(default_factory=list)
    exports: list[tuple[str, str, str]] = field(default_factory=list)


def param_type(p: Any) -> ValType:
    """The valtype of a param entry that is either ``"i32"`` or ``(name, "i32")``."""
    return p if isinstance(p, str) else p[1]


def param_name(p: Any) -> Optional[str]:
    """The symbolic name of a param entry (None for a bare valtype or unnamed pair)."""
    return None if isinstance(p, str) else p[0]
