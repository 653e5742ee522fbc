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
from .program import CTOR_NAMES, Body, ProgramInfo

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
        # parameters of functions and methods: the join over every call site that can
        # reach them (methods keep the dynamic calling convention and unbox at entry)
        for b in info.bodies:
            self.param_kinds[b.name] = [None] * len(b.params)
        # declared fields: the join over every write that can reach them
        self.field_kinds: dict[tuple[int, str], Kind] = {}
        # reads whose box is known statically (me with a fixed slot, exact receiver)
        self.field_reads: dict[int, str] = {}
        main = info.classes.get("Main")
        if main is not None and main.is_static:
            m = main.find_method("main", 1)
            if m is not None and main.find_method("main", 0) is None:
                self.param_kinds[info.method_bodies[id(m)].name] = ["arr"]  # main(args)

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
            for k in self.field_kinds:
                self.field_kinds[k] = "dyn"
            self.field_reads = {k: "dyn" for k in self.field_reads}
        return self

    def _finalize_bottoms(self) -> bool:
        changed = False
        for name, ks in self.param_kinds.items():
            for i, k in enumerate(ks):
                if k is None:
                    ks[i] = "dyn"
                    changed = True
        for table in (self.locals, self.returns, self.field_kinds):
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

    def note_field(self, cid: int, fname: str, kind: Kind) -> None:
        key = (cid, fname)
        old = self.field_kinds.get(key)
        new = join(old, kind)
        if new != old or key not in self.field_kinds:
            self.field_kinds[key] = new
            if new != old:
                self.changed = True

    def note_method_args(self, methods: list, kinds: list[Kind]) -> None:
        for m in {id(m): m for m in methods if m is not None}.values():
            body = self.info.method_bodies[id(m)]
            if len(body.params) == len(kinds):
                for i, k in enumerate(kinds):
                    self.note_arg(body.name, i, k)

    def method_targets(self, e: A.MethodCall, rk: Kind) -> list:
        """Every user method a call site can reach (for parameter kinds)."""
        argc = len(e.args)
        obj = e.obj
        classes = self.info.classes
        if isinstance(obj, A.Var) and self.info.var_kind.get(id(obj)) == "static":
            return [classes[obj.name].find_method(e.name, argc)]
        if isinstance(obj, A.Me) and self.body.cls is not None:
            return [c.find_method(e.name, argc) for c in self.body.cls.descendants()]
        if rk is not None and rk.startswith("obj:"):
            return [classes[rk[4:]].find_method(e.name, argc)]
        if rk in ("str", "arr", "map", "int", "float", "bool", "null", "err", "console", "math"):
            return []
        return [c.find_method(e.name, argc) for c in classes.values()]

    def write_targets(self, obj: A.Expr, rk: Kind, fname: str) -> list:
        """Every box whose declared field fname a write can reach."""
        if isinstance(obj, A.Me) and self.body.cls is not None:
            family = self.body.cls.descendants()
        elif rk is not None and rk.startswith("obj:"):
            family = [self.info.classes[rk[4:]]]
        else:
            family = list(self.info.classes.values())
        return [c for c in family if c.slot(fname) is not None]

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
                rk = self.expr(s.target.obj)
                for c in self.write_targets(s.target.obj, rk, s.target.name):
                    self.note_field(c.cid, s.target.name, k)
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
            kinds = [self.expr(a) for a in e.args]
            if e.box in self.info.classes:
                self.note_method_args([self.info.classes[e.box].find_ctor(len(e.args))], kinds)
                return f"obj:{e.box}"
            if e.box in ("IntegerBox", "FloatBox", "BoolBox") and e.args:
                return "dyn"
            return _NEW_KINDS.get(e.box, "dyn")
        if isinstance(e, A.MethodCall):
            rk = self.expr(e.obj)
            kinds = [self.expr(a) for a in e.args]
            self.note_method_args(self.method_targets(e, rk), kinds)
            if rk is None:
                return None
            return _METHOD_RESULTS.get((rk, e.name), "dyn")
        if isinstance(e, A.FromCall):
            kinds = [self.expr(a) for a in e.args]
            parent = self.info.classes.get(e.parent)
            if parent is not None and id(e) not in self.info.deferred:
                m = (parent.find_ctor(len(e.args)) if e.method in CTOR_NAMES
                     else parent.find_method(e.method, len(e.args)))
                self.note_method_args([m], kinds)
            return "dyn"
        if isinstance(e, A.Field):
            rk = self.expr(e.obj)
            site = static_field_site(self.info, self.body, e.obj, rk, e.name)
            if site is None:
                return "dyn"
            kind: Kind = None
            for c in site[0]:
                kind = join(kind, self.field_kinds.setdefault((c.cid, e.name), None))
            if any(self.field_kinds[(c.cid, e.name)] is None for c in site[0]):
                kind = None
            self.field_reads[id(e)] = finalize(kind)
            return kind
        return "dyn"


def static_field_site(info: ProgramInfo, body: Body, obj: A.Expr, recv_kind: Kind,
                      fname: str) -> tuple[list, int] | None:
    """(boxes the receiver can be, slot) when ``obj.fname`` reads a declared field at a
    slot known at compile time: ``me`` with the same slot in every descendant, or a
    receiver of exact kind ``obj:Box`` that this code may access (visibility settled
    statically). None: the access goes through the dynamic dispatcher.

    Used by both inference and code generation, so their decisions cannot differ."""
    if isinstance(obj, A.Me) and body.cls is not None:
        family = body.cls.descendants()
        slots = {c.slot(fname) for c in family}
        if len(slots) == 1 and None not in slots:
            return family, slots.pop()
        return None
    if recv_kind is None or not recv_kind.startswith("obj:"):
        return None
    cls = info.classes[recv_kind[4:]]
    slot = cls.slot(fname)
    if slot is None:
        return None
    if cls.restricts(fname):
        ctx = body.cls.cid if body.cls is not None else -1
        family_ids = {c.cid for c in cls.descendants()} | {c.cid for c in cls.ancestors()}
        if ctx not in family_ids:
            return None  # the dispatcher raises "is private"
    return [cls], slot


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
