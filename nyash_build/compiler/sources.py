"""Multi-file programs: find, read and parse every file an entry file includes, and
splice them into one ``ast.Program`` (spec section 9, decision row 27).

Resolution of ``include "p"`` is ``includes.resolve_include`` (shared with the build's
dependency scanner, so both always agree). Every failure is a compile-time error at the
include's ``file:line:col``.

Semantics: the boxes and functions of every file in the closure belong to the whole
program. An include statement stands for the included file's top-level statements, run
where the first include of that file runs, in that scope; later includes of the same
resolved file, and includes of a file that is being included (a cycle; the entry file
counts as included), do nothing. Where the first run is known statically (straight-line
top-level code, the usual case) the statements are spliced in plainly; otherwise (an
include inside a function, method, branch or loop) each site gets its own copy guarded
by a hidden global flag, so the file still runs exactly once, at the first include
that executes.

Each file gets an index in the file table (0 = entry), stamped on its AST nodes, and
two names: ``shown`` for compile-time diagnostics (the path as the user addresses it)
and ``name`` recorded in the module metadata for runtime stack frames (stable across
machines: see ``includes.unit_name``).
"""
from __future__ import annotations

import copy
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from . import ast as A
from ..diagnostics import CompileError, Diagnostic, Note, Suggestion
from .includes import IncludeSettings, Resolution, abs_path, resolve_include, unit_name
from .lexer import decode_source, tokenize
from .suggest import closest

# hidden global flag of a guarded include (not a Nyash identifier: no clash possible)
_FLAG = "include#{}"


@dataclass(eq=False)
class SourceFile:
    index: int
    path: Path     # absolute, normalised (the identity of "the same file")
    shown: str     # how diagnostics name it
    name: str      # how stack frames and metadata name it
    data: bytes
    text: str
    program: A.Program | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _shown_name(path: Path, entry_shown: str) -> str:
    """Diagnostics name an included file the way the entry was named: absolute when the
    entry was given absolute, else relative to the current directory."""
    if os.path.isabs(entry_shown):
        return str(path)
    return os.path.relpath(path)


def _walk(node, out: list[A.Include], file: int) -> None:
    """Stamp ``file`` on every node below ``node``; collect the Include statements."""
    if isinstance(node, A.Node):
        node.file = file
        if isinstance(node, A.Include):
            out.append(node)
        for v in vars(node).values():
            if isinstance(v, (list, tuple, dict, A.Node)):
                _walk(v, out, file)
    elif isinstance(node, (list, tuple)):
        for v in node:
            if isinstance(v, (list, tuple, dict, A.Node)):
                _walk(v, out, file)
    elif isinstance(node, dict):
        for v in node.values():
            _walk(v, out, file)


def _includes_in_order(prog: A.Program, file: int) -> list[A.Include]:
    """The file's include statements in textual order (the order the build's scanner
    sees them in the tokens, so both number the files alike)."""
    found: list[A.Include] = []
    _walk(prog.body, found, file)
    _walk(prog.functions, found, file)
    _walk(prog.boxes, found, file)
    return sorted(found, key=lambda inc: (inc.line, inc.col))


@dataclass(eq=False)
class SourceSet:
    """Every file of one compilation, entry first, and the whole program."""

    files: list[SourceFile]
    program: A.Program

    def texts(self) -> dict[str, str]:
        """{diagnostic file name: source text} for rendering snippets."""
        return {f.shown: f.text for f in self.files}

    def meta(self) -> list[dict[str, str]]:
        """The module metadata's file table: index i names line-table file i."""
        return [{"name": f.name, "sha256": f.sha256} for f in self.files]


def read_source(path: Path, shown: str) -> tuple[bytes, str]:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CompileError([Diagnostic(shown, 0, 0, f"cannot read source file: {e.strerror or e}",
                                       code="N0601")]) from None
    return data, decode_source(data, shown)


def load_program(entry: Path | str, settings: IncludeSettings | None = None, *,
                 text: str | None = None, data: bytes | None = None) -> SourceSet:
    """Read, parse and splice ``entry`` and everything it includes.

    ``text``/``data``: the entry's contents when the caller already has them (then the
    entry is not read; includes are still resolved from its path). Raises CompileError
    with every error found (syntax errors of all readable files, unresolvable
    includes); its ``sources`` maps file names to texts.
    """
    from .parser import parse_partial

    settings = settings or IncludeSettings.single_file()
    entry_shown = str(entry)
    entry_abs = abs_path(entry)
    if text is None:
        data, text = (data, decode_source(data, entry_shown)) if data is not None \
            else read_source(Path(entry), entry_shown)
    elif data is None:
        data = text.encode("utf-8")
    files = [SourceFile(0, entry_abs, entry_shown, unit_name(entry_abs, entry_abs, settings.root),
                        data, text)]
    by_path = {entry_abs: 0}
    errors: list[Diagnostic] = []
    i = 0
    while i < len(files):
        sf = files[i]
        i += 1
        try:
            sf.program, syntax = parse_partial(tokenize(sf.text, sf.shown), sf.shown)
        except CompileError as e:  # lexical errors: no tokens, so no includes to follow
            errors.extend(e.diagnostics)
            continue
        errors.extend(syntax)
        for inc in _includes_in_order(sf.program, sf.index):
            res = resolve_include(inc.path, sf.path, settings)
            if res.path is None:
                errors.append(_include_error(sf.shown, inc, _resolution_message(inc.path, res),
                                             _resolution_label(res), _close_file(inc.path, res)))
                continue
            target = by_path.get(res.path)
            if target is None:
                shown = _shown_name(res.path, entry_shown)
                try:
                    idata, itext = read_source(res.path, shown)
                except CompileError as e:
                    d = e.diagnostics[0]
                    if d.line:  # the file is there but not UTF-8: show its bad byte
                        errors.append(replace(d, notes=(Note(sf.shown, inc.line, inc.col, "included here",
                                                             find="include"),)))
                    else:
                        errors.append(_include_error(sf.shown, inc, f"cannot include \"{inc.path}\": {d.message}",
                                                     "cannot be read"))
                    continue
                target = len(files)
                by_path[res.path] = target
                files.append(SourceFile(target, res.path, shown,
                                        unit_name(res.path, entry_abs, settings.root), idata, itext))
            inc.target = target
    if errors:
        exc = CompileError(errors)
        exc.sources = {f.shown: f.text for f in files}
        raise exc
    return SourceSet(files, _splice(files))


def _include_error(file: str, inc: A.Include, message: str, label: str,
                   suggestions: tuple[Suggestion, ...] = ()) -> Diagnostic:
    """N0123 with the marker under the quoted path (under ``include`` when the path's
    position is unknown)."""
    start, end = inc.path_cols
    if start:
        return Diagnostic(file, inc.line, start, message, code="N0123", end_col=end, label=label,
                          suggestions=suggestions)
    return Diagnostic(file, inc.line, inc.col, message, code="N0123", label=label, find="include",
                      suggestions=suggestions)


def _resolution_label(res: Resolution) -> str:
    if res.problem == "is a directory":
        return "a directory, not a file"
    if res.problem and res.tried:
        return "outside the project"
    return "no such file" if res.tried else "no file name"


def _close_file(spec: str, res: Resolution) -> tuple[Suggestion, ...]:
    """"Did you mean" for a missing file: the closest name among the .nyash files (and,
    when a directory of the path is missing, the directories) where it was looked up."""
    if res.problem or not res.tried or not spec:
        return ()
    parts = spec.replace("\\", "/").split("/")
    for cand in res.tried:
        fixed = _fix_path(cand, len(parts))
        if fixed is not None:
            new = "/".join(parts[:len(parts) - len(fixed)] + fixed)
            if new != spec:
                return (Suggestion(f"did you mean `\"{new}\"`?", f'"{new}"'),)
    return ()


def _fix_path(cand: Path, depth: int) -> list[str] | None:
    """The last path components of ``cand`` respelled (at most the last two) so that it
    names an existing .nyash file, each component the closest existing name; None when
    nothing is close."""
    name = cand.name
    parent = cand.parent
    if parent.is_dir():
        names = _entries(parent, files=True)
        choice = names.get(name + ".nyash") or closest(name, list(names))
        return [choice] if choice else None
    if depth < 2 or not parent.parent.is_dir():
        return None
    dirs = _entries(parent.parent, files=False)
    d = closest(parent.name, list(dirs))
    if d is None:
        return None
    inner = _entries(parent.parent / d, files=True)
    choice = inner.get(name) or inner.get(name + ".nyash") or closest(name, list(inner))
    return [d, choice] if choice else None


def _entries(directory: Path, *, files: bool) -> dict[str, str]:
    """Names of the .nyash files (or the subdirectories) of ``directory``, at most 1000."""
    out: dict[str, str] = {}
    try:
        with os.scandir(directory) as it:
            for entry in it:
                if len(out) >= 1000:
                    break
                try:
                    if files and entry.is_file() and entry.name.endswith(".nyash"):
                        out[entry.name] = entry.name
                    elif not files and entry.is_dir() and not entry.name.startswith("."):
                        out[entry.name] = entry.name
                except OSError:
                    continue
    except OSError:
        return {}
    return out


def _resolution_message(spec: str, res: Resolution) -> str:
    tried = ", ".join(_display(p) for p in res.tried)
    if res.problem == "is a directory":
        return f"cannot include \"{spec}\": it is a directory (tried {tried})"
    if res.problem and res.tried:
        return f"cannot include \"{spec}\": {_display(res.tried[0])} {res.problem}"
    if res.problem:
        return res.problem
    return f"cannot include \"{spec}\": no such file (tried {tried})"


def _display(p: Path) -> str:
    rel = os.path.relpath(p)
    return rel if not rel.startswith("../..") else str(p)


# --------------------------------------------------------------------------- splicing


class _Splicer:
    """Replaces include statements by the included files' top-level statements."""

    def __init__(self, files: list[SourceFile]) -> None:
        self.files = files
        # every include that runs a file's statements, innermost first:
        # (file, the statement list holding the guard, the guard, straight-line)
        self.sites: list[tuple[int, list, A.If, bool]] = []

    def stmts(self, stmts: list[A.Stmt], file: int, definite: set[int], active: frozenset[int],
              straight: bool) -> list[A.Stmt]:
        """The statements with includes expanded. ``definite``: files certainly
        included before this point (updated in place for straight-line code);
        ``active``: files being included around this point; ``straight``: these
        statements run at most once, in order (top-level code outside branches)."""
        out: list[A.Stmt] = []
        for s in stmts:
            if isinstance(s, A.Include):
                target = s.target
                if target in definite or target in active:
                    continue
                inner = set(definite) | {target}
                body = self.stmts(copy.deepcopy(self.files[target].program.body), target, inner,
                                  active | {target}, straight)
                flag = _FLAG.format(target)
                # `body` itself becomes the guard's block: sites recorded inside it stay valid
                body.insert(0, A.Assign(s.line, s.col, A.Var(s.line, s.col, flag, file=file),
                                        A.BoolLit(s.line, s.col, True, file=file), is_global=True, file=file))
                guard = A.If(s.line, s.col,
                             A.Unary(s.line, s.col, "not", A.Var(s.line, s.col, flag, file=file), file=file),
                             body, None, file=file)
                out.append(guard)
                self.sites.append((target, out, guard, straight))
                if straight:
                    definite |= inner
                continue
            if isinstance(s, A.If):
                s.then = self.stmts(s.then, file, set(definite), active, False)
                if s.orelse:
                    s.orelse = self.stmts(s.orelse, file, set(definite), active, False)
            elif isinstance(s, A.Loop):
                s.body = self.stmts(s.body, file, set(definite), active, False)
            elif isinstance(s, A.Try):
                s.body = self.stmts(s.body, file, set(definite), active, False)
                for c in s.catches:
                    c.body = self.stmts(c.body, file, set(definite), active, False)
                if s.final:
                    s.final = self.stmts(s.final, file, set(definite), active, False)
            out.append(s)
        return out

    def finish(self, top: list[A.Stmt]) -> list[A.Stmt]:
        """A file whose only site is straight-line top-level code needs no flag: its
        statements replace the guard (innermost sites first, so a replaced guard's
        block already holds its final statements). The other flags start false."""
        count: dict[int, int] = {}
        for target, _, _, _ in self.sites:
            count[target] = count.get(target, 0) + 1
        flags: dict[int, A.Stmt] = {}
        for target, container, guard, straight in self.sites:
            if count[target] == 1 and straight:
                at = next(i for i, x in enumerate(container) if x is guard)
                container[at:at + 1] = guard.then[1:]
            elif target not in flags:
                line, col, file = guard.line, guard.col, guard.file
                flags[target] = A.Assign(line, col, A.Var(line, col, _FLAG.format(target), file=file),
                                         A.BoolLit(line, col, False, file=file), is_global=True, file=file)
        return [flags[t] for t in sorted(flags)] + top


def _splice(files: list[SourceFile]) -> A.Program:
    entry = files[0].program
    assert entry is not None
    sp = _Splicer(files)
    top = sp.stmts(entry.body, 0, {0}, frozenset({0}), True)
    boxes: list[A.BoxDecl] = []
    functions: list[A.FunctionDecl] = []
    for sf in files:
        prog = sf.program
        assert prog is not None
        for f in prog.functions:
            f.body = sp.stmts(f.body, sf.index, {0}, frozenset({0}), False)
        for b in prog.boxes:
            for m in b.methods.values():
                m.body = sp.stmts(m.body, sf.index, {0}, frozenset({0}), False)
        boxes += prog.boxes
        functions += prog.functions
    top = sp.finish(top)
    return A.Program(entry.filename, boxes, functions, top, [f.shown for f in files])
