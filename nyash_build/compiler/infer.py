"""Static kinds for the fast paths.

A kind says what a value is known to be at compile time.  Storage follows from it:
``int`` lives in an i64, ``float`` in an f64, ``bool`` in an i32; every other kind is a
dynamic (tag, payload) pair, but a precise kind (``str``, ``arr``, ``obj:Point``) still
lets code generation call the right runtime function directly.

The analysis is an optimistic fixed point over the whole program: function parameter
kinds are the join over all call sites, local kinds the join over all assignments,
return kinds the join over all returns (plus void when the end can be reached).
Anything uncertain becomes ``dyn``, which is always correct.
"""
from __future__ import annotations

from . import ast as A
from .program import Body, ProgramInfo

Kind = str | None  # None = bottom (no information yet)

SCALAR = frozenset({"int", "float", "bool"})

# Builtin method result kinds on receivers of a known kind.
_METHOD_RESULTS: dict[tuple[str, str], str] = {
    ("str", "length"): "int", ("str", "substring"): "str", ("str", "find"): "int",
    ("str", "replace"): "str", ("str", "trim"): "str", ("str", "toUpper"): "str",
    ("str", "toLower"): "str", ("str", "toInteger"): "int", ("str", "toString"): "str",
    ("str", "split"): "arr",
    ("arr", "length"): "int", ("arr", "indexOf"): "int", ("arr", "join"): "str",
    ("arr", "contains"): "bool", ("arr", "isEmpty"): "bool", ("arr", "slice"): "arr",
    ("arr", "toString"): "str",
    ("map", "size"): "int", ("map", "has"): "bool", ("map", "keys"): "arr",
    ("map", "values"): "arr", ("map", "isEmpty"): "bool", ("map", "toString"): "str",
    ("int", "toString"): "str", ("int", "abs"): "int", ("int", "toFloat"): "float",
    ("float", "toString"): "str", ("float", "toInteger"): "int", ("bool", "toString"): "str",
}

_NEW_KINDS = {"ArrayBox": "arr", "MapBox": "map", "ConsoleBox": "console", "MathBox": "math",
              "ErrorBox": "err", "StringBox": "str"}


def join(a: Kind, b: Kind) -> Kind:
    if a is None:
        return b
    if b is None or a == b:
        return a
    return "dyn"


def storage(kind: Kind) -> str:
    """'i64', 'f64', 'i32' for scalars, 'dyn' for (tag, payload) pairs."""
    if kind == "int":
        return "i64"
    if kind == "float":
        return "f64"
    if kind == "bool":
        return "i32"
    return "dyn"


class Inference:
    def __init__(self, info: ProgramInfo) -> None:
        self.info = info
        self.param_kinds: dict[str, list[Kind]] = {}
        self.returns: dict[str, Kind] = {}
        self.locals: dict[tuple[str, str], Kind] = {}
        self.changed = True
        for name, b in info.function_bodies.items():
            self.param_kinds[b.name] = [None] * len(b.params)
        for b in info.bodies:
            if b.cls is not None:
                self.param_kinds[b.name] = ["dyn"] * len(b.params)

    # ---- results -----------------------------------------------------------------
    def local_kind(self, body: Body, name: str) -> Kind:
        if name in body.params:
            k = self.param_kinds[body.name][body.params.index(name)]
            k2 = self.locals.get((body.name, name))
            return finalize(join(k, k2))
        return finalize(self.locals.get((body.name, name)))

    def return_kind(self, body: Body) -> Kind:
        return finalize(self.returns.get(body.name))

    # ---- analysis ------------------------------------------------------------------
    def run(self) -> "Inference":
        rounds = 0
        while rounds < 100:
            while self.changed and rounds < 100:
                self.changed = False
                rounds += 1
                for b in self.info.bodies:
                    self.body = b
                    self.stmts(b.stmts)
                    if not ends_with_return(b.stmts):
                        self.note_return(b, "void")
            # What is still bottom (a function never called, a return only through
            # itself) is stored dynamically; run again so every expression that reads it
            # is dynamic too and the kinds code generation sees are consistent.
            if not self._finalize_bottoms():
                break
        if self.changed:  # did not converge: give up precision everywhere
            for k in self.param_kinds:
                self.param_kinds[k] = ["dyn"] * len(self.param_kinds[k])
            for k in self.locals:
                self.locals[k] = "dyn"
            for k in self.returns:
                self.returns[k] = "dyn"
        return self

    def _finalize_bottoms(self) -> bool:
        changed = False
        for name, ks in self.param_kinds.items():
            for i, k in enumerate(ks):
                if k is None:
                    ks[i] = "dyn"
                    changed = True
        for table in (self.locals, self.returns):
            for key, k in table.items():
                if k is None:
                    table[key] = "dyn"
                    changed = True
        for b in self.info.bodies:
            if b.name not in self.returns:
                self.returns[b.name] = "dyn"
                changed = True
        self.changed = changed
        return changed

    def note_local(self, name: str, kind: Kind) -> None:
        key = (self.body.name, name)
        old = self.locals.get(key)
        new = join(old, kind)
        if new != old:
            self.locals[key] = new
            self.changed = True

    def note_return(self, body: Body, kind: Kind) -> None:
        old = self.returns.get(body.name)
        new = join(old, kind)
        if new != old:
            self.returns[body.name] = new
            self.changed = True

    def note_arg(self, fname: str, i: int, kind: Kind) -> None:
        ks = self.param_kinds[fname]
        new = join(ks[i], kind)
        if new != ks[i]:
            ks[i] = new
            self.changed = True

    def stmts(self, stmts: list[A.Stmt]) -> None:
        for s in stmts:
            self.stmt(s)

    def stmt(self, s: A.Stmt) -> None:
        if isinstance(s, A.Local):
            for name, init, _, _ in s.names:
                self.note_local(name, self.expr(init) if init is not None else "void")
        elif isinstance(s, A.Assign):
            k = self.expr(s.value)
            if isinstance(s.target, A.Var):
                if self.info.var_kind.get(id(s.target)) == "local":
                    self.note_local(s.target.name, k)
            else:
                self.expr(s.target.obj)
        elif isinstance(s, A.If):
            self.expr(s.cond)
            self.stmts(s.then)
            if s.orelse:
                self.stmts(s.orelse)
        elif isinstance(s, A.Loop):
            self.expr(s.cond)
            self.stmts(s.body)
        elif isinstance(s, A.Return):
            self.note_return(self.body, self.expr(s.value) if s.value is not None else "void")
        elif isinstance(s, (A.Print, A.Throw)):
            self.expr(s.value)
        elif isinstance(s, A.ExprStmt):
            self.expr(s.expr)
        elif isinstance(s, A.Try):
            self.stmts(s.body)
            for c in s.catches:
                self.note_local(c.var, "err")
                self.stmts(c.body)
            if s.final:
                self.stmts(s.final)

    def expr(self, e: A.Expr) -> Kind:
        k = self._expr(e)
        return k

    def _expr(self, e: A.Expr) -> Kind:
        if isinstance(e, A.IntLit):
            return "int"
        if isinstance(e, A.FloatLit):
            return "float"
        if isinstance(e, A.StrLit):
            return "str"
        if isinstance(e, A.BoolLit):
            return "bool"
        if isinstance(e, A.NullLit):
            return "null"
        if isinstance(e, A.Me):
            return "dyn"
        if isinstance(e, A.Var):
            vk = self.info.var_kind.get(id(e))
            if vk == "local":
                if e.name in self.body.params:
                    return join(self.param_kinds[self.body.name][self.body.params.index(e.name)],
                                self.locals.get((self.body.name, e.name)))
                return self.locals.get((self.body.name, e.name))
            return "dyn"
        if isinstance(e, A.Binary):
            lk = self.expr(e.left)
            rk = self.expr(e.right)
            return binary_kind(e.op, lk, rk)
        if isinstance(e, A.Unary):
            k = self.expr(e.operand)
            if e.op == "not":
                return "bool"
            if k is None:
                return None
            return k if k in ("int", "float") else "dyn"
        if isinstance(e, A.Call):
            body = self.info.function_bodies.get(e.name)
            if body is None or len(body.params) != len(e.args):  # a deferred runtime error
                for a in e.args:
                    self.expr(a)
                return "dyn"
            for i, a in enumerate(e.args):
                self.note_arg(body.name, i, self.expr(a))
            return self.returns.get(body.name)
        if isinstance(e, A.New):
            for a in e.args:
                self.expr(a)
            if e.box in self.info.classes:
                return f"obj:{e.box}"
            if e.box in ("IntegerBox", "FloatBox", "BoolBox") and e.args:
                return "dyn"
            return _NEW_KINDS.get(e.box, "dyn")
        if isinstance(e, A.MethodCall):
            rk = self.expr(e.obj)
            for a in e.args:
                self.expr(a)
            if rk is None:
                return None
            return _METHOD_RESULTS.get((rk, e.name), "dyn")
        if isinstance(e, A.FromCall):
            for a in e.args:
                self.expr(a)
            return "dyn"
        if isinstance(e, A.Field):
            self.expr(e.obj)
            return "dyn"
        return "dyn"


def binary_kind(op: str, lk: Kind, rk: Kind) -> Kind:
    if op in ("==", "!=", "<", ">", "<=", ">=", "and", "or"):
        return "bool"
    if lk is None or rk is None:
        return None
    if lk == "int" and rk == "int":
        return "int"
    if lk in ("int", "float") and rk in ("int", "float") and op != "%":
        return "float"
    if op == "+" and lk == "str":
        return "str"
    if op == "*" and lk == "str" and rk == "int":
        return "str"
    return "dyn"


def finalize(k: Kind) -> str:
    """Bottom (never assigned / never called) is stored dynamically."""
    return "dyn" if k is None else k


def ends_with_return(stmts: list[A.Stmt]) -> bool:
    """True when every path through stmts ends in a return (conservative)."""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, A.Return) or isinstance(last, A.Throw):
        return True
    if isinstance(last, A.If) and last.orelse is not None:
        return ends_with_return(last.then) and ends_with_return(last.orelse)
    return False


def infer(info: ProgramInfo) -> Inference:
    return Inference(info).run()
