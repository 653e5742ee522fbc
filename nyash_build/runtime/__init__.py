"""The runtime library that is linked into every compiled Nyash module.

The runtime is written in WebAssembly text, one file per area, and parsed by the
project's own WAT parser (``nyash_build.wasm.wat_parser``) into the same module IR the
code generator produces.  Each file is a list of module fields (``func``, ``global``,
``data``) without the surrounding ``(module ...)``; see docs/design.md for the ABI.
"""
from __future__ import annotations

from importlib import resources

# Order matters only for readability of --emit-wat output.
RUNTIME_FILES: tuple[str, ...] = (
    "core.wat",
    "strings.wat",
    "float.wat",
    "values.wat",
    "collections.wat",
    "world.wat",
    "text_boxes.wat",
    "databox.wat",
)


def load_sources() -> list[tuple[str, str]]:
    """Return ``(file name, WAT text)`` for every runtime file that exists.

    Generated tables (``tables.py``) are appended as extra fragments.
    """
    out: list[tuple[str, str]] = []
    pkg = resources.files(__name__)
    for name in RUNTIME_FILES:
        f = pkg / name
        if f.is_file():
            out.append((name, f.read_text(encoding="utf-8")))
    try:
        from . import tables
    except ImportError:  # tables not written yet
        tables = None  # type: ignore[assignment]
    if tables is not None:
        for name, text in tables.generated_fragments():
            out.append((name, text))
    return out
