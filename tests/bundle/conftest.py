"""Session fixtures: the runner is frozen once (cached across sessions by its key)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nyash_build.aot.compile import precompile
from nyash_build.aot.variants import VARIANTS
from nyash_build.bundle.exe import build_executable
from nyash_build.bundle.runner_cache import ensure_runner
from tests.aot import programs as P


@pytest.fixture(scope="session")
def runner_dir() -> Path:
    return ensure_runner()


@pytest.fixture(scope="session")
def unpack_cache(tmp_path_factory) -> Path:
    """Where the launcher unpacks the runner during this session."""
    return tmp_path_factory.mktemp("runner-unpack")


@pytest.fixture(scope="session")
def make_exe(runner_dir, tmp_path_factory):
    """make_exe(program_name, **meta_overrides) -> path of a built executable."""
    out_dir = tmp_path_factory.mktemp("exes")
    counter = iter(range(10_000))

    def make(name: str, cwasm_override: dict | None = None, lines=None, debug=False,
             **meta_extra) -> Path:
        wat = getattr(P, name)
        wasm = P.wasm(wat)
        cwasm = {v: precompile(wasm, v, debug=debug) for v in VARIANTS}
        meta_extra["debug"] = debug
        cwasm.update(cwasm_override or {})
        meta = {**P.meta_for(wat, wasm, lines), **meta_extra}
        out = out_dir / f"{name.lower()}-{next(counter)}"
        build_executable(out, wasm=wasm, cwasm=cwasm, meta=meta, runner_dir=runner_dir)
        return out

    return make


@pytest.fixture
def run_exe(unpack_cache):
    """run_exe(path, *args, env=None) -> CompletedProcess (text), bare environment."""

    def run(path: Path, *args: str, env: dict | None = None, timeout: float = 120):
        base = {"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(unpack_cache)}
        return subprocess.run([str(path), *args], env={**base, **(env or {})},
                              capture_output=True, text=True, timeout=timeout)

    return run
