"""Inline fast paths: the hottest operations emitted as straight-line wasm instead
of runtime calls (array get/set/push/length, fixed field slots, map set as a
statement, unboxing of builtin results of known kind, heap-tag tests around
retain/release)."""
from __future__ import annotations

from . import ast as A
from .abi import HEAP_COUNT, HEAP_FIRST, T_INST, T_INT, T_NULL, T_STR, T_UNSET, T_VOID
from .infer import base, never_heap, nullable, numeric_core, storage
from .strscan import emit_prefix_read
from .values import Val


RC_LOCALS = [("$rc.p", "i32"), ("$rc.c", "i32")]  # scratch of the inline counts


def inline_rc_checks(code: list[tuple]) -> list[tuple]:
    """Rewrite ``get t; get v; call $retain|$release`` into inline reference counting
    for heap tags (HEAP_FIRST.., HEAP_COUNT of them): scalars, null and void cost two compares, a retain is a load
    and a store (immortal objects, with a negative count, keep it), a release that
    does not reach zero likewise; only the last release calls the runtime (which frees
    the object). The function must declare RC_LOCALS."""
    out: list[tuple] = []
    p, c = RC_LOCALS[0][0], RC_LOCALS[1][0]
    for ins in code:
        if (ins[0] == "call" and ins[1] in ("$retain", "$release") and len(out) >= 2
                and out[-2][0] in ("local.get", "global.get") and out[-1][0] == out[-2][0]):
            vget = out.pop()
            tget = out.pop()
            out += [tget, ("i32.const", HEAP_FIRST), ("i32.sub",), ("i32.const", HEAP_COUNT), ("i32.lt_u",),
                    ("if", None, None), vget, ("i32.wrap_i64",), ("local.tee", p)]
            if ins[1] == "$retain":  # rc + 1, or rc unchanged when negative (immortal)
                out += [("local.get", p), ("i32.load", 0, None), ("local.tee", c), ("local.get", c),
                        ("i32.const", 31), ("i32.shr_u",), ("i32.const", 1), ("i32.xor",), ("i32.add",),
                        ("i32.store", 0, None)]
            else:
                out += [("i32.load", 0, None), ("local.tee", c), ("i32.const", 1), ("i32.gt_s",),
                        ("if", None, None), ("local.get", p), ("local.get", c), ("i32.const", 1),
                        ("i32.sub",), ("i32.store", 0, None), ("else",),
                        ("local.get", c), ("i32.const", 1), ("i32.eq",), ("if", None, None),
                        tget, vget, ins, ("end",), ("end",)]
            out.append(("end",))
        else:
            out.append(ins)
    return out


class FastPaths:
    """Mixin for FuncGen; relies on its tmp/emit/expr/stash/... helpers."""

    def inline_slot_get(self, slot: int, fname: str, obj: str = "$me", retain: bool = True,
                        check: bool = True) -> None:
        """obj.field for a declared field at a fixed slot: load, unset check (unless the
        field is always assigned), retain (unless the consumer borrows it)."""
        t, v = self.tmp_pair()
        off = 24 + 16 * slot
        self.emit(("local.get", obj), ("i32.load", off, None), ("local.set", t))
        if check:
            self.unset_check(t, fname, obj)
        self.emit(("local.get", obj), ("i64.load", off + 8, None), ("local.set", v))
        if retain:
            self.emit(("local.get", t), ("local.get", v), ("call", "$retain"))
        self.emit(("local.get", t), ("local.get", v))

    def unset_check(self, t: str, fname: str, obj: str) -> None:
        self.emit(("local.get", t), ("i32.const", T_UNSET), ("i32.eq",),
                  ("if", None, None), ("i32.const", self.mg.string_lit(fname)), ("i32.const", T_INST),
                  ("local.get", obj), ("i64.extend_i32_u",), ("call", "$raise_no_field"),
                  ("br", self.handler_label()), ("end",))

    def inline_slot_get_scalar(self, slot: int, fname: str, obj: str, st: str, check: bool = True) -> None:
        """obj.field whose every write is a scalar: unset check, then the bare payload."""
        off = 24 + 16 * slot
        if check:
            t = self.tmp("i32")
            self.emit(("local.get", obj), ("i32.load", off, None), ("local.set", t))
            self.unset_check(t, fname, obj)
        self.emit(("local.get", obj), ("i64.load", off + 8, None))
        if st == "f64":
            self.emit(("f64.reinterpret_i64",))
        elif st == "i32":
            self.emit(("i32.wrap_i64",))

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

    # ArrayBox fast paths. Each tests, in one branch, that the access stays in range and
    # finds the storage mode it predicts -- typed 8-byte payloads (mode = the elements'
    # tag) when inference says the elements are integers or floats, tagged 16-byte slots
    # otherwise -- and leaves everything else (out of range, the other mode, growing,
    # a value that does not fit) to the runtime function, which handles every case.

    @staticmethod
    def predicted_mode(elems: str) -> int:
        from .abi import T_FLOAT, T_INT
        c = numeric_core(elems)
        return T_INT if c == "int" else T_FLOAT if c == "float" else 0

    def hoisted(self, obj: A.Expr):
        """The loop region's hoisted state of the array local obj (loopregion.py)."""
        r = self.region
        if r is None or not isinstance(obj, A.Var) or self.info.var_kind.get(id(obj)) != "local":
            return None
        return r.arrays.get(obj.name)

    def rehoist(self) -> None:
        """After a slow path that may have changed an array (a set): read the region's
        array state again."""
        if self.region is not None:
            from .loopregion import emit_hoist
            emit_hoist(self, self.region)

    def _in_range(self, i: str, a: str, mode: int, slow: str, h=None) -> None:
        """br_if slow unless i is in range and a is in storage mode `mode`; with the
        hoisted state h of a (predicted mode = mode), one compare against its effective
        length."""
        if h is not None:
            assert h.mode == mode, (h.mode, mode)
            self.emit(("local.get", i), ("local.get", h.elen), ("i64.ge_u",), ("br_if", slow))
        else:
            self.emit(("local.get", i), ("local.get", a), ("i64.load32_u", 4, None), ("i64.ge_u",), ("br_if", slow),
                      ("local.get", a), ("i32.load", 16, None), ("i32.const", mode), ("i32.ne",), ("br_if", slow))

    def _buffer(self, a: str, h=None) -> None:
        self.emit(("local.get", h.data) if h is not None else ("local.get", a),
                  *([] if h is not None else [("i32.load", 12, None)]))

    def _labels(self) -> tuple[str, str]:
        self.n += 1
        return f"$fast{self.n}", f"$slow{self.n}"

    def inline_arr_get(self, a: str, i: str, retain: bool = True, mode: int = 0, h=None) -> None:
        """ArrayBox.get(i): owned result (unless the consumer borrows it; a typed array
        holds no heap values and out of range is null, so the runtime's retain is moot).
        Tests are br_ifs out of a block, which Cranelift turns into compare-and-jump."""
        if self.fail_to is not None and h is not None and mode:
            self._in_range(i, a, mode, self.fail_to, h)
            self.emit(("i32.const", mode), ("local.get", h.data), ("local.get", i),
                      ("i32.wrap_i64",), ("i32.const", 3), ("i32.shl",), ("i32.add",), ("i64.load", 0, None))
            return
        slot, t, x = self.tmp("i32"), self.tmp("i32"), self.tmp("i64")
        done, slow = self._labels()
        self.emit(("block", done, ((), ("i32", "i64"))), ("block", slow, None))
        self._in_range(i, a, mode, slow, h if mode else None)
        if mode:
            self.emit(("i32.const", mode))
            self._buffer(a, h)
            self.emit(("local.get", i),
                      ("i32.wrap_i64",), ("i32.const", 3), ("i32.shl",), ("i32.add",), ("i64.load", 0, None))
        else:
            self.emit(("local.get", a), ("i32.load", 12, None), ("local.get", i), ("i32.wrap_i64",),
                      ("i32.const", 4), ("i32.shl",), ("i32.add",), ("local.tee", slot), ("i32.load", 0, None),
                      ("local.set", t), ("local.get", slot), ("i64.load", 8, None), ("local.set", x),
                      *([("local.get", t), ("local.get", x), ("call", "$retain")] if retain else []),
                      ("local.get", t), ("local.get", x))
        self.emit(("br", done), ("end",), ("local.get", a), ("local.get", i), ("call", "$arr_get_i"))
        self.rehoist()  # (nothing changed: the hoisted state need not live across the call)
        self.emit(("end",))

    def inline_arr_push(self, a: str, xt: str, xv: str, retain: bool = True, mode: int = 0) -> None:
        """ArrayBox.push(x) in place while capacity lasts. retain=False: x is never a heap
        value."""
        n, slot = self.tmp("i32"), self.tmp("i32")
        done, slow = self._labels()
        self.emit(("block", done, None), ("block", slow, None),
                  ("local.get", a), ("i32.load", 4, None), ("local.tee", n), ("local.get", a), ("i32.load", 8, None),
                  ("i32.ge_u",), ("br_if", slow),
                  ("local.get", a), ("i32.load", 16, None), ("i32.const", mode), ("i32.ne",), ("br_if", slow))
        if mode:
            self.emit(("local.get", xt), ("i32.const", mode), ("i32.ne",), ("br_if", slow),
                      ("local.get", a), ("i32.load", 12, None), ("local.get", n), ("i32.const", 3), ("i32.shl",),
                      ("i32.add",), ("local.get", xv), ("i64.store", 0, None))
        else:
            self.emit(*([("local.get", xt), ("local.get", xv), ("call", "$retain")] if retain else []),
                      ("local.get", a), ("i32.load", 12, None), ("local.get", n), ("i32.const", 4), ("i32.shl",),
                      ("i32.add",), ("local.tee", slot), ("local.get", xt), ("i32.store", 0, None),
                      ("local.get", slot), ("local.get", xv), ("i64.store", 8, None))
        self.emit(("local.get", a), ("local.get", n), ("i32.const", 1), ("i32.add",), ("i32.store", 4, None),
                  ("br", done), ("end",),
                  ("local.get", a), ("local.get", xt), ("local.get", xv), ("call", "$arr_push_v"), ("end",))

    def inline_arr_set(self, a: str, i: str, xt: str, xv: str, retain: bool = True,
                       release: bool = True, mode: int = 0, result: bool = True, h=None) -> None:
        """ArrayBox.set(i, x) in place. retain=False: x is never a heap value;
        release=False: no element ever is; result=False: the statement form, whose
        result ("ok" or the bounds message, immortal strings) nobody reads."""
        slot, ot, ov = self.tmp("i32"), self.tmp("i32"), self.tmp("i64")
        done, slow = self._labels()
        if not mode:
            h = None
        if self.fail_to is not None and h is not None and not result:
            self._in_range(i, a, mode, self.fail_to, h)
            self.emit(("local.get", xt), ("i32.const", mode), ("i32.ne",), ("br_if", self.fail_to),
                      ("local.get", h.data), ("local.get", i), ("i32.wrap_i64",),
                      ("i32.const", 3), ("i32.shl",), ("i32.add",), ("local.get", xv), ("i64.store", 0, None))
            return
        self.emit(("block", done, ((), ("i32", "i64")) if result else None), ("block", slow, None))
        self._in_range(i, a, mode, slow, h)
        if mode:
            self.emit(("local.get", xt), ("i32.const", mode), ("i32.ne",), ("br_if", slow))
            self._buffer(a, h)
            self.emit(("local.get", i), ("i32.wrap_i64",),
                      ("i32.const", 3), ("i32.shl",), ("i32.add",), ("local.get", xv), ("i64.store", 0, None))
        else:
            if retain:
                self.emit(("local.get", xt), ("local.get", xv), ("call", "$retain"))
            self.emit(("local.get", a), ("i32.load", 12, None), ("local.get", i), ("i32.wrap_i64",),
                      ("i32.const", 4), ("i32.shl",), ("i32.add",), ("local.set", slot))
            if release:
                self.emit(("local.get", slot), ("i32.load", 0, None), ("local.set", ot),
                          ("local.get", slot), ("i64.load", 8, None), ("local.set", ov))
            self.emit(("local.get", slot), ("local.get", xt), ("i32.store", 0, None),
                      ("local.get", slot), ("local.get", xv), ("i64.store", 8, None))
            if release:  # after the stores: releasing may run arbitrary frees
                self.emit(("local.get", ot), ("local.get", ov), ("call", "$release"))
        if result:
            self.emit(("i32.const", T_STR), ("i64.const", self.mg.string_lit("ok")))
        self.emit(("br", done), ("end",),
                  ("local.get", a), ("local.get", i), ("local.get", xt), ("local.get", xv),
                  ("call", "$arr_set_i"), *([] if result else [("drop",), ("drop",)]))
        self.rehoist()  # (any array of the loop's region may be this one)
        self.emit(("end",))

    def copy_element(self, e: A.MethodCall, a: str, i: str, elems: str) -> bool:
        """The statement ``a.set(i, b.get(k))`` (a and i already in locals) with both
        arrays predicted to hold only integers (or only floats): when both are in that
        typed mode and both indexes in range, the 8-byte payload is copied; otherwise
        b.get(k) and a.set(i, ...) run as the runtime methods, in that order. False
        (nothing generated) when the statement has another shape."""
        g = e.args[1]
        mode = self.predicted_mode(elems)
        if not (mode and isinstance(g, A.MethodCall) and g.name == "get" and len(g.args) == 1
                and self.static_int(g.args[0])):
            return False
        gk, rk = self.inf.node_kind(g), self.inf.receiver_kinds.get(id(g), "dyn")
        if (base(rk) != "arr" or nullable(rk) or not never_heap(gk) or numeric_core(gk) not in ("int", "float")
                or self.predicted_mode(self.inf.elem_kind_of(rk)) != mode):
            return False
        bv = self.expr(g.obj, borrow=self.release_free(g.args[0]))
        assert base(bv.kind) == "arr" and bv.st == "dyn", bv
        btmp = self.stash() if bv.owned else None
        p, b, k = self.tmp("i64"), self.tmp("i32"), self.tmp("i64")
        self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",), ("local.set", b))
        kv = self.expr(g.args[0])
        assert kv.st == "i64", kv
        self.emit(("local.set", k))
        done, slow = self._labels()
        xt, xv = self.tmp_pair()
        ha, hb = self.hoisted(e.obj), self.hoisted(g.obj)
        if self.fail_to is not None and ha is not None and hb is not None:
            self._in_range(i, a, mode, self.fail_to, ha)
            self._in_range(k, b, mode, self.fail_to, hb)
            self.emit(("local.get", ha.data), ("local.get", i), ("i32.wrap_i64",), ("i32.const", 3), ("i32.shl",),
                      ("i32.add",), ("local.get", hb.data), ("local.get", k), ("i32.wrap_i64",),
                      ("i32.const", 3), ("i32.shl",), ("i32.add",), ("i64.load", 0, None), ("i64.store", 0, None))
            if btmp:
                self.release_all([btmp])
            return True
        self.emit(("block", done, None), ("block", slow, None))
        self._in_range(i, a, mode, slow, ha)
        self._in_range(k, b, mode, slow, hb)
        self._buffer(a, ha)
        self.emit(("local.get", i), ("i32.wrap_i64",), ("i32.const", 3), ("i32.shl",), ("i32.add",))
        self._buffer(b, hb)
        self.emit(("local.get", k), ("i32.wrap_i64",),
                  ("i32.const", 3), ("i32.shl",), ("i32.add",), ("i64.load", 0, None),
                  ("i64.store", 0, None), ("br", done), ("end",),
                  ("local.get", b), ("local.get", k), ("call", "$arr_get_i"),
                  ("local.set", xv), ("local.set", xt),
                  ("local.get", a), ("local.get", i), ("local.get", xt), ("local.get", xv),
                  ("call", "$arr_set_i"), ("drop",), ("drop",))
        self.rehoist()
        self.emit(("end",))
        if btmp:
            self.release_all([btmp])
        return True

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

    def string_position_call(self, e: A.MethodCall, v: Val, result: str, as_code: bool = False) -> Val:
        """s.substring(a, b) / s.get(i): with integer positions (known once the
        arguments are compiled) the runtime's typed entry points, which skip the tag
        tests and take one ASCII character of a string being scanned straight from the
        character-position cache; otherwise the generic method. ``as_code``: the
        result is for a character local (charlocals.py), so leave its i32 code."""
        tmp = self.stash() if v.owned else None
        p = self.tmp("i64")
        self.emit(("local.set", p), ("drop",))
        args: list[tuple[str, ...]] = []
        owned: list[tuple[str, str]] = []
        for a in e.args:
            x = self.expr(a)
            if x.st == "i64":
                loc = self.tmp("i64")
                self.emit(("local.set", loc))
                args.append((loc,))
            else:
                self.coerce(x, "dyn")
                pair = self.tmp_pair()
                self.emit(("local.set", pair[1]), ("local.set", pair[0]))
                args.append(pair)
                if x.owned:
                    owned.append(pair)
        if all(len(a) == 1 for a in args):
            # one ASCII character inside the prefix the position cache knows: the
            # immortal one-character string, inline; a string the loop scans keeps that
            # prefix length in a local (strscan.py), any other reads it from the cache
            scan = self.str_scan.get(e.obj.name) if isinstance(e.obj, A.Var) else None
            if scan is not None:
                sp, asc = scan
            else:
                sp, asc = self.tmp("i32"), self.tmp("i32")
                self.emit(("local.get", p), ("i32.wrap_i64",), ("local.set", sp))
                emit_prefix_read(self, sp, asc, keep=False)
            r = self.tmp("i32")
            at = args[0][0]
            done, _ = self._labels()
            self.emit(("block", done, "i32"), ("local.get", at), ("local.get", asc), ("i64.extend_i32_u",),
                      ("i64.lt_u",))
            if e.name == "substring" and not as_code:  # and b == a + 1 (a character local's is)
                self.emit(("local.get", args[1][0]), ("local.get", at), ("i64.const", 1), ("i64.add",),
                          ("i64.eq",), ("i32.and",))
            byte = [("local.get", sp), ("local.get", at), ("i32.wrap_i64",), ("i32.add",), ("i32.load8_u", 8, None)]
            if as_code:
                fast, slow = [*byte, ("i32.const", 2), ("i32.add",)], ("$str_substring_code", "$str_get_code")
            else:
                fast = [("global.get", "$strtab_ascii"), *byte, ("i32.const", 4), ("i32.shl",), ("i32.add",)]
                slow = ("$str_substring_ii", "$str_get_i")
            self.emit(("if", None, None), *fast, ("br", done), ("end",),
                      ("local.get", sp), *[("local.get", a[0]) for a in args],
                      ("call", slow[0] if e.name == "substring" else slow[1]), ("local.set", r))
            if scan is not None:
                emit_prefix_read(self, sp, asc, keep=True)  # the call may have grown the prefix
            self.emit(("local.get", r), ("end",), ("local.set", r))
            self.release_all([tmp] if tmp else [])
            if as_code:
                self.emit(("local.get", r))
                return Val(result, "i32")
            if e.name == "substring":
                self.emit(("i32.const", T_STR))
            else:  # void (tag 0) out of range, as $m_String_get
                self.emit(("i32.const", T_STR), ("i32.const", T_VOID), ("local.get", r), ("select",))
            self.emit(("local.get", r), ("i64.extend_i32_u",))
            return Val(result, "dyn", True)
        self.emit(("local.get", p))
        for a in args:
            if len(a) == 1:
                self.emit(("i32.const", T_INT), ("local.get", a[0]))
            else:
                self.emit(("local.get", a[0]), ("local.get", a[1]))
        self.finish_call(f"$m_String_{e.name}", owned + ([tmp] if tmp else []), True)
        if as_code:
            self.chr_code_of_pair(True)
            return Val(result, "i32")
        return self.unbox_known(result)

    def builtin_fast(self, kind: str, e: A.MethodCall, v: Val, result: str,
                     borrow: bool = False) -> Val | None:
        """Direct runtime calls for the hottest collection methods (kind: the receiver's
        base kind, never null; result: the call's kind from inference)."""
        if kind == "str" and v.st == "dyn" and (e.name, len(e.args)) in (("substring", 2), ("get", 1)):
            return self.string_position_call(e, v, result)
        if kind == "math" and e.name in ("sqrt", "abs") and len(e.args) == 1 and v.st == "dyn":
            # an argument that is statically a float (or an integer, for sqrt): the wasm
            # instruction, which is what $m_Math_sqrt / $m_Math_abs compute after their
            # kind test; any other argument goes to them (abs of an integer stays one)
            self.emit(("drop",), ("drop",))  # MathBox: no reference to release
            x = self.expr(e.args[0])
            if x.st == "f64" or (x.st == "i64" and e.name == "sqrt"):
                if x.st == "i64":
                    self.emit(("f64.convert_i64_s",))
                self.emit((f"f64.{e.name}",))
                return Val("float", "f64")
            self.coerce(x, "dyn")
            at, av = self.tmp_pair()
            self.emit(("local.set", av), ("local.set", at),
                      ("i64.const", 0), ("local.get", at), ("local.get", av))
            temps = [(at, av)] if x.owned else []
            self.finish_call(f"$m_Math_{e.name}", temps, True)
            return self.unbox_known(result)
        if (kind == "map" and e.name in ("get", "has") and len(e.args) == 1 and v.st == "dyn"
                and isinstance(e.args[0], A.Binary) and e.args[0].op == "+"):
            # m.get(s + n) / m.has(s + n) with n an integer: the key is built in the
            # runtime's scratch key ($str_scratch_concat_i64), not a new string -- get and
            # has never keep their key (anything else: an ordinary owned key)
            tmp = self.stash() if v.owned else None
            p = self.tmp("i64")
            self.emit(("local.set", p), ("drop",), ("local.get", p))
            self.scratch_key = id(e.args[0])
            try:
                x = self.expr(e.args[0])
            finally:
                self.scratch_key = None
            self.to_dyn(x)
            temps = [self.stash()] if x.owned else []
            self.finish_call(f"$m_Map_{e.name}", temps + ([tmp] if tmp else []), True)
            return self.unbox_known(result)
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
            self.inline_arr_push(a, xt, xv, retain=not never_heap(x.kind),
                                 mode=self.predicted_mode(self.inf.elem_kind_of(v.kind)))
            temps = [(xt, xv)] if x.owned else []
            self.release_all(temps + ([tmp] if tmp else []))
            self.emit(("i32.const", T_STR), ("i64.const", self.mg.string_lit("ok")))
            return Val("str", "dyn", False)
        if kind == "arr" and e.name == "length" and not e.args and v.st == "dyn":
            h = self.hoisted(e.obj)
            if h is not None and not v.owned:
                self.emit(("drop",), ("drop",), ("local.get", h.len))
                return Val("int", "i64")
            tmp = self.stash() if v.owned else None
            p = self.tmp("i64")
            self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",), ("i64.load32_u", 4, None))
            self.release_all([tmp] if tmp else [])
            return Val("int", "i64")
        if kind == "arr" and e.name == "pop" and not e.args and v.st == "dyn":
            # typed storage of the predicted mode: shrink and hand out the payload; anything
            # else (empty, tagged, another mode) is the runtime's
            mode = self.predicted_mode(self.inf.elem_kind_of(v.kind))
            if mode:
                tmp = self.stash() if v.owned else None
                p, a, n = self.tmp("i64"), self.tmp("i32"), self.tmp("i32")
                self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",), ("local.tee", a),
                          ("i32.load", 4, None), ("local.tee", n), ("i32.const", 0), ("i32.ne",),
                          ("local.get", a), ("i32.load", 16, None), ("i32.const", mode), ("i32.eq",), ("i32.and",),
                          ("if", None, ((), ("i32", "i64"))),
                          ("local.get", a), ("local.get", n), ("i32.const", 1), ("i32.sub",), ("local.tee", n),
                          ("i32.store", 4, None),
                          ("i32.const", mode), ("local.get", a), ("i32.load", 12, None), ("local.get", n),
                          ("i32.const", 3), ("i32.shl",), ("i32.add",), ("i64.load", 0, None),
                          ("else",), ("local.get", p), ("call", "$m_Array_pop"), ("end",))
                self.release_all([tmp] if tmp else [])
                return Val(result, "dyn", True)
        if kind == "arr" and e.name in ("get", "set") and v.st == "dyn" and len(e.args) == (1 if e.name == "get" else 2):
            elems = self.inf.elem_kind_of(v.kind)  # what the array's elements can be
            tmp = self.stash() if v.owned else None
            p = self.tmp("i64")
            a = self.tmp("i32")
            self.emit(("local.set", p), ("drop",), ("local.get", p), ("i32.wrap_i64",), ("local.set", a))
            idx = self.expr(e.args[0])
            if idx.st != "i64":  # not an integer at compile time: the runtime method checks it
                self.to_dyn(idx)
                it, ix = self.tmp_pair()
                self.emit(("local.set", ix), ("local.set", it))
                temps = [(it, ix)] if idx.owned else []
                self.emit(("local.get", a), ("i64.extend_i32_u",), ("local.get", it), ("local.get", ix))
                temps += self.args_for(e.args[1:], ["dyn"])
                fn = f"$m_Array_{e.name}"
                self.finish_call(fn, temps + ([tmp] if tmp else []), True)
                if e.name == "set":
                    self.rehoist()
                return Val(result, "dyn", e.name == "get")
            i = self.tmp("i64")
            self.emit(("local.set", i))
            if e.name == "get":
                keep = not borrow and not never_heap(elems)
                self.inline_arr_get(a, i, retain=keep, mode=self.predicted_mode(elems), h=self.hoisted(e.obj))
                self.release_all([tmp] if tmp else [])
                return Val(result, "dyn", keep)
            unused = self.discarded is e
            if unused and self.copy_element(e, a, i, elems):
                self.release_all([tmp] if tmp else [])
                return self.const_dyn(T_VOID)
            x = self.expr(e.args[1])
            self.to_dyn(x)
            xt, xv = self.tmp_pair()
            self.emit(("local.set", xv), ("local.set", xt))
            self.inline_arr_set(a, i, xt, xv, retain=not never_heap(x.kind), release=not never_heap(elems),
                                mode=self.predicted_mode(elems), result=not unused, h=self.hoisted(e.obj))
            temps = [(xt, xv)] if x.owned else []
            self.release_all(temps + ([tmp] if tmp else []))
            if unused:
                return self.const_dyn(T_VOID)
            return Val("str", "dyn", False)  # "ok" or the bounds message: immortal strings
        return None
