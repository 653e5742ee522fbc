"""Where ``include "p"`` points: the resolution rules and names shared by the compiler
(``sources.py``) and the build's dependency scanner (``project/scan.py``), so both
always agree. Deliberately light (no AST, no lexer): a no-op build imports only this.

An absolute ``p`` is taken as is; otherwise the including file's directory, then the
project root (the directory holding ``nyash.toml``; the current directory for
single-file commands), then each extra include directory (``[build] include-paths``)
-- the first regular file found wins. In a project, a file outside the root and the
include directories is refused.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .tokens import IDENT, STRING, Token


@dataclass(frozen=True)
class IncludeSettings:
    """Where includes are looked up. ``project`` refuses files outside ``root`` and
    ``include_paths`` (a project build must not depend on files it does not own)."""

    root: Path
    include_paths: tuple[Path, ...] = ()
    project: bool = False

    @staticmethod
    def single_file() -> "IncludeSettings":
        """Single-file commands (nyash run/check/--compile-*): root = current directory,
        plus the ``[build] include-paths`` of a ``nyash.toml`` there, so ``nyash run
        apps/x/main.nyash`` inside a project finds what ``nyash build`` finds."""
        cwd = Path.cwd()
        return IncludeSettings(cwd, _project_include_paths(cwd))


def _project_include_paths(root: Path) -> tuple[Path, ...]:
    """The existing directories named by ``[build] include-paths`` in ``root/nyash.toml``.
    Best effort on purpose: a single-file command does not validate the project file
    (``nyash build`` reports its problems); an unreadable or malformed one adds nothing."""
    toml_path = root / "nyash.toml"
    if not toml_path.is_file():
        return ()
    try:
        try:
            import tomllib  # noqa: PLC0415
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]  # noqa: PLC0415
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return ()
    build = data.get("build")
    raw = build.get("include-paths") if isinstance(build, dict) else None
    if not isinstance(raw, list):
        return ()
    dirs = [abs_path(root / e) for e in raw if isinstance(e, str) and e.strip()]
    return tuple(dict.fromkeys(d for d in dirs if d.is_dir()))


def abs_path(p: Path | str) -> Path:
    """Absolute and normalised, symlinks kept: the identity of "the same file"."""
    return Path(os.path.normpath(os.path.abspath(p)))


def _within(path: Path, base: Path) -> bool:
    return path == base or base in path.parents


class Resolution:
    """The outcome of resolving one include path: the file, or every path tried."""

    def __init__(self, path: Path | None, tried: list[Path], problem: str | None = None):
        self.path, self.tried, self.problem = path, tried, problem


def resolve_include(spec: str, including: Path, settings: IncludeSettings) -> Resolution:
    """Find the file ``include "spec"`` in ``including`` (absolute) refers to."""
    if not spec:
        return Resolution(None, [], "include needs a file name")
    if os.path.isabs(spec):
        candidates = [abs_path(spec)]
    else:
        bases = [including.parent, abs_path(settings.root), *(abs_path(d) for d in settings.include_paths)]
        candidates = list(dict.fromkeys(abs_path(b / spec) for b in bases))
    for cand in candidates:
        if cand.is_file():
            if settings.project and not any(
                    _within(cand, abs_path(b)) for b in (settings.root, *settings.include_paths)):
                return Resolution(None, [cand], f"is outside the project ({settings.root})")
            return Resolution(cand, candidates[:candidates.index(cand) + 1])
    dirs = [c for c in candidates if c.is_dir()]
    if dirs:
        return Resolution(None, candidates, "is a directory")
    return Resolution(None, candidates)


def include_statements(tokens: list[Token]) -> list[tuple[str, int, int]]:
    """(path, line, col) of every ``include "path"`` in a token list, in order: what
    the build's dependency scanner needs, without parsing."""
    out = []
    for i in range(len(tokens) - 1):
        t = tokens[i]
        if t.kind == IDENT and t.text == "include" and tokens[i + 1].kind == STRING:
            out.append((str(tokens[i + 1].value), t.line, t.col))
    return out


def unit_name(path: Path, entry: Path, root: Path) -> str:
    """The name frames and metadata use: the entry file by its file name; an included
    file by its path relative to the root when inside it (``text_adventure/rooms.nyash``),
    else relative to the entry's directory. Never absolute, so executables and cache
    entries do not depend on where the checkout lives."""
    if path == entry:
        return entry.name
    root = abs_path(root)
    if _within(path, root):
        return path.relative_to(root).as_posix()
    return Path(os.path.relpath(path, entry.parent)).as_posix()
