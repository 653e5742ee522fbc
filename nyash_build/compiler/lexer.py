"""Source text -> tokens.  Newlines are significant (they end statements)."""
from __future__ import annotations

import re

from ..diagnostics import CompileError, Diagnostic
from .tokens import EOF, FLOAT, IDENT, INT, KEYWORDS, NEWLINE, STRING, Token

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<comment>(?://|\#)[^\n]*)
  | (?P<newline>\n)
  | (?P<float>\d+\.\d+)
  | (?P<int>\d+)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>"(?:[^"\\\n]|\\[^\n])*")
  | (?P<badstring>"[^\n]*)
  | (?P<punct>==|!=|<=|>=|[-+*/%<>=(){},.])
  | (?P<bad>.)
    """,
    re.VERBOSE,
)

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"'}
_INT_MAX = 2**63 - 1


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(_ESCAPES.get(nxt, nxt))  # unknown escapes keep the character
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def decode_source(data: bytes, filename: str) -> str:
    """UTF-8 decode with a positioned error for invalid bytes."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise CompileError([Diagnostic(filename, line, col, "source is not valid UTF-8")]) from None


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
            append(Token(s if s in KEYWORDS else IDENT, s, line, col))
        elif kind == "int":
            value = int(s)
            if value > _INT_MAX + 1:
                errors.append(Diagnostic(filename, line, col, f"integer literal {s} does not fit in 64 bits"))
            append(Token(INT, s, line, col, value))
        elif kind == "float":
            append(Token(FLOAT, s, line, col, float(s)))
        elif kind == "string":
            append(Token(STRING, s, line, col, _unescape(s[1:-1])))
        elif kind == "punct":
            append(Token(s, s, line, col))
        elif kind == "badstring":
            errors.append(Diagnostic(filename, line, col, "unterminated string literal"))
        else:
            errors.append(Diagnostic(filename, line, col, f"unexpected character {s!r}"))
    append(Token(EOF, "", line, len(text) - line_start + 1))
    if errors:
        raise CompileError(errors)
    return tokens
