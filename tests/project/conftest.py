"""Fixtures for build-system tests: a project on disk and an in-process doit runner."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from nyash_build.project import stages
from nyash_build.project.tasks import EXPLAIN, NyashReporter, release_build_locks, task_namespace

from . import fakes

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_user_stage_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build tests must not read or fill the developer's stage cache (the runner cache
    stays shared: freezing it is the slow part and it is keyed exactly)."""
    monkeypatch.setenv("NYASH_LOCAL_CACHE", "0")
    monkeypatch.delenv("NYASH_REMOTE_CACHE", raising=False)


@pytest.fixture
def fake_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace compiler, AOT and bundler by instant fakes; pin tool identities."""
    fakes.install(monkeypatch)
    monkeypatch.setattr(stages, "compiler_identity", lambda: "compiler-1")
    monkeypatch.setattr(stages, "aot_identity", lambda: "wasmtime-50+aot-1")
    monkeypatch.setattr(stages, "bundle_identity", lambda: "bundle-1")
    monkeypatch.setattr(stages, "runner_identity", lambda: "runner-1")


@pytest.fixture
def multi(tmp_path: Path) -> Path:
    """A copy of examples/multi (two apps, a per-app override, custom profiles)."""
    dest = tmp_path / "multi"
    shutil.copytree(REPO / "examples" / "multi", dest,
                    ignore=shutil.ignore_patterns("build", "__pycache__"))
    return dest


def run_doit(project: Path, *argv: str, profile: str | None = None,
             explain: bool = False) -> tuple[int, dict]:
    """Run `doit ARGV` on `project` in this process; returns (status, what ran)."""
    from doit.cmd_base import ModuleTaskLoader
    from doit.doit_cmd import DoitMain

    import os
    old = os.getcwd()
    os.chdir(project)
    try:
        EXPLAIN.clear()
        NyashReporter.last = None
        namespace = task_namespace(["."], profile=profile, explain=explain)
        status = DoitMain(ModuleTaskLoader(namespace)).run(list(argv))
    finally:
        release_build_locks()
        os.chdir(old)
    return status, NyashReporter.last or {"ran": [], "uptodate": [], "failed": []}


@pytest.fixture
def doit_run() -> Callable[..., tuple[int, dict]]:
    return run_doit
