"""Shared helpers for the end-to-end tests: run the nyash CLI as a user would."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
SHARED = REPO.parent / "shared"


def nyash(*args: str, cwd: Path | None = None, timeout: float = 120, env: dict | None = None,
          input: str | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m nyash_build ARGS`` and capture text output."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "nyash_build", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=full_env, input=input)


def corpus_cases(*dirs: str) -> list[Path]:
    out: list[Path] = []
    for d in dirs:
        out += sorted((CORPUS / d).glob("*.nyash"))
    return out


def assert_program_prints(tmp_path: Path, name: str, src: str, expected: str) -> None:
    """Write src to NAME.nyash, run it with ``nyash run``: exact stdout, exit 0."""
    f = tmp_path / f"{name}.nyash"
    f.write_text(src, encoding="utf-8")
    r = nyash("run", str(f))
    assert r.stdout == expected, r.stderr
    assert r.returncode == 0, r.stderr


def main_wat(tmp_path: Path, name: str, src: str) -> str:
    """Write src to NAME.nyash and return the WAT of its Main.main (``--emit-wat``):
    for tests of what a fast path generates."""
    f = tmp_path / f"{name}.nyash"
    f.write_text(src, encoding="utf-8")
    r = nyash("--emit-wat", str(f))
    assert r.returncode == 0, r.stderr
    return r.stdout.split("(func $Main.main", 1)[1].split("(func ", 1)[0]
