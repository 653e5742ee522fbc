"""nyash build / init / cache prune entry points (fake stages; the real pipeline is in test_e2e)."""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest

from nyash_build.project.commands import cmd_build, cmd_cache_prune, cmd_init
from nyash_build.project.config import load_project
from nyash_build.project.tasks import NyashReporter


def test_init_scaffolds_a_valid_project(tmp_path: Path) -> None:
    dest = tmp_path / "demo"
    assert cmd_init("demo", dest) == 0
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == [
        ".gitignore", "dodo.py", "nyash.toml", "src/main.nyash"]
    cfg = load_project(dest)
    assert list(cfg.apps) == ["demo"] and cfg.apps["demo"].main == (dest / "src/main.nyash").resolve()
    assert "globals().update(nyash_tasks())" in (dest / "dodo.py").read_text()
    assert "/build/" in (dest / ".gitignore").read_text()
    assert load_project(dest, "debug").apps["demo"].settings.debug is True


def test_init_refuses_non_empty_dir_and_bad_names(tmp_path: Path, capsys) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    assert cmd_init("x", tmp_path / "x") == 2
    assert "already exists" in capsys.readouterr().err
    assert cmd_init("1bad name", tmp_path / "y") == 2
    assert not (tmp_path / "y").exists()


@pytest.mark.usefixtures("fake_stages")
def test_cmd_build_runs_same_tasks_as_doit(tmp_path: Path, capfd) -> None:
    dest = tmp_path / "demo"
    cmd_init("demo", dest)
    capfd.readouterr()
    assert cmd_build(None, "release", False, dest) == 0
    assert sorted(NyashReporter.last["ran"]) == [
        "build:demo", "cwasm:demo.baseline", "cwasm:demo.x86-64-v3", "wasm:demo"]
    assert (dest / "build/demo/demo").is_file() and (dest / "build/.doit-db.json").is_file()
    out = capfd.readouterr().out
    assert "build/demo/demo.wasm" in out and out.strip().endswith("up to date)")
    assert cmd_build("demo", "release", True, dest) == 0
    assert NyashReporter.last["ran"] == []
    assert "nothing to do" in capfd.readouterr().out
    # --profile debug, --explain
    assert cmd_build("demo", "debug", True, dest) == 0
    out = capfd.readouterr().out
    assert "why build/demo/demo.wasm: debug changed: False -> True" in out


@pytest.mark.usefixtures("fake_stages")
def test_cmd_build_errors(tmp_path: Path, capfd) -> None:
    dest = tmp_path / "demo"
    cmd_init("demo", dest)
    assert cmd_build("nope", "release", False, dest) == 2
    assert "unknown app 'nope'" in capfd.readouterr().err
    assert cmd_build(None, "fast", False, dest) == 2
    assert "unknown profile 'fast'" in capfd.readouterr().err
    assert cmd_build(None, "release", False, tmp_path) == 2
    assert "no nyash.toml" in capfd.readouterr().err
    (dest / "src/main.nyash").write_text("SYNTAX ERROR\n")
    assert cmd_build(None, "release", False, dest) == 1
    err = capfd.readouterr().out
    assert "src/main.nyash:1:1: error: unexpected token 'SYNTAX' [N0110]" in err and "Traceback" not in err


def test_cache_prune(tmp_path: Path, capsys) -> None:
    old, new, busy = (tmp_path / name for name in ("oldkey", "newkey", "busykey"))
    for entry in (old, new, busy):
        entry.mkdir()
        (entry / "manifest.json").write_text("{}")
    (tmp_path / ".tmp-building").mkdir()
    long_ago = time.time() - 40 * 86400
    for entry in (old, busy):
        for path in (entry / "manifest.json", entry):
            os.utime(path, (long_ago, long_ago))
    with open(tmp_path / "busykey.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert cmd_cache_prune(days=30, cache_dir=tmp_path) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".tmp-building", "busykey", "busykey.lock", "newkey", "oldkey.lock"]
    assert "removed 1 runner cache entry" in capsys.readouterr().out
    assert cmd_cache_prune(all_entries=True, cache_dir=tmp_path) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".tmp-building", "busykey.lock", "newkey.lock", "oldkey.lock"]
