"""How a runtime error with a position looks in ``nyash run`` (docs/design.md,
"Errors and exceptions"): the lines every host prints (``Runtime error: MESSAGE`` and
the ``at f (file:line)`` frames), then, because ``nyash run`` has the source, the
innermost frame's line with a marker. When the error is one the compiler found early
(an undefined variable, an unknown method ...) and it is on that line, the marker is
that diagnostic's exact span, label, suggestion and code; otherwise it underlines the
line's code, and the code comes from the message (``runtime_code``). The code follows
the ``-->`` position. Executables carry no source and print only the lines every host
prints.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable

from .diagnostics import Diagnostic
from .render import render

Frames = list[tuple[str, "int | None", "int | None"]]  # (function, file index, line)

# The stable code of a runtime error, from its message (docs/diagnostics.md, N07xx);
# errors the compiler can also find early keep that diagnostic's code (N02xx). First
# match wins; anything else is N0700.
RUNTIME_CODES: list[tuple["re.Pattern[str]", str]] = [(re.compile(p), c) for p, c in [
    (r"^(Division|Modulo) by zero$", "N0701"),
    (r"^\w+ not supported (between|for) ", "N0702"),
    (r"^Uncaught exception: ", "N0703"),
    (r"^stack overflow$", "N0704"),
    (r"^Undefined variable '", "N0201"),
    (r"^Undefined function '", "N0202"),
    (r"^function \S+ expects \d+ arguments, got \d+$", "N0203"),
    (r"^Unknown box type '", "N0204"),
    (r"^No constructor found for ", "N0205"),
    (r"^static box \S+ cannot be created with new$", "N0206"),
    (r"^method '[^']*' of \S+ does not take \d+ arguments$", "N0209"),
    (r"^\S+ does not delegate to ", "N0210"),
    (r"^Method '[^']*' with \d+ arguments not found in ", "N0211"),
    (r"^Unknown method '", "N0705"),
    (r"^Field '[^']*' (not found|is private) in ", "N0706"),
    (r"^Cannot convert '", "N0707"),
    (r"^network is not available in compiled programs ", "N0213"),
]]


def runtime_code(message: str) -> str:
    """The diagnostic code of the runtime error ``message``."""
    for pattern, code in RUNTIME_CODES:
        if pattern.search(message):
            return code
    return "N0700"


def snippet_for(result, report) -> Callable[[Frames, str], str]:
    """The ``annotate`` hook for runtime_stub.runner.run_wasm; ``result`` is the
    CompileResult (its SourceSet maps the frames' file indices to files)."""
    report.add_sources(result.sources)
    files = [f.shown for f in result.sources.files] if result.sources is not None else []

    def annotate(frames: Frames, message: str) -> str:
        if not frames or frames[0][1] is None or frames[0][2] is None:
            return ""
        _, index, line = frames[0]
        if not 0 <= index < len(files):  # not a file of this compilation: never quote another
            return ""
        file = files[index]
        text = report.sources.line(file, line)
        if text is None:
            return ""
        found = [w for w in result.warnings
                 if w.deferred and w.file == file and w.line == line and w.message == message]
        if found:
            d = replace(min(found, key=lambda w: w.col), severity="error", deferred=False)
        else:
            code = text.rstrip()
            start = len(code) - len(code.lstrip())
            if not code.strip():
                return ""
            label = ("the stack ran out here: the recursion is too deep or never ends"
                     if message == "stack overflow" else "the error happened on this line")
            d = Diagnostic(file, line, start + 1, message, code=runtime_code(message),
                           end_col=len(code) + 1, label=label)
        return render(d, report.sources, color=report.color, header=False)

    return annotate
