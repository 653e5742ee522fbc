"""Source text -> tokens.  Newlines are significant (they end statements)."""
from __future__ import annotations

import re

from ..diagnostics import CompileError, Diagnostic, Suggestion
from .tokens import EOF, FLOAT, IDENT, INT, KEYWORDS, NEWLINE, STRING, Token

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[^\S\n]+)
  | (?P<comment>(?://|\#)[^\n]*)
  | (?P<newline>\n)
  | (?P<float>\d+\.\d+)
  | (?P<int>\d+)
  | (?P<ident>[^\W\d]\w*)
  | (?P<string>"[^"\\\n]*(?:\\[^\n][^"\\\n]*)*")
  | (?P<badstring>"[^\n]*)
  | (?P<punct>==|!=|<=|>=|&&|\|\||[-+*/%<>=(){},.])
  | (?P<bad>.)
    """,
    re.VERBOSE,
)

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"'}
_INT_MAX = 2**63 - 1
_PUNCT_ALIASES = {"&&": "and", "||": "or"}


_ESCAPE_RE = re.compile(r"\\(.)", re.S)
# Longer names are refused: they are never intended, and every diagnostic quoting one
# would repeat it (a 10 MB line of letters used to produce a 10 MB error message).
_MAX_NAME = 1024


def _unescape(body: str) -> str:
    """Resolve escapes; an unknown one is kept as written, backslash included (as the
    reference tokenizer does: "\\x" stays two characters). Linear for huge literals."""
    if "\\" not in body:
        return body
    parts = _ESCAPE_RE.split(body)  # text, escaped char, text, escaped char, ..., text
    get = _ESCAPES.get
    parts[1::2] = [get(c, "\\" + c) for c in parts[1::2]]
    return "".join(parts)


def decode_source(data: bytes, filename: str) -> str:
    """UTF-8 decode with a positioned error for invalid bytes."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        start = data.rfind(b"\n", 0, e.start) + 1
        col = len(data[start:e.start].decode("utf-8")) + 1  # characters, as everywhere else
        raise CompileError([Diagnostic(filename, line, col, "source is not valid UTF-8", code="N0101",
                                       label="this byte is not UTF-8")]) from None


# What a character that Nyash lacks was probably meant as.
_CHAR_HINTS = {";": ("statements end at the end of the line: remove the `;`", ""),
               "!": ("negation is written `not`", "not "), "&": ("write `and`", "and"),
               "|": ("write `or`", "or"), "'": ('strings are written in double quotes: "..."', None),
               "[": ("Nyash has no `[...]`: read an element with `a.get(i)`, write one with `a.set(i, v)`, "
                     "make an array with `new ArrayBox()`", None),
               "]": ("Nyash has no `[...]`: read an element with `a.get(i)`", None)}


def _char_hint(c: str) -> tuple[Suggestion, ...]:
    hint = _CHAR_HINTS.get(c)
    return (Suggestion(*hint),) if hint else ()


# Old or borrowed spellings the lexer accepts, and the Nyash spelling (token text -> (kind, modern)).
_OLD_SPELLINGS = {"this": ("N0403", "me"), "&&": ("N0404", "and"), "||": ("N0404", "or")}


def old_spellings(tokens: list[Token], filename: str) -> list[Diagnostic]:
    """Warnings for accepted spellings that Nyash writes differently (`this`, `&&`, `||`)."""
    out: list[Diagnostic] = []
    for t in tokens:
        old = _OLD_SPELLINGS.get(t.text)
        if old is not None and t.kind != IDENT:
            code, modern = old
            out.append(Diagnostic(filename, t.line, t.col, f"'{t.text}' is accepted, but Nyash writes '{modern}'",
                                  "warning", code=code, end_col=t.col + len(t.text), label=f"write `{modern}`",
                                  suggestions=(Suggestion(f"replace with `{modern}`", modern),)))
    return out


def tokenize(text: str, filename: str = "<input>") -> list[Token]:
    """Split text into tokens; collect all lexical errors before raising."""
    tokens: list[Token] = []
    errors: list[Diagnostic] = []
    line, line_start = 1, 0
    append = tokens.append
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        start = m.start()
        col = start - line_start + 1
        if kind == "ws" or kind == "comment":
            continue
        s = m.group()
        if kind == "newline":
            append(Token(NEWLINE, "\\n", line, col))
            line += 1
            line_start = m.end()
        elif kind == "ident":
            if len(s) > _MAX_NAME:
                errors.append(Diagnostic(filename, line, col, f"name too long ({len(s)} characters, the limit is {_MAX_NAME})",
                                         code="N0105", end_col=col + len(s), label="this name"))
                s = s[:_MAX_NAME]
            if s == "this":  # the reference tokenizer's other spelling of `me`
                append(Token("me", s, line, col))
            else:
                append(Token(s if s in KEYWORDS else IDENT, s, line, col))
        elif kind == "int":
            # compare digit counts first: int() refuses strings over 4300 digits
            digits = s.lstrip("0") or "0"
            value = int(digits) if len(digits) <= 19 else _INT_MAX + 2
            if value > _INT_MAX + 1:
                s = s if len(s) <= 40 else s[:20] + "..." + s[-10:]
                errors.append(Diagnostic(filename, line, col, f"integer literal {s} does not fit in 64 bits",
                                         code="N0104", end_col=col + len(m.group()), label="larger than 9223372036854775807"))
            append(Token(INT, s, line, col, value))
        elif kind == "float":
            append(Token(FLOAT, s, line, col, float(s)))
        elif kind == "string":
            append(Token(STRING, s, line, col, _unescape(s[1:-1])))
        elif kind == "punct":
            # && and || are the reference tokenizer's spellings of `and` and `or`
            append(Token(_PUNCT_ALIASES.get(s, s), s, line, col))
        elif kind == "badstring":
            errors.append(Diagnostic(filename, line, col, "unterminated string literal", code="N0102",
                                     end_col=col + len(s), label="this string is never closed",
                                     help='a string ends on the line it starts; write a line break as \\n'))
        elif not (s == "]" and errors and errors[-1].line == line and errors[-1].message.endswith("'['")):
            # (the `]` of a `[...]` already reported is not worth a second message)
            errors.append(Diagnostic(filename, line, col, f"unexpected character {s!r}", code="N0103",
                                     label="not part of any Nyash token", suggestions=_char_hint(s)))
    append(Token(EOF, "", line, len(text) - line_start + 1))
    if errors:
        raise CompileError(errors)
    return tokens
