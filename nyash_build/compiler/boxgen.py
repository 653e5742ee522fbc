"""Code for builtin box objects (tag ``T_BOX``, registry in ``boxkinds``): the per-module
switches the runtime calls (``$box_kind_name``, ``$box_to_string``, ``$box_drop``,
``$box_eq``), immortal singletons of stateless kinds, and how a method call on a box
kind resolves (fixed arity, any arity, arity error, unknown method).

The switches only cover the kinds the program can create (``boxkinds.closure`` of the
boxes its ``new`` expressions name), so unused kinds cost nothing."""
from __future__ import annotations

import struct
from dataclasses import dataclass

from . import boxkinds as BK
from .abi import DATA_BASE
from ..wasm.module import Func, Global


@dataclass(frozen=True)
class BoxMethod:
    """How `box.name(argc args)` resolves: ``how`` is "fixed" / "var" (call ``fn``),
    "tostring" (the printed form), or "error" (raise ``message``)."""
    how: str
    fn: str = ""
    message: str = ""


class BoxSupport:
    """Mixin for ModuleGen (uses its data, funcs, globals, rt, string_lit)."""

    def init_boxes(self, used_names: set[str]) -> None:
        self.box_kinds: list[BK.BoxKind] = BK.closure(used_names)
        self.box_singletons: dict[str, int] = {}

    # ---- resolution --------------------------------------------------------------
    def box_method(self, kind: BK.BoxKind, name: str, argc: int) -> BoxMethod:
        fixed = f"$m_{kind.short}_{name}"
        var = f"$mv_{kind.short}_{name}"
        want = self.rt.method_argc.get(fixed)
        if want == argc:
            return BoxMethod("fixed", fixed)
        if var in self.rt.func_names:
            return BoxMethod("var", var)
        if want is not None:
            return BoxMethod("error", message=BK.arity_message(name, want, argc))
        if name == "toString":
            if argc == 0:
                return BoxMethod("tostring")
            return BoxMethod("error", message=BK.arity_message(name, 0, argc))
        return BoxMethod("error", message=kind.unknown_method(name))

    def box_ctor(self, kind: BK.BoxKind, argc: int) -> str | None:
        """The runtime constructor for `new Kind(argc args)`; None for a stateless kind
        (an immortal singleton)."""
        for fn in (f"$new_{kind.short}_{argc}", f"$new_{kind.short}"):
            f = self.rt.funcs_by_name.get(fn)
            if f is not None and len(f.params) == 2 * argc:
                return fn
        return None

    def box_singleton(self, kind: BK.BoxKind) -> int:
        """Address of the kind's immortal object in static data (no allocation)."""
        addr = self.box_singletons.get(kind.name)
        if addr is None:
            while len(self.data) % 8:
                self.data.append(0)
            addr = DATA_BASE + len(self.data)
            self.data += struct.pack("<II", 0x80000000, kind.kid)
            self.box_singletons[kind.name] = addr
        return addr

    # ---- generated switches ------------------------------------------------------
    def gen_box_support(self) -> None:
        for k in BK.KINDS:
            # kept only where a kept function reads it (wasm/link.py), so a kind adds
            # nothing to programs that do not use it
            self.globals.append(Global(f"$kid_{k.short}", "i32", False, k.kid, group="used"))
        fallback_name = self.string_lit("Box")

        def switch(fn_for, default: list[tuple]) -> list[tuple]:
            code: list[tuple] = [("local.get", "$p"), ("i32.load", 4, 2), ("local.set", "$k")]
            for k in self.box_kinds:
                body = fn_for(k)
                if body is None:
                    continue
                code += [("local.get", "$k"), ("i32.const", k.kid), ("i32.eq",), ("if", None, None),
                         *body, ("return",), ("end",)]
            return code + default

        def kind_name(k: BK.BoxKind):
            return [("i32.const", self.string_lit(k.type_name or k.name))]

        def to_string(k: BK.BoxKind):
            fn = f"$tostr_{k.short}"
            if fn in self.rt.func_names:
                return [("local.get", "$p"), ("call", fn)]
            return [("i32.const", self.string_lit(k.printed or k.name + "()"))]

        def drop(k: BK.BoxKind):
            fn = f"$drop_{k.short}"
            return [("local.get", "$p"), ("call", fn)] if fn in self.rt.func_names else None

        def eq(k: BK.BoxKind):
            fn = f"$eq_{k.short}"
            if fn not in self.rt.func_names:
                return None
            return [("local.get", "$p"), ("local.get", "$q"), ("call", fn)]

        p = [("$p", "i32")]
        lk = [("$k", "i32")]
        self.funcs.append(Func("$box_kind_name", p, ["i32"], lk,
                               switch(kind_name, [("i32.const", fallback_name)])))
        self.funcs.append(Func("$box_to_string", p, ["i32"], lk,
                               switch(to_string, [("i32.const", fallback_name)])))
        self.funcs.append(Func("$box_drop", p, [], lk, switch(drop, [])))
        # a == b for two box objects: identical, or same kind and the kind's equality
        pq = [("$p", "i32"), ("$q", "i32")]
        pre: list[tuple] = [("local.get", "$p"), ("local.get", "$q"), ("i32.eq",), ("if", None, None),
                            ("i32.const", 1), ("return",), ("end",),
                            ("local.get", "$p"), ("i32.load", 4, 2), ("local.get", "$q"), ("i32.load", 4, 2),
                            ("i32.ne",), ("if", None, None), ("i32.const", 0), ("return",), ("end",)]
        self.funcs.append(Func("$box_eq", pq, ["i32"], lk, pre + switch(eq, [("i32.const", 0)])))
        self.gen_class_fields()

    def gen_class_fields(self) -> None:
        """``$class_fields (cid) -> i32``: an immortal string of the class's declared
        field names, ``a, b`` (DebugBox.trackBox shows them). Its table is only built
        when the program can create a DebugBox, so other programs carry no data for it."""
        code: list[tuple] = [("unreachable",)]
        if any(k.name == "DebugBox" for k in self.box_kinds):
            classes = list(self.info.classes.values())
            addrs = [self.string_lit(", ".join(c.fields)) for c in classes]
            while len(self.data) % 4:
                self.data.append(0)
            table = DATA_BASE + len(self.data)
            for a in addrs:
                self.data += struct.pack("<I", a)
            code = [("local.get", "$cid"), ("i32.const", 4), ("i32.mul",), ("i32.load", table, 2)] if classes \
                else [("i32.const", self.string_lit(""))]
        self.funcs.append(Func("$class_fields", [("$cid", "i32")], ["i32"], [], code))
