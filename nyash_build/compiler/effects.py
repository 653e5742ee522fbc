"""Which code can drop a reference it did not take itself (for borrowed reads).

Reading a field or an array element normally retains the value and releases it after
its consumer ran. The pair is only needed when something between the read and the end
of the use could release the container's own reference -- the last one, freeing the
value while it is still used. That takes code that overwrites or removes a stored
value: a field write (unless every value the field can hold is a scalar), a global
write, ``set``/``pop``/``remove``/``clear``/``delete`` on a container, or a call to a
function or method that does one of these. A *release-free* body or expression does
none of them, so a value read just before it and used until just after it needs no
retain/release (see FuncGen.expr's ``borrow``).

Whole-program, optimistic (recursion is assumed release-free until shown otherwise).
"""
from __future__ import annotations

from . import ast as A
from .infer import Inference, base, core, never_heap
from .program import Body, ProgramInfo, is_ctor_call

import dataclasses

# builtin methods that drop a stored reference (the receiver's kind may be unknown)
RELEASING_METHODS = frozenset({"set", "pop", "remove", "clear", "delete"})


class Effects:
    def __init__(self, info: ProgramInfo, inf: Inference) -> None:
        self.info = info
        self.inf = inf
        self.free: dict[str, bool] = {b.name: True for b in info.bodies}
        self._private: dict[str, frozenset[str]] = {}
        changed = True
        while changed:
            changed = False
            for b in info.bodies:
                if self.free[b.name] and not self.stmts_free(b, b.stmts):
                    self.free[b.name] = False
                    changed = True

    # ---- statements ------------------------------------------------------------------
    def stmts_free(self, body: Body, stmts: list[A.Stmt]) -> bool:
        return all(self.stmt_free(body, s) for s in stmts)

    def stmt_free(self, body: Body, s: A.Stmt) -> bool:
        if isinstance(s, A.Local):
            return all(init is None or self.expr_free(body, init) for _, init, _, _ in s.names)
        if isinstance(s, A.Assign):
            if not self.expr_free(body, s.value):
                return False
            t = s.target
            if isinstance(t, A.Var):
                return self.info.var_kind.get(id(t)) == "local"
            return self.expr_free(body, t.obj) and self.scalar_field(body, t)
        if isinstance(s, A.If):
            return (self.expr_free(body, s.cond) and self.stmts_free(body, s.then)
                    and (not s.orelse or self.stmts_free(body, s.orelse)))
        if isinstance(s, A.Loop):
            return self.expr_free(body, s.cond) and self.stmts_free(body, s.body)
        if isinstance(s, (A.Return,)):
            return s.value is None or self.expr_free(body, s.value)
        if isinstance(s, (A.Print, A.Throw)):
            return self.expr_free(body, s.value)
        if isinstance(s, A.ExprStmt):
            return self.expr_free(body, s.expr)
        if isinstance(s, A.Try):
            return (self.stmts_free(body, s.body) and all(self.stmts_free(body, c.body) for c in s.catches)
                    and (not s.final or self.stmts_free(body, s.final)))
        return isinstance(s, A.Break)

    def scalar_field(self, body: Body, t: A.Field) -> bool:
        """A write to t that can only replace a scalar (or unset) value."""
        targets = self.inf.write_targets_for(body, t.obj, t.name)
        if not targets:
            return False  # an extra field (a map entry) or an error
        return all(never_heap(self.inf.field_kinds.get((c.cid, t.name))) for c in targets)

    # ---- expressions -----------------------------------------------------------------------
    def expr_free(self, body: Body, e: A.Expr) -> bool:
        if isinstance(e, (A.IntLit, A.FloatLit, A.StrLit, A.BoolLit, A.NullLit, A.Me, A.Var)):
            return True
        if isinstance(e, A.Binary):
            return self.expr_free(body, e.left) and self.expr_free(body, e.right)
        if isinstance(e, A.Unary):
            return self.expr_free(body, e.operand)
        if isinstance(e, A.Field):
            return self.expr_free(body, e.obj)
        if isinstance(e, A.Call):
            callee = self.info.function_bodies.get(e.name)
            return (callee is not None and self.free[callee.name]
                    and all(self.expr_free(body, a) for a in e.args))
        if isinstance(e, A.New):
            if not all(self.expr_free(body, a) for a in e.args):
                return False
            cls = self.info.classes.get(e.box)
            if cls is None:
                return True  # builtin boxes
            m = cls.find_ctor(len(e.args))
            return m is None or self.free[self.info.method_bodies[id(m)].name]
        if isinstance(e, A.MethodCall):
            return (self.expr_free(body, e.obj) and all(self.expr_free(body, a) for a in e.args)
                    and self.call_target_free(body, e))
        if isinstance(e, A.FromCall):
            if not all(self.expr_free(body, a) for a in e.args):
                return False
            parent = self.info.classes.get(e.parent)
            if parent is None:
                # a builtin parent: its constructor replaces (releases) me's builtin
                # part; its other methods run on a fresh empty value
                return not is_ctor_call(e)
            m = (parent.find_ctor(len(e.args)) if is_ctor_call(e)
                 else parent.find_method(e.method, len(e.args)))
            return m is None or self.free[self.info.method_bodies[id(m)].name]
        return False

    def call_target_free(self, body: Body, e: A.MethodCall) -> bool:
        """Whatever e.name can run on e's receiver is release-free (receiver and
        arguments not included)."""
        kind = self.inf.receiver_kinds.get(id(e), "dyn")
        methods = self.inf.method_targets_for(body, e, kind)
        if any(m is not None and not self.free[self.info.method_bodies[id(m)].name] for m in methods):
            return False
        c = core(kind) or "dyn"
        if (isinstance(e.obj, A.Me) or c.startswith("obj:")
                or (isinstance(e.obj, A.Var) and self.info.var_kind.get(id(e.obj)) == "static")):
            # user methods (checked above); where a box lacks the method, its builtin
            # part (an ArrayBox, a MapBox, ...) may answer it
            return None not in methods or e.name not in RELEASING_METHODS
        if base(c) in _PLAIN:
            return True  # builtin methods of strings, numbers and null drop nothing
        return e.name not in RELEASING_METHODS  # arrays, maps, or anything

    def receiver_kept(self, body: Body, e: A.MethodCall) -> bool:
        """The call cannot drop the last reference to its own receiver while it runs, so
        the receiver may be borrowed: a release-free call, or ``pop()`` on an array,
        which hands the removed element to the caller (releasing nothing itself; what
        the caller does with the element is its own code's effect)."""
        if self.call_target_free(body, e):
            return True
        kind = self.inf.receiver_kinds.get(id(e), "dyn")
        return e.name == "pop" and not e.args and base(kind) == "arr"

    # ---- arrays only one local can reach ---------------------------------------------
    def private_arrays(self, body: Body) -> frozenset[str]:
        """Locals of body whose every value is an ``ArrayBox`` that no other reference
        can reach: each assignment (and initializer) is ``new ArrayBox()`` or null, and every
        other appearance of the name is the receiver of an array method that neither
        hands the array out nor runs user code with it (``ELEMENT_SAFE``). Code that
        runs while such an array is not in the expression being evaluated -- any call
        -- cannot change the array's contents, so an element read from it stays alive
        as long as the local keeps the array (see ``element_receiver_kept``)."""
        got = self._private.get(body.name)
        if got is None:
            got = self._private[body.name] = frozenset(_private_arrays(self.info, body))
        return got

    def element_receiver_kept(self, body: Body, e: A.MethodCall) -> bool:
        """e's receiver is ``xs.get(i)`` on a private array ``xs`` that e's arguments do
        not mention: the array keeps the element alive while the call runs, whatever
        the called method releases (it cannot reach ``xs``)."""
        g = e.obj
        if not (isinstance(g, A.MethodCall) and g.name == "get" and len(g.args) == 1
                and isinstance(g.obj, A.Var) and self.info.var_kind.get(id(g.obj)) == "local"):
            return False
        name = g.obj.name
        if name not in self.private_arrays(body):
            return False
        return not any(_mentions(a, name) for a in e.args)


_PLAIN = frozenset({"str", "int", "float", "bool", "math", "console", "err"})


# array methods that keep their receiver to themselves (no alias returned or stored)
ELEMENT_SAFE = frozenset({"get", "set", "push", "pop", "length", "size", "isEmpty", "clear",
                          "remove", "contains", "indexOf", "join", "slice", "toString"})


def _children(n):
    for f in dataclasses.fields(n):
        v = getattr(n, f.name)
        if isinstance(v, A.Node):
            yield v
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, A.Node):
                    yield x
                elif isinstance(x, tuple):  # Local.names
                    for y in x:
                        if isinstance(y, A.Node):
                            yield y


def _mentions(e, name: str) -> bool:
    if isinstance(e, A.Var):
        return e.name == name
    return any(_mentions(c, name) for c in _children(e))


def _is_new_array(e) -> bool:
    """A fresh array (or null, which holds none)."""
    return isinstance(e, A.NullLit) or (isinstance(e, A.New) and e.box == "ArrayBox" and not e.args)


def _private_arrays(info: ProgramInfo, body: Body) -> set[str]:
    cand = {n for n in body.locals if n not in body.params}
    bad: set[str] = set()
    receivers: set[int] = set()
    stack: list = list(body.stmts)
    while stack:
        n = stack.pop()
        if isinstance(n, A.Local):
            for name, init, _, _ in n.names:
                if init is not None and not _is_new_array(init):
                    bad.add(name)
        elif isinstance(n, A.Assign) and isinstance(n.target, A.Var):
            t = n.target
            if n.is_global or info.var_kind.get(id(t)) != "local" or not _is_new_array(n.value):
                bad.add(t.name)
            stack.append(n.value)
            continue
        elif isinstance(n, A.Catch):
            bad.add(n.var)
        elif isinstance(n, A.MethodCall) and isinstance(n.obj, A.Var) and n.name in ELEMENT_SAFE:
            receivers.add(id(n.obj))
        elif isinstance(n, A.Var):
            if id(n) not in receivers or info.var_kind.get(id(n)) != "local":
                bad.add(n.name)
            continue
        stack.extend(_children(n))
    return cand - bad
