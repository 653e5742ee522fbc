"""Strings scanned by position in a loop: the ASCII prefix length kept in a local.

``s.substring(i, i + 1)`` and ``s.get(i)`` on a string local s that the loop never
assigns read one character each turn. The runtime's character-position cache (see
``$char_offset`` in runtime/strings.wat) knows how many leading bytes of s are ASCII;
the generated code tests a position against that cache inline (fastpaths.py,
``string_position_call``). For a string the loop does not assign, that prefix length
is a fact about an immutable string, so it can live in a local: read from the cache
at the loop's entry (0 when the cache does not know s) and again after each call to
the runtime's slow path (which may have grown it). The test in the loop is then one
unsigned comparison, with no cache entry to load and check.

Strings are immutable while a local references them: an in-place append needs the
only reference ($str_append checks the count), and the local is one.
"""
from __future__ import annotations

from . import ast as A

POSITION_METHODS = {"substring": 2, "get": 1}
CHARPOS = 0x0C00  # the runtime's character-position cache: 8 entries of 16 bytes


def scanned_strings(fg, loop: A.Loop) -> list[str]:
    """Locals of kind str that the loop reads by position and never assigns."""
    assigned: set[str] = set()
    receivers: set[str] = set()
    for n in A.walk([loop.cond, loop.body]):
        if isinstance(n, A.Assign) and isinstance(n.target, A.Var):
            assigned.add(n.target.name)
        elif isinstance(n, A.Local):
            assigned.update(name for name, *_ in n.names)
        elif isinstance(n, A.Try):
            assigned.update(c.var for c in n.catches if c.var)
        elif (isinstance(n, A.MethodCall) and POSITION_METHODS.get(n.name) == len(n.args)
              and isinstance(n.obj, A.Var) and fg.info.var_kind.get(id(n.obj)) == "local"
              and n.obj.name in fg.vars and fg.vars[n.obj.name][:2] == ("str", "dyn")):
            receivers.add(n.obj.name)
    return sorted(receivers - assigned)


def emit_prefix_read(fg, ptr: str, asc: str, keep: bool) -> None:
    """asc = the cached ASCII prefix length of the string at ptr (an i32 local); when
    the cache does not know it, 0 (keep=False) or asc unchanged (keep=True)."""
    ent = fg.tmp("i32")
    fg.emit(("i32.const", CHARPOS), ("local.get", ptr), ("i32.const", 0x70), ("i32.and",), ("i32.add",),
            ("local.tee", ent), ("i32.load", 12, None),
            ("local.get", asc) if keep else ("i32.const", 0),
            ("local.get", ent), ("i32.load", 0, None), ("local.get", ptr), ("i32.eq",), ("select",),
            ("local.set", asc))


def emit_scan_init(fg, name: str) -> tuple[str, str]:
    """At a loop's entry: (the string's pointer, its ASCII prefix length) in new locals."""
    kind, st, names = fg.vars[name]
    ptr, asc = fg.tmp("i32"), fg.tmp("i32")
    fg.emit(("local.get", names[1]), ("i32.wrap_i64",), ("local.set", ptr))
    emit_prefix_read(fg, ptr, asc, keep=False)
    return ptr, asc
