"""Tokens -> AST.  Recursive descent following the grammar in the spec (section 2).

A statement (or box member) ends at a newline, before ``}`` or the end of the file, or
-- as in the reference parser, which needs no separators at all -- right before a token
that begins another statement (member), so a whole program may stand on one line:
``static box Main { init { c } main() { me.c = 1 print(me.c) return 0 } }``.  Any
other token after a complete statement is an error at that token.  Expressions never
continue across a newline.  On a syntax error the parser records a diagnostic, skips to
the end of the line (or the end of the enclosing block) and goes on, so one run reports
several independent errors.
"""
from __future__ import annotations

from . import ast as A
from ..diagnostics import CompileError, Diagnostic, Note, Suggestion
from .suggest import closest
from .tokens import EOF, FLOAT, IDENT, INT, KEYWORDS, NEWLINE, STRING, UNSUPPORTED_WORDS, Token

_MAX_DEPTH = 200  # nesting limit: keeps the compiler (and wasm validation) bounded
# Later passes recurse over the AST (2-3 Python frames per level), so the height of one
# expression tree (a chain like 1+1+...+1 is a left-deep tree) and the length of an
# ``else if`` chain are bounded too: past these a clear error instead of a RecursionError.
_MAX_EXPR_HEIGHT = 1000
_NESTING_MSG = f"nested deeper than {_MAX_DEPTH} levels (blocks, parentheses, calls and unary operators count)"
_MAX_ELSE_IF = 1000


# Tokens the reference parser starts a statement with (anything else after a complete
# statement on the same line is a syntax error); IDENT covers the contextual words
# (`global`, `include`, ...).
STATEMENT_START = frozenset((IDENT, "box", "static", "function", "if", "loop", "break", "return",
                             "print", "local", "try", "throw", "from", "me"))
# Tokens a box member starts with: a field or method name, a field list, a constructor.
MEMBER_START = frozenset((IDENT, "init", "birth", "override", "public", "private", "weak"))
# What may follow a bare field name (`box B { name  other  weak w  m() { } }`).
_AFTER_BARE_FIELD = MEMBER_START | {NEWLINE, "}", ","}


_COMPARE_HELP = "to compare two values, write `==`"


class _Abort(Exception):
    """Unwinds to the nearest statement boundary after a syntax error was recorded."""


# Words other languages use where Nyash has another spelling (a lone misspelled word is
# compared with the keywords instead).
FOREIGN_WORDS = {"while": "loop", "for": "loop", "var": "local", "let": "local", "const": "local",
                 "def": "function", "func": "function", "fn": "function", "fun": "function",
                 "class": "box", "struct": "box", "self": "me", "nil": "null", "None": "null",
                 "elif": "else if", "except": "catch", "raise": "throw", "println": "print"}


# What to write instead, for foreign words whose Nyash form is not just another word.
FOREIGN_HELP = {"while": "a loop with a condition is written `loop(condition) { ... }`",
                "for": "Nyash has no `for`: count with a local and `loop(i < n) { ... }`, or walk an "
                       "ArrayBox with `arr.get(i)`",
                "elif": "write `} else if condition {`"}


def foreign_help(word: str) -> str:
    """How to write the construct a foreign word (or a misspelling of a long one) starts."""
    if word in FOREIGN_HELP:
        return FOREIGN_HELP[word]
    c = closest(word, [w for w in FOREIGN_HELP if len(w) >= 5]) if len(word) >= 4 else None
    return FOREIGN_HELP.get(c, "") if c else ""


def keyword_for(word: str) -> str | None:
    """The Nyash keyword a word at the start of a statement probably meant."""
    if word in FOREIGN_WORDS:
        return FOREIGN_WORDS[word]
    # misspelled foreign words only when both are long enough not to be short names
    # (`foo` is not `for`, `bar` not `var`; `whle` is `while`)
    foreign = [w for w in FOREIGN_WORDS if len(w) >= 5] if len(word) >= 4 else []
    c = closest(word, [*sorted(KEYWORDS - {"and", "or", "not", "true", "false", "null"}), *foreign])
    return FOREIGN_WORDS.get(c, c) if c else None


# Builtin boxes that need an environment a standalone executable does not have.
UNSUPPORTED_BOXES = frozenset(
    "HTTPBox HttpBox HttpClientBox HTTPRequestBox "
    "HTTPResponseBox SoundBox AudioBox EguiBox "
    "WebDisplayBox WebConsoleBox WebCanvasBox CanvasBox CanvasEventBox CanvasLoopBox QRBox "
    "IntentBox FutureBox ChannelBox MethodBox "
    "SimpleIntentBox NetworkBox".split()
)


def _declare_field(decl: A.BoxDecl, name: str, weak: bool) -> None:
    """Fields accumulate over every field list of a box; a repeat is no new slot."""
    if name not in decl.fields:
        decl.fields.append(name)
    if weak:
        decl.weak_fields.add(name)


class Parser:
    def __init__(self, tokens: list[Token], filename: str) -> None:
        self.toks = tokens
        self.pos = 0
        self.filename = filename
        self.errors: list[Diagnostic] = []
        self.boxes: list[A.BoxDecl] = []
        self.functions: list[A.FunctionDecl] = []
        self.depth = 0
        self.else_if = 0
        self.heights: dict[int, int] = {}  # id(expr node) -> tree height (leaves absent: 1)
        self.closed: list[tuple[Token, Token]] = []  # every block's `{` and its `}`
        self.lone_word: Token | None = None  # a statement that was just one name
        self.prev_word: Token | None = None  # the one-word statement before this statement
        self.line_word: Token | None = None  # a one-word statement that began its line
        self.stmt_line = 0  # line of the last statement's first token
        self._indent: dict[int, int] = {}

    # ---- token helpers ---------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.pos]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.pos + k, len(self.toks) - 1)]

    def at(self, kind: str) -> bool:
        return self.toks[self.pos].kind == kind

    def advance(self) -> Token:
        t = self.toks[self.pos]
        if t.kind != EOF:
            self.pos += 1
        return t

    def error(self, tok: Token, message: str, code: str = "N0110", **how) -> _Abort:
        """Record a syntax error at ``tok`` (underlined whole); ``how``: Diagnostic fields."""
        width = len(tok.text) if tok.kind not in (NEWLINE, EOF) else 1
        self.errors.append(Diagnostic(self.filename, tok.line, tok.col, message, code=code,
                                      end_col=tok.col + max(width, 1), **how))
        return _Abort()

    def expect(self, kind: str, what: str | None = None) -> Token:
        if self.tok.kind == kind:
            return self.advance()
        want = what or (f"'{kind}'" if kind not in (IDENT, NEWLINE) else ("a name" if kind == IDENT else "end of line"))
        raise self.error(self.tok, f"expected {want}, found {self.tok.describe()}", label=f"expected {want}",
                         help=_COMPARE_HELP if self.at("=") and kind in ("{", ")") else "")

    def close(self, opener: Token, what: str | None = None) -> Token:
        """The ``)`` matching ``opener``; when it is missing, say which ``(`` is open."""
        if self.at(")"):
            return self.advance()
        want = what or "')'"
        found = self.tok
        ended = found.kind in (NEWLINE, EOF)
        raise self.error(found, f"expected {want}, found {found.describe()}", "N0113" if ended else "N0110",
                         label="the line ends here" if ended else f"expected {want}",
                         help=_COMPARE_HELP if found.kind == "=" else "",
                         notes=(Note(self.filename, opener.line, opener.col,
                                     "this `(` is never closed" if ended else "to close this `(`"),))

    def indent(self, line: int) -> int:
        """Column of the first token on ``line`` (how far the line is indented)."""
        if not self._indent:
            for t in self.toks:
                if t.kind != NEWLINE:
                    self._indent.setdefault(t.line, t.col)
        return self._indent.get(line, 1)

    def unclosed(self, opener: Token, message: str) -> _Abort:
        """End of file inside ``{ ... }``: point at both ends, and at a ``}`` whose
        indentation says it was meant for the opener (the likely missing one is earlier)."""
        notes = [Note(self.filename, opener.line, opener.col, "this `{` is never closed")]
        base = self.indent(opener.line)
        for o, c in self.closed:
            if (o.line, o.col) > (opener.line, opener.col) and c.col == self.indent(c.line) \
                    and c.col != self.indent(o.line) and c.col == base:
                notes.append(Note(self.filename, c.line, c.col,
                                  f"this `}}` closes the `{{` of line {o.line}, but it is indented like line "
                                  f"{opener.line}: is a `}}` missing above it?"))
                break
        return self.error(self.tok, message, "N0111", label="the file ends here", notes=tuple(notes))

    def skip_newlines(self) -> None:
        while self.toks[self.pos].kind == NEWLINE:
            self.pos += 1

    def end_statement(self, starts: frozenset[str] = STATEMENT_START) -> None:
        """A statement ends at a newline, right before ``}`` / end of file, or right
        before a token in ``starts`` (the next statement or member on the same line)."""
        k = self.tok.kind
        if k == NEWLINE:
            self.advance()
        elif not (k == "}" or k == EOF or k in starts):
            # `fucntion f(x) {`, `for i in items {`: the line's first word was meant as a keyword
            word = next((w for w in (self.line_word, self.prev_word, self.lone_word)
                         if w is not None and w.line == self.tok.line and keyword_for(w.text)), None)
            if word is not None:
                kw = keyword_for(word.text)
                raise self.error(word, f"unknown word '{word.text}' at the start of a statement", "N0114",
                                 label="not a keyword", suggestions=(Suggestion(f"did you mean `{kw}`?", kw),),
                                 help=foreign_help(word.text))
            raise self.error(self.tok, f"expected end of line, found {self.tok.describe()}",
                             label="expected the end of the statement")

    def sync(self) -> None:
        """Error recovery: skip to the next line break outside any block opened on the
        skipped text, or to a ``}`` that closes the enclosing block."""
        depth = 0
        while not self.at(EOF):
            k = self.tok.kind
            if k == "{":
                depth += 1
            elif k == "}":
                if depth == 0:
                    return
                depth -= 1
            elif k == NEWLINE and depth == 0:
                self.advance()
                return
            self.advance()

    # ---- program ---------------------------------------------------------------
    def parse_program(self) -> A.Program:
        body: list[A.Stmt] = []
        while True:
            self.skip_newlines()
            if self.at(EOF):
                break
            if self.at("}"):
                self.error(self.tok, "unexpected '}' with no open block", "N0112", label="nothing to close here")
                self.advance()
                continue
            try:
                if self.at("function"):
                    self.functions.append(self.function_decl())
                else:
                    stmt = self.statement()
                    if stmt is not None:
                        body.append(stmt)
            except _Abort:
                self.sync()
        return A.Program(self.filename, self.boxes, self.functions, body)

    def function_decl(self) -> A.FunctionDecl:
        start = self.advance()
        name = self.expect(IDENT).text
        params = self.params()
        body = self.block()
        self.end_statement()
        return A.FunctionDecl(start.line, start.col, name, params, body)

    def params(self) -> list[str]:
        opener = self.expect("(")
        names: list[str] = []
        if not self.at(")"):
            while True:
                t = self.expect(IDENT, "a parameter name")
                if t.text in names:
                    raise self.error(t, f"duplicate parameter '{t.text}'", "N0120", label="already a parameter")
                names.append(t.text)
                if not self.at(","):
                    break
                self.advance()
        self.close(opener, "')' or ','")
        return names

    def block(self) -> list[A.Stmt]:
        """``{ statements }``: errors inside are recovered per line."""
        open_tok = self.expect("{")
        if self.depth >= _MAX_DEPTH:
            raise self.error(open_tok, _NESTING_MSG, "N0501", label="one level too deep")
        self.depth += 1
        stmts: list[A.Stmt] = []
        while True:
            self.skip_newlines()
            if self.at("}"):
                self.closed.append((open_tok, self.advance()))
                break
            if self.at(EOF):
                self.depth -= 1
                raise self.unclosed(open_tok, f"expected '}}' to close the block opened at line {open_tok.line}, "
                                              "found end of file")
            try:
                if self.at("function"):
                    raise self.error(self.tok, "functions must be declared at top level", "N0116",
                                     label="inside a block", help="move it out: a function declared at top "
                                     "level can be called from anywhere")
                stmt = self.statement()
                if stmt is not None:
                    stmts.append(stmt)
            except _Abort:
                self.sync()
        self.depth -= 1
        return stmts

    # ---- boxes -----------------------------------------------------------------
    def box_decl(self) -> None:
        start = self.tok
        is_static = False
        if self.at("static"):
            is_static = True
            self.advance()
        self.expect("box")
        name = self.expect(IDENT, "a box name").text
        parents: list[str] = []
        if self.at("from"):
            self.advance()
            parents.append(self.expect(IDENT, "a parent box name").text)
            while self.at(","):
                self.advance()
                parents.append(self.expect(IDENT, "a parent box name").text)
        decl = A.BoxDecl(start.line, start.col, name, is_static, parents)
        open_tok = self.expect("{")
        while True:
            self.skip_newlines()
            if self.at("}"):
                self.closed.append((open_tok, self.advance()))
                break
            if self.at(EOF):
                raise self.unclosed(open_tok, f"expected '}}' to close box {name}, found end of file")
            try:
                self.member(decl)
            except _Abort:
                self.sync()
        self.end_statement()
        self.boxes.append(decl)

    def field_list(self) -> list[tuple[str, bool]]:
        """``{ a, weak b }``; upstream also accepts names without commas and a
        trailing comma, so we do too."""
        self.expect("{")
        self.skip_newlines()
        out: list[tuple[str, bool]] = []
        while not self.at("}"):
            weak = False
            if self.at("weak"):
                weak = True
                self.advance()
            out.append((self.expect(IDENT, "a field name").text, weak))
            self.skip_newlines()
            if self.at(","):
                self.advance()
                self.skip_newlines()
            elif not (self.at(IDENT) or self.at("weak") or self.at("}")):
                raise self.error(self.tok, f"expected ',' or '}}' in the field list, found {self.tok.describe()}")
        self.expect("}")
        return out

    def member(self, decl: A.BoxDecl) -> None:
        t = self.tok
        if t.kind in ("init", "public", "private") and self.peek().kind == "{":
            self.advance()
            fields = self.field_list()
            for fname, weak in fields:
                _declare_field(decl, fname, weak)
            if t.kind == "public":
                decl.public = (decl.public or []) + [f for f, _ in fields]
            elif t.kind == "private":
                decl.private = (decl.private or []) + [f for f, _ in fields]
            self.end_statement(MEMBER_START)
            return
        if (t.kind == IDENT or t.kind == "weak") and self.peek().kind in _AFTER_BARE_FIELD and not (
                t.kind == IDENT and t.text in UNSUPPORTED_WORDS):
            # bare field declarations in the box body: `name` or `a, b` or `weak w`
            while True:
                weak = False
                if self.at("weak"):
                    weak = True
                    self.advance()
                _declare_field(decl, self.expect(IDENT, "a field name").text, weak)
                if not self.at(","):
                    break
                self.advance()
            self.end_statement(MEMBER_START)
            return
        is_override = False
        if self.at("override"):
            is_override = True
            self.advance()
        mt = self.tok
        if mt.kind in (IDENT, "birth", "init") and self.peek().kind == "(":
            self.advance()
            params = self.params()
            body = self.block()
            key = f"{mt.text}/{len(params)}"
            if key in decl.methods:
                first = decl.methods[key]
                self.error(mt, f"method '{mt.text}' with {len(params)} parameters is defined twice in {decl.name}",
                           "N0121", label="defined again here",
                           notes=(Note(self.filename, first.line, first.col, "first defined here",
                                       first.col + len(first.name)),))
            decl.methods[key] = A.Method(mt.line, mt.col, mt.text, params, body, is_override, decl.name)
            self.end_statement(MEMBER_START)
            return
        if mt.kind == IDENT and mt.text == "include":
            raise self.error(mt, "include is a statement: it cannot stand in a box body")
        if mt.kind == IDENT and mt.text in UNSUPPORTED_WORDS:
            raise self.error(mt, f"'{mt.text}' is not available in compiled programs", "N0118", label="not available in compiled programs")
        raise self.error(mt, f"expected a field list (init {{ ... }}) or a method, found {mt.describe()}")

    # ---- statements ------------------------------------------------------------
    def statement(self) -> A.Stmt | None:
        t = self.tok
        k = t.kind
        if k == "box" or (k == "static" and self.peek().kind == "box"):
            self.box_decl()
            return None
        if k == "static":
            raise self.error(t, "'static' must be followed by 'box' (static functions are not available in compiled programs)", "N0117", label="`static` needs `box` after it")
        # a one-word statement before this one on the line may be a misspelled keyword
        self.prev_word, self.lone_word = self.lone_word, None
        first_on_line = t.line != self.stmt_line
        self.stmt_line = t.line
        if first_on_line:
            self.line_word = None
        if k == "local":
            stmt: A.Stmt = self.local_stmt()
        elif k == "if":
            stmt = self.if_stmt()
        elif k == "loop":
            self.advance()
            if self.at("{"):  # `loop { ... }`: no condition, runs until break/return
                cond: A.Expr = A.BoolLit(t.line, t.col, True)
            else:
                opener = self.expect("(", "'(' or '{' after loop (loop(condition) { ... } or loop { ... })")
                cond = self.expression()
                self.close(opener)
            body = self.block()
            stmt = A.Loop(t.line, t.col, cond, body)
        elif k == "break":
            self.advance()
            stmt = A.Break(t.line, t.col)
        elif k == "return":
            self.advance()
            value = None
            if not (self.at(NEWLINE) or self.at("}") or self.at(EOF)):
                value = self.expression()
            stmt = A.Return(t.line, t.col, value)
        elif k == "print":
            self.advance()
            opener = self.expect("(")
            value = self.expression()
            self.close(opener)
            stmt = A.Print(t.line, t.col, value)
        elif k == "try":
            stmt = self.try_stmt()
        elif k == "throw":
            self.advance()
            stmt = A.Throw(t.line, t.col, self.expression())
        elif k == IDENT and t.text == "global" and self.peek().kind == IDENT:
            # `global name = value` (reference parser): assign the global, even where a
            # local of that name exists
            self.advance()
            n = self.advance()
            if self.at("="):
                self.advance()
                value = self.expression()
            else:
                value = A.NullLit(n.line, n.col)
            stmt = A.Assign(t.line, t.col, A.Var(n.line, n.col, n.text), value, is_global=True)
        elif k == IDENT and t.text == "include":
            # `include "path"`: resolved and spliced by the include loader (sources.py)
            self.advance()
            path = self.expect(STRING, 'a file name in quotes after include (include "lib.nyash")')
            stmt = A.Include(t.line, t.col, str(path.value),
                             path_cols=(path.col, path.col + len(path.text)) if path.line == t.line else (0, 0))
        elif k == IDENT and t.text in UNSUPPORTED_WORDS:
            raise self.error(t, f"'{t.text}' is not available in compiled programs", "N0118", label="not available in compiled programs")
        else:
            expr = self.expression()
            if self.at("="):
                eq = self.advance()
                if not isinstance(expr, (A.Var, A.Field)):
                    raise self.error(eq, "cannot assign to this expression (expected a variable or a field)", "N0119",
                                     label="assignment to something that is not a variable or field",
                                     help="to compare two values, write `==`")
                value = self.expression()
                stmt = A.Assign(t.line, t.col, expr, value)
            else:
                stmt = A.ExprStmt(t.line, t.col, expr)
                if isinstance(expr, A.Var) and self.toks[self.pos - 1] is t:
                    self.lone_word = t
                    if first_on_line:
                        self.line_word = t
        self.end_statement()
        return stmt

    def local_stmt(self) -> A.Local:
        t = self.advance()
        names: list[tuple[str, A.Expr | None, int, int]] = []
        while True:
            n = self.expect(IDENT, "a variable name")
            init = None
            if self.at("="):
                self.advance()
                init = self.expression()
            names.append((n.text, init, n.line, n.col))
            if not self.at(","):
                break
            self.advance()
        return A.Local(t.line, t.col, names)

    def if_stmt(self) -> A.If:
        t = self.advance()
        cond = self.expression()
        then = self.block()
        orelse = None
        if self.at("else"):
            self.advance()
            if self.at("if"):
                self.else_if += 1
                try:
                    if self.else_if > _MAX_ELSE_IF:
                        raise self.error(self.tok, f"'else if' chain longer than {_MAX_ELSE_IF} branches", "N0503",
                                                 label="one branch too many")
                    orelse = [self.if_stmt()]
                finally:
                    self.else_if -= 1
            else:
                orelse = self.block()
        return A.If(t.line, t.col, cond, then, orelse)

    def try_stmt(self) -> A.Try:
        t = self.advance()
        body = self.block()
        catches: list[A.Catch] = []
        while self.at("catch"):
            c = self.advance()
            if not self.at("("):
                raise self.error(self.tok, f"expected '(' after catch, found {self.tok.describe()}", "N0115",
                                 label="expected `(Type variable)`",
                                 help="a catch clause names the exception type and a variable: catch (Error e) { ... }")
            opener = self.advance()
            if self.at(")"):
                raise self.error(self.tok, "catch needs an exception type and a variable name, as in catch (Error e)",
                                 "N0115", label="expected `Type variable`",
                                 suggestions=(Suggestion("write `catch (Error e)`", None),))
            first = self.expect(IDENT, "an exception type and a variable name, as in catch (Error e)")
            if self.at(")"):
                raise self.error(first, f"catch needs an exception type and a variable name, as in catch (Error {first.text})",
                                 "N0115", label="only a variable name",
                                 suggestions=(Suggestion(f"write `catch (Error {first.text})`: Error catches every "
                                                         "exception", f"Error {first.text}"),))
            var = self.expect(IDENT, "a variable name")
            self.close(opener)
            catches.append(A.Catch(c.line, c.col, first.text, var.text, self.block()))
        final = None
        if self.at("finally"):
            self.advance()
            final = self.block()
        if not catches and final is None:
            raise self.error(self.tok, "expected 'catch' or 'finally' after the try block", "N0122",
                             label="the try block needs a catch or finally here",
                             notes=(Note(self.filename, t.line, t.col, "this try", t.col + 3),))
        return A.Try(t.line, t.col, body, catches, final)

    # ---- expressions -------------------------------------------------------------
    def height(self, e: A.Expr) -> int:
        return self.heights.get(id(e), 1)

    def node(self, tok: Token, e: A.Expr, *children: A.Expr) -> A.Expr:
        """Record e's tree height; refuse trees later passes could not recurse over."""
        h = 1 + max((self.height(c) for c in children), default=0)
        if h > _MAX_EXPR_HEIGHT:
            raise self.error(tok, f"expression too long: more than {_MAX_EXPR_HEIGHT} operations "
                                  "in one expression (split it using local variables)", "N0502",
                             label="one operation too many")
        if h > 1:
            self.heights[id(e)] = h
        return e

    def expression(self) -> A.Expr:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error(self.tok, _NESTING_MSG, "N0501", label="one level too deep")
        try:
            return self.binary(0)
        finally:
            self.depth -= 1

    _LEVELS = (("or",), ("and",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> A.Expr:
        if level == len(self._LEVELS):
            return self.unary()
        ops = self._LEVELS[level]
        left = self.binary(level + 1)
        while self.tok.kind in ops:
            op = self.advance()
            right = self.binary(level + 1)
            left = self.node(op, A.Binary(op.line, op.col, op.kind, left, right), left, right)
        return left

    def unary(self) -> A.Expr:
        t = self.tok
        if t.kind in ("-", "not"):
            self.advance()
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise self.error(t, _NESTING_MSG, "N0501", label="one level too deep")
            try:
                if t.kind == "-" and self.at(INT) and self.tok.value == 2**63:
                    self.advance()
                    return self.postfix_ops(A.IntLit(t.line, t.col, -(2**63)))
                operand = self.unary()
            finally:
                self.depth -= 1
            return self.node(t, A.Unary(t.line, t.col, t.kind, operand), operand)
        return self.postfix_ops(self.primary())

    def postfix_ops(self, expr: A.Expr) -> A.Expr:
        while self.at("."):
            self.advance()
            name = self.tok
            if name.kind not in (IDENT, "birth", "init") and name.kind.isalpha() is False:
                raise self.error(name, f"expected a field or method name after '.', found {name.describe()}")
            if name.kind in (NEWLINE, EOF, INT, FLOAT, STRING):
                raise self.error(name, f"expected a field or method name after '.', found {name.describe()}")
            self.advance()
            if self.at("("):
                args = self.args()
                expr = self.node(name, A.MethodCall(name.line, name.col, expr, name.text, args), expr, *args)
            else:
                expr = self.node(name, A.Field(name.line, name.col, expr, name.text), expr)
        return expr

    def args(self) -> list[A.Expr]:
        opener = self.expect("(")
        out: list[A.Expr] = []
        if not self.at(")"):
            while True:
                out.append(self.expression())
                if not self.at(","):
                    break
                self.advance()
                if self.at(")"):  # a trailing comma, as the reference parser allows
                    break
        self.close(opener, "')' or ','")
        return out

    def primary(self) -> A.Expr:
        t = self.tok
        k = t.kind
        if k == INT:
            self.advance()
            if t.value == 2**63:
                raise self.error(t, f"integer literal {t.text} does not fit in 64 bits", "N0104",
                                 label="larger than 9223372036854775807")
            return A.IntLit(t.line, t.col, t.value)  # type: ignore[arg-type]
        if k == FLOAT:
            self.advance()
            return A.FloatLit(t.line, t.col, t.value)  # type: ignore[arg-type]
        if k == STRING:
            self.advance()
            return A.StrLit(t.line, t.col, t.value)  # type: ignore[arg-type]
        if k in ("true", "false"):
            self.advance()
            return A.BoolLit(t.line, t.col, k == "true")
        if k == "null":
            self.advance()
            return A.NullLit(t.line, t.col)
        if k == "me":
            self.advance()
            return A.Me(t.line, t.col)
        if k == IDENT:
            self.advance()
            if t.text == "include":
                raise self.error(t, 'include is a statement, not a value: include "file.nyash" on a line of its own')
            if t.text in UNSUPPORTED_WORDS:
                raise self.error(t, f"'{t.text}' is not available in compiled programs", "N0118", label="not available in compiled programs")
            if self.at("("):
                args = self.args()
                return self.node(t, A.Call(t.line, t.col, t.text, args), *args)
            return A.Var(t.line, t.col, t.text)
        if k == "new":
            self.advance()
            name = self.expect(IDENT, "a box name after 'new'")
            if name.text in UNSUPPORTED_BOXES:
                raise self.error(name, f"{name.text} is not available in compiled programs", "N0118", label="not available in compiled programs")
            args = self.args()
            return self.node(t, A.New(t.line, t.col, name.text, args), *args)
        if k == "from":
            self.advance()
            parent = self.expect(IDENT, "a parent box name after 'from'")
            self.expect(".")
            m = self.tok
            if m.kind not in (IDENT, "birth", "init"):
                raise self.error(m, f"expected a method name, found {m.describe()}")
            self.advance()
            args = self.args()
            return self.node(t, A.FromCall(t.line, t.col, parent.text, m.text, args), *args)
        if k == "(":
            opener = self.advance()
            e = self.expression()
            self.close(opener)
            return e
        raise self.error(t, f"expected an expression, found {t.describe()}", label="expected an expression",
                         help=self._operator_help(t))

    def _operator_help(self, t: Token) -> str:
        """`x += 1`, `x++`: operators Nyash does not have, seen as an operator followed
        by a token that cannot start an expression."""
        prev = self.toks[self.pos - 1] if self.pos else None
        if prev is None or prev.line != t.line or prev.col + len(prev.text) != t.col:
            return ""
        if prev.kind in ("+", "-", "*", "/", "%") and t.kind == "=":
            return f"Nyash has no `{prev.kind}=`: write `x = x {prev.kind} value`"
        if prev.kind in ("+", "-") and t.kind == prev.kind:
            return f"Nyash has no `{prev.kind * 2}`: write `x = x {prev.kind} 1`"
        return ""


def parse(tokens: list[Token], filename: str = "<input>") -> A.Program:
    """Parse a token list; raise CompileError with every syntax error found."""
    prog, errors = parse_partial(tokens, filename)
    if errors:
        raise CompileError(errors)
    return prog


def parse_partial(tokens: list[Token], filename: str = "<input>") -> tuple[A.Program, list[Diagnostic]]:
    """The program (what parsed) and every syntax error: the include loader still
    follows the includes of a file with errors, to report theirs too."""
    import sys
    if sys.getrecursionlimit() < 20000:  # nesting is bounded by _MAX_DEPTH, each level ~10 frames
        sys.setrecursionlimit(20000)
    from .lexer import old_spellings
    p = Parser(tokens, filename)
    prog = p.parse_program()
    prog.warnings = old_spellings(tokens, filename)
    return prog, p.errors


def parse_source(text: str, filename: str = "<input>") -> A.Program:
    from .lexer import tokenize
    return parse(tokenize(text, filename), filename)
