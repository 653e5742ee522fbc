"""AST: plain dataclasses with source positions (file, line, col), produced by the parser.

``file`` indexes the program's file table (``Program.files``; 0 = the entry file): the
parser leaves it 0 and the include loader (``sources.py``) stamps the nodes of each
included file, so every later stage can say which file a node came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(eq=False)
class Node:
    line: int
    col: int
    file: int = field(default=0, kw_only=True)


# ---- expressions -------------------------------------------------------------------
@dataclass(eq=False)
class IntLit(Node):
    value: int


@dataclass(eq=False)
class FloatLit(Node):
    value: float


@dataclass(eq=False)
class StrLit(Node):
    value: str


@dataclass(eq=False)
class BoolLit(Node):
    value: bool


@dataclass(eq=False)
class NullLit(Node):
    pass


@dataclass(eq=False)
class Me(Node):
    pass


@dataclass(eq=False)
class Var(Node):
    name: str


@dataclass(eq=False)
class Call(Node):
    """``name(args)``: a top-level function call."""
    name: str
    args: list["Expr"]


@dataclass(eq=False)
class New(Node):
    box: str
    args: list["Expr"]


@dataclass(eq=False)
class FromCall(Node):
    """``from Parent.method(args)``."""
    parent: str
    method: str
    args: list["Expr"]


@dataclass(eq=False)
class Field(Node):
    obj: "Expr"
    name: str


@dataclass(eq=False)
class MethodCall(Node):
    obj: "Expr"
    name: str
    args: list["Expr"]


@dataclass(eq=False)
class Binary(Node):
    op: str  # + - * / % == != < > <= >= and or
    left: "Expr"
    right: "Expr"


@dataclass(eq=False)
class Unary(Node):
    op: str  # - not
    operand: "Expr"


Expr = IntLit | FloatLit | StrLit | BoolLit | NullLit | Me | Var | Call | New | FromCall | Field | MethodCall | Binary | Unary


# ---- statements --------------------------------------------------------------------
@dataclass(eq=False)
class Local(Node):
    names: list[tuple[str, "Expr | None", int, int]]  # (name, initializer, line, col)


@dataclass(eq=False)
class Assign(Node):
    target: Var | Field
    value: Expr
    is_global: bool = False  # `global name = value`


@dataclass(eq=False)
class If(Node):
    cond: Expr
    then: list["Stmt"]
    orelse: list["Stmt"] | None


@dataclass(eq=False)
class Loop(Node):
    cond: Expr
    body: list["Stmt"]


@dataclass(eq=False)
class Break(Node):
    pass


@dataclass(eq=False)
class Return(Node):
    value: Expr | None


@dataclass(eq=False)
class Print(Node):
    value: Expr


@dataclass(eq=False)
class Catch(Node):
    type_name: str
    var: str
    body: list["Stmt"]


@dataclass(eq=False)
class Try(Node):
    body: list["Stmt"]
    catches: list[Catch]
    final: list["Stmt"] | None


@dataclass(eq=False)
class Throw(Node):
    value: Expr


@dataclass(eq=False)
class ExprStmt(Node):
    expr: Expr


@dataclass(eq=False)
class Include(Node):
    """``include "path"``: replaced by the included file's top-level statements (or by
    nothing) when the include loader builds the whole program; later stages never see it."""
    path: str
    target: int = -1  # index of the included file in the file table, set by the loader
    path_cols: tuple[int, int] = (0, 0)  # the quoted path's columns on the line (end exclusive)


Stmt = Local | Assign | If | Loop | Break | Return | Print | Try | Throw | ExprStmt | Include


# ---- declarations ------------------------------------------------------------------
@dataclass(eq=False)
class Method(Node):
    name: str
    params: list[str]
    body: list[Stmt]
    is_override: bool = False
    box: str = ""  # the box the method is written in


@dataclass(eq=False)
class BoxDecl(Node):
    name: str
    is_static: bool
    parents: list[str]
    fields: list[str] = field(default_factory=list)        # declared own fields, in order
    weak_fields: set[str] = field(default_factory=set)
    public: list[str] | None = None                         # None: no visibility sections
    private: list[str] | None = None
    methods: dict[str, Method] = field(default_factory=dict)  # key: "name/argc"


@dataclass(eq=False)
class FunctionDecl(Node):
    name: str
    params: list[str]
    body: list[Stmt]


@dataclass(eq=False)
class Program:
    filename: str
    boxes: list[BoxDecl]
    functions: list[FunctionDecl]
    body: list[Stmt]  # top-level statements, in order
    # the file table: how diagnostics name file i (Node.file == i); [filename] for one file
    files: list[str] = field(default_factory=list)
    # the parser's warnings for this file (old spellings such as `this` and `&&`)
    warnings: list = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.files:
            self.files = [self.filename]


def walk(root):
    """Every node under root (a node, or a list or tuple of them), root included, in no
    particular order: what analyses that collect facts about a body or an expression
    iterate over (Local.names holds (name, initializer, line, col) tuples)."""
    stack = [root]
    while stack:
        n = stack.pop()
        if isinstance(n, Node):
            yield n
            for f in fields(n):
                stack.append(getattr(n, f.name))
        elif isinstance(n, (list, tuple)):
            stack.extend(n)
