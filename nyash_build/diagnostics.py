"""Diagnostics: errors carried as values with positions until the CLI renders them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    """One message about a source position. ``line``/``col`` are 1-based; 0 = unknown."""

    file: str
    line: int
    col: int
    message: str
    severity: str = "error"
    # a runtime error found at compile time: a warning when compiling, an error for
    # `nyash check`, and still raised at run time (where upstream reports it)
    deferred: bool = False

    def render(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.col}"
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        suffix = " (a runtime error if this code runs)" if self.deferred and self.severity != "error" else ""
        return f"{where}: {prefix}{self.message}{suffix}"


class CompileError(Exception):
    """Raised by a compiler stage with one or more error diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        # {Diagnostic.file: source text} of every file of the compilation (the entry and
        # what it includes), filled in by the driver, for rendering source snippets
        self.sources: dict[str, str] = {}
        super().__init__("\n".join(d.render() for d in diagnostics))
