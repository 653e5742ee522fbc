from __future__ import annotations

import pytest

from nyash_build.compiler.lexer import decode_source, tokenize
from nyash_build.diagnostics import CompileError


def kinds(src: str) -> list[str]:
    return [t.kind for t in tokenize(src)]


def test_keywords_identifiers_and_newlines() -> None:
    assert kinds("local x = 1\nprint(x)") == ["local", "IDENT", "=", "INT", "NEWLINE", "print", "(", "IDENT", ")", "EOF"]


def test_void_is_an_identifier_not_a_keyword() -> None:
    assert kinds("void") == ["IDENT", "EOF"]


def test_two_char_operators() -> None:
    assert kinds("a <= b >= c == d != e") == ["IDENT", "<=", "IDENT", ">=", "IDENT", "==", "IDENT", "!=", "IDENT", "EOF"]


def test_comments_both_styles_are_skipped() -> None:
    assert kinds("x // c1\n# c2\ny") == ["IDENT", "NEWLINE", "NEWLINE", "IDENT", "EOF"]


def test_string_escapes() -> None:
    tok = tokenize(r'"a\nb\tc\\d\"e\qf"')[0]
    # an unknown escape is kept as written, backslash included (reference tokenizer)
    assert tok.value == 'a\nb\tc\\d"e\\qf'


def test_float_and_int_literals() -> None:
    toks = tokenize("3.5 42")
    assert (toks[0].kind, toks[0].value) == ("FLOAT", 3.5)
    assert (toks[1].kind, toks[1].value) == ("INT", 42)


def test_positions_are_one_based() -> None:
    toks = tokenize("a\n  bc")
    assert (toks[2].line, toks[2].col) == (2, 3)


def test_unterminated_string_has_position() -> None:
    with pytest.raises(CompileError) as e:
        tokenize('print("abc)\n', "f.nyash")
    assert str(e.value) == "f.nyash:1:7: error: unterminated string literal [N0102]"


def test_bad_character_reported_with_position() -> None:
    with pytest.raises(CompileError) as e:
        tokenize("x = 1 @ 2", "f.nyash")
    assert "f.nyash:1:7: error: unexpected character '@' [N0103]" in str(e.value)


def test_integer_too_large() -> None:
    with pytest.raises(CompileError) as e:
        tokenize("99999999999999999999", "f.nyash")
    assert "does not fit in 64 bits" in str(e.value)


def test_invalid_utf8_rejected_with_position() -> None:
    with pytest.raises(CompileError) as e:
        decode_source(b"print(1)\nx = \xff\n", "f.nyash")
    assert str(e.value) == "f.nyash:2:5: error: source is not valid UTF-8 [N0101]"


def test_double_ampersand_and_bar_are_and_or() -> None:
    assert kinds("a && b || c") == ["IDENT", "and", "IDENT", "or", "IDENT", "EOF"]


def test_unicode_identifiers() -> None:
    toks = tokenize("local 名前 = 1")
    assert (toks[1].kind, toks[1].text) == ("IDENT", "名前")
