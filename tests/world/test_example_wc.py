"""examples/wc, a real small tool: built by `doit build` from its nyash.toml, run on
files named on the command line (spaces and non-ASCII in names) and on standard input,
with the same results through `nyash run`."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO, nyash

TEXT_A = "one two  three\nfour\tfive\n\nlast line no newline"
TEXT_B = "héllo wörld\n"


def test_wc_example_builds_with_doit_and_counts(tmp_path: Path) -> None:
    project = tmp_path / "wc"
    shutil.copytree(REPO / "examples" / "wc", project, ignore=shutil.ignore_patterns("build", "__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "doit", "build"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    exe = project / "build" / "wc" / "wc"
    work = tmp_path / "files"
    work.mkdir()
    (work / "a file.txt").write_text(TEXT_A, encoding="utf-8")
    (work / "ü.txt").write_text(TEXT_B, encoding="utf-8")
    run_env = {"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(tmp_path / "runners")}

    def both(*args: str, stdin: str = "") -> list[tuple[str, int]]:
        out = []
        for cmd, e in (([str(exe), *args], run_env), (None, None)):
            if cmd is None:
                r = nyash("run", str(project / "wc.nyash"), *args, cwd=work, input=stdin)
            else:
                r = subprocess.run(cmd, cwd=work, env=e, input=stdin, capture_output=True, text=True, timeout=120)
            out.append((r.stdout, r.returncode))
        assert out[0] == out[1]
        return out[0]

    assert both("a file.txt", "ü.txt") == (
        "       3       9      46 a file.txt\n"
        "       1       2      14 ü.txt\n"
        "       4      11      60 total\n", 0)
    assert both(stdin="x y\nz\n") == ("       2       3       6\n", 0)
    assert both("-l", "-w", stdin="a\r\nb  c\n") == ("       2       3\n", 0)
    assert both("-c", "nope.txt", "ü.txt") == (
        "wc: cannot read 'nope.txt': No such file or directory\n"
        "      14 ü.txt\n"
        "      14 total\n", 1)
