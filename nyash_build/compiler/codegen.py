"""Checked program + kinds -> wasm module IR (docs/design.md has the ABI).

ModuleGen owns what is per module: static data (string literals, class names), the
may-raise analysis, names and signatures of the generated functions, ``_start`` and the
final Module; ``funcgen.FuncGen`` generates each body; ``dispatch`` the dynamic
dispatchers; ``fastpaths`` the inline fast paths; ``runtime_lib`` the linked runtime.
"""
from __future__ import annotations

import struct

from . import ast as A
from .abi import DATA_BASE, MAX_PAGES, T_ARR, T_UNSET
from .dispatch import Dispatchers
from .funcgen import FuncGen
from .infer import Inference, binary_kind, storage
from .program import Body, ProgramInfo
from .runtime_lib import RuntimeLib, runtime_lib
from ..diagnostics import Diagnostic
from ..wasm.module import Data, Func, Global, Import, Memory, Module


class ModuleGen(Dispatchers):
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
            "$lit_iterated": "Iterated over ", "$lit_items": " items",
            "$lit_console_clear": "[Console CLEAR]\n", "$lit_space": " ",
            "$msg_cannot_convert": "Cannot convert '", "$msg_to_integer": "' to integer",
            "$msg_to_float": "' to float", "$msg_to_bool": "' to bool",
            "$lit_true": "true", "$lit_false": "false",
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


def generate(info: ProgramInfo, inf: Inference) -> tuple[Module, dict[str, str]]:
    """Generate the module; codegen-time warnings are appended to info.warnings."""
    mg = ModuleGen(info, inf, runtime_lib())
    mod = mg.generate()
    info.warnings.extend(mg.warnings)
    info.warnings.sort(key=lambda d: (d.line, d.col))
    return mod, mg.user_functions
