"""`nyash bench` / `python -m benchmarks`: run every benchmark in every configuration.

For each program: the standalone executable (whole process, and its `_start` alone
per CPU variant), `nyash run` (JIT, compile included), CPython's reference version,
the C version under gcc -O2, and the reference interpreter's time from the suite
README; and where execution goes (an instruction profile, see profile.py). Every run's
output is checked against the expected checksum; a mismatch stops the run with exit
status 1. Prints a table with ratios, geometric means and the targets; writes
bench-results.json and (with matplotlib) bench-results.png.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from . import measure, profile, throughput
from .measure import BenchFailure, Timing
from .programs import REPO, SIZES, Program, ProgramError, default_suite_dir, discover
from .report import ProgramResult, Report, render, write_chart, write_json

SKIPPABLE = ("native", "jit", "cpython", "c", "profile", "throughput")


@dataclass
class Options:
    runs: int
    size: str
    only: list[str] | None
    skip: set[str]
    suite: Path
    build_dir: Path
    output_dir: Path
    timeout: float
    stat: str = "median"


def parse_args(argv: list[str]) -> Options:
    p = argparse.ArgumentParser(prog="nyash bench", description=__doc__.split("\n\n")[0])
    p.add_argument("-n", "--runs", type=int, default=3, help="runs per measurement (default 3)")
    p.add_argument("--stat", choices=("median", "min"), default="median",
                   help="statistic of the runs the table and targets use (default median; min = "
                        "best run, steadier on a loaded machine)")
    p.add_argument("--size", choices=SIZES, default="full", help="program size (default full)")
    p.add_argument("--only", help="comma-separated benchmark names (e.g. fib,loops)")
    p.add_argument("--skip", default="", help=f"comma-separated columns to skip: {', '.join(SKIPPABLE)}")
    p.add_argument("--suite", type=Path, default=None,
                   help="benchmark directory (default $NYASH_BENCH_DIR or ../shared/bench)")
    p.add_argument("--build-dir", type=Path, default=REPO / "build" / "bench",
                   help="cache for executables and C binaries (default build/bench)")
    p.add_argument("--output-dir", type=Path, default=Path.cwd(),
                   help="where bench-results.json/.png go (default: current directory)")
    p.add_argument("--timeout", type=float, default=900, help="seconds per single run")
    ns = p.parse_args(argv)
    skip = {s.strip() for s in ns.skip.split(",") if s.strip()}
    if ns.runs < 1:
        p.error("-n must be at least 1")
    if skip - set(SKIPPABLE):
        p.error(f"--skip: unknown column(s) {', '.join(sorted(skip - set(SKIPPABLE)))}")
    only = [s.strip() for s in ns.only.split(",") if s.strip()] if ns.only else None
    return Options(ns.runs, ns.size, only, skip, ns.suite or default_suite_dir(),
                   ns.build_dir, ns.output_dir, ns.timeout, ns.stat)


def log(msg: str) -> None:
    sys.stderr.write(f"bench: {msg}\n")
    sys.stderr.flush()


# ------------------------------------------------------------------ per column
def bench_native(program: Program, opts: Options, result: ProgramResult) -> None:
    """Executable whole process, plus the execution part overall and per variant."""
    from nyash_build.aot.variants import VARIANTS

    log(f"{program.label}: building the standalone executable")
    native = measure.build_native(program, opts.build_dir / "exe" / program.size)
    # The first start of a freshly written executable is slower (its runner is unpacked
    # and cached): record it, but time the steady state.
    result.aot_first_run_s, _ = measure.run_executable(program, native.exe, timeout=opts.timeout)
    process, samples = [], []
    for _ in range(opts.runs):
        seconds, sample = measure.run_executable(program, native.exe, timeout=opts.timeout)
        process.append(seconds)
        samples.append(sample)
    result.aot_process = Timing(process, "process")
    for variant in VARIANTS:
        result.exec_by_variant[variant] = _variant_exec(program, native, variant, opts)
    reported = [s for s in samples if s is not None]
    if reported:
        result.aot_exec = Timing([s.seconds for s in reported], "runner")
        result.aot_variant = reported[0].variant
    else:  # the runner does not report: the best variant this CPU can run, in process
        best = next((v for v in VARIANTS if result.exec_by_variant.get(v)), None)
        result.aot_exec = result.exec_by_variant.get(best) if best else None
        result.aot_variant = best


def _variant_exec(program: Program, native: measure.Native, variant: str,
                  opts: Options) -> Timing | None:
    """`_start` time of one variant: forced in the runner if it honours
    NYASH_AOT_VARIANT, else measured in process. None if this CPU cannot run it."""
    if not measure.cpu_supports(variant):
        log(f"{program.label}: CPU cannot run {variant}; column left empty")
        return None
    _, first = measure.run_executable(program, native.exe, variant, timeout=opts.timeout)
    if first is not None:
        rest = [measure.run_executable(program, native.exe, variant, timeout=opts.timeout)[1]
                for _ in range(opts.runs - 1)]
        return Timing([first.seconds, *(s.seconds for s in rest if s is not None)], "runner")
    runs = [measure.in_process_exec(program, native.cwasm[variant], variant)
            for _ in range(opts.runs)]
    return Timing(runs, "in-process")


def bench_program(program: Program, opts: Options) -> ProgramResult:
    result = ProgramResult(program.name, program.label, program.size,
                           ref_interp_s=program.ref_interp_s)
    if "native" not in opts.skip:
        bench_native(program, opts, result)
    if "jit" not in opts.skip:
        log(f"{program.label}: nyash run")
        result.nyash_run = measure.time_process(
            program, "nyash run", measure.nyash_run_argv(program.source), opts.runs,
            timeout=opts.timeout)
    if "cpython" not in opts.skip:
        script = measure.python_script(program, opts.build_dir / "py")
        if script is not None:
            log(f"{program.label}: CPython")
            result.cpython = measure.time_process(
                program, "CPython", measure.python_argv(script), opts.runs, timeout=opts.timeout)
    if "c" not in opts.skip:
        exe = measure.build_c(program, opts.build_dir / "c")
        if exe is not None:
            log(f"{program.label}: gcc -O2")
            argv = [str(exe)] + ([str(program.n)] if program.n is not None else [])
            result.c = measure.time_process(program, "gcc -O2", argv, opts.runs,
                                            timeout=opts.timeout)
    if "profile" not in opts.skip:
        log(f"{program.label}: instruction profile")
        result.profile = profile.measure(program)
    return result


# ------------------------------------------------------------------------ main
def run(opts: Options) -> Report:
    Timing.statistic = opts.stat
    load_start = _load()
    programs = discover(opts.suite, opts.size, opts.only)
    if "c" not in opts.skip and shutil.which("gcc") is None:
        log("gcc not found: the gcc -O2 column is left empty")
    results = [bench_program(p, opts) for p in programs]
    tp = None
    if "throughput" not in opts.skip:
        log("compiler throughput")
        tp = throughput.measure(opts.build_dir / "throughput", runs=opts.runs)
    start, end = load_start, _load()
    return Report(opts.size, opts.runs, results, tp,
                  None if start is None or end is None else (start, end))


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def save(report: Report, output_dir: Path) -> None:
    output_dir.mkdir(parents=True, exist_ok=True)
    json_path = output_dir / "bench-results.json"
    write_json(report, json_path)
    print(f"\nwrote {json_path}")
    png = output_dir / "bench-results.png"
    if write_chart(report, png):
        print(f"wrote {png}")
    else:
        print("note: matplotlib is not installed, no chart written "
              "(pip install 'nyash-build[bench]')")


def main(argv: list[str]) -> int:
    """Entry point for `nyash bench ...` and `python -m benchmarks ...`; exit status."""
    opts = parse_args(argv)
    try:
        report = run(opts)
    except (BenchFailure, ProgramError) as e:
        sys.stderr.write(f"nyash bench: FAILED: {e}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("nyash bench: interrupted\n")
        return 130
    print(render(report))
    save(report, opts.output_dir)
    return 0
