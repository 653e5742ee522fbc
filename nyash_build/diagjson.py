"""Diagnostics for tools: one JSON object per diagnostic (``--format json``).

The schema is docs/diagnostics.schema.json (described in docs/diagnostics.md); tests
validate every object against it. Positions are 1-based; columns count Unicode
characters (code points) as the compiler reads the file, a tab being one column;
``end`` is exclusive. Diagnostics without a position (a file that cannot be read, a
missing tool) have ``line``, ``column`` and ``end`` null.
"""
from __future__ import annotations

import json

from .diagnostics import Diagnostic, EnvironmentProblem
from .render import Sources, locate

SCHEMA_VERSION = 1


def _pos(line: int, col: int) -> dict:
    return {"line": line, "column": col}


def to_json(d: Diagnostic, sources: Sources) -> dict:
    has_col = bool(d.col)
    d = locate(d, sources)
    end_line, end_col = d.span_end
    return {
        "version": SCHEMA_VERSION,
        "file": d.file,
        "line": d.line or None,
        "column": d.col if d.line and has_col else None,
        "end": _pos(end_line, end_col) if d.line and has_col else None,
        "severity": d.severity,
        "code": d.code,  # every diagnostic has one (tests/diagnostics/test_codes.py)
        "message": d.message,
        "label": d.label or None,
        # a runtime error found early: raised if the code runs (an error for `nyash check`)
        "runtime": d.deferred,
        "suggestions": [{"message": s.message, "replacement": s.replacement} for s in d.suggestions]
        + ([{"message": d.help, "replacement": None}] if d.help else []),
        "related": [{"file": n.file, "line": n.line, "column": n.col,
                     "end": _pos(n.line, n.end_col), "message": n.label} for n in d.notes if n.line],
    }


def problem_json(p: EnvironmentProblem, file: str | None = None) -> dict:
    """An environment problem (no source position) as a diagnostic object."""
    return {
        "version": SCHEMA_VERSION, "file": file, "line": None, "column": None, "end": None,
        "severity": "error", "code": p.code, "message": p.message, "label": None, "runtime": False,
        "suggestions": [{"message": p.fix, "replacement": None}] if p.fix else [], "related": [],
    }


def dumps(obj: dict) -> str:
    """One line, keys in schema order, non-ASCII kept readable."""
    return json.dumps(obj, ensure_ascii=False)
