"""Token kinds and the token record produced by the lexer."""
from __future__ import annotations

from dataclasses import dataclass

KEYWORDS = frozenset(
    "box static from override init birth me new local return if else loop break print "
    "function try catch finally throw and or not true false null weak public private".split()
)

# Words that belong to features a standalone executable cannot have (spec section 9).
UNSUPPORTED_WORDS = frozenset("nowait await using include outbox interface".split())

# Token kinds besides keywords (a keyword's kind is the word itself).
INT, FLOAT, STRING, IDENT, NEWLINE, EOF = "INT", "FLOAT", "STRING", "IDENT", "NEWLINE", "EOF"
PUNCT = ("==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "<", ">", "=", "(", ")", "{", "}", ",", ".")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    line: int
    col: int
    value: object = None

    def describe(self) -> str:
        """How the token is named in error messages."""
        if self.kind == NEWLINE:
            return "end of line"
        if self.kind == EOF:
            return "end of file"
        if self.kind == STRING:
            return f"string {self.text}"
        return f"'{self.text}'"
