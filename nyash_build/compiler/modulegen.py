"""Per-module code generation state shared by every function body.

``ModuleGen`` owns what is per module: static data (string literals), the may-raise
analysis, names and signatures of the generated functions, the generated functions and
globals, and (through the ``Dispatchers`` mixin) the dynamic dispatchers generated on
first use. ``funcgen.FuncGen`` reads and extends it for each body; ``codegen`` drives
the bodies and assembles the final Module. Keeping the state here, apart from the
driver, means funcgen and codegen do not import each other.
"""
from __future__ import annotations

import struct

from . import ast as A
from .abi import DATA_BASE
from ..runtime.tables import address_of
from .boxgen import BoxSupport
from .dispatch import Dispatchers
from .effects import Effects
from .fieldinit import always_assigned
from .infer import Inference, binary_kind, storage
from .program import Body, ProgramInfo
from .runtime_lib import RuntimeLib
from ..diagnostics import Diagnostic
from ..wasm.module import Func, Global


class ModuleGen(Dispatchers, BoxSupport):
    def __init__(self, info: ProgramInfo, inf: Inference, runtime: RuntimeLib) -> None:
        self.info = info
        self.inf = inf
        self.rt = runtime
        self.data = bytearray()
        self.strings: dict[str, int] = {}
        self.funcs: list[Func] = []
        self.globals: list[Global] = []
        self.generated: set[str] = set()
        # the dispatcher calls of fully dynamic method calls (not the fallbacks of
        # guarded calls): the ones inline.py copies into loops (ids of the instructions)
        self.dispatch_calls: set[int] = set()
        self.user_functions: dict[str, str] = {}
        self.warnings: list[Diagnostic] = []
        self.init_boxes(inf.used_boxes)
        self.may_raise = self._may_raise_analysis()
        self.effects = Effects(info, inf)
        self.always_set = always_assigned(info)

    # ---- static data ---------------------------------------------------------------
    def string_lit(self, s: str) -> int:
        addr = self.strings.get(s)
        if addr is None and len(s) == 1 and ord(s) < 128:
            # the runtime's immortal one-character string (what substring/get/split
            # give for that character), so comparing with it is a pointer test
            addr = self.strings[s] = address_of("ascii") + 16 * ord(s)
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
        if plain in self.rt.func_names or plain in ("$_start", "$class_name", "$class_fields"):
            return "$" + body.name
        return plain

    def entry_main(self) -> A.Method | None:
        """The method `_start` calls: static box Main's main() or main(args)."""
        main = self.info.classes.get("Main")
        if main is None or not main.is_static:
            return None
        return main.find_method("main", 0) or main.find_method("main", 1)

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
