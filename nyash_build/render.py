"""Diagnostics for people: the header, the source line and a marker under the exact span.

    app.nyash:2:7: error: Undefined variable 'cout' [N0201]
       |
     2 | print(cout + 1)
       |       ^^^^ not defined here
       = help: did you mean `count`?

Columns in diagnostics count characters; what a terminal shows differs, so the marker
is placed by display width: a tab is shown as four spaces, East Asian wide characters
take two cells, combining marks none, other control characters are shown as U+FFFD.
Lines wider than ``WIDTH`` cells are cut around the span (``...`` marks each cut).
Colour is ANSI escapes, only when the caller asks (see ``use_color``).
"""
from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Mapping

from .diagnostics import Diagnostic, Note

WIDTH = 100       # widest source excerpt shown, in terminal cells
CONTEXT = 30      # cells kept before the span when a long line is cut
TAB = "    "

_RESET = "\x1b[0m"
_STYLE = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "note": "\x1b[1;36m",
          "bold": "\x1b[1m", "gutter": "\x1b[1;34m", "secondary": "\x1b[1;34m",
          "help": "\x1b[1;36m"}


def use_color(choice: str = "auto", stream=None, environ: Mapping[str, str] | None = None) -> bool:
    """``--color``: ``always`` / ``never``; ``auto`` = the stream is a terminal, ``NO_COLOR``
    is unset or empty and ``TERM`` is not ``dumb`` (an explicit ``always`` beats NO_COLOR)."""
    env = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never":
        return False
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class Sources:
    """File name -> lines, from the texts a compilation had in memory, else from disk."""

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self._texts = dict(texts or {})
        self._lines: dict[str, list[str] | None] = {}

    def add(self, texts: Mapping[str, str]) -> None:
        for name, text in texts.items():
            self._texts[name] = text
            self._lines.pop(name, None)

    def line(self, file: str, n: int) -> str | None:
        lines = self._lines.get(file)
        if file not in self._lines:
            text = self._texts.get(file)
            if text is None:
                try:
                    text = Path(file).read_bytes().decode("utf-8", errors="replace")
                except (OSError, ValueError):
                    text = None
            lines = text.split("\n") if text is not None else None
            self._lines[file] = lines
        if lines is None or not 1 <= n <= len(lines):
            return None
        return lines[n - 1].rstrip("\r")

    def line_count(self, file: str) -> int:
        self.line(file, 1)
        lines = self._lines.get(file)
        return len(lines) if lines else 0


def locate(d: Diagnostic, sources: Sources) -> Diagnostic:
    """The diagnostic with its span made concrete: ``find`` moved onto its word (when the
    word is on the line at or after the column) and a missing end filled in."""
    if d.find and d.line:
        i = _find_on_line(sources, d.file, d.line, d.col, d.find)
        if i >= 0:
            d = replace(d, col=i + 1, end_line=0, end_col=i + 1 + len(d.find), find="")
    if d.line and not d.col:  # a line without a column: mark the line's text
        text = sources.line(d.file, d.line) or ""
        start = len(text) - len(text.lstrip())
        d = replace(d, col=start + 1, end_line=0, end_col=max(len(text.rstrip()), start) + 1)
    if d.line and not d.end_col:
        d = replace(d, end_col=d.col + 1)
    if any(n.find or not n.end_col for n in d.notes):
        d = replace(d, notes=tuple(_locate_note(n, sources) for n in d.notes))
    return d


def _locate_note(n: Note, sources: Sources) -> Note:
    if n.find and n.line:
        i = _find_on_line(sources, n.file, n.line, n.col, n.find)
        if i >= 0:
            return replace(n, col=i + 1, end_col=i + 1 + len(n.find), find="")
    return replace(n, end_col=n.end_col or n.col + 1, find="")


def _find_on_line(sources: Sources, file: str, line: int, col: int, word: str) -> int:
    text = sources.line(file, line)
    return -1 if text is None else _find_word(text, word, max(col - 1, 0))


def _find_word(text: str, word: str, start: int) -> int:
    i = text.find(word, start)
    while i >= 0:
        before = text[i - 1] if i > 0 else " "
        after = text[i + len(word)] if i + len(word) < len(text) else " "
        if not _is_word(before) and not _is_word(after):
            return i
        i = text.find(word, i + 1)
    return -1


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


# ------------------------------------------------------------------------- widths
def _cell(c: str) -> tuple[str, int]:
    """How one character is shown and how many terminal cells that takes."""
    if c == "\t":
        return TAB, len(TAB)
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return c, 0
    if unicodedata.category(c) == "Cc":
        return "\ufffd", 1
    return c, 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


@dataclass
class _Shown:
    """A source line as displayed: its text and the display column of every character."""
    text: str
    starts: list[int]  # display column of character i (len(line) + 1 entries)

    def col(self, i: int) -> int:
        """Display column of 0-based character index i (past the end: extends by one per char)."""
        if i < len(self.starts):
            return self.starts[i]
        return self.starts[-1] + (i - len(self.starts) + 1)


def _show(line: str) -> _Shown:
    parts: list[str] = []
    starts = [0]
    for c in line:
        shown, w = _cell(c)
        parts.append(shown)
        starts.append(starts[-1] + w)
    return _Shown("".join(parts), starts)


def _cut(line: str, first: int) -> tuple[str, int, int, int]:
    """A line as shown, cut to WIDTH cells around display column ``first`` when longer:
    (text, display column of its first kept character, cells of the leading "...",
    cells of the kept characters)."""
    shown = _show(line)
    total = shown.starts[-1]
    if total <= WIDTH:
        return shown.text, 0, 0, total
    left = max(0, first - CONTEXT)
    right = min(total, left + WIDTH)
    left = max(0, right - WIDTH)
    out: list[str] = []
    kept_from = kept_to = None
    for i, c in enumerate(line):
        s, e = shown.starts[i], shown.starts[i + 1]
        if s >= left and e <= right:
            if kept_from is None:
                kept_from = s
            kept_to = e
            out.append(_cell(c)[0])
    if kept_from is None:
        kept_from = kept_to = left
    prefix = "..." if kept_from > 0 else ""
    suffix = "..." if kept_to < total else ""
    return prefix + "".join(out) + suffix, kept_from, len(prefix), kept_to - kept_from


# ------------------------------------------------------------------------- drawing
@dataclass
class _Mark:
    line: int
    col: int      # 1-based character
    end_col: int  # exclusive; may be past the end of the line (the end of the file)
    label: str
    primary: bool


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, style: str, text: str) -> str:
        if not self.color or not text:
            return text
        return f"{_STYLE[style]}{text}{_RESET}"


def render(d: Diagnostic, sources: Sources, *, color: bool = False, header: bool = True) -> str:
    """The full text of one diagnostic, ending with a newline (without its header line
    when the caller has printed the message another way)."""
    paint = _Painter(color)
    has_col = bool(d.col)
    d = locate(d, sources)
    out = [_header(d, paint, has_col)] if header else []
    marks_by_file: dict[str, list[_Mark]] = {}
    if d.line:
        end_line, end_col = d.span_end
        if end_line > d.line:  # a multi-line span: mark from the start to the end of its line
            text = sources.line(d.file, d.line) or ""
            end_col = max(len(text) + 1, d.col + 1)
        marks_by_file.setdefault(d.file, []).append(_Mark(d.line, d.col, end_col, d.label, True))
    for n in d.notes:
        if n.line:
            marks_by_file.setdefault(n.file, []).append(
                _Mark(n.line, n.col, n.end_col or n.col + 1, n.label, False))
    files = list(marks_by_file)
    blocks: list[list[str]] = []
    width = max((len(str(m.line)) for ms in marks_by_file.values() for m in ms), default=1)
    for f in files:
        # without the header (a runtime error, whose message the host printed) the code
        # follows the primary file's `-->` position
        code = d.code if not header and f == d.file else ""
        block = _snippet(f, marks_by_file[f], sources, paint, width, show_file=f != d.file or not header,
                         code=code)
        if block:
            blocks.append(block)
    pad = " " * (width + 1)
    if blocks:
        for b in blocks:
            out.extend(b)
    tail = [s.message for s in d.suggestions] + ([d.help] if d.help else [])
    for t in tail:
        out.append(f"{pad}{paint('gutter', '=')} {paint('help', 'help')}: {t}")
    return "\n".join(out) + "\n"


def _header(d: Diagnostic, paint: _Painter, has_col: bool = True) -> str:
    where = d.file + (f":{d.line}" if d.line else "") + (f":{d.col}" if d.line and has_col else "")
    suffix = " (a runtime error if this code runs)" if d.deferred and d.severity != "error" else ""
    code = f" [{d.code}]" if d.code else ""
    sev = paint(d.severity if d.severity in _STYLE else "bold", d.severity)
    return f"{paint('bold', where + ':')} {sev}: {paint('bold', d.message)}{suffix}{code}"


def _snippet(file: str, marks: list[_Mark], sources: Sources, paint: _Painter, width: int,
             show_file: bool, code: str = "") -> list[str]:
    lines = sorted({m.line for m in marks})
    texts = {n: sources.line(file, n) for n in lines}
    if all(t is None for t in texts.values()):
        return []
    pad = " " * (width + 1)
    bar = paint("gutter", "|")
    out: list[str] = []
    if show_file:
        first = min(marks, key=lambda m: (m.line, m.col))
        out.append(f"{' ' * width}{paint('gutter', '-->')} {file}:{first.line}:{first.col}"
                   + (f" [{code}]" if code else ""))
    out.append(f"{pad}{bar}")
    prev = None
    for n in lines:
        text = texts[n]
        if text is None:
            text = ""
        if prev is not None and n > prev + 1:
            out.append(paint("gutter", "..."))
        prev = n
        here = sorted((m for m in marks if m.line == n), key=lambda m: m.col)
        shown_line = _show(text)
        first = min(shown_line.col(m.col - 1) for m in here)
        shown, offset, lead, visible = _cut(text, first)
        num = paint("gutter", str(n).rjust(width))
        out.append(f"{num} {bar} {shown}".rstrip())
        for m in here:
            start = shown_line.col(m.col - 1)
            end = max(shown_line.col(m.end_col - 1), start + 1)
            # the visible part of the span, in cells of the shown (possibly cut) line
            s = max(start - offset, 0) + lead
            e = max(min(end - offset, visible) + lead, s + 1)
            sym = "^" if m.primary else "-"
            style = "error" if m.primary else "secondary"
            marker = paint(style, sym * (e - s) + (f" {m.label}" if m.label else ""))
            out.append(f"{pad}{bar} {' ' * s}{marker}")
    return out


def render_all(diags: Iterable[Diagnostic], sources: Sources, *, color: bool = False) -> str:
    """Several diagnostics, a blank line between them."""
    return "\n".join(render(d, sources, color=color) for d in diags)
