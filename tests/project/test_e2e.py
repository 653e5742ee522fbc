"""The real pipeline (compiler, wasmtime AOT, frozen runner) through the task library.

The runner is frozen once per runner key into the user cache (~15-35 s the very first
time, then reused by every build and test run).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nyash_build.project.commands import cmd_build, cmd_init
from nyash_build.project.tasks import NyashReporter

pytest.importorskip("nyash_build.compiler.driver")
pytest.importorskip("nyash_build.bundle.exe")

REPO = Path(__file__).resolve().parents[2]
PROGRAM = """\
function square(n) {
    return n * n
}

static box Main {
    main() {
        local i = 1
        loop(i <= 3) {
            print("square(" + i + ") = " + square(i))
            i = i + 1
        }
    }
}
"""


def run_exe(exe: Path) -> str:
    """Run a built executable alone in an empty directory with a bare environment."""
    lone = exe.parent.parent.parent / "lone"
    lone.mkdir(exist_ok=True)
    shutil.copy2(exe, lone / exe.name)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(lone)}
    done = subprocess.run([str(lone / exe.name)], cwd=lone, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_init_build_run_noop_and_opt_level(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    assert cmd_init("demo", project) == 0
    (project / "src/main.nyash").write_text(PROGRAM)
    assert cmd_build(None, "release", False, project) == 0
    assert sorted(NyashReporter.last["ran"]) == [
        "build:demo", "cwasm:demo.baseline", "cwasm:demo.x86-64-v3", "wasm:demo"]
    exe = project / "build/demo/demo"
    assert run_exe(exe) == "square(1) = 1\nsquare(2) = 4\nsquare(3) = 9\n"

    assert cmd_build("demo", "release", False, project) == 0
    assert NyashReporter.last["ran"] == []

    toml = project / "nyash.toml"
    toml.write_text(toml.read_text().replace('opt-level = "speed"', 'opt-level = "none"', 1))
    assert cmd_build("demo", "release", True, project) == 0
    assert "wasm:demo" not in NyashReporter.last["ran"]
    assert {"cwasm:demo.baseline", "cwasm:demo.x86-64-v3"} <= set(NyashReporter.last["ran"])
    assert run_exe(exe).startswith("square(1) = 1\n")


def test_doit_command_line_and_ci_restore(tmp_path: Path) -> None:
    """`doit build hello` through examples/hello/dodo.py, then a restored cache on a
    'fresh clone' elsewhere (new mtimes everywhere) runs no task at all."""
    project = tmp_path / "hello"
    shutil.copytree(REPO / "examples/hello", project,
                    ignore=shutil.ignore_patterns("build", "__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    doit = [sys.executable, "-m", "doit"]
    first = subprocess.run(doit + ["build", "hello"], cwd=project, env=env, capture_output=True,
                           text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    assert [line.split()[0] for line in first.stdout.splitlines()[:-1]].count("cwasm") == 2
    assert run_exe(project / "build/hello/hello").startswith("Hello from Nyash!\n")

    clone = tmp_path / "ci" / "checkout"
    shutil.copytree(project, clone)
    for path in clone.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    again = subprocess.run(doit + ["build"], cwd=clone, env=env, capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.startswith("nothing to do: 4 tasks up to date"), again.stdout


def test_concurrent_builds(tmp_path: Path) -> None:
    """Two projects and the same project twice, built at the same time: every build
    succeeds, the shared runner cache is reused, and the project's state stays whole."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    projects = []
    for name in ("one", "two"):
        assert cmd_init(name, tmp_path / name) == 0
        projects.append(tmp_path / name)
    jobs = [subprocess.Popen([sys.executable, "-m", "doit", "build"], cwd=p, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for p in projects + [projects[0]]]
    results = [job.communicate(timeout=600) + (job.returncode,) for job in jobs]
    assert all(code == 0 for _, _, code in results), results
    outs = sorted(out.splitlines()[-1] for out, _, _ in results[::2])  # project one, twice
    assert outs[0].startswith("built 4 of 4") and outs[1].startswith("nothing to do"), results
    assert "waiting for another build" in results[0][1] + results[2][1]
    for p in projects:
        assert run_exe(p / "build" / p.name / p.name) == f"Hello from {p.name}!\n"
        again = subprocess.run([sys.executable, "-m", "doit", "build"], cwd=p, env=env,
                               capture_output=True, text=True, timeout=600)
        assert again.stdout.startswith("nothing to do"), again.stdout


INVENTORY_OUT = """\
===========================
bolts         120     18.00
nuts          300     15.00
hinges          8     19.92
---------------------------
total                 52.92
hinges left: 5
refused: ErrorBox(only 5 hinges left)
"""
REPORT_OUT = "region    orders\n----------------\nnorth         17\nsouth         34\neast          51\n"


def test_shared_lib_example_builds_and_follows_includes(tmp_path: Path) -> None:
    """examples/shared-lib: two apps including files of one lib/. `doit build` builds
    both; an edit of a lib file rebuilds exactly the apps that include it, and
    `explain=1` names the file."""
    project = tmp_path / "shared-lib"
    shutil.copytree(REPO / "examples/shared-lib", project,
                    ignore=shutil.ignore_patterns("build", "__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    doit = [sys.executable, "-m", "doit"]

    def build(*args: str) -> str:
        done = subprocess.run(doit + ["build", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    first = build()
    assert first.splitlines()[-1].startswith("built 8 of 8 tasks")
    assert run_exe(project / "build/inventory/inventory") == INVENTORY_OUT
    assert run_exe(project / "build/report/report") == REPORT_OUT

    stock = project / "lib/stock.nyash"
    stock.write_text(stock.read_text().replace("padRight(me.name, 12)", "padRight(me.name, 13)"))
    again = build("explain=1")
    ran = [line.split()[1] for line in again.splitlines() if line.split()[0] in ("wasm", "cwasm", "exe")]
    assert sorted(ran) == ["build/inventory/inventory", "build/inventory/inventory.baseline.cwasm",
                           "build/inventory/inventory.wasm", "build/inventory/inventory.x86-64-v3.cwasm"]
    assert "why build/inventory/inventory.wasm: input changed: lib/stock.nyash" in again
    assert run_exe(project / "build/inventory/inventory").splitlines()[1] == "bolts          120     18.00"
    assert build().startswith("nothing to do: 8 tasks up to date")
