"""The registry of builtin box kinds that live behind the one heap tag ``T_BOX``
(docs/design.md, "Builtin box objects").

Why one tag for all of them: retain/release stay a single range test, dispatch stays
one tag test plus a kind-id switch, and adding a box never renumbers anything.

A box object starts with ``+0 i32 rc, +4 i32 kind id``; the rest belongs to the kind's
runtime code. Adding a kind is: one ``BoxKind`` entry here, then its runtime functions
(WAT in ``nyash_build/runtime/``, found by name):

* ``$m_<Short>_<method> (self i64, args v...) -> v`` — a method of fixed arity; ``self``
  is the object address. ``$mv_<Short>_<method> (self i64, args i32) -> v`` — a method
  taking any number of arguments, passed as a borrowed ArrayBox (it checks the count).
* ``$new_<Short> (args v...) -> i32`` (or ``$new_<Short>_<n>`` per arity) — the
  constructor: returns the owned object (``$box_alloc``), or 0 after raising. A kind
  without one is stateless: ``new`` yields one immortal object in static data, no
  allocation.
* optional ``$tostr_<Short> (p i32) -> i32`` (owned string form; default ``printed``),
  ``$drop_<Short> (p i32)`` (release what the object owns; the object itself is freed
  by the caller), ``$eq_<Short> (a i32, b i32) -> i32`` (``==`` of two distinct
  objects; default identity).

The kind id is ``global $kid_<Short>`` in the runtime (the compiler defines it from
this table). ``toString()`` answers the printed form unless the kind defines its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BoxKind:
    name: str                      # "FileBox": what `new` names
    short: str                     # "File": runtime function names use it
    kid: int                       # stored at +4 of every object of the kind
    arities: tuple[int, ...] = (0,)  # argument counts `new` accepts
    printed: str = ""              # printed form when there is no $tostr_<short>
    makes: tuple[str, ...] = ()    # kinds (names) its methods can return
    unknown: str = "Unknown method '{m}' for {box}"  # message for a missing method
    results: dict[str, str] = field(default_factory=dict)  # method -> static result kind
    # (scalars, "str" or "bx:<S>" only: inference tracks containers by allocation site)
    exposes_args: tuple[str, ...] = ()  # methods returning the program's argument array
    ctor_note: str = ""            # after "expects N arguments" in the constructor arity error
    network: bool = False          # every method but toString raises "network is not available"
    type_name: str = ""            # upstream's type_name() when it differs from `name`

    @property
    def static_kind(self) -> str:
        """The kind inference uses for values known to be this box."""
        return "bx:" + self.short

    def unknown_method(self, method: str) -> str:
        return self.unknown.format(m=method, box=self.name)

    def ctor_arity_message(self, argc: int) -> str:
        """Upstream's wording: ``TimeBox constructor expects 0 arguments, got 1``."""
        a = self.arities
        want = " or ".join(str(n) for n in a)
        noun = "argument" if a == (1,) else "arguments"
        return f"{self.name} constructor expects {want} {noun}{self.ctor_note}, got {argc}"


def arity_message(method: str, want: int, got: int, at_least: bool = False) -> str:
    """Upstream's wording for a builtin method called with the wrong count."""
    noun = "argument" if want == 1 else "arguments"
    return f"{method}() expects {'at least ' if at_least else ''}{want} {noun}, got {got}"


KINDS: tuple[BoxKind, ...] = (
    BoxKind("SystemBox", "System", 1, printed="SystemBox()", exposes_args=("args",)),
    BoxKind("FileBox", "File", 2, arities=(0, 1), results={"exists": "bool"}),
    BoxKind("TimeBox", "Time", 3, printed="TimeBox()", makes=("DateTimeBox",),
            unknown="Unknown TimeBox method: {m}", results={"now": "bx:DateTime"}),
    BoxKind("DateTimeBox", "DateTime", 4, makes=("DateTimeBox",), unknown="Unknown DateTimeBox method: {m}",
            results={"year": "int", "month": "int", "day": "int", "hour": "int", "minute": "int",
                     "second": "int", "timestamp": "int", "toISOString": "str"}),
    BoxKind("TimerBox", "Timer", 5, unknown="Unknown TimerBox method: {m}",
            results={"elapsed": "int", "reset": "str"}),
    BoxKind("RandomBox", "Random", 6, printed="RandomBox()", unknown="Unknown RandomBox method: {m}",
            results={"random": "float", "randBool": "bool", "seed": "str"}),
    # text and results (docs/data-boxes.md)
    BoxKind("JSONBox", "JSON", 7, arities=(1,), makes=("JSONBox",),
            results={"stringify": "str", "has": "bool"}),
    BoxKind("RegexBox", "Regex", 8, arities=(1,), results={"test": "bool", "replace": "str"}),
    BoxKind("ResultBox", "Result", 9, arities=(1,),
            results={"isOk": "bool", "is_ok": "bool", "getError": "str", "get_error": "str"}),
    # network boxes: creating one works, every method raises (compiler warns, N0213)
    BoxKind("SocketBox", "Socket", 10, unknown="SocketBox method '{m}' not found", network=True),
    BoxKind("HTTPClientBox", "HTTPClient", 11, unknown="Unknown method '{m}' for HttpClientBox", network=True),
    BoxKind("HTTPServerBox", "HTTPServer", 12, unknown="HTTPServerBox method '{m}' not found", network=True),
    BoxKind("P2PBox", "P2P", 13, arities=(2,), ctor_note=" (node_id, transport_type)", unknown="Cannot call method '{m}' on non-instance type",
            network=True),
    # bytes and debugging (docs/data-boxes.md)
    BoxKind("BufferBox", "Buffer", 20, makes=("BufferBox",),
            results={"length": "int", "memory_footprint": "int", "is_shared_with": "bool",
                     "share_reference": "bx:Buffer", "clear": "str"}),
    BoxKind("StreamBox", "Stream", 21, makes=("BufferBox",), type_name="NyashStreamBox",
            results={"position": "int", "length": "int", "reset": "str"}),
    BoxKind("DebugBox", "Debug", 22, unknown="Unknown DebugBox method: {m}",
            results={"isTracking": "bool", "getTrackedCount": "int", "dumpAll": "str",
                     "memoryReport": "str", "showCallStack": "str"}),
)

BY_NAME: dict[str, BoxKind] = {k.name: k for k in KINDS}
BY_SHORT: dict[str, BoxKind] = {k.short: k for k in KINDS}
BY_STATIC: dict[str, BoxKind] = {k.static_kind: k for k in KINDS}
assert len({k.kid for k in KINDS}) == len(KINDS), "box kind ids must be unique"
assert all(k.kid > 0 for k in KINDS), "kind id 0 is reserved"


def closure(names: set[str]) -> list[BoxKind]:
    """The kinds named plus every kind their methods can make (transitively), in
    registry order: a program can only hold box objects of these kinds."""
    todo = [n for n in names if n in BY_NAME]
    seen: set[str] = set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(BY_NAME[n].makes)
    return [k for k in KINDS if k.name in seen]
