"""Array state hoisted out of loops (issue 19: the insertion sort's inner loop).

An ArrayBox's length, buffer address and storage mode change only inside runtime
functions that change the array (push, pop, a set of a value its typed mode cannot
hold, ...) -- never in a plain read, and never in code that cannot call them.  The
runtime never calls back into user code.  So in a loop whose condition and body only
read locals and arrays, do arithmetic and comparisons, and get/set/length on array
locals the loop does not reassign (see ``region_of`` for the exact list), an array's
state can change only in the slow path of a ``set`` (a value the mode does not hold,
say null from an out-of-range ``get``).  Such a loop reads, before its first turn and
again right after every such slow path, for each array local it uses with a typed
element prediction (integers or floats): its length, its buffer, and an *effective
length* -- the length when the array is in the predicted typed mode, else 0.  An
access's fast path then tests only ``index <u effective length`` (out of range, or
the mode not the predicted one, both go to the same runtime slow path as before), and
loads or stores through the hoisted buffer: no header loads, no mode test.

A ``int?``/``float?`` local the loop reads but never assigns (``key`` in the sort)
has the same tag on every turn: its tag test is folded into one more effective length
(the array's, or 0 when the tag is not the number's) used by ``a.get(i) OP key``.

Semantics do not change: every case the fast path does not take runs the same runtime
calls as the code without the region, in the same order.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import ast as A
from .abi import T_FLOAT, T_INT
from .infer import base, core, exact, never_heap, nullable, numeric_core


@dataclass
class Hoist:
    mode: int      # predicted typed storage mode (T_INT / T_FLOAT)
    p: str         # i32: the array's address
    len: str       # i64: its length
    elen: str      # i64: the length in the predicted mode, else 0
    data: str      # i32: its buffer


@dataclass
class Region:
    arrays: dict[str, Hoist] = field(default_factory=dict)
    # (array local, invariant number-or-null local) -> i64 local: the array's effective
    # length when that local holds a number, else 0
    pairs: dict[tuple[str, str], str] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)  # invariant local -> its number tag


_SCALAR_RECEIVERS = frozenset({"str", "int", "float", "bool", "math"})
_ARRAY_METHODS = {"get": 1, "set": 2, "length": 0}
MAX_PAIRS = 8


class _Scan:
    def __init__(self, fg) -> None:
        self.fg = fg
        self.assigned: set[str] = set()
        self.receivers: set[str] = set()
        self.reads: set[str] = set()

    def local(self, e: A.Expr) -> bool:
        fg = self.fg
        return (isinstance(e, A.Var) and fg.info.var_kind.get(id(e)) == "local" and e.name in fg.vars)

    def stmts(self, ss: list[A.Stmt]) -> bool:
        return all(self.stmt(s) for s in ss)

    def stmt(self, s: A.Stmt) -> bool:
        if isinstance(s, A.Local):
            for name, init, _, _ in s.names:
                if name not in self.fg.vars:
                    return False
                self.assigned.add(name)
                if init is not None and not self.expr(init):
                    return False
            return True
        if isinstance(s, A.Assign):
            t = s.target
            if isinstance(t, A.Var):
                if s.is_global or not self.local(t):
                    return False
                self.assigned.add(t.name)
                return self.expr(s.value)
            return False
        if isinstance(s, A.If):
            return self.expr(s.cond) and self.stmts(s.then) and self.stmts(s.orelse or [])
        if isinstance(s, A.Loop):
            return self.expr(s.cond) and self.stmts(s.body)
        if isinstance(s, A.Break):
            return True
        if isinstance(s, A.ExprStmt):
            return self.expr(s.expr)
        return False

    def expr(self, e: A.Expr) -> bool:
        fg = self.fg
        if id(e) in fg.info.deferred:
            return True  # raises where it stands
        if isinstance(e, (A.IntLit, A.FloatLit, A.BoolLit, A.NullLit, A.StrLit)):
            return True
        if isinstance(e, A.Var):
            if not self.local(e):
                return False
            self.reads.add(e.name)
            return True
        if isinstance(e, A.Unary):
            return self.expr(e.operand)
        if isinstance(e, A.Binary):
            return self.expr(e.left) and self.expr(e.right)
        if isinstance(e, A.MethodCall):
            rk = fg.inf.receiver_kinds.get(id(e), "dyn")
            if base(rk) == "arr" and not nullable(rk):
                if not (self.local(e.obj) and _ARRAY_METHODS.get(e.name) == len(e.args)):
                    return False
                self.receivers.add(e.obj.name)
            elif base(exact(rk)) not in _SCALAR_RECEIVERS or not self.expr(e.obj):
                return False
            return all(self.expr(a) for a in e.args)
        return False


def region_of(fg, loop: A.Loop) -> Region | None:
    """The hoists for a loop whose code cannot change any array but in a set's slow
    path, or None (another statement or expression kind, no array to hoist)."""
    sc = _Scan(fg)
    if not (sc.expr(loop.cond) and sc.stmts(loop.body)):
        return None
    r = Region()
    for name in sorted(sc.receivers - sc.assigned):
        kind, st, _ = fg.vars[name]
        if base(kind) != "arr" or nullable(kind) or st != "dyn":
            continue
        mode = fg.predicted_mode(fg.inf.elem_kind_of(kind))
        if not mode:
            continue
        r.arrays[name] = Hoist(mode, fg.tmp("i32"), fg.tmp("i64"), fg.tmp("i64"), fg.tmp("i32"))
    if not r.arrays:
        return None
    _pairs(fg, r, sc)
    return r


def inner_region(fg, outer: Region, loop: A.Loop) -> Region | None:
    """A loop inside a region: the same arrays, plus the pairs of the locals only this
    loop leaves unassigned (None when there are none)."""
    sc = _Scan(fg)
    ok = sc.expr(loop.cond) and sc.stmts(loop.body)
    assert ok  # part of the outer region
    r = Region(outer.arrays, dict(outer.pairs), dict(outer.tags))
    _pairs(fg, r, sc)
    return r if len(r.pairs) > len(outer.pairs) else None


def emit_pairs(fg, r: Region, names) -> None:
    for (a, name), el in r.pairs.items():
        if (a, name) in names:
            t = fg.vars[name][2][0]
            fg.emit(("local.get", r.arrays[a].elen), ("i64.const", 0),
                    ("local.get", t), ("i32.const", r.tags[name]), ("i32.eq",),
                    ("select",), ("local.set", el))


def _pairs(fg, r: Region, sc: _Scan) -> None:
    for name in sorted(sc.reads - sc.assigned):
        kind, st, _ = fg.vars[name]
        if st == "dyn" and nullable(kind) and numeric_core(kind) in ("int", "float") and core(kind) == numeric_core(kind):
            for a in r.arrays:
                if len(r.pairs) < MAX_PAIRS and (a, name) not in r.pairs:
                    r.pairs[(a, name)] = fg.tmp("i64")
                    r.tags[name] = T_INT if numeric_core(kind) == "int" else T_FLOAT


def emit_hoist(fg, r: Region) -> None:
    """(Re)read the hoisted state of every array of the region."""
    for name, h in r.arrays.items():
        v = fg.vars[name][2][1]
        fg.emit(("local.get", v), ("i32.wrap_i64",), ("local.tee", h.p), ("i64.load32_u", 4, None),
                ("local.set", h.len),
                ("local.get", h.p), ("i32.load", 12, None), ("local.set", h.data),
                ("local.get", h.len), ("i64.const", 0),
                ("local.get", h.p), ("i32.load", 16, None), ("i32.const", h.mode), ("i32.eq",),
                ("select",), ("local.set", h.elen))
    emit_pairs(fg, r, r.pairs)



MAX_FLAT = 6  # statements of a loop body given out-of-line slow paths


def flat_numeric(fg, r: Region, loop: A.Loop) -> bool:
    """A loop for the out-of-line form (FuncGen.flat_loop): a body of at most MAX_FLAT
    plain statements -- local declarations and assignments of numbers (or bools, or
    null), array element stores as statements -- over integer/float locals, literals and
    get/length/set on hoisted arrays. Each such statement has no effect before its last
    test (its value is computed, then stored), and builds no heap value, so a failing
    test can leave it and have it run again, whole, by the generic code."""
    if not loop.body or len(loop.body) > MAX_FLAT:
        return False

    def num_local(e) -> bool:
        return (isinstance(e, A.Var) and fg.info.var_kind.get(id(e)) == "local" and e.name in fg.vars
                and never_heap(fg.vars[e.name][0]))

    def expr(e) -> bool:
        if id(e) in fg.info.deferred:
            return False
        if isinstance(e, (A.IntLit, A.FloatLit, A.BoolLit, A.NullLit)):
            return True
        if isinstance(e, A.Var):
            return num_local(e)
        if isinstance(e, A.Unary):
            return expr(e.operand)
        if isinstance(e, A.Binary):
            return expr(e.left) and expr(e.right)
        if isinstance(e, A.MethodCall) and e.name in ("get", "length"):
            return (isinstance(e.obj, A.Var) and fg.info.var_kind.get(id(e.obj)) == "local"
                    and e.obj.name in r.arrays and len(e.args) == (1 if e.name == "get" else 0)
                    and all(expr(a) for a in e.args))
        return False

    for s in loop.body:
        if isinstance(s, A.Local):
            if not all(n in fg.vars and never_heap(fg.vars[n][0]) and (i is None or expr(i))
                       for n, i, _, _ in s.names):
                return False
        elif isinstance(s, A.Assign):
            if not (isinstance(s.target, A.Var) and not s.is_global and num_local(s.target) and expr(s.value)):
                return False
        elif isinstance(s, A.ExprStmt):
            e = s.expr
            if not (isinstance(e, A.MethodCall) and e.name == "set" and len(e.args) == 2
                    and isinstance(e.obj, A.Var) and fg.info.var_kind.get(id(e.obj)) == "local"
                    and e.obj.name in r.arrays and id(e) not in fg.info.deferred
                    and all(expr(a) for a in e.args)):
                return False
        else:
            return False
    return expr(loop.cond)
