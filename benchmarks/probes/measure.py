"""Time each probe's executable against CPython (best of N, CPU time user+sys of the child).

    python benchmarks/probes/measure.py [-n 5] [--bin DIR] [names...]

Executables are expected in DIR (default build/probes/NAME, built with
`python -m nyash_build --compile-native benchmarks/probes/NAME.nyash -o build/probes/NAME`;
pass --build to build them). Outputs are checked against the CPython script's.
"""
import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out.stdout, cpu, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("--bin", default=str(HERE.parent.parent / "build" / "probes"))
    ap.add_argument("--build", action="store_true")
    ap.add_argument("--skip-python", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    names = a.names or sorted(p.stem for p in HERE.glob("*.nyash"))
    bindir = Path(a.bin)
    bindir.mkdir(parents=True, exist_ok=True)
    print(f"{'probe':14} {'AOT ms':>8} {'CPython ms':>11} {'ratio':>7}")
    for name in names:
        exe = bindir / name
        if a.build:
            subprocess.run([sys.executable, "-m", "nyash_build", "--compile-native",
                            str(HERE / f"{name}.nyash"), "-o", str(exe)],
                           check=True, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        py_out, py_best = None, None
        if not a.skip_python:
            for _ in range(max(1, a.n // 2)):
                py_out, cpu, _ = run([sys.executable, str(HERE / f"{name}.py")])
                py_best = cpu if py_best is None else min(py_best, cpu)
        aot_best = None
        for _ in range(a.n):
            out, cpu, _ = run([str(exe)])
            aot_best = cpu if aot_best is None else min(aot_best, cpu)
        ok = py_out is None or out == py_out
        ratio = f"{py_best / aot_best:7.1f}" if py_best else "      -"
        pyms = f"{py_best * 1000:11.0f}" if py_best else "          -"
        print(f"{name:14} {aot_best * 1000:8.1f} {pyms} {ratio}{'' if ok else '  OUTPUT DIFFERS'}",
              flush=True)


if __name__ == "__main__":
    main()
