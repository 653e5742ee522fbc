"""Checked program model: boxes with field layouts and method resolution, functions,
globals and per-body scopes, plus the static checks that run before code generation.

Everything here is plain data computed from the AST; code generation reads it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import ast as A
from . import boxkinds as BK
from ..diagnostics import CompileError, Diagnostic, Note, Suggestion
from .parser import keyword_for
from .suggest import did_you_mean

# Other languages' words for values, and the Nyash keyword (`this` is lexed as `me`).
_FOREIGN_VALUES = {"None": "null", "nil": "null", "undefined": "null", "NULL": "null", "self": "me"}

BUILTIN_BOXES = frozenset(
    "StringBox IntegerBox FloatBox BoolBox ArrayBox MapBox ConsoleBox MathBox ErrorBox NullBox".split()
) | frozenset(BK.BY_NAME)
CATCH_ALL_TYPES = frozenset({"Error", "ErrorBox", "Exception"})
CTOR_NAMES = ("birth", "pack", "init")
# Boxes `new` can make besides user boxes (see builtin_new_error).
CONSTRUCTIBLE_BUILTINS = ("ArrayBox", "MapBox", "ConsoleBox", "MathBox", "StringBox", "IntegerBox",
                          "FloatBox", "BoolBox", "ErrorBox", "NullBox")


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
    # file name -> text, for quoting source lines in diagnostics (set by the driver)
    sources: dict[str, str] = field(default_factory=dict)

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
        # candidate names "did you mean" may still compare: each search costs time linear
        # in the names visible, so a machine-made program with 100k undefined names and
        # 100k globals would be quadratic; past this budget no more suggestions
        self.suggestions_left = 200_000

    def diag(self, node: A.Node | None, msg: str, code: str, severity: str = "error", *,
             width: int = 0, find: str = "", label: str = "", deferred: bool = False,
             suggestions: tuple[Suggestion, ...] = (), notes: tuple[Note, ...] = (),
             help: str = "") -> Diagnostic:
        """A diagnostic at ``node``; ``width`` characters wide, or on the word ``find``."""
        line, col = (node.line, node.col) if node else (0, 0)
        return Diagnostic(self.files[node.file if node else 0], line, col, msg, severity, deferred, code,
                          end_col=col + width if width and col else 0, label=label, notes=notes,
                          suggestions=suggestions, help=help, find=find)

    def err(self, node: A.Node | None, msg: str, code: str, **how) -> None:
        self.errors.append(self.diag(node, msg, code, **how))

    def warn(self, node: A.Node | None, msg: str, code: str, **how) -> None:
        self.warnings.append(self.diag(node, msg, code, "warning", **how))

    def defer(self, node: A.Node, msg: str, code: str, **how) -> None:
        """A problem the reference interpreter only reports when the code runs: warn now
        (``nyash check`` treats it as an error) and raise the same message at run time,
        so programs that never reach it behave exactly as upstream."""
        self.warnings.append(self.diag(node, msg, code, "warning", deferred=True, **how))
        self.deferred[id(node)] = msg

    def note(self, node: A.Node, label: str, find: str = "") -> Note:
        return Note(self.files[node.file], node.line, node.col, label, find=find)

    # ---- what a misspelled name could have meant (only names visible there) ----------
    def suggest(self, name: str, candidates) -> tuple[Suggestion, ...]:
        """did_you_mean within the budget; ``candidates``: a function giving the names."""
        if self.suggestions_left <= 0:
            return ()
        names = candidates()
        self.suggestions_left -= len(names) + 1
        return did_you_mean(name, names)

    def box_names(self) -> dict[str, str]:
        """The program's boxes, then the builtin boxes (those the runtime has methods for,
        so boxes added to the runtime are suggested too)."""
        from .runtime_lib import runtime_lib
        out = {n: "a box" for n in self.classes}
        builtins = [*CONSTRUCTIBLE_BUILTINS, *sorted(BK.BY_NAME), *(f"{k}Box" for k in runtime_lib().kinds())]
        out.update({n: "a builtin box" for n in builtins if n not in out})
        return out

    def variable_names(self, scope: set[str]) -> dict[str, str]:
        params = set(self.cur.params)
        out = {n: ("a parameter" if n in params else "a local variable") for n in sorted(scope)}
        for n in self.global_names:
            out.setdefault(n, "a global variable")
        for n, c in self.classes.items():
            if c.is_static:
                out.setdefault(n, "a static box")
        # the words that are values (`ture`, `Null`, `None`), after every name
        for n in ("true", "false", "null", *(("me",) if self.cur.cls is not None else ())):
            out.setdefault(n, "a keyword")
        return out

    def _first(self, first: A.Node, again: A.Node) -> str:
        """Where a name declared twice was declared first, when that is another file."""
        if first.file == again.file:
            return ""
        return f" (first in {self.files[first.file]}:{first.line})"

    # ---- declarations ----------------------------------------------------------
    def declare(self) -> None:
        for i, b in enumerate(self.prog.boxes):
            if b.name in self.classes:
                first = self.classes[b.name].decl
                self.err(b, f"box {b.name} is declared twice{self._first(first, b)}", "N0301", find=b.name,
                         label="declared again here", notes=(self.note(first, "first declared here", b.name),))
                continue
            if b.name in BUILTIN_BOXES:
                self.err(b, f"box {b.name} redefines a builtin box", "N0302", find=b.name,
                         label="the name of a builtin box")
                continue
            self.classes[b.name] = ClassInfo(b.name, len(self.classes), b)
        for f in self.prog.functions:
            if f.name in self.functions:
                first = self.functions[f.name]
                self.err(f, f"function {f.name} is declared twice{self._first(first, f)}", "N0303", find=f.name,
                         label="declared again here", notes=(self.note(first, "first declared here", f.name),))
            self.functions[f.name] = f
        for c in self.classes.values():
            for pname in c.decl.parents:
                if pname in self.classes:
                    c.parents.append(self.classes[pname])
                    self.classes[pname].children.append(c)
                elif pname in BUILTIN_BOXES:
                    c.builtin_parents.append(pname)
                else:
                    self.err(c.decl, f"unknown parent box {pname} of {c.name}", "N0304", find=pname,
                             label="no box of this name",
                             suggestions=self.suggest(pname, lambda: {n: w for n, w in self.box_names().items()
                                                                      if n != c.name}))
            for key, m in c.decl.methods.items():
                if m.name == c.name:
                    self.warn(m, f"{c.name}(...) is the old constructor spelling; write birth(...) instead",
                              "N0306", width=len(m.name), label="old constructor spelling",
                              suggestions=(Suggestion("the constructor is called `birth`", "birth"),))
                elif m.name in ("init", "pack") and not (m.name == "pack" and c.builtin_parents):
                    self.warn(m, f"'{m.name}(...)' is the old spelling of the constructor; write birth(...)", "N0402",
                              width=len(m.name), label="old constructor spelling",
                              suggestions=(Suggestion("the constructor is called `birth`", "birth"),))
                if m.is_override and not any(p.find_method(m.name, len(m.params)) for p in c.parents) and not c.builtin_parents:
                    inherited = sorted({k.split("/")[0] for a in c.ancestors() for k in a.decl.methods})
                    self.warn(m, f"'override {m.name}' overrides nothing in the parents of {c.name}", "N0401",
                              width=len(m.name), label="no parent method of this name and arity",
                              suggestions=did_you_mean(m.name, {n: "a parent method" for n in inherited}))
        for c in self.classes.values():
            if c in c.ancestors():
                self.err(c.decl, f"box {c.name} inherits from itself", "N0305", find=c.name,
                         label="its `from` chain leads back here")
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
                self.err(s, "'break' outside a loop", "N0307", width=5, label="not inside any loop")
        elif isinstance(s, A.Return):
            if s.value is not None:
                self._expr(s.value, scope)
        elif isinstance(s, (A.Print, A.Throw)):
            self._expr(s.value, scope)
        elif isinstance(s, A.ExprStmt):
            # a lone word as a statement may be a misspelled keyword (`retrun x`)
            self._expr(s.expr, scope, statement=True)
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

    def _expr(self, e: A.Expr, scope: set[str], statement: bool = False) -> None:
        if isinstance(e, A.Var):
            if e.name in scope:
                self.var_kind[id(e)] = "local"
            elif e.name in self.global_set:
                self.var_kind[id(e)] = "global"
            elif e.name in self.classes and self.classes[e.name].is_static:
                self.var_kind[id(e)] = "static"
            else:
                kw = keyword_for(e.name) if statement else None
                if kw is not None:  # `retrun x`: a word alone where a statement starts
                    self.defer(e, f"Undefined variable '{e.name}'", "N0114", width=len(e.name),
                               label="not a keyword, and no variable has this name",
                               suggestions=(Suggestion(f"did you mean `{kw}`?", kw),))
                else:
                    word = _FOREIGN_VALUES.get(e.name)  # `None` -> `null`, `self` -> `me` (in a method)
                    if word is not None and (word != "me" or self.cur.cls is not None):
                        fix = (Suggestion(f"did you mean `{word}` (how Nyash writes `{e.name}`)?", word),)
                    else:
                        fix = self.suggest(e.name, lambda: self.variable_names(scope))
                    self.defer(e, f"Undefined variable '{e.name}'", "N0201", width=len(e.name),
                               label="not defined here", suggestions=fix)
        elif isinstance(e, A.Binary):
            self._expr(e.left, scope)
            self._expr(e.right, scope)
        elif isinstance(e, A.Unary):
            self._expr(e.operand, scope)
        elif isinstance(e, A.Call):
            self._args(e.args, scope)
            f = self.functions.get(e.name)
            if f is None:
                help = ""
                if e.name in self.classes:
                    help = f"to create a {e.name}, write `new {e.name}(...)`"

                def names() -> dict[str, str]:
                    out = {n: "a function" for n in sorted(self.functions)}
                    out.setdefault("print", "the print statement")
                    return out
                self.defer(e, f"Undefined function '{e.name}'", "N0202", width=len(e.name),
                           label="no function of this name", help=help,
                           suggestions=() if help else self.suggest(e.name, names))
            elif len(f.params) != len(e.args):
                self.defer(e, f"function {e.name} expects {len(f.params)} arguments, got {len(e.args)}", "N0203",
                           width=len(e.name), label=f"called with {len(e.args)} argument{'s' * (len(e.args) != 1)}",
                           notes=(self.note(f, f"{e.name} takes {len(f.params)}: ({', '.join(f.params)})", e.name),))
        elif isinstance(e, A.New):
            self._args(e.args, scope)
            self._check_new(e)
        elif isinstance(e, A.FromCall):
            self._args(e.args, scope)
            self._check_from(e)
        elif isinstance(e, A.Field):
            self._expr(e.obj, scope)
            self._check_field_read(e)
        elif isinstance(e, A.MethodCall):
            self._expr(e.obj, scope)
            self._args(e.args, scope)
            if isinstance(e.obj, A.Me):
                self._check_me_method(e)
        elif isinstance(e, A.Me):
            if self.cur.cls is None:
                self.err(e, "'me' used outside a box method", "N0308", find="me",
                         label="there is no current instance here")

    def _check_new(self, e: A.New) -> None:
        argc = len(e.args)
        given = f"given {argc} argument{'s' * (argc != 1)}"
        if e.box in self.classes:
            c = self.classes[e.box]
            if c.is_static:
                self.defer(e, f"static box {e.box} cannot be created with new", "N0206", find=e.box,
                           label="a static box", help=f"use its one instance: `{e.box}.method(...)`")
                return
            if c.find_ctor(argc) is None and not (argc == 0 and not c.has_ctor()):
                self.defer(e, f"No constructor found for {e.box} with {argc} arguments", "N0205", find=e.box,
                           label=given, help=_ctor_help(c))
        else:
            self._builtin_new(e, e.box, argc, e.box)

    def _builtin_new(self, e: A.Node, box: str, argc: int, find: str) -> None:
        """``new Builtin(args)`` (or ``from Builtin.birth(args)``) that can only fail."""
        msg = builtin_new_error(box, argc)
        if msg is None:
            return
        if msg.startswith("Unknown box type"):
            self.defer(e, msg, "N0204", find=find, label="no box of this name",
                       suggestions=self.suggest(box, self.box_names))
        else:
            counts = [n for n in range(4) if builtin_new_error(box, n) is None]
            takes = " or ".join(map(str, counts)) or "other numbers of"
            self.defer(e, msg, "N0205", find=find, label=f"given {argc} argument{'s' * (argc != 1)}",
                       help=f"`new {box}(...)` takes {takes} argument{'s' * (counts != [1])}")

    def _check_from(self, e: A.FromCall) -> None:
        cls = self.cur.cls
        if cls is None:
            self.err(e, f"'from {e.parent}.{e.method}(...)' used outside a box method", "N0309", width=4,
                     label="no box method around this")
            return
        if e.parent in cls.builtin_parents:
            if is_ctor_call(e):  # `from StringBox.birth(v)` builds the part like `new StringBox(v)`
                self._builtin_new(e, e.parent, len(e.args), e.method)
            return
        if e.parent not in [p.name for p in cls.parents]:
            parents = {p.name: "a parent" for p in cls.parents}
            parents.update({p: "a parent" for p in cls.builtin_parents})
            self.defer(e, f"{cls.name} does not delegate to {e.parent}", "N0210", find=e.parent,
                       label=f"not a parent of {cls.name}", suggestions=did_you_mean(e.parent, parents),
                       help="" if parents else f"{cls.name} has no parent: declare one with `box {cls.name} from Parent`")
            return
        parent = self.classes[e.parent]
        if is_ctor_call(e):
            if parent.find_ctor(len(e.args)) is None and (e.args or parent.has_ctor()):
                self.defer(e, f"No constructor found for {e.parent} with {len(e.args)} arguments", "N0205",
                           find=e.method, label=f"given {len(e.args)} argument{'s' * (len(e.args) != 1)}",
                           help=_ctor_help(parent))
            return
        if parent.find_method(e.method, len(e.args)) is None:
            names = {n: f"a method of {e.parent}" for n in method_names(parent)}
            self.defer(e, f"Method '{e.method}' with {len(e.args)} arguments not found in {e.parent}", "N0211",
                       find=e.method, label=f"not a method of {e.parent}" if e.method not in names
                       else f"{e.parent}.{e.method} takes another number of arguments",
                       suggestions=did_you_mean(e.method, names))

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
                self.defer(e, f"method '{e.name}' of {cls.name} does not take {len(e.args)} arguments", "N0209",
                           width=len(e.name), label=f"called with {len(e.args)} argument{'s' * (len(e.args) != 1)}",
                           help=arity_help(family, e.name))
            else:
                self.defer(e, f"Unknown method '{e.name}' for {cls.name}", "N0207", width=len(e.name),
                           label=f"{cls.name} has no method of this name",
                           suggestions=self.suggest(e.name, lambda: {n: f"a method of {cls.name}"
                                                                     for c in family for n in method_names(c)}))

    def collect_fields(self) -> None:
        """Every field name a box declares or some assignment writes: reading any other
        field can only fail (the runtime's ``Field 'NAME' not found``)."""
        known = {f for c in self.classes.values() for f in c.fields}
        stack = [s for b in self.bodies for s in b.stmts]
        while stack:
            s = stack.pop()
            if isinstance(s, A.Assign) and isinstance(s.target, A.Field):
                known.add(s.target.name)
            elif isinstance(s, A.If):
                stack.extend(s.then)
                stack.extend(s.orelse or ())
            elif isinstance(s, A.Loop):
                stack.extend(s.body)
            elif isinstance(s, A.Try):
                stack.extend(s.body)
                for c in s.catches:
                    stack.extend(c.body)
                stack.extend(s.final or ())
        self.known_fields = known

    def _check_field_read(self, e: A.Field) -> None:
        if e.name in self.known_fields:
            return
        cls = self.cur.cls if isinstance(e.obj, A.Me) else None

        def names() -> dict[str, str]:
            if cls is None:  # an unknown receiver: no box's fields are known to be meant
                return {}
            # the fields an instance of this box (or a box delegating to it) can have
            family = dict.fromkeys([*cls.descendants(), *cls.ancestors()])
            out: dict[str, str] = {}
            for c in family:
                for f in c.fields:
                    if not f.startswith("@"):  # not a hidden builtin part
                        out.setdefault(f, f"a field of {c.name}")
            return out
        self.warn(e, f"field '{e.name}' is never declared or assigned, so reading it fails", "N0212",
                  width=len(e.name), label="no box has this field", suggestions=self.suggest(e.name, names))


def method_names(c: ClassInfo) -> list[str]:
    """Method names of a box and its ancestors, own first."""
    out: list[str] = []
    for k in [*c.decl.methods, *(k for a in c.ancestors() for k in a.decl.methods)]:
        n = k.split("/")[0]
        if n not in out:
            out.append(n)
    return out


def _ctor_help(c: ClassInfo) -> str:
    counts = sorted({len(m.params) for x in [c, *c.ancestors()] for k, m in x.decl.methods.items()
                     if m.name in CTOR_NAMES or m.name == x.name})
    if not counts:
        return f"{c.name} has no constructor: create it with `new {c.name}()`"
    return f"constructors of {c.name} take {' or '.join(map(str, counts))} argument{'s' * (counts != [1])}"


def arity_help(family: list[ClassInfo], name: str) -> str:
    """``name takes 0 or 2 arguments``: the parameter counts of a method in a box family."""
    counts = sorted({len(m.params) for c in family for x in [c, *c.ancestors()]
                     for m in x.decl.methods.values() if m.name == name})
    return f"{name} takes {' or '.join(map(str, counts))} argument{'s' * (counts != [1])}"


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
    c.collect_fields()
    if not c.errors:
        for body in c.bodies:
            c.check_body(body)
    order = position_order(prog.files)
    # dict.fromkeys: an included file spliced at several includes is checked once per
    # copy, but each finding is reported once
    if c.errors:
        raise CompileError(sorted(unique(c.errors), key=order))
    return ProgramInfo(prog.filename, prog, c.classes, c.functions, c.global_names, c.bodies,
                       c.main_body, c.method_bodies, c.function_bodies,
                       sorted(unique(c.warnings), key=order), c.var_kind, c.deferred)


def unique(diags: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per place and message (the first): the copies of a file spliced at
    several includes may differ only in their suggestions (different names in scope)."""
    return list({(d.file, d.line, d.col, d.code, d.message): d for d in reversed(diags)}.values())[::-1]


def position_order(files: list[str]):
    """Sort key for diagnostics: file table order (entry first), then line and column."""
    rank = {name: i for i, name in enumerate(files)}
    return lambda d: (rank.get(d.file, len(rank)), d.line, d.col)
