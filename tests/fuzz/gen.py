"""Generator of well-formed Nyash programs for differential testing.

Programs are built as the tuple trees refeval.py evaluates, then rendered to source
with minimal parentheses (so operator precedence is exercised too). Every choice goes
through ``Chooser`` so that hypothesis drives (and shrinks) them, or a plain
``random.Random`` for quick manual runs.

The subset: integers (including the i64 edges), strings (ASCII and a little UTF-8),
bools, null; ``+ - * / %``, comparisons, ``and or not``, unary minus; locals, if/else,
counted loops with ``break``, functions with bounded recursion, boxes with fields and
methods, ArrayBox and MapBox basic methods, string methods, print. Mostly well-typed,
with a small share of deliberately ill-typed operations and divisions by zero, whose
runtime errors must match too. Instances are never printed (``#N`` is arbitrary).
"""
from __future__ import annotations

import random
from typing import Callable

from .refeval import Program, float_form

INT_EDGES = [0, 1, -1, 2, 7, 10, -17, 5, 255, 1 << 31, (1 << 62) + 1,
             (1 << 63) - 1, -(1 << 63), -(1 << 63) + 1, 3037000500]
STRINGS = ["", "a", "ab", "abc", "Hello", "x y", "10", "9", "-3", "héllo", "é", "Z", "a\nb",
           "q\"t", "back\\slash", "tab\tx", "日本"]
SCALARS = ("int", "str", "bool")


class Chooser:
    """Source of choices: hypothesis's ``draw`` or a seeded Random."""

    def __init__(self, integers: Callable[[int, int], int]) -> None:
        self.integers = integers

    @classmethod
    def from_seed(cls, seed: int) -> "Chooser":
        rng = random.Random(seed)
        return cls(rng.randint)

    def r(self, lo: int, hi: int) -> int:
        return self.integers(lo, hi)

    def pick(self, seq):
        return seq[self.r(0, len(seq) - 1)]

    def chance(self, percent: int) -> bool:
        return self.r(0, 99) < percent


class Scope:
    """Variables visible at a point: name -> type; ``fixed`` ones are never reassigned."""

    def __init__(self, vars_: dict[str, str] | None = None, fixed: set[str] | None = None) -> None:
        self.vars = dict(vars_ or {})
        self.fixed = set(fixed or ())

    def child(self) -> "Scope":
        return Scope(self.vars, self.fixed)

    def of_type(self, t: str) -> list[str]:
        return [n for n, ty in self.vars.items() if ty == t]

    def assignable(self) -> list[str]:
        return [n for n, ty in self.vars.items() if n not in self.fixed and ty in SCALARS]


class Gen:
    """Builds one Program. ``size`` scales the number of statements."""

    def __init__(self, ch: Chooser, size: int = 10) -> None:
        self.ch = ch
        self.size = size
        self.prog = Program()
        self.fsigs: dict[str, tuple[list[str], list[str], str]] = {}  # name -> (params, types, ret)
        self.boxes: dict[str, dict] = {}
        self.counter = 0
        # context of the body being generated
        self.cur_fn: str | None = None
        self.self_call_ok = False
        self.cur_box: str | None = None
        self.cur_method_index = 0
        self.ret_type: str | None = None
        self.loop_depth = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # ---- program ---------------------------------------------------------------------
    def program(self) -> Program:
        for _ in range(self.ch.r(0, 2)):
            self.box_decl()
        for _ in range(self.ch.r(0, 3)):
            self.function_decl()
        scope = Scope()
        self.prog.main = self.stmts(scope, self.ch.r(2, self.size), depth=0)
        # make sure something is printed at the end
        for name, ty in list(scope.vars.items())[:3]:
            if not ty.startswith("inst:"):
                self.prog.main.append(("print", ("var", name)))
        return self.prog

    def function_decl(self) -> None:
        name = f"f{len(self.fsigs)}"
        types = [self.ch.pick(SCALARS) for _ in range(self.ch.r(0, 2))]
        params = ["n"] + [f"a{i}" for i in range(len(types))]
        ret = self.ch.pick(SCALARS)
        scope = Scope({"n": "int", **{p: t for p, t in zip(params[1:], types)}}, {"n"})
        self.cur_fn, self.ret_type = name, ret
        body = self.stmts(scope, self.ch.r(0, 2), depth=1)
        body.append(("if", ("bin", "<=", ("var", "n"), ("int", 0)),
                     [("return", self.expr(ret, scope, 2))], None))
        body += self.stmts(scope, self.ch.r(0, 2), depth=1)
        self.fsigs[name] = (params, types, ret)  # visible to its own recursive call
        self.self_call_ok = True
        body.append(("return", self.self_call_expr(name, ret, scope)))
        self.self_call_ok = False
        self.cur_fn, self.ret_type = None, None
        self.prog.functions[name] = (params, body)

    def self_call_expr(self, name: str, ret: str, scope: Scope) -> tuple:
        params, types, _ = self.fsigs[name]
        args = [("bin", "-", ("var", "n"), ("int", 1))] + [self.expr(t, scope, 2) for t in types]
        call = ("call", name, args)
        if ret == "int":
            return ("bin", self.ch.pick(["+", "-", "*"]), call, self.expr("int", scope, 2))
        if ret == "str":
            return ("bin", "+", call, self.expr(self.ch.pick(SCALARS), scope, 2))
        return ("bin", self.ch.pick(["and", "or", "=="]), call, self.expr("bool", scope, 2))

    def box_decl(self) -> None:
        name = f"B{len(self.boxes)}"
        ftypes = {f"f{i}": self.ch.pick(SCALARS) for i in range(self.ch.r(1, 3))}
        fields = list(ftypes)
        birth = (["p" + f for f in fields], [("setfield", ("me",), f, ("var", "p" + f)) for f in fields])
        info = {"fields": ftypes, "methods": {}}
        self.boxes[name] = info
        methods = {"birth": birth}
        self.prog.boxes[name] = (fields, methods)
        for i in range(self.ch.r(1, 2)):
            mname = f"m{i}"
            ptype = self.ch.pick(SCALARS)
            ret = self.ch.pick(SCALARS)
            self.cur_box, self.ret_type = name, ret
            scope = Scope({"x": ptype})
            body = self.stmts(scope, self.ch.r(1, 3), depth=1)
            body.append(("return", self.expr(ret, scope, 2)))
            self.cur_box, self.ret_type = None, None
            methods[mname] = (["x"], body)
            info["methods"][mname] = (ptype, ret)  # callable only after its body exists

    # ---- statements ------------------------------------------------------------------
    def stmts(self, scope: Scope, n: int, depth: int) -> list:
        return [self.stmt(scope, depth) for _ in range(n)]

    def stmt(self, scope: Scope, depth: int) -> tuple:
        ch = self.ch
        roll = ch.r(0, 99)
        if roll < 22:
            return self.local_stmt(scope)
        if roll < 34 and scope.assignable():
            name = ch.pick(scope.assignable())
            return ("assign", name, self.expr(scope.vars[name], scope, 3))
        if roll < 50:
            return ("print", self.printable(scope))
        if roll < 60 and depth < 3:
            cond = self.expr("bool", scope, 3)
            then = self.stmts(scope.child(), ch.r(1, 3), depth + 1)
            orelse = self.stmts(scope.child(), ch.r(1, 2), depth + 1) if ch.chance(50) else None
            return ("if", cond, then, orelse)
        if roll < 68 and depth < 3 and self.loop_depth < 2:
            return self.loop_stmt(scope, depth)
        if roll < 72 and self.loop_depth > 0:
            return ("if", self.expr("bool", scope, 2), [("break",)], None)
        if roll < 75 and self.ret_type is not None and depth > 1:
            return ("if", self.expr("bool", scope, 2), [("return", self.expr(self.ret_type, scope, 2))], None)
        if roll < 82 and self.cur_box is not None:
            f, t = ch.pick(list(self.boxes[self.cur_box]["fields"].items()))
            return ("setfield", ("me",), f, self.expr(t, scope, 3))
        return self.effect_stmt(scope)

    def local_stmt(self, scope: Scope) -> tuple:
        ch = self.ch
        t = ch.pick(SCALARS + SCALARS + ("arr", "map", "inst"))
        if t == "inst" and not self.boxes:
            t = "int"
        name = self.fresh("v")
        if t == "arr":
            e: tuple = ("newarr",)
        elif t == "map":
            e = ("newmap",)
        elif t == "inst":
            box = ch.pick(list(self.boxes))
            e = ("new", box, [self.expr(ft, scope, 2) for ft in self.boxes[box]["fields"].values()])
            t = "inst:" + box
        else:
            e = self.expr(t, scope, 3)
        scope.vars[name] = t
        return ("local", name, e)

    def loop_stmt(self, scope: Scope, depth: int) -> tuple:
        # the counter is declared in the enclosing block; the loop is an if-less block
        name = self.fresh("i")
        limit = self.ch.r(0, 5)
        inner = scope.child()
        inner.vars[name] = "int"
        inner.fixed.add(name)
        self.loop_depth += 1
        body = [("assign", name, ("bin", "+", ("var", name), ("int", 1)))]
        body += self.stmts(inner, self.ch.r(1, 3), depth + 1)
        self.loop_depth -= 1
        loop = ("loop", ("bin", "<", ("var", name), ("int", limit)), body)
        scope.vars[name] = "int"
        scope.fixed.add(name)
        return ("if", ("bool", True), [("local", name, ("int", 0)), loop], None)

    def effect_stmt(self, scope: Scope) -> tuple:
        ch = self.ch
        arrs, maps = scope.of_type("arr"), scope.of_type("map")
        insts = [n for n, t in scope.vars.items() if t.startswith("inst:") and self.callable_methods(t)]
        options = ["print"]
        if arrs:
            options += ["push", "push", "set", "pop"]
        if maps:
            options += ["mset", "mset", "mdelete"]
        if insts:
            options += ["icall"]
        what = ch.pick(options)
        if what == "push":
            return ("expr", ("mcall", ("var", ch.pick(arrs)), "push", [self.expr(ch.pick(SCALARS), scope, 2)]))
        if what == "set":
            return ("expr", ("mcall", ("var", ch.pick(arrs)), "set",
                             [self.small_int(scope), self.expr(ch.pick(SCALARS), scope, 2)]))
        if what == "pop":
            return ("print", ("mcall", ("var", ch.pick(arrs)), "pop", []))
        if what == "mset":
            return ("print", ("mcall", ("var", ch.pick(maps)), "set", [self.map_key(scope), self.expr(ch.pick(SCALARS), scope, 2)]))
        if what == "mdelete":
            return ("print", ("mcall", ("var", ch.pick(maps)), "delete", [self.map_key(scope)]))
        if what == "icall":
            name = ch.pick(insts)
            return ("expr", self.method_call(name, scope.vars[name], scope, 2))
        return ("print", self.printable(scope))

    # ---- expressions -----------------------------------------------------------------
    def printable(self, scope: Scope) -> tuple:
        ch = self.ch
        colls = scope.of_type("arr") + scope.of_type("map")
        if colls and ch.chance(20):
            return ("var", ch.pick(colls))
        return self.expr(ch.pick(SCALARS + ("any",)), scope, 4)

    def small_int(self, scope: Scope) -> tuple:
        ints = scope.of_type("int")
        if ints and self.ch.chance(30):
            return ("var", self.ch.pick(ints))
        return ("int", self.ch.r(-1, 4))

    def map_key(self, scope: Scope) -> tuple:
        if self.ch.chance(50):
            return ("str", self.ch.pick(["a", "b", "k", "1", ""]))
        return ("int", self.ch.r(0, 3))

    def literal(self, t: str) -> tuple:
        ch = self.ch
        if t == "int":
            return ("int", ch.pick(INT_EDGES) if ch.chance(30) else ch.r(-20, 100))
        if t == "str":
            return ("str", ch.pick(STRINGS))
        return ("bool", ch.chance(50))

    def expr(self, t: str, scope: Scope, d: int) -> tuple:
        """An expression whose value has type t ("any" = no constraint) of depth <= d."""
        ch = self.ch
        if t == "any":
            if ch.chance(15):
                return self.any_special(scope, d)
            t = ch.pick(SCALARS)
        names = scope.of_type(t)
        if d <= 0 or ch.chance(25):
            if names and ch.chance(60):
                return ("var", ch.pick(names))
            return self.literal(t)
        if ch.chance(12):
            call = self.call_returning(t, scope, d - 1)
            if call is not None:
                return call
        return {"int": self.int_expr, "str": self.str_expr, "bool": self.bool_expr}[t](scope, d - 1)

    def int_expr(self, scope: Scope, d: int) -> tuple:
        ch = self.ch
        roll = ch.r(0, 99)
        if roll < 45:
            return ("bin", ch.pick(["+", "-", "*"]), self.expr("int", scope, d), self.expr("int", scope, d))
        if roll < 60:
            divisor = self.expr("int", scope, d) if ch.chance(25) else ("int", ch.pick([1, 2, 3, -3, 7, -1, 10]))
            return ("bin", ch.pick(["/", "%"]), self.expr("int", scope, d), divisor)
        if roll < 68:
            return ("neg", self.expr("int", scope, d))
        if roll < 78:
            return ("mcall", self.expr("str", scope, d), "length", [])
        if roll < 84:
            return ("mcall", self.expr("str", scope, d), "find", [self.expr("str", scope, d)])
        colls = scope.of_type("arr") + scope.of_type("map")
        if colls:
            c = ch.pick(colls)
            return ("mcall", ("var", c), "length" if scope.vars[c] == "arr" else "size", [])
        return self.literal("int")

    def str_expr(self, scope: Scope, d: int) -> tuple:
        ch = self.ch
        roll = ch.r(0, 99)
        if roll < 40:
            right_t = ch.pick(SCALARS + ("str", "coll"))
            colls = scope.of_type("arr") + scope.of_type("map")
            right = ("var", ch.pick(colls)) if right_t == "coll" and colls else self.expr(
                right_t if right_t != "coll" else "any", scope, d)
            return ("bin", "+", self.expr("str", scope, d), right)
        if roll < 50:
            return ("bin", "*", self.expr("str", scope, d), ("int", ch.r(-1, 3)))
        if roll < 62:
            return ("mcall", self.expr("str", scope, d), ch.pick(["toUpper", "toLower"]), [])
        if roll < 72:
            return ("mcall", self.expr("str", scope, d), "substring", [("int", ch.r(0, 3)), ("int", ch.r(0, 6))])
        if roll < 80:
            arrs = scope.of_type("arr")
            if arrs:
                return ("mcall", ("var", ch.pick(arrs)), "join", [("str", ch.pick([", ", "-", ""]))])
        if roll < 90:
            maps = scope.of_type("map")
            if maps:  # value or "Key not found: K": the + makes any value a string
                return ("bin", "+", ("str", ""), ("mcall", ("var", ch.pick(maps)), "get", [self.map_key(scope)]))
        return self.literal("str")

    def bool_expr(self, scope: Scope, d: int) -> tuple:
        ch = self.ch
        roll = ch.r(0, 99)
        if roll < 35:
            t = ch.pick(["int", "int", "str"]) if ch.chance(85) else "any"
            u = t if ch.chance(90) else "any"
            return ("bin", ch.pick(["<", ">", "<=", ">=", "==", "!="]), self.expr(t, scope, d), self.expr(u, scope, d))
        if roll < 60:
            return ("bin", ch.pick(["and", "or"]), self.expr(ch.pick(SCALARS + ("bool",)), scope, d),
                    self.expr(ch.pick(SCALARS + ("bool",)), scope, d))
        if roll < 75:
            return ("not", self.expr(ch.pick(SCALARS + ("bool",)), scope, d))
        arrs, maps = scope.of_type("arr"), scope.of_type("map")
        if roll < 85 and arrs:
            return ("mcall", ("var", ch.pick(arrs)), "contains", [self.expr(ch.pick(SCALARS), scope, d)])
        if roll < 95 and maps:
            return ("mcall", ("var", ch.pick(maps)), "has", [self.map_key(scope)])
        return self.literal("bool")

    def any_special(self, scope: Scope, d: int) -> tuple:
        """Values of unconstrained kind: collection reads, null, ill-typed operations."""
        ch = self.ch
        roll = ch.r(0, 99)
        arrs, maps = scope.of_type("arr"), scope.of_type("map")
        if roll < 30 and arrs:
            return ("mcall", ("var", ch.pick(arrs)), "get", [self.small_int(scope)])
        if roll < 50 and maps:
            return ("mcall", ("var", ch.pick(maps)), "get", [self.map_key(scope)])
        if roll < 60:
            return ("null",)
        if roll < 70:
            sub = max(d - 1, 0)
            return ("bin", "/", self.expr("int", scope, sub), self.expr("int", scope, sub))
        # deliberately ill-typed (mostly a runtime error; some are valid concatenations)
        sub = max(d - 1, 0)
        return ("bin", ch.pick(["+", "-", "*", "%"]), self.expr(ch.pick(SCALARS), scope, sub),
                self.expr(ch.pick(SCALARS), scope, sub))

    def call_returning(self, t: str, scope: Scope, d: int) -> tuple | None:
        ch = self.ch
        fns = [n for n, (_, _, r) in self.fsigs.items() if r == t and n != self.cur_fn]
        insts = [n for n, ty in scope.vars.items() if ty.startswith("inst:")]
        options: list[tuple] = []
        for f in fns:
            params, types, _ = self.fsigs[f]
            options.append(("call", f, [("int", ch.r(0, 3))] + [self.expr(pt, scope, min(d, 1)) for pt in types]))
        for name in insts:
            box = scope.vars[name][5:]
            for f, ft in self.boxes[box]["fields"].items():
                if ft == t:
                    options.append(("field", ("var", name), f))
            for m, (pt, rt) in self.callable_methods(scope.vars[name]).items():
                if rt == t:
                    options.append(("mcall", ("var", name), m, [self.expr(pt, scope, min(d, 1))]))
        if self.cur_box is not None:
            for f, ft in self.boxes[self.cur_box]["fields"].items():
                if ft == t:
                    options.append(("field", ("me",), f))
        return ch.pick(options) if options else None

    def callable_methods(self, inst_type: str) -> dict:
        box = inst_type[5:]
        if box == self.cur_box:  # no calls into the box being generated (recursion)
            return {}
        return self.boxes[box]["methods"]

    def method_call(self, name: str, ty: str, scope: Scope, d: int) -> tuple:
        m, (pt, _) = self.ch.pick(list(self.callable_methods(ty).items()))
        return ("mcall", ("var", name), m, [self.expr(pt, scope, d)])


# ---- rendering ----------------------------------------------------------------------
_PREC = {"or": 1, "and": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
         "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
_UNARY, _POSTFIX = 7, 8


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _prec(e: tuple) -> int:
    if e[0] == "bin":
        return _PREC[e[1]]
    if e[0] in ("not", "neg"):
        return _UNARY
    if e[0] in ("int", "float") and e[1] < 0:
        return _UNARY
    return _POSTFIX


def render_expr(e: tuple) -> str:
    k = e[0]
    if k == "int":
        return str(e[1])
    if k == "float":
        text = float_form(e[1])
        return text if "." in text else text + ".0"
    if k == "str":
        return _quote(e[1])
    if k == "bool":
        return "true" if e[1] else "false"
    if k == "null":
        return "null"
    if k == "var":
        return e[1]
    if k == "me":
        return "me"
    if k == "bin":
        p = _PREC[e[1]]
        left = _wrap(e[2], _prec(e[2]) < p)
        right = _wrap(e[3], _prec(e[3]) <= p)
        return f"{left} {e[1]} {right}"
    if k in ("not", "neg"):
        inner = _wrap(e[1], _prec(e[1]) < _UNARY or (k == "neg" and e[1][0] in ("neg", "int", "float")))
        return f"not {inner}" if k == "not" else f"-{inner}"
    if k == "call":
        return f"{e[1]}({', '.join(render_expr(a) for a in e[2])})"
    if k == "new":
        return f"new {e[1]}({', '.join(render_expr(a) for a in e[2])})"
    if k == "newarr":
        return "new ArrayBox()"
    if k == "newmap":
        return "new MapBox()"
    if k == "newerr":
        return f"new ErrorBox({render_expr(e[1])})"
    if k == "fromcall":
        return f"from {e[1]}.{e[2]}({', '.join(render_expr(a) for a in e[3])})"
    if k == "field":
        return f"{_receiver(e[1])}.{e[2]}"
    if k == "mcall":
        return f"{_receiver(e[1])}.{e[2]}({', '.join(render_expr(a) for a in e[3])})"
    raise AssertionError(e)


def _receiver(e: tuple) -> str:
    return _wrap(e, _prec(e) < _POSTFIX or e[0] in ("int", "float"))


def _wrap(e: tuple, paren: bool) -> str:
    text = render_expr(e)
    return f"({text})" if paren else text


def render_stmts(stmts: list, indent: int) -> list[str]:
    out: list[str] = []
    pad = "    " * indent
    for s in stmts:
        k = s[0]
        if k == "local":
            out.append(f"{pad}local {s[1]} = {render_expr(s[2])}")
        elif k == "assign":
            out.append(f"{pad}{s[1]} = {render_expr(s[2])}")
        elif k == "setfield":
            out.append(f"{pad}{_receiver(s[1])}.{s[2]} = {render_expr(s[3])}")
        elif k == "print":
            out.append(f"{pad}print({render_expr(s[1])})")
        elif k == "if":
            out.append(f"{pad}if {render_expr(s[1])} {{")
            out += render_stmts(s[2], indent + 1)
            if s[3] is not None:
                out.append(f"{pad}}} else {{")
                out += render_stmts(s[3], indent + 1)
            out.append(f"{pad}}}")
        elif k == "loop":
            out.append(f"{pad}loop({render_expr(s[1])}) {{")
            out += render_stmts(s[2], indent + 1)
            out.append(f"{pad}}}")
        elif k == "break":
            out.append(f"{pad}break")
        elif k == "return":
            out.append(f"{pad}return" + ("" if s[1] is None else f" {render_expr(s[1])}"))
        elif k == "expr":
            out.append(f"{pad}{render_expr(s[1])}")
        elif k == "throw":
            out.append(f"{pad}throw {render_expr(s[1])}")
        elif k == "try":
            _, body, var, handler, final = s
            out.append(f"{pad}try {{")
            out += render_stmts(body, indent + 1)
            if handler is not None:
                out.append(f"{pad}}} catch (Error {var or 'e'}) {{")
                out += render_stmts(handler, indent + 1)
            if final is not None:
                out.append(f"{pad}}} finally {{")
                out += render_stmts(final, indent + 1)
            out.append(f"{pad}}}")
        else:
            raise AssertionError(s)
    return out


def render(prog: Program) -> str:
    lines: list[str] = []
    for name, (fields, methods) in prog.boxes.items():
        parents = prog.parents.get(name)
        lines.append(f"box {name}" + (f" from {', '.join(parents)}" if parents else "") + " {")
        if fields:
            lines.append(f"    init {{ {', '.join(fields)} }}")
        for m, (params, body) in methods.items():
            lines.append(f"    {m}({', '.join(params)}) {{")
            lines += render_stmts(body, 2)
            lines.append("    }")
        lines.append("}")
    for name, (params, body) in prog.functions.items():
        lines.append(f"function {name}({', '.join(params)}) {{")
        lines += render_stmts(body, 1)
        lines.append("}")
    lines += render_stmts(prog.main, 0)
    return "\n".join(lines) + "\n"


def generate(ch: Chooser, size: int = 10) -> Program:
    return Gen(ch, size).program()
