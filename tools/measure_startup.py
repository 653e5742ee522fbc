"""Measure the hello executable against issue 7's budget: size <= 10 MB and a
start-to-exit median of 20 warm runs <= 100 ms.

    python tools/measure_startup.py                  # build examples/hello, measure
    python tools/measure_startup.py --exe build/hello/hello --runs 50

Start-to-exit is the wall time of the whole process (launcher exec, runner start,
payload verification, deserialisation, the program, exit), measured from this script;
"warm" means the runner was already unpacked into the cache by one earlier run.
Exits 1 when a budget is exceeded, so it can be used as a check.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HELLO = REPO / "examples" / "hello" / "hello.nyash"
MAX_SIZE = 10 * 1000 * 1000
MAX_MEDIAN_MS = 100.0


def build(source: Path, out: Path) -> Path:
    """Compile `source` to a standalone executable with the real pipeline."""
    sys.path.insert(0, str(REPO))
    from nyash_build.compiler.driver import compile_file
    from nyash_build.pipeline import native_from_result

    native_from_result(compile_file(source), out)
    return out


def time_runs(exe: Path, runs: int, env: dict[str, str]) -> list[float]:
    """Wall times in ms of `runs` runs after one warm-up run (which unpacks the runner)."""
    subprocess.run([str(exe)], env=env, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([str(exe)], env=env, capture_output=True, check=True)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exe", type=Path, help="measure this executable (default: build hello)")
    ap.add_argument("--source", type=Path, default=HELLO, help="program to build")
    ap.add_argument("--runs", type=int, default=20)
    ns = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nyash-startup-") as tmp:
        exe = ns.exe or build(ns.source, Path(tmp) / "app")
        env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", tmp)}
        if "NYASH_RUNNER_CACHE" in os.environ:
            env["NYASH_RUNNER_CACHE"] = os.environ["NYASH_RUNNER_CACHE"]
        size = exe.stat().st_size
        times = time_runs(exe, ns.runs, env)
    median = statistics.median(times)
    print(f"size: {size} bytes ({size / 1e6:.2f} MB, {size / 2**20:.2f} MiB); "
          f"limit {MAX_SIZE / 1e6:.0f} MB")
    print(f"start-to-exit: median {median:.1f} ms of {ns.runs} warm runs "
          f"(min {min(times):.1f}, max {max(times):.1f}); limit {MAX_MEDIAN_MS:.0f} ms")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ok = size <= MAX_SIZE and median <= MAX_MEDIAN_MS
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
