"""The per-app `fs` key of nyash.toml reaches the executable `nyash build` makes
(issue 14): the program sees only the listed directories (relative ones from the
directory it runs in), `--nyash-info` shows the policy, and changing the key rebuilds
the executable without recompiling the program."""
from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers import nyash

PROGRAM = """\
static box Main {
    main(args) {
        local i = 0
        loop(i < args.length()) {
            local p = args.get(i)
            try { print(p + ": " + new FileBox(p).read()) } catch (Error e) { print(p + ": " + e) }
            i = i + 1
        }
    }
}
"""


def project(root: Path, fs: str) -> Path:
    p = root / "proj"
    p.mkdir(exist_ok=True)
    (p / "app.nyash").write_text(PROGRAM)
    (p / "nyash.toml").write_text(
        '[project]\nname = "proj"\n\n[build]\nvariants = ["baseline"]\n\n'
        f'[apps.app]\nmain = "app.nyash"\n{fs}\n')
    return p


def run(exe: Path, cwd: Path, *args: str) -> str:
    r = subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(cwd.parent / "runners")})
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_fs_key_reaches_the_built_executable(tmp_path: Path) -> None:
    p = project(tmp_path, 'fs = ["data"]')
    assert nyash("build", "-C", str(p)).returncode == 0
    exe = p / "build" / "app" / "app"
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    (work / "data" / "in.txt").write_text("inside")
    (work / "other.txt").write_text("outside")
    assert run(exe, work, "data/in.txt", "other.txt", "data/../other.txt") == (
        "data/in.txt: inside\n"
        "other.txt: ErrorBox(access denied: other.txt)\n"
        "data/../other.txt: ErrorBox(access denied: data/../other.txt)\n")
    assert "fs: only data (relative entries: from the current directory at run time)\n" in run(
        exe, work, "--nyash-info")

    p = project(tmp_path, "fs = []")
    built = nyash("build", "-C", str(p), "--explain")
    assert built.returncode == 0, built.stderr
    assert "ok  build/app/app.wasm (up to date)" in built.stdout  # the program is not recompiled
    assert "why build/app/app: fs changed: ['data'] -> []" in built.stdout
    assert run(exe, work, "data/in.txt") == "data/in.txt: ErrorBox(access denied: data/in.txt)\n"

    p = project(tmp_path, "")
    assert nyash("build", "-C", str(p)).returncode == 0
    assert run(exe, work, "data/in.txt", "other.txt") == "data/in.txt: inside\nother.txt: outside\n"
    assert "fs: native" in run(exe, work, "--nyash-info")
