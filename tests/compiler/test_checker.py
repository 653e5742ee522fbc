"""Compile-time checks: structural problems are errors with positions; runtime errors
that can be seen statically are warnings when compiling (errors for ``nyash check``)
and still raised, with the spec's message, when the code runs."""
from __future__ import annotations

import pytest

from nyash_build.compiler.driver import check_source
from nyash_build.diagnostics import CompileError
from tests.helpers import nyash


def check_errors(src: str) -> list[str]:
    with pytest.raises(CompileError) as e:
        check_source(src, "c.nyash")
    # position and message (the full rendering is tested in tests/diagnostics)
    return [f"{d.file}:{d.line}:{d.col}: {d.message}" for d in e.value.diagnostics]


def deferred(src: str) -> list[str]:
    info = check_source(src, "c.nyash")
    return [f"{d.line}:{d.col}: {d.message}" for d in info.warnings if d.deferred]


def test_break_outside_loop_is_an_error() -> None:
    assert check_errors("break") == ["c.nyash:1:1: 'break' outside a loop"]


def test_me_outside_a_method_is_an_error() -> None:
    assert check_errors("print(me)") == ["c.nyash:1:7: 'me' used outside a box method"]


def test_duplicate_declarations_are_errors() -> None:
    assert check_errors("function f() {\n}\nfunction f() {\n}") == ["c.nyash:3:1: function f is declared twice"]


def test_undefined_variable_is_found_statically() -> None:
    assert deferred("print(nope)") == ["1:7: Undefined variable 'nope'"]
    assert deferred("return void") == ["1:8: Undefined variable 'void'"]


def test_function_arity_unknown_function_and_box() -> None:
    assert deferred("function f(a) {\n}\nf(1, 2)\ng()\nnew Nope()") == [
        "3:1: function f expects 1 arguments, got 2", "4:1: Undefined function 'g'", "5:1: Unknown box type 'Nope'"]


def test_constructor_arity() -> None:
    assert deferred("box P {\n birth(a) {\n }\n}\nnew P()") == ["5:1: No constructor found for P with 0 arguments"]


def test_unknown_method_on_me_and_bad_from() -> None:
    assert deferred("box P {\n go() {\n me.nothere()\n }\n}") == ["3:5: Unknown method 'nothere' for P"]
    assert deferred("box A {\n}\nbox B {\n go() {\n from A.go()\n }\n}") == ["5:2: B does not delegate to A"]


def test_nyash_check_rejects_static_runtime_errors(tmp_path) -> None:
    f = tmp_path / "c.nyash"
    f.write_text("print(1)\nprint(nope)\n")
    r = nyash("check", str(f))
    assert r.returncode == 1
    assert f"{f}:2:7: error: Undefined variable 'nope' [N0201]" in r.stderr


def test_unreached_static_error_does_not_stop_the_program(tmp_path) -> None:
    f = tmp_path / "c.nyash"
    f.write_text("function never() {\n return typo\n}\nprint(\"ran\")\n")
    r = nyash("run", str(f))
    assert (r.returncode, r.stdout) == (0, "ran\n")
    assert "warning: Undefined variable 'typo'" in r.stderr


def test_reached_static_error_is_a_catchable_runtime_error(tmp_path) -> None:
    f = tmp_path / "c.nyash"
    f.write_text("try {\n local x = missing\n} catch (Error e) {\n print(\"caught \" + e)\n}\nprint(missing2)\nprint(\"no\")\n")
    r = nyash("run", str(f))
    assert r.stdout == "caught ErrorBox(Undefined variable 'missing')\n"
    assert r.returncode == 1
    assert "Runtime error: Undefined variable 'missing2'" in r.stderr


def test_global_assigned_anywhere_is_known() -> None:
    info = check_source("function f() {\n return g\n}\ng = 1\nprint(f())", "c.nyash")
    assert info.globals == ["g"]
    assert info.warnings == []


def test_locals_are_function_scoped_not_block_scoped() -> None:
    info = check_source("if true {\n local x = 1\n}\nprint(x)", "c.nyash")
    assert info.main_body.locals == ["x"]


def test_override_of_nothing_is_a_warning_not_an_error() -> None:
    info = check_source("box A {\n override go() {\n }\n}", "c.nyash")
    assert [(w.severity, w.deferred) for w in info.warnings] == [("warning", False)]
