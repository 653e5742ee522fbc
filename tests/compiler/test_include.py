"""`include` at compile time (spec section 9, decision row 27): the statement, path
resolution, include-once and cycles, declarations across files, and every error
naming the right file, line and column."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from nyash_build.compiler import ast as A
from nyash_build.compiler.driver import check_program, compile_file, load
from nyash_build.compiler.parser import parse_source
from nyash_build.compiler.includes import IncludeSettings, include_statements, unit_name
from nyash_build.compiler.lexer import tokenize
from nyash_build.diagnostics import CompileError
from nyash_build.project.scan import Scanner


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def errors_of(entry: Path, settings: IncludeSettings | None = None) -> list[str]:
    with pytest.raises(CompileError) as e:
        compile_file(entry, settings=settings)
    # position and message (the full rendering is tested in tests/diagnostics)
    return [f"{d.file}:{d.line}:{d.col}: {d.message}" for d in e.value.diagnostics]


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------ the statement
def test_include_statement_parses_to_its_path() -> None:
    (stmt,) = parse_source('include "lib/a.nyash"', "t.nyash").body
    assert isinstance(stmt, A.Include) and stmt.path == "lib/a.nyash"
    assert (stmt.line, stmt.col) == (1, 1)


@pytest.mark.parametrize("src,message", [
    ("include lib", 't.nyash:1:9: expected a file name in quotes after include (include "lib.nyash"), found \'lib\''),
    ('x = include "f"', 't.nyash:1:5: include is a statement, not a value: include "file.nyash" on a line of its own'),
    ('box B {\n  include "f"\n}', "t.nyash:2:3: include is a statement: it cannot stand in a box body"),
])
def test_include_misuse_is_a_syntax_error(src: str, message: str) -> None:
    with pytest.raises(CompileError) as e:
        parse_source(src, "t.nyash")
    assert [f"{d.file}:{d.line}:{d.col}: {d.message}" for d in e.value.diagnostics] == [message]


def test_scanner_sees_the_include_statements_in_order() -> None:
    toks = tokenize('include "a"\n// include "comment"\nprint("include \\"s\\"")\n'
                    'function f() {\n  include "b"\n}\n', "t.nyash")
    assert include_statements(toks) == [("a", 1, 1), ("b", 5, 3)]


# ------------------------------------------------------------------ resolution
def test_relative_to_the_including_file_first_then_the_root(cwd: Path) -> None:
    tree(cwd, {
        "app/main.nyash": 'include "lib.nyash"\ninclude "shared/common.nyash"\nprint(a() + b())\n',
        "app/lib.nyash": 'function a() { return "next to main " }\n',
        "lib.nyash": 'function a() { return "root: wrong" }\n',
        "shared/common.nyash": 'function b() { return "from the root" }\n',
    })
    ss = load(cwd / "app" / "main.nyash")
    assert [f.name for f in ss.files] == ["main.nyash", "app/lib.nyash", "shared/common.nyash"]


def test_include_paths_are_searched_after_the_root(tmp_path: Path) -> None:
    root = tree(tmp_path / "proj", {
        "src/main.nyash": 'include "util.nyash"\ninclude "both.nyash"\n',
        "both.nyash": "print(1)\n",
        "vendor/util.nyash": "print(2)\n",
        "vendor/both.nyash": "print(3)\n",
    })
    settings = IncludeSettings(root, (root / "vendor",), project=True)
    ss = load(root / "src" / "main.nyash", settings=settings)
    assert [f.name for f in ss.files] == ["main.nyash", "vendor/util.nyash", "both.nyash"]


def test_absolute_include_path(cwd: Path, tmp_path_factory) -> None:
    other = tree(tmp_path_factory.mktemp("elsewhere"), {"abs.nyash": 'print("abs")\n'})
    tree(cwd, {"main.nyash": f'include "{other / "abs.nyash"}"\n'})
    ss = load(cwd / "main.nyash")
    assert ss.files[1].path == other / "abs.nyash"
    # outside the root and the entry's directory: named relative to the entry
    assert ss.files[1].name == os.path.relpath(other / "abs.nyash", cwd)


def test_missing_file_is_an_error_at_the_include_naming_the_paths_tried(cwd: Path) -> None:
    tree(cwd, {"sub/main.nyash": 'print(1)\n  include "nope.nyash"\n'})
    assert errors_of(Path("sub/main.nyash")) == [
        'sub/main.nyash:2:11: cannot include "nope.nyash": no such file '
        "(tried sub/nope.nyash, nope.nyash)"]


def test_missing_file_in_an_included_file_points_into_that_file(cwd: Path) -> None:
    tree(cwd, {"main.nyash": 'include "lib/a.nyash"\n', "lib/a.nyash": '\n\ninclude "gone.nyash"\n'})
    assert errors_of(Path("main.nyash")) == [
        'lib/a.nyash:3:9: cannot include "gone.nyash": no such file (tried lib/gone.nyash, gone.nyash)']


def test_a_directory_cannot_be_included(cwd: Path) -> None:
    (cwd / "lib").mkdir()
    tree(cwd, {"main.nyash": 'include "lib"\n'})
    (msg,) = errors_of(Path("main.nyash"))
    assert msg.startswith('main.nyash:1:9: cannot include "lib": it is a directory')


def test_outside_the_project_is_an_error(cwd: Path) -> None:
    tmp_path = cwd
    tree(tmp_path, {"proj/src/main.nyash": 'include "../../shared.nyash"\n', "shared.nyash": "print(1)\n"})
    root = tmp_path / "proj"
    (msg,) = errors_of(root / "src" / "main.nyash", IncludeSettings(root, (), project=True))
    assert msg == (f'{root / "src" / "main.nyash"}:1:9: cannot include "../../shared.nyash": '
                   f'shared.nyash is outside the project ({root})')
    # a single-file compile (no project; the root is the current directory) may include it
    assert [f.name for f in load(root / "src" / "main.nyash").files][1] == "shared.nyash"


def test_unreadable_included_file(cwd: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    tree(cwd, {"main.nyash": 'include "secret.nyash"\n', "secret.nyash": "print(1)\n"})
    (cwd / "secret.nyash").chmod(0)
    (msg,) = errors_of(Path("main.nyash"))
    assert msg.startswith('main.nyash:1:9: cannot include "secret.nyash": ')


def test_invalid_utf8_in_an_included_file(cwd: Path) -> None:
    tree(cwd, {"main.nyash": 'print(0)\ninclude "bad.nyash"\n'})
    (cwd / "bad.nyash").write_bytes(b'print("\xff")\n')
    # the error is the included file's own (its bad byte quoted), with a note at the include
    with pytest.raises(CompileError) as e:
        compile_file(Path("main.nyash"))
    (d,) = e.value.diagnostics
    assert (d.file, d.line, d.col, d.message, d.code) == ("bad.nyash", 1, 8, "source is not valid UTF-8", "N0101")
    assert [(n.file, n.line, n.col, n.label) for n in d.notes] == [("main.nyash", 2, 1, "included here")]


# ------------------------------------------------------------------ errors inside included files
def test_syntax_errors_in_included_files_point_into_them(cwd: Path) -> None:
    tree(cwd, {
        "main.nyash": 'include "lib/a.nyash"\ninclude "lib/b.nyash"\nprint(1\n',
        "lib/a.nyash": "function f() {\n  return 1 +\n}\n",
        "lib/b.nyash": "box B {\n  init { x }\n  m( {\n  }\n}\n",
    })
    msgs = errors_of(Path("main.nyash"))
    assert msgs[0].startswith("main.nyash:3:")
    assert [m.split(":")[:2] for m in msgs[1:]] == [["lib/a.nyash", "2"], ["lib/b.nyash", "3"]]


def test_check_errors_and_warnings_name_their_file(cwd: Path) -> None:
    tree(cwd, {
        "main.nyash": 'include "lib.nyash"\nprint(f())\n',
        "lib.nyash": "function f() {\n  return g(1)\n}\nfunction h() {\n  break\n}\n",
    })
    assert errors_of(Path("main.nyash")) == ["lib.nyash:5:3: 'break' outside a loop"]
    (cwd / "lib.nyash").write_text("function f() {\n  return g(1)\n}\n")
    info = check_program(load(Path("main.nyash")))
    assert [w.render() for w in info.warnings] == [
        "lib.nyash:2:10: warning: Undefined function 'g' (a runtime error if this code runs) [N0202]"]


def test_a_box_declared_in_two_files_names_both(cwd: Path) -> None:
    tree(cwd, {
        "main.nyash": 'include "a.nyash"\ninclude "b.nyash"\n',
        "a.nyash": "box Item {\n}\nfunction make() { return 1 }\n",
        "b.nyash": "\nbox Item {\n}\nfunction make() { return 2 }\n",
    })
    assert errors_of(Path("main.nyash")) == [
        "b.nyash:2:1: box Item is declared twice (first in a.nyash:1)",
        "b.nyash:4:1: function make is declared twice (first in a.nyash:3)"]


def test_compile_error_carries_every_source_text(cwd: Path) -> None:
    tree(cwd, {"main.nyash": 'include "lib.nyash"\n', "lib.nyash": "print(1 +)\n"})
    with pytest.raises(CompileError) as e:
        compile_file(Path("main.nyash"))
    assert e.value.sources == {"main.nyash": 'include "lib.nyash"\n', "lib.nyash": "print(1 +)\n"}


# ------------------------------------------------------------------ the program
def test_include_once_and_cycles_need_no_guard_at_top_level(cwd: Path) -> None:
    tree(cwd, {
        "main.nyash": 'include "a.nyash"\ninclude "a.nyash"\ninclude "./a.nyash"\n',
        "a.nyash": 'print("a")\ninclude "b.nyash"\n',
        "b.nyash": 'print("b")\ninclude "a.nyash"\ninclude "main.nyash"\n',
    })
    body = load(Path("main.nyash")).program.body
    # plain splices: a's print, then b's print; repeats and cycles left nothing
    assert [type(s).__name__ for s in body] == ["Print", "Print"]
    assert [(s.file, s.line) for s in body] == [(1, 1), (2, 1)]


def test_include_inside_a_function_is_guarded_by_a_flag(cwd: Path) -> None:
    tree(cwd, {"main.nyash": 'function f() {\n  include "a.nyash"\n}\ninclude "a.nyash"\n',
               "a.nyash": 'print("a")\n'})
    prog = load(Path("main.nyash")).program
    flag_init, guard = prog.body
    assert isinstance(flag_init, A.Assign) and isinstance(guard, A.If)
    assert isinstance(prog.functions[0].body[0], A.If)


def test_file_table_order_matches_the_build_scanner(cwd: Path) -> None:
    tree(cwd, {
        "main.nyash": 'function later() {\n  include "z.nyash"\n}\ninclude "m.nyash"\n',
        "m.nyash": 'include "sub/x.nyash"\ninclude "z.nyash"\n',
        "z.nyash": "print(1)\n",
        "sub/x.nyash": 'include "../m.nyash"\n',
    })
    settings = IncludeSettings.single_file()
    ss = load(cwd / "main.nyash", settings=settings)
    closure = Scanner().closure(cwd / "main.nyash", settings)
    assert [f.path for f in ss.files] == list(closure.files)
    assert [f.name for f in ss.files] == list(closure.names) == [
        "main.nyash", "z.nyash", "m.nyash", "sub/x.nyash"]


def test_metadata_lists_every_source_and_the_line_table_names_files(cwd: Path) -> None:
    tree(cwd, {"main.nyash": 'include "lib/u.nyash"\nprint(f())\n',
               "lib/u.nyash": "function f() {\n  return 42\n}\n"})
    result = compile_file(Path("main.nyash"))
    digest = hashlib.sha256((cwd / "lib/u.nyash").read_bytes()).hexdigest()
    assert result.meta["sources"][1] == {"name": "lib/u.nyash", "sha256": digest}
    assert result.meta["source_name"] == "main.nyash"
    assert result.dependencies == [cwd / "main.nyash", cwd / "lib/u.nyash"]
    entries = {(file, line) for _, file, line in result.meta["line_table"]}
    assert (1, 2) in entries and (0, 2) in entries  # `return 42` in u.nyash, `print` in main


def test_unit_names_never_absolute(tmp_path: Path) -> None:
    entry = tmp_path / "a" / "main.nyash"
    assert unit_name(entry, entry, tmp_path / "elsewhere") == "main.nyash"
    assert unit_name(tmp_path / "a" / "lib" / "x.nyash", entry, tmp_path) == "a/lib/x.nyash"
    assert unit_name(tmp_path / "b" / "y.nyash", entry, tmp_path / "a") == "../b/y.nyash"


def test_a_finding_in_a_file_included_at_several_places_is_reported_once(cwd: Path) -> None:
    tree(cwd, {"main.nyash": 'function f() {\n  include "l.nyash"\n}\ninclude "l.nyash"\nf()\n',
               "l.nyash": "print(nope)\n"})
    result = compile_file(Path("main.nyash"))
    assert [w.render() for w in result.warnings] == [
        "l.nyash:1:7: warning: Undefined variable 'nope' (a runtime error if this code runs) [N0201]"]
