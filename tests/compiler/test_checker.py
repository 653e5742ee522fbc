"""Compile-time checks: each gives a positioned, human message."""
from __future__ import annotations

import pytest

from nyash_build.compiler.driver import check_source
from nyash_build.diagnostics import CompileError


def check_errors(src: str) -> list[str]:
    with pytest.raises(CompileError) as e:
        check_source(src, "c.nyash")
    return [d.render() for d in e.value.diagnostics]


def test_undefined_variable() -> None:
    assert check_errors("print(nope)") == ["c.nyash:1:7: Undefined variable 'nope'"]


def test_void_is_an_undefined_variable() -> None:
    assert check_errors("return void") == ["c.nyash:1:8: Undefined variable 'void'"]


def test_break_outside_loop() -> None:
    assert check_errors("break") == ["c.nyash:1:1: 'break' outside a loop"]


def test_function_arity() -> None:
    assert check_errors("function f(a) {\n}\nf(1, 2)") == ["c.nyash:3:1: function f expects 1 arguments, got 2"]


def test_unknown_function_and_box() -> None:
    assert check_errors("g()\nnew Nope()") == ["c.nyash:1:1: Undefined function 'g'", "c.nyash:2:1: Unknown box type 'Nope'"]


def test_constructor_arity() -> None:
    msgs = check_errors("box P {\n birth(a) {\n }\n}\nnew P()")
    assert msgs == ["c.nyash:5:1: No constructor found for P with 0 arguments"]


def test_unknown_method_on_me() -> None:
    assert check_errors("box P {\n go() {\n me.nothere()\n }\n}") == ["c.nyash:3:5: Unknown method 'nothere' for P"]


def test_from_must_name_a_parent() -> None:
    msgs = check_errors("box A {\n}\nbox B {\n go() {\n from A.go()\n }\n}")
    assert msgs == ["c.nyash:5:2: B does not delegate to A"]


def test_global_assigned_anywhere_is_known() -> None:
    info = check_source("function f() {\n return g\n}\ng = 1\nprint(f())", "c.nyash")
    assert info.globals == ["g"]


def test_locals_are_function_scoped_not_block_scoped() -> None:
    info = check_source("if true {\n local x = 1\n}\nprint(x)", "c.nyash")
    assert info.main_body.locals == ["x"]


def test_override_of_nothing_is_a_warning_not_an_error() -> None:
    info = check_source("box A {\n override go() {\n }\n}", "c.nyash")
    assert [w.severity for w in info.warnings] == ["warning"]
