"""The snippet renderer on its own: marker columns by display width (tabs, wide and
combining characters), cut long lines, notes in order and in other files, colour only
when asked for, NO_COLOR respected."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from nyash_build import cli
from nyash_build.diagnostics import Diagnostic, Note, Suggestion
from nyash_build.render import Sources, render, use_color

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def snippet(text: str, line: int, col: int, end: int, **kw) -> list[str]:
    d = Diagnostic("f.nyash", line, col, "msg", code="N0201", end_col=end, label="here", **kw)
    return render(d, Sources({"f.nyash": text})).splitlines()


def marker_cells(lines: list[str]) -> tuple[int, int]:
    """(first display cell, width) of the ^ run in the marker line under the source line."""
    src = next(i for i, l in enumerate(lines) if re.match(r"^\d+ \| ", l))
    m = re.search(r"\^+", lines[src + 1])
    return m.start() - lines[src].index("| ") - 2, len(m.group())


def test_plain_ascii():
    out = snippet("print(cout + 1)\n", 1, 7, 11)
    assert out == ["f.nyash:1:7: error: msg [N0201]", "  |", "1 | print(cout + 1)", "  |       ^^^^ here"]


def test_tabs_are_four_cells():
    out = snippet("\t\tx = y\n", 1, 7, 8)
    assert out[2] == "1 |         x = y"
    assert marker_cells(out) == (12, 1)


def test_wide_characters_take_two_cells():
    out = snippet('print("日本" + x)\n', 1, 14, 15)
    assert marker_cells(out) == (15, 1)       # p r i n t ( " = 7, 日本 = 4, " + ␠ = 4


def test_wide_characters_inside_the_span():
    out = snippet("local 名前x = 1\n", 1, 7, 10)
    assert marker_cells(out) == (6, 5)


def test_combining_marks_take_no_cell():
    out = snippet("e\u0301e\u0301 + y\n", 1, 8, 9)
    assert marker_cells(out) == (5, 1)


def test_control_characters_are_shown_as_replacement():
    out = snippet("a\x07b + c\n", 1, 7, 8)
    assert out[2] == "1 | a\ufffdb + c"
    assert marker_cells(out) == (6, 1)


def test_long_line_is_cut_around_the_span():
    line = "x" * 500 + " + target + " + "y" * 500
    out = snippet(line + "\n", 1, 504, 510)
    shown = out[2].split("| ", 1)[1]
    assert shown.startswith("...") and shown.endswith("...") and len(shown) <= 106
    start, width = marker_cells(out)
    assert shown[start:start + width] == "target"


def test_long_line_span_at_the_start_is_not_cut_on_the_left():
    out = snippet("target" + " + y" * 100 + "\n", 1, 1, 7)
    shown = out[2].split("| ", 1)[1]
    assert shown.startswith("target") and shown.endswith("...")
    assert marker_cells(out) == (0, 6)


def test_crlf_line_endings():
    out = snippet("local a = 1\r\nprint(b)\r\n", 2, 7, 8)
    assert out[2] == "2 | print(b)"


def test_marker_at_the_end_of_the_line():
    out = snippet("print(1\n", 1, 8, 9)
    assert marker_cells(out) == (7, 1)


def test_notes_are_drawn_in_line_order_with_a_gap_marker():
    text = "box A {\n" + "\n" * 5 + "x\n"
    d = Diagnostic("f.nyash", 7, 1, "m", end_col=2, label="primary",
                   notes=(Note("f.nyash", 1, 7, "opened here"),))
    assert render(d, Sources({"f.nyash": text})).splitlines() == [
        "f.nyash:7:1: error: m", "  |", "1 | box A {", "  |       - opened here", "...",
        "7 | x", "  | ^ primary"]


def test_note_in_another_file(tmp_path):
    d = Diagnostic("main.nyash", 1, 1, "m", end_col=2,
                   notes=(Note("lib.nyash", 2, 3, "declared here", 6),))
    out = render(d, Sources({"main.nyash": "f()\n", "lib.nyash": "\n  foo()\n"})).splitlines()
    assert out == ["main.nyash:1:1: error: m", "  |", "1 | f()", "  | ^",
                   " --> lib.nyash:2:3", "  |", "2 |   foo()", "  |   --- declared here"]


def test_find_moves_the_span_onto_the_word():
    d = Diagnostic("f.nyash", 1, 11, "m", find="Foo")
    assert render(d, Sources({"f.nyash": "local x = new Foo()\n"})).splitlines()[0] == "f.nyash:1:15: error: m"


def test_source_line_read_from_the_diagnostics_own_file(tmp_path):
    """A compilation may span several files: each line comes from its own file."""
    other = tmp_path / "other.nyash"
    other.write_text("print(zz)\n")
    d = Diagnostic(str(other), 1, 7, "m", end_col=9)
    assert render(d, Sources({"main.nyash": "nothing here\n"})).splitlines()[2] == "1 | print(zz)"


def test_missing_file_gives_the_header_only():
    d = Diagnostic("gone.nyash", 3, 1, "m", suggestions=(Suggestion("try this", "x"),))
    assert render(d, Sources()) == "gone.nyash:3:1: error: m\n  = help: try this\n"


def test_warning_with_runtime_note():
    d = Diagnostic("f.nyash", 1, 1, "Undefined variable 'x'", "warning", deferred=True, code="N0201")
    assert render(d, Sources({"f.nyash": "x\n"})).splitlines()[0] == (
        "f.nyash:1:1: warning: Undefined variable 'x' (a runtime error if this code runs) [N0201]")


# ------------------------------------------------------------------------- colour
class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("choice, tty, env, want", [
    ("auto", True, {}, True), ("auto", False, {}, False), ("auto", True, {"NO_COLOR": "1"}, False),
    ("auto", True, {"NO_COLOR": ""}, True), ("auto", True, {"TERM": "dumb"}, False),
    ("always", False, {"NO_COLOR": "1"}, True), ("never", True, {}, False),
])
def test_when_to_colour(choice, tty, env, want):
    assert use_color(choice, _Tty() if tty else io.StringIO(), env) is want


def test_coloured_output_is_the_plain_output_plus_escapes():
    text = "local count = 1\nprint(cout)\n"
    d = Diagnostic("f.nyash", 2, 7, "m", code="N0201", end_col=11, label="here",
                   suggestions=(Suggestion("did you mean `count`?", "count"),))
    plain = render(d, Sources({"f.nyash": text}))
    coloured = render(d, Sources({"f.nyash": text}), color=True)
    assert "\x1b[" not in plain and "\x1b[1;31m^^^^ here\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == plain


def _check(args, tmp_path, capfd, monkeypatch, env=None):
    src = tmp_path / "app.nyash"
    src.write_text("print(nope)\n")
    for k, v in (env or {}).items():
        monkeypatch.setenv(k, v)
    capfd.readouterr()
    cli.main([*args[:-1], str(src)] if args else ["check", str(src)])
    return capfd.readouterr().err


def test_cli_colour_options(tmp_path, capfd, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in _check(["--color", "always", "check", "F"], tmp_path, capfd, monkeypatch)
    assert "\x1b[" in _check(["check", "--color=always", "F"], tmp_path, capfd, monkeypatch)
    assert "\x1b[" in _check(["--color", "always", "check", "F"], tmp_path, capfd, monkeypatch, {"NO_COLOR": "1"})
    assert "\x1b[" not in _check(["check", "--color", "never", "F"], tmp_path, capfd, monkeypatch)
    assert "\x1b[" not in _check(["check", "F"], tmp_path, capfd, monkeypatch)  # not a terminal
