"""Generator of realistic, dynamically-kinded Nyash programs for differential testing.

gen.py draws small, mostly well-typed programs. This generator draws the shapes real
programs have and the optimiser must get right: user boxes with inheritance, fields
holding collections and other instances, ``from Parent.m()`` calls and overrides;
arrays and maps of objects and of mixed kinds; values whose kinds change at run time
(an array of ints that later gets a string, a field that becomes null, a variable that
is sometimes a float, methods returning different kinds on different paths); aliasing
(one array in two fields, mutated through one and read through the other, containers
replaced while a method holds a value read from them); objects dropped while still
referenced elsewhere; recursion; string building; loops with ``break``;
try/catch/finally with throws in called methods; i64 wrapping, division semantics and
int/float mixes.

Programs are refeval.py trees (rendered by gen.render), so the spec's reference
evaluator judges them. ``oracle=True`` restricts the programs to where the reference
interpreter (upstream) and the spec agree (no float arithmetic, throws only directly in
a ``try`` body, children override every inherited method, ``and``/``or``/constructor
operands without side effects, catch bodies that do not print the error's text, map
key order printed only after sorting, ...), for campaigns against the oracle
(tools/fuzz_oracle.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .gen import Chooser
from .refeval import Program

INTS = [0, 1, 2, 3, 5, 7, 10, -1, -3, 42, 100, 255, 1000, -17]
INT_EDGES = [(1 << 63) - 1, -(1 << 63), (1 << 62) + 1, 3037000500, 1 << 31, -(1 << 63) + 1]
FLOATS = [0.5, 1.5, 2.25, -0.5, 3.75, 0.1, 10.5, 100.25, 0.2]
FLOATS_FULL = FLOATS + [2.0, 0.0, 1.0, 1e16, 4.0, 1e-07]
STRINGS = ["", "a", "b", "ab", "x y", "10", "9", "1", "-3", "abc", "héllo", "Z", "key", "a,b,c", " pad ", "日本"]
KEYS_STR = ["a", "b", "k", "1", "2", "", "10"]
SCALARS = ("int", "str", "bool")
COMPARE = ["<", ">", "<=", ">=", "==", "!="]


@dataclass
class Sig:
    """A callable's signature: parameter kinds, result kind and its place in the call
    order (a body may only call callables of a lower order, or itself with ``n - 1``)."""
    params: list[str]
    ret: str
    order: int


@dataclass
class BoxInfo:
    name: str
    parent: str | None
    fields: dict[str, str] = field(default_factory=dict)          # own fields -> kind
    methods: dict[str, Sig] = field(default_factory=dict)         # own (incl. overrides)
    birth: list[str] = field(default_factory=list)                # birth parameter kinds


class Scope:
    """Names visible at a point with their (generation-time) kinds. Branch scopes see
    their parent's names; a kind change is recorded where the name was declared."""

    def __init__(self, parent: "Scope | None" = None) -> None:
        self.parent = parent
        self.vars: dict[str, str] = {}
        self.fixed: set[str] = set()

    def child(self) -> "Scope":
        return Scope(self)

    def all(self) -> dict[str, str]:
        out = self.parent.all() if self.parent else {}
        out.update(self.vars)
        return out

    def is_fixed(self, name: str) -> bool:
        s: Scope | None = self
        while s is not None:
            if name in s.vars:
                return name in s.fixed
            s = s.parent
        return True

    def retype(self, name: str, t: str) -> None:
        s: Scope | None = self
        while s is not None:
            if name in s.vars:
                s.vars[name] = t
                return
            s = s.parent

    def of(self, pred) -> list[str]:
        return [n for n, t in self.all().items() if pred(t)]

    def typed(self, t: str) -> list[str]:
        return self.of(lambda u: u == t)


def is_arr(t: str) -> bool:
    return t.startswith("arr")


def is_map(t: str) -> bool:
    return t.startswith("map")


def is_inst(t: str) -> bool:
    return t.startswith("inst:")


def elem(t: str) -> str:
    """Element kind of an ``arr:K``/``map:K`` kind."""
    return t.split(":", 1)[1] if ":" in t else "any"


class DynGen:
    """Builds one Program. ``size`` scales statement counts; ``oracle`` restricts to the
    subset where upstream and the spec agree."""

    def __init__(self, ch: Chooser, size: int = 12, oracle: bool = False) -> None:
        self.ch = ch
        self.size = size
        self.oracle = oracle
        self.prog = Program()
        self.boxes: dict[str, BoxInfo] = {}
        self.funcs: dict[str, Sig] = {}
        self.order = 0
        self.counter = 0
        # context of the body being generated
        self.cur_box: str | None = None
        self.cur_order = 1 << 30
        self.cur_callable: tuple[str, str | None] | None = None   # (name, box) of the body
        self.ret_type: str | None = None
        self.loop_depth = 0
        self.try_depth = 0          # try bodies enclosing this point, in this body
        self.in_handler = 0         # inside catch/finally bodies
        self.depth_budget = 0

    # ---- helpers ------------------------------------------------------------------
    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def next_order(self) -> int:
        self.order += 1
        return self.order

    def all_fields(self, box: str) -> dict[str, str]:
        info = self.boxes[box]
        out = dict(self.all_fields(info.parent)) if info.parent else {}
        out.update(info.fields)
        return out

    def all_methods(self, box: str) -> dict[str, Sig]:
        info = self.boxes[box]
        out = dict(self.all_methods(info.parent)) if info.parent else {}
        out.update(info.methods)
        return out

    def callable_methods(self, box: str) -> dict[str, Sig]:
        return {m: s for m, s in self.all_methods(box).items() if s.order < self.cur_order}

    def float_values(self) -> list[float]:
        return FLOATS if self.oracle else FLOATS_FULL

    # ---- program --------------------------------------------------------------------
    def program(self) -> Program:
        ch = self.ch
        for _ in range(ch.r(1, 3)):
            self.box_decl()
        for _ in range(ch.r(1, 3)):
            self.function_decl()
        scope = Scope()
        main: list = []
        for _ in range(ch.r(3, max(3, self.size // 2))):
            if ch.chance(35):
                main += self.template(scope)
            else:
                main += self.section(scope, ch.r(2, 5))
        for name, t in list(scope.all().items())[:4]:
            if t in SCALARS or t == "any" or (not self.oracle and t == "float"):
                main.append(("print", ("var", name)))
        self.prog.main = main
        return self.prog

    def section(self, scope: Scope, n: int) -> list:
        """A few statements, often inside try/catch so that one error does not end
        the rest of the program."""
        if self.ch.chance(40):
            return [self.wrap_try(self.stmts(scope.child(), n, depth=0), scope)]
        return self.stmts(scope, n, depth=0)

    def wrap_try(self, body: list, scope: Scope) -> tuple:
        ch = self.ch
        var = self.fresh("e")
        handler: list = [("print", ("str", "caught"))]
        if not self.oracle and ch.chance(70):
            handler = [("print", ("bin", "+", ("str", "caught: "), ("var", var)))]
        final = [("print", ("str", "finally"))] if ch.chance(30) else None
        return ("try", body, var, handler, final)

    # ---- declarations -----------------------------------------------------------------
    def box_decl(self) -> None:
        ch = self.ch
        name = f"B{len(self.boxes)}"
        # oracle mode: no grandchildren (upstream checks from Grandparent.m() against the
        # runtime class and fails, spec section 6)
        roots = [b for b, info in self.boxes.items() if not self.oracle or info.parent is None]
        parent = ch.pick(roots) if roots and ch.chance(55) else None
        info = BoxInfo(name, parent)
        inherited = self.all_fields(parent) if parent else {}
        for i in range(ch.r(1, 3)):
            fname = f"{name.lower()}f{i}"
            info.fields[fname] = ch.pick(["int", "int", "str", "any", "arr:int", "arr:any", "map:any", "float"]
                                         if not self.oracle else ["int", "int", "str", "any", "arr:int", "arr:any", "map:any"])
        self.boxes[name] = info
        self.prog.boxes[name] = (list(info.fields), {})
        if parent:
            self.prog.parents[name] = [parent]
        methods = self.prog.boxes[name][1]
        # birth: own typed fields from parameters, collections fresh, parent's part first
        parent_birth = self.boxes[parent].birth if parent else []
        own_params = [t for t in info.fields.values() if t in ("int", "str", "any", "float")]
        info.birth = parent_birth + own_params
        params = [f"p{i}" for i in range(len(info.birth))]
        body: list = []
        if parent:
            body.append(("expr", ("fromcall", parent, "birth", [("var", p) for p in params[:len(parent_birth)]])))
        k = len(parent_birth)
        for f, t in info.fields.items():
            if t in ("int", "str", "any", "float"):
                body.append(("setfield", ("me",), f, ("var", params[k])))
                k += 1
            elif is_arr(t):
                body.append(("setfield", ("me",), f, ("newarr",)))
            else:
                body.append(("setfield", ("me",), f, ("newmap",)))
        methods["birth"] = (params, body)
        # getters/setters of own fields (getters of 'any' fields return different kinds)
        for f, t in info.fields.items():
            if ch.chance(60):
                sig = Sig([], t, self.next_order())
                info.methods[f"get_{f}"] = sig
                methods[f"get_{f}"] = ([], [("return", ("field", ("me",), f))])
            if t in ("int", "str", "any", "float") and ch.chance(50):
                sig = Sig([t], "str", self.next_order())
                info.methods[f"set_{f}"] = sig
                methods[f"set_{f}"] = (["v"], [("setfield", ("me",), f, ("var", "v")),
                                              ("return", ("str", "set"))])
        # overrides: in oracle mode every inherited method (upstream finds only own ones)
        if parent:
            for m, sig in self.all_methods(parent).items():
                if self.oracle or ch.chance(40):
                    self.method_body(name, m, Sig(sig.params, sig.ret, sig.order), override_of=parent)
        for _ in range(ch.r(1, 3)):
            mname = self.fresh("m")
            ret = ch.pick(["int", "str", "any", "bool", "any"] + ([] if self.oracle else ["float"]))
            ptypes = [ch.pick(["int", "int", "str", "any"]) for _ in range(ch.r(0, 2))]
            self.method_body(name, mname, Sig(ptypes, ret, self.next_order()))
        if ch.chance(50):
            self.recursive_method(name)

    def method_body(self, box: str, mname: str, sig: Sig, override_of: str | None = None) -> None:
        ch = self.ch
        info = self.boxes[box]
        info.methods[mname] = sig
        params = [f"x{i}" for i in range(len(sig.params))]
        scope = Scope()
        for p, t in zip(params, sig.params):
            scope.vars[p] = t
        self.enter_body(box, sig, (mname, box))
        body = self.stmts(scope, ch.r(1, 4), depth=1)
        if override_of is not None and ch.chance(70):
            call = ("fromcall", override_of, mname, [("var", p) for p in params])
            body.append(("return", self.combine(call, sig.ret, scope)))
        else:
            body += self.returns(sig.ret, scope)
        self.leave_body()
        self.prog.boxes[box][1][mname] = (params, body)

    def recursive_method(self, box: str) -> None:
        """``rec(n)``: bounded recursion through ``me`` (children may override it)."""
        info = self.boxes[box]
        if "rec" in self.all_methods(box):
            return
        ret = self.ch.pick(["int", "str"])
        sig = Sig(["int"], ret, self.next_order())
        info.methods["rec"] = sig
        scope = Scope()
        scope.vars["n"] = "int"
        scope.fixed.add("n")
        self.enter_body(box, sig, ("rec", box))
        body = self.stmts(scope, self.ch.r(0, 2), depth=1)
        body.append(("if", ("bin", "<=", ("var", "n"), ("int", 0)),
                     [("return", self.expr(ret, scope, 2))], None))
        call = ("mcall", ("me",), "rec", [("bin", "-", ("var", "n"), ("int", 1))])
        body.append(("return", self.combine(call, ret, scope)))
        self.leave_body()
        self.prog.boxes[box][1]["rec"] = (["n"], body)

    def function_decl(self) -> None:
        ch = self.ch
        name = f"f{len(self.funcs)}"
        roll = ch.r(0, 99)
        if roll < 40:
            self.recursive_function(name)
        elif roll < 70:
            self.kind_switch_function(name)
        else:
            ret = ch.pick(["int", "str", "any", "arr:any", "bool"] + ([] if self.oracle else ["float"]))
            ptypes = [ch.pick(["int", "str", "any", "arr:any"]) for _ in range(ch.r(0, 2))]
            sig = Sig(ptypes, ret, self.next_order())
            params = [f"a{i}" for i in range(len(ptypes))]
            scope = Scope()
            scope.vars.update(zip(params, ptypes))
            self.enter_body(None, sig, (name, None))
            body = self.stmts(scope, ch.r(1, 5), depth=1)
            body += self.returns(ret, scope)
            self.leave_body()
            self.funcs[name] = sig
            self.prog.functions[name] = (params, body)

    def recursive_function(self, name: str) -> None:
        ch = self.ch
        ret = ch.pick(["int", "str", "int", "arr:any"])
        extra = [ch.pick(["int", "str", "any"]) for _ in range(ch.r(0, 1))]
        sig = Sig(["int"] + extra, ret, self.next_order())
        params = ["n"] + [f"a{i}" for i in range(len(extra))]
        scope = Scope()
        scope.vars.update(zip(params, sig.params))
        scope.fixed.add("n")
        self.enter_body(None, sig, (name, None))
        # the base case stands before the body: its value reads only the parameters (it
        # read locals the body declares later: an undefined variable at run time)
        base = self.expr("any", scope.child(), 1) if ret == "arr:any" else None
        body = self.stmts(scope, ch.r(0, 2), depth=1)
        if ret == "arr:any":
            acc = self.fresh("acc")
            body = [("if", ("bin", "<=", ("var", "n"), ("int", 0)),
                     [("local", acc, ("newarr",)), ("expr", ("mcall", ("var", acc), "push", [base])),
                      ("return", ("var", acc))], None)] + body
            rest = self.fresh("r")
            body += [("local", rest, ("call", name, [("bin", "-", ("var", "n"), ("int", 1))] +
                                      [("var", p) for p in params[1:]])),
                     ("expr", ("mcall", ("var", rest), "push", [self.expr("any", scope, 2)])),
                     ("return", ("var", rest))]
        else:
            body.append(("if", ("bin", "<=", ("var", "n"), ("int", 0)),
                         [("return", self.expr(ret, scope, 2))], None))
            call = ("call", name, [("bin", "-", ("var", "n"), ("int", ch.r(1, 2)))] +
                    [self.expr(t, scope, 1) for t in extra])
            body.append(("return", self.combine(call, ret, scope)))
        self.leave_body()
        self.funcs[name] = sig
        self.prog.functions[name] = (params, body)

    def kind_switch_function(self, name: str) -> None:
        """A function whose result kind depends on its argument."""
        ch = self.ch
        sig = Sig(["int"], "any", self.next_order())
        scope = Scope()
        scope.vars["n"] = "int"
        self.enter_body(None, sig, (name, None))
        kinds = ["int", "str", "null", "bool", "arr:any"] + ([] if self.oracle else ["float", "float"])
        body: list = []
        k = ch.r(2, 4)
        for i in range(k - 1):
            t = ch.pick(kinds)
            body.append(("if", ("bin", "==", ("bin", "%", ("var", "n"), ("int", k)), ("int", i)),
                         [("return", self.value_of(t, scope))], None))
        if not self.oracle and ch.chance(20):
            body.append(("if", ("bin", ">", ("var", "n"), ("int", ch.r(5, 20))),
                         [("throw", ("bin", "+", ("str", "big "), ("var", "n")))], None))
        body.append(("return", self.value_of(ch.pick(kinds), scope)))
        self.leave_body()
        self.funcs[name] = sig
        self.prog.functions[name] = (["n"], body)

    def enter_body(self, box: str | None, sig: Sig, what: tuple) -> None:
        self._saved = getattr(self, "_saved", [])
        self._saved.append((self.cur_box, self.cur_order, self.ret_type, self.loop_depth,
                            self.try_depth, self.in_handler, self.cur_callable))
        self.cur_box, self.cur_order, self.ret_type = box, sig.order, sig.ret
        self.loop_depth = self.try_depth = self.in_handler = 0
        self.cur_callable = what

    def leave_body(self) -> None:
        (self.cur_box, self.cur_order, self.ret_type, self.loop_depth, self.try_depth,
         self.in_handler, self.cur_callable) = self._saved.pop()

    def returns(self, ret: str, scope: Scope) -> list:
        """The end of a body: one return, or (kind ``any``) different kinds per path."""
        ch = self.ch
        if ret == "any" and ch.chance(60):
            cond = self.expr("bool", scope, 2, pure=True)
            return [("if", cond, [("return", self.value_of(ch.pick(["int", "str", "null", "arr:any"]), scope))], None),
                    ("return", self.value_of(ch.pick(["int", "str", "bool"] + ([] if self.oracle else ["float"])), scope))]
        return [("return", self.expr(ret, scope, 2))]

    def combine(self, call: tuple, ret: str, scope: Scope) -> tuple:
        """A use of a recursive/parent call's result that keeps its kind."""
        ch = self.ch
        if ret == "int":
            return ("bin", ch.pick(["+", "-", "*"]), call, self.expr("int", scope, 1, pure=True))
        if ret == "str":
            return ("bin", "+", call, self.expr(ch.pick(SCALARS), scope, 1, pure=True))
        if ret == "float":
            return ("bin", ch.pick(["+", "*"]), call, self.expr("float", scope, 1, pure=True))
        return call

    # ---- statements -------------------------------------------------------------------
    def stmts(self, scope: Scope, n: int, depth: int) -> list:
        out: list = []
        for _ in range(n):
            out += self.stmt(scope, depth)
        return out

    def stmt(self, scope: Scope, depth: int) -> list:
        ch = self.ch
        roll = ch.r(0, 99)
        if roll < 18:
            return [self.local_stmt(scope)]
        if roll < 28:
            s = self.assign_stmt(scope)
            if s is not None:
                return [s]
        if roll < 38:
            return [("print", self.printable(scope))]
        if roll < 46 and depth < 3:
            cond = self.expr("bool", scope, 2)
            then = self.stmts(scope.child(), ch.r(1, 3), depth + 1)
            orelse = self.stmts(scope.child(), ch.r(1, 2), depth + 1) if ch.chance(40) else None
            return [("if", cond, then, orelse)]
        if roll < 53 and depth < 3 and self.loop_depth < 2:
            return self.loop_stmt(scope, depth)
        if roll < 57 and depth < 3 and self.in_handler == 0:
            return [self.try_stmt(scope, depth)]
        if roll < 60 and self.loop_depth > 0:
            return [("if", self.expr("bool", scope, 1), [("break",)], None)]
        if roll < 63 and self.ret_type is not None and depth > 1 and self.in_handler == 0:
            return [("if", self.expr("bool", scope, 1),
                     [("return", self.expr(self.ret_type, scope, 1))], None)]
        if roll < 66:
            t = self.throw_stmt(scope)
            if t is not None:
                return [("if", self.expr("bool", scope, 1, pure=True), [t], None)]
        if roll < 74:
            s = self.field_stmt(scope)
            if s is not None:
                return [s]
        return [self.effect_stmt(scope)]

    def throw_stmt(self, scope: Scope) -> tuple | None:
        if self.in_handler:
            return None
        if self.oracle and self.try_depth == 0:
            return None  # upstream ignores throws outside a try body of the same function
        if self.cur_callable is None and self.try_depth == 0 and not self.ch.chance(10):
            return None  # an uncaught throw ends the program: rare at top level
        ch = self.ch
        if ch.chance(30) and not self.oracle:
            return ("throw", ("newerr", self.expr("str", scope, 1)))
        return ("throw", self.expr(ch.pick(["str", "int"]), scope, 1))

    def local_stmt(self, scope: Scope) -> tuple:
        ch = self.ch
        kinds = ["int", "int", "str", "str", "bool", "arr:int", "arr:any", "arr:str", "map:any", "any", "inst"]
        if not self.oracle:
            kinds += ["float"]
        t = ch.pick(kinds)
        name = self.fresh("v")
        if t == "inst":
            box = ch.pick(list(self.boxes))
            e = self.new_inst(box, scope)
            t = "inst:" + box
        elif is_arr(t) and ch.chance(70):
            e = ("newarr",)
        elif is_map(t):
            e = ("newmap",)
        else:
            e = self.expr(t, scope, 3)
        scope.vars[name] = t
        return ("local", name, e)

    def new_inst(self, box: str, scope: Scope) -> tuple:
        args = [self.expr(t, scope, 1, pure=self.oracle) for t in self.boxes[box].birth]
        return ("new", box, args)

    def assign_stmt(self, scope: Scope) -> tuple | None:
        ch = self.ch
        names = [n for n in scope.all() if not scope.is_fixed(n)]
        if not names:
            return None
        name = ch.pick(names)
        t = scope.all()[name]
        if ch.chance(15) and (self.loop_depth == 0 or t == "any"):
            # the variable's kind changes
            new_t = ch.pick(["int", "str", "null", "arr:any", "bool"] + ([] if self.oracle else ["float"]))
            scope.retype(name, "any")
            return ("assign", name, self.value_of(new_t, scope))
        if is_inst(t):
            if ch.chance(30):
                return ("assign", name, self.new_inst(t[5:], scope))
            others = [n for n in scope.typed(t) if n != name]
            if others:
                return ("assign", name, ("var", ch.pick(others)))
            return None
        if is_arr(t) or is_map(t):
            others = [n for n in scope.typed(t) if n != name]
            if others and ch.chance(50):
                return ("assign", name, ("var", ch.pick(others)))
            return ("assign", name, ("newarr",) if is_arr(t) else ("newmap",))
        return ("assign", name, self.expr(t, scope, 3))

    def value_of(self, t: str, scope: Scope) -> tuple:
        if t == "null":
            return ("null",)
        if is_arr(t):
            return self.array_literal(scope)
        return self.expr(t, scope, 2)

    def array_literal(self, scope: Scope) -> tuple:
        """An expression making a fresh array with some elements: via split."""
        ch = self.ch
        return ("mcall", ("str", ch.pick(["a,b,c", "1,2", "x", "", "3,1,2"])), "split", [("str", ",")])

    def loop_stmt(self, scope: Scope, depth: int) -> list:
        ch = self.ch
        name = self.fresh("i")
        limit = ch.r(0, 6)
        scope.vars[name] = "int"
        scope.fixed.add(name)
        inner = scope.child()
        self.loop_depth += 1
        body = [("assign", name, ("bin", "+", ("var", name), ("int", 1)))]
        if ch.chance(50):
            body = self.stmts(inner, ch.r(1, 3), depth + 1) + body
        else:
            body += self.stmts(inner, ch.r(1, 3), depth + 1)
        self.loop_depth -= 1
        return [("local", name, ("int", 0)), ("loop", ("bin", "<", ("var", name), ("int", limit)), body)]

    def try_stmt(self, scope: Scope, depth: int) -> tuple:
        ch = self.ch
        self.try_depth += 1
        body = self.stmts(scope.child(), ch.r(1, 3), depth + 1)
        if ch.chance(40):
            t = self.throw_stmt(scope)
            if t is not None:
                body.append(("if", self.expr("bool", scope, 1, pure=True), [t], None))
        self.try_depth -= 1
        self.in_handler += 1
        var = self.fresh("e")
        handler: list | None = [("print", ("str", "c" + var))]
        if not self.oracle and ch.chance(60):
            handler = [("print", ("bin", "+", ("str", "caught "), ("var", var)))]
        hscope = scope.child()
        if ch.chance(40):
            handler += self.stmts(hscope, 1, depth + 1)
        final = None
        if ch.chance(35):
            # oracle mode: one statement (after a break or return in the body, upstream's
            # finally runs only its first statement; section 8 runs all of them)
            final = [("print", ("str", "fin"))] + (self.stmts(scope.child(), 1, depth + 1)
                                                   if ch.chance(30) and not self.oracle else [])
        if self.oracle and final is not None and handler is not None:
            # an error raised by the catch body skips upstream's finally (section 8 runs it)
            handler = handler[:1]
        if final is not None and ch.chance(25) and not self.oracle:
            # try/finally without catch: upstream drops the exception (spec section 11 row 4)
            handler = None
        self.in_handler -= 1
        return ("try", body, var if handler is not None else None, handler, final)

    def field_stmt(self, scope: Scope) -> tuple | None:
        ch = self.ch
        targets: list[tuple[tuple, str, str]] = []
        if self.cur_box is not None:
            for f, t in self.all_fields(self.cur_box).items():
                targets.append((("me",), f, t))
        for n, t in scope.all().items():
            if is_inst(t):
                for f, ft in self.all_fields(t[5:]).items():
                    targets.append((("var", n), f, ft))
        if not targets:
            return None
        obj, f, t = ch.pick(targets)
        if ch.chance(8):
            return ("setfield", obj, f, ("null",))  # a field that becomes null
        if t == "any":
            return ("setfield", obj, f, self.any_value(scope))
        if is_arr(t) or is_map(t):
            same = scope.typed(t)
            if same and ch.chance(60):
                return ("setfield", obj, f, ("var", ch.pick(same)))  # aliasing
            others = self.field_reads(scope, t)
            if others and ch.chance(50):
                return ("setfield", obj, f, ch.pick(others))
            return ("setfield", obj, f, ("newarr",) if is_arr(t) else ("newmap",))
        return ("setfield", obj, f, self.expr(t, scope, 2))

    def any_value(self, scope: Scope) -> tuple:
        ch = self.ch
        t = ch.pick(["int", "str", "any", "arr:any", "bool", "null"] + ([] if self.oracle else ["float"]))
        insts = scope.of(is_inst)
        if insts and ch.chance(15):
            return ("var", ch.pick(insts))
        return self.value_of(t, scope)

    def field_reads(self, scope: Scope, t: str) -> list[tuple]:
        out: list[tuple] = []
        if self.cur_box is not None:
            out += [("field", ("me",), f) for f, ft in self.all_fields(self.cur_box).items() if ft == t]
        for n, nt in scope.all().items():
            if is_inst(nt):
                out += [("field", ("var", n), f) for f, ft in self.all_fields(nt[5:]).items() if ft == t]
        return out

    def effect_stmt(self, scope: Scope) -> tuple:
        ch = self.ch
        arrs = self.readable(scope, is_arr)
        maps = self.readable(scope, is_map)
        insts = [n for n in scope.of(is_inst) if self.callable_methods(scope.all()[n][5:])]
        options = ["print"]
        if arrs:
            options += ["push", "push", "push", "aset", "pop", "remove", "sort", "reverse", "clear", "print_arr"]
        if maps:
            options += ["mset", "mset", "mdelete", "mkeys"]
        if insts:
            options += ["icall", "icall", "icall"]
        if self.cur_box is not None and self.callable_methods(self.cur_box):
            options += ["mecall"]
        if self.funcs_callable():
            options += ["fcall"]
        what = ch.pick(options)
        if what in ("push", "aset", "pop", "remove", "sort", "reverse", "clear", "print_arr"):
            a, t = ch.pick(arrs)
            if what == "push":
                return ("expr", ("mcall", a, "push", [self.elem_value(t, scope)]))
            if what == "aset":
                return ("expr", ("mcall", a, "set", [self.index(scope), self.elem_value(t, scope)]))
            if what == "pop":
                return ("print", ("mcall", a, "pop", []))
            if what == "remove":
                return ("print", ("mcall", a, "remove", [self.index(scope)]))
            if what == "sort":
                if self.oracle and elem(t) == "any":
                    return ("print", a)
                return ("print", ("mcall", a, "sort", []))
            if what == "clear" and ch.chance(70):
                return ("print", ("mcall", a, "length", []))
            return ("print", ("mcall", a, what, []) if what in ("reverse", "clear") else a)
        if what in ("mset", "mdelete", "mkeys"):
            m, t = ch.pick(maps)
            if what == "mset":
                return ("print", ("mcall", m, "set", [self.map_key(scope), self.elem_value(t, scope)]))
            if what == "mdelete":
                return ("print", ("mcall", m, "delete", [self.map_key(scope)]))
            keys = ("mcall", m, "keys", [])
            if self.oracle:
                tmp = self.fresh("ks")
                return ("if", ("bool", True), [("local", tmp, keys),
                                               ("expr", ("mcall", ("var", tmp), "sort", [])),
                                               ("print", ("var", tmp))], None)
            return ("print", keys if ch.chance(50) else ("mcall", m, "values", []))
        if what == "icall":
            n = ch.pick(insts)
            return ("expr", self.method_call(("var", n), scope.all()[n][5:], scope, 2)) if ch.chance(40) else \
                ("print", self.method_call(("var", n), scope.all()[n][5:], scope, 2))
        if what == "mecall":
            return ("print", self.method_call(("me",), self.cur_box, scope, 2))
        if what == "fcall":
            return ("print", self.func_call(ch.pick(self.funcs_callable()), scope, 2))
        return ("print", self.printable(scope))

    def readable(self, scope: Scope, pred) -> list[tuple[tuple, str]]:
        """Collections reachable here: variables and fields of kind pred."""
        out = [(("var", n), t) for n, t in scope.all().items() if pred(t)]
        if self.cur_box is not None:
            out += [(("field", ("me",), f), t) for f, t in self.all_fields(self.cur_box).items() if pred(t)]
        for n, nt in scope.all().items():
            if is_inst(nt) and self.ch.chance(50):
                out += [(("field", ("var", n), f), t) for f, t in self.all_fields(nt[5:]).items() if pred(t)]
        return out

    def elem_value(self, t: str, scope: Scope) -> tuple:
        e = elem(t)
        if e == "any":
            return self.any_value(scope)
        if self.ch.chance(5):
            return self.any_value(scope)  # the element kind changes
        return self.expr(e, scope, 2)

    def index(self, scope: Scope) -> tuple:
        ints = scope.typed("int")
        if ints and self.ch.chance(30):
            return ("var", self.ch.pick(ints))
        return ("int", self.ch.r(-1, 4))

    def map_key(self, scope: Scope) -> tuple:
        if self.ch.chance(50):
            return ("str", self.ch.pick(KEYS_STR))
        if self.ch.chance(20):
            ints = scope.typed("int")
            if ints:
                return ("var", self.ch.pick(ints))
        return ("int", self.ch.r(0, 10))

    def funcs_callable(self) -> list[str]:
        return [f for f, s in self.funcs.items() if s.order < self.cur_order]

    def method_call(self, obj: tuple, box: str, scope: Scope, d: int, ret: str | None = None) -> tuple:
        methods = self.callable_methods(box) if obj != ("me",) else \
            {m: s for m, s in self.all_methods(box).items() if s.order < self.cur_order}
        if ret is not None:
            methods = {m: s for m, s in methods.items() if s.ret == ret}
        m = self.ch.pick(list(methods))
        args = [self.arg(t, scope, d) for t in methods[m].params]
        return ("mcall", obj, m, args)

    def func_call(self, name: str, scope: Scope, d: int) -> tuple:
        sig = self.funcs[name]
        args = [self.arg(t, scope, d) for t in sig.params]
        if sig.params and sig.params[0] == "int" and name in self.prog.functions and \
                self.prog.functions[name][0][:1] == ["n"]:
            args[0] = ("int", self.ch.r(0, 6))
        return ("call", name, args)

    def arg(self, t: str, scope: Scope, d: int) -> tuple:
        e = self.expr(t, scope, min(d, 1), pure=self.oracle) if not is_arr(t) else self.arr_expr(scope)
        if self.oracle and e[0] == "new":
            return ("null",)
        return e

    def arr_expr(self, scope: Scope) -> tuple:
        arrs = self.readable(scope, is_arr)
        if arrs and self.ch.chance(80):
            return self.ch.pick(arrs)[0]
        return self.array_literal(scope)

    # ---- expressions -------------------------------------------------------------------
    def printable(self, scope: Scope) -> tuple:
        ch = self.ch
        colls = self.readable(scope, lambda t: is_arr(t) or is_map(t))
        if colls and ch.chance(25):
            return ch.pick(colls)[0]
        return self.expr(ch.pick(["int", "str", "bool", "any", "any"] + ([] if self.oracle else ["float"])), scope, 3)

    def literal(self, t: str) -> tuple:
        ch = self.ch
        if t == "int":
            # upstream cannot even tokenize the literal -9223372036854775808
            edges = INT_EDGES[2:] + [INT_EDGES[0]] if self.oracle else INT_EDGES
            return ("int", ch.pick(edges) if ch.chance(10) else ch.pick(INTS) if ch.chance(60) else ch.r(-5, 50))
        if t == "float":
            return ("float", ch.pick(self.float_values()))
        if t == "str":
            return ("str", ch.pick(STRINGS))
        if t == "bool":
            return ("bool", ch.chance(50))
        return ("null",)

    def sources(self, t: str, scope: Scope, d: int, pure: bool) -> list[tuple]:
        """Expressions that read a value of kind t from names, fields and calls."""
        out: list[tuple] = [("var", n) for n in scope.typed(t)]
        out += self.field_reads(scope, t)
        if not pure and d > 0:
            for n, nt in scope.all().items():
                if is_inst(nt):
                    ms = [m for m, s in self.callable_methods(nt[5:]).items() if s.ret == t]
                    if ms:
                        out.append(self.method_call(("var", n), nt[5:], scope, d - 1, ret=t))
            if self.cur_box is not None:
                ms = {m: s for m, s in self.all_methods(self.cur_box).items()
                      if s.order < self.cur_order and s.ret == t}
                if ms:
                    out.append(self.method_call(("me",), self.cur_box, scope, d - 1, ret=t))
            for f in self.funcs_callable():
                if self.funcs[f].ret == t:
                    out.append(self.func_call(f, scope, d - 1))
        return out

    def expr(self, t: str, scope: Scope, d: int, pure: bool = False) -> tuple:
        """An expression of kind t (best effort: runtime kinds may differ, which the
        reference evaluator judges like any other behaviour)."""
        ch = self.ch
        if is_arr(t):
            return self.arr_expr(scope)
        if is_map(t) or is_inst(t):
            names = self.sources(t, scope, 0, True)
            return ch.pick(names) if names else ("null",)
        if t == "any":
            return self.any_expr(scope, d, pure)
        if t == "null":
            return ("null",)
        srcs = self.sources(t, scope, d, pure)
        if d <= 0 or ch.chance(30):
            if srcs and ch.chance(65):
                return ch.pick(srcs)
            return self.literal(t)
        if srcs and ch.chance(20):
            return ch.pick(srcs)
        return {"int": self.int_expr, "str": self.str_expr, "bool": self.bool_expr,
                "float": self.float_expr}[t](scope, d - 1, pure)

    def int_expr(self, scope: Scope, d: int, pure: bool) -> tuple:
        ch = self.ch
        roll = ch.r(0, 99)
        if roll < 40:
            return ("bin", ch.pick(["+", "-", "*"]), self.expr("int", scope, d, pure), self.expr("int", scope, d, pure))
        if roll < 52 and not pure:
            divs = [1, 2, 3, -3, 7, 10] if self.oracle else [1, 2, 3, -3, 7, -1, 10, 0]
            divisor = self.expr("int", scope, d) if ch.chance(20) and not self.oracle else ("int", ch.pick(divs))
            return ("bin", ch.pick(["/", "%"]), self.expr("int", scope, d, pure), divisor)
        if roll < 58:
            return ("neg", self.expr("int", scope, d, pure))
        if roll < 66:
            return ("mcall", self.expr("str", scope, d, pure), "length", [])
        if roll < 70:
            return ("mcall", self.expr("str", scope, d, pure), "find", [self.expr("str", scope, d, pure)])
        arrs = self.readable(scope, is_arr)
        maps = self.readable(scope, is_map)
        if roll < 82 and arrs:
            a, at = ch.pick(arrs)
            if elem(at) == "int" and not pure and ch.chance(60):
                return ("mcall", a, "get", [self.index(scope)])  # typed read (may be null)
            if ch.chance(70):
                return ("mcall", a, "length", [])
            # pure (oracle mode: a constructor argument, evaluated twice upstream, spec
            # section 11 row 20): no call in the searched value
            return ("mcall", a, "indexOf", [self.elem_value(at, scope) if not pure else self.literal("int")])
        if roll < 88 and maps:
            return ("mcall", ch.pick(maps)[0], "size", [])
        if roll < 94:
            return ("mcall", self.expr("str", scope, d, pure), "toInteger", [])
        return self.literal("int")

    def float_expr(self, scope: Scope, d: int, pure: bool) -> tuple:
        ch = self.ch
        roll = ch.r(0, 99)
        if roll < 50:
            a, b = self.expr("float", scope, d, pure), self.expr(ch.pick(["float", "int"]), scope, d, pure)
            if ch.chance(50):
                a, b = b, a
            return ("bin", ch.pick(["+", "-", "*", "/", "%"]), a, b)
        if roll < 65:
            return ("neg", self.expr("float", scope, d, pure))
        if roll < 80:
            return ("bin", "*", self.expr("int", scope, d, pure), ("float", 1.5))
        return self.literal("float")

    def str_expr(self, scope: Scope, d: int, pure: bool) -> tuple:
        ch = self.ch
        roll = ch.r(0, 99)
        if roll < 40:
            right = self.expr(ch.pick(["int", "str", "str", "bool", "any"] + ([] if self.oracle else ["float"])), scope, d, pure)
            return ("bin", "+", self.expr("str", scope, d, pure), right)
        if roll < 46:
            return ("bin", "*", self.expr("str", scope, d, pure), ("int", ch.r(0 if self.oracle else -1, 3)))
        if roll < 54:
            return ("mcall", self.expr("str", scope, d, pure), ch.pick(["toUpper", "toLower", "trim"]), [])
        if roll < 62:
            return ("mcall", self.expr("str", scope, d, pure), "substring", [("int", ch.r(0, 3)), ("int", ch.r(0, 6))])
        if roll < 68:
            return ("mcall", self.expr("str", scope, d, pure), "replace",
                    [("str", ch.pick(["a", "b", ",", " "] + ([] if self.oracle else ["1"]))),
                     self.expr("str", scope, 0, pure)])
        arrs = self.readable(scope, is_arr)
        if roll < 76 and arrs:
            a, at = ch.pick(arrs)
            if elem(at) == "str" and not pure and ch.chance(50):
                return ("mcall", a, "get", [self.index(scope)])
            return ("mcall", a, "join", [("str", ch.pick([", ", "-", ""]))])
        maps = self.readable(scope, is_map)
        if roll < 82 and maps:
            return ("bin", "+", ("str", ""), ("mcall", ch.pick(maps)[0], "get", [self.map_key(scope)]))
        if roll < 90:
            return ("bin", "+", ("str", ch.pick(["", "v=", "<"])), self.any_expr(scope, d, pure))
        if roll < 95:
            return ("mcall", self.expr("int", scope, d, pure), "toString", [])
        return self.literal("str")

    def bool_expr(self, scope: Scope, d: int, pure: bool) -> tuple:
        ch = self.ch
        roll = ch.r(0, 99)
        if roll < 35:
            t = ch.pick(["int", "int", "str"] + ([] if self.oracle else ["float"]))
            u = t if ch.chance(85) or self.oracle else ch.pick(["int", "float"])
            return ("bin", ch.pick(COMPARE), self.expr(t, scope, d, pure), self.expr(u, scope, d, pure))
        if roll < 45:
            # equality with a value of unknown kind
            other = self.literal(ch.pick(["str", "bool", "null"] if self.oracle else ["int", "str", "null", "float"]))
            return ("bin", ch.pick(["==", "!="]), self.any_expr(scope, d, pure), other)
        if roll < 65:
            sub = self.oracle or pure
            left = self.expr(ch.pick(["bool", "int", "str"]), scope, d, sub)
            rt = ch.pick(["bool", "int", "str"])
            if self.oracle:
                # upstream evaluates both operands (spec row 19): the right one must not
                # fail either (a method call on a null field did): a local or a literal
                names = scope.typed(rt)
                right = ("var", ch.pick(names)) if names and ch.chance(50) else self.literal(rt)
            else:
                right = self.expr(rt, scope, d, sub)
            return ("bin", ch.pick(["and", "or"]), left, right)
        if roll < 75:
            return ("not", self.expr(ch.pick(["bool", "int", "str"]), scope, d, pure))
        arrs = self.readable(scope, is_arr)
        maps = self.readable(scope, is_map)
        if roll < 85 and arrs:
            a, at = ch.pick(arrs)
            if ch.chance(30):
                return ("mcall", a, "isEmpty", [])
            return ("mcall", a, "contains", [self.elem_value(at, scope) if not pure else self.literal("int")])
        if roll < 95 and maps:
            return ("mcall", ch.pick(maps)[0], "has", [self.map_key(scope)])
        return self.literal("bool")

    def any_expr(self, scope: Scope, d: int, pure: bool) -> tuple:
        """A value of unknown kind: collection reads, any-kinded names, fields, calls."""
        ch = self.ch
        roll = ch.r(0, 99)
        srcs = self.sources("any", scope, d, pure)
        if roll < 35 and srcs:
            return ch.pick(srcs)
        arrs = self.readable(scope, is_arr)
        if roll < 55 and arrs:
            return ("mcall", ch.pick(arrs)[0], "get", [self.index(scope)])
        maps = self.readable(scope, is_map)
        if roll < 70 and maps:
            return ("mcall", ch.pick(maps)[0], "get", [self.map_key(scope)])
        if roll < 75:
            return ("null",)
        if roll < 85 and not pure:
            fs = [f for f in self.funcs_callable() if self.funcs[f].ret == "any"]
            if fs:
                return self.func_call(ch.pick(fs), scope, d)
        return self.expr(ch.pick(["int", "str", "bool"] + ([] if self.oracle else ["float"])), scope, max(d - 1, 0), pure)

    # ---- templates: realistic shapes the random statements rarely hit ------------------
    def template(self, scope: Scope) -> list:
        ch = self.ch
        return ch.pick([self.t_kind_change_array, self.t_alias_fields, self.t_linked_list,
                        self.t_map_churn, self.t_string_builder, self.t_mixed_sort,
                        self.t_instances_in_collections, self.t_overflow])(scope)

    def t_kind_change_array(self, scope: Scope) -> list:
        """An array of ints summed, then a string pushed; the same loop again."""
        ch = self.ch
        a, s, i = self.fresh("ka"), self.fresh("sum"), self.fresh("i")
        n = ch.r(1, 5)
        out = [("local", a, ("newarr",)), ("local", i, ("int", 0)),
               ("loop", ("bin", "<", ("var", i), ("int", n)),
                [("expr", ("mcall", ("var", a), "push", [("bin", "*", ("var", i), ("int", ch.r(1, 9)))])),
                 ("assign", i, ("bin", "+", ("var", i), ("int", 1)))])]
        loop = [("local", s, ("int", 0)), ("assign", i, ("int", 0)),
                ("loop", ("bin", "<", ("var", i), ("mcall", ("var", a), "length", [])),
                 [("assign", s, ("bin", "+", ("var", s), ("mcall", ("var", a), "get", [("var", i)]))),
                  ("assign", i, ("bin", "+", ("var", i), ("int", 1)))]),
                ("print", ("var", s))]
        out += loop
        change = ch.pick([("str", "7"), ("null",), ("int", 3)] + ([] if self.oracle else [("float", 2.5)]))
        where = ch.r(0, 2)
        if where == 0:
            out.append(("expr", ("mcall", ("var", a), "push", [change])))
        else:
            out.append(("expr", ("mcall", ("var", a), "set", [("int", ch.r(0, n)), change])))
        out.append(self.wrap_try(loop, scope))
        out.append(("print", ("var", a)))
        scope.vars[a] = "arr:any"
        scope.vars[s] = "any"
        scope.vars[i] = "int"
        return out

    def t_alias_fields(self, scope: Scope) -> list:
        """One array in two fields of two instances; mutation through one seen through
        the other; the container replaced while a value read from it is still held."""
        boxes = [b for b in self.boxes if any(is_arr(t) for t in self.all_fields(b).values())]
        if not boxes:
            return []
        ch = self.ch
        b = ch.pick(boxes)
        f = ch.pick([f for f, t in self.all_fields(b).items() if is_arr(t)])
        x, y, held = self.fresh("o"), self.fresh("o"), self.fresh("h")
        out = [("local", x, self.new_inst(b, scope)), ("local", y, self.new_inst(b, scope)),
               ("expr", ("mcall", ("field", ("var", x), f), "push", [self.literal("int")])),
               ("expr", ("mcall", ("field", ("var", x), f), "push", [self.literal("str")])),
               ("setfield", ("var", y), f, ("field", ("var", x), f)),
               ("expr", ("mcall", ("field", ("var", y), f), "push", [self.literal("int")])),
               ("print", ("field", ("var", x), f)),
               ("local", held, ("mcall", ("field", ("var", x), f), "get", [("int", 1)])),
               ("setfield", ("var", x), f, ("newarr",)),
               ("print", ("var", held)),
               ("print", ("field", ("var", y), f)),
               ("print", ("mcall", ("field", ("var", x), f), "length", []))]
        scope.vars[x] = scope.vars[y] = "inst:" + b
        scope.vars[held] = "any"
        return out

    def t_linked_list(self, scope: Scope) -> list:
        """A chain of instances through an ``any`` field; walked, cut and dropped."""
        boxes = [b for b in self.boxes if "any" in self.all_fields(b).values()]
        if not boxes:
            return []
        ch = self.ch
        b = ch.pick(boxes)
        f = ch.pick([f for f, t in self.all_fields(b).items() if t == "any"])
        head, node, i, cnt = self.fresh("head"), self.fresh("nd"), self.fresh("i"), self.fresh("cnt")
        n = ch.r(2, 12)
        out = [("local", head, ("null",)), ("local", i, ("int", 0)),
               ("loop", ("bin", "<", ("var", i), ("int", n)),
                [("local", node, self.new_inst(b, scope)),
                 ("setfield", ("var", node), f, ("var", head)),
                 ("assign", head, ("var", node)),
                 ("assign", i, ("bin", "+", ("var", i), ("int", 1)))]),
               ("local", cnt, ("int", 0)), ("local", node, ("var", head)),
               ("loop", ("bin", "!=", ("var", node), ("null",)),
                [("assign", cnt, ("bin", "+", ("var", cnt), ("int", 1))),
                 ("assign", node, ("field", ("var", node), f))]),
               ("print", ("var", cnt))]
        keep = self.fresh("keep")
        out += [("local", keep, ("field", ("var", head), f)), ("assign", head, ("null",)),
                ("assign", cnt, ("int", 0)), ("assign", node, ("var", keep)),
                ("loop", ("bin", "!=", ("var", node), ("null",)),
                 [("assign", cnt, ("bin", "+", ("var", cnt), ("int", 1))),
                  ("assign", node, ("field", ("var", node), f))]),
                ("print", ("var", cnt))]
        for v in (head, node, keep):
            scope.vars[v] = "any"
        scope.vars[i] = scope.vars[cnt] = "int"
        return out

    def t_map_churn(self, scope: Scope) -> list:
        """Int and string keys that look alike; many deletes and re-inserts."""
        ch = self.ch
        m, i = self.fresh("mm"), self.fresh("i")
        n = ch.r(3, 40)
        k1, k2 = ch.r(2, 5), ch.r(2, 7)
        out = [("local", m, ("newmap",)), ("local", i, ("int", 0)),
               ("loop", ("bin", "<", ("var", i), ("int", n)),
                [("expr", ("mcall", ("var", m), "set", [("var", i), ("bin", "*", ("var", i), ("int", 10))])),
                 ("expr", ("mcall", ("var", m), "set", [("bin", "+", ("str", ""), ("var", i)),
                                                        ("bin", "+", ("str", "s"), ("var", i))])),
                 ("if", ("bin", "==", ("bin", "%", ("var", i), ("int", k1)), ("int", 0)),
                  [("expr", ("mcall", ("var", m), "delete", [("var", i)]))], None),
                 ("if", ("bin", "==", ("bin", "%", ("var", i), ("int", k2)), ("int", 1)),
                  [("expr", ("mcall", ("var", m), "delete", [("bin", "+", ("str", ""), ("var", i))])),
                   ("expr", ("mcall", ("var", m), "set", [("bin", "+", ("str", ""), ("var", i)), ("bool", True)]))], None),
                 ("assign", i, ("bin", "+", ("var", i), ("int", 1)))]),
               ("print", ("mcall", ("var", m), "size", []))]
        for key in [("int", ch.r(0, n)), ("str", str(ch.r(0, n))), ("int", k1), ("str", "1")]:
            out.append(("print", ("mcall", ("var", m), "get", [key])))
            out.append(("print", ("mcall", ("var", m), "has", [key])))
        if not self.oracle:
            out.append(("print", ("mcall", ("var", m), "keys", [])))
            out.append(("print", ("mcall", ("var", m), "values", [])))
        scope.vars[m] = "map:any"
        scope.vars[i] = "int"
        return out

    def t_string_builder(self, scope: Scope) -> list:
        ch = self.ch
        s, i = self.fresh("sb"), self.fresh("i")
        n = ch.r(0, 30)
        piece = ch.pick([("var", i), ("str", "ab"), ("bin", "%", ("var", i), ("int", 3)),
                         ("bin", "*", ("str", "-"), ("bin", "%", ("var", i), ("int", 4)))])
        out = [("local", s, ("str", ch.pick(["", "start:"]))), ("local", i, ("int", 0)),
               ("loop", ("bool", True),
                [("if", ("bin", ">=", ("var", i), ("int", n)), [("break",)], None),
                 ("assign", s, ("bin", "+", ("var", s), piece)),
                 ("if", ("bin", "==", ("bin", "%", ("var", i), ("int", 5)), ("int", 4)),
                  [("assign", s, ("bin", "+", ("var", s), ("str", ",")))], None),
                 ("assign", i, ("bin", "+", ("var", i), ("int", 1)))]),
               ("print", ("var", s)), ("print", ("mcall", ("var", s), "length", []))]
        if ch.chance(50):
            parts = self.fresh("parts")
            out += [("local", parts, ("mcall", ("var", s), "split", [("str", ",")])),
                    ("print", ("mcall", ("var", parts), "length", [])),
                    ("print", ("mcall", ("var", parts), "join", [("str", "|")]))]
            scope.vars[parts] = "arr:str"
        scope.vars[s] = "str"
        scope.vars[i] = "int"
        return out

    def t_mixed_sort(self, scope: Scope) -> list:
        ch = self.ch
        a = self.fresh("ms")
        pool = [("int", 3), ("int", -2), ("int", 10), ("str", "b"), ("str", "10"), ("str", "apple"),
                ("str", "9"), ("int", 0), ("str", "")]
        if not self.oracle:
            pool += [("float", 1.5), ("float", 2.0), ("bool", True), ("null",), ("float", -0.5)]
        out = [("local", a, ("newarr",))]
        for _ in range(ch.r(0, 8)):
            out.append(("expr", ("mcall", ("var", a), "push", [ch.pick(pool)])))
        out += [("expr", ("mcall", ("var", a), "sort", [])), ("print", ("var", a))]
        if ch.chance(50):
            out += [("expr", ("mcall", ("var", a), "reverse", [])), ("print", ("var", a)),
                    ("print", ("mcall", ("var", a), "slice", [("int", 1), ("int", ch.r(1, 5))]))]
        scope.vars[a] = "arr:any"
        return out

    def t_instances_in_collections(self, scope: Scope) -> list:
        """Instances kept in an array and a map while their variables are dropped."""
        ch = self.ch
        b = ch.pick(list(self.boxes))
        a, m, o, i = self.fresh("objs"), self.fresh("byk"), self.fresh("o"), self.fresh("i")
        n = ch.r(1, 6)
        fields = self.all_fields(b)
        f = ch.pick(list(fields))
        out = [("local", a, ("newarr",)), ("local", m, ("newmap",)), ("local", i, ("int", 0)),
               ("loop", ("bin", "<", ("var", i), ("int", n)),
                [("local", o, self.new_inst(b, scope)),
                 ("expr", ("mcall", ("var", a), "push", [("var", o)])),
                 ("expr", ("mcall", ("var", m), "set", [("bin", "+", ("str", "k"), ("var", i)), ("var", o)])),
                 ("assign", o, ("null",)),
                 ("assign", i, ("bin", "+", ("var", i), ("int", 1)))]),
               ("expr", ("mcall", ("var", a), "pop", [])),
               ("print", ("mcall", ("var", a), "length", [])),
               ("local", o, ("mcall", ("var", m), "get", [("str", "k0")])),
               ("print", ("bin", "+", ("str", ""), ("field", ("var", o), f))),
               ("expr", ("mcall", ("var", m), "delete", [("str", "k0")])),
               ("print", ("bin", "+", ("str", ""), ("field", ("var", o), f)))]
        if ch.chance(50):
            out.append(("print", ("bin", "==", ("mcall", ("var", a), "get", [("int", 0)]), ("var", o))))
        scope.vars[a] = "arr:any"
        scope.vars[m] = "map:any"
        scope.vars[o] = "any"
        scope.vars[i] = "int"
        return out

    def t_overflow(self, scope: Scope) -> list:
        ch = self.ch
        x = self.fresh("big")
        out = [("local", x, self.literal("int") if ch.chance(30) else
                ("int", ch.pick(INT_EDGES if not self.oracle else [(1 << 63) - 1, 1 << 62, 3037000500])))]
        for _ in range(ch.r(2, 5)):
            op = ch.pick(["+", "-", "*", "/", "%"])
            rhs = ("int", ch.pick([1, 2, 3, 7, 1 << 32, (1 << 63) - 1] + ([] if self.oracle else [-1])))
            out.append(("assign", x, ("bin", op, ("var", x), rhs)))
            out.append(("print", ("var", x)))
        if not self.oracle:
            out.append(("print", ("bin", "+", ("var", x), ("float", 0.5))))
        scope.vars[x] = "int"
        return out


def generate(ch: Chooser, size: int = 12, oracle: bool = False) -> Program:
    return DynGen(ch, size, oracle).program()
