"""Statements and box members without line breaks, as the reference parser accepts them
(issue 17): a statement ends at a newline, before '}' / end of file, or right before a
token that starts the next statement (member). Anything else after a complete
statement is still an error at that exact token."""
from __future__ import annotations

import pytest

from nyash_build.compiler import ast as A
from nyash_build.compiler.parser import parse_source
from nyash_build.diagnostics import CompileError


def parse(src: str) -> A.Program:
    return parse_source(src, "t.nyash")


def errors(src: str) -> list[str]:
    with pytest.raises(CompileError) as e:
        parse_source(src, "t.nyash")
    # position and message (the full rendering is tested in tests/diagnostics)
    return [f"{d.file}:{d.line}:{d.col}: {d.message}" for d in e.value.diagnostics]


def kinds(stmts: list) -> list[str]:
    return [type(s).__name__ for s in stmts]


def test_the_issue_program_on_one_line() -> None:
    prog = parse('static box Main { init { console } main() { me.console = new ConsoleBox() '
                 'local s = new StringBox("test") me.console.log(s.toString()) return "ok" } }')
    (main,) = prog.boxes
    assert main.fields == ["console"]
    stmts = main.methods["main/0"].body
    assert kinds(stmts) == ["Assign", "Local", "ExprStmt", "Return"]
    assert isinstance(stmts[3].value, A.StrLit) and stmts[3].value.value == "ok"


def test_every_statement_kind_followed_on_the_same_line() -> None:
    prog = parse('local a = 1 a = 2 f(a) me.x = 3 print(a) if a { break } '
                 'loop(a < 3) { a = a + 1 } loop { break } try { throw "e" } catch (Error e) { print(e) } '
                 'throw "x" from P.m() global g = 1 return a')
    assert kinds(prog.body) == ["Local", "Assign", "ExprStmt", "Assign", "Print", "If", "Loop", "Loop",
                                "Try", "Throw", "ExprStmt", "Assign", "Return"]
    assert prog.body[11].is_global


def test_statements_inside_blocks_on_one_line() -> None:
    (f,) = parse("function f(n) { local r = 0 if n > 1 { r = n } else { r = 1 } return r }").functions
    assert kinds(f.body) == ["Local", "If", "Return"]
    assert kinds(f.body[1].then) == ["Assign"] and kinds(f.body[1].orelse) == ["Assign"]


def test_declarations_follow_each_other_on_one_line() -> None:
    prog = parse("box A { } box B from A { } function f() { return 1 } static box Main { main() { } } print(f())")
    assert [b.name for b in prog.boxes] == ["A", "B", "Main"]
    assert [f.name for f in prog.functions] == ["f"]
    assert kinds(prog.body) == ["Print"]


def test_members_on_one_line() -> None:
    (b,) = parse("box P from Q { init { a, weak w } public { a } private { p } birth(x) { me.a = x } "
                 "override get() { return me.a } other() { } }").boxes
    assert b.fields == ["a", "w", "p"] and b.weak_fields == {"w"}
    assert b.public == ["a"] and b.private == ["p"]
    assert set(b.methods) == {"birth/1", "get/0", "other/0"}
    assert b.methods["get/0"].is_override


def test_bare_fields_before_other_members_on_one_line() -> None:
    (b,) = parse("box G { name count weak w birth(n) { me.name = n } init { more } m() { } }").boxes
    assert b.fields == ["name", "count", "w", "more"] and b.weak_fields == {"w"}
    assert set(b.methods) == {"birth/1", "m/0"}


def test_return_takes_the_expression_on_its_line_only() -> None:
    (f, g, h) = parse("function f() { return 1 + 2 }\nfunction g() { return\n 5 }\nfunction h() { return }").functions
    assert isinstance(f.body[0].value, A.Binary)
    assert g.body[0].value is None and isinstance(g.body[1], A.ExprStmt)
    assert h.body[0].value is None


def test_expression_ends_where_no_operator_continues_it() -> None:
    a, b, c = parse("x = y - 1 z = w (1) q").body
    assert isinstance(a.value, A.Binary) and a.value.op == "-"
    assert isinstance(b.value, A.Call) and b.value.name == "w"  # `w (1)` is a call, as upstream
    assert isinstance(c, A.ExprStmt) and c.expr.name == "q"


def test_loop_without_condition() -> None:
    (s,) = parse("loop { break }").body
    assert isinstance(s, A.Loop) and isinstance(s.cond, A.BoolLit) and s.cond.value is True
    (s,) = parse("loop {\n n = n + 1\n}").body
    assert kinds(s.body) == ["Assign"]


# ---- real syntax errors keep their exact positions ---------------------------------
@pytest.mark.parametrize("src,msg", [
    ("print(1) 2", "t.nyash:1:10: expected end of line, found '2'"),
    ("local x = 1 )", "t.nyash:1:13: expected end of line, found ')'"),
    ('x = 1 "s"', "t.nyash:1:7: expected end of line, found string \"s\""),
    ("f() (g())", "t.nyash:1:5: expected end of line, found '('"),
    ("if a { } else { } else { }", "t.nyash:1:19: expected end of line, found 'else'"),
    ("box A { foo() { } 3 }", "t.nyash:1:19: expected end of line, found '3'"),
    ("box A { init { a } (b) }", "t.nyash:1:20: expected end of line, found '('"),
    ("loop x < 3 { }", "t.nyash:1:6: expected '(' or '{' after loop (loop(condition) { ... } or loop { ... }), found 'x'"),
    ("local a = 1 + print(2)", "t.nyash:1:15: expected an expression, found 'print'"),
    ("print(1) print(2", "t.nyash:1:17: expected ')', found end of file"),
])
def test_error_positions_stay_exact(src: str, msg: str) -> None:
    assert errors(src) == [msg]


def test_one_line_program_reports_the_error_column_and_recovers() -> None:
    msgs = errors("static box Main { main() { local a = 1 a = = 2 print(a) } }\nprint(1 +)\nlocal ok = 1 ok 5")
    assert msgs == ["t.nyash:1:44: expected an expression, found '='",
                    "t.nyash:2:10: expected an expression, found ')'",
                    "t.nyash:3:17: expected end of line, found '5'"]
