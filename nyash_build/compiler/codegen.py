"""Checked program + kinds -> wasm module IR (docs/design.md has the ABI).

Conventions that keep reference counting simple and cheap:
* an expression leaves its value on the wasm stack together with a flag saying
  whether the value is *owned* (+1) or *borrowed* (locals, literals, ``me``);
* callees borrow their arguments; a parameter that the body assigns is retained at
  entry so it can be released like any other local;
* every owned dynamic temporary is released right after its consumer ran;
* a function releases its dynamic locals once, in the epilogue after block ``$exit``.

Exceptions are a pending flag: after any call that may raise, ``br_if`` to the
innermost handler of the function (a ``try`` block) or to ``$exit``.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache

from . import ast as A
from .infer import _METHOD_RESULTS, Inference, SCALAR, binary_kind, storage
from .program import CATCH_ALL_TYPES, CTOR_NAMES, Body, ProgramInfo
from ..diagnostics import Diagnostic
from ..wasm.module import Data, Func, Global, Import, Memory, Module

DATA_BASE = 0x30000
MAX_PAGES = 16384  # 1 GiB

T_VOID, T_NULL, T_BOOL, T_INT, T_FLOAT, T_STR, T_ARR, T_MAP, T_ERR, T_INST, T_CONSOLE, T_MATH, T_UNSET = range(13)

KIND_TAGS = {"str": T_STR, "arr": T_ARR, "map": T_MAP, "err": T_ERR, "console": T_CONSOLE,
             "math": T_MATH, "null": T_NULL, "void": T_VOID}
BUILTIN_KIND_NAMES = {T_STR: "String", T_INT: "Integer", T_FLOAT: "Float", T_BOOL: "Bool",
                      T_ARR: "Array", T_MAP: "Map", T_CONSOLE: "Console", T_MATH: "Math", T_ERR: "Error",
                      T_NULL: "Null"}
KIND_OF_STATIC = {"str": T_STR, "int": T_INT, "float": T_FLOAT, "bool": T_BOOL, "arr": T_ARR,
                  "map": T_MAP, "console": T_CONSOLE, "math": T_MATH, "err": T_ERR, "null": T_NULL}

# Runtime functions that never raise (no pending-exception check needed after them).
NON_RAISING = frozenset({
    "$retain", "$release", "$to_string", "$print_value", "$truthy", "$str_concat", "$arr_push_v",
    "$arr_len", "$arr_get_i", "$arr_new", "$map_new", "$err_new", "$inst_new", "$op_eq", "$kind_name",
    "$str_from_i64", "$str_from_f64", "$str_len", "$slot_set", "$extra_set", "$str_append",
    "$m_String_length", "$m_String_toString", "$m_Array_length", "$m_Array_push", "$m_Array_pop",
    "$m_Array_isEmpty", "$m_Array_clear", "$m_Array_toString", "$m_Map_size", "$m_Map_toString",
    "$m_Map_keys", "$m_Map_values", "$m_Map_isEmpty", "$m_Map_clear", "$m_Console_log",
    "$m_Console_warn", "$m_Console_error", "$m_Integer_toString", "$m_Bool_toString",
})


@dataclass
class Val:
    """What an expression left on the stack: its static kind, storage, ownership."""
    kind: str
    st: str          # "i64" | "f64" | "i32" | "dyn"
    owned: bool = False


class _Ctx:
    """An enclosing construct that break/return/exceptions must know about."""
    __slots__ = ("kind", "label", "saved", "final", "depth")

    def __init__(self, kind: str, label: str, saved: str | None = None,
                 final: list[A.Stmt] | None = None) -> None:
        self.kind = kind      # "loop" | "try" | "handler"
        self.label = label    # break label for loops, handler label for try
        self.saved = saved    # local holding the saved $try_depth (try)
        self.final = final    # finally statements (try)


def _wasm_params(st: str) -> list[str]:
    return ["i32", "i64"] if st == "dyn" else [st]


class ModuleGen:
    def __init__(self, info: ProgramInfo, inf: Inference, runtime: "RuntimeLib") -> None:
        self.info = info
        self.inf = inf
        self.rt = runtime
        self.data = bytearray()
        self.strings: dict[str, int] = {}
        self.funcs: list[Func] = []
        self.globals: list[Global] = []
        self.generated: set[str] = set()
        self.user_functions: dict[str, str] = {}
        self.warnings: list[Diagnostic] = []
        self.may_raise = self._may_raise_analysis()

    # ---- static data ---------------------------------------------------------------
    def string_lit(self, s: str) -> int:
        addr = self.strings.get(s)
        if addr is None:
            while len(self.data) % 8:
                self.data.append(0)
            addr = DATA_BASE + len(self.data)
            b = s.encode("utf-8")
            self.data += struct.pack("<Ii", 0x80000000, len(b)) + b
            self.strings[s] = addr
        return addr

    # ---- raise analysis ------------------------------------------------------------
    def _may_raise_analysis(self) -> dict[str, bool]:
        """Which functions can leave an exception pending (so callers must check)."""
        result = {b.name: False for b in self.info.function_bodies.values()}
        changed = True
        while changed:
            changed = False
            for b in self.info.function_bodies.values():
                if not result[b.name] and self._stmts_raise(b, b.stmts, result):
                    result[b.name] = True
                    changed = True
        return result

    def _stmts_raise(self, body: Body, stmts: list[A.Stmt], res: dict[str, bool]) -> bool:
        for s in stmts:
            if isinstance(s, A.Local):
                if any(init is not None and self._expr_raises(body, init, res) for _, init, _, _ in s.names):
                    return True
            elif isinstance(s, A.Assign):
                if not isinstance(s.target, A.Var) or self._expr_raises(body, s.value, res):
                    return True
            elif isinstance(s, A.If):
                if (self._expr_raises(body, s.cond, res) or self._stmts_raise(body, s.then, res)
                        or (s.orelse and self._stmts_raise(body, s.orelse, res))):
                    return True
            elif isinstance(s, A.Loop):
                if self._expr_raises(body, s.cond, res) or self._stmts_raise(body, s.body, res):
                    return True
            elif isinstance(s, (A.Return,)):
                if s.value is not None and self._expr_raises(body, s.value, res):
                    return True
            elif isinstance(s, A.Print):
                if self._expr_raises(body, s.value, res):
                    return True
            elif isinstance(s, A.ExprStmt):
                if self._expr_raises(body, s.expr, res):
                    return True
            elif isinstance(s, A.Break):
                pass
            else:
                return True
        return False

    def _expr_raises(self, body: Body, e: A.Expr, res: dict[str, bool]) -> bool:
        if id(e) in self.info.deferred:
            return True
        if isinstance(e, (A.IntLit, A.FloatLit, A.StrLit, A.BoolLit, A.NullLit, A.Me)):
            return False
        if isinstance(e, A.Var):
            return self.info.var_kind.get(id(e)) == "global"
        if isinstance(e, A.Binary):
            if self._expr_raises(body, e.left, res) or self._expr_raises(body, e.right, res):
                return True
            if e.op in ("and", "or", "==", "!="):
                return False
            lk = self._static_kind(body, e.left)
            rk = self._static_kind(body, e.right)
            if e.op in ("+", "-", "*", "<", ">", "<=", ">=") and lk in ("int", "float") and rk in ("int", "float"):
                return False
            if (e.op in ("/", "%") and lk == "int" and rk == "int" and isinstance(e.right, A.IntLit)
                    and e.right.value not in (0, -1)):
                return False
            return True
        if isinstance(e, A.Unary):
            if self._expr_raises(body, e.operand, res):
                return True
            return e.op == "-" and self._static_kind(body, e.operand) not in ("int", "float")
        if isinstance(e, A.Call):
            return res.get(f"fn:{e.name}", True) or any(self._expr_raises(body, a, res) for a in e.args)
        return True

    def _static_kind(self, body: Body, e: A.Expr) -> str:
        if isinstance(e, A.IntLit):
            return "int"
        if isinstance(e, A.FloatLit):
            return "float"
        if isinstance(e, A.Var) and self.info.var_kind.get(id(e)) == "local":
            return self.inf.local_kind(body, e.name)
        if isinstance(e, A.Call):
            if id(e) in self.info.deferred:
                return "dyn"
            return self.inf.return_kind(self.info.function_bodies[e.name])
        if isinstance(e, A.Binary):
            return binary_kind(e.op, self._static_kind(body, e.left), self._static_kind(body, e.right)) or "dyn"
        if isinstance(e, A.Unary):
            k = self._static_kind(body, e.operand)
            return "bool" if e.op == "not" else (k if k in ("int", "float") else "dyn")
        return "dyn"

    # ---- names -----------------------------------------------------------------------
    def body_func_name(self, body: Body) -> str:
        """Wasm names double as stack-frame names, so they are the Nyash names
        (``fib``, ``Point.birth``) unless that would clash with a runtime function."""
        if body.cls is not None:
            return "$" + body.name
        if body.name == "<main>":
            return "$<main>"
        plain = "$" + body.display
        if plain in self.rt.func_names or plain in ("$_start", "$class_name"):
            return "$" + body.name
        return plain

    def method_func(self, m: A.Method) -> str:
        return self.body_func_name(self.info.method_bodies[id(m)])

    def body_sig(self, body: Body) -> tuple[list[str], list[str]]:
        """(param storages, result storage) of a body's wasm function."""
        if body.cls is not None:
            return ["dyn"] * len(body.params), ["dyn"]
        if body.name == "<main>":
            return [], []
        # a parameter's storage must also hold what the body assigns to it
        ps = [storage(self.inf.local_kind(body, p)) for p in body.params]
        return ps, [storage(self.inf.return_kind(body))]

    # ---- generation --------------------------------------------------------------------
    def generate(self) -> Module:
        for body in self.info.bodies:
            FuncGen(self, body).generate()
        self._gen_class_name()
        self._gen_start()
        self._message_globals()
        for c in self.info.classes.values():
            if c.is_static:
                self.globals.append(Global(f"$static:{c.name}", "i32", True, 0))
        for g in self.info.globals:
            self.globals.append(Global(f"$g:{g}.t", "i32", True, T_UNSET))
            self.globals.append(Global(f"$g:{g}.v", "i64", True, 0))
        heap_base = (DATA_BASE + len(self.data) + 15) & ~15
        self.globals.append(Global("$heap_base", "i32", False, heap_base))
        pages = heap_base // 65536 + 2
        mod = Module(
            imports=[Import("wasi_snapshot_preview1", "fd_write", "$fd_write", ["i32", "i32", "i32", "i32"], ["i32"]),
                     Import("wasi_snapshot_preview1", "proc_exit", "$proc_exit", ["i32"], [])],
            funcs=self.rt.funcs + self.funcs,
            globals=self.rt.globals + self.globals,
            memory=Memory(pages, MAX_PAGES, "memory"),
            data=self.rt.data + [Data(DATA_BASE, bytes(self.data))],
            # nyash_flush: the runner flushes buffered output after a trap (stack overflow)
            exports=[("_start", "func", "$_start"), ("nyash_flush", "func", "$out_flush")] + self.rt.exports,
        )
        return mod

    def _message_globals(self) -> None:
        msgs = {
            "$msg_div_zero": "Division by zero", "$msg_mod_zero": "Modulo by zero",
            "$msg_quote_for": "' for ", "$msg_unknown_method": "Unknown method '",
            "$msg_field": "Field '", "$msg_quote_in": "' not found in ",
            "$msg_quote_private": "' is private in ", "$msg_uncaught": "Uncaught exception: ",
            "$lit_null": "null", "$msg_math_numbers": "MathBox.divide expects numbers",
        }
        for name, text in msgs.items():
            self.globals.append(Global(name, "i32", False, self.string_lit(text)))

    def _gen_class_name(self) -> None:
        classes = list(self.info.classes.values())
        addrs = [self.string_lit(c.name) for c in classes]
        while len(self.data) % 4:
            self.data.append(0)
        table = DATA_BASE + len(self.data)
        for a in addrs:
            self.data += struct.pack("<I", a)
        body = [("local.get", "$cid"), ("i32.const", 4), ("i32.mul",), ("i32.load", table, 2)] if classes else [("i32.const", self.string_lit("Box"))]
        self.funcs.append(Func("$class_name", [("$cid", "i32")], ["i32"], [], body))

    def _gen_start(self) -> None:
        code: list[tuple] = []
        for c in self.info.classes.values():
            if c.is_static:
                code += [("i32.const", c.cid), ("i32.const", len(c.fields)), ("call", "$inst_new"),
                         ("global.set", f"$static:{c.name}")]
        code.append(("call", "$<main>"))
        main = self.info.classes.get("Main")
        if main is not None and main.is_static:
            m = main.find_method("main", 0)
            if m is not None:
                code += [("global.get", "$static:Main"), ("call", self.method_func(m)), ("call", "$release")]
            elif (m := main.find_method("main", 1)) is not None:
                # main(args): a compiled program has no command-line arguments of its own
                code += [("global.get", "$static:Main"), ("i32.const", T_ARR), ("call", "$arr_new"),
                         ("i64.extend_i32_u",), ("call", self.method_func(m)), ("call", "$release")]
        code.append(("call", "$out_flush"))
        self.funcs.append(Func("$_start", [], [], [], code))

    # ---- dispatchers (generated on first use) ------------------------------------------
    def method_dispatcher(self, name: str, argc: int) -> str:
        fname = f"$callm:{name}/{argc}"
        if fname in self.generated:
            return fname
        self.generated.add(fname)
        params = [("$t", "i32"), ("$v", "i64")]
        for i in range(argc):
            params += [(f"$a{i}t", "i32"), (f"$a{i}v", "i64")]
        args = []
        for i in range(argc):
            args += [("local.get", f"$a{i}t"), ("local.get", f"$a{i}v")]
        code: list[tuple] = []
        # user boxes
        targets: dict[str, list[int]] = {}
        for c in self.info.classes.values():
            m = c.find_method(name, argc)
            if m is not None:
                targets.setdefault(self.method_func(m), []).append(c.cid)
        if targets:
            code += [("local.get", "$t"), ("i32.const", T_INST), ("i32.eq",), ("if", None, None),
                     ("local.get", "$v"), ("i32.wrap_i64",), ("i32.load", 4, 2), ("local.set", "$cid")]
            for fn, cids in targets.items():
                code += _cid_test(cids)
                code += [("if", None, None), ("local.get", "$v"), ("i32.wrap_i64",)] + args + [("call", fn), ("return",), ("end",)]
            code.append(("end",))
        # boxes delegating to StringBox/IntegerBox answer the builtin's methods on its
        # (always empty) builtin part, as upstream does
        for kname, parent, empty in (("String", "StringBox", self.string_lit("")), ("Integer", "IntegerBox", 0)):
            fn = f"$m_{kname}_{name}"
            if self.rt.method_argc.get(fn) != argc:
                continue
            cids = [c.cid for c in self.info.classes.values()
                    if c.find_method(name, argc) is None
                    and any(parent in x.builtin_parents for x in [c, *c.ancestors()])]
            if cids:
                code += [("local.get", "$t"), ("i32.const", T_INST), ("i32.eq",), ("if", None, None),
                         ("local.get", "$v"), ("i32.wrap_i64",), ("i32.load", 4, 2), ("local.set", "$cid")]
                code += _cid_test(cids) + [("if", None, None), ("i64.const", empty)] + args + [
                    ("call", fn), ("return",), ("end",), ("end",)]
        if name == "fini" and argc == 0:
            code += [("local.get", "$t"), ("i32.const", T_INST), ("i32.eq",), ("if", None, None),
                     ("i32.const", T_VOID), ("i64.const", 0), ("return",), ("end",)]
        if name == "toString" and argc == 0:
            # instances without their own toString() give their printed form
            code += [("local.get", "$t"), ("i32.const", T_INST), ("i32.eq",), ("if", None, None),
                     ("i32.const", T_STR), ("local.get", "$t"), ("local.get", "$v"), ("call", "$to_string"),
                     ("i64.extend_i32_u",), ("return",), ("end",)]
        # builtin kinds
        for tag, kname in BUILTIN_KIND_NAMES.items():
            fn = f"$m_{kname}_{name}"
            if self.rt.method_argc.get(fn) == argc:
                code += [("local.get", "$t"), ("i32.const", tag), ("i32.eq",), ("if", None, None),
                         ("local.get", "$v")] + args + [("call", fn), ("return",), ("end",)]
        code += [("i32.const", self.string_lit(name)), ("local.get", "$t"), ("local.get", "$v"),
                 ("call", "$raise_no_method"), ("i32.const", 0), ("i64.const", 0)]
        self.funcs.append(Func(fname, params, ["i32", "i64"], [("$cid", "i32")], code))
        return fname

    def field_dispatcher(self, name: str, write: bool) -> str:
        fname = f"${'setf' if write else 'getf'}:{name}"
        if fname in self.generated:
            return fname
        self.generated.add(fname)
        lit = self.string_lit(name)
        params = [("$t", "i32"), ("$v", "i64")]
        if write:
            params += [("$xt", "i32"), ("$xv", "i64")]
        params.append(("$ctx", "i32"))
        results = [] if write else ["i32", "i64"]
        zero = [] if write else [("i32.const", 0), ("i64.const", 0)]
        code: list[tuple] = [
            ("local.get", "$t"), ("i32.const", T_INST), ("i32.ne",), ("if", None, None),
            ("i32.const", lit), ("local.get", "$t"), ("local.get", "$v"), ("call", "$raise_no_field"),
            *zero, ("return",), ("end",),
            ("local.get", "$v"), ("i32.wrap_i64",), ("local.tee", "$p"), ("i32.load", 4, 2), ("local.set", "$cid"),
        ]
        for c in self.info.classes.values():
            slot = c.slot(name)
            restricted = c.restricts(name)
            if slot is None and not restricted:
                continue
            code += _cid_test([c.cid]) + [("if", None, None)]
            if restricted:
                allowed = sorted({x.cid for x in c.descendants()} | {x.cid for x in c.ancestors()})
                code += [("local.get", "$ctx"), ("local.set", "$cid")] + _cid_test(allowed) + [
                    ("i32.eqz",), ("if", None, None), ("i32.const", lit), ("local.get", "$t"), ("local.get", "$v"),
                    ("call", "$raise_private"), *zero, ("return",), ("end",)]
            if slot is None:
                code += [("local.get", "$p"), ("i32.const", lit)]
                code += ([("local.get", "$xt"), ("local.get", "$xv"), ("call", "$extra_set")] if write
                         else [("call", "$extra_get")])
            elif write:
                code += [("local.get", "$p"), ("i32.const", slot), ("local.get", "$xt"), ("local.get", "$xv"), ("call", "$slot_set")]
            else:
                code += [("local.get", "$p"), ("i32.const", slot), ("i32.const", lit), ("call", "$slot_get")]
            code += [("return",), ("end",)]
        code += [("local.get", "$p"), ("i32.const", lit)]
        code += ([("local.get", "$xt"), ("local.get", "$xv"), ("call", "$extra_set")] if write else [("call", "$extra_get")])
        self.funcs.append(Func(fname, params, results, [("$p", "i32"), ("$cid", "i32")], code))
        return fname


def inline_rc_checks(code: list[tuple]) -> list[tuple]:
    """Rewrite ``get t; get v; call $retain|$release`` so the call only happens for heap
    tags (5..9): scalars, null and void then cost two compares instead of a call."""
    out: list[tuple] = []
    for ins in code:
        if (ins[0] == "call" and ins[1] in ("$retain", "$release") and len(out) >= 2
                and out[-2][0] in ("local.get", "global.get") and out[-1][0] == out[-2][0]):
            vget = out.pop()
            tget = out.pop()
            out += [tget, ("i32.const", T_STR), ("i32.sub",), ("i32.const", 5), ("i32.lt_u",),
                    ("if", None, None), tget, vget, ins, ("end",)]
        else:
            out.append(ins)
    return out


def _cid_test(cids: list[int]) -> list[tuple]:
    """Leave (cid in cids) as i32 on the stack; reads local $cid."""
    code: list[tuple] = []
    for i, c in enumerate(cids):
        code += [("local.get", "$cid"), ("i32.const", c), ("i32.eq",)]
        if i:
            code.append(("i32.or",))
    if not cids:
        code.append(("i32.const", 0))
    return code


class FuncGen:
    def __init__(self, mg: ModuleGen, body: Body) -> None:
        self.mg = mg
        self.info = mg.info
        self.inf = mg.inf
        self.body = body
        self.cls = body.cls
        self.code: list[tuple] = []
        self.locals: list[tuple[str, str]] = []
        self.n = 0
        self.ctx: list[_Ctx] = []
        self.vars: dict[str, tuple[str, str, list[str]]] = {}  # name -> (kind, storage, wasm names)
        self.ctx_cid = body.cls.cid if body.cls else -1
        self.discarded: A.Expr | None = None

    # ---- locals ----------------------------------------------------------------------------
    def tmp(self, t: str) -> str:
        self.n += 1
        name = f"$~{self.n}"
        self.locals.append((name, t))
        return name

    def tmp_pair(self) -> tuple[str, str]:
        return self.tmp("i32"), self.tmp("i64")

    def emit(self, *ins: tuple) -> None:
        self.code.extend(ins)

    # ---- function ----------------------------------------------------------------------------
    def generate(self) -> None:
        body = self.body
        pst, rst = self.mg.body_sig(body)
        params: list[tuple[str, str]] = []
        if body.cls is not None:
            params.append(("$me", "i32"))
        for pname, st in zip(body.params, pst):
            kind = self.inf.local_kind(body, pname) if body.cls is None else "dyn"
            if body.cls is not None:
                kind = self.inf.local_kind(body, pname)
                if storage(kind) != "dyn":
                    kind = "dyn"
            if st == "dyn":
                names = [f"$p:{pname}.t", f"$p:{pname}.v"]
                params += [(names[0], "i32"), (names[1], "i64")]
            else:
                names = [f"$p:{pname}"]
                params.append((names[0], st))
            assert st == "dyn" or storage(kind) == st, (body.name, pname, kind, st)
            self.vars[pname] = (kind if storage(kind) == st else "dyn", st, names)
        for lname in body.locals:
            kind = self.inf.local_kind(body, lname)
            st = storage(kind)
            if st == "dyn":
                names = [f"$l:{lname}.t", f"$l:{lname}.v"]
                self.locals += [(names[0], "i32"), (names[1], "i64")]
            else:
                names = [f"$l:{lname}"]
                self.locals.append((names[0], st))
            self.vars[lname] = (kind, st, names)
        if body.line:
            self.emit(("line", body.line))
        # assigned dynamic params become owned
        for pname in body.assigned_params:
            kind, st, names = self.vars[pname]
            if st == "dyn":
                self.emit(("local.get", names[0]), ("local.get", names[1]), ("call", "$retain"))
        self.ret_st = rst[0] if rst else None
        if self.ret_st == "dyn":
            self.ret = [self.tmp("i32"), self.tmp("i64")]
        elif self.ret_st:
            self.ret = [self.tmp(self.ret_st)]
        else:
            self.ret = []
        self.emit(("block", "$exit", None))
        self.stmts(body.stmts)
        self.emit(("end",))
        for name in [*body.locals, *sorted(body.assigned_params)]:
            kind, st, names = self.vars[name]
            if st == "dyn":
                self.emit(("local.get", names[0]), ("local.get", names[1]), ("call", "$release"))
        for r in self.ret:
            self.emit(("local.get", r))
        self.code = inline_rc_checks(self.code)
        fname = self.mg.body_func_name(body)
        self.mg.user_functions[fname[1:]] = body.display
        results = [] if not rst else _wasm_params(rst[0])
        self.mg.funcs.append(Func(fname, params, results, self.locals, self.code))

    # ---- exceptions ----------------------------------------------------------------------------
    def handler_label(self) -> str:
        for c in reversed(self.ctx):
            if c.kind in ("try", "handler"):  # a catch body's own exceptions run its finally
                return c.label
        return "$exit"

    def check_exc(self) -> None:
        self.emit(("global.get", "$exc_pending"), ("br_if", self.handler_label()))

    def call(self, fn: str) -> None:
        self.emit(("call", fn))
        if fn not in NON_RAISING:
            self.check_exc()

    def raise_now(self, message: str) -> None:
        self.emit(("i32.const", self.mg.string_lit(message)), ("call", "$raise_error"), ("br", self.handler_label()))

    # ---- statements ----------------------------------------------------------------------------
    def stmts(self, stmts: list[A.Stmt]) -> None:
        for s in stmts:
            self.stmt(s)

    def stmt(self, s: A.Stmt) -> None:
        self.emit(("line", s.line))
        if isinstance(s, A.Local):
            for name, init, _, _ in s.names:
                if init is None:
                    kind, st, names = self.vars[name]
                    if st == "dyn":
                        self.assign_local(name, self.const_dyn(T_VOID))
                    continue
                self.assign_local(name, self.expr(init))
        elif isinstance(s, A.Assign):
            self.assign(s)
        elif isinstance(s, A.If):
            self.cond(s.cond)
            self.emit(("if", None, None))
            self.stmts(s.then)
            if s.orelse:
                self.emit(("else",))
                self.stmts(s.orelse)
            self.emit(("end",))
        elif isinstance(s, A.Loop):
            self.n += 1
            brk, cont = f"$brk{self.n}", f"$cont{self.n}"
            self.emit(("block", brk, None), ("loop", cont, None))
            self.cond(s.cond)
            self.emit(("i32.eqz",), ("br_if", brk))
            self.ctx.append(_Ctx("loop", brk))
            self.stmts(s.body)
            self.ctx.pop()
            self.emit(("br", cont), ("end",), ("end",))
        elif isinstance(s, A.Break):
            self.leave_to(lambda c: c.kind == "loop")
            target = next(c for c in reversed(self.ctx) if c.kind == "loop")
            self.emit(("br", target.label))
        elif isinstance(s, A.Return):
            if s.value is not None:
                v = self.expr(s.value)
            else:
                v = self.const_dyn(T_VOID)
            if self.ret_st is None:
                self.drop(v)
            else:
                self.coerce(v, self.ret_st, own=True)
                for r in reversed(self.ret):
                    self.emit(("local.set", r))
            self.leave_to(lambda c: False)
            self.emit(("br", "$exit"))
        elif isinstance(s, A.Print):
            v = self.expr(s.value)
            self.to_dyn(v)
            if v.owned:
                t, x = self.stash()
                self.emit(("call", "$print_value"), ("local.get", t), ("local.get", x), ("call", "$release"))
            else:
                self.emit(("call", "$print_value"))
        elif isinstance(s, A.Throw):
            v = self.expr(s.value)
            self.to_dyn(v)
            if v.owned:
                t, x = self.stash()
                self.emit(("call", "$throw_value"), ("local.get", t), ("local.get", x), ("call", "$release"))
            else:
                self.emit(("call", "$throw_value"))
            self.emit(("br", self.handler_label()))
        elif isinstance(s, A.ExprStmt):
            self.discarded = s.expr  # lets builtin_fast skip building an unused result
            self.drop(self.expr(s.expr))
            self.discarded = None
        elif isinstance(s, A.Try):
            self.try_stmt(s)
        else:  # pragma: no cover
            raise AssertionError(s)

    def leave_to(self, stop) -> None:
        """Run the finally blocks (and restore $try_depth) of every try between here and
        the innermost context matching stop (or the function boundary)."""
        saved_ctx = list(self.ctx)
        i = len(self.ctx) - 1
        while i >= 0 and not stop(self.ctx[i]):
            c = self.ctx[i]
            if c.kind in ("try", "handler"):
                self.emit(("local.get", c.saved), ("global.set", "$try_depth"))
                if c.final:
                    self.ctx = saved_ctx[:i]
                    self.run_finally(c.final)
                    self.ctx = saved_ctx
            i -= 1

    def run_finally(self, final: list[A.Stmt]) -> None:
        """Run finally statements with any pending exception set aside and restored."""
        pt, pv, pp = self.tmp("i32"), self.tmp("i64"), self.tmp("i32")
        self.emit(("global.get", "$exc_pending"), ("local.set", pp), ("global.get", "$exc_tag"), ("local.set", pt),
                  ("global.get", "$exc_val"), ("local.set", pv), ("i32.const", 0), ("global.set", "$exc_pending"))
        self.stmts(final)
        self.emit(("local.get", pp), ("global.set", "$exc_pending"), ("local.get", pt), ("global.set", "$exc_tag"),
                  ("local.get", pv), ("global.set", "$exc_val"))

    def try_stmt(self, s: A.Try) -> None:
        self.n += 1
        n = self.n
        saved = self.tmp("i32")
        after, handler = f"$tryend{n}", f"$handler{n}"
        self.emit(("global.get", "$try_depth"), ("local.tee", saved), ("i32.const", 1), ("i32.add",),
                  ("global.set", "$try_depth"))
        self.emit(("block", after, None), ("block", handler, None))
        self.ctx.append(_Ctx("try", handler, saved, s.final))
        self.stmts(s.body)
        self.ctx.pop()
        self.emit(("local.get", saved), ("global.set", "$try_depth"))
        if s.final:
            self.stmts(s.final)
        self.emit(("br", after), ("end",))
        # an exception is pending here
        self.emit(("local.get", saved), ("global.set", "$try_depth"))
        clause = next((c for c in s.catches if c.type_name in CATCH_ALL_TYPES), None)
        if clause is not None:
            failed = f"$catchfail{n}"
            kind, st, names = self.vars[clause.var]
            # move the exception into the catch variable
            self.emit(("i32.const", 0), ("global.set", "$exc_pending"),
                      ("local.get", names[0]), ("local.get", names[1]), ("call", "$release"),
                      ("global.get", "$exc_tag"), ("local.set", names[0]),
                      ("global.get", "$exc_val"), ("local.set", names[1]),
                      ("i32.const", 0), ("global.set", "$exc_tag"), ("i64.const", 0), ("global.set", "$exc_val"))
            self.emit(("block", failed, None))
            if s.final:
                # keep exceptions of the catch body pending so the finally still runs
                self.emit(("local.get", saved), ("i32.const", 1), ("i32.add",), ("global.set", "$try_depth"))
            self.ctx.append(_Ctx("handler", failed, saved, s.final))
            self.stmts(clause.body)
            self.ctx.pop()
            if s.final:
                self.emit(("local.get", saved), ("global.set", "$try_depth"))
                self.stmts(s.final)
            self.emit(("br", after), ("end",))
            self.emit(("local.get", saved), ("global.set", "$try_depth"))
        # not caught (or the catch body raised): finally, then propagate
        if s.final:
            self.run_finally(s.final)
        self.emit(("global.get", "$try_depth"), ("i32.eqz",), ("if", None, None), ("call", "$rethrow_uncaught"), ("end",))
        self.emit(("br", self.handler_label()), ("end",))

    # ---- assignment ----------------------------------------------------------------------------
    def assign(self, s: A.Assign) -> None:
        t = s.target
        if isinstance(t, A.Var):
            if self.info.var_kind.get(id(t)) == "local":
                parts = self.append_parts(t.name, s.value)
                if parts is not None:
                    self.append_in_place(t.name, parts)
                else:
                    self.assign_local(t.name, self.expr(s.value))
            else:
                v = self.expr(s.value)
                self.coerce(v, "dyn", own=True)
                gt, gv = f"$g:{t.name}.t", f"$g:{t.name}.v"
                self.emit(("global.get", gt), ("global.get", gv), ("call", "$release"),
                          ("global.set", gv), ("global.set", gt))
            return
        # field assignment
        if isinstance(t.obj, A.Me) and self.cls is not None:
            slot = self.uniform_slot(t.name)
            v = self.expr(s.value)
            self.to_dyn(v)
            x = self.tmp_pair()
            self.emit(("local.set", x[1]), ("local.set", x[0]))
            if slot is not None:
                self.inline_slot_set(slot, x[0], x[1])
            else:
                fn = self.mg.field_dispatcher(t.name, True)
                self.emit(("i32.const", T_INST), ("local.get", "$me"), ("i64.extend_i32_u",),
                          ("local.get", x[0]), ("local.get", x[1]), ("i32.const", self.ctx_cid))
                self.call(fn)
            if v.owned:
                self.emit(("local.get", x[0]), ("local.get", x[1]), ("call", "$release"))
            return
        ov = self.expr(t.obj)
        slot = self.exact_slot(ov.kind, t.name)
        self.to_dyn(ov)
        ot, ox = self.tmp_pair()
        self.emit(("local.set", ox), ("local.set", ot))
        if slot is not None:
            p = self.tmp("i32")
            self.emit(("local.get", ox), ("i32.wrap_i64",), ("local.set", p))
            v = self.expr(s.value)
            self.to_dyn(v)
            vt, vv = self.tmp_pair()
            self.emit(("local.set", vv), ("local.set", vt))
            self.inline_slot_set(slot, vt, vv, p)
            if v.owned:
                self.emit(("local.get", vt), ("local.get", vv), ("call", "$release"))
            if ov.owned:
                self.emit(("local.get", ot), ("local.get", ox), ("call", "$release"))
            return
        v = self.expr(s.value)
        self.to_dyn(v)
        vt, vv = self.tmp_pair()
        self.emit(("local.set", vv), ("local.set", vt))
        fn = self.mg.field_dispatcher(t.name, True)
        self.emit(("local.get", ot), ("local.get", ox), ("local.get", vt), ("local.get", vv), ("i32.const", self.ctx_cid))
        self.call(fn)
        if v.owned:
            self.emit(("local.get", vt), ("local.get", vv), ("call", "$release"))
        if ov.owned:
            self.emit(("local.get", ot), ("local.get", ox), ("call", "$release"))

    def append_parts(self, name: str, value: A.Expr) -> list[A.Expr] | None:
        """For ``s = s + a + b`` on a string local s, the appended parts [a, b]."""
        kind, st, names = self.vars[name]
        if kind != "str":
            return None
        parts: list[A.Expr] = []
        e = value
        while isinstance(e, A.Binary) and e.op == "+":
            parts.append(e.right)
            e = e.left
        if not parts or not (isinstance(e, A.Var) and e.name == name and self.info.var_kind.get(id(e)) == "local"):
            return None
        return parts[::-1]

    def append_in_place(self, name: str, parts: list[A.Expr]) -> None:
        """Evaluate every part as an owned string first, then grow s (see $str_append)."""
        kind, st, names = self.vars[name]
        strs: list[str] = []
        for part in parts:
            v = self.expr(part)
            self.to_dyn(v)
            tmp = self.stash() if v.owned else None
            self.emit(("call", "$to_string"))
            if tmp:
                self.release_all([tmp])
            p = self.tmp("i32")
            self.emit(("local.set", p))
            strs.append(p)
        self.emit(("local.get", names[1]), ("i32.wrap_i64",))
        for p in strs:
            self.emit(("local.get", p), ("call", "$str_append"))
        self.emit(("i64.extend_i32_u",), ("local.set", names[1]), ("i32.const", T_STR), ("local.set", names[0]))
        for p in strs:
            self.emit(("i32.const", T_STR), ("local.get", p), ("i64.extend_i32_u",), ("call", "$release"))

    def assign_local(self, name: str, v: Val) -> None:
        kind, st, names = self.vars[name]
        if st == "dyn":
            self.coerce(v, "dyn", own=True)
            self.emit(("local.get", names[0]), ("local.get", names[1]), ("call", "$release"),
                      ("local.set", names[1]), ("local.set", names[0]))
        else:
            self.coerce(v, st)
            self.emit(("local.set", names[0]))

    def exact_slot(self, kind: str, fname: str) -> int | None:
        """The slot of fname on a value of exact kind obj:Box, when this code may access
        it (visibility is then settled at compile time); None means use the dispatcher."""
        if not kind.startswith("obj:"):
            return None
        cls = self.info.classes[kind[4:]]
        slot = cls.slot(fname)
        if slot is None:
            return None
        if cls.restricts(fname):
            family = {c.cid for c in cls.descendants()} | {c.cid for c in cls.ancestors()}
            if self.ctx_cid not in family:
                return None  # the dispatcher raises "is private"
        return slot

    def uniform_slot(self, fname: str) -> int | None:
        """The slot of me.fname when it is the same in this box and all its descendants."""
        assert self.cls is not None
        slots = {c.slot(fname) for c in self.cls.descendants()}
        if len(slots) == 1:
            s = slots.pop()
            return s
        return None

    # ---- value helpers ---------------------------------------------------------------------------
    def const_dyn(self, tag: int, payload: int = 0) -> Val:
        self.emit(("i32.const", tag), ("i64.const", payload))
        return Val("void" if tag == T_VOID else "null" if tag == T_NULL else "dyn", "dyn", False)

    def stash(self) -> tuple[str, str]:
        """Save the dynamic pair on top of the stack in fresh locals, leaving it there."""
        t, v = self.tmp_pair()
        self.emit(("local.set", v), ("local.tee", t), ("local.get", v))
        return t, v

    def to_dyn(self, v: Val) -> None:
        """Convert the value on top of the stack to a (tag, payload) pair."""
        if v.st == "dyn":
            return
        if v.st == "i64":
            x = self.tmp("i64")
            self.emit(("local.set", x), ("i32.const", T_INT), ("local.get", x))
        elif v.st == "f64":
            x = self.tmp("f64")
            self.emit(("local.set", x), ("i32.const", T_FLOAT), ("local.get", x), ("i64.reinterpret_f64",))
        elif v.st == "i32":
            x = self.tmp("i32")
            self.emit(("local.set", x), ("i32.const", T_BOOL), ("local.get", x), ("i64.extend_i32_u",))
        v.st = "dyn"
        v.owned = False

    def coerce(self, v: Val, st: str, own: bool = False) -> None:
        """Convert the value on top of the stack to storage st (owned if asked)."""
        if st == "dyn":
            self.to_dyn(v)
            if own and not v.owned and v.kind not in SCALAR:
                t, x = self.stash()
                self.emit(("local.get", t), ("local.get", x), ("call", "$retain"))
                v.owned = True
            return
        if v.st == st:
            return
        if st == "f64" and v.st == "i64":
            self.emit(("f64.convert_i64_s",))
            return
        raise AssertionError(f"cannot store {v.kind} ({v.st}) as {st} in {self.body.name}")

    def drop(self, v: Val) -> None:
        if v.st == "dyn":
            if v.owned:
                self.emit(("call", "$release"))
            else:
                self.emit(("drop",), ("drop",))
        else:
            self.emit(("drop",))

    def cond(self, e: A.Expr) -> None:
        """Compile e as a condition: an i32 0/1 by the truthiness rules."""
        v = self.expr(e)
        if v.st == "i32":
            return
        if v.st == "i64":
            self.emit(("i64.const", 0), ("i64.ne",))
        elif v.st == "f64":
            self.emit(("drop",), ("i32.const", 1))  # 0.0 is truthy (spec 5.1)
        elif v.owned:
            t, x = self.stash()
            self.emit(("call", "$truthy"), ("local.get", t), ("local.get", x), ("call", "$release"))
        else:
            self.emit(("call", "$truthy"))

    # ---- expressions -------------------------------------------------------------------------------
    def expr(self, e: A.Expr) -> Val:
        msg = self.info.deferred.get(id(e))
        if msg is not None:
            return self.deferred_error(msg)
        m = getattr(self, "e_" + type(e).__name__)
        return m(e)

    def deferred_error(self, msg: str) -> Val:
        """Code that raises msg when reached (the value after it is never used)."""
        self.raise_now(msg)
        self.emit(("i32.const", 0), ("i64.const", 0))
        return Val("dyn", "dyn")

    def warn_deferred(self, e: A.Node, msg: str) -> Val:
        self.mg.warnings.append(Diagnostic(self.info.filename, e.line, e.col, msg, "warning", deferred=True))
        return self.deferred_error(msg)

    def e_IntLit(self, e: A.IntLit) -> Val:
        self.emit(("i64.const", e.value))
        return Val("int", "i64")

    def e_FloatLit(self, e: A.FloatLit) -> Val:
        self.emit(("f64.const", e.value))
        return Val("float", "f64")

    def e_StrLit(self, e: A.StrLit) -> Val:
        self.emit(("i32.const", T_STR), ("i64.const", self.mg.string_lit(e.value)))
        return Val("str", "dyn")

    def e_BoolLit(self, e: A.BoolLit) -> Val:
        self.emit(("i32.const", int(e.value)))
        return Val("bool", "i32")

    def e_NullLit(self, e: A.NullLit) -> Val:
        return self.const_dyn(T_NULL)

    def e_Me(self, e: A.Me) -> Val:
        self.emit(("i32.const", T_INST), ("local.get", "$me"), ("i64.extend_i32_u",))
        return Val("dyn", "dyn")

    def e_Var(self, e: A.Var) -> Val:
        vk = self.info.var_kind.get(id(e))
        if vk == "local":
            kind, st, names = self.vars[e.name]
            for n in names:
                self.emit(("local.get", n))
            return Val(kind, st)
        if vk == "static":
            self.emit(("i32.const", T_INST), ("global.get", f"$static:{e.name}"), ("i64.extend_i32_u",))
            return Val("dyn", "dyn")
        gt, gv = f"$g:{e.name}.t", f"$g:{e.name}.v"
        self.emit(("global.get", gt), ("i32.const", self.mg.string_lit(f"Undefined variable '{e.name}'")),
                  ("call", "$check_global"), ("i32.eqz",), ("br_if", self.handler_label()),
                  ("global.get", gt), ("global.get", gv), ("call", "$retain"),
                  ("global.get", gt), ("global.get", gv))
        return Val("dyn", "dyn", True)

    def e_Unary(self, e: A.Unary) -> Val:
        if e.op == "not":
            self.cond(e.operand)
            self.emit(("i32.eqz",))
            return Val("bool", "i32")
        v = self.expr(e.operand)
        if v.st == "i64":
            self.emit(("i64.const", -1), ("i64.mul",))
            return Val("int", "i64")
        if v.st == "f64":
            self.emit(("f64.neg",))
            return Val("float", "f64")
        return self.dyn_op1("$op_neg", v)

    def dyn_op1(self, fn: str, v: Val) -> Val:
        self.to_dyn(v)
        if v.owned:
            t, x = self.stash()
            self.emit(("call", fn), ("local.get", t), ("local.get", x), ("call", "$release"))
        else:
            self.emit(("call", fn))
        self.check_exc()
        return Val("dyn", "dyn", True)

    _INT_OPS = {"+": "i64.add", "-": "i64.sub", "*": "i64.mul", "==": "i64.eq", "!=": "i64.ne",
                "<": "i64.lt_s", ">": "i64.gt_s", "<=": "i64.le_s", ">=": "i64.ge_s"}
    _F_OPS = {"+": "f64.add", "-": "f64.sub", "*": "f64.mul", "/": "f64.div", "==": "f64.eq", "!=": "f64.ne",
              "<": "f64.lt", ">": "f64.gt", "<=": "f64.le", ">=": "f64.ge"}
    _DYN_OPS = {"+": "$op_add", "-": "$op_sub", "*": "$op_mul", "/": "$op_div", "%": "$op_mod",
                "==": "$op_eq", "!=": "$op_eq", "<": "$op_lt", ">": "$op_gt", "<=": "$op_le", ">=": "$op_ge"}

    def e_Binary(self, e: A.Binary) -> Val:
        op = e.op
        if op in ("and", "or"):
            self.cond(e.left)
            self.emit(("if", None, "i32"))
            if op == "and":
                self.cond(e.right)
                self.emit(("else",), ("i32.const", 0), ("end",))
            else:
                self.emit(("i32.const", 1), ("else",))
                self.cond(e.right)
                self.emit(("end",))
            return Val("bool", "i32")
        lv = self.expr(e.left)
        lmark = len(self.code)
        rv = self.expr(e.right)
        if lv.st == "i64" and rv.st == "i64":
            if op in self._INT_OPS:
                self.emit((self._INT_OPS[op],))
                return Val("bool" if op in ("==", "!=", "<", ">", "<=", ">=") else "int",
                           "i32" if op in ("==", "!=", "<", ">", "<=", ">=") else "i64")
            if isinstance(e.right, A.IntLit) and e.right.value not in (0, -1):
                # a constant divisor: no zero or overflow case, plain instruction
                self.emit(("i64.div_s" if op == "/" else "i64.rem_s",))
            else:
                self.call("$nyash_idiv" if op == "/" else "$nyash_imod")
            return Val("int", "i64")
        if lv.st in ("i64", "f64") and rv.st in ("i64", "f64") and op in self._F_OPS and not (
                op in ("==", "!=") and lv.st != rv.st):
            if rv.st == "i64":
                self.emit(("f64.convert_i64_s",))
            if lv.st == "i64":
                self.code.insert(lmark, ("f64.convert_i64_s",))
            self.emit((self._F_OPS[op],))
            cmp = op in ("==", "!=", "<", ">", "<=", ">=")
            return Val("bool" if cmp else "float", "i32" if cmp else "f64")
        if lv.st == "i32" and rv.st == "i32" and op in ("==", "!="):
            self.emit(("i32.eq" if op == "==" else "i32.ne",))
            return Val("bool", "i32")
        # generic path: both sides as dynamic pairs (convert the left value before the
        # right one's code runs, so it is on top of the stack when converted)
        right_code = self.code[lmark:]
        del self.code[lmark:]
        l_int, r_int = lv.kind == "int", rv.kind == "int"
        fast = op in self._FAST_OPS and lv.kind in ("int", "dyn") and rv.kind in ("int", "dyn")
        self.to_dyn(lv)
        lt = self.tmp_pair()
        self.emit(("local.set", lt[1]), ("local.set", lt[0]))
        self.code.extend(right_code)
        self.to_dyn(rv)
        rt = self.tmp_pair()
        self.emit(("local.set", rt[1]), ("local.set", rt[0]))
        fn = self._DYN_OPS[op]
        cmp = op in ("==", "!=", "<", ">", "<=", ">=")
        slow = [("local.get", lt[0]), ("local.get", lt[1]), ("local.get", rt[0]), ("local.get", rt[1]), ("call", fn)]
        if op == "!=":
            slow.append(("i32.eqz",))
        if fn not in NON_RAISING:
            slow += [("global.get", "$exc_pending"), ("br_if", self.handler_label())]
        if fast:
            checks = []
            if not l_int:
                checks += [("local.get", lt[0]), ("i32.const", T_INT), ("i32.eq",)]
            if not r_int:
                checks += [("local.get", rt[0]), ("i32.const", T_INT), ("i32.eq",)]
                if not l_int:
                    checks.append(("i32.and",))
            self.emit(*checks, ("if", None, "i32" if cmp else ((), ("i32", "i64"))))
            if not cmp:
                self.emit(("i32.const", T_INT))
            self.emit(("local.get", lt[1]), ("local.get", rt[1]), (self._FAST_OPS[op],), ("else",), *slow, ("end",))
        else:
            self.emit(*slow)
        for tmp, v in ((lt, lv), (rt, rv)):
            if v.owned:
                self.emit(("local.get", tmp[0]), ("local.get", tmp[1]), ("call", "$release"))
        if cmp:
            return Val("bool", "i32")
        return Val(binary_kind(op, lv.kind, rv.kind) or "dyn", "dyn", True)

    _FAST_OPS = {"+": "i64.add", "-": "i64.sub", "*": "i64.mul", "==": "i64.eq", "!=": "i64.ne",
                 "<": "i64.lt_s", ">": "i64.gt_s", "<=": "i64.le_s", ">=": "i64.ge_s"}

    def args_for(self, args: list[A.Expr], sts: list[str]) -> list[tuple[str, str]]:
        """Evaluate call arguments into the given storages; return owned temporaries."""
        owned: list[tuple[str, str]] = []
        for a, st in zip(args, sts):
            v = self.expr(a)
            self.coerce(v, st)
            if st == "dyn" and v.owned:
                owned.append(self.stash())
        return owned

    def release_all(self, temps: list[tuple[str, str]]) -> None:
        for t, x in temps:
            self.emit(("local.get", t), ("local.get", x), ("call", "$release"))

    def finish_call(self, fn: str, temps: list[tuple[str, str]], may_raise: bool) -> None:
        self.emit(("call", fn))
        self.release_all(temps)
        if may_raise:
            self.check_exc()

    def e_Call(self, e: A.Call) -> Val:
        body = self.info.function_bodies[e.name]
        pst, rst = self.mg.body_sig(body)
        temps = self.args_for(e.args, pst)
        self.finish_call(self.mg.body_func_name(body), temps, self.mg.may_raise.get(body.name, True))
        kind = self.inf.return_kind(body)
        return Val(kind, rst[0], rst[0] == "dyn")

    def e_New(self, e: A.New) -> Val:
        box = e.box
        if box == "ArrayBox":
            self.emit(("i32.const", T_ARR), ("call", "$arr_new"), ("i64.extend_i32_u",))
            return Val("arr", "dyn", True)
        if box == "MapBox":
            self.emit(("i32.const", T_MAP), ("call", "$map_new"), ("i64.extend_i32_u",))
            return Val("map", "dyn", True)
        if box == "ConsoleBox":
            self.const_dyn(T_CONSOLE)
            return Val("console", "dyn")
        if box == "MathBox":
            self.const_dyn(T_MATH)
            return Val("math", "dyn")
        if box == "NullBox":
            return self.const_dyn(T_NULL)
        if box in ("StringBox", "ErrorBox"):
            v = self.expr(e.args[0])
            self.to_dyn(v)
            tmp = self.stash() if v.owned else None
            self.emit(("call", "$to_string"))
            if tmp:
                self.release_all([tmp])
            if box == "StringBox":
                s = self.tmp("i32")
                self.emit(("local.set", s), ("i32.const", T_STR), ("local.get", s), ("i64.extend_i32_u",))
                return Val("str", "dyn", True)
            s = self.tmp("i32")
            self.emit(("local.tee", s), ("call", "$err_new"))
            e2 = self.tmp("i32")
            self.emit(("local.set", e2), ("i32.const", T_STR), ("local.get", s), ("i64.extend_i32_u",), ("call", "$release"),
                      ("i32.const", T_ERR), ("local.get", e2), ("i64.extend_i32_u",))
            return Val("err", "dyn", True)
        if box in ("IntegerBox", "FloatBox", "BoolBox"):
            v = self.expr(e.args[0])
            if box == "FloatBox" and v.st == "i64":
                self.emit(("f64.convert_i64_s",))
                return Val("float", "f64")
            if v.st == "dyn" and not v.owned:
                self.coerce(v, "dyn", own=True)
            return v
        cls = self.info.classes[box]
        p = self.tmp("i32")
        self.emit(("i32.const", cls.cid), ("i32.const", len(cls.fields)), ("call", "$inst_new"), ("local.set", p))
        bad = [b for b in cls.builtin_parents if b not in ("StringBox", "IntegerBox")]
        for c in [cls, *cls.ancestors()]:
            bad += [b for b in c.builtin_parents if b not in ("StringBox", "IntegerBox")]
        if bad:
            self.raise_now(f"Unknown built-in Box type for delegation: {bad[0]}")
        m = cls.find_ctor(len(e.args))
        if m is not None:
            self.emit(("local.get", p))
            temps = self.args_for(e.args, ["dyn"] * len(e.args))
            self.emit(("call", self.mg.method_func(m)), ("call", "$release"))
            self.release_all(temps)
            self.check_exc()
        self.emit(("i32.const", T_INST), ("local.get", p), ("i64.extend_i32_u",))
        return Val(f"obj:{box}", "dyn", True)

    def e_Field(self, e: A.Field) -> Val:
        if isinstance(e.obj, A.Me) and self.cls is not None:
            slot = self.uniform_slot(e.name)
            if slot is not None:
                self.inline_slot_get(slot, e.name)
                return Val("dyn", "dyn", True)
        v = self.expr(e.obj)
        slot = self.exact_slot(v.kind, e.name)
        if slot is not None:
            # the box is known exactly (made by `new Box` here): fixed offset, no dispatch
            tmp = self.stash() if v.owned else None
            p, x = self.tmp("i32"), self.tmp("i64")
            self.emit(("local.set", x), ("drop",), ("local.get", x), ("i32.wrap_i64",), ("local.set", p))
            self.inline_slot_get(slot, e.name, p)
            if tmp:
                self.release_all([tmp])
            return Val("dyn", "dyn", True)
        self.to_dyn(v)
        tmp = self.stash() if v.owned else None
        self.emit(("i32.const", self.ctx_cid))
        fn = self.mg.field_dispatcher(e.name, False)
        self.emit(("call", fn))
        if tmp:
            self.release_all([tmp])
        self.check_exc()
        return Val("dyn", "dyn", True)

    def e_FromCall(self, e: A.FromCall) -> Val:
        cls = self.cls
        assert cls is not None
        if e.parent in ("StringBox", "IntegerBox") and e.parent in cls.builtin_parents or (
                e.parent in ("StringBox", "IntegerBox") and e.parent not in self.info.classes):
            if e.method == "birth":
                for a in e.args:
                    self.drop(self.expr(a))
                return self.const_dyn(T_VOID)
            kname = "String" if e.parent == "StringBox" else "Integer"
            fn = f"$m_{kname}_{e.method}"
            if self.mg.rt.method_argc.get(fn) != len(e.args):
                self.raise_now(f"Unknown method '{e.method}' for {e.parent}")
                self.emit(("i32.const", 0), ("i64.const", 0))
                return Val("dyn", "dyn")
            self.emit(("i64.const", self.mg.string_lit("") if kname == "String" else 0))
            temps = self.args_for(e.args, ["dyn"] * len(e.args))
            self.finish_call(fn, temps, fn not in NON_RAISING)
            return Val("dyn", "dyn", True)
        if e.parent not in self.info.classes:
            self.raise_now(f"Unknown built-in Box type for delegation: {e.parent}")
            self.emit(("i32.const", 0), ("i64.const", 0))
            return Val("dyn", "dyn")
        parent = self.info.classes[e.parent]
        if e.method in CTOR_NAMES:
            m = parent.find_ctor(len(e.args))
        else:
            m = parent.find_method(e.method, len(e.args))
        if m is None:  # implicit empty constructor
            return self.const_dyn(T_VOID)
        self.emit(("local.get", "$me"))
        temps = self.args_for(e.args, ["dyn"] * len(e.args))
        self.finish_call(self.mg.method_func(m), temps, True)
        return Val("dyn", "dyn", True)

    def e_MethodCall(self, e: A.MethodCall) -> Val:
        argc = len(e.args)
        obj = e.obj
        # static box: Name.method(...)
        if isinstance(obj, A.Var) and self.info.var_kind.get(id(obj)) == "static":
            cls = self.info.classes[obj.name]
            m = cls.find_method(e.name, argc)
            if m is None:
                for a in e.args:
                    self.drop(self.expr(a))
                return self.warn_deferred(e, f"Unknown method '{e.name}' for {cls.name}")
            self.emit(("global.get", f"$static:{cls.name}"))
            temps = self.args_for(e.args, ["dyn"] * argc)
            self.finish_call(self.mg.method_func(m), temps, True)
            return Val("dyn", "dyn", True)
        # me.method(...) bound directly when every descendant resolves to the same method
        if isinstance(obj, A.Me) and self.cls is not None:
            targets = {id(c.find_method(e.name, argc)): c.find_method(e.name, argc) for c in self.cls.descendants()}
            if len(targets) == 1 and None not in [*targets.values()]:
                m = next(iter(targets.values()))
                self.emit(("local.get", "$me"))
                temps = self.args_for(e.args, ["dyn"] * argc)
                self.finish_call(self.mg.method_func(m), temps, True)
                return Val("dyn", "dyn", True)
        v = self.expr(obj)
        kind = v.kind
        # exact user box
        if kind.startswith("obj:"):
            cls = self.info.classes[kind[4:]]
            m = cls.find_method(e.name, argc)
            if m is not None:
                tmp = self.stash() if v.owned else None
                p = self.tmp("i64")
                self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",))
                temps = self.args_for(e.args, ["dyn"] * argc)
                self.finish_call(self.mg.method_func(m), temps + ([tmp] if tmp else []), True)
                return Val("dyn", "dyn", True)
        # builtin receiver of a known kind
        tag = KIND_OF_STATIC.get(kind)
        if tag is not None:
            fast = self.builtin_fast(kind, e, v)
            if fast is not None:
                return fast
            fn = f"$m_{BUILTIN_KIND_NAMES[tag]}_{e.name}"
            if self.mg.rt.method_argc.get(fn) == argc:
                tmp = None
                if v.st == "dyn":
                    tmp = self.stash() if v.owned else None
                    p = self.tmp("i64")
                    self.emit(("local.set", p), ("drop",), ("local.get", p))
                elif v.st == "f64":
                    self.emit(("i64.reinterpret_f64",))
                elif v.st == "i32":
                    self.emit(("i64.extend_i32_u",))
                temps = self.args_for(e.args, ["dyn"] * argc)
                self.finish_call(fn, temps + ([tmp] if tmp else []), fn not in NON_RAISING)
                return self.unbox_known(_METHOD_RESULTS.get((kind, e.name), "dyn"))
            if fn not in self.mg.rt.method_argc:
                self.drop(v)
                for a in e.args:
                    self.drop(self.expr(a))
                return self.warn_deferred(e, f"Unknown method '{e.name}' for {BUILTIN_KIND_NAMES[tag]}Box")
        # dynamic dispatch
        self.to_dyn(v)
        tmp = self.stash() if v.owned else None
        temps = self.args_for(e.args, ["dyn"] * argc)
        fn = self.mg.method_dispatcher(e.name, argc)
        self.finish_call(fn, temps + ([tmp] if tmp else []), True)
        return Val("dyn", "dyn", True)

    def inline_slot_get(self, slot: int, fname: str, obj: str = "$me") -> None:
        """obj.field for a declared field at a fixed slot: load, unset check, retain."""
        t, v = self.tmp_pair()
        off = 24 + 16 * slot
        self.emit(("local.get", obj), ("i32.load", off, None), ("local.tee", t), ("i32.const", T_UNSET), ("i32.eq",),
                  ("if", None, None), ("i32.const", self.mg.string_lit(fname)), ("i32.const", T_INST),
                  ("local.get", obj), ("i64.extend_i32_u",), ("call", "$raise_no_field"),
                  ("br", self.handler_label()), ("end",),
                  ("local.get", obj), ("i64.load", off + 8, None), ("local.set", v),
                  ("local.get", t), ("local.get", v), ("call", "$retain"), ("local.get", t), ("local.get", v))

    def inline_slot_set(self, slot: int, xt: str, xv: str, obj: str = "$me") -> None:
        """obj.field = x at a fixed slot: retain the new value, release the old one."""
        ot, ov = self.tmp_pair()
        off = 24 + 16 * slot
        self.emit(("local.get", xt), ("local.get", xv), ("call", "$retain"),
                  ("local.get", obj), ("i32.load", off, None), ("local.set", ot),
                  ("local.get", obj), ("i64.load", off + 8, None), ("local.set", ov),
                  ("local.get", obj), ("local.get", xt), ("i32.store", off, None),
                  ("local.get", obj), ("local.get", xv), ("i64.store", off + 8, None),
                  ("local.get", ot), ("local.get", ov), ("call", "$release"))

    def inline_arr_get(self, a: str, i: str) -> None:
        """ArrayBox.get(i) without a call: bounds check, load, retain (owned result)."""
        slot, t = self.tmp("i32"), self.tmp("i32")
        self.emit(("local.get", i), ("local.get", a), ("i64.load32_u", 4, None), ("i64.lt_u",),
                  ("if", None, ((), ("i32", "i64"))),
                  ("local.get", a), ("i32.load", 12, None), ("local.get", i), ("i32.wrap_i64",),
                  ("i32.const", 4), ("i32.shl",), ("i32.add",), ("local.tee", slot), ("i32.load", 0, None),
                  ("local.tee", t), ("i32.const", T_STR), ("i32.sub",), ("i32.const", 5), ("i32.lt_u",),
                  ("if", None, None), ("local.get", t), ("local.get", slot), ("i64.load", 8, None),
                  ("call", "$retain"), ("end",),
                  ("local.get", t), ("local.get", slot), ("i64.load", 8, None),
                  ("else",), ("i32.const", T_NULL), ("i64.const", 0), ("end",))

    def inline_arr_push(self, a: str, xt: str, xv: str) -> None:
        """ArrayBox.push(x): store in place while capacity lasts, else the runtime grows it."""
        n, slot = self.tmp("i32"), self.tmp("i32")
        self.emit(("local.get", a), ("i32.load", 4, None), ("local.tee", n), ("local.get", a), ("i32.load", 8, None),
                  ("i32.lt_u",), ("if", None, None),
                  ("local.get", xt), ("local.get", xv), ("call", "$retain"),
                  ("local.get", a), ("i32.load", 12, None), ("local.get", n), ("i32.const", 4), ("i32.shl",),
                  ("i32.add",), ("local.tee", slot), ("local.get", xt), ("i32.store", 0, None),
                  ("local.get", slot), ("local.get", xv), ("i64.store", 8, None),
                  ("local.get", a), ("local.get", n), ("i32.const", 1), ("i32.add",), ("i32.store", 4, None),
                  ("else",), ("local.get", a), ("local.get", xt), ("local.get", xv), ("call", "$arr_push_v"),
                  ("end",))

    def inline_arr_set(self, a: str, i: str, xt: str, xv: str) -> None:
        """ArrayBox.set(i, x) in place; out of range is the runtime's slow path."""
        slot, ot, ov = self.tmp("i32"), self.tmp("i32"), self.tmp("i64")
        self.emit(("local.get", i), ("local.get", a), ("i64.load32_u", 4, None), ("i64.lt_u",),
                  ("if", None, ((), ("i32", "i64"))),
                  ("local.get", xt), ("local.get", xv), ("call", "$retain"),
                  ("local.get", a), ("i32.load", 12, None), ("local.get", i), ("i32.wrap_i64",),
                  ("i32.const", 4), ("i32.shl",), ("i32.add",), ("local.tee", slot), ("i32.load", 0, None),
                  ("local.set", ot), ("local.get", slot), ("i64.load", 8, None), ("local.set", ov),
                  ("local.get", ot), ("local.get", ov), ("call", "$release"),
                  ("local.get", slot), ("local.get", xt), ("i32.store", 0, None),
                  ("local.get", slot), ("local.get", xv), ("i64.store", 8, None),
                  ("i32.const", T_STR), ("i64.const", self.mg.string_lit("ok")),
                  ("else",), ("local.get", a), ("local.get", i), ("local.get", xt), ("local.get", xv),
                  ("call", "$arr_set_i"), ("end",))

    def unbox_known(self, kind: str) -> Val:
        """A runtime result (tag, payload) whose kind is known: keep the scalar only."""
        st = storage(kind)
        if st == "dyn":
            return Val(kind, "dyn", True)
        x = self.tmp("i64")
        self.emit(("local.set", x), ("drop",), ("local.get", x))
        if st == "f64":
            self.emit(("f64.reinterpret_i64",))
        elif st == "i32":
            self.emit(("i32.wrap_i64",))
        return Val(kind, st)

    def builtin_fast(self, kind: str, e: A.MethodCall, v: Val) -> Val | None:
        """Direct runtime calls for the hottest collection methods."""
        if kind == "map" and e.name == "set" and len(e.args) == 2 and v.st == "dyn" and self.discarded is e:
            # statement `m.set(k, v)`: the "Set key: K" message would be thrown away
            tmp = self.stash() if v.owned else None
            p = self.tmp("i64")
            self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",))
            temps = self.args_for(e.args, ["dyn", "dyn"])
            self.emit(("call", "$map_set_v"))
            self.release_all(temps + ([tmp] if tmp else []))
            self.check_exc()  # bad key kinds raise
            return self.const_dyn(T_VOID)
        if kind == "arr" and e.name == "push" and len(e.args) == 1 and v.st == "dyn":
            tmp = self.stash() if v.owned else None
            p = self.tmp("i64")
            self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",))
            a = self.tmp("i32")
            self.emit(("local.set", a))
            x = self.expr(e.args[0])
            self.to_dyn(x)
            xt, xv = self.tmp_pair()
            self.emit(("local.set", xv), ("local.set", xt))
            self.inline_arr_push(a, xt, xv)
            temps = [(xt, xv)] if x.owned else []
            self.release_all(temps + ([tmp] if tmp else []))
            self.emit(("i32.const", T_STR), ("i64.const", self.mg.string_lit("ok")))
            return Val("str", "dyn", False)
        if kind == "arr" and e.name in ("get", "set", "length") and v.st == "dyn":
            if e.name == "length" and not e.args:
                tmp = self.stash() if v.owned else None
                p = self.tmp("i64")
                self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",), ("call", "$arr_len"))
                self.release_all([tmp] if tmp else [])
                return Val("int", "i64")
            if e.args and self.mg._static_kind(self.body, e.args[0]) == "int" and len(e.args) == (1 if e.name == "get" else 2):
                tmp = self.stash() if v.owned else None
                p = self.tmp("i64")
                a = self.tmp("i32")
                self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",), ("local.set", a))
                idx = self.expr(e.args[0])
                self.coerce(idx, "i64")
                i = self.tmp("i64")
                self.emit(("local.set", i))
                if e.name == "get":
                    self.inline_arr_get(a, i)
                    self.release_all([tmp] if tmp else [])
                    return Val("dyn", "dyn", True)
                x = self.expr(e.args[1])
                self.to_dyn(x)
                xt, xv = self.tmp_pair()
                self.emit(("local.set", xv), ("local.set", xt))
                self.inline_arr_set(a, i, xt, xv)
                temps = [(xt, xv)] if x.owned else []
                self.release_all(temps + ([tmp] if tmp else []))
                return Val("str", "dyn", False)  # "ok" or the bounds message: immortal strings
        return None




class RuntimeLib:
    """The parsed runtime (plus compiler support code), shared by every compilation."""

    def __init__(self) -> None:
        from importlib import resources
        from ..runtime import load_sources
        from ..wasm.wat_parser import parse_fields
        texts = load_sources()
        support = (resources.files("nyash_build.compiler") / "support.wat").read_text(encoding="utf-8")
        texts.append(("support.wat", support))
        self.funcs: list[Func] = []
        self.globals: list[Global] = []
        self.data: list[Data] = []
        self.exports: list[tuple[str, str, str]] = []
        for name, text in texts:
            frag = parse_fields(text, name)
            self.funcs += frag.funcs
            self.globals += frag.globals
            self.data += frag.data
            self.exports += frag.exports
        self.func_names = {f.name for f in self.funcs}
        self.method_argc: dict[str, int] = {}
        for f in self.funcs:
            if f.name.startswith("$m_"):
                self.method_argc[f.name] = (len(f.params) - 1) // 2


@lru_cache(maxsize=1)
def runtime_lib() -> RuntimeLib:
    return RuntimeLib()


def generate(info: ProgramInfo, inf: Inference) -> tuple[Module, dict[str, str]]:
    """Generate the module; codegen-time warnings are appended to info.warnings."""
    mg = ModuleGen(info, inf, runtime_lib())
    mod = mg.generate()
    info.warnings.extend(mg.warnings)
    info.warnings.sort(key=lambda d: (d.line, d.col))
    return mod, mg.user_functions
