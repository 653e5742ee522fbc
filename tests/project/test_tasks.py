"""doit task library with fake stages: exact up-to-date rules, selection, clean, -n 2, CI restore."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nyash_build.project import stages

pytestmark = pytest.mark.usefixtures("fake_stages")

FIB = ["wasm:fib", "cwasm:fib.baseline", "cwasm:fib.x86-64-v3", "build:fib"]
FIZZ = ["wasm:fizzbuzz", "cwasm:fizzbuzz.baseline", "cwasm:fizzbuzz.x86-64-v3", "build:fizzbuzz"]
ALL = FIB + FIZZ


def ran(result: tuple[int, dict]) -> list[str]:
    status, info = result
    assert status == 0, info
    return sorted(info["ran"])


def test_build_all_then_noop(multi: Path, doit_run) -> None:
    assert ran(doit_run(multi, "build")) == sorted(ALL)
    assert (multi / "build/fib/fibonacci").is_file()
    assert (multi / "build/fib/fibonacci.meta.json").is_file()
    assert (multi / "build/fizzbuzz/fizzbuzz.x86-64-v3.cwasm").is_file()
    status, info = doit_run(multi, "build")
    assert status == 0 and info["ran"] == [] and sorted(info["uptodate"]) == sorted(ALL)


def test_build_one_app_by_positional_name(multi: Path, doit_run) -> None:
    assert ran(doit_run(multi, "build", "fib")) == sorted(FIB)
    assert not (multi / "build/fizzbuzz").exists()
    assert ran(doit_run(multi, "build", "fizzbuzz", "fib")) == sorted(FIZZ)
    assert ran(doit_run(multi, "build:fib")) == []


def test_unknown_app_is_an_error(multi: Path, doit_run, capfd) -> None:
    status, _ = doit_run(multi, "build", "nope")
    assert status == 3
    assert "unknown app 'nope' (apps: fizzbuzz, fib)" in capfd.readouterr().err


def test_touch_does_not_rebuild_but_edit_rebuilds_chain(multi: Path, doit_run) -> None:
    doit_run(multi, "build")
    src = multi / "src/fib.nyash"
    os.utime(src, (1, 1))  # new mtime, same content
    assert ran(doit_run(multi, "build")) == []
    src.write_text(src.read_text() + "// edited\n")
    assert ran(doit_run(multi, "build")) == sorted(FIB)
    assert ran(doit_run(multi, "build")) == []


def test_opt_level_change_rebuilds_cwasm_not_wasm(multi: Path, doit_run) -> None:
    doit_run(multi, "build")
    toml = multi / "nyash.toml"
    toml.write_text(toml.read_text().replace('opt-level = "speed_and_size"', 'opt-level = "none"'))
    assert ran(doit_run(multi, "build")) == sorted(FIB[1:])  # both cwasm + exe of fib only


def test_debug_profile_rebuilds_everything_then_noop(multi: Path, doit_run) -> None:
    doit_run(multi, "build")
    assert ran(doit_run(multi, "build", profile="debug")) == sorted(ALL)
    assert ran(doit_run(multi, "build", profile="debug")) == []
    # the portable profile drops a variant: only the bundling step changes
    assert ran(doit_run(multi, "build", "fizzbuzz", profile="portable")) == sorted(
        ["wasm:fizzbuzz", "cwasm:fizzbuzz.baseline", "build:fizzbuzz"])


def test_tool_identities_reach_only_their_stage(multi: Path, doit_run, monkeypatch) -> None:
    doit_run(multi, "build")
    monkeypatch.setattr(stages, "runner_identity", lambda: "runner-2")
    assert ran(doit_run(multi, "build")) == ["build:fib", "build:fizzbuzz"]
    # a new wasmtime reruns the AOT stage; the fake's output bytes do not change, so the
    # content check stops the chain there (a real new wasmtime also rebuilds the exe)
    monkeypatch.setattr(stages, "aot_identity", lambda: "wasmtime-51+aot-1")
    assert ran(doit_run(multi, "build", "fib")) == sorted(FIB[1:3])
    monkeypatch.setattr(stages, "compiler_identity", lambda: "compiler-2")
    assert ran(doit_run(multi, "build", "fib")) == ["wasm:fib"]


def test_damaged_output_is_rebuilt_by_its_own_task(multi: Path, doit_run) -> None:
    """A target whose content differs from what its task wrote is rebuilt by that task.
    The next stages then see the very input they were built from, so they stay up to
    date (before, the damaged .wasm was kept and fed to the next stages)."""
    doit_run(multi, "build")
    out = multi / "build/fib"
    good = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "fibonacci.wasm").write_bytes(b"tampered")
    assert ran(doit_run(multi, "build")) == ["wasm:fib"]
    cwasm = out / "fibonacci.x86-64-v3.cwasm"  # same size, new content: md5 decides
    cwasm.write_bytes(bytes(len(good[cwasm.name])))
    assert ran(doit_run(multi, "build")) == ["cwasm:fib.x86-64-v3"]
    (out / "fibonacci").write_bytes(b"#!/bin/sh\necho pwned\n")
    assert ran(doit_run(multi, "build")) == ["build:fib"]
    (out / "fibonacci").unlink()
    assert ran(doit_run(multi, "build")) == ["build:fib"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == good
    assert ran(doit_run(multi, "build")) == []


def test_touched_output_is_not_rebuilt(multi: Path, doit_run) -> None:
    """A new mtime with the same content (a restored cache, `touch`) is not damage."""
    doit_run(multi, "build")
    for path in (multi / "build/fib").iterdir():
        os.utime(path, (1, 1))
    assert ran(doit_run(multi, "build")) == []
    # the md5 confirmed each target once; the new mtime is recorded, so the next no-op
    # build takes the size+mtime fast path instead of hashing again
    state = json.loads((multi / "build/.doit-db.json").read_text())
    exe = state["build:fib"]["_values_:"]["nyash-targets"]["build/fib/fibonacci"]
    assert exe[:2] == [(multi / "build/fib/fibonacci").stat().st_size, 1_000_000_000]


def test_changed_input_reruns_the_next_stage(multi: Path, doit_run, monkeypatch) -> None:
    """Downstream stages key on the content of their inputs, not on upstream task runs:
    a compiler that writes different bytes reruns the whole chain."""
    doit_run(multi, "build")
    driver = sys.modules["nyash_build.compiler.driver"]
    real = driver.compile_file

    def compile_v2(path: Path, *, debug: bool = False, settings=None):
        result = real(path, debug=debug, settings=settings)
        result.wasm += b"v2"
        return result

    monkeypatch.setattr(driver, "compile_file", compile_v2)
    monkeypatch.setattr(stages, "compiler_identity", lambda: "compiler-2")
    assert ran(doit_run(multi, "build", "fib")) == sorted(FIB)


def test_explain_names_the_damaged_output(multi: Path, doit_run, capfd) -> None:
    doit_run(multi, "build", "fib")
    capfd.readouterr()
    (multi / "build/fib/fibonacci.baseline.cwasm").write_bytes(b"x")
    doit_run(multi, "build", "fib", explain=True)
    out = capfd.readouterr().out
    assert ("why build/fib/fibonacci.baseline.cwasm: output changed since it was built: "
            "build/fib/fibonacci.baseline.cwasm") in out


def _temp(directory: Path, name: str, age_s: float) -> Path:
    path = directory / name
    path.write_bytes(b"half written")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_stale_temp_files_of_own_targets_are_removed(multi: Path, doit_run) -> None:
    """A killed write_atomic leaves `.NAME.XXXXXXXX.tmp` beside the target: the next build
    removes those older than a minute, for its own targets only."""
    out = multi / "build/fib"
    out.mkdir(parents=True)
    stale = [_temp(out, ".fibonacci.wasm.ab_c1234.tmp", 120),
             _temp(out, ".fibonacci.x86-64-v3.cwasm.zzzzzzzz.tmp", 120),
             _temp(out, ".fibonacci.k3j9x0aa.tmp", 3600)]
    kept = [_temp(out, ".fibonacci.wasm.young123.tmp", 5),           # maybe being written
            _temp(out, ".fibonacci.wasm.toolong12.tmp", 120),        # not a temp name
            _temp(out, ".notes.txt.abcdefgh.tmp", 120),              # not a target
            _temp(out, "fibonacci.wasm.abcdefgh.tmp", 120)]          # no leading dot
    assert ran(doit_run(multi, "build", "fib")) == sorted(FIB)
    assert not [p for p in stale if p.exists()]
    assert all(p.exists() for p in kept)
    # an up-to-date build cleans too: a kill followed by a good build leaves young ones
    late = _temp(out, ".fibonacci.meta.json.abcdefgh.tmp", 120)
    assert ran(doit_run(multi, "build", "fib")) == []
    assert not late.exists() and all(p.exists() for p in kept)


def test_ci_restore_rebuilds_nothing(multi: Path, tmp_path: Path, doit_run) -> None:
    doit_run(multi, "build")
    clone = tmp_path / "elsewhere" / "clone"
    shutil.copytree(multi, clone)  # a fresh clone at another path, cache restored
    for path in clone.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # every mtime differs
    status, info = doit_run(clone, "build")
    assert status == 0 and info["ran"] == [] and len(info["uptodate"]) == len(ALL)


def test_clean_removes_targets(multi: Path, doit_run) -> None:
    doit_run(multi, "build")
    status, _ = doit_run(multi, "clean")
    assert status in (0, None)  # doit's clean command returns None on success
    assert sorted(p.name for p in (multi / "build").iterdir()) == [
        ".doit-db.json", ".doit-db.json.lock", ".nyash-includes.json"]  # state, lock, scan cache stay
    assert ran(doit_run(multi, "build")) == sorted(ALL)


def test_parallel_build(multi: Path, doit_run) -> None:
    assert ran(doit_run(multi, "-n", "2", "build")) == sorted(ALL)
    assert ran(doit_run(multi, "-n", "2", "-P", "thread", "build")) == []


def test_compile_error_is_reported_without_traceback(multi: Path, doit_run, capfd) -> None:
    src = multi / "src/fib.nyash"
    src.write_text("static box Main {\n  SYNTAX ERROR\n}\n")
    status, info = doit_run(multi, "build", "fib")
    out = capfd.readouterr().out
    assert status == 1 and info["failed"] == ["wasm:fib"]
    assert ("error: wasm:fib: compile errors:\nsrc/fib.nyash:2:1: error: unexpected token 'SYNTAX' [N0110]\n"
            "  |\n2 |   SYNTAX ERROR\n  | ^^^^^^\n") in out
    assert "Traceback" not in out
    assert not (multi / "build/fib/fibonacci.wasm").exists()


def test_output_lines_and_explain(multi: Path, doit_run, capfd) -> None:
    doit_run(multi, "build", "fib")
    out = capfd.readouterr().out.splitlines()
    assert out[0].split()[:2] == ["wasm", "build/fib/fibonacci.wasm"] and out[0].endswith("s")
    assert out[-1].startswith("built 4 of 4 tasks")
    toml = multi / "nyash.toml"
    toml.write_text(toml.read_text().replace('opt-level = "speed_and_size"', 'opt-level = "speed"'))
    doit_run(multi, "build", "fib", explain=True)
    out = capfd.readouterr().out
    assert "why build/fib/fibonacci.baseline.cwasm: opt-level changed: 'speed_and_size' -> 'speed'" in out
    assert "why build/fib/fibonacci: input changed: build/fib/fibonacci.baseline.cwasm" in out
    assert "ok  build/fib/fibonacci.wasm (up to date)" in out


def test_no_temp_files_left(multi: Path, doit_run) -> None:
    doit_run(multi, "build")
    assert not [p for p in (multi / "build").rglob("*.tmp")]


def test_list_and_real_doit_command_line(multi: Path) -> None:
    """The dodo.py from examples/multi with the real `doit` entry point (fakes not
    reachable in a subprocess, so only commands that run no stage)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-m", "doit", "list"], cwd=multi, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert "build   Build apps into executables" in out
    assert "wasm    Compile each app's Nyash source" in out
    bad = subprocess.run([sys.executable, "-m", "doit", "build", "nope"], cwd=multi, env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 3 and "unknown app 'nope'" in bad.stderr
    broken = multi / "nyash.toml"
    broken.write_text(broken.read_text() + "\n[apps.fib2]\nmian = 'x'\n")
    bad = subprocess.run([sys.executable, "-m", "doit", "list"], cwd=multi, env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.splitlines() == [
        "nyash.toml:30: error: missing key 'apps.fib2.main' (the app's main source) [N0606]",
        "   |", "30 | [apps.fib2]", "   | ^^^^^^^^^^^", "",
        "nyash.toml:31: error: unknown key 'apps.fib2.mian' (allowed: debug, fs, main, opt-level, out-dir,"
        " output, variants) [N0606]",
        "   |", "31 | mian = 'x'", "   | ^^^^^^^^^^"]
    assert "Traceback" not in bad.stderr
