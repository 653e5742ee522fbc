"""Where diagnostics go: snippets on stderr for people, JSON lines on stdout for tools.

One ``Reporter`` per command invocation carries the user's choices (``--format``,
``--color``) and the source texts the compilation had, so every message of that run
looks the same whichever stage produced it.
"""
from __future__ import annotations

import sys
from typing import Iterable, Mapping, TextIO

from .diagjson import dumps, problem_json, to_json
from .diagnostics import Diagnostic, EnvironmentProblem
from .render import Sources, render, use_color

FORMATS = ("text", "json")
COLORS = ("auto", "always", "never")


class Reporter:
    """Streams not given are looked up when writing (sys.stderr / sys.stdout of that
    moment), so a reporter outlives test captures and doit's per-action redirection."""

    def __init__(self, fmt: str = "text", color: str = "auto", *, err: TextIO | None = None,
                 out: TextIO | None = None) -> None:
        self.fmt = fmt
        self._err = err
        self._out = out
        self.color_choice = color
        self.sources = Sources()

    @property
    def err(self) -> TextIO:
        return self._err if self._err is not None else sys.stderr

    @property
    def out(self) -> TextIO:
        return self._out if self._out is not None else sys.stdout

    def pin_stdout(self) -> None:
        """Keep writing JSON to the current stdout even if it is redirected later."""
        self._out = sys.stdout

    @property
    def color(self) -> bool:
        return use_color(self.color_choice, self.err)

    @property
    def json(self) -> bool:
        return self.fmt == "json"

    def add_sources(self, texts) -> None:
        """File name -> text (a mapping, or a compilation's SourceSet) for the snippets."""
        if texts is not None and hasattr(texts, "texts"):
            texts = texts.texts()
        if texts:
            self.sources.add(texts)

    def diagnostics(self, diags: Iterable[Diagnostic]) -> None:
        diags = list(diags)
        if self.json:
            for d in diags:
                self.out.write(dumps(to_json(d, self.sources)) + "\n")
            self.out.flush()
            return
        for i, d in enumerate(diags):
            self.err.write(("\n" if i else "") + render(d, self.sources, color=self.color))
        self.err.flush()

    def problem(self, p: EnvironmentProblem, file: str | None = None) -> None:
        if self.json:
            self.out.write(dumps(problem_json(p, file)) + "\n")
            self.out.flush()
        else:
            self.err.write(p.render() + "\n")
            self.err.flush()

    def text(self, line: str) -> None:
        """A plain status line (``F: ok``); nothing in JSON mode."""
        if not self.json:
            self.err.write(line + "\n")

    def rendered(self, diags: Iterable[Diagnostic], stream: TextIO | None = None) -> str:
        """The text of diagnostics for another channel (a build task's failure message),
        coloured as this run's choice says for ``stream``."""
        color = use_color(self.color_choice, stream) if stream is not None else False
        return "\n".join(render(d, self.sources, color=color) for d in diags)


_ACTIVE: Reporter | None = None


def activate(reporter: Reporter | None) -> Reporter | None:
    """Make ``reporter`` the one build stages report to (``nyash build`` sets it for its
    run; a plain ``doit build`` gets the default: text, colour when the stream is a
    terminal). Returns the previous one, to restore."""
    global _ACTIVE
    previous, _ACTIVE = _ACTIVE, reporter
    return previous


def active() -> Reporter:
    return _ACTIVE if _ACTIVE is not None else Reporter()


def config_diagnostics(messages: Iterable[str]) -> list[Diagnostic]:
    """nyash.toml problems (``FILE:LINE[:COL]: message`` lines) as diagnostics (N0606,
    or the code a ``ConfigMessage`` carries); without a column the whole line is marked."""
    import re

    from .diagnostics import Suggestion
    out = []
    for m in messages:
        code = getattr(m, "code", "N0606")
        choice = getattr(m, "choice", "")
        fix = (Suggestion(f"did you mean `{choice}`?"),) if choice else ()  # no span to replace
        match = re.match(r"^(.*?):(\d+)(?::(\d+))?: (.*)$", m, re.S)
        if match:
            out.append(Diagnostic(match.group(1), int(match.group(2)), int(match.group(3) or 0),
                                  match.group(4), code=code, suggestions=fix))
        else:
            file, _, msg = m.partition(": ")
            out.append(Diagnostic(file if msg else "nyash.toml", 0, 0, msg or m, code=code, suggestions=fix))
    return out


def unknown_app(toml: str, app: str, apps: Iterable[str]) -> Diagnostic:
    """``nyash build APP`` naming no app of the project (N0607)."""
    from dataclasses import replace

    from .compiler.suggest import did_you_mean
    apps = list(apps)
    fix = tuple(replace(s, replacement=None) for s in did_you_mean(app, apps))  # no span to replace
    return Diagnostic(toml, 0, 0, f"unknown app {app!r} (apps: {', '.join(apps)})", code="N0607",
                      suggestions=fix)
