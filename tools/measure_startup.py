"""Measure the hello executable's start-up against issue 18's budget: size <= 10 MB and
a start-to-exit median <= 10 ms, next to a C hello measured in the same run (goal:
within 5x of it) and to the same executable forced through the Python runner.

    python tools/measure_startup.py                  # build examples/hello, measure
    python tools/measure_startup.py --exe build/hello/hello --runs 50

Last measured (docs/design.md "Start-up"): hello 2.5-3.0 ms wall, 2.36 ms CPU, 4.2-4.6x a
C hello (CPU; wall ratios swing with the machine's load), 60 ms through the Python
runner; before the fast path's module cache 8.7 ms / 4.06 ms CPU, 6.9x.

Start-to-exit is the wall time of the whole process (launcher exec, payload
verification, deserialisation, the program, exit), measured from here with
posix_spawn + waitpid (stdout to /dev/null) for every program alike; "warm" means the
runner was already unpacked into the cache by one earlier run. Ratios carry over
between machines better than milliseconds. Exits 1 when a budget is exceeded, so it
can be used as a check.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HELLO = REPO / "examples" / "hello" / "hello.nyash"
MAX_SIZE = 10 * 1000 * 1000
MAX_MEDIAN_MS = 10.0
GOAL_RATIO = 5.0
C_HELLO = '#include <stdio.h>\nint main(void) { puts("Hello from C"); return 0; }\n'


def build(source: Path, out: Path) -> Path:
    """Compile `source` to a standalone executable with the real pipeline."""
    sys.path.insert(0, str(REPO))
    from nyash_build.compiler.driver import compile_file
    from nyash_build.pipeline import native_from_result

    native_from_result(compile_file(source), out)
    return out


def build_c_hello(tmp: Path) -> tuple[Path, str] | None:
    """A C hello (gcc -O2 when present, else zig cc), or None without a C compiler."""
    src = tmp / "hello.c"
    src.write_text(C_HELLO)
    out = tmp / "hello-c"
    candidates = []
    if shutil.which("gcc"):
        candidates.append((["gcc", "-O2"], "gcc -O2"))
    candidates.append(([sys.executable, "-m", "ziglang", "cc", "-O2"], "zig cc -O2"))
    for cmd, label in candidates:
        res = subprocess.run([*cmd, str(src), "-o", str(out)], capture_output=True)
        if res.returncode == 0:
            return out, label
    return None


def spawn(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one run of `argv`, stdout and stderr to /dev/null. CPU time
    (user + system, from wait4) hardly depends on how busy the machine is."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = (time.perf_counter() - t0) * 1000
    finally:
        os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed (status {status})")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def measure(programs: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict:
    """{name: (wall times, cpu times)}; one warm-up run each (which unpacks the runner),
    then the programs take turns so load changes hit all of them alike."""
    out = {name: ([], []) for name in programs}
    for argv, env in programs.values():
        spawn(argv, env)
    for _ in range(runs):
        for name, (argv, env) in programs.items():
            wall, cpu = spawn(argv, env)
            out[name][0].append(wall)
            out[name][1].append(cpu)
    return out


def summary(times: list[float]) -> str:
    return (f"median {statistics.median(times):.1f} ms of {len(times)} warm runs "
            f"(min {min(times):.1f}, max {max(times):.1f})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exe", type=Path, help="measure this executable (default: build hello)")
    ap.add_argument("--source", type=Path, default=HELLO, help="program to build")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--python-runs", type=int, default=10,
                    help="runs forced through the Python runner (0: skip)")
    ns = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nyash-startup-") as tmp:
        exe = ns.exe or build(ns.source, Path(tmp) / "app")
        env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", tmp)}
        if "NYASH_RUNNER_CACHE" in os.environ:
            env["NYASH_RUNNER_CACHE"] = os.environ["NYASH_RUNNER_CACHE"]
        size = exe.stat().st_size
        c_hello = build_c_hello(Path(tmp))
        programs = {"fast": ([str(exe)], env)}
        if c_hello:
            programs["c"] = ([str(c_hello[0])], env)
        times = measure(programs, ns.runs)
        python = (measure({"python": ([str(exe)], {**env, "NYASH_FASTPATH": "0"})},
                          ns.python_runs)["python"] if ns.python_runs > 0 else None)
    wall, cpu = times["fast"]
    median = statistics.median(wall)
    print(f"size: {size} bytes ({size / 1e6:.2f} MB, {size / 2**20:.2f} MiB); "
          f"limit {MAX_SIZE / 1e6:.0f} MB")
    print(f"start-to-exit: {summary(wall)}; limit {MAX_MEDIAN_MS:.0f} ms")
    print(f"  CPU time (user+sys): median {statistics.median(cpu):.2f} ms")
    if c_hello:
        c_wall, c_cpu = times["c"]
        print(f"C hello ({c_hello[1]}): {summary(c_wall)}; "
              f"CPU median {statistics.median(c_cpu):.2f} ms")
        print(f"ratio to C hello: {median / statistics.median(c_wall):.1f}x wall, "
              f"{statistics.median(cpu) / statistics.median(c_cpu):.1f}x CPU "
              f"(goal <= {GOAL_RATIO:.0f}x)")
    else:
        print("C hello: no C compiler found (gcc or ziglang); ratio not measured")
    if python:
        p_median = statistics.median(python[0])
        print(f"Python runner (NYASH_FASTPATH=0): {summary(python[0])}; CPU median "
              f"{statistics.median(python[1]):.1f} ms; the fast path is "
              f"{p_median / median:.0f}x faster")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ok = size <= MAX_SIZE and median <= MAX_MEDIAN_MS
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
