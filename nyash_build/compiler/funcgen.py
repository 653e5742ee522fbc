"""One Nyash body (function, method or top level) -> one wasm function.

Conventions that keep reference counting simple and cheap:
* an expression leaves its value on the wasm stack together with a flag saying
  whether the value is *owned* (+1) or *borrowed* (locals, literals, ``me``);
* callees borrow their arguments; a parameter that the body assigns is retained at
  entry so it can be released like any other local;
* every owned dynamic temporary is released right after its consumer ran;
* a function releases its dynamic locals once, in the epilogue after block ``$exit``.

Exceptions are a pending flag: after any call that may raise, ``br_if`` to the
innermost handler of the function (a ``try`` block or catch body) or to ``$exit``.
"""
from __future__ import annotations

from . import ast as A
from . import boxkinds as BK
from .abi import (BUILTIN_KIND_NAMES, KIND_OF_STATIC, NON_RAISING, T_ARR, T_BOOL, T_BOX, T_CONSOLE,
                  T_ERR, T_FLOAT, T_INST, T_INT, T_MAP, T_MATH, T_NULL, T_STR, T_VOID)
from .fastpaths import RC_LOCALS, FastPaths, inline_rc_checks
from .loopregion import Region, emit_hoist, emit_pairs, flat_numeric, inner_region, region_of
from .strscan import emit_scan_init, scanned_strings
from .charlocals import COMPARISONS, CharCode, char_locals
from .infer import (NUMERIC, SCALAR, base, binary_kind, core, exact, never_heap, nullable,
                    numeric_core, static_field_site, storage)
from .modulegen import ModuleGen
from .program import CATCH_ALL_TYPES, Body, ClassInfo, arity_help, is_ctor_call, method_names, part_field
from .suggest import did_you_mean
from .values import Val, _Ctx, _wasm_params
from ..diagnostics import Diagnostic
from ..wasm.module import Func

_VALUE_BOXES = frozenset({"StringBox", "IntegerBox", "FloatBox", "BoolBox", "ErrorBox"})
# Constructor arguments of a builtin's empty value (other builtins take none).
_PART_DEFAULTS = {
    "StringBox": (lambda ln, c: A.StrLit(ln, c, ""),), "IntegerBox": (lambda ln, c: A.IntLit(ln, c, 0),),
    "FloatBox": (lambda ln, c: A.FloatLit(ln, c, 0.0),), "BoolBox": (lambda ln, c: A.BoolLit(ln, c, False),),
    "ErrorBox": (lambda ln, c: A.StrLit(ln, c, ""),),
}


class FuncGen(FastPaths, CharCode):
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
        # Statements inside a try (body or catch) record which one runs in $site, so an
        # exception that escapes the try is reported at the statement that raised it, not
        # at whatever the finally ran last (see try_stmt).
        self.sites: list[tuple[int, int]] = []
        self.site_local: str | None = None
        self.region: Region | None = None  # array state hoisted out of the current loop
        # strings the current loops scan by position: name -> (pointer, ASCII prefix) locals
        self.str_scan: dict[str, tuple[str, str]] = {}
        self.fail_to: str | None = None  # where hoisted array tests leave (flat_loop)
        # the `s + n` key of a map lookup being compiled: built in the runtime's scratch
        # key instead of a new string (binary_rest, builtin_fast)
        self.scratch_key: int | None = None

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
        unbox: list[tuple[str, str, str]] = []
        for pname, st in zip(body.params, pst):
            kind = self.inf.local_kind(body, pname)
            if st == "dyn":
                names = [f"$p:{pname}.t", f"$p:{pname}.v"]
                params += [(names[0], "i32"), (names[1], "i64")]
                if storage(kind) != "dyn":
                    # a method parameter that is always a scalar: methods keep the
                    # dynamic calling convention, so unbox it once at entry
                    local = f"$p:{pname}"
                    self.locals.append((local, storage(kind)))
                    unbox.append((names[1], local, storage(kind)))
                    self.vars[pname] = (kind, storage(kind), [local])
                    continue
            else:
                names = [f"$p:{pname}"]
                params.append((names[0], st))
            assert st == "dyn" or storage(kind) == st, (body.name, pname, kind, st)
            self.vars[pname] = (kind, st, names)
        chars = char_locals(self)
        for lname in body.locals:
            kind = self.inf.local_kind(body, lname)
            st = storage(kind)
            if lname in chars:  # one character as an i32 code (charlocals.py)
                names = [f"$l:{lname}"]
                self.locals.append((names[0], "i32"))
                self.vars[lname] = (kind, "chr", names)
                continue
            if st == "dyn":
                names = [f"$l:{lname}.t", f"$l:{lname}.v"]
                self.locals += [(names[0], "i32"), (names[1], "i64")]
            else:
                names = [f"$l:{lname}"]
                self.locals.append((names[0], st))
            self.vars[lname] = (kind, st, names)
        if body.line:
            self.emit(("line", body.line, body.file))
        for payload, local, st in unbox:
            self.emit(("local.get", payload))
            if st == "f64":
                self.emit(("f64.reinterpret_i64",))
            elif st == "i32":
                self.emit(("i32.wrap_i64",))
            self.emit(("local.set", local))
        # assigned dynamic params become owned
        for pname in body.assigned_params:
            kind, st, names = self.vars[pname]
            if st == "dyn" and not never_heap(kind):
                self.emit(("local.get", names[0]), ("local.get", names[1]), ("call", "$retain"))
        self.ret_st = rst[0] if rst else None
        # the result locals: read after $exit even when no return set them (void = 0, 0)
        if self.ret_st == "dyn":
            self.ret = ["$ret.t", "$ret.v"]
            self.locals += [("$ret.t", "i32"), ("$ret.v", "i64")]
        elif self.ret_st:
            self.ret = ["$ret"]
            self.locals.append(("$ret", self.ret_st))
        else:
            self.ret = []
        # The outermost call of Main.main (the one `_start` makes: $main_outer is set and
        # $main_depth, the active calls of Main.main, is 1), or the top level when there
        # is no Main.main, ends the program: before it releases its locals it sets the
        # runtime's $exiting, so what they hold is left to the process exit instead of
        # being freed object by object (nothing observable happens when an object is
        # freed: fini() is never called automatically, files are closed by the exit). A
        # big structure built by main otherwise costs a walk over all its objects after
        # the output is written. The releases themselves stay unconditional: skipping
        # them (or a local saying whether to) changed Cranelift's register allocation of
        # main's loops -- objects took 21-29 ms instead of 18.
        outer = False
        entry = self.mg.entry_main()
        if entry is not None and self.mg.info.method_bodies.get(id(entry)) is body:
            outer = True
            self.emit(("global.get", "$main_depth"), ("i32.const", 1), ("i32.add",), ("global.set", "$main_depth"))
        self.emit(("block", "$exit", None))
        if body.name == "<main>":  # static boxes exist before the top level runs
            for c in self.info.classes.values():
                if c.is_static and c.builtin_parts():
                    p = self.tmp("i32")
                    self.emit(("global.get", f"$static:{c.name}"), ("local.set", p))
                    self.init_builtin_parts(c, p, c.decl)
        self.stmts(body.stmts)
        self.emit(("end",))
        releases: list[tuple] = []
        for name in [*body.locals, *sorted(body.assigned_params)]:
            kind, st, names = self.vars[name]
            if st == "dyn" and not never_heap(kind):
                releases += [("local.get", names[0]), ("local.get", names[1]), ("call", "$release")]
        if outer:
            if releases:  # the outermost call: the releases below free nothing
                self.emit(("global.get", "$main_outer"), ("global.get", "$main_depth"), ("i32.const", 1), ("i32.eq",),
                          ("i32.and",), ("global.set", "$exiting"))
            self.emit(*releases)
            self.emit(("global.get", "$main_depth"), ("i32.const", 1), ("i32.sub",), ("global.set", "$main_depth"))
        else:
            if body.name == "<main>" and entry is None and releases:  # the top level ends the program
                self.emit(("i32.const", 1), ("global.set", "$exiting"))
            self.emit(*releases)
        for r in self.ret:
            self.emit(("local.get", r))
        self.code = inline_rc_checks(self.code)
        self.locals += RC_LOCALS
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

    def raising_call(self, fn: str) -> None:
        """Call fn on a slow path that always raises (a null receiver or operand of an
        operation null does not have): leave for the handler, never rejoin the fast path,
        so the fast path's values need not survive a call (nor be spilled around it)."""
        self.emit(("call", fn), ("global.get", "$exc_pending"), ("br_if", self.handler_label()),
                  ("unreachable",))

    def raise_now(self, message: str) -> None:
        self.emit(("i32.const", self.mg.string_lit(message)), ("call", "$raise_error"), ("br", self.handler_label()))

    # ---- statements ----------------------------------------------------------------------------
    def stmts(self, stmts: list[A.Stmt]) -> None:
        for s in stmts:
            self.stmt(s)

    def stmt(self, s: A.Stmt) -> None:
        self.emit(("line", s.line, s.file))
        if any(c.kind in ("try", "handler") for c in self.ctx):
            if self.site_local is None:
                self.site_local = self.tmp("i32")
            self.sites.append((s.line, s.file))
            self.emit(("i32.const", len(self.sites) - 1), ("local.set", self.site_local))
        if isinstance(s, A.Local):
            for name, init, _, _ in s.names:
                kind, st, names = self.vars[name]
                if st == "chr":
                    if init is None:
                        self.emit(("i32.const", 0))  # void
                    else:
                        self.chr_code_of(init)
                    self.emit(("local.set", names[0]))
                    continue
                if init is None:
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
            saved_scan = self.str_scan
            self.str_scan = dict(saved_scan)
            for name in scanned_strings(self, s):
                if name not in self.str_scan:
                    self.str_scan[name] = emit_scan_init(self, name)
            outer = self.region
            if outer is None:
                region = region_of(self, s)
                if region is not None:
                    emit_hoist(self, region)
            else:
                region = inner_region(self, outer, s)
                if region is not None:
                    emit_pairs(self, region, region.pairs.keys() - outer.pairs.keys())
            if region is not None:
                self.region = region
            if self.region is not None and flat_numeric(self, self.region, s):
                self.flat_loop(s)
                self.region = outer
                self.str_scan = saved_scan
                return
            self.n += 1
            brk, cont = f"$brk{self.n}", f"$cont{self.n}"
            self.emit(("block", brk, None), ("loop", cont, None))
            self.exit_unless(s.cond, brk)
            self.ctx.append(_Ctx("loop", brk))
            self.stmts(s.body)
            self.ctx.pop()
            self.emit(("br", cont), ("end",), ("end",))
            self.region = outer
            self.str_scan = saved_scan
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
            v = self.expr(s.value, borrow=True)
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

    def flat_loop(self, s: A.Loop) -> None:
        """A loop of plain numeric statements in a region (loopregion.flat_numeric): a
        fast copy whose array tests branch out of it instead of to inline slow paths --
        one taken branch per turn, nothing spilled for calls -- and, after it, for each
        statement (and the condition) the generic code from that statement to the end
        of the turn, which then re-enters the fast copy. A statement leaves before its
        only effect, so the generic code runs it again whole: the same operations in the
        same order as without the fast copy."""
        self.n += 1
        n = self.n
        brk, cont, again = f"$brk{n}", f"$cont{n}", f"$again{n}"
        fails = [f"$fail{n}_{k}" for k in range(len(s.body) + 1)]
        self.emit(("block", brk, None), ("loop", again, None))
        for label in reversed(fails):
            self.emit(("block", label, None))
        self.emit(("loop", cont, None))
        self.ctx.append(_Ctx("loop", brk))
        self.fail_to = fails[0]
        self.exit_unless(s.cond, brk)
        for k, st in enumerate(s.body):
            self.fail_to = fails[k + 1]
            self.stmt(st)
        self.fail_to = None
        self.emit(("br", cont), ("end",))
        for k in range(len(fails)):
            self.emit(("end",))
            if k == 0:
                self.emit(("line", s.line, s.file))
                self.exit_unless(s.cond, brk)
            self.stmts(s.body[max(k - 1, 0):])
            self.emit(("br", again))
        self.ctx.pop()
        self.emit(("end",), ("end",))

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
        site = None
        if self.site_local is not None:  # the finally's own statements must not move the raise site
            site = self.tmp("i32")
            self.emit(("local.get", self.site_local), ("local.set", site))
        self.stmts(final)
        if site is not None:
            self.emit(("local.get", site), ("local.set", self.site_local))
        self.emit(("local.get", pp), ("global.set", "$exc_pending"), ("local.get", pt), ("global.set", "$exc_tag"),
                  ("local.get", pv), ("global.set", "$exc_val"))

    def rethrow_at_site(self, first: int, s: A.Try) -> None:
        """End the program with the uncaught exception, located at the statement that
        raised it: one `call $rethrow_uncaught` per statement of the try (sites first..),
        each after that statement's line mark, chosen by $site."""
        n = len(self.sites) - first
        if self.site_local is None or n <= 0:
            self.emit(("call", "$rethrow_uncaught"))
            return
        self.n += 1
        done, other = f"$rethrown{self.n}", f"$othersite{self.n}"
        labels = [f"$site{self.n}_{i}" for i in range(n)]
        self.emit(("block", done, None), ("block", other, None))
        for lab in reversed(labels):
            self.emit(("block", lab, None))
        self.emit(("local.get", self.site_local), ("i32.const", first), ("i32.sub",), ("br_table", labels, other))
        for i, lab in enumerate(labels):
            line, file = self.sites[first + i]
            self.emit(("end",), ("line", line, file), ("call", "$rethrow_uncaught"), ("br", done))
        self.emit(("end",), ("line", s.line, s.file), ("call", "$rethrow_uncaught"), ("end",), ("line", s.line, s.file))

    def try_stmt(self, s: A.Try) -> None:
        self.n += 1
        n = self.n
        saved = self.tmp("i32")
        after, handler = f"$tryend{n}", f"$handler{n}"
        self.emit(("global.get", "$try_depth"), ("local.tee", saved), ("i32.const", 1), ("i32.add",),
                  ("global.set", "$try_depth"))
        self.emit(("block", after, None), ("block", handler, None))
        self.ctx.append(_Ctx("try", handler, saved, s.final))
        first_site = len(self.sites)
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
        self.emit(("global.get", "$try_depth"), ("i32.eqz",), ("if", None, None))
        self.rethrow_at_site(first_site, s)
        self.emit(("end",))
        self.emit(("br", self.handler_label()), ("end",))

    # ---- assignment ----------------------------------------------------------------------------
    def assign(self, s: A.Assign) -> None:
        t = s.target
        if isinstance(t, A.Var):
            if self.info.var_kind.get(id(t)) == "local":
                kind, st, names = self.vars[t.name]
                if st == "chr":
                    self.chr_code_of(s.value)
                    self.emit(("local.set", names[0]))
                    return
                parts = self.append_parts(t.name, s.value)
                if parts is not None:
                    self.append_in_place(t.name, parts)
                else:
                    self.assign_local(t.name, self.expr(s.value))
            else:
                gt, gv = f"$g:{t.name}.t", f"$g:{t.name}.v"
                parts = self.global_append_parts(t.name, s.value)
                if parts is not None:
                    # g = g + a + b on a global holding a string: grown in place like a
                    # local's (the parts run no user code, so g is read after them)
                    self.emit(("global.get", gt), ("i32.const", T_STR), ("i32.eq",), ("if", None, None))
                    self.grow_in_place(parts, [("global.get", gv), ("i32.wrap_i64",)],
                                       [("i64.extend_i32_u",), ("global.set", gv)])
                    self.emit(("else",))
                v = self.expr(s.value)
                self.coerce(v, "dyn", own=True)
                self.emit(("global.get", gt), ("global.get", gv), ("call", "$release"),
                          ("global.set", gv), ("global.set", gt))
                if parts is not None:
                    self.emit(("end",))
            return
        # field assignment
        if isinstance(t.obj, A.Me) and self.cls is not None:
            site = static_field_site(self.info, self.body, t.obj, "dyn", t.name)
            slot = site[1] if site is not None else None
            parts = None
            if slot is not None and any(base(self.inf.field_kinds.get((c.cid, t.name))) in ("str", "dyn", None)
                                        for c in site[0]):
                parts = self.field_append_parts(t.name, s.value)  # a field that can hold a string
            if parts is not None:
                # me.f = me.f + a + b on a field holding a string: grown in place like a
                # local's (the parts run no user code, so the slot is read after them;
                # $str_append consumes the slot's reference and gives the new one)
                off = 24 + 16 * slot
                self.emit(("local.get", "$me"), ("i32.load", off, None), ("i32.const", T_STR), ("i32.eq",),
                          ("if", None, None))
                r = self.tmp("i32")
                self.grow_in_place(parts, [("local.get", "$me"), ("i32.load", off + 8, None)],
                                   [("local.set", r), ("local.get", "$me"), ("local.get", r), ("i64.extend_i32_u",),
                                    ("i64.store", off + 8, None)])
                self.emit(("else",))
            v = self.expr(s.value)
            self.to_dyn(v)
            x = self.tmp_pair()
            self.emit(("local.set", x[1]), ("local.set", x[0]))
            if slot is not None:
                self.store_slot(site, t.name, v.kind, x[0], x[1], "$me")
            else:
                fn = self.mg.field_dispatcher(t.name, True)
                self.emit(("i32.const", T_INST), ("local.get", "$me"), ("i64.extend_i32_u",),
                          ("local.get", x[0]), ("local.get", x[1]), ("i32.const", self.ctx_cid))
                self.call(fn)
            if v.owned:
                self.emit(("local.get", x[0]), ("local.get", x[1]), ("call", "$release"))
            if parts is not None:
                self.emit(("end",))
            return
        ov = self.expr(t.obj)
        site = static_field_site(self.info, self.body, t.obj, ov.kind, t.name)
        guarded = site is None and nullable(ov.kind) and core(ov.kind).startswith("obj:")
        if guarded:  # the box or null: fixed slot after a tag test, else the dispatcher
            site = static_field_site(self.info, self.body, t.obj, core(ov.kind), t.name)
            guarded = site is not None
        self.to_dyn(ov)
        ot, ox = self.tmp_pair()
        self.emit(("local.set", ox), ("local.set", ot))
        fn = self.mg.field_dispatcher(t.name, True)
        if site is not None:
            p = self.tmp("i32")
            self.emit(("local.get", ox), ("i32.wrap_i64",), ("local.set", p))
            v = self.expr(s.value)
            self.to_dyn(v)
            vt, vv = self.tmp_pair()
            self.emit(("local.set", vv), ("local.set", vt))
            if guarded:
                self.emit(("local.get", ot), ("i32.const", T_INST), ("i32.eq",), ("if", None, None))
            self.store_slot(site, t.name, v.kind, vt, vv, p)
            if guarded:  # null: the dispatcher's error, without rejoining the store
                self.emit(("else",), ("i32.const", self.mg.string_lit(t.name)), ("local.get", ot), ("local.get", ox))
                self.raising_call("$raise_no_field")
                self.emit(("end",))
            if v.owned:
                self.emit(("local.get", vt), ("local.get", vv), ("call", "$release"))
            if ov.owned:
                self.emit(("local.get", ot), ("local.get", ox), ("call", "$release"))
            return
        v = self.expr(s.value)
        self.to_dyn(v)
        vt, vv = self.tmp_pair()
        self.emit(("local.set", vv), ("local.set", vt))
        self.emit(("local.get", ot), ("local.get", ox), ("local.get", vt), ("local.get", vv), ("i32.const", self.ctx_cid))
        self.call(fn)
        if v.owned:
            self.emit(("local.get", vt), ("local.get", vv), ("call", "$release"))
        if ov.owned:
            self.emit(("local.get", ot), ("local.get", ox), ("call", "$release"))

    def store_slot(self, site: tuple[list, int], fname: str, vkind: str, vt: str, vv: str, obj: str) -> None:
        """Store into a fixed slot. When the value and every value the field can hold
        (its inferred kind, in every box the receiver can be) are the same scalar, there
        is nothing to retain or release: two plain stores."""
        classes, slot = site
        if vkind in SCALAR and all(self.inf.field_kinds.get((c.cid, fname)) == vkind for c in classes):
            off = 24 + 16 * slot
            if not all(fname in self.pretagged(c) for c in classes):
                self.emit(("local.get", obj), ("local.get", vt), ("i32.store", off, None))
            self.emit(("local.get", obj), ("local.get", vv), ("i64.store", off + 8, None))
        else:
            self.inline_slot_set(slot, vt, vv, obj)

    def pretagged(self, cls: ClassInfo) -> dict[str, int]:
        """Fields of cls whose slot tag `new` writes up front (field -> tag): every value
        they ever hold is one scalar kind and no read can find them unset (fieldinit),
        so the tag is the same before and after every write and writes store only the
        payload. Unobservable: until the constructor assigns them nothing reads them."""
        return {f: KIND_OF_STATIC[k] for f in sorted(self.mg.always_set.get(cls.cid, ()))
                if (k := self.inf.field_kinds.get((cls.cid, f))) in SCALAR}  # sorted: same bytes every build

    @staticmethod
    def _plus_chain(value: A.Expr) -> tuple[A.Expr, list[A.Expr]]:
        """``x + a + b`` as (x, [a, b])."""
        parts: list[A.Expr] = []
        e = value
        while isinstance(e, A.Binary) and e.op == "+":
            parts.append(e.right)
            e = e.left
        return e, parts[::-1]

    def append_parts(self, name: str, value: A.Expr) -> list[A.Expr] | None:
        """For ``s = s + a + b`` on a string local s, the appended parts [a, b]."""
        if self.vars[name][0] != "str":
            return None
        e, parts = self._plus_chain(value)
        if not parts or not (isinstance(e, A.Var) and e.name == name and self.info.var_kind.get(id(e)) == "local"):
            return None
        return parts

    _NO_USER_CODE = (A.IntLit, A.FloatLit, A.StrLit, A.BoolLit, A.NullLit, A.Me, A.Var, A.Field,
                     A.Binary, A.Unary)

    def _runs_no_user_code(self, x: A.Expr) -> bool:
        if not isinstance(x, self._NO_USER_CODE):
            return False
        if isinstance(x, A.Binary):
            return self._runs_no_user_code(x.left) and self._runs_no_user_code(x.right)
        if isinstance(x, A.Unary):
            return self._runs_no_user_code(x.operand)
        if isinstance(x, A.Field):
            return self._runs_no_user_code(x.obj)
        return True

    def field_append_parts(self, name: str, value: A.Expr) -> list[A.Expr] | None:
        """For ``me.f = me.f + a + b``, the parts [a, b] when none of them can run user
        code (calls, constructors), so none can assign me.f."""
        e, parts = self._plus_chain(value)
        if not parts or not (isinstance(e, A.Field) and isinstance(e.obj, A.Me) and e.name == name):
            return None
        return parts if all(self._runs_no_user_code(p) for p in parts) else None

    def global_append_parts(self, name: str, value: A.Expr) -> list[A.Expr] | None:
        """For ``g = g + a + b`` on a global g, the parts [a, b] when none of them can run
        user code (calls, constructors), so none can assign g."""
        e, parts = self._plus_chain(value)
        if not parts or not (isinstance(e, A.Var) and e.name == name and self.info.var_kind.get(id(e)) == "global"):
            return None
        return parts if all(self._runs_no_user_code(p) for p in parts) else None

    def append_in_place(self, name: str, parts: list[A.Expr]) -> None:
        """s = s + parts on a string local s, grown in place."""
        kind, st, names = self.vars[name]
        self.grow_in_place(parts, [("local.get", names[1]), ("i32.wrap_i64",)],
                           [("i64.extend_i32_u",), ("local.set", names[1]), ("i32.const", T_STR),
                            ("local.set", names[0])])

    def grow_in_place(self, parts: list[A.Expr], load: list[tuple], store: list[tuple]) -> None:
        """Evaluate every part first (integers stay integers, everything else becomes an
        owned string), then grow the string `load` pushes (an i32 pointer whose reference
        $str_append consumes) and hand the result to `store` (see $str_append,
        $str_append_i64)."""
        strs = self.append_part_strings(parts)
        self.emit(*load)
        for p, is_int in strs:
            self.emit(("local.get", p), ("call", "$str_append_i64" if is_int else "$str_append"))
        self.emit(*store)
        for p, is_int in strs:
            if not is_int:
                self.emit(("i32.const", T_STR), ("local.get", p), ("i64.extend_i32_u",), ("call", "$release"))

    def append_part_strings(self, parts: list[A.Expr]) -> list[tuple[str, bool]]:
        """Each part as an i64 local (integers) or an owned string in an i32 local."""
        strs: list[tuple[str, bool]] = []  # (local, is an i64)
        for part in parts:
            v = self.expr(part)
            if v.st == "i64":
                p = self.tmp("i64")
                self.emit(("local.set", p))
                strs.append((p, True))
                continue
            self.to_dyn(v)
            tmp = self.stash() if v.owned else None
            self.emit(("call", "$to_string"))
            if tmp:
                self.release_all([tmp])
            p = self.tmp("i32")
            self.emit(("local.set", p))
            strs.append((p, False))
        return strs

    def assign_local(self, name: str, v: Val) -> None:
        kind, st, names = self.vars[name]
        if st == "dyn":
            self.coerce(v, "dyn", own=True)
            if not never_heap(kind):  # e.g. int?: the old value needs no release
                self.emit(("local.get", names[0]), ("local.get", names[1]), ("call", "$release"))
            self.emit(("local.set", names[1]), ("local.set", names[0]))
        else:
            self.coerce(v, st)
            self.emit(("local.set", names[0]))

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
            if own and not v.owned and not never_heap(v.kind):
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
            if v.owned and not never_heap(v.kind):
                t, x = self.tmp_pair()
                self.emit(("local.set", x), ("local.set", t), ("local.get", t), ("local.get", x),
                          ("call", "$release"))  # inlined by inline_rc_checks
            else:
                self.emit(("drop",), ("drop",))
        else:
            self.emit(("drop",))

    def exit_unless(self, e: A.Expr, label: str) -> None:
        """Branch to label when the condition e is false; ``x and y`` as two branches
        (the same short circuit, no 0/1 value to build and test)."""
        if isinstance(e, A.Binary) and e.op == "and" and id(e) not in self.info.deferred:
            if not self.branchless_safe(e.right):
                self.exit_unless(e.left, label)
                self.exit_unless(e.right, label)
                return
        if isinstance(e, A.Binary) and e.op in ("==", "!=", "<", ">", "<=", ">=") and id(e) not in self.info.deferred:
            v = self.fused_get_binary(e, false_to=label)
            if v is not None:
                if v.st == "i32":
                    self.emit(("i32.eqz",), ("br_if", label))
                return
        self.cond(e)
        self.emit(("i32.eqz",), ("br_if", label))

    _BRANCHLESS_MAX = 40  # instructions of a right operand evaluated whatever the left gives

    def branchless_safe(self, e: A.Expr) -> bool:
        """Whether e is a comparison of locals, literals and fields (no calls, no
        constructors) -- a candidate for evaluation without a short circuit."""
        if not (isinstance(e, A.Binary) and e.op in ("==", "!=", "<", ">", "<=", ">=")):
            return False
        return id(e) not in self.info.deferred and all(
            isinstance(x, (A.IntLit, A.FloatLit, A.StrLit, A.BoolLit, A.NullLit, A.Var))
            and id(x) not in self.info.deferred for x in (e.left, e.right))

    def branchless_operand(self, e: A.Expr) -> tuple[list[tuple] | None, bool]:
        """(the code of the condition e, whether it can run whatever the left operand of
        and/or gave): a comparison of locals and literals whose code cannot raise (no
        branch out of it, no call but to functions that never raise) and is short.
        Upstream evaluates both operands anyway (spec 11 row 19); for such operands the
        short circuit is unobservable, and without it the two tests are one branch:
        data-dependent character tests (c == "a" or c == "e" ...) mispredict less.
        The code is None when e is not even a candidate (compile it in place)."""
        if not self.branchless_safe(e):
            return None, False
        code = self.cond_apart(e)
        return code, self._branch_free(code)

    def cond_apart(self, e: A.Expr) -> list[tuple]:
        """The code of cond(e), not placed."""
        mark = len(self.code)
        self.cond(e)
        code = self.code[mark:]
        del self.code[mark:]
        return code

    def _branch_free(self, code: list[tuple]) -> bool:
        """Short code that cannot raise or leave: no branch out of it, no call but to
        functions that never raise."""
        defined = {ins[1] for ins in code if ins[0] in ("block", "loop", "if") and len(ins) > 1}
        real = [ins for ins in code if ins[0] != "line"]
        for ins in real:
            if ins[0] == "call" and ins[1] not in NON_RAISING:
                return False
            if ins[0] in ("br", "br_if") and ins[1] not in defined:
                return False
            if ins[0] in ("br_table", "return", "unreachable", "global.set"):
                return False
        return len(real) <= self._BRANCHLESS_MAX

    def string_test_split(self, e: A.Binary) -> Val | None:
        """`d >= "0" and d <= "9"` on a dynamic local d that may hold a string (or a
        character local that may be void): when d's tag says string (its code is not
        0), both comparisons as branch-free string tests combined without a
        short circuit; otherwise the ordinary short-circuit code. The tag test is
        predictable where the character tests are not."""
        sides = []
        for x in (e.left, e.right):
            if not self.branchless_safe(x):
                return None
            vs = [y for y in (x.left, x.right) if isinstance(y, A.Var)]
            if len(vs) != 1 or not any(isinstance(y, A.StrLit) for y in (x.left, x.right)):
                return None
            sides.append(vs[0])
        name = sides[0].name
        if sides[1].name != name or self.info.var_kind.get(id(sides[0])) != "local" or name not in self.vars:
            return None
        kind, st, names = self.vars[name]
        if st == "chr" and kind != "str":  # a character code: 0 is void
            test = [("local.get", names[0])]
        elif st != "dyn" or kind == "str" or base(kind) not in ("str", "dyn"):
            return None
        else:
            test = [("local.get", names[0]), ("i32.const", T_STR), ("i32.eq",)]
        self.vars[name] = ("str", st, names)
        try:
            left, right = self.cond_apart(e.left), self.cond_apart(e.right)
        finally:
            self.vars[name] = (kind, st, names)
        if not (self._branch_free(left) and self._branch_free(right)):
            return None
        self.emit(*test, ("if", None, "i32"),
                  *left, *right, ("i32.and" if e.op == "and" else "i32.or",), ("else",))
        self.cond(e.left)
        self.emit(("if", None, "i32"))
        if e.op == "and":
            self.cond(e.right)
            self.emit(("else",), ("i32.const", 0), ("end",))
        else:
            self.emit(("i32.const", 1), ("else",))
            self.cond(e.right)
            self.emit(("end",))
        self.emit(("end",))
        return Val("bool", "i32")

    def cond_code(self, e: A.Expr, code: list[tuple] | None) -> None:
        """cond(e), or its code compiled already."""
        if code is None:
            self.cond(e)
        else:
            self.code.extend(code)

    def cond(self, e: A.Expr) -> None:
        """Compile e as a condition: an i32 0/1 by the truthiness rules."""
        v = self.expr(e, borrow=True)
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
    def expr(self, e: A.Expr, borrow: bool = False) -> Val:
        """Compile e. ``borrow``: the consumer uses the value only until code that is
        release-free (effects.py) has run, so a value read from a field or an array
        need not be retained (it comes back not owned)."""
        msg = self.info.deferred.get(id(e))
        if msg is not None:
            return self.deferred_error(msg)
        if borrow and isinstance(e, (A.Field, A.MethodCall)):
            return getattr(self, "e_" + type(e).__name__)(e, borrow=True)
        m = getattr(self, "e_" + type(e).__name__)
        return m(e)

    def release_free(self, e: A.Expr) -> bool:
        return self.mg.effects.expr_free(self.body, e)

    def deferred_error(self, msg: str) -> Val:
        """Code that raises msg when reached (the value after it is never used)."""
        self.raise_now(msg)
        self.emit(("i32.const", 0), ("i64.const", 0))
        return Val("dyn", "dyn")

    def warn_deferred(self, e: A.MethodCall, msg: str, code: str, label: str,
                      candidates: dict[str, str]) -> Val:
        """An unknown method found while generating code: as the checker's deferred errors."""
        self.mg.warnings.append(Diagnostic(self.info.file_of(e), e.line, e.col, msg, "warning", True, code,
                                           end_col=e.col + len(e.name), label=label,
                                           suggestions=did_you_mean(e.name, candidates)))
        return self.deferred_error(msg)

    def warn_no_method(self, e: A.MethodCall, cls) -> None:
        """``obj.name(args)`` on a value known to be exactly a ``cls`` instance that has no
        such method: the dispatcher raises ``Unknown method`` there (the call is still
        generated as usual). A warning like the checker's, with the closest method."""
        argc = len(e.args)
        if cls.builtin_parts() or (e.name in ("fini", "toString") and argc == 0):
            return  # a builtin part or every instance answers
        names = {n: f"a method of {cls.name}" for n in method_names(cls)}
        if e.name in names:
            code, label, fix = "N0209", f"called with {argc} argument{'s' * (argc != 1)}", ()
            help = arity_help([cls], e.name)
        else:
            code, label, help = "N0207", f"{cls.name} has no method of this name", ""
            fix = did_you_mean(e.name, {**names, **({"toString": "a method of every box"} if argc == 0 else {})})
        self.mg.warnings.append(Diagnostic(self.info.file_of(e), e.line, e.col,
                                           f"Unknown method '{e.name}' for {cls.name}", "warning", True, code,
                                           end_col=e.col + len(e.name), label=label, suggestions=fix,
                                           help=help))

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
            if st == "chr":
                return self.chr_value(kind, names[0])
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

    _STR_CMP = {"<": "i32.lt_s", ">": "i32.gt_s", "<=": "i32.le_s", ">=": "i32.ge_s"}

    def e_Binary(self, e: A.Binary) -> Val:
        op = e.op
        if op in ("and", "or"):
            split = self.string_test_split(e)
            if split is not None:
                return split
            self.cond(e.left)
            right, branchless = self.branchless_operand(e.right)
            if branchless:
                self.code.extend(right)
                self.emit(("i32.and" if op == "and" else "i32.or",))
                return Val("bool", "i32")
            self.emit(("if", None, "i32"))
            if op == "and":
                self.cond_code(e.right, right)
                self.emit(("else",), ("i32.const", 0), ("end",))
            else:
                self.emit(("i32.const", 1), ("else",))
                self.cond_code(e.right, right)
                self.emit(("end",))
            return Val("bool", "i32")
        if op in ("==", "!=") and (isinstance(e.left, A.NullLit) or isinstance(e.right, A.NullLit)):
            # only null equals null: a tag test (void, instances, ... are never null)
            other = e.right if isinstance(e.left, A.NullLit) else e.left
            v = self.expr(other, borrow=True)
            if v.st != "dyn":
                self.emit(("drop",), ("i32.const", int(op == "!=")))
                return Val("bool", "i32")
            t, x = self.tmp_pair()
            self.emit(("local.set", x), ("local.tee", t), ("i32.const", T_NULL),
                      ("i32.eq" if op == "==" else "i32.ne",))
            if v.owned:
                self.emit(("local.get", t), ("local.get", x), ("call", "$release"))
            return Val("bool", "i32")
        if op == "+" and isinstance(e.left, A.Binary) and e.left.op == "+":
            return self.plus_chain(e)
        if op in COMPARISONS:
            chr_cmp = self.chr_compare(e)
            if chr_cmp is not None:
                return chr_cmp
        fused = self.fused_get_binary(e)
        if fused is not None:
            return fused
        return self.binary_rest(e, self.expr(e.left, borrow=self.release_free(e.right)))

    def numeric_local(self, x: A.Expr) -> bool:
        if not (isinstance(x, A.Var) and self.info.var_kind.get(id(x)) == "local" and x.name in self.vars):
            return False
        kind = self.vars[x.name][0]
        return numeric_core(kind) in NUMERIC and never_heap(kind)

    def static_int(self, x: A.Expr) -> bool:
        """x's code gives an i64 (an integer literal, an integer local, + - * of those)."""
        if isinstance(x, A.IntLit):
            return True
        if isinstance(x, A.Var):
            return (self.info.var_kind.get(id(x)) == "local" and x.name in self.vars
                    and self.vars[x.name][1] == "i64")
        if isinstance(x, A.Binary) and x.op in ("+", "-", "*"):
            return self.static_int(x.left) and self.static_int(x.right)
        return False

    def fused_get_binary(self, e: A.Binary, false_to: str | None = None) -> Val | None:
        """``a.get(i) OP x`` / ``x OP a.get(i)`` on an array whose elements are all
        integers (floats) by inference, with x a number: one fast path that tests the
        index, the typed storage mode and x's tag, loads the element and applies the
        wasm operator -- no (tag, payload) pair for the element, no tag test of it.
        Anything else (out of range: null; another storage mode; x not a number) is the
        generic code, ArrayBox.get and the operator, which the element kind makes exact
        (arithmetic on null raises). The element is read after x is evaluated when it
        stands on the left, so x must then be a variable or a literal."""
        op = e.op
        if op not in self._DYN_OPS or op in ("%",):
            return None
        if isinstance(e.left, A.MethodCall) and e.left.name == "get" and len(e.left.args) == 1:
            g, other, g_left = e.left, e.right, True
        elif isinstance(e.right, A.MethodCall) and e.right.name == "get" and len(e.right.args) == 1:
            g, other, g_left = e.right, e.left, False
        else:
            return None
        # decided before any code is generated: the other operand a number-kinded local
        # or a literal, the index statically an integer
        if not (isinstance(other, (A.IntLit, A.FloatLit)) or self.numeric_local(other)):
            return None
        if not self.static_int(g.args[0]):
            return None
        gk = self.inf.node_kind(g)
        gc = numeric_core(gk)
        rkind = self.inf.receiver_kinds.get(id(g), "dyn")
        if gc not in NUMERIC or not never_heap(gk) or base(rkind) != "arr" or nullable(rkind):
            return None
        mode = self.predicted_mode(self.inf.elem_kind_of(rkind))
        if mode != (T_INT if gc == "int" else T_FLOAT):
            return None
        mark = len(self.code)

        def bail() -> None:
            del self.code[mark:]
            return None

        def numeric(v: Val) -> bool:
            return numeric_core(v.kind) in NUMERIC and never_heap(v.kind) and v.st in ("i64", "f64", "dyn")

        def save(v: Val) -> tuple[str, ...]:
            if v.st == "dyn":
                t, x = self.tmp_pair()
                self.emit(("local.set", x), ("local.set", t))
                return (t, x)
            loc = self.tmp(v.st)
            self.emit(("local.set", loc))
            return (loc,)

        ov = osave = None
        if not g_left:
            ov = self.expr(other)
            if not numeric(ov):
                return bail()
            osave = save(ov)
        rv = self.expr(g.obj, borrow=self.release_free(g.args[0]))
        if base(rv.kind) != "arr" or nullable(rv.kind) or rv.st != "dyn":
            return bail()
        tmp = self.stash() if rv.owned else None
        p, a = self.tmp("i64"), self.tmp("i32")
        self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",), ("local.set", a))
        iv = self.expr(g.args[0])
        if iv.st != "i64":
            return bail()
        i = self.tmp("i64")
        self.emit(("local.set", i))
        if g_left:
            ov = self.expr(other)
            if not numeric(ov):
                return bail()
            osave = save(ov)
        oc = numeric_core(ov.kind)
        cmp = op in ("==", "!=", "<", ">", "<=", ">=")
        domain = "f64" if "float" in (gc, oc) else "i64"
        if domain == "i64" and op not in self._INT_OPS:
            return bail()  # integer division: the runtime's rules
        rk = "bool" if cmp else binary_kind(op, gk, ov.kind)
        if not cmp and rk not in NUMERIC:
            return bail()
        st = "i32" if cmp else storage(rk)
        # as a loop's exit test (false_to): both sides branch there when false, so no
        # 0/1 value is built where the two sides join
        branch = false_to is not None and cmp and tmp is None
        done, slow = self._labels()
        h = self.hoisted(g.obj)
        # a number-or-null local the loop never assigns: its tag test is folded into the
        # array's effective length (loopregion.py)
        pair = (self.region.pairs.get((g.obj.name, other.name))
                if h is not None and ov.st == "dyn" and isinstance(other, A.Var) else None)
        if self.fail_to is not None and h is not None:
            # flat_loop's fast copy: the tests leave it, no slow side here
            slow = self.fail_to
        else:
            self.emit(("block", done, None if branch else st), ("block", slow, None))
        if pair is not None:
            assert self.region.tags[other.name] == (T_INT if oc == "int" else T_FLOAT)
            self.emit(("local.get", i), ("local.get", pair), ("i64.ge_u",), ("br_if", slow))
        else:
            self._in_range(i, a, mode, slow, h)
            if ov.st == "dyn":
                self.emit(("local.get", osave[0]), ("i32.const", T_INT if oc == "int" else T_FLOAT), ("i32.ne",),
                          ("br_if", slow))

        def push_elem() -> None:
            self._buffer(a, h)
            self.emit(("local.get", i), ("i32.wrap_i64",),
                      ("i32.const", 3), ("i32.shl",), ("i32.add",),
                      ("i64.load", 0, None) if gc == "int" else ("f64.load", 0, None))
            if domain == "f64" and gc == "int":
                self.emit(("f64.convert_i64_s",))

        def push_other() -> None:
            self.emit(("local.get", osave[-1]))
            if ov.st == "dyn" and oc == "float":
                self.emit(("f64.reinterpret_i64",))
            if domain == "f64" and oc == "int":
                self.emit(("f64.convert_i64_s",))

        for part in ((push_elem, push_other) if g_left else (push_other, push_elem)):
            part()
        self.emit((self._F_OPS[op] if domain == "f64" else self._INT_OPS[op],))
        if branch:
            self.emit(("i32.eqz",), ("br_if", false_to))
        if slow == self.fail_to:
            if tmp:
                self.release_all([tmp])
            return Val("void", "none") if branch else Val(rk, st)
        self.emit(("br", done), ("end",))

        def pair_elem() -> None:
            self.emit(("local.get", a), ("local.get", i), ("call", "$arr_get_i"))

        def pair_other() -> None:
            if ov.st == "dyn":
                self.emit(("local.get", osave[0]), ("local.get", osave[1]))
            else:
                self.emit(("i32.const", T_INT if ov.st == "i64" else T_FLOAT), ("local.get", osave[0]))
                if ov.st == "f64":
                    self.emit(("i64.reinterpret_f64",))

        for part in ((pair_elem, pair_other) if g_left else (pair_other, pair_elem)):
            part()
        fn = self._DYN_OPS[op]
        self.emit(("call", fn))
        if op == "!=":
            self.emit(("i32.eqz",))
        if fn not in NON_RAISING:
            self.check_exc()
        if not cmp:
            self.unbox_known(rk)
        self.rehoist()
        if branch:
            self.emit(("i32.eqz",), ("br_if", false_to), ("end",))
            return Val("void", "none")
        self.emit(("end",))
        if tmp:
            self.release_all([tmp])
        return Val(rk, st)

    def plus_chain(self, e: A.Binary) -> Val:
        """``a + b + c + ...``: once the running value is statically a string, every
        further ``+`` appends the string form of its right operand, so the rest of the
        chain becomes one string built in one allocation (concat_parts) instead of a
        new string per ``+``. Before that point each ``+`` is an ordinary one."""
        nodes: list[A.Binary] = []
        x: A.Expr = e
        while isinstance(x, A.Binary) and x.op == "+":
            nodes.append(x)
            x = x.left
        nodes.reverse()
        v = self.expr(x, borrow=self.release_free(nodes[0].right))
        for i, n in enumerate(nodes):
            if v.kind == "str" and v.st == "dyn" and len(nodes) - i >= 2:
                return self.concat_parts(v, [m.right for m in nodes[i:]])
            v = self.binary_rest(n, v)
        return v

    def concat_parts(self, first: Val, rights: list[A.Expr]) -> Val:
        """The string ``first`` (on the stack) followed by the string forms of ``rights``,
        evaluated left to right, each converted right after it is evaluated (as the
        chain of ``+`` would: op_add's string + x is str_concat(a, to_string(x))).
        Integers are formatted straight into the result; strings are copied from where
        they are (borrowed while the rest is release-free)."""
        parts: list[tuple[str, str, bool]] = []  # ("str", i32 pointer, owned) / ("int", i64, _)
        p0 = self.tmp("i32")
        self.emit(("i32.wrap_i64",), ("local.set", p0), ("drop",))
        owned0 = first.owned
        if not owned0 and not all(self.release_free(r) for r in rights):
            self.emit(("i32.const", T_STR), ("local.get", p0), ("i64.extend_i32_u",), ("call", "$retain"))
            owned0 = True
        parts.append(("str", p0, owned0))
        for i, r in enumerate(rights):
            v = self.expr(r, borrow=all(self.release_free(q) for q in rights[i + 1:]))
            if v.st == "i64":
                n = self.tmp("i64")
                self.emit(("local.set", n))
                parts.append(("int", n, False))
                continue
            p = self.tmp("i32")
            if v.kind == "str" and v.st == "dyn":
                self.emit(("i32.wrap_i64",), ("local.set", p), ("drop",))
                parts.append(("str", p, v.owned))
                continue
            self.to_dyn(v)
            if v.owned:
                t, x = self.stash()
                self.emit(("call", "$to_string"), ("local.set", p), ("local.get", t), ("local.get", x),
                          ("call", "$release"))
            else:
                self.emit(("call", "$to_string"), ("local.set", p))
            parts.append(("str", p, True))
        # total length (i64: the sum of many lengths may pass 2^31), then one string
        lens = {}
        self.emit(("i64.const", 0))
        for kind, loc, _ in parts:
            if kind == "int":
                lens[loc] = self.tmp("i32")
                self.emit(("local.get", loc), ("call", "$dec_len"), ("local.tee", lens[loc]))
            else:
                self.emit(("local.get", loc), ("i32.load", 4, 2))
            self.emit(("i64.extend_i32_u",), ("i64.add",))
        total, res, pos = self.tmp("i64"), self.tmp("i32"), self.tmp("i32")
        self.emit(("local.tee", total), ("i64.const", 0x7FFF0000), ("i64.gt_u",), ("if", None, None),
                  ("global.get", "$strtab_out_of_memory"), ("call", "$fatal"), ("end",),
                  ("local.get", total), ("i32.wrap_i64",), ("call", "$str_new"), ("local.tee", res),
                  ("i32.const", 8), ("i32.add",), ("local.set", pos))
        for kind, loc, _ in parts:
            if kind == "int":
                self.emit(("local.get", pos), ("local.get", lens[loc]), ("i32.add",), ("local.tee", pos),
                          ("local.get", loc), ("call", "$dec_write"))
            else:
                ln = self.tmp("i32")
                self.emit(("local.get", pos), ("local.get", loc), ("i32.const", 8), ("i32.add",),
                          ("local.get", loc), ("i32.load", 4, 2), ("local.tee", ln), ("memory.copy",),
                          ("local.get", pos), ("local.get", ln), ("i32.add",), ("local.set", pos))
        for kind, loc, owned in parts:
            if kind == "str" and owned:
                self.emit(("i32.const", T_STR), ("local.get", loc), ("i64.extend_i32_u",), ("call", "$release"))
        self.emit(("i32.const", T_STR), ("local.get", res), ("i64.extend_i32_u",))
        return Val("str", "dyn", True)

    def binary_rest(self, e: A.Binary, lv: Val) -> Val:
        """e with its left operand's value lv on the stack: the right operand and the operator."""
        op = e.op
        lmark = len(self.code)
        rv = self.expr(e.right, borrow=True)
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
        if lv.st in ("i64", "f64") and rv.st in ("i64", "f64") and op in self._F_OPS:
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
        checked = self.checked_numeric(op, lv, rv)
        if checked is not None:
            return checked
        if op == "+" and lv.kind == "str" and lv.st == "dyn" and rv.kind == "str" and rv.st == "dyn":
            # two strings: op_add's string + string without its dispatch
            a, b = self.tmp("i32"), self.tmp("i32")
            self.emit(("i32.wrap_i64",), ("local.set", b), ("drop",),
                      ("i32.wrap_i64",), ("local.set", a), ("drop",),
                      ("local.get", a), ("local.get", b), ("call", "$str_concat"))
            r = self.tmp("i32")
            self.emit(("local.set", r))
            for loc, v in ((a, lv), (b, rv)):
                if v.owned:
                    self.emit(("i32.const", T_STR), ("local.get", loc), ("i64.extend_i32_u",), ("call", "$release"))
            self.emit(("i32.const", T_STR), ("local.get", r), ("i64.extend_i32_u",))
            return Val("str", "dyn", True)
        if op == "+" and lv.kind == "str" and lv.st == "dyn" and rv.st == "i64":
            # "k" + i: format the integer straight into the new string -- or, for the key
            # of a map lookup (builtin_fast), into the runtime's scratch key (borrowed)
            scratch = self.scratch_key == id(e)
            n, t, x = self.tmp("i64"), self.tmp("i32"), self.tmp("i64")
            self.emit(("local.set", n), ("local.set", x), ("local.set", t),
                      ("i32.const", T_STR), ("local.get", x), ("i32.wrap_i64",), ("local.get", n),
                      ("call", "$str_scratch_concat_i64" if scratch else "$str_concat_i64"),
                      ("i64.extend_i32_u",))
            if lv.owned:
                self.emit(("local.get", t), ("local.get", x), ("call", "$release"))
            return Val("str", "dyn", not scratch)
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
        if cmp and not fast and (lv.kind == "str" or rv.kind == "str"):
            # a string compared with a string: $str_eq / $str_cmp straight away (the
            # generic operator's tag dispatch only for a non-string other side)
            done, out = self._labels()
            tested = lv.kind != "str" or rv.kind != "str"  # else the generic operator is dead code
            if tested:
                self.emit(("block", done, "i32"), ("block", out, None))
            for tmp, v in ((lt, lv), (rt, rv)):
                if v.kind != "str":
                    self.emit(("local.get", tmp[0]), ("i32.const", T_STR), ("i32.ne",), ("br_if", out))
            byte = self._one_byte_literal(e)
            if byte is not None:
                lit_right, ch = byte
                self.emit(("local.get", (lt if lit_right else rt)[1]), ("i32.wrap_i64",))
                self._compare_with_one_byte(op if lit_right else self._MIRRORED[op], ch)
            else:
                self.emit(("local.get", lt[1]), ("i32.wrap_i64",), ("local.get", rt[1]), ("i32.wrap_i64",))
                if op in ("==", "!="):
                    self.emit(("call", "$str_eq"))
                    if op == "!=":
                        self.emit(("i32.eqz",))
                else:
                    self.emit(("call", "$str_cmp"), ("i32.const", 0), (self._STR_CMP[op],))
            if tested:
                self.emit(("br", done), ("end",), *slow, ("end",))
        elif fast:
            done, out = self._labels()
            self.emit(("block", done, "i32" if cmp else ((), ("i32", "i64"))), ("block", out, None))
            if not l_int:
                self.emit(("local.get", lt[0]), ("i32.const", T_INT), ("i32.ne",), ("br_if", out))
            if not r_int:
                self.emit(("local.get", rt[0]), ("i32.const", T_INT), ("i32.ne",), ("br_if", out))
            if not cmp:
                self.emit(("i32.const", T_INT))
            self.emit(("local.get", lt[1]), ("local.get", rt[1]), (self._FAST_OPS[op],), ("br", done), ("end",),
                      *slow, ("end",))
        else:
            self.emit(*slow)
        for tmp, v in ((lt, lv), (rt, rv)):
            if v.owned:
                self.emit(("local.get", tmp[0]), ("local.get", tmp[1]), ("call", "$release"))
        if cmp:
            return Val("bool", "i32")
        return Val(binary_kind(op, lv.kind, rv.kind) or "dyn", "dyn", True)

    _MIRRORED = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}

    @staticmethod
    def _one_byte_literal(e: A.Binary) -> tuple[bool, int] | None:
        """(literal on the right?, its byte) when one operand of a comparison is a
        one-character ASCII string literal; (literal on the right?, -1) for ""."""
        for lit_right, side in ((True, e.right), (False, e.left)):
            if isinstance(side, A.StrLit) and len(side.value) == 1 and ord(side.value) < 128:
                return lit_right, ord(side.value)
            if isinstance(side, A.StrLit) and side.value == "":
                return lit_right, -1
        return None

    def _compare_with_one_byte(self, op: str, ch: int) -> None:
        """`s op "c"` for the string s on the stack (an i32 pointer), inline: strings
        order byte by byte, so only s's length and first byte matter. Reading the first
        byte of "" reads inside its block (the result does not depend on it then)."""
        if ch < 0:  # the empty string: only the length matters ("" is the least string)
            self.emit(("i32.load", 4, None))
            if op in ("==", "<="):
                self.emit(("i32.eqz",))
            elif op in ("!=", ">"):
                self.emit(("i32.const", 0), ("i32.ne",))
            else:
                self.emit(("drop",), ("i32.const", int(op == ">=")))
            return
        s = self.tmp("i32")
        self.emit(("local.tee", s), ("i32.load", 4, None))
        length = [("local.get", s), ("i32.load", 4, None)]
        first = [("local.get", s), ("i32.load8_u", 8, None), ("i32.const", ch)]
        if op in ("==", "!="):  # length 1 and that byte
            self.emit(("i32.const", 1), ("i32.eq",), *first, ("i32.eq",), ("i32.and",))
            if op == "!=":
                self.emit(("i32.eqz",))
        elif op == "<":  # "" or a smaller first byte
            self.emit(("i32.eqz",), *first, ("i32.lt_u",), ("i32.or",))
        elif op == ">=":
            self.emit(("i32.eqz",), *first, ("i32.lt_u",), ("i32.or",), ("i32.eqz",))
        elif op == "<=":  # "", a smaller first byte, or exactly "c"
            self.emit(("i32.eqz",), *first, ("i32.lt_u",), ("i32.or",),
                      *length, ("i32.const", 1), ("i32.eq",), *first, ("i32.eq",), ("i32.and",), ("i32.or",))
        else:  # ">": not <=
            self.emit(("i32.eqz",), *first, ("i32.lt_u",), ("i32.or",),
                      *length, ("i32.const", 1), ("i32.eq",), *first, ("i32.eq",), ("i32.and",), ("i32.or",),
                      ("i32.eqz",))

    def checked_numeric(self, op: str, lv: Val, rv: Val) -> Val | None:
        """Arithmetic and comparisons on numbers that may also be null (``int?``: an
        integer read back from an ArrayBox, ...): typed code after a tag test, the generic
        operator otherwise -- which raises for arithmetic on null (so the result kind is
        exact) and compares string forms. Both operands are on the stack."""
        lc, rc = numeric_core(lv.kind), numeric_core(rv.kind)
        if lc not in NUMERIC or rc not in NUMERIC or (lv.st != "dyn" and rv.st != "dyn"):
            return None
        if op not in self._DYN_OPS:
            return None
        cmp = op in ("==", "!=", "<", ">", "<=", ">=")
        rk = "bool" if cmp else binary_kind(op, lv.kind, rv.kind)
        if rk not in NUMERIC and rk != "bool":
            return None
        domain = "f64" if "float" in (lc, rc) else "i64"
        saved = []
        for v in (rv, lv):
            if v.st == "dyn":
                t, x = self.tmp_pair()
                self.emit(("local.set", x), ("local.set", t))
                saved.append((v, (t, x)))
            else:
                loc = self.tmp(v.st)
                self.emit(("local.set", loc))
                saved.append((v, (loc,)))
        saved.reverse()  # left, right
        st = "i32" if cmp else storage(rk)
        done, slow = self._labels()
        self.emit(("block", done, st), ("block", slow, None))
        for (v, names), c in zip(saved, (lc, rc)):
            if v.st == "dyn":  # compare-and-jump per operand (no boolean materialized)
                self.emit(("local.get", names[0]), ("i32.const", T_INT if c == "int" else T_FLOAT), ("i32.ne",),
                          ("br_if", slow))
        for (v, names), c in zip(saved, (lc, rc)):
            self.emit(("local.get", names[-1]))
            if v.st == "dyn" and c == "float":
                self.emit(("f64.reinterpret_i64",))
            if domain == "f64" and c == "int":
                self.emit(("f64.convert_i64_s",))
        if domain == "f64":
            self.emit((self._F_OPS[op],))
        elif op in self._INT_OPS:
            self.emit((self._INT_OPS[op],))
        else:
            self.call("$nyash_idiv" if op == "/" else "$nyash_imod")
        self.emit(("br", done), ("end",))
        for (v, names), c in zip(saved, (lc, rc)):
            if v.st == "dyn":
                self.emit(("local.get", names[0]), ("local.get", names[1]))
            else:
                self.emit(("i32.const", T_INT if v.st == "i64" else T_FLOAT), ("local.get", names[0]))
                if v.st == "f64":
                    self.emit(("i64.reinterpret_f64",))
        fn = self._DYN_OPS[op]
        if cmp:
            self.emit(("call", fn))
            if op == "!=":
                self.emit(("i32.eqz",))
            if fn not in NON_RAISING:
                self.check_exc()
        else:  # arithmetic with null raises: leave for the handler
            self.raising_call(fn)
        self.emit(("end",))
        return Val(rk, st)

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
        if box in _VALUE_BOXES and len(e.args) != 1:
            # upstream's factory: no argument is the empty value, more are evaluated and
            # ignored
            if not e.args:
                return self.e_New(self.part_default(box, e))
            v = self.e_New(A.New(e.line, e.col, box, e.args[:1], file=e.file))
            self.to_dyn(v)
            keep = self.tmp_pair()
            self.emit(("local.set", keep[1]), ("local.set", keep[0]))
            for a in e.args[1:]:
                self.drop(self.expr(a))
            self.emit(("local.get", keep[0]), ("local.get", keep[1]))
            return Val(v.kind if v.st == "dyn" else "dyn", "dyn", v.owned)
        if box == "NullBox" and e.args:
            for a in e.args:
                self.drop(self.expr(a))
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
        bk = BK.BY_NAME.get(box)
        if bk is not None:
            return self.new_box(bk, e)
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
            # the value itself when it already has the kind; strings are parsed as
            # upstream does; anything else is "Cannot convert 'x' to ..."
            want = {"IntegerBox": "int", "FloatBox": "float", "BoolBox": "bool"}[box]
            v = self.expr(e.args[0])
            if v.kind == want:
                return v
            if box == "FloatBox" and v.st == "i64":
                self.emit(("f64.convert_i64_s",))
                return Val("float", "f64")
            self.to_dyn(v)
            tmp = self.stash() if v.owned else None
            self.emit(("call", {"IntegerBox": "$new_integer", "FloatBox": "$new_float", "BoolBox": "$new_bool"}[box]))
            if tmp:
                self.release_all([tmp])
            self.check_exc()
            return Val("dyn", "dyn")
        cls = self.info.classes[box]
        p = self.tmp("i32")
        self.emit(("i32.const", cls.cid), ("i32.const", len(cls.fields)), ("call", "$inst_new"), ("local.set", p))
        for f, tag in self.pretagged(cls).items():
            self.emit(("local.get", p), ("i32.const", tag), ("i32.store", 24 + 16 * cls.slot(f), None))
        self.init_builtin_parts(cls, p, e)
        m = cls.find_ctor(len(e.args))
        if m is not None:
            self.emit(("local.get", p))
            temps = self.args_for(e.args, ["dyn"] * len(e.args))
            self.emit(("call", self.mg.method_func(m)))
            self.drop(Val(self.inf.return_kind(self.info.method_bodies[id(m)]), "dyn", True))
            self.release_all(temps)
            self.check_exc()
        self.emit(("i32.const", T_INST), ("local.get", p), ("i64.extend_i32_u",))
        return Val(f"obj:{box}", "dyn", True)

    @staticmethod
    def part_default(builtin: str, at: A.Node) -> A.New:
        """``new Builtin(...)`` of the builtin's empty value."""
        return A.New(at.line, at.col, builtin, [lit(at.line, at.col) for lit in _PART_DEFAULTS.get(builtin, ())],
                     file=at.file)

    def init_builtin_parts(self, cls: ClassInfo, obj: str, at: A.Node) -> None:
        """A new instance's builtin parts start as the builtin's empty value (``""``,
        ``0``, an empty ArrayBox, ...) until ``from Builtin.birth(...)`` replaces them."""
        for b in cls.builtin_parts():
            v = self.expr(self.part_default(b, at))
            self.to_dyn(v)
            x = self.tmp_pair()
            self.emit(("local.set", x[1]), ("local.set", x[0]))
            slot = cls.slot(part_field(b))
            assert slot is not None
            self.inline_slot_set(slot, x[0], x[1], obj)
            if v.owned:
                self.emit(("local.get", x[0]), ("local.get", x[1]), ("call", "$release"))

    def new_box(self, bk: BK.BoxKind, e: A.New) -> Val:
        """`new XBox(...)` of a registry kind: its runtime constructor, or the kind's
        immortal singleton when it has none (stateless: no allocation)."""
        ctor = self.mg.box_ctor(bk, len(e.args))
        if ctor is None:
            self.emit(("i32.const", T_BOX), ("i64.const", self.mg.box_singleton(bk)))
            return Val(bk.static_kind, "dyn", False)
        temps = self.args_for(e.args, ["dyn"] * len(e.args))
        self.finish_call(ctor, temps, ctor not in NON_RAISING)
        p = self.tmp("i32")
        self.emit(("local.set", p), ("i32.const", T_BOX), ("local.get", p), ("i64.extend_i32_u",))
        return Val(bk.static_kind, "dyn", True)

    def box_call(self, bk: BK.BoxKind, e: A.MethodCall, v: Val, result_kind: str) -> Val:
        """A method call on a value known to be a registry box kind (result_kind: what
        inference promised for the call)."""
        argc = len(e.args)
        r = self.mg.box_method(bk, e.name, argc)
        if r.how == "error":
            if self.mg.rt.c_unavailable is not None:  # its methods may be C parts this installation lacks
                raise self.mg.rt.missing_c_part(self.info.file_of(e), f"{bk.name}.{e.name}")
            self.drop(v)
            for a in e.args:
                self.drop(self.expr(a))
            methods = {n: f"a method of {bk.name}" for n in [*self.mg.rt.methods_of(bk.short), "toString"]}
            if e.name in methods:
                self.warn_deferred(e, r.message, "N0209", f"called with {argc} argument{'s' * (argc != 1)}", {})
            else:
                self.warn_deferred(e, r.message, "N0208", f"{bk.name} has no method of this name", methods)
            st = storage(result_kind)
            if st != "dyn":  # never reached; keep the storage inference promised
                self.emit(("drop",), ("drop",), (f"{st}.const", 0))
            return Val(result_kind, st, st == "dyn")
        if bk.network and r.how in ("fixed", "var"):
            # the runtime function raises; the compiler says so at the line
            msg = f"network is not available in compiled programs ({bk.name}.{e.name})"
            self.mg.warnings.append(Diagnostic(
                self.info.file_of(e), e.line, e.col, msg, "warning", True, "N0213",
                end_col=e.col + len(e.name), label="raises a runtime error when it runs",
                help="compiled programs have no network access; only creating and printing the box works"))
        if r.how == "tostring":
            self.to_dyn(v)
            tmp = self.stash() if v.owned else None
            s = self.tmp("i32")
            self.emit(("call", "$to_string"), ("local.set", s))
            self.release_all([tmp] if tmp else [])
            self.emit(("i32.const", T_STR), ("local.get", s), ("i64.extend_i32_u",))
            return Val("str", "dyn", True)
        tmp = self.stash() if v.owned else None
        p = self.tmp("i64")
        self.emit(("local.set", p), ("drop",))
        if r.how == "fixed":
            self.emit(("local.get", p))
            temps = self.args_for(e.args, ["dyn"] * argc)
            self.finish_call(r.fn, temps + ([tmp] if tmp else []), r.fn not in NON_RAISING)
            return self.unbox_known(result_kind)
        arr = self.tmp("i32")
        self.emit(("call", "$arr_new"), ("local.set", arr))
        for a in e.args:
            x = self.expr(a)
            self.to_dyn(x)
            xt, xv = self.tmp_pair()
            self.emit(("local.set", xv), ("local.set", xt), ("local.get", arr), ("local.get", xt), ("local.get", xv),
                      ("call", "$arr_push_v"))
            if x.owned:
                self.release_all([(xt, xv)])
        self.emit(("local.get", p), ("local.get", arr), ("call", r.fn),
                  ("i32.const", T_ARR), ("local.get", arr), ("i64.extend_i32_u",), ("call", "$release"))
        self.release_all([tmp] if tmp else [])
        if r.fn not in NON_RAISING:
            self.check_exc()
        return self.unbox_known(result_kind)

    def e_Field(self, e: A.Field, borrow: bool = False) -> Val:
        if isinstance(e.obj, A.Me) and self.cls is not None:
            site = static_field_site(self.info, self.body, e.obj, "dyn", e.name)
            if site is not None:
                return self.read_slot(e, site, "$me", borrow)
        v = self.expr(e.obj, borrow=True)  # reading a field releases nothing
        site = static_field_site(self.info, self.body, e.obj, v.kind, e.name)
        if site is not None:
            # the box is known exactly (made by `new Box` here): fixed offset, no dispatch
            tmp = self.stash() if v.owned else None
            p, x = self.tmp("i32"), self.tmp("i64")
            self.emit(("local.set", x), ("drop",), ("local.get", x), ("i32.wrap_i64",), ("local.set", p))
            val = self.read_slot(e, site, p, borrow)
            if tmp:
                self.release_all([tmp])
            return val
        kind = self.inf.field_reads.get(id(e), "dyn")  # receivers that may be null
        self.to_dyn(v)
        tmp = self.stash() if v.owned else None
        site = static_field_site(self.info, self.body, e.obj, core(v.kind), e.name)
        fn = self.mg.field_dispatcher(e.name, False)
        if site is not None and id(e) in self.inf.field_reads:
            # the box, or null: fixed slot after a tag test, the dispatcher raises for null
            t, x, p = self.tmp("i32"), self.tmp("i64"), self.tmp("i32")
            st = storage(kind)
            self.emit(("local.set", x), ("local.tee", t), ("i32.const", T_INST), ("i32.eq",),
                      ("if", None, ((), ("i32", "i64")) if st == "dyn" else st),
                      ("local.get", x), ("i32.wrap_i64",), ("local.set", p))
            self.read_slot(e, site, p, borrow)
            # null: what the dispatcher does for a receiver that is not an instance
            self.emit(("else",), ("i32.const", self.mg.string_lit(e.name)), ("local.get", t), ("local.get", x))
            self.raising_call("$raise_no_field")
            self.emit(("end",))
            if tmp:
                self.release_all([tmp])
            return Val(kind, st, st == "dyn" and not borrow)
        self.emit(("i32.const", self.ctx_cid))
        self.emit(("call", fn))
        if tmp:
            self.release_all([tmp])
        self.check_exc()
        return self.unbox_known(kind)

    def console_many(self, e: A.MethodCall, v: Val) -> Val:
        """console.log(a, b, ...): upstream prints the string forms joined by spaces."""
        self.drop(v)
        acc = self.tmp("i32")
        for i, a in enumerate(e.args):
            x = self.expr(a)
            self.to_dyn(x)
            tmp = self.stash() if x.owned else None
            self.emit(("call", "$to_string"))
            if tmp:
                self.release_all([tmp])
            if i == 0:
                self.emit(("local.set", acc))
                continue
            part = self.tmp("i32")
            self.emit(("local.set", part),
                      ("local.get", acc), ("global.get", "$lit_space"), ("call", "$str_append"),
                      ("local.get", part), ("call", "$str_append"), ("local.set", acc),
                      ("i32.const", T_STR), ("local.get", part), ("i64.extend_i32_u",), ("call", "$release"))
        self.emit(("i64.const", 0), ("i32.const", T_STR), ("local.get", acc), ("i64.extend_i32_u",),
                  ("call", f"$m_Console_{e.name}"),
                  ("i32.const", T_STR), ("local.get", acc), ("i64.extend_i32_u",), ("call", "$release"))
        return Val("dyn", "dyn", True)

    def read_slot(self, e: A.Field, site: tuple[list, int], obj: str, borrow: bool = False) -> Val:
        """A fixed-slot field read typed by field inference: scalars come out unboxed; no
        unset test when every box the receiver can be always has the field assigned."""
        classes, slot = site
        check = not all(e.name in self.mg.always_set.get(c.cid, ()) for c in classes)
        kind = self.inf.field_reads.get(id(e), "dyn")
        st = storage(kind)
        if st == "dyn":
            self.inline_slot_get(slot, e.name, obj, retain=not borrow, check=check)
            return Val(kind, "dyn", not borrow)
        self.inline_slot_get_scalar(slot, e.name, obj, st, check=check)
        return Val(kind, st)

    def e_FromCall(self, e: A.FromCall) -> Val:
        cls = self.cls
        assert cls is not None
        if e.parent in cls.builtin_parents:
            if is_ctor_call(e):
                # `from StringBox.birth(v)` makes `me`'s builtin part `new StringBox(v)`
                part = A.Field(e.line, e.col, A.Me(e.line, e.col, file=e.file), part_field(e.parent), file=e.file)
                self.assign(A.Assign(e.line, e.col, part, A.New(e.line, e.col, e.parent, e.args, file=e.file),
                                     file=e.file))
                return self.const_dyn(T_VOID)
            # `from StringBox.m(args)` runs on a fresh empty StringBox, as upstream does
            # (conformance 072); only implicit calls (`me.m(args)`) reach the part
            return self.expr(A.MethodCall(e.line, e.col, self.part_default(e.parent, e), e.method, e.args,
                                          file=e.file))
        if e.parent not in self.info.classes:
            self.raise_now(f"Unknown built-in Box type for delegation: {e.parent}")
            self.emit(("i32.const", 0), ("i64.const", 0))
            return Val("dyn", "dyn")
        parent = self.info.classes[e.parent]
        if is_ctor_call(e):
            m = parent.find_ctor(len(e.args))
        else:
            m = parent.find_method(e.method, len(e.args))
        if m is None:  # implicit empty constructor
            return self.const_dyn(T_VOID)
        self.emit(("local.get", "$me"))
        temps = self.args_for(e.args, ["dyn"] * len(e.args))
        self.finish_call(self.mg.method_func(m), temps, True)
        return Val("dyn", "dyn", True)

    def receiver_borrowed(self, e: A.MethodCall) -> bool:
        """Whether e's receiver may be compiled borrowed: nothing the call and its
        arguments run can drop it (effects.py)."""
        fx = self.mg.effects
        return ((fx.receiver_kept(self.body, e) and all(self.release_free(a) for a in e.args))
                or fx.element_receiver_kept(self.body, e))

    def e_MethodCall(self, e: A.MethodCall, borrow: bool = False) -> Val:
        argc = len(e.args)
        obj = e.obj
        result = self.inf.node_kind(e)
        # static box: Name.method(...)
        if isinstance(obj, A.Var) and self.info.var_kind.get(id(obj)) == "static":
            cls = self.info.classes[obj.name]
            m = cls.find_method(e.name, argc)
            if m is None:
                for a in e.args:
                    self.drop(self.expr(a))
                return self.warn_deferred(e, f"Unknown method '{e.name}' for {cls.name}", "N0207",
                                          f"{cls.name} has no method of this name",
                                          {n: f"a method of {cls.name}" for n in method_names(cls)})
            self.emit(("global.get", f"$static:{cls.name}"))
            temps = self.args_for(e.args, ["dyn"] * argc)
            self.finish_call(self.mg.method_func(m), temps, True)
            return self.unbox_known(result)
        # me.method(...) bound directly when every descendant resolves to the same method
        if isinstance(obj, A.Me) and self.cls is not None:
            targets = {id(c.find_method(e.name, argc)): c.find_method(e.name, argc) for c in self.cls.descendants()}
            if len(targets) == 1 and None not in [*targets.values()]:
                m = next(iter(targets.values()))
                self.emit(("local.get", "$me"))
                temps = self.args_for(e.args, ["dyn"] * argc)
                self.finish_call(self.mg.method_func(m), temps, True)
                return self.unbox_known(result)
        v = self.expr(obj, borrow=self.receiver_borrowed(e))
        kind = v.kind
        c = core(kind)
        # exact user box
        if c.startswith("obj:"):
            cls = self.info.classes[c[4:]]
            m = cls.find_method(e.name, argc)
            if m is not None and not nullable(kind):
                tmp = self.stash() if v.owned else None
                p = self.tmp("i64")
                self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",))
                temps = self.args_for(e.args, ["dyn"] * argc)
                self.finish_call(self.mg.method_func(m), temps + ([tmp] if tmp else []), True)
                return self.unbox_known(result)
            if m is not None and self.mg.rt.method_argc.get(f"$m_Null_{e.name}") != argc:
                # the box or null (which has no such method: the dispatcher raises)
                return self.guarded_call(e, v, {self.mg.method_func(m): [cls.cid]}, result,
                                         fallback_raises=True)
            if m is None and not nullable(kind):
                self.warn_no_method(e, cls)
        bk = BK.BY_STATIC.get(kind)
        if bk is not None:
            return self.box_call(bk, e, v, result)
        # builtin receiver of a known kind
        tag = KIND_OF_STATIC.get(base(exact(kind)))
        if tag is not None:
            fast = self.builtin_fast(base(kind), e, v, result, borrow)
            if fast is not None:
                return fast
            if kind == "console" and e.name in ("log", "warn", "error") and argc >= 2:
                return self.console_many(e, v)
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
                return self.unbox_known(result)
            if fn not in self.mg.rt.method_argc:
                if self.mg.rt.c_unavailable is not None:
                    raise self.mg.rt.missing_c_part(self.info.file_of(e),
                                                    f"{BUILTIN_KIND_NAMES[tag]}Box.{e.name}")
                self.drop(v)
                for a in e.args:
                    self.drop(self.expr(a))
                box = f"{BUILTIN_KIND_NAMES[tag]}Box"
                return self.warn_deferred(e, f"Unknown method '{e.name}' for {box}", "N0208",
                                          f"{box} has no method of this name",
                                          {n: f"a method of {box}" for n in self.mg.rt.methods_of(BUILTIN_KIND_NAMES[tag])})
        # a builtin value of one kind or null: that kind's method after a tag test
        ntag = KIND_OF_STATIC.get(base(kind)) if nullable(kind) else None
        if ntag is not None and ntag != T_NULL:
            fn = f"$m_{BUILTIN_KIND_NAMES[ntag]}_{e.name}"
            if self.mg.rt.method_argc.get(fn) == argc:
                return self.guarded_builtin_call(e, v, ntag, fn, result)
        # dynamic dispatch; when only user boxes answer and they share one implementation,
        # test for them inline and call it directly (a static monomorphic inline cache)
        targets = self.mg.sole_user_target(e.name, argc)
        if targets is not None and v.st == "dyn":
            return self.guarded_call(e, v, targets, result)
        self.to_dyn(v)
        tmp = self.stash() if v.owned else None
        temps = self.args_for(e.args, ["dyn"] * argc)
        call = ("call", self.mg.method_dispatcher(e.name, argc))
        self.mg.dispatch_calls.add(id(call))
        self.emit(call)
        self.release_all(temps + ([tmp] if tmp else []))
        self.check_exc()
        return self.unbox_known(result)

    def guard_operands(self, e: A.MethodCall, v: Val) -> tuple[str, str, list[tuple], list[tuple[str, str]]]:
        """The receiver (on the stack) and the arguments of e saved in locals as dynamic
        pairs: (receiver tag, receiver payload, code pushing the arguments, owned pairs)."""
        self.to_dyn(v)
        rt, rx = self.tmp_pair()
        self.emit(("local.set", rx), ("local.set", rt))
        owned = [(rt, rx)] if v.owned else []
        args: list[tuple[str, str]] = []
        for a in e.args:
            x = self.expr(a)
            self.to_dyn(x)
            at, ax = self.tmp_pair()
            self.emit(("local.set", ax), ("local.set", at))
            args.append((at, ax))
            if x.owned:
                owned.append((at, ax))
        push_args = [ins for at, ax in args for ins in (("local.get", at), ("local.get", ax))]
        return rt, rx, push_args, owned

    def guarded_builtin_call(self, e: A.MethodCall, v: Val, tag: int, fn: str, result: str) -> Val:
        """recv.m(args) on a receiver that is a builtin value of one kind or null (a
        string read back from an ArrayBox, ...): the kind's method directly after a tag
        test, the dispatcher otherwise (which answers or raises for null as it would)."""
        rt, rx, push_args, owned = self.guard_operands(e, v)
        self.emit(("local.get", rt), ("i32.const", tag), ("i32.eq",),
                  ("if", None, ((), ("i32", "i64"))), ("local.get", rx), *push_args, ("call", fn),
                  ("else",), ("local.get", rt), ("local.get", rx), *push_args,
                  ("call", self.mg.method_dispatcher(e.name, len(e.args))), ("end",))
        self.release_all(owned)
        self.check_exc()
        return self.unbox_known(result)

    def guarded_call(self, e: A.MethodCall, v: Val, targets: dict[str, list[int]], result: str,
                     fallback_raises: bool = False) -> Val:
        """recv.m(args) calling the method directly when the receiver is an instance of
        one of the listed class ids, and through the dispatcher otherwise (which always
        raises when fallback_raises: then that path leaves for the handler)."""
        argc = len(e.args)
        rt, rx, push_args, owned = self.guard_operands(e, v)
        cid = self.tmp("i32")
        self.emit(("i32.const", -1), ("local.set", cid),
                  ("local.get", rt), ("i32.const", T_INST), ("i32.eq",), ("if", None, None),
                  ("local.get", rx), ("i32.wrap_i64",), ("i32.load", 4, 2), ("local.set", cid), ("end",))
        for fn, cids in targets.items():
            for i, k in enumerate(cids):
                self.emit(("local.get", cid), ("i32.const", k), ("i32.eq",))
                if i:
                    self.emit(("i32.or",))
            self.emit(("if", None, ((), ("i32", "i64"))), ("local.get", rx), ("i32.wrap_i64",), *push_args,
                      ("call", fn))
            if fallback_raises:
                # the only way out that rejoins: its check right after the call, where
                # the inliner drops it when the method cannot raise
                self.check_exc()
            self.emit(("else",))
        self.emit(("local.get", rt), ("local.get", rx), *push_args)
        if fallback_raises:
            self.raising_call(self.mg.method_dispatcher(e.name, argc))
        else:
            self.emit(("call", self.mg.method_dispatcher(e.name, argc)))
        self.emit(*[("end",)] * len(targets))
        self.release_all(owned)
        if not fallback_raises:
            self.check_exc()
        return self.unbox_known(result)
