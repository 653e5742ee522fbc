"""Character locals: a local that only ever holds one character of a string, kept as
an i32 code instead of a (tag, string) pair.

A scanner reads a string one character at a time and compares each character with
one-character literals::

    local c = text.substring(i, i + 1)
    if c == "a" or c == " " { ... }
    local d = text.get(i)
    if d >= "0" and d <= "9" { ... }

As strings, each character is a runtime string (an immortal one for ASCII), each
assignment releases the old value, and each comparison loads the string's length and
first byte. A local whose every assignment can only give a string of at most one
character (or void) needs none of that: it holds the character's *code*

    0  void (``get`` out of range; also a local declared without a value)
    1  ""   (``substring`` out of range)
    2 + the character's code point

Strings order byte by byte, and UTF-8 orders like code points, so the codes order
like the strings they stand for (with void below every string, which only matters to
the runtime error a comparison with void raises). A comparison with a string literal
is one i32 instruction; every other use *materialises* the string (funcgen's
``chr_value``): the immortal string of an ASCII character or "", a new one otherwise.

Which assignments qualify (the value can only be one character, whatever runs):

* a string literal of at most one character;
* ``s.substring(a, a + 1)`` on a receiver inference knows is a string, with ``a`` a
  local or an integer literal (read twice, the same value: nothing runs in between);
* ``s.get(i)`` on such a receiver (any index: out of range is void, a bad one raises);
* another character local.

A local qualifies when every assignment does, inference gave it the kind ``str`` or
``dyn`` (the materialised value has that kind), it is not a catch variable, and some
comparison with a string literal reads it (otherwise there is nothing to gain).
"""
from __future__ import annotations

from . import ast as A
from .abi import T_STR, T_VOID
from .values import Val

COMPARISONS = ("==", "!=", "<", ">", "<=", ">=")


def chr_code(text: str) -> int:
    """The code of a string of at most one character."""
    return 1 if text == "" else ord(text) + 2


def is_substring_of_one(fg, e: A.MethodCall) -> bool:
    """``s.substring(a, a + 1)`` with a a local or an integer literal."""
    if e.name != "substring" or len(e.args) != 2:
        return False
    a, b = e.args
    if isinstance(a, A.Var):
        if fg.info.var_kind.get(id(a)) != "local":
            return False
        same = lambda x: isinstance(x, A.Var) and x.name == a.name and fg.info.var_kind.get(id(x)) == "local"
    elif isinstance(a, A.IntLit):
        same = lambda x: isinstance(x, A.IntLit) and x.value == a.value
    else:
        return False
    if not (isinstance(b, A.Binary) and b.op == "+"):
        return False
    one = lambda x: isinstance(x, A.IntLit) and x.value == 1
    return (same(b.left) and one(b.right)) or (one(b.left) and same(b.right))


def one_char_source(fg, e: A.Expr) -> bool:
    """Whether e (not a local) can only give a string of at most one character or void."""
    if isinstance(e, A.StrLit):
        return len(e.value) <= 1
    if isinstance(e, A.MethodCall) and fg.inf.receiver_kinds.get(id(e)) == "str":
        return is_substring_of_one(fg, e) or (e.name == "get" and len(e.args) == 1)
    return False


def char_locals(fg) -> set[str]:
    """The locals of fg's body to keep as character codes."""
    body = fg.body
    values: dict[str, list[A.Expr]] = {}
    excluded: set[str] = set(body.params)
    compared: set[str] = set()

    def local_var(x) -> str | None:
        if isinstance(x, A.Var) and fg.info.var_kind.get(id(x)) == "local":
            return x.name
        return None

    for n in A.walk(body.stmts):
        if isinstance(n, A.Assign):
            name = local_var(n.target)
            if name is not None:
                values.setdefault(name, []).append(n.value)
        elif isinstance(n, A.Local):
            for name, init, *_ in n.names:
                values.setdefault(name, [])
                if init is not None:
                    values[name].append(init)
        elif isinstance(n, A.Try):
            excluded.update(c.var for c in n.catches if c.var)
        elif isinstance(n, A.Binary) and n.op in COMPARISONS:
            for x, y in ((n.left, n.right), (n.right, n.left)):
                name = local_var(x)
                if name is not None and isinstance(y, A.StrLit):
                    compared.add(name)
    chosen = {name for name in values
              if name in body.local_set and name not in excluded
              and fg.inf.local_kind(body, name) in ("str", "dyn")}
    changed = True
    while changed:  # drop locals assigned from a local that is not chosen
        changed = False
        for name in sorted(chosen):
            if not all(local_var(v) in chosen if local_var(v) is not None else one_char_source(fg, v)
                       for v in values[name]):
                chosen.discard(name)
                changed = True
    # worth it only where a comparison with a literal reads the local, or a chosen one
    # is assigned from it
    useful = chosen & compared
    changed = True
    while changed:
        changed = False
        for name in chosen - useful:
            if any(local_var(v) == name for other in useful for v in values[other]):
                useful.add(name)
                changed = True
    return useful


class CharCode:
    """Code generation for character locals (a mixin of FuncGen)."""

    def chr_value(self, kind: str, code: str) -> Val:
        """The value of the character local whose code is in the i32 local `code`:
        a (tag, string) pair, owned (immortal for "" and ASCII characters)."""
        if kind == "str":
            self.emit(("i32.const", T_STR))
        else:
            self.emit(("i32.const", T_STR), ("i32.const", T_VOID), ("local.get", code), ("select",))
        self.emit(("local.get", code), ("i32.const", 2), ("i32.sub",), ("i32.const", 128), ("i32.lt_u",),
                  ("if", None, "i32"),
                  ("global.get", "$strtab_ascii"), ("local.get", code), ("i32.const", 2), ("i32.sub",),
                  ("i32.const", 4), ("i32.shl",), ("i32.add",),
                  ("else",), ("local.get", code), ("call", "$chr_str"), ("end",), ("i64.extend_i32_u",))
        return Val(kind, "dyn", True)

    def chr_code_of(self, e: A.Expr) -> None:
        """Leave the code of e (a value char_locals accepted for a character local) on
        the stack as an i32."""
        if isinstance(e, A.StrLit):
            self.emit(("i32.const", chr_code(e.value)))
            return
        if isinstance(e, A.Var):
            kind, st, names = self.vars[e.name]
            assert st == "chr", (e.name, st)
            self.emit(("local.get", names[0]))
            return
        assert isinstance(e, A.MethodCall)
        if id(e) not in self.info.deferred:
            mark = len(self.code)
            v = self.expr(e.obj, borrow=self.receiver_borrowed(e))
            if v.kind == "str" and v.st == "dyn":
                self.string_position_call(e, v, self.inf.node_kind(e), as_code=True)
                return
            del self.code[mark:]  # not a plain string after all: the generic call
        v = self.expr(e)
        self.to_dyn(v)
        self.chr_code_of_pair(v.owned)

    def chr_code_of_pair(self, owned: bool) -> None:
        """The code of the string of at most one character (or void) on the stack as a
        (tag, payload) pair, released when owned."""
        if owned:
            t, x = self.stash()
            self.emit(("call", "$chr_code_value"), ("local.get", t), ("local.get", x), ("call", "$release"))
        else:
            self.emit(("call", "$chr_code_value"))

    def chr_compare(self, e: A.Binary) -> Val | None:
        """A comparison of a character local with a string literal (one i32
        comparison of codes), or of two character locals that are never void (==, !=);
        None for anything else."""
        op = e.op
        sides = []
        for x in (e.left, e.right):
            if (isinstance(x, A.Var) and self.info.var_kind.get(id(x)) == "local"
                    and self.vars.get(x.name, (None, None))[1] == "chr"):
                sides.append(self.vars[x.name])
            else:
                sides.append(None)
        if sides[0] is not None and sides[1] is not None:
            if op not in ("==", "!=") or sides[0][0] != "str" or sides[1][0] != "str":
                return None
            self.emit(("local.get", sides[0][2][0]), ("local.get", sides[1][2][0]),
                      ("i32.eq" if op == "==" else "i32.ne",))
            return Val("bool", "i32")
        if sides[0] is not None and isinstance(e.right, A.StrLit):
            (kind, _, names), lit, norm = sides[0], e.right.value, op
        elif sides[1] is not None and isinstance(e.left, A.StrLit):
            (kind, _, names), lit, norm = sides[1], e.left.value, self._MIRRORED[op]
        else:
            return None
        code = names[0]
        if len(lit) > 1:  # a character never equals a longer string
            if norm in ("==", "!="):
                self.emit(("i32.const", int(norm == "!=")))
                return Val("bool", "i32")
            # c < "ab" iff c <= "a"; c > "ab" iff c > "a"
            norm = {"<": "<=", "<=": "<=", ">": ">", ">=": ">"}[norm]
            k = ord(lit[0]) + 2
        else:
            k = chr_code(lit)
        ins = {"==": "i32.eq", "!=": "i32.ne", "<": "i32.lt_u", "<=": "i32.le_u",
               ">": "i32.gt_u", ">=": "i32.ge_u"}[norm]
        fast = [("local.get", code), ("i32.const", k), (ins,)]
        if norm in ("==", "!=") or kind == "str":
            self.emit(*fast)
            return Val("bool", "i32")
        # an order with a local that may be void: the generic operator's error for void
        done, out = self._labels()
        void = [("i32.const", T_VOID), ("i64.const", 0)]
        literal = [("i32.const", T_STR), ("i64.const", self.mg.string_lit(lit))]
        pair = [*void, *literal] if sides[0] is not None else [*literal, *void]
        self.emit(("block", done, "i32"), ("block", out, None),
                  ("local.get", code), ("i32.eqz",), ("br_if", out), *fast, ("br", done), ("end",),
                  *pair, ("call", self._DYN_OPS[op]))
        self.check_exc()
        self.emit(("end",))
        return Val("bool", "i32")
