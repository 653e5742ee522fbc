"""The benchmark harness (issue 6): programs, C equivalents, parsing, and one end-to-end run.

Functional only: nothing here asserts a speed.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import harness, measure, throughput
from benchmarks.programs import (EXTRA_PROGRAMS, Program, ProgramError, default_suite_dir,
                                 discover, parse_readme_table, size_n)
from benchmarks.report import ProgramResult, Report, geomean, render
from benchmarks.measure import Timing

SUITE = default_suite_dir()
needs_suite = pytest.mark.skipif(not SUITE.is_dir(), reason=f"benchmark suite {SUITE} missing")
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
SUITE_NAMES = sorted(p.stem for p in SUITE.glob("*.nyash") if not p.stem.endswith(".small"))
# the harness's own programs (benchmarks/programs/): fib30 and the issue-19 shapes
EXTRA_NAMES = sorted(p.stem for p in EXTRA_PROGRAMS.glob("*.nyash") if not p.stem.endswith(".small"))
NEW_SHAPES = ["arrayops", "bintrees", "chars", "interp", "mapobjs", "nbody", "strsplit"]
# full-size C runs that take well under a second
CHEAP_C = ["arrays", "collatz", "fib", "loops", "objects", "sieve", "sort", "strings", *EXTRA_NAMES]


def _nyash_run(source: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nyash_build", "run", str(source)],
                          capture_output=True, text=True, timeout=120)


# ------------------------------------------------------------ programs and sizes
def test_extra_programs_include_the_new_shapes() -> None:
    assert set(NEW_SHAPES) <= set(EXTRA_NAMES)
    for name in NEW_SHAPES:  # each with both sizes, CPython and C versions
        for path in (f"{name}.nyash", f"{name}.out", f"{name}.small.nyash", f"{name}.small.out",
                     f"reference/{name}.py"):
            assert (EXTRA_PROGRAMS / path).is_file(), path
        assert (EXTRA_PROGRAMS.parent / "c" / f"{name}.c").is_file()


@needs_suite
@pytest.mark.parametrize("name", SUITE_NAMES + EXTRA_NAMES)
def test_small_program_prints_its_checksum_under_nyash_run(name: str) -> None:
    program = discover(SUITE, "small", [name])[0]
    proc = _nyash_run(program.source)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == program.expected


@needs_suite
def test_discover_finds_the_suite_and_the_extra_programs() -> None:
    full = {p.name: p for p in discover(SUITE, "full")}
    assert set(SUITE_NAMES) | set(EXTRA_NAMES) == set(full)
    assert full["fib"].n == 35 and full["fib"].expected == "9227465"
    assert full["fib30"].source.parent == EXTRA_PROGRAMS and full["fib30"].expected == "832040"
    small = {p.name: p for p in discover(SUITE, "small", ["fib", "fib30"])}
    assert small["fib"].source.name == "fib.small.nyash" and small["fib"].n == 15
    assert small["fib"].full_n == 35
    # no small version: the full program stands in for it
    assert small["fib30"].source.name == "fib30.nyash" and small["fib30"].size == "full"
    assert all(p.c_source is not None for p in full.values()), "every benchmark needs a C version"


@needs_suite
def test_unknown_benchmark_name_is_a_clear_error() -> None:
    with pytest.raises(ProgramError, match="unknown benchmark.*nope"):
        discover(SUITE, "full", ["fib", "nope"])


@needs_suite
def test_readme_reference_interpreter_table_is_parsed() -> None:
    table = parse_readme_table(SUITE / "README.md")
    assert set(table) == set(SUITE_NAMES)
    assert table["fib"].small_s == pytest.approx(0.045)
    assert table["fib"].full_estimate_s == pytest.approx(680)
    assert table["loops"].small_s == pytest.approx(1.25)
    assert discover(SUITE, "full", ["collatz"])[0].ref_interp_s == pytest.approx(700)
    assert discover(SUITE, "small", ["collatz"])[0].ref_interp_s == pytest.approx(4.25)


def test_readme_parsing_is_by_header_not_position(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "| benchmark | reference interpreter, full size (estimated) | x | reference interpreter, small size |\n"
        "|---|---|---|---|\n"
        "| fib | ≈1,234.5 | 7 | 0.5 (fib 15) |\n", encoding="utf-8")
    table = parse_readme_table(readme)
    assert table["fib"].full_estimate_s == pytest.approx(1234.5)
    assert table["fib"].small_s == pytest.approx(0.5)


def test_size_n_reads_the_single_local_n(tmp_path: Path) -> None:
    src = tmp_path / "a.nyash"
    src.write_text("static box Main {\n    main() {\n        local n = 42\n    }\n}\n")
    assert size_n(src) == 42
    src.write_text("local n = 1\nlocal n = 2\n")
    assert size_n(src) is None


# --------------------------------------------------------------------- C versions
@needs_gcc
@needs_suite
@pytest.mark.parametrize("name", CHEAP_C)
def test_c_version_compiles_and_prints_the_full_checksum(name: str, tmp_path: Path) -> None:
    program = discover(SUITE, "full", [name])[0]
    exe = measure.build_c(program, tmp_path)
    assert exe is not None and exe.is_file()
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == program.expected
    # and at the small size through argv (how the harness runs it)
    small = discover(SUITE, "small", [name])[0]
    proc = subprocess.run([str(exe), str(small.n)], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == small.expected


@needs_gcc
@needs_suite
def test_c_build_is_cached_by_source_hash(tmp_path: Path) -> None:
    program = discover(SUITE, "full", ["fib"])[0]
    first = measure.build_c(program, tmp_path)
    mtime = first.stat().st_mtime_ns
    assert measure.build_c(program, tmp_path) == first and first.stat().st_mtime_ns == mtime


@needs_suite
def test_python_reference_is_rewritten_to_the_small_size(tmp_path: Path) -> None:
    program = discover(SUITE, "small", ["sort"])[0]
    script = measure.python_script(program, tmp_path)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == program.expected == "1654210"


@needs_suite
@pytest.mark.parametrize("name", NEW_SHAPES)
def test_new_shape_python_reference_prints_the_small_checksum(name: str, tmp_path: Path) -> None:
    program = discover(SUITE, "small", [name])[0]
    script = measure.python_script(program, tmp_path)
    assert script != program.python  # rewritten to the small n
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == program.expected


# ------------------------------------------------------------- checks and report
def _program(expected: str = "7") -> Program:
    return Program("p", "full", Path("p.nyash"), expected, None, None, None, None, None)


def test_wrong_output_fails_loudly() -> None:
    with pytest.raises(measure.BenchFailure, match=r"p \[C\]: wrong output: expected '7', got '8'"):
        measure.check_output(_program(), "C", "8\n")
    measure.check_output(_program(), "C", "7\n")


def test_failing_process_is_reported_with_its_stderr() -> None:
    argv = [sys.executable, "-c", "import sys; sys.stderr.write('boom'); sys.exit(3)"]
    with pytest.raises(measure.BenchFailure, match="exit status 3\nboom"):
        measure.run_process(_program(), "x", argv, timeout=30)


def test_timing_line_is_parsed() -> None:
    m = measure.TIMING_LINE.search("noise\nnyash-timing: load_ms=1.5 exec_ms=12.25 variant=x86-64-v3\n")
    assert m and float(m.group(2)) == 12.25 and m.group(3) == "x86-64-v3"


def test_ratios_geomeans_and_targets() -> None:
    def t(s: float) -> Timing:
        return Timing([s, s * 2, s / 2])  # median s

    fast = ProgramResult("fib30", "fib30", "full", aot_exec=t(0.002), cpython=t(0.2), c=t(0.0016),
                         ref_interp_s=20.0, exec_by_variant={"baseline": t(0.0024), "x86-64-v3": t(0.002)})
    slow = ProgramResult("b", "b", "full", aot_exec=t(0.1), cpython=t(0.4), c=t(0.02))
    assert fast.ratios() == pytest.approx({"cpython_over_aot": 100, "aot_over_c": 1.25,
                                           "ref_over_aot": 10000, "baseline_over_v3": 1.2})
    report = Report("full", 3, [fast, slow])
    geo = report.geomeans()
    assert geo["cpython_over_aot"] == pytest.approx(geomean([100, 4]))
    assert geo["ref_over_aot"] == pytest.approx(10000)  # missing values are left out
    targets = {x.name: x for x in report.targets()}
    each_py = targets["every program >=5x faster than CPython (slowest, AOT exec)"]
    assert each_py.status == "MISS" and each_py.value == pytest.approx(4)
    assert each_py.detail == "1/2 programs; misses: b 4.00x"
    geo_py = targets[">=25x faster than CPython (geomean, AOT exec)"]
    assert geo_py.status == "MISS" and geo_py.value == pytest.approx(20)  # sqrt(100 * 4)
    worst_c = targets["no program worse than 4x of gcc -O2 (worst, AOT exec)"]
    assert worst_c.status == "MISS" and worst_c.value == pytest.approx(5)
    assert targets["within 1.5x of gcc -O2 (geomean, AOT exec)"].status == "MISS"  # sqrt(6.25)=2.5
    assert targets["fib(30) execution < 2.5 ms"].status == "PASS"
    text = render(report)
    assert "geomean" in text and "[PASS] fib(30) execution < 2.5 ms: 2.00 ms" in text


def test_generated_throughput_program_compiles_and_runs(tmp_path: Path) -> None:
    result = throughput.measure(tmp_path, runs=1)
    assert 4900 <= result.lines <= 5100 and result.seconds > 0
    proc = _nyash_run(tmp_path / "throughput.nyash")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(throughput.expected_checksum())


# ------------------------------------------------------------------- end to end
@needs_suite
def test_harness_end_to_end_small(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = harness.main(["--size", "small", "-n", "1", "--only", "fib,loops",
                         "--build-dir", str(tmp_path / "build"), "--output-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "fib (small)" in out and "loops (small)" in out and "Targets (issue 19" in out
    assert "Where execution goes" in out and "top: fib " in out
    data = json.loads((tmp_path / "bench-results.json").read_text())
    assert [p["name"] for p in data["programs"]] == ["fib", "loops"]
    for p in data["programs"]:
        for column in ("aot_process", "aot_exec", "nyash_run", "cpython"):
            assert p[column]["median_s"] > 0, (p["name"], column)
        assert p["ratios"]["cpython_over_aot"] > 0
        assert p["profile"]["instructions"] > 0 and p["profile"]["by_area"]["generated"] > 0
    assert data["throughput"]["lines"] > 4900
    assert {t["status"] for t in data["targets"]} <= {"PASS", "MISS", "n/a"}


@needs_suite
def test_harness_fails_loudly_on_a_wrong_checksum(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "bad.nyash").write_text("static box Main {\n    main() {\n        print(1)\n    }\n}\n")
    (suite / "bad.out").write_text("2\n")
    code = harness.main(["--suite", str(suite), "--only", "bad", "-n", "1",
                         "--skip", "native,cpython,c,profile,throughput",
                         "--build-dir", str(tmp_path / "b"), "--output-dir", str(tmp_path)])
    assert code == 1
    assert "FAILED: bad [nyash run]: wrong output: expected '2', got '1'" in capsys.readouterr().err
    assert not (tmp_path / "bench-results.json").exists()


@needs_suite
def test_in_process_execution_fallback_checks_output() -> None:
    """The per-variant measurement used when the runner does not report timings."""
    from nyash_build.aot.compile import precompile
    from nyash_build.compiler.driver import compile_file

    program = discover(SUITE, "small", ["fib"])[0]
    cwasm = precompile(compile_file(program.source).wasm, "baseline")
    assert measure.in_process_exec(program, cwasm, "baseline") > 0
    wrong = Program("fib", "small", program.source, "611", None, None, None, None, None)
    with pytest.raises(measure.BenchFailure, match="expected '611', got '610'"):
        measure.in_process_exec(wrong, cwasm, "baseline")


@needs_suite
def test_python_dash_m_benchmarks_reports_user_errors_without_traceback() -> None:
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "nope"],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent)
    assert proc.returncode == 1
    assert "nyash bench: FAILED: unknown benchmark(s): nope" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_statistic_min_uses_the_best_run_and_reports_the_noise() -> None:
    """--stat min: ratios and targets use each column's fastest run; the table says so
    and prints the spread of the runs."""
    def t(*runs: float) -> Timing:
        return Timing(list(runs))

    prog = ProgramResult("fib30", "fib30", "full", aot_exec=t(0.002, 0.008, 0.003),
                         cpython=t(0.2, 0.3, 0.25), c=t(0.001, 0.001, 0.001))
    report = Report("full", 3, [prog], load=(4.5, 5.0))
    try:
        assert prog.ratios()["cpython_over_aot"] == pytest.approx(0.25 / 0.003)
        Timing.statistic = "min"
        assert prog.ratios()["cpython_over_aot"] == pytest.approx(100)
        text = render(report)
        assert "best of 3 run(s)" in text and "load average 4.5 at start, 5.0 at end" in text
        assert "Noise (slowest / fastest run): AOT exec 4.00x (worst fib30 4.00x)" in text
        assert "[PASS] fib(30) execution < 2.5 ms: 2.00 ms" in text
    finally:
        Timing.statistic = "median"
