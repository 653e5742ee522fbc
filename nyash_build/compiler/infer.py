"""Static kinds for the fast paths.

A kind says what a value is known to be at compile time.  Storage follows from it:
``int`` lives in an i64, ``float`` in an f64, ``bool`` in an i32; every other kind is a
dynamic (tag, payload) pair, but a precise kind (``str``, ``arr#3``, ``obj:Point``)
still lets code generation call the right runtime function directly.

Kind strings:

* ``int`` ``float`` ``bool`` ``str`` ``err`` ``console`` ``math`` ``null`` ``void``
  ``obj:Box`` (exactly that box, not a descendant) and ``dyn`` (anything);
* ``arr#1.4`` / ``map#2``: an ArrayBox / MapBox made at one of the listed *allocation
  sites* (``new ArrayBox()`` expressions, ``split``/``slice``/``keys``/``values`` calls,
  the argument array of ``main(args)``);
* a ``?`` suffix (``obj:Node?``, ``int?``, ``arr#3?``): that kind or ``null``.

Every allocation site has element kinds (arrays) or key and value kinds (maps): the join
of everything stored into a container made there.  Reading an element back gives that
kind (plus ``null``, which an out-of-range ``get`` returns), so ``ps.get(i).step()`` on
an array that only ever held Particles is a direct call, and ``total + a.get(i)`` on an
array of integers is i64 code.  A container *escapes* when it becomes reachable by code
that does not know its sites -- a ``dyn`` variable, a global, an argument of a builtin
method on an unknown receiver, a field read through the dynamic dispatcher, the
extra-field map of an instance, another escaped container -- and then its element kinds
also take in everything stored through unknown receivers.  Escape is transitive.

The analysis is an optimistic fixed point over the whole program: function parameter
kinds are the join over all call sites, local kinds the join over all assignments,
return kinds the join over all returns (plus void when the end can be reached), field
kinds the join over every write that can reach them, element kinds as above.
Anything uncertain becomes ``dyn``, which is always correct.
"""
from __future__ import annotations

from functools import lru_cache

from . import ast as A
from . import boxkinds as BK
from .program import Body, ProgramInfo, is_ctor_call, part_field

Kind = str | None  # None = bottom (no information yet)

SCALAR = frozenset({"int", "float", "bool"})
NUMERIC = frozenset({"int", "float"})

# Builtin method result kinds on receivers of an exact builtin kind (the element-aware
# results of ArrayBox/MapBox methods are computed in Inference.builtin_result).
_METHOD_RESULTS: dict[tuple[str, str], str] = {
    ("str", "length"): "int", ("str", "substring"): "str", ("str", "find"): "int",
    ("str", "replace"): "str", ("str", "trim"): "str", ("str", "toUpper"): "str",
    ("str", "toLower"): "str", ("str", "toInteger"): "int", ("str", "toString"): "str",
    ("str", "concat"): "str",
    ("arr", "length"): "int", ("arr", "indexOf"): "int", ("arr", "join"): "str",
    ("arr", "contains"): "bool", ("arr", "isEmpty"): "bool", ("arr", "toString"): "str",
    ("map", "size"): "int", ("map", "has"): "bool", ("map", "isEmpty"): "bool",
    ("map", "toString"): "str", ("map", "containsKey"): "bool",
    ("int", "toString"): "str", ("int", "abs"): "int", ("int", "toFloat"): "float",
    ("float", "toString"): "str", ("float", "toInteger"): "int", ("bool", "toString"): "str",
    ("float", "sqrt"): "float", ("float", "abs"): "float", ("float", "floor"): "int",
    ("float", "ceil"): "int", ("float", "round"): "int",
    # MathBox: results are floats or integers whatever the argument, or an error
    ("math", "sqrt"): "float", ("math", "sin"): "float", ("math", "cos"): "float",
    ("math", "tan"): "float", ("math", "log"): "float", ("math", "exp"): "float",
    ("math", "pow"): "float", ("math", "floor"): "int", ("math", "ceil"): "int",
    ("math", "round"): "int",
}
# Builtin methods that store an argument into their receiver.
_STORING = {("arr", "push", 1): (None, 0), ("arr", "set", 2): (None, 1), ("map", "set", 2): (0, 1)}
# Builtin methods of arrays and maps that neither keep nor return their arguments.
_READ_ONLY = {
    "arr": {"get", "pop", "remove", "length", "indexOf", "contains", "isEmpty", "join",
            "toString", "clear", "sort", "reverse", "slice"},
    "map": {"get", "has", "containsKey", "containsValue", "delete", "size", "isEmpty",
            "clear", "toString", "forEach", "keys", "values"},
}
_PLAIN_BUILTINS = frozenset({"str", "int", "float", "bool", "console", "math", "err"})

_NEW_KINDS = {"ConsoleBox": "console", "MathBox": "math", "ErrorBox": "err", "StringBox": "str"}
_NULLABLE_BASES = frozenset({"int", "float", "bool", "str", "arr", "map", "err"})
_BUILTIN_TAG_NAMES = ("String", "Integer", "Float", "Bool", "Array", "Map", "Console", "Math",
                      "Error", "Null")


# ---- kind strings ----------------------------------------------------------------
def nullable(k: Kind) -> bool:
    return k is not None and k.endswith("?")


def core(k: Kind) -> Kind:
    """The kind without its ``?`` (what a non-null value of kind k is)."""
    return k[:-1] if nullable(k) else k


@lru_cache(maxsize=4096)
def base(k: Kind) -> Kind:
    """The kind without ``?`` and allocation sites: ``arr#3?`` -> ``arr``."""
    if k is None:
        return None
    return core(k).partition("#")[0]


@lru_cache(maxsize=4096)
def sites(k: Kind) -> frozenset[int]:
    if k is None:
        return frozenset()
    s = core(k).partition("#")[2]
    return frozenset(int(x) for x in s.split(".")) if s else frozenset()


def make_kind(b: str, ss: frozenset[int] | set[int] = frozenset(), null: bool = False) -> str:
    k = b + ("#" + ".".join(str(s) for s in sorted(ss)) if ss else "")
    return k + "?" if null else k


def exact(k: Kind) -> str:
    """The kind when the value can never be null, else ``dyn`` (for code that does not
    test for null itself)."""
    return "dyn" if k is None or nullable(k) else k


def _or_null(k: str) -> str:
    b = base(k)
    if b in _NULLABLE_BASES or b.startswith("obj:"):
        return make_kind(b, sites(k), True)
    return "dyn"


@lru_cache(maxsize=16384)
def join(a: Kind, b: Kind) -> Kind:
    if a is None:
        return b
    if b is None or a == b:
        return a
    if a == "dyn" or b == "dyn":
        return "dyn"
    if a == "null":
        return _or_null(b)
    if b == "null":
        return _or_null(a)
    ba, bb = base(a), base(b)
    if ba != bb:
        return "dyn"
    return make_kind(ba, sites(a) | sites(b), nullable(a) or nullable(b))


def never_heap(kind: Kind) -> bool:
    """Values of this kind never live on the heap (no reference counting needed)."""
    return core(kind) in ("int", "float", "bool", "null", "void", "console", "math")


def storage(kind: Kind) -> str:
    """'i64', 'f64', 'i32' for scalars, 'dyn' for (tag, payload) pairs."""
    if kind == "int":
        return "i64"
    if kind == "float":
        return "f64"
    if kind == "bool":
        return "i32"
    return "dyn"


def numeric_core(k: Kind) -> Kind:
    """int / float for an int or float that may also be null (arithmetic on null raises)."""
    c = core(k)
    return c if c in NUMERIC else k


class Inference:
    def __init__(self, info: ProgramInfo) -> None:
        from .runtime_lib import runtime_lib
        self.info = info
        self.rt_methods = runtime_lib().method_argc
        self.rt_funcs = runtime_lib().func_names
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
        # results of method calls, by id of the MethodCall node; receiver kinds of method
        # calls and of field-assignment targets (for effects.py)
        self.node_kinds: dict[int, Kind] = {}
        self.receiver_kinds: dict[int, Kind] = {}
        # allocation sites: id(node) -> number; per site the container kind and the
        # element (arrays) or key/value (maps) kinds
        self.site_of: dict[int, int] = {}
        self.site_base: dict[int, str] = {}
        self.elem: dict[int, Kind] = {}
        self.mkey: dict[int, Kind] = {}
        self.escaped: set[int] = set()
        # what is stored through receivers whose sites are unknown
        self.u_elem: Kind = None
        self.u_key: Kind = None
        self.u_val: Kind = None
        # builtin box kinds (boxkinds registry) that `new` expressions name
        self.used_boxes: set[str] = set()
        main = info.classes.get("Main")
        if main is not None and main.is_static:
            m = main.find_method("main", 1)
            if m is not None and main.find_method("main", 0) is None:
                self.param_kinds[info.method_bodies[id(m)].name] = [make_kind("arr", {self.args_site()})]

    # ---- results -----------------------------------------------------------------
    def local_kind(self, body: Body, name: str) -> Kind:
        if name in body.params:
            k = self.param_kinds[body.name][body.params.index(name)]
            k2 = self.locals.get((body.name, name))
            return finalize(join(k, k2))
        return finalize(self.locals.get((body.name, name)))

    def return_kind(self, body: Body) -> Kind:
        return finalize(self.returns.get(body.name))

    def elem_kind_of(self, k: Kind) -> str:
        """After the analysis: what the elements of arrays of kind k can be (dyn when the
        sites are unknown)."""
        ss = sites(k)
        if not ss:
            return "dyn"
        out: Kind = None
        for s in ss:
            out = join(out, self.elem[s])
        return finalize(out)

    def node_kind(self, e: A.Expr) -> str:
        """Kind of a method call's result (what code generation may rely on)."""
        return finalize(self.node_kinds.get(id(e)))

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
                    for i, p in enumerate(b.params):  # an assigned parameter's storage
                        self.join(self.param_kinds[b.name][i], self.locals.get((b.name, p)))
                self.settle_escapes()
            # What is still bottom (a function never called, a return only through
            # itself) is stored dynamically; run again so every expression that reads it
            # is dynamic too and the kinds code generation sees are consistent.
            if not self._finalize_bottoms():
                break
        if self.changed:  # did not converge: give up precision everywhere
            for k in self.param_kinds:
                self.param_kinds[k] = ["dyn"] * len(self.param_kinds[k])
            for table in (self.locals, self.returns, self.field_kinds, self.elem, self.mkey):
                for k in table:
                    table[k] = "dyn"
            self.field_reads = {k: "dyn" for k in self.field_reads}
            self.node_kinds = {k: "dyn" for k in self.node_kinds}
        return self

    def _finalize_bottoms(self) -> bool:
        changed = False
        for name, ks in self.param_kinds.items():
            for i, k in enumerate(ks):
                if k is None:
                    ks[i] = "dyn"
                    changed = True
        for table in (self.locals, self.returns, self.field_kinds, self.elem, self.mkey):
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

    # ---- joins that remember escapes --------------------------------------------------
    def join(self, a: Kind, b: Kind) -> Kind:
        r = join(a, b)
        if r == "dyn":
            self.escape(a)
            self.escape(b)
        return r

    def escape(self, k: Kind) -> None:
        """Containers of kind k become reachable by code that does not know their sites."""
        for s in sites(k):
            if s not in self.escaped:
                self.escaped.add(s)
                self.changed = True
                self.escape(self.elem.get(s))
                self.escape(self.mkey.get(s))

    def settle_escapes(self) -> None:
        for s in list(self.escaped):
            if self.site_base[s] == "arr":
                self.note_elem(s, self.u_elem)
            else:
                self.note_elem(s, self.u_val)
                self.note_key(s, self.u_key)

    def site(self, node_id: int, b: str) -> int:
        s = self.site_of.get(node_id)
        if s is None:
            s = self.site_of[node_id] = len(self.site_of)
            self.site_base[s] = b
            self.elem[s] = None
            if b == "map":
                self.mkey[s] = None
        return s

    def note_elem(self, s: int, kind: Kind) -> None:
        """Element kind (arrays) or value kind (maps) of site s."""
        old = self.elem[s]
        new = self.join(old, kind)
        if new != old:
            self.elem[s] = new
            self.changed = True
            if s in self.escaped:
                self.escape(new)

    def note_key(self, s: int, kind: Kind) -> None:
        old = self.mkey[s]
        new = self.join(old, kind)
        if new != old:
            self.mkey[s] = new
            self.changed = True
            if s in self.escaped:
                self.escape(new)

    def note_unknown_store(self, name: str, kinds: list[Kind]) -> None:
        """push/set through a receiver whose sites are unknown (or that is not a
        container at all: then the call raises and nothing is stored)."""
        if name == "push" and len(kinds) == 1:
            self.u_elem = self._grow(self.u_elem, kinds[0])
        elif name == "set" and len(kinds) == 2:
            self.u_elem = self._grow(self.u_elem, kinds[1])
            self.u_val = self._grow(self.u_val, kinds[1])
            self.u_key = self._grow(self.u_key, kinds[0])

    def _grow(self, old: Kind, kind: Kind) -> Kind:
        new = self.join(old, kind)
        if new != old:
            self.changed = True
        return new

    def elem_kind(self, k: Kind, keys: bool = False) -> Kind:
        """Join of the element (value, or key) kinds of every site of container kind k."""
        out: Kind = None
        for s in sites(k):
            out = self.join(out, (self.mkey if keys else self.elem)[s])
        return out

    # ---- other tables -----------------------------------------------------------------
    def note_field(self, cid: int, fname: str, kind: Kind) -> None:
        key = (cid, fname)
        old = self.field_kinds.get(key)
        new = self.join(old, kind)
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
        return self.method_targets_for(self.body, e, rk)

    def method_targets_for(self, body: Body, e: A.MethodCall, rk: Kind) -> list:
        argc = len(e.args)
        obj = e.obj
        classes = self.info.classes
        if isinstance(obj, A.Var) and self.info.var_kind.get(id(obj)) == "static":
            return [classes[obj.name].find_method(e.name, argc)]
        if isinstance(obj, A.Me) and body.cls is not None:
            return [c.find_method(e.name, argc) for c in body.cls.descendants()]
        c = core(rk)
        if c is not None and c.startswith("obj:"):
            return [classes[c[4:]].find_method(e.name, argc)]
        if c in _PLAIN_BUILTINS or base(c) in ("arr", "map") or c in ("null", "void") or (
                c is not None and c.startswith("bx:")):
            return []
        return [c.find_method(e.name, argc) for c in classes.values()]

    def write_targets(self, obj: A.Expr, rk: Kind, fname: str) -> list:
        """Every box whose declared field fname a write can reach."""
        return self._write_targets(self.body, obj, rk, fname)

    def write_targets_for(self, body: Body, obj: A.Expr, fname: str) -> list:
        """write_targets after the analysis (the receiver's recorded kind)."""
        return self._write_targets(body, obj, self.receiver_kinds.get(id(obj), "dyn"), fname)

    def _write_targets(self, body: Body, obj: A.Expr, rk: Kind, fname: str) -> list:
        c = core(rk)
        if isinstance(obj, A.Me) and body.cls is not None:
            family = body.cls.descendants()
        elif c is not None and c.startswith("obj:"):
            family = [self.info.classes[c[4:]]]
        else:
            family = list(self.info.classes.values())
        return [c for c in family if c.slot(fname) is not None]

    def note_local(self, name: str, kind: Kind) -> None:
        key = (self.body.name, name)
        old = self.locals.get(key)
        new = self.join(old, kind)
        if new != old:
            self.locals[key] = new
            self.changed = True

    def note_return(self, body: Body, kind: Kind) -> None:
        old = self.returns.get(body.name)
        new = self.join(old, kind)
        if new != old:
            self.returns[body.name] = new
            self.changed = True

    def note_arg(self, fname: str, i: int, kind: Kind) -> None:
        ks = self.param_kinds[fname]
        new = self.join(ks[i], kind)
        if new != ks[i]:
            ks[i] = new
            self.changed = True

    def note_node(self, e: A.Expr, kind: Kind) -> Kind:
        self.node_kinds[id(e)] = kind
        return kind

    # ---- statements and expressions ---------------------------------------------------------
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
                    self.escape(k)  # globals are dynamic
            else:
                rk = self.expr(s.target.obj)
                self.receiver_kinds[id(s.target.obj)] = rk
                if rk is None:
                    return  # receiver not known yet (optimistic: later rounds see it)
                for c in self.write_targets(s.target.obj, rk, s.target.name):
                    self.note_field(c.cid, s.target.name, k)
                if field_site(self.info, self.body, s.target.obj, rk, s.target.name) is None:
                    self.escape(k)  # maybe an extra field (only the dispatcher reads those)
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
        elif isinstance(s, A.Print):
            self.expr(s.value)
        elif isinstance(s, A.Throw):
            self.escape(self.expr(s.value))
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
        return self._expr(e)

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
                    return self.join(self.param_kinds[self.body.name][self.body.params.index(e.name)],
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
            return k if k in NUMERIC else "dyn"
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
            if e.box in ("ArrayBox", "MapBox"):
                b = "arr" if e.box == "ArrayBox" else "map"
                return make_kind(b, {self.site(id(e), b)})
            bk = BK.BY_NAME.get(e.box)
            if bk is not None:
                self.used_boxes.add(bk.name)
                for k in kinds:  # the constructor may keep its arguments (ResultBox)
                    self.escape(k)
                return bk.static_kind if len(e.args) in bk.arities else "dyn"
            return _NEW_KINDS.get(e.box, "dyn")
        if isinstance(e, A.MethodCall):
            rk = self.expr(e.obj)
            self.receiver_kinds[id(e)] = rk
            kinds = [self.expr(a) for a in e.args]
            if rk is None:
                return self.note_node(e, None)  # receiver not known yet
            targets = self.method_targets(e, rk)
            self.note_method_args(targets, kinds)
            return self.note_node(e, self.method_result(e, rk, kinds, targets))
        if isinstance(e, A.FromCall):
            kinds = [self.expr(a) for a in e.args]
            cls = self.body.cls
            if cls is not None and e.parent in cls.builtin_parents:
                if is_ctor_call(e):  # writes the builtin part of `me`
                    for c in cls.descendants():
                        self.note_field(c.cid, part_field(e.parent), "dyn")
                for k in kinds:  # stored in the part or handed to a builtin method
                    self.escape(k)
                return "dyn"
            parent = self.info.classes.get(e.parent)
            if parent is not None and id(e) not in self.info.deferred:
                m = (parent.find_ctor(len(e.args)) if is_ctor_call(e)
                     else parent.find_method(e.method, len(e.args)))
                self.note_method_args([m], kinds)
            else:
                for k in kinds:  # a builtin parent's method
                    self.escape(k)
            return "dyn"
        if isinstance(e, A.Field):
            rk = self.expr(e.obj)
            if rk is None:
                return None  # receiver not known yet
            site = field_site(self.info, self.body, e.obj, rk, e.name)
            if site is None:
                # read through the dispatcher: whatever any box keeps in such a field
                for c in self.info.classes.values():
                    if c.slot(e.name) is not None:
                        self.escape(self.field_kinds.get((c.cid, e.name)))
                return "dyn"
            kind: Kind = None
            for c in site[0]:
                kind = self.join(kind, self.field_kinds.setdefault((c.cid, e.name), None))
            if any(self.field_kinds[(c.cid, e.name)] is None for c in site[0]):
                kind = None
            self.field_reads[id(e)] = finalize(kind)
            return kind
        return "dyn"

    # ---- method call results ----------------------------------------------------------
    def user_result(self, methods: list) -> Kind:
        out: Kind = None
        for m in {id(m): m for m in methods}.values():
            out = self.join(out, self.returns.get(self.info.method_bodies[id(m)].name))
        return out

    def builtin_reachable(self, name: str, argc: int, kinds: tuple[str, ...]) -> bool:
        """Whether some builtin kind in `kinds` (names as in $m_<Kind>_<name>) answers."""
        return any(self.rt_methods.get(f"$m_{k}_{name}") == argc for k in kinds)

    def box_answers(self, kind: BK.BoxKind, name: str, argc: int) -> bool:
        return (self.rt_methods.get(f"$m_{kind.short}_{name}") == argc
                or f"$mv_{kind.short}_{name}" in self.rt_funcs)

    def box_result(self, kind: BK.BoxKind, name: str, argc: int) -> Kind:
        """Result kind of a registry box method (dyn unless the call resolves and the
        registry names it). A method handing out the program's argument array makes
        that array reachable by unknown code."""
        if not self.box_answers(kind, name, argc):
            return "dyn"
        if name in kind.exposes_args:
            self.escape(make_kind("arr", {self.args_site()}))
        return kind.results.get(name, "dyn")

    def args_site(self) -> int:
        """The allocation site of the argument array (main(args), SystemBox.args())."""
        new = 0 not in self.site_of
        s = self.site(0, "arr")
        if new:
            self.elem[s] = "str"
        return s

    def method_result(self, e: A.MethodCall, rk: Kind, kinds: list[Kind], targets: list) -> Kind:
        argc = len(e.args)
        obj = e.obj
        if isinstance(obj, A.Var) and self.info.var_kind.get(id(obj)) == "static":
            return self.user_result(targets) if targets[0] is not None else "dyn"
        if isinstance(obj, A.Me) and self.body.cls is not None:
            if None in targets:  # builtin delegation, fini/toString or an error
                for k in kinds:  # a builtin part may keep them
                    self.escape(k)
                return "dyn"
            return self.user_result(targets)
        if rk is None:
            return None
        c = core(rk)
        null_side = nullable(rk) and self.builtin_reachable(e.name, argc, ("Null",))
        if null_side:
            for k in kinds:  # get_or_default hands its argument back
                self.escape(k)
        if c.startswith("obj:"):
            if targets[0] is None or null_side:
                for k in kinds:
                    self.escape(k)
                return "dyn"
            return self.user_result(targets)
        if c.startswith("bx:"):
            # builtin box kinds: arguments reach runtime code, results as registered
            for k in kinds:
                self.escape(k)
            return self.box_result(BK.BY_STATIC[c], e.name, argc)
        b = base(c)
        if b in ("arr", "map") or c in _PLAIN_BUILTINS:
            r = self.builtin_result(e, c, kinds)
            return "dyn" if null_side else r
        if c in ("null", "void"):
            for k in kinds:
                self.escape(k)
            return "dyn"
        # unknown receiver: user methods of that name, builtins, the dispatcher's extras
        boxes = [k for k in BK.KINDS if self.box_answers(k, e.name, argc)]
        for k in boxes:
            self.box_result(k, e.name, argc)  # (exposes the argument array if it does)
        builtin = (self.builtin_reachable(e.name, argc, _BUILTIN_TAG_NAMES) or bool(boxes)
                   or (e.name in ("fini", "toString") and argc == 0))
        if builtin:
            self.note_unknown_store(e.name, kinds)
            for k in kinds:
                self.escape(k)
            return "dyn"
        if not any(t is not None for t in targets):
            return "dyn"  # always "Unknown method"
        return self.user_result([t for t in targets if t is not None])

    def builtin_result(self, e: A.MethodCall, c: str, kinds: list[Kind]) -> Kind:
        """Result of a builtin method on a receiver of exact (core) kind c; records what
        the call stores into a container of known sites."""
        name, argc = e.name, len(e.args)
        b = base(c)
        if b in ("arr", "map"):
            store = _STORING.get((b, name, argc))
            if store is not None:
                ki, vi = store
                for s in sites(c):
                    self.note_elem(s, kinds[vi])
                    if ki is not None:
                        self.note_key(s, kinds[ki])
            elif name not in _READ_ONLY[b]:
                for k in kinds:
                    self.escape(k)
            if b == "arr" and name in ("get", "pop", "remove"):
                el = self.elem_kind(c)
                if el is None:
                    return None
                if name != "pop" and (not kinds or kinds[0] != "int"):
                    # a non-integer index answers "Error: get() requires integer index"
                    el = self.join(el, "str")
                return self.join(el, "null")
            if b == "arr" and name == "slice" and argc == 2:
                s = self.site(id(e), "arr")
                self.note_elem(s, self.elem_kind(c))
                if kinds[0] != "int" or kinds[1] != "int":
                    # "Error: slice() start index must be an integer"
                    return self.join(make_kind("arr", {s}), "str")
                return make_kind("arr", {s})
            if b == "map" and name == "get" and argc == 1:
                v = self.elem_kind(c)
                return None if v is None else self.join(v, "str")  # "Key not found: k"
            if b == "map" and name in ("keys", "values") and argc == 0:
                # keys are strings whatever was stored (maps key by string form)
                s = self.site(id(e), "arr")
                self.note_elem(s, "str" if name == "keys" else self.elem_kind(c))
                return make_kind("arr", {s})
            return _METHOD_RESULTS.get((b, name), "dyn")
        if c == "str" and name == "split" and argc == 1:
            s = self.site(id(e), "arr")
            self.note_elem(s, "str")
            return make_kind("arr", {s})
        if c == "math" and name in ("abs", "max", "min"):
            cores = {numeric_core(k) for k in kinds}
            if None in cores:
                return None
            if cores == {"int"}:
                return "int"
            return "float" if cores <= NUMERIC else "dyn"
        return _METHOD_RESULTS.get((c, name), "dyn")


def field_site(info: ProgramInfo, body: Body, obj: A.Expr, recv_kind: Kind,
               fname: str) -> tuple[list, int] | None:
    """static_field_site for a receiver that may also be null (the null case raises)."""
    if nullable(recv_kind) and core(recv_kind).startswith("obj:"):
        return static_field_site(info, body, obj, core(recv_kind), fname)
    return static_field_site(info, body, obj, recv_kind, fname)


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
    if recv_kind is None or not recv_kind.startswith("obj:") or nullable(recv_kind):
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
    # arithmetic with null raises, so int-or-null operands give int results
    ln, rn = numeric_core(lk), numeric_core(rk)
    if ln == "int" and rn == "int":
        return "int"
    if ln in NUMERIC and rn in NUMERIC and op != "%":
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
