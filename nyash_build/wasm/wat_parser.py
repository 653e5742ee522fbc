"""Parser for hand-written WebAssembly text (the runtime library) into the module IR.

Accepts a sequence of module fields (or a whole ``(module ...)``) with folded and
flat instructions mixed freely.  One compiled regex tokenizes; a recursive-descent
parser over the token list emits flat instruction tuples directly, so a 5,000-line
runtime parses in a few tens of milliseconds.
"""
from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any, Optional

from .module import Data, Func, Global, Import, Memory, Module
from .opcodes import (K_BLOCK, K_BR, K_BR_TABLE, K_CALL, K_ELSE, K_END, K_F32, K_F64,
                      K_GLOBAL, K_I32, K_I64, K_LINE, K_LOCAL, K_MEM, K_PLAIN, K_SELECT,
                      LANE_ZERO_OPS, OPS, VALTYPES)


class WatSyntaxError(Exception):
    """A syntax error in WAT text; the message starts with ``file:line:col:``."""

    def __init__(self, filename: str, line: int, col: int, msg: str) -> None:
        super().__init__(f"{filename}:{line}:{col}: {msg}")
        self.filename = filename
        self.line = line
        self.col = col
        self.msg = msg


@dataclass
class Fragment:
    """The module fields of one WAT text, in source order per kind."""

    funcs: list[Func] = field(default_factory=list)
    globals: list[Global] = field(default_factory=list)
    data: list[Data] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    exports: list[tuple[str, str, str]] = field(default_factory=list)
    memory: Optional[Memory] = None

    def to_module(self) -> Module:
        """A Module holding exactly this fragment's fields."""
        return Module(list(self.imports), list(self.funcs), list(self.globals),
                      self.memory, list(self.data), list(self.exports))


# Whitespace / line comment are skipped; group 1 = block comment start, group 2 = token.
_TOKEN = re.compile(r'\s*(?:;;[^\n]*\s*)*(?:(\(;)|(\(|\)|"(?:[^"\\\n]|\\.)*"|[^\s()";]+)|($))',
                    re.S)
_WS = re.compile(r"\s*")
_ESCAPE = re.compile(r'\\(?:([0-9a-fA-F]{2})|u\{([0-9a-fA-F_]+)\}|(.))', re.S)
_SIMPLE_ESC = {"n": b"\n", "t": b"\t", "r": b"\r", '"': b'"', "'": b"'", "\\": b"\\"}
_EOF = "\x00EOF"


def _tokenize(text: str, filename: str) -> tuple[list[str], list[int]]:
    toks: list[str] = []
    poss: list[int] = []
    add_t = toks.append
    add_p = poss.append
    match = _TOKEN.match
    pos = 0
    n = len(text)
    while True:
        m = match(text, pos)
        if m is None:
            pos = _WS.match(text, pos).end()
            _raise_at(text, filename, pos, f"unexpected character {text[pos]!r}")
        tok = m.group(2)
        if tok is not None:
            add_t(tok)
            add_p(m.start(2))
            pos = m.end()
            continue
        if m.group(1) is not None:
            pos = _skip_block_comment(text, filename, m.start(1))
            continue
        # end of input (group 3) or garbage
        if m.end() >= n:
            break
        _raise_at(text, filename, m.end(), f"unexpected character {text[m.end()]!r}")
    toks.append(_EOF)
    poss.append(n)
    return toks, poss


def _skip_block_comment(text: str, filename: str, start: int) -> int:
    """Return the position after the (possibly nested) block comment at ``start``."""
    depth = 0
    pos = start
    while True:
        o = text.find("(;", pos)
        c = text.find(";)", pos)
        if c < 0:
            _raise_at(text, filename, start, "unterminated block comment")
        if 0 <= o < c:
            depth += 1
            pos = o + 2
        else:
            depth -= 1
            pos = c + 2
            if depth == 0:
                return pos


def _raise_at(text: str, filename: str, pos: int, msg: str) -> None:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    raise WatSyntaxError(filename, line, col, msg)


def parse_string(tok: str) -> bytes:
    """Decode a quoted WAT string token (with quotes) to bytes."""
    body = tok[1:-1]
    if "\\" not in body:
        return body.encode("utf-8")

    def repl(m: re.Match) -> str:
        if m.group(1):
            b = int(m.group(1), 16)
            return chr(b) if b < 0x80 else chr(0xDC00 + b)  # raw byte, see below
        if m.group(2):
            return chr(int(m.group(2).replace("_", ""), 16))
        return _SIMPLE_ESC[m.group(3)].decode()

    # Raw bytes \hh are carried as lone surrogates and emitted via surrogateescape.
    out = _ESCAPE.sub(repl, body)
    return out.encode("utf-8", "surrogateescape")


def parse_int(tok: str) -> int:
    """Parse a WAT integer literal (sign, decimal or hex, ``_`` separators)."""
    s = tok.replace("_", "")
    neg = s[:1] == "-"
    if s[:1] in "+-":
        s = s[1:]
    if s[:2] in ("0x", "0X"):
        v = int(s[2:], 16)
    elif s.isdigit():
        v = int(s, 10)
    else:
        raise ValueError(tok)
    return -v if neg else v


def parse_float(tok: str, bits: int) -> Any:
    """Parse a WAT float literal; NaNs with payloads are returned as raw LE bytes."""
    s = tok.replace("_", "")
    neg = s[:1] == "-"
    body = s[1:] if s[:1] in "+-" else s
    if body == "inf":
        return -math.inf if neg else math.inf
    if body == "nan":
        return -math.nan if neg else math.nan
    if body.startswith("nan:0x"):
        payload = int(body[6:], 16)
        if bits == 32:
            return struct.pack("<I", (0xFF800000 if neg else 0x7F800000) | payload)
        return struct.pack("<Q", ((1 << 63) if neg else 0) | 0x7FF0000000000000 | payload)
    if body[:2] in ("0x", "0X"):
        if "p" not in body and "P" not in body:
            body += "p0"
        v = float.fromhex(body)
    elif body[:1].isdigit():
        v = float(body)
    else:
        raise ValueError(tok)
    return -v if neg else v


class _Parser:
    """Recursive descent over the token list; ``self.i`` is the current token."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.toks, self.poss = _tokenize(text, filename)
        self.i = 0
        self.frag = Fragment()
        self.anon = 0
        # Unnamed items get names unique across files, so fragments can be merged.
        self.anon_prefix = "$__" + re.sub(r"[^\w.]", "_", filename) + "_"

    # ------------------------------------------------------------ helpers
    def error(self, msg: str, i: Optional[int] = None) -> WatSyntaxError:
        idx = self.i if i is None else i
        pos = self.poss[min(idx, len(self.poss) - 1)]
        try:
            _raise_at(self.text, self.filename, pos, msg)
        except WatSyntaxError as e:
            return e
        raise AssertionError("unreachable")

    def _desc(self, tok: str) -> str:
        return "end of input" if tok == _EOF else repr(tok)

    def expect(self, tok: str) -> None:
        if self.toks[self.i] != tok:
            raise self.error(f"expected {tok!r}, found {self._desc(self.toks[self.i])}")
        self.i += 1

    def atom(self, what: str) -> str:
        t = self.toks[self.i]
        if t in ("(", ")", _EOF) or t[0] == '"':
            raise self.error(f"expected {what}, found {self._desc(t)}")
        self.i += 1
        return t

    def string(self) -> bytes:
        t = self.toks[self.i]
        if t[0] != '"':
            raise self.error(f"expected a string, found {self._desc(t)}")
        self.i += 1
        return parse_string(t)

    def name_string(self) -> str:
        i = self.i
        b = self.string()
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("name is not valid UTF-8", i) from None

    def opt_id(self) -> Optional[str]:
        t = self.toks[self.i]
        if t[0] == "$":
            self.i += 1
            return t
        return None

    def at(self, keyword: str) -> bool:
        """True if the next tokens are ``(`` ``keyword``."""
        return self.toks[self.i] == "(" and self.toks[self.i + 1] == keyword

    def valtype(self) -> str:
        t = self.toks[self.i]
        if t not in VALTYPES:
            raise self.error(f"expected a value type, found {self._desc(t)}")
        self.i += 1
        return t

    def int_lit(self, what: str = "an integer") -> int:
        t = self.atom(what)
        try:
            return parse_int(t)
        except ValueError:
            raise self.error(f"expected {what}, found {t!r}", self.i - 1) from None

    def ref(self) -> Any:
        t = self.toks[self.i]
        if t[0] == "$":
            self.i += 1
            return t
        return self.int_lit("a name or index")

    # ------------------------------------------------------------ top level
    def parse(self) -> Fragment:
        toks = self.toks
        if toks[0] == "(" and toks[1] == "module":
            self.i = 2
            self.opt_id()
            self.fields()
            self.expect(")")
        else:
            self.fields()
        if toks[self.i] != _EOF:
            raise self.error(f"unexpected {self._desc(toks[self.i])}")
        return self.frag

    def fields(self) -> None:
        toks = self.toks
        while toks[self.i] == "(":
            start = self.i
            self.i += 1
            kw = self.atom("a module field")
            handler = _FIELDS.get(kw)
            if handler is None:
                raise self.error(f"unsupported module field {kw!r}", start + 1)
            handler(self)

    def field_func(self) -> None:
        name = self.opt_id()
        if name is None:
            self.anon += 1
            name = f"{self.anon_prefix}{self.anon}"
        export: Optional[str] = None
        imported: Optional[tuple[str, str]] = None
        while True:
            if self.at("export"):
                self.i += 2
                e = self.name_string()
                self.expect(")")
                if export is None:
                    export = e
                else:
                    self.frag.exports.append((e, "func", name))
            elif self.at("import"):
                self.i += 2
                imported = (self.name_string(), self.name_string())
                self.expect(")")
            elif self.at("type"):
                raise self.error("'(type ...)' uses are not supported; write param/result")
            else:
                break
        params, results = self.signature(allow_names=True)
        if imported is not None:
            if export is not None:
                raise self.error("exporting an imported function is not supported")
            self.expect(")")
            self.frag.imports.append(Import(imported[0], imported[1], name, params, results))
            return
        locals_: list[tuple[Optional[str], str]] = []
        while self.at("local"):
            self.i += 2
            self.decls(locals_)
        body: list[tuple] = []
        self.instrs(body)
        self.expect(")")
        self.frag.funcs.append(Func(name, params, results, locals_, body, export))

    def decls(self, out: list) -> None:
        """``$id type)`` or ``type* )`` after ``(param``/``(local``."""
        nm = self.opt_id()
        if nm is not None:
            out.append((nm, self.valtype()))
        else:
            while self.toks[self.i] != ")":
                out.append((None, self.valtype()))
        self.expect(")")

    def signature(self, allow_names: bool) -> tuple[list, list]:
        params: list = []
        results: list[str] = []
        while self.at("param"):
            self.i += 2
            self.decls(params)
        while self.at("result"):
            self.i += 2
            while self.toks[self.i] != ")":
                results.append(self.valtype())
            self.i += 1
        return params, results

    def field_import(self) -> None:
        mod = self.name_string()
        fld = self.name_string()
        if not self.at("func"):
            raise self.error("only function imports are supported")
        self.i += 2
        name = self.opt_id()
        if name is None:
            self.anon += 1
            name = f"{self.anon_prefix}{self.anon}"
        if self.at("type"):
            raise self.error("'(type ...)' uses are not supported; write param/result")
        params, results = self.signature(allow_names=True)
        self.expect(")")
        self.expect(")")
        self.frag.imports.append(Import(mod, fld, name, params, results))

    def field_export(self) -> None:
        ename = self.name_string()
        self.expect("(")
        kind = self.atom("an export kind")
        if kind not in ("func", "global", "memory"):
            raise self.error(f"unsupported export kind {kind!r}", self.i - 1)
        ref = self.ref()
        self.expect(")")
        self.expect(")")
        self.frag.exports.append((ename, kind, ref))

    def field_global(self) -> None:
        name = self.opt_id()
        if name is None:
            self.anon += 1
            name = f"{self.anon_prefix}g{self.anon}"
        export = None
        while self.at("export"):
            self.i += 2
            e = self.name_string()
            self.expect(")")
            if export is None:
                export = e
            else:
                self.frag.exports.append((e, "global", name))
        if self.at("import"):
            raise self.error("global imports are not supported")
        mutable = False
        if self.at("mut"):
            self.i += 2
            vt = self.valtype()
            self.expect(")")
            mutable = True
        else:
            vt = self.valtype()
        init = self.const_expr()
        self.expect(")")
        self.frag.globals.append(Global(name, vt, mutable, init, export))

    def const_expr(self) -> Any:
        """A constant initialiser ``(t.const x)`` or ``t.const x``; returns the number."""
        folded = self.toks[self.i] == "("
        if folded:
            self.i += 1
        start = self.i
        op = self.atom("a constant expression")
        kind = OPS.get(op, (None,))[0]
        if kind == K_I32 or kind == K_I64:
            v = self.int_lit()
        elif kind == K_F32 or kind == K_F64:
            v = self.float_lit(32 if kind == K_F32 else 64)
        else:
            raise self.error(f"initialiser must be a constant, found {op!r}", start)
        if folded:
            self.expect(")")
        return v

    def field_data(self) -> None:
        self.opt_id()
        if self.at("memory"):
            self.i += 2
            self.ref()
            self.expect(")")
        if self.at("offset"):
            self.i += 2
            offset = self.const_expr()
            self.expect(")")
        else:
            offset = self.const_expr()
        chunks = []
        while self.toks[self.i] != ")":
            chunks.append(self.string())
        self.i += 1
        self.frag.data.append(Data(int(offset), b"".join(chunks)))

    def field_memory(self) -> None:
        self.opt_id()
        export = None
        while self.at("export"):
            self.i += 2
            e = self.name_string()
            self.expect(")")
            if export is None:
                export = e
            else:
                self.frag.exports.append((e, "memory", "0"))
        if self.at("import"):
            raise self.error("memory imports are not supported")
        lo = self.int_lit("a page count")
        hi = None
        if self.toks[self.i] != ")":
            hi = self.int_lit("a page count")
        self.expect(")")
        if self.frag.memory is not None:
            raise self.error("only one memory is supported")
        self.frag.memory = Memory(lo, hi, export)

    # ------------------------------------------------------------ instructions
    def float_lit(self, bits: int) -> Any:
        t = self.atom("a float")
        try:
            return parse_float(t, bits)
        except (ValueError, OverflowError):
            raise self.error(f"expected a float, found {t!r}", self.i - 1) from None

    def blocktype(self) -> Any:
        toks = self.toks
        if toks[self.i] != "(":
            return None
        if self.at("type"):
            raise self.error("'(type ...)' block types are not supported")
        params: list[str] = []
        results: list[str] = []
        while self.at("param"):
            self.i += 2
            while toks[self.i] != ")":
                if toks[self.i][0] == "$":
                    raise self.error("block parameters cannot be named")
                params.append(self.valtype())
            self.i += 1
        while self.at("result"):
            self.i += 2
            while toks[self.i] != ")":
                results.append(self.valtype())
            self.i += 1
        if not params:
            if not results:
                return None
            if len(results) == 1:
                return results[0]
        return (tuple(params), tuple(results))

    def instrs(self, body: list) -> None:
        """Instructions (flat or folded) up to, not including, the closing ``)``."""
        toks = self.toks
        while True:
            t = toks[self.i]
            if t == ")":
                return
            if t == "(":
                self.folded(body)
            elif t == _EOF:
                raise self.error("unexpected end of input (missing ')')")
            else:
                self.i += 1
                ent = OPS.get(t)
                if ent is None or ent[0] == K_LINE:
                    raise self.error(f"unknown instruction {t!r}", self.i - 1)
                kind = ent[0]
                if kind == K_BLOCK:
                    label = self.opt_id()
                    body.append((t, label, self.blocktype()))
                elif kind == K_END or kind == K_ELSE:
                    self.opt_id()
                    body.append((t,))
                else:
                    body.append(self.operands(t, kind))

    def operands(self, op: str, kind: int) -> tuple:
        """Consume the immediates of a non-structured instruction; return its tuple."""
        toks = self.toks
        if kind == K_PLAIN:
            if op.startswith("memory.") and toks[self.i][:1].isdigit():
                self.i += 1  # explicit memory index 0
            elif op in LANE_ZERO_OPS:
                if toks[self.i] != "0":
                    raise self.error(f"{op}: only lane 0 is supported")
                self.i += 1
            return (op,)
        if kind == K_LOCAL or kind == K_GLOBAL or kind == K_CALL or kind == K_BR:
            return (op, self.ref())
        if kind == K_I32 or kind == K_I64:
            start = self.i
            v = self.int_lit()
            lim = 32 if kind == K_I32 else 64
            if not -(1 << (lim - 1)) <= v < (1 << lim):
                raise self.error(f"{op} constant out of range", start)
            return (op, v)
        if kind == K_MEM:
            offset = 0
            align = None
            while True:
                t = toks[self.i]
                if t.startswith("offset="):
                    offset = self._memarg(t[7:])
                elif t.startswith("align="):
                    a = self._memarg(t[6:])
                    if a <= 0 or a & (a - 1):
                        raise self.error("alignment must be a power of two")
                    align = a.bit_length() - 1
                else:
                    break
                self.i += 1
            return (op, offset, align)
        if kind == K_F64 or kind == K_F32:
            return (op, self.float_lit(64 if kind == K_F64 else 32))
        if kind == K_BR_TABLE:
            labels = []
            while True:
                t = toks[self.i]
                if t[0] == "$" or t[0].isdigit():
                    labels.append(self.ref())
                else:
                    break
            if not labels:
                raise self.error("br_table needs at least one label")
            return (op, labels[:-1], labels[-1])
        if kind == K_SELECT:
            if self.at("result"):
                self.i += 2
                vt = self.valtype()
                self.expect(")")
                return (op, vt)
            return (op,)
        raise self.error(f"instruction {op!r} is not allowed here", self.i - 1)

    def _memarg(self, s: str) -> int:
        try:
            return parse_int(s)
        except ValueError:
            raise self.error(f"bad memory argument {s!r}") from None

    def folded(self, body: list) -> None:
        """One parenthesised instruction with its operands, emitted in stack order."""
        toks = self.toks
        self.i += 1
        start = self.i
        op = self.atom("an instruction")
        ent = OPS.get(op)
        if ent is None or ent[0] in (K_LINE, K_END, K_ELSE):
            raise self.error(f"unknown instruction {op!r}", start)
        kind = ent[0]
        if kind == K_BLOCK:
            label = self.opt_id()
            bt = self.blocktype()
            if op == "if":
                while toks[self.i] == "(" and toks[self.i + 1] != "then":
                    self.folded(body)
                body.append((op, label, bt))
                if not self.at("then"):
                    raise self.error("expected '(then ...)' in folded if")
                self.i += 2
                self.instrs(body)
                self.i += 1
                if self.at("else"):
                    self.i += 2
                    body.append(("else",))
                    self.instrs(body)
                    self.i += 1
            else:
                body.append((op, label, bt))
                self.instrs(body)
            self.expect(")")
            body.append(("end",))
            return
        ins = self.operands(op, kind)
        while toks[self.i] == "(":
            self.folded(body)
        if toks[self.i] != ")":
            raise self.error(
                f"expected '(' or ')' in folded {op}, found {self._desc(toks[self.i])}")
        self.i += 1
        body.append(ins)


_FIELDS = {
    "func": _Parser.field_func,
    "import": _Parser.field_import,
    "export": _Parser.field_export,
    "global": _Parser.field_global,
    "data": _Parser.field_data,
    "memory": _Parser.field_memory,
}


def parse_fields(text: str, filename: str = "<wat>") -> Fragment:
    """Parse WAT module fields (or a whole ``(module ...)``) into a :class:`Fragment`.

    Raises :class:`WatSyntaxError` with ``filename:line:col`` on malformed input.
    """
    return _Parser(text, filename).parse()


def parse_module(text: str, filename: str = "<wat>") -> Module:
    """Parse WAT text into a complete :class:`Module`."""
    return parse_fields(text, filename).to_module()
