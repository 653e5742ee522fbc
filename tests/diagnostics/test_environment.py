"""Environment problems are one clear line with the fix, exit 1 -- never "internal
compiler error ... please report it" (that stays for genuine bugs, exit 70)."""
from __future__ import annotations

import errno
import os

import pytest

from nyash_build import cli, pipeline
from nyash_build.envproblems import FREE_SPACE, classify
from tests.helpers import nyash


@pytest.fixture
def src(tmp_path):
    p = tmp_path / "app.nyash"
    p.write_text("print(1)\n")
    return p


def compile_native_failing(monkeypatch, capsys, src, exc) -> tuple[int, str]:
    """`nyash --compile-native` whose native stage raises `exc` (what the failing tool,
    library or file system raises there)."""
    def fail(*args, **kwargs):
        raise exc
    monkeypatch.setattr(pipeline, "native_from_result", fail)
    capsys.readouterr()
    code = cli.main(["--compile-native", str(src), "-o", str(src.parent / "app")])
    return code, capsys.readouterr().err


def test_missing_c_compiler(monkeypatch, capsys, src):
    # subprocess.run(["gcc", ...]) when gcc is not installed
    exc = FileNotFoundError(errno.ENOENT, "No such file or directory", "gcc")
    code, err = compile_native_failing(monkeypatch, capsys, src, exc)
    assert (code, err) == (1, "nyash: error: the tool 'gcc' is not installed (it was not found on PATH); "
                              "install a C compiler: `apt install gcc` (Debian/Ubuntu) [N0604]\n")


NO_COMPILER_LINE = ("nyash: error: no C compiler to build launcher-x86_64-linux, which this installation does "
                    "not ship for these sources: neither the 'ziglang' package nor gcc is installed; `pip install "
                    "ziglang` (or install gcc), or reinstall nyash-build, whose package ships it prebuilt [N0608]")


@pytest.fixture
def no_compiler(monkeypatch, tmp_path):
    """No shipped launcher for these sources, zig not importable, no gcc on PATH."""
    from nyash_build import prebuilt
    monkeypatch.setattr(prebuilt, "PREBUILT_DIR", tmp_path / "not-shipped")
    monkeypatch.setattr(prebuilt, "zig_version", lambda: None)
    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path / "cache"))
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_no_c_compiler_for_the_launcher(no_compiler):
    """The real launcher provisioning with neither zig nor gcc: N0608, through every
    wrapper the error passes (launcher, runner cache)."""
    from nyash_build.bundle import launcher_build, runner_cache
    with pytest.raises(launcher_build.LauncherBuildError) as e:
        launcher_build.launcher_path()
    problem = classify(runner_cache.RunnerBuildError(str(e.value)))
    assert problem.render() == NO_COMPILER_LINE


def test_no_c_compiler_for_the_c_runtime_parts(no_compiler, capsys, tmp_path):
    from nyash_build import prebuilt
    from nyash_build.compiler import runtime_lib as rl
    with pytest.raises(prebuilt.PrebuiltMissing) as e:
        prebuilt.artifact_path("nyash-runtime-c.ir")
    problem = classify(e.value)
    assert problem.code == "N0608" and problem.fix.startswith("`pip install ziglang`")
    rl.runtime_lib.cache_clear()
    try:
        src = tmp_path / "clock.nyash"
        src.write_text("local t = new TimeBox()\nprint(t.now())\n")
        capsys.readouterr()
        assert cli.main(["--compile-wasm", str(src), "-o", str(tmp_path / "clock.wasm")]) == 1
        err = capsys.readouterr().err
        assert err == (f"nyash: error: {src} needs TimeBox.now, a runtime part written in C, which is unavailable: "
                       "no C compiler to build nyash-runtime-c.ir, which this installation does not ship for these "
                       "sources: it needs the 'ziglang' package, which is not installed; `pip install ziglang`, or "
                       "reinstall nyash-build, whose package ships it prebuilt [N0608]\n")
    finally:
        rl.runtime_lib.cache_clear()


def test_no_c_compiler_in_a_project_build_text_and_json(monkeypatch):
    """`nyash build`'s task fails with the same line; with --format json it is also an
    object (no position) on stdout, valid against the schema."""
    import io
    import json

    from nyash_build.project import stages
    from nyash_build.report import Reporter, activate
    from nyash_build.bundle.runner_cache import RunnerBuildError
    from tests.diagnostics.test_json import VALIDATOR

    def no_launcher(*args, **kwargs):
        raise RunnerBuildError(NO_COMPILER_LINE.removeprefix("nyash: error: ").removesuffix(" [N0608]"))
    monkeypatch.setattr(stages, "run_cached", no_launcher)
    monkeypatch.setattr(stages, "bundle_action_key", lambda *a: "k")
    monkeypatch.setattr(stages, "remove_stale_temps", lambda *a: [])
    out = io.StringIO()
    previous = activate(Reporter("json", out=out))
    try:
        failed = stages.bundle_action("a.wasm", "a.meta", {}, "/build/app")
    finally:
        activate(previous)
    assert failed.message == NO_COMPILER_LINE.removeprefix("nyash: error: ")
    (obj,) = [json.loads(line) for line in out.getvalue().splitlines()]
    VALIDATOR.validate(obj)
    assert (obj["file"], obj["line"], obj["code"]) == (None, None, "N0608")
    assert obj["suggestions"][0]["message"].startswith("`pip install ziglang` (or install gcc)")


def test_missing_python_package(monkeypatch, capsys, src):
    exc = ModuleNotFoundError("No module named 'PyInstaller'", name="PyInstaller")
    code, err = compile_native_failing(monkeypatch, capsys, src, exc)
    assert (code, err) == (1, "nyash: error: the Python package 'PyInstaller' is not installed; "
                              "install nyash-build's dependencies: `pip install pyinstaller` [N0604]\n")


def test_missing_system_library(monkeypatch, capsys, src):
    exc = OSError("liblzma.so.5: cannot open shared object file: No such file or directory")
    code, err = compile_native_failing(monkeypatch, capsys, src, exc)
    assert (code, err) == (1, "nyash: error: cannot load the system library liblzma.so.5: liblzma.so.5: cannot "
                              "open shared object file: No such file or directory; reinstall the package that "
                              "provides it [N0605]\n")


def test_missing_prebuilt_part(monkeypatch, capsys, src):
    from nyash_build.prebuilt import PrebuiltMissing
    exc = PrebuiltMissing("launcher-x86_64-linux is not part of this installation and cannot be built here "
                          "(it needs the 'ziglang' package): `pip install ziglang`")
    code, err = compile_native_failing(monkeypatch, capsys, src, exc)
    assert code == 1 and err.startswith("nyash: error: launcher-x86_64-linux is not part of this installation")
    assert err.endswith("[N0604]\n") and err.count("\n") == 1  # not "no C compiler": N0604


def test_unwritable_output_directory(monkeypatch, capsys, src):
    exc = PermissionError(errno.EACCES, "Permission denied", str(src.parent / "app"))
    code, err = compile_native_failing(monkeypatch, capsys, src, exc)
    assert (code, err) == (1, f"nyash: error: cannot write {src.parent / 'app'}: Permission denied; choose "
                              "another output path with -o, or make the directory writable [N0602]\n")


def test_read_only_file_system(monkeypatch, capsys, src):
    exc = OSError(errno.EROFS, "Read-only file system", str(src.parent / "app"))
    code, err = compile_native_failing(monkeypatch, capsys, src, exc)
    assert code == 1 and err.startswith(f"nyash: error: cannot write {src.parent / 'app'}: Read-only file system;")


def test_disk_full(monkeypatch, capsys, src):
    exc = OSError(errno.ENOSPC, "No space left on device")
    code, err = compile_native_failing(monkeypatch, capsys, src, exc)
    assert (code, err) == (1, f"nyash: error: cannot write {src.parent / 'app'}: No space left on device; "
                              f"{FREE_SPACE} [N0603]\n")


def test_unwritable_cache_directory(tmp_path, src):
    """A real failure: NYASH_CACHE_DIR under a regular file (the runner cannot be cached)."""
    blocker = tmp_path / "regular"
    blocker.write_text("x")
    p = nyash("--compile-native", str(src), "-o", str(tmp_path / "app"),
              env={"NYASH_CACHE_DIR": str(blocker / "cache")})
    assert p.returncode == 1, p.stderr
    line = p.stderr.strip()
    assert "\n" not in line and "Traceback" not in line and "internal compiler error" not in line
    assert line.startswith("nyash: error: cannot write ") and f"{blocker} is not a directory" in line
    assert line.endswith("set NYASH_CACHE_DIR to a writable directory [N0602]")
    assert not (tmp_path / "app").exists()


PYINSTALLER_TRACEBACK = """PyInstaller failed to freeze the runner:
Traceback (most recent call last):
  File "/usr/lib/python3.11/zipfile.py", line 1345, in __exit__
    self.close()
  File "/usr/lib/python3.11/zipfile.py", line 1996, in _fpclose
    fp.close()
OSError: [Errno 28] No space left on device"""


def test_full_cache_while_freezing_the_runner(monkeypatch, tmp_path):
    from nyash_build.bundle.runner_cache import RunnerBuildError
    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path / "cache"))
    problem = classify(RunnerBuildError(PYINSTALLER_TRACEBACK))
    assert problem.code == "N0603"
    assert problem.render() == (f"nyash: error: cannot build the executable's runner in {tmp_path / 'cache'}: No "
                                f"space left on device; {FREE_SPACE}, or set NYASH_CACHE_DIR to a directory on a "
                                "disk with about 100 MB free [N0603]")


def test_read_only_cache_while_freezing_the_runner(monkeypatch, tmp_path):
    from nyash_build.bundle.runner_cache import RunnerBuildError
    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path / "cache"))
    text = PYINSTALLER_TRACEBACK.replace("[Errno 28] No space left on device", "[Errno 30] Read-only file system")
    problem = classify(RunnerBuildError(text))
    assert (problem.code, problem.fix) == ("N0602", "set NYASH_CACHE_DIR to a writable directory")
    assert problem.message.endswith(": Read-only file system")


def test_a_failing_tool_is_quoted_by_its_error_line_not_its_traceback():
    from nyash_build.bundle.runner_cache import RunnerBuildError
    text = PYINSTALLER_TRACEBACK.replace("OSError: [Errno 28] No space left on device",
                                         "PyInstaller.exceptions.ImportErrorWhenRunningHook: hook failed")
    problem = classify(RunnerBuildError(text))
    assert problem.code == "N0604"
    assert problem.message == ("PyInstaller failed to freeze the runner: "
                               "PyInstaller.exceptions.ImportErrorWhenRunningHook: hook failed")
    assert "File " not in problem.render() and "Traceback" not in problem.render()


def test_environment_problems_in_project_builds(monkeypatch):
    """A build task failing on the environment fails with the same one line."""
    from nyash_build.project import stages

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "/build/app")
    monkeypatch.setattr(stages, "run_cached", no_space)
    monkeypatch.setattr(stages, "bundle_action_key", lambda *a: "k")
    monkeypatch.setattr(stages, "remove_stale_temps", lambda *a: [])
    failed = stages.bundle_action("a.wasm", "a.meta", {}, "/build/app")
    assert failed.message == f"cannot write /build/app: No space left on device; {FREE_SPACE} [N0603]"


def test_a_genuine_bug_is_still_reported_as_one(monkeypatch, capsys, src):
    code, err = compile_native_failing(monkeypatch, capsys, src, KeyError("slot"))
    assert code == 70
    assert err.startswith("nyash: internal compiler error: KeyError: 'slot' [N0900]\n")
    assert "please report it" in err and "Traceback" not in err


def test_the_debug_switch_shows_the_traceback_of_a_bug(monkeypatch, src):
    monkeypatch.setenv("NYASH_DEBUG_COMPILER", "1")
    monkeypatch.setattr(pipeline, "native_from_result", lambda *a, **k: {}["boom"])
    with pytest.raises(KeyError):
        cli.main(["--compile-native", str(src), "-o", str(src.parent / "app")])


@pytest.fixture
def without_c_parts(monkeypatch):
    """The runtime library as an installation without the C parts loads it."""
    from nyash_build.compiler import runtime_lib as rl
    from nyash_build.runtime import c_parts

    def missing():
        raise c_parts.CPartsError("c-parts is not part of this installation and cannot be built here "
                                  "(it needs the 'ziglang' package)")
    monkeypatch.setattr(c_parts, "load_c_parts", missing)
    rl.runtime_lib.cache_clear()
    yield
    rl.runtime_lib.cache_clear()


def test_missing_c_runtime_parts(without_c_parts, capsys, tmp_path):
    """A program that needs a C runtime part the installation lacks gets the
    environment's one line, not a compile error or a compiler bug."""
    src = tmp_path / "clock.nyash"
    src.write_text("local t = new TimeBox()\nprint(t.now())\n")
    capsys.readouterr()
    code = cli.main(["--compile-wasm", str(src), "-o", str(tmp_path / "clock.wasm")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1, err
    assert err.startswith(f"nyash: error: {src} needs TimeBox.now, a runtime part written in C, which is "
                          "unavailable: c-parts is not part of this installation")
    assert err.endswith("; reinstall nyash-build, or `pip install ziglang` so the C parts can be built "
                        "here [N0604]\n")
    assert not (tmp_path / "clock.wasm").exists()
    src.write_text("print(1 + 2)\n")  # a program that needs no C part still compiles
    assert cli.main(["--compile-wasm", str(src), "-o", str(tmp_path / "clock.wasm")]) == 0


def test_a_bug_in_a_project_build_task_is_one_line_not_a_traceback(monkeypatch):
    """A genuine bug in a build stage fails its task with the CLI's bug line (N0900),
    never doit's traceback; NYASH_DEBUG_COMPILER=1 lets the exception through."""
    from nyash_build.project import stages

    def bug(*args, **kwargs):
        raise KeyError("slot")
    monkeypatch.setattr(stages, "run_cached", bug)
    monkeypatch.setattr(stages, "bundle_action_key", lambda *a: "k")
    monkeypatch.setattr(stages, "remove_stale_temps", lambda *a: [])
    monkeypatch.delenv("NYASH_DEBUG_COMPILER", raising=False)
    failed = stages.bundle_action("a.wasm", "a.meta", {}, "/build/app")
    assert failed.message == ("internal compiler error: KeyError: 'slot'; this is a bug in nyash-build: set "
                              "NYASH_DEBUG_COMPILER=1 for the traceback and please report it [N0900]")
    monkeypatch.setenv("NYASH_DEBUG_COMPILER", "1")
    with pytest.raises(KeyError):
        stages.bundle_action("a.wasm", "a.meta", {}, "/build/app")
