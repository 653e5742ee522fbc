"""Multi-file programs end to end (issue 16): `nyash run` from the program's directory
and from elsewhere, `nyash check`, and standalone executables that need none of the
sources at run time.

The programs live in tests/programs/include/CASE/ (entry main.nyash, or DIR/main.nyash
for rootrel, whose includes are written upstream's way: relative to the directory the
program runs from; expected.out, expected.err for a runtime error). Their outputs were checked against the reference
interpreter where upstream agrees (upstream resolves includes against the working
directory and runs a file again on a cycle; decision row 27 of the spec).
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from nyash_build.compiler.driver import compile_file
from nyash_build.compiler.includes import IncludeSettings
from nyash_build.pipeline import native_from_result
from tests.helpers import REPO, nyash

CASES_DIR = REPO / "tests" / "programs" / "include"


def entry_of(case: str) -> str:
    """main.nyash, or (upstream's layout: includes written relative to the directory
    the program runs from) DIR/main.nyash."""
    d = CASES_DIR / case
    if (d / "main.nyash").is_file():
        return "main.nyash"
    (main,) = d.glob("*/main.nyash")
    return str(main.relative_to(d))


CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())


def expected(case: str) -> tuple[str, str, int]:
    d = CASES_DIR / case
    err = d / "expected.err"
    return ((d / "expected.out").read_text(encoding="utf-8"),
            err.read_text(encoding="utf-8") if err.exists() else "", 1 if err.exists() else 0)


def test_cases_exist() -> None:
    assert {"basics", "scope", "errors", "rootrel"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_run_from_the_program_directory(case: str) -> None:
    out, err, code = expected(case)
    r = nyash("run", entry_of(case), cwd=CASES_DIR / case)
    # `nyash run` adds the innermost frame's line after what every host prints
    assert (r.stdout, r.stderr[:len(err)], r.returncode) == (out, err, code)
    snippet = r.stderr[len(err):]
    if case == "errors":
        assert snippet == (" --> lib/calc.nyash:8:5 [N0701]\n"
                           "  |\n"
                           "8 |     return a / b\n"
                           "  |     ^^^^^^^^^^^^ the error happened on this line\n")
    elif err:  # the innermost frame's file and line, quoted
        frame = err.splitlines()[1].rsplit("(", 1)[1].rstrip(")")
        assert snippet.lstrip().startswith(f"--> {frame}:") and snippet.endswith("the error happened on this line\n")
    else:
        assert snippet == ""


def test_run_from_another_directory_resolves_next_to_the_including_file(tmp_path: Path) -> None:
    out, _, _ = expected("basics")
    r = nyash("run", str(CASES_DIR / "basics" / "main.nyash"), cwd=tmp_path)
    assert (r.stdout, r.returncode) == (out, 0), r.stderr


def test_frames_name_included_files_relative_to_the_root() -> None:
    """Single-file commands: the root is the current directory."""
    r = nyash("run", "tests/programs/include/errors/main.nyash", cwd=REPO)
    assert r.returncode == 1
    assert r.stderr == ("Runtime error: Division by zero\n"
                        "  at helper (tests/programs/include/errors/lib/calc.nyash:8)\n"
                        "  at Calc.div (tests/programs/include/errors/lib/calc.nyash:3)\n"
                        "  at <main> (main.nyash:5)\n"
                        " --> tests/programs/include/errors/lib/calc.nyash:8:5 [N0701]\n"
                        "  |\n"
                        "8 |     return a / b\n"
                        "  |     ^^^^^^^^^^^^ the error happened on this line\n")


def test_single_file_commands_search_the_include_paths_of_nyash_toml_in_the_cwd(tmp_path: Path) -> None:
    """`nyash run apps/x.nyash` inside a project finds what `nyash build` finds; a
    malformed nyash.toml is not a single-file command's business (build reports it)."""
    (tmp_path / "vendor").mkdir()
    (tmp_path / "apps").mkdir()
    (tmp_path / "vendor" / "extra.nyash").write_text('function extra() {\n  return "from vendor"\n}\n')
    (tmp_path / "apps" / "x.nyash").write_text('include "extra.nyash"\nprint(extra())\n')
    (tmp_path / "nyash.toml").write_text('[project]\nname = "p"\n\n[build]\ninclude-paths = ["vendor"]\n\n'
                                         '[apps.x]\nmain = "apps/x.nyash"\n')
    r = nyash("run", "apps/x.nyash", cwd=tmp_path)
    assert (r.stdout, r.returncode) == ("from vendor\n", 0), r.stderr
    r = nyash("check", "apps/x.nyash", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (0, "apps/x.nyash: ok\n")
    (tmp_path / "nyash.toml").write_text("[build\n")
    r = nyash("run", "apps/x.nyash", cwd=tmp_path)
    assert r.returncode == 1 and "extra.nyash" in r.stderr and "Traceback" not in r.stderr


def test_check_reports_a_deferred_error_in_an_included_file(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "main.nyash").write_text('include "lib/a.nyash"\nprint(f())\n')
    (tmp_path / "lib" / "a.nyash").write_text("function f() {\n  return nope\n}\n")
    r = nyash("check", "main.nyash", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (1, "lib/a.nyash:2:10: error: Undefined variable 'nope' [N0201]\n"
                                           "  |\n"
                                           "2 |   return nope\n"
                                           "  |          ^^^^ not defined here\n")
    (tmp_path / "lib" / "a.nyash").write_text("function f() {\n  return 1\n}\n")
    r = nyash("check", "main.nyash", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (0, "main.nyash: ok\n")


def test_compile_error_in_an_included_file_exits_1_with_its_position(tmp_path: Path) -> None:
    (tmp_path / "main.nyash").write_text('print("a")\ninclude "lib.nyash"\n')
    (tmp_path / "lib.nyash").write_text("\nlocal x = (1 +\n")
    r = nyash("run", "main.nyash", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("lib.nyash:2:")
    assert "Traceback" not in r.stderr


# ------------------------------------------------------------------ executables
@pytest.fixture(scope="module")
def exes(tmp_path_factory) -> dict[str, Path]:
    """basics and errors (also as a debug build) as executables, moved away from their
    sources."""
    out = tmp_path_factory.mktemp("include-exes")
    built = {}
    for case, debug in (("basics", False), ("errors", False), ("errors", True), ("rootrel", False)):
        work = out / "src" / case
        if not work.exists():
            shutil.copytree(CASES_DIR / case, work)
        exe = out / "bin" / (case + ("-debug" if debug else ""))
        exe.parent.mkdir(exist_ok=True)
        result = compile_file(work / entry_of(case), debug=debug, settings=IncludeSettings(work))
        native_from_result(result, exe, debug=debug)
        built[exe.name] = exe
    shutil.rmtree(out / "src")  # self-contained: no source is needed at run time
    return built


@pytest.mark.parametrize("exe", ["basics", "errors", "errors-debug", "rootrel"])
def test_executable_runs_anywhere_without_its_sources(exes, exe: str, tmp_path: Path) -> None:
    """Release and debug builds map frames into the included files alike."""
    out, err, code = expected(exe.split("-")[0])
    r = subprocess.run([str(exes[exe])], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(tmp_path / "rc")})
    assert (r.stdout, r.stderr, r.returncode) == (out, err, code)


def test_nyash_info_lists_every_source_with_its_hash(exes, tmp_path: Path) -> None:
    r = subprocess.run([str(exes["basics"]), "--nyash-info"], capture_output=True, text=True,
                       timeout=120, env={"PATH": "/usr/bin:/bin",
                                         "NYASH_RUNNER_CACHE": str(tmp_path / "rc")})
    sources = [line for line in r.stdout.splitlines() if line.startswith("source: ")]
    want = []
    for rel, name in (("main.nyash", "main.nyash"), ("lib/shapes.nyash", "lib/shapes.nyash"),
                      ("lib/util.nyash", "lib/util.nyash")):
        digest = hashlib.sha256((CASES_DIR / "basics" / rel).read_bytes()).hexdigest()
        want.append(f"source: {name} sha256 {digest}")
    assert sources == want


def test_init_lib_project_runs(tmp_path: Path) -> None:
    """`nyash init NAME --lib`: both apps include lib/greeting.nyash (outputs checked
    against the reference interpreter)."""
    r = nyash("init", "demo", "--lib", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    project = tmp_path / "demo"
    assert nyash("run", "src/main.nyash", cwd=project).stdout == "Hello, demo!\n"
    assert nyash("run", "src/tool.nyash", cwd=project).stdout == "HI, TOOL!\n"


def test_main_runs_once_with_includes_inside_it_or_a_main_in_a_library(tmp_path: Path) -> None:
    """Decision row 27: upstream runs Main.main() again after an include inside it and
    runs a library's Main at include time; here Main.main() runs once, at the end."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "main.nyash").write_text(
        'static box Main {\n    main() {\n        print("main: before include")\n'
        '        include "lib.nyash"\n        print("main: after include " + libValue)\n    }\n}\n')
    (tmp_path / "a" / "lib.nyash").write_text('print("lib: top level")\nlibValue = 102\n')
    r = nyash("run", "a/main.nyash", cwd=tmp_path)
    assert (r.stdout, r.returncode) == (
        "main: before include\nlib: top level\nmain: after include 102\n", 0), r.stderr
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "main.nyash").write_text('print("entry")\ninclude "app.nyash"\nprint("entry end")\n')
    (tmp_path / "b" / "app.nyash").write_text(
        'print("app top")\nstatic box Main {\n    main() {\n        print("Main.main")\n    }\n}\n')
    r = nyash("run", "b/main.nyash", cwd=tmp_path)
    assert (r.stdout, r.returncode) == ("entry\napp top\nentry end\nMain.main\n", 0), r.stderr
