"""Time limit (`nyash run --timeout S`, NYASH_TIMEOUT=S): an endless program is stopped
with one clear line and exit 1, through `nyash run` and through a built executable.
docs/robustness.md ("Runtime limits") lists these cases."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.fuzz.harness import build_exe
from tests.helpers import nyash

ENDLESS = "local i = 0\nloop(1 == 1) {\n    i = i + 1\n}\n"
CHATTY = 'local i = 0\nloop(1 == 1) {\n    print("line " + i)\n    i = i + 1\n}\n'
SLACK_S = 2.5  # start-up, compilation, a loaded 2-core machine
BAD = "{} is not a time limit (a positive number of seconds, e.g. 10 or 0.5)\n"


def _src(tmp_path: Path, text: str, name: str = "app.nyash") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _timed_nyash(*args: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.monotonic()
    p = nyash(*args, env=env, timeout=60)
    return p, time.monotonic() - t0


@pytest.mark.parametrize("args, env, shown", [
    (["--timeout", "1"], {}, "1"),
    (["--timeout=0.5"], {}, "0.5"),
    ([], {"NYASH_TIMEOUT": "1"}, "1"),
    (["--timeout", "1"], {"NYASH_TIMEOUT": "bogus"}, "1"),  # the option wins, env unread
])
def test_nyash_run_stops_an_endless_loop(tmp_path, args, env, shown):
    p, took = _timed_nyash("run", *args, str(_src(tmp_path, ENDLESS)), env=env)
    assert (p.returncode, p.stdout) == (1, "")
    assert p.stderr == f"Runtime error: time limit of {shown} s exceeded\n"
    assert float(shown) <= took < float(shown) + SLACK_S


def test_output_written_before_the_limit_is_kept(tmp_path):
    """The runtime's stdout buffer is lost (the process ends while wasm code runs), but
    everything it flushed before is delivered, in order."""
    p, took = _timed_nyash("run", "--timeout", "1", str(_src(tmp_path, CHATTY)))
    assert p.returncode == 1 and p.stderr == "Runtime error: time limit of 1 s exceeded\n"
    lines = p.stdout.splitlines()
    assert len(lines) > 100 and lines[:3] == ["line 0", "line 1", "line 2"]
    assert lines[:-1] == [f"line {i}" for i in range(len(lines) - 1)]
    assert took < 1 + SLACK_S


def test_program_within_the_limit_is_unaffected(tmp_path):
    src = _src(tmp_path, 'print("done")\n')
    p = nyash("run", "--timeout", "30", str(src), env={"NYASH_TIMEOUT": "0.001"})
    assert (p.returncode, p.stdout, p.stderr) == (0, "done\n", "")


def test_options_after_the_file_belong_to_the_program(tmp_path):
    """`nyash run app.nyash --timeout 100`: the limit stays NYASH_TIMEOUT's 1 s."""
    p, took = _timed_nyash("run", str(_src(tmp_path, ENDLESS)), "--timeout", "100",
                           env={"NYASH_TIMEOUT": "1"})
    assert p.returncode == 1 and p.stderr == "Runtime error: time limit of 1 s exceeded\n"
    assert took < 1 + SLACK_S


@pytest.mark.parametrize("value", ["abc", "0", "-1", "inf", "nan", "1e3", "", "10m"])
def test_invalid_timeout_option(tmp_path, value):
    p = nyash("run", "--timeout", value, str(_src(tmp_path, ENDLESS)))
    assert (p.returncode, p.stdout) == (120, "")
    assert p.stderr == "nyash: " + BAD.format(f"--timeout {value!r}")


@pytest.mark.parametrize("value", ["abc", "0", "-5"])
def test_invalid_timeout_setting(tmp_path, value):
    p = nyash("run", str(_src(tmp_path, ENDLESS)), env={"NYASH_TIMEOUT": value})
    assert (p.returncode, p.stdout) == (120, "")
    assert p.stderr == "nyash: " + BAD.format(f"NYASH_TIMEOUT={value!r}")


def test_timeout_needs_a_value():
    p = nyash("run", "--timeout")
    assert (p.returncode, p.stderr) == (2, "nyash: run: --timeout needs a number of seconds\n")


@pytest.fixture(scope="module")
def endless_exe(tmp_path_factory) -> tuple[Path, Path]:
    """A built executable of ENDLESS and an empty runner cache to unpack into."""
    root = tmp_path_factory.mktemp("limits")
    return build_exe(ENDLESS, root / "endless", "endless.nyash"), root / "unpack"


def _run_exe(exe: Path, cache: Path, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.monotonic()
    p = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(cache), **env})
    return p, time.monotonic() - t0


def test_executable_stops_an_endless_loop(endless_exe):
    exe, cache = endless_exe
    _run_exe(exe, cache, NYASH_TIMEOUT="0.1")  # unpack the runner first (not timed)
    p, took = _run_exe(exe, cache, NYASH_TIMEOUT="1")
    assert (p.returncode, p.stdout) == (1, "")
    assert p.stderr == "Runtime error: time limit of 1 s exceeded\n"
    assert 1 <= took < 1 + SLACK_S


def test_executable_invalid_timeout_setting(endless_exe):
    exe, cache = endless_exe
    p, _ = _run_exe(exe, cache, NYASH_TIMEOUT="soon")
    assert (p.returncode, p.stdout) == (120, "")
    assert p.stderr == "nyash: " + BAD.format("NYASH_TIMEOUT='soon'")
