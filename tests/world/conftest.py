"""Run one program both ways a user can: ``nyash run`` and a built executable.

Executables are built once per session (baseline variant only: the variant choice is
tested elsewhere) and run in a bare environment with the runner cache in a temp dir.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from nyash_build.compiler.driver import compile_file
from nyash_build.pipeline import native_from_result

PROGRAMS = Path(__file__).parent / "programs"


@dataclass
class Ran:
    stdout: str
    stderr: str
    code: int
    how: str


class World:
    """world.run(name, *args, stdin=..., env=..., cwd=...) -> [Ran via nyash run, Ran via exe].

    Modes: "run" (`nyash run`), "exe" (the executable: the launcher's native fast
    path), "exe-runner" (the executable with NYASH_FASTPATH=0: its Python runner)."""

    def __init__(self, exe_dir: Path, unpack: Path) -> None:
        self.exe_dir = exe_dir
        self.unpack = unpack
        self.exes: dict[tuple, Path] = {}

    def exe(self, src: Path, fs: list[str] | None = None) -> Path:
        """The executable of src (built once); `fs` is its file-system policy."""
        key = (src, None if fs is None else tuple(fs))
        if key not in self.exes:
            out = self.exe_dir / f"{src.stem}-{len(self.exes)}"
            result = compile_file(src)
            result.meta["fs"] = fs
            native_from_result(result, out, variants=("baseline",))
            self.exes[key] = out
        return self.exes[key]

    def run(self, src: str | Path, *args: str, stdin: str | bytes | None = None, stdin_file: Path | None = None,
            env: dict | None = None, cwd: Path | None = None, modes=("run", "exe", "exe-runner"),
            fs: list[str] | None = None) -> list[Ran]:
        """`fs`: the file-system policy (nyash run --dir ... / the executable's meta)."""
        src = Path(src) if isinstance(src, Path) else PROGRAMS / f"{src}.nyash"
        out = []
        for mode in modes:
            if mode == "run":
                dirs = [a for d in (fs or []) for a in ("--dir", d)]
                cmd = [sys.executable, "-m", "nyash_build", "run", *dirs, str(src), *args]
                full = {**os.environ, **(env or {})}
            else:
                cmd = [str(self.exe(src, fs)), *args]
                full = {"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(self.unpack), **(env or {})}
                if mode == "exe-runner":
                    full["NYASH_FASTPATH"] = "0"
            full = {k: v for k, v in full.items() if v is not None}
            data = stdin.encode() if isinstance(stdin, str) else stdin
            fh = open(stdin_file, "rb") if stdin_file else None
            try:
                p = subprocess.run(cmd, input=data if fh is None else None, stdin=fh if fh else
                                   (None if data is not None else subprocess.DEVNULL),
                                   capture_output=True, env=full, cwd=cwd, timeout=120)
            finally:
                if fh:
                    fh.close()
            out.append(Ran(p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"),
                           p.returncode, mode))
        return out


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    return World(tmp_path_factory.mktemp("world-exes"), tmp_path_factory.mktemp("world-unpack"))


def same(results: list[Ran], stdout: str, code: int = 0, stderr: str | None = "") -> None:
    """Every way of running printed exactly stdout and exited with code; stderr is
    exact when a string, or just free of tracebacks when None."""
    for r in results:
        assert (r.how, r.stdout) == (r.how, stdout), r.stderr
        assert (r.how, r.code) == (r.how, code), r.stderr
        if stderr is not None:
            assert (r.how, r.stderr) == (r.how, stderr)
        assert "Traceback" not in r.stderr
