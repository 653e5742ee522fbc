"""Checked program model: boxes with field layouts and method resolution, functions,
globals and per-body scopes, plus the static checks that run before code generation.

Everything here is plain data computed from the AST; code generation reads it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import ast as A
from . import boxkinds as BK
from ..diagnostics import CompileError, Diagnostic

BUILTIN_BOXES = frozenset(
    "StringBox IntegerBox FloatBox BoolBox ArrayBox MapBox ConsoleBox MathBox ErrorBox NullBox".split()
) | frozenset(BK.BY_NAME)
CATCH_ALL_TYPES = frozenset({"Error", "ErrorBox", "Exception"})
CTOR_NAMES = ("birth", "pack", "init")


def part_field(builtin: str) -> str:
    """The hidden field holding the builtin part of an instance whose box lists
    ``builtin`` as a parent (a name no source identifier can spell)."""
    return "@" + builtin


def is_ctor_call(e: A.FromCall) -> bool:
    """``from Parent.birth(...)`` and its older spellings call Parent's constructor."""
    return e.method in CTOR_NAMES or e.method == e.parent


@dataclass(eq=False)
class ClassInfo:
    name: str
    cid: int
    decl: A.BoxDecl
    parents: list["ClassInfo"] = field(default_factory=list)
    builtin_parents: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # all declared fields, slot order
    children: list["ClassInfo"] = field(default_factory=list)

    @property
    def is_static(self) -> bool:
        return self.decl.is_static

    def slot(self, name: str) -> int | None:
        try:
            return self.fields.index(name)
        except ValueError:
            return None

    def find_method(self, name: str, argc: int) -> A.Method | None:
        """Own methods first, then each parent (and its ancestors) in declaration order."""
        m = self.decl.methods.get(f"{name}/{argc}")
        if m is not None:
            return m
        for p in self.parents:
            m = p.find_method(name, argc)
            if m is not None:
                return m
        return None

    def ctor_names(self) -> tuple[str, ...]:
        """``birth``, then the older spellings ``pack`` and ``init`` (upstream accepts all
        three) and, oldest, a method named after the box (``Room(name)`` in ``box Room``)."""
        return (*CTOR_NAMES, self.name)

    def find_ctor(self, argc: int) -> A.Method | None:
        """The constructor for ``new Box(args)``: own box first, then parents."""
        for name in self.ctor_names():
            m = self.decl.methods.get(f"{name}/{argc}")
            if m is not None:
                return m
        for p in self.parents:
            m = p.find_ctor(argc)
            if m is not None:
                return m
        return None

    def has_ctor(self) -> bool:
        names = self.ctor_names()
        return any(k.split("/")[0] in names for k in self.decl.methods) or any(p.has_ctor() for p in self.parents)

    def has_method_name(self, name: str) -> bool:
        if any(k.split("/")[0] == name for k in self.decl.methods):
            return True
        return any(p.has_method_name(name) for p in self.parents)

    def descendants(self) -> list["ClassInfo"]:
        """This class and every class that inherits from it."""
        out: list[ClassInfo] = []
        stack = [self]
        while stack:
            c = stack.pop()
            if c not in out:
                out.append(c)
                stack.extend(c.children)
        return out

    def builtin_parts(self) -> list[str]:
        """Builtin parents of this box and its ancestors, in method lookup order (own
        first, then each parent's depth-first); each has a part in a hidden field."""
        out: list[str] = []
        for b in self.builtin_parents:
            if b not in out:
                out.append(b)
        for p in self.parents:
            for b in p.builtin_parts():
                if b not in out:
                    out.append(b)
        return out

    def ancestors(self) -> list["ClassInfo"]:
        out: list[ClassInfo] = []
        stack = list(self.parents)
        while stack:
            c = stack.pop()
            if c not in out:
                out.append(c)
                stack.extend(c.parents)
        return out

    def restricts(self, fname: str) -> bool:
        """True when fname may only be accessed from the box's own family (visibility)."""
        vis = self._visibility()
        return vis is not None and fname not in vis

    def _visibility(self) -> set[str] | None:
        sets = [c.decl for c in [self, *self.ancestors()] if c.decl.public is not None or c.decl.private is not None]
        if not sets:
            return None
        out: set[str] = set()
        for d in sets:
            out.update(d.public or [])
        return out


@dataclass(eq=False)
class Body:
    """A function, method or the top-level code: the unit that becomes one wasm function."""
    name: str                # wasm-level name, e.g. "fib", "Point.birth", "<main>"
    display: str             # how stack frames show it
    params: list[str]
    stmts: list[A.Stmt]
    cls: ClassInfo | None = None  # the box for methods
    locals: list[str] = field(default_factory=list)  # every local name (params excluded)
    assigned_params: set[str] = field(default_factory=set)
    line: int = 0            # where the declaration starts (for the frame of a prologue trap)
    file: int = 0            # ... in this file of the program's file table
    # membership index of ``locals`` (a list scan made 100k-local programs quadratic)
    local_set: set[str] = field(default_factory=set, repr=False)


@dataclass(eq=False)
class ProgramInfo:
    filename: str
    ast: A.Program
    classes: dict[str, ClassInfo]
    functions: dict[str, A.FunctionDecl]
    globals: list[str]
    bodies: list[Body]
    main_body: Body
    method_bodies: dict[int, Body]     # id(Method) -> Body
    function_bodies: dict[str, Body]
    warnings: list[Diagnostic]
    # resolution of Var nodes: id(Var) -> "local" | "global" | "static"
    var_kind: dict[int, str]
    # expressions that must raise a runtime error when evaluated: id(node) -> message
    deferred: dict[int, str] = field(default_factory=dict)

    def file_of(self, node: A.Node) -> str:
        """The name diagnostics use for the file ``node`` comes from."""
        return self.ast.files[node.file]


class _Checker:
    def __init__(self, prog: A.Program) -> None:
        self.prog = prog
        self.files = prog.files
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.var_kind: dict[int, str] = {}
        self.deferred: dict[int, str] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, A.FunctionDecl] = {}
        self.global_names: list[str] = []
        self.global_set: set[str] = set()

    def err(self, node: A.Node | None, msg: str) -> None:
        self.errors.append(Diagnostic(self.files[node.file if node else 0], node.line if node else 0,
                                      node.col if node else 0, msg))

    def defer(self, node: A.Node, msg: str) -> None:
        """A problem the reference interpreter only reports when the code runs: warn now
        (``nyash check`` treats it as an error) and raise the same message at run time,
        so programs that never reach it behave exactly as upstream."""
        self.warnings.append(Diagnostic(self.files[node.file], node.line, node.col, msg, "warning", deferred=True))
        self.deferred[id(node)] = msg

    def _first(self, first: A.Node, again: A.Node) -> str:
        """Where a name declared twice was declared first, when that is another file."""
        if first.file == again.file:
            return ""
        return f" (first in {self.files[first.file]}:{first.line})"

    # ---- declarations ----------------------------------------------------------
    def declare(self) -> None:
        for i, b in enumerate(self.prog.boxes):
            if b.name in self.classes:
                self.err(b, f"box {b.name} is declared twice{self._first(self.classes[b.name].decl, b)}")
                continue
            if b.name in BUILTIN_BOXES:
                self.err(b, f"box {b.name} redefines a builtin box")
                continue
            self.classes[b.name] = ClassInfo(b.name, len(self.classes), b)
        for f in self.prog.functions:
            if f.name in self.functions:
                self.err(f, f"function {f.name} is declared twice{self._first(self.functions[f.name], f)}")
            self.functions[f.name] = f
        for c in self.classes.values():
            for pname in c.decl.parents:
                if pname in self.classes:
                    c.parents.append(self.classes[pname])
                    self.classes[pname].children.append(c)
                elif pname in BUILTIN_BOXES:
                    c.builtin_parents.append(pname)
                else:
                    self.err(c.decl, f"unknown parent box {pname} of {c.name}")
            for key, m in c.decl.methods.items():
                if m.name == c.name:
                    self.warnings.append(Diagnostic(self.files[m.file], m.line, m.col,
                                                    f"{c.name}(...) is the old constructor spelling; "
                                                    f"write birth(...) instead", "warning"))
                if m.is_override and not any(p.find_method(m.name, len(m.params)) for p in c.parents) and not c.builtin_parents:
                    self.warnings.append(Diagnostic(self.files[m.file], m.line, m.col,
                                                    f"'override {m.name}' overrides nothing in the parents of {c.name}", "warning"))
        for c in self.classes.values():
            if c in c.ancestors():
                self.err(c.decl, f"box {c.name} inherits from itself")
                return
        done: set[str] = set()

        def layout(c: ClassInfo) -> None:
            if c.name in done:
                return
            done.add(c.name)
            for p in c.parents:
                layout(p)
                for f in p.fields:
                    if f not in c.fields:
                        c.fields.append(f)
            for f in [*c.decl.fields, *(part_field(b) for b in c.builtin_parents)]:
                if f not in c.fields:
                    c.fields.append(f)
        for c in self.classes.values():
            layout(c)

    # ---- bodies ----------------------------------------------------------------
    def collect_globals(self) -> None:
        """A global is any name assigned where no local of that name is visible."""
        seen: list[str] = []
        seen_set: set[str] = set()
        for body in self.bodies:
            scope = set(body.params)
            self._walk_assign(body.stmts, scope, seen, seen_set)
        self.global_names = seen
        self.global_set = seen_set

    def _walk_assign(self, stmts: list[A.Stmt], scope: set[str], out: list[str], out_set: set[str]) -> None:
        """``out_set`` mirrors ``out`` for O(1) membership (many globals stay linear)."""
        for s in stmts:
            if isinstance(s, A.Local):
                for n, _, _, _ in s.names:
                    scope.add(n)
            elif isinstance(s, A.Assign) and isinstance(s.target, A.Var):
                if (s.is_global or s.target.name not in scope) and s.target.name not in out_set:
                    out.append(s.target.name)
                    out_set.add(s.target.name)
            elif isinstance(s, A.If):
                self._walk_assign(s.then, scope, out, out_set)
                if s.orelse:
                    self._walk_assign(s.orelse, scope, out, out_set)
            elif isinstance(s, A.Loop):
                self._walk_assign(s.body, scope, out, out_set)
            elif isinstance(s, A.Try):
                self._walk_assign(s.body, scope, out, out_set)
                for c in s.catches:
                    scope.add(c.var)
                    self._walk_assign(c.body, scope, out, out_set)
                if s.final:
                    self._walk_assign(s.final, scope, out, out_set)

    def make_bodies(self) -> None:
        self.bodies: list[Body] = []
        self.method_bodies: dict[int, Body] = {}
        self.function_bodies: dict[str, Body] = {}
        self.main_body = Body("<main>", "<main>", [], self.prog.body)
        self.bodies.append(self.main_body)
        for f in self.prog.functions:
            if self.function_bodies.get(f.name):
                continue
            b = Body(f"fn:{f.name}", f.name, f.params, f.body, line=f.line, file=f.file)
            self.bodies.append(b)
            self.function_bodies[f.name] = b
        for c in self.classes.values():
            names = [m.name for m in c.decl.methods.values()]
            for key, m in c.decl.methods.items():
                suffix = "" if names.count(m.name) == 1 else f"/{len(m.params)}"
                b = Body(f"{c.name}.{m.name}{suffix}", f"{c.name}.{m.name}", m.params, m.body, c,
                         line=m.line, file=m.file)
                self.bodies.append(b)
                self.method_bodies[id(m)] = b

    def check_body(self, body: Body) -> None:
        scope: set[str] = set(body.params)
        self.cur = body
        self._stmts(body.stmts, scope, in_loop=False)

    def _stmts(self, stmts: list[A.Stmt], scope: set[str], in_loop: bool) -> None:
        for s in stmts:
            self._stmt(s, scope, in_loop)

    def _declare_local(self, name: str, scope: set[str]) -> None:
        scope.add(name)
        if name not in self.cur.local_set and name not in self.cur.params:
            self.cur.locals.append(name)
            self.cur.local_set.add(name)

    def _stmt(self, s: A.Stmt, scope: set[str], in_loop: bool) -> None:
        if isinstance(s, A.Local):
            for name, init, line, col in s.names:
                if init is not None:
                    self._expr(init, scope)
                self._declare_local(name, scope)
        elif isinstance(s, A.Assign):
            self._expr(s.value, scope)
            t = s.target
            if isinstance(t, A.Var):
                if t.name in scope and not s.is_global:
                    self.var_kind[id(t)] = "local"
                    if t.name in self.cur.params:
                        self.cur.assigned_params.add(t.name)
                else:
                    self.var_kind[id(t)] = "global"
            else:
                self._expr(t.obj, scope)
        elif isinstance(s, A.If):
            self._expr(s.cond, scope)
            self._stmts(s.then, scope, in_loop)
            if s.orelse:
                self._stmts(s.orelse, scope, in_loop)
        elif isinstance(s, A.Loop):
            self._expr(s.cond, scope)
            self._stmts(s.body, scope, True)
        elif isinstance(s, A.Break):
            if not in_loop:
                self.err(s, "'break' outside a loop")
        elif isinstance(s, A.Return):
            if s.value is not None:
                self._expr(s.value, scope)
        elif isinstance(s, (A.Print, A.Throw)):
            self._expr(s.value, scope)
        elif isinstance(s, A.ExprStmt):
            self._expr(s.expr, scope)
        elif isinstance(s, A.Try):
            self._stmts(s.body, scope, in_loop)
            for c in s.catches:
                self._declare_local(c.var, scope)
                self._stmts(c.body, scope, in_loop)
            if s.final:
                self._stmts(s.final, scope, in_loop)

    def _args(self, args: list[A.Expr], scope: set[str]) -> None:
        for a in args:
            self._expr(a, scope)

    def _expr(self, e: A.Expr, scope: set[str]) -> None:
        if isinstance(e, A.Var):
            if e.name in scope:
                self.var_kind[id(e)] = "local"
            elif e.name in self.global_set:
                self.var_kind[id(e)] = "global"
            elif e.name in self.classes and self.classes[e.name].is_static:
                self.var_kind[id(e)] = "static"
            else:
                self.defer(e, f"Undefined variable '{e.name}'")
        elif isinstance(e, A.Binary):
            self._expr(e.left, scope)
            self._expr(e.right, scope)
        elif isinstance(e, A.Unary):
            self._expr(e.operand, scope)
        elif isinstance(e, A.Call):
            self._args(e.args, scope)
            f = self.functions.get(e.name)
            if f is None:
                self.defer(e, f"Undefined function '{e.name}'")
            elif len(f.params) != len(e.args):
                self.defer(e, f"function {e.name} expects {len(f.params)} arguments, got {len(e.args)}")
        elif isinstance(e, A.New):
            self._args(e.args, scope)
            self._check_new(e)
        elif isinstance(e, A.FromCall):
            self._args(e.args, scope)
            self._check_from(e)
        elif isinstance(e, A.Field):
            self._expr(e.obj, scope)
        elif isinstance(e, A.MethodCall):
            self._expr(e.obj, scope)
            self._args(e.args, scope)
            if isinstance(e.obj, A.Me):
                self._check_me_method(e)
        elif isinstance(e, A.Me):
            if self.cur.cls is None:
                self.err(e, "'me' used outside a box method")

    def _check_new(self, e: A.New) -> None:
        if e.box in self.classes:
            c = self.classes[e.box]
            if c.is_static:
                self.defer(e, f"static box {e.box} cannot be created with new")
                return
            argc = len(e.args)
            if c.find_ctor(argc) is None and not (argc == 0 and not c.has_ctor()):
                self.defer(e, f"No constructor found for {e.box} with {argc} arguments")
        else:
            msg = builtin_new_error(e.box, len(e.args))
            if msg is not None:
                self.defer(e, msg)

    def _check_from(self, e: A.FromCall) -> None:
        cls = self.cur.cls
        if cls is None:
            self.err(e, f"'from {e.parent}.{e.method}(...)' used outside a box method")
            return
        if e.parent in cls.builtin_parents:
            if is_ctor_call(e):  # `from StringBox.birth(v)` builds the part like `new StringBox(v)`
                msg = builtin_new_error(e.parent, len(e.args))
                if msg is not None:
                    self.defer(e, msg)
            return
        if e.parent not in [p.name for p in cls.parents]:
            self.defer(e, f"{cls.name} does not delegate to {e.parent}")
            return
        parent = self.classes[e.parent]
        if is_ctor_call(e):
            if parent.find_ctor(len(e.args)) is None and (e.args or parent.has_ctor()):
                self.defer(e, f"No constructor found for {e.parent} with {len(e.args)} arguments")
            return
        if parent.find_method(e.method, len(e.args)) is None:
            self.defer(e, f"Method '{e.method}' with {len(e.args)} arguments not found in {e.parent}")

    def _check_me_method(self, e: A.MethodCall) -> None:
        cls = self.cur.cls
        if cls is None:
            return
        family = cls.descendants()
        if e.name == "fini" and not e.args:
            return  # every instance has fini() (a no-op unless the box defines it)
        if not any(c.find_method(e.name, len(e.args)) for c in family):
            if any(c.builtin_parts() for c in family):
                return  # the builtin part answers (or raises at run time)
            if any(c.has_method_name(e.name) for c in family):
                self.defer(e, f"method '{e.name}' of {cls.name} does not take {len(e.args)} arguments")
            else:
                self.defer(e, f"Unknown method '{e.name}' for {cls.name}")


def builtin_new_error(box: str, argc: int) -> str | None:
    """The runtime error of ``new box(<argc arguments>)`` for a builtin box, or None.
    As upstream's box factory: the value boxes take their value from the first argument
    (none: the empty value; more: ignored), NullBox takes anything."""
    if box in ("ArrayBox", "MapBox", "ConsoleBox", "MathBox"):
        ok = argc == 0
    elif box in ("StringBox", "IntegerBox", "FloatBox", "BoolBox", "ErrorBox", "NullBox"):
        ok = True
    elif box in BK.BY_NAME:
        kind = BK.BY_NAME[box]
        return None if argc in kind.arities else kind.ctor_arity_message(argc)
    else:
        return f"Unknown box type '{box}'"
    return None if ok else f"No constructor found for {box} with {argc} arguments"


def check(prog: A.Program) -> ProgramInfo:
    """Resolve names and run the static checks; raise CompileError listing every error."""
    c = _Checker(prog)
    c.declare()
    c.make_bodies()
    c.collect_globals()
    if not c.errors:
        for body in c.bodies:
            c.check_body(body)
    order = position_order(prog.files)
    # dict.fromkeys: an included file spliced at several includes is checked once per
    # copy, but each finding is reported once
    if c.errors:
        raise CompileError(sorted(dict.fromkeys(c.errors), key=order))
    return ProgramInfo(prog.filename, prog, c.classes, c.functions, c.global_names, c.bodies,
                       c.main_body, c.method_bodies, c.function_bodies,
                       sorted(dict.fromkeys(c.warnings), key=order), c.var_kind, c.deferred)


def position_order(files: list[str]):
    """Sort key for diagnostics: file table order (entry first), then line and column."""
    rank = {name: i for i, name in enumerate(files)}
    return lambda d: (rank.get(d.file, len(rank)), d.line, d.col)
