"""Plain data the function generator passes around."""
from __future__ import annotations

from dataclasses import dataclass

from . import ast as A


@dataclass
class Val:
    """What an expression left on the stack: its static kind, storage, ownership."""
    kind: str
    st: str          # "i64" | "f64" | "i32" | "dyn"
    owned: bool = False


class _Ctx:
    """An enclosing construct that break/return/exceptions must know about."""
    __slots__ = ("kind", "label", "saved", "final", "depth")

    def __init__(self, kind: str, label: str, saved: str | None = None,
                 final: list[A.Stmt] | None = None) -> None:
        self.kind = kind      # "loop" | "try" | "handler"
        self.label = label    # break label for loops, handler label for try
        self.saved = saved    # local holding the saved $try_depth (try)
        self.final = final    # finally statements (try)


def _wasm_params(st: str) -> list[str]:
    return ["i32", "i64"] if st == "dyn" else [st]
