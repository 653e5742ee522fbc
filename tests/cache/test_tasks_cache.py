"""The cache inside doit builds (fake stages, local cache): outcomes reach the reporter,
--explain shows outcome and key, and parallel (process) workers report them too."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.project.conftest import REPO, run_doit

pytestmark = pytest.mark.usefixtures("fake_stages")
TASKS = {"wasm:fib", "cwasm:fib.baseline", "cwasm:fib.x86-64-v3", "build:fib"}


@pytest.fixture
def multi(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NYASH_REMOTE_CACHE", raising=False)
    dest = tmp_path / "multi"
    shutil.copytree(REPO / "examples" / "multi", dest,
                    ignore=shutil.ignore_patterns("build", "__pycache__"))
    return dest


from tests.project.conftest import fake_stages  # noqa: E402,F401 - the fixture


def test_rebuild_from_empty_build_dir_is_all_local_hits(multi, capfd) -> None:
    status, first = run_doit(multi, "build", "fib")
    assert status == 0 and set(first["cache"]) == TASKS
    assert set(first["cache"].values()) == {"built"}
    exe = (multi / "build/fib/fibonacci").read_bytes()
    shutil.rmtree(multi / "build")
    capfd.readouterr()
    status, again = run_doit(multi, "build", "fib", explain=True)
    out = capfd.readouterr().out
    assert status == 0 and again["cache"] == {t: "local hit" for t in TASKS}
    assert again["keys"] == first["keys"]
    assert "build/fib/fibonacci.wasm (local hit)" in out
    for key in again["keys"].values():
        assert f"cache: local hit, key {key}" in out
    assert "(4 from the local cache, 0 up to date)" in out
    assert (multi / "build/fib/fibonacci").read_bytes() == exe


def test_parallel_workers_report_cache_outcomes(multi) -> None:
    run_doit(multi, "build")
    shutil.rmtree(multi / "build")
    status, info = run_doit(multi, "-n", "2", "-P", "process", "build")
    assert status == 0 and info["cache"] and set(info["cache"].values()) == {"local hit"}


def test_bad_remote_url_from_environment(multi, monkeypatch) -> None:
    from nyash_build.project.config import ConfigError
    from nyash_build.project.tasks import task_namespace
    monkeypatch.setenv("NYASH_REMOTE_CACHE", "localhost:8080")
    monkeypatch.chdir(multi)
    with pytest.raises(ConfigError, match="NYASH_REMOTE_CACHE"):
        task_namespace(["."])


INCLUDE_TOML = """\
[project]
name = "inc"

[build]
variants = ["baseline"]

[apps.app]
main = "src/app.nyash"
"""
APP_TASKS = {"wasm:app", "cwasm:app.baseline", "build:app"}


def _include_project(dest: Path, lib_text: str) -> Path:
    (dest / "src").mkdir(parents=True)
    (dest / "lib").mkdir()
    (dest / "nyash.toml").write_text(INCLUDE_TOML)
    (dest / "src/app.nyash").write_text('include "lib/util.nyash"\nprint(f())\n')
    (dest / "lib/util.nyash").write_text(lib_text)
    return dest


def test_remote_hit_for_an_app_whose_included_file_is_unchanged(tmp_path, nginx_factory,
                                                                 monkeypatch) -> None:
    """Machine A uploads; machine B (another path, empty local cache) gets every stage
    from the remote while the included file is the same, and compiles again once it
    differs: the wasm key covers the included file's content."""
    server = nginx_factory()
    monkeypatch.setenv("NYASH_REMOTE_CACHE", server.url())
    monkeypatch.delenv("NYASH_LOCAL_CACHE", raising=False)
    lib = "function f() {\n  return 1\n}\n"
    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path / "cache-a"))
    status, a = run_doit(_include_project(tmp_path / "a", lib), "build")
    assert status == 0 and set(a["cache"].values()) == {"built"}

    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path / "cache-b"))
    status, b = run_doit(_include_project(tmp_path / "elsewhere" / "b", lib), "build")
    assert status == 0 and b["cache"] == {t: "remote hit" for t in APP_TASKS}
    assert b["keys"] == a["keys"]

    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path / "cache-c"))
    status, c = run_doit(_include_project(tmp_path / "c", lib.replace("1", "2")), "build")
    assert status == 0 and c["cache"]["wasm:app"] == "built"
    assert c["keys"]["wasm:app"] != a["keys"]["wasm:app"]
