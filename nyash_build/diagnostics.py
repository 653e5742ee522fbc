"""Diagnostics: errors carried as values with positions until the CLI renders them.

A diagnostic is plain data: where (file, a span of 1-based line/column positions,
columns counting Unicode characters), how bad (severity), what (a stable code from
``diagcodes``, a message, a short label for the marker) and what to do about it
(suggestions, help). Rendering is somebody else's job: ``render`` draws snippets for
people, ``diagjson`` writes one JSON object per diagnostic for tools.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Note:
    """A secondary place a diagnostic points at (where an unclosed ``{`` was opened)."""

    file: str
    line: int
    col: int
    label: str
    end_col: int = 0  # exclusive, on `line`; 0 = one character
    find: str = field(default="", compare=False)  # as Diagnostic.find


@dataclass(frozen=True)
class Suggestion:
    """A fix: ``replacement`` replaces the primary span (None: advice only)."""

    message: str
    replacement: str | None = None


@dataclass(frozen=True)
class Diagnostic:
    """One message about a source position. ``line``/``col`` are 1-based; 0 = unknown.

    The span runs from (line, col) to (end_line, end_col), end exclusive; ``end_line``
    0 means the same line and ``end_col`` 0 means one character. ``find`` asks the
    renderer to move the span onto that word when it occurs on the line at or after
    ``col`` (so a checker that only knows where ``new`` is can underline the box name).
    """

    file: str
    line: int
    col: int
    message: str
    severity: str = "error"
    # a runtime error found at compile time: a warning when compiling, an error for
    # `nyash check`, and still raised at run time (where upstream reports it)
    deferred: bool = False
    code: str = ""
    end_line: int = 0
    end_col: int = 0
    label: str = ""
    notes: tuple[Note, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    help: str = ""
    find: str = field(default="", compare=False)

    @property
    def span_end(self) -> tuple[int, int]:
        """(line, column) just past the span."""
        line = self.end_line or self.line
        col = self.end_col or (self.col + 1 if self.col else 0)
        return line, col

    def strict(self) -> "Diagnostic":
        """The same finding as ``nyash check`` reports it: deferred warnings are errors."""
        return replace(self, severity="error") if self.deferred else self

    def render(self) -> str:
        """The one-line header: ``file:line:col: severity: message [code]``."""
        where = self.file
        if self.line:
            where += f":{self.line}" + (f":{self.col}" if self.col else "")
        suffix = " (a runtime error if this code runs)" if self.deferred and self.severity != "error" else ""
        code = f" [{self.code}]" if self.code else ""
        return f"{where}: {self.severity}: {self.message}{suffix}{code}"


class CompileError(Exception):
    """Raised by a compiler stage with one or more error diagnostics.

    ``sources`` maps ``Diagnostic.file`` to its text for every file of the compilation
    (the entry and what it includes; filled in by the driver); the renderer reads any
    other file from disk.
    """

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, str] | None = None) -> None:
        self.diagnostics = diagnostics
        self.sources = dict(sources or {})
        super().__init__("\n".join(d.render() for d in diagnostics))


class EnvironmentProblem(Exception):
    """The machine, not the program or the compiler, is in the way: a missing tool or
    system library, a directory that cannot be written, a full disk. ``str()`` is one
    line saying what failed; ``fix`` says what to do. Never reported as a compiler bug."""

    def __init__(self, message: str, fix: str = "", code: str = "N0601") -> None:
        self.message = message
        self.fix = fix
        self.code = code
        super().__init__(message)

    def render(self) -> str:
        fix = f"; {self.fix}" if self.fix else ""
        return f"nyash: error: {self.message}{fix} [{self.code}]"
