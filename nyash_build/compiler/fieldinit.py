"""Fields that every instance has assigned before any code can read them.

A declared field starts *unset*, and reading it raises ``Field 'f' not found``, so each
read tests the slot's tag. Most boxes assign their fields first thing in ``birth``:
then no read can ever see an unset slot and the test can go. A field counts as
always assigned in box C when every constructor a ``new C(...)`` of the program can
run begins with ``me.f = <expression not mentioning me>`` for it -- possibly inside
``from Parent.birth(...)`` at the start -- before any statement that could run other
code with ``me`` (a method call, passing ``me`` on, a condition...); the assigned
expressions may read fields assigned before them. Until that point
no code holds the new instance, so nothing can read the field early. Static boxes
are never constructed and keep their checks; a box that no ``new`` makes has no
instances, so any claim about it is vacuously true.
"""
from __future__ import annotations

from . import ast as A
from .program import CTOR_NAMES, ClassInfo, ProgramInfo


def always_assigned(info: ProgramInfo) -> dict[int, frozenset[str]]:
    """Class id -> the fields no read can find unset."""
    argcs: dict[str, set[int]] = {}
    for e in _walk_nodes(info):
        if isinstance(e, A.New) and e.box in info.classes:
            argcs.setdefault(e.box, set()).add(len(e.args))
    out: dict[int, frozenset[str]] = {}
    for c in info.classes.values():
        if c.is_static:
            out[c.cid] = frozenset()
            continue
        fields = frozenset(c.fields)
        for argc in argcs.get(c.name, ()):
            m = c.find_ctor(argc)
            if m is None:
                if argc == 0 and not c.has_ctor():
                    fields = frozenset()  # the implicit empty constructor assigns nothing
                continue  # "No constructor found": no instance is made
            fields &= _leading_assignments(info, c, m, 0)[0]
        out[c.cid] = fields
    return out


def _leading_assignments(info: ProgramInfo, cls: ClassInfo, m: A.Method, depth: int) -> tuple[frozenset[str], bool]:
    """Fields m assigns before its first statement that could let other code see me;
    and whether m consists of such assignments only."""
    done: set[str] = set()
    if depth > 20:
        return frozenset(), False
    for s in m.body:
        if isinstance(s, A.Assign) and isinstance(s.target, A.Field) and isinstance(s.target.obj, A.Me):
            if not _reads_only(s.value, done):
                return frozenset(done), False
            done.add(s.target.name)
        elif isinstance(s, A.Local) and all(init is None or _reads_only(init, done) for _, init, _, _ in s.names):
            continue
        elif (isinstance(s, A.ExprStmt) and isinstance(s.expr, A.FromCall) and s.expr.method in CTOR_NAMES
              and all(_reads_only(a, done) for a in s.expr.args)):
            parent = info.classes.get(s.expr.parent)
            if parent is None:
                continue  # a builtin parent's constructor does nothing
            pm = parent.find_ctor(len(s.expr.args))
            if pm is None:
                continue
            got, complete = _leading_assignments(info, parent, pm, depth + 1)
            done |= got
            if not complete:
                return frozenset(done), False
        else:
            return frozenset(done), False
    return frozenset(done), True


def _reads_only(e: A.Node, done: set[str]) -> bool:
    """e uses me only to read fields already assigned (no method of me runs, me goes
    nowhere)."""
    reads = set()
    for n in A.walk(e):
        if isinstance(n, A.FromCall):
            return False
        if isinstance(n, A.Field) and isinstance(n.obj, A.Me):
            if n.name not in done:
                return False
            reads.add(id(n.obj))
    return all(id(n) in reads for n in A.walk(e) if isinstance(n, A.Me))


def _walk_nodes(info: ProgramInfo):
    for b in info.bodies:
        for s in b.stmts:
            yield from A.walk(s)
