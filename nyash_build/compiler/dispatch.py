"""Generated dispatch functions for calls and field accesses whose receiver kind is
only known at run time: ``$callm:NAME/ARGC`` (user boxes by class id, then builtin
kinds), ``$getf:NAME`` / ``$setf:NAME`` (declared slots, extra fields, visibility)."""
from __future__ import annotations

from . import boxkinds as BK
from .abi import BUILTIN_KIND_NAMES, T_ARR, T_BOX, T_INST, T_STR, T_VOID
from .program import part_field
from ..wasm.module import Func


class Dispatchers:
    """Mixin for ModuleGen: each dispatcher is generated once, on first use."""

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
            if len(targets) >= 3:
                code += _cid_switch(list(targets.items()), args)
            else:
                for fn, cids in targets.items():
                    code += _cid_test(cids)
                    code += [("if", None, None), ("local.get", "$v"), ("i32.wrap_i64",)] + args + [
                        ("call", fn), ("return",), ("end",)]
            code.append(("end",))
        # a box with builtin parents answers the builtins' methods it lacks itself on
        # its builtin part (the first parent, in lookup order, that has the method)
        parts: dict[tuple[str, int], list[int]] = {}  # (builtin method, part slot) -> cids
        for c in self.info.classes.values():
            if c.find_method(name, argc) is not None:
                continue
            for b in c.builtin_parts():
                short = BK.BY_NAME[b].short if b in BK.BY_NAME else b.removesuffix("Box")
                fn = f"$m_{short}_{name}"
                if self.rt.method_argc.get(fn) == argc:
                    parts.setdefault((fn, c.slot(part_field(b))), []).append(c.cid)
                    break
        if parts:
            code += [("local.get", "$t"), ("i32.const", T_INST), ("i32.eq",), ("if", None, None),
                     ("local.get", "$v"), ("i32.wrap_i64",), ("i32.load", 4, 2), ("local.set", "$cid")]
            for (fn, slot), cids in parts.items():
                # the part's payload, borrowed from the instance for the call
                code += _cid_test(cids) + [("if", None, None), ("local.get", "$v"), ("i32.wrap_i64",),
                                           ("i64.load", 24 + 16 * slot + 8, 3)] + args + [
                    ("call", fn), ("return",), ("end",)]
            code.append(("end",))
        if name == "fini" and argc == 0:
            code += [("local.get", "$t"), ("i32.const", T_INST), ("i32.eq",), ("if", None, None),
                     ("i32.const", T_VOID), ("i64.const", 0), ("return",), ("end",)]
        if name == "toString" and argc == 0:
            # instances without their own toString() give their printed form
            code += [("local.get", "$t"), ("i32.const", T_INST), ("i32.eq",), ("if", None, None),
                     ("i32.const", T_STR), ("local.get", "$t"), ("local.get", "$v"), ("call", "$to_string"),
                     ("i64.extend_i32_u",), ("return",), ("end",)]
        # builtin box objects: switch on the kind id
        if self.box_kinds:
            code += [("local.get", "$t"), ("i32.const", T_BOX), ("i32.eq",), ("if", None, None),
                     ("local.get", "$v"), ("i32.wrap_i64",), ("i32.load", 4, 2), ("local.set", "$cid")]
            for k in self.box_kinds:
                code += [("local.get", "$cid"), ("i32.const", k.kid), ("i32.eq",), ("if", None, None)]
                code += self._box_case(self.box_method(k, name, argc), argc, args)
                code.append(("end",))
            code.append(("end",))
        # builtin kinds
        for tag, kname in BUILTIN_KIND_NAMES.items():
            fn = f"$m_{kname}_{name}"
            if self.rt.method_argc.get(fn) == argc:
                code += [("local.get", "$t"), ("i32.const", tag), ("i32.eq",), ("if", None, None),
                         ("local.get", "$v")] + args + [("call", fn), ("return",), ("end",)]
        code += [("i32.const", self.string_lit(name)), ("local.get", "$t"), ("local.get", "$v"),
                 ("call", "$raise_no_method"), ("i32.const", 0), ("i64.const", 0)]
        self.funcs.append(Func(fname, params, ["i32", "i64"],
                               [("$cid", "i32"), ("$arr", "i32"), ("$rt", "i32"), ("$rv", "i64")], code))
        return fname

    def sole_user_target(self, name: str, argc: int) -> dict[str, list[int]] | None:
        """{method function: class ids} when only user boxes answer name/argc, with at
        most two implementations over at most four boxes (worth testing inline at a call
        site); None otherwise."""
        if name in ("fini", "toString") and argc == 0:
            return None
        if any(self.rt.method_argc.get(f"$m_{k}_{name}") == argc for k in BUILTIN_KIND_NAMES.values()):
            return None
        if any(self.box_method(k, name, argc).how != "error" for k in self.box_kinds):
            return None
        targets: dict[str, list[int]] = {}
        for c in self.info.classes.values():
            m = c.find_method(name, argc)
            if m is not None:
                targets.setdefault(self.method_func(m), []).append(c.cid)
        if not targets or len(targets) > 2 or sum(len(v) for v in targets.values()) > 4:
            return None
        return targets

    def _box_case(self, r, argc: int, args: list[tuple]) -> list[tuple]:
        """Body of one kind's branch in a method dispatcher (returns from it)."""
        if r.how == "fixed":
            return [("local.get", "$v"), *args, ("call", r.fn), ("return",)]
        if r.how == "tostring":
            return [("i32.const", T_STR), ("local.get", "$t"), ("local.get", "$v"), ("call", "$to_string"),
                    ("i64.extend_i32_u",), ("return",)]
        if r.how == "var":
            code: list[tuple] = [("call", "$arr_new"), ("local.set", "$arr")]
            for i in range(argc):
                code += [("local.get", "$arr"), ("local.get", f"$a{i}t"), ("local.get", f"$a{i}v"), ("call", "$arr_push_v")]
            return code + [("local.get", "$v"), ("local.get", "$arr"), ("call", r.fn), ("local.set", "$rv"),
                           ("local.set", "$rt"), ("i32.const", T_ARR), ("local.get", "$arr"), ("i64.extend_i32_u",),
                           ("call", "$release"), ("local.get", "$rt"), ("local.get", "$rv"), ("return",)]
        return [("i32.const", self.string_lit(r.message)), ("call", "$raise_error"),
                ("i32.const", 0), ("i64.const", 0), ("return",)]

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


def _cid_switch(targets: list[tuple[str, list[int]]], args: list[tuple]) -> list[tuple]:
    """One br_table on $cid to the call of each class's method (several implementations:
    a jump table instead of a chain of tests); other class ids fall through."""
    label = {cid: f"$case{k}" for k, (_fn, cids) in enumerate(targets) for cid in cids}
    table = [label.get(cid, "$nocase") for cid in range(max(label) + 1)]
    code: list[tuple] = [("block", "$nocase", None)]
    code += [("block", f"$case{k}", None) for k in reversed(range(len(targets)))]
    code += [("local.get", "$cid"), ("br_table", table, "$nocase")]
    for k, (fn, _cids) in enumerate(targets):
        code += [("end",), ("local.get", "$v"), ("i32.wrap_i64",), *args, ("call", fn), ("return",)]
    code.append(("end",))
    return code


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
