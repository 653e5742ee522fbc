"""How each column is measured.  Every run's output is checked against the checksum.

Whole-process columns time a subprocess with a wall clock (start-up included). The
AOT execution columns time only the wasm `_start` call: from the runner's
`nyash-timing:` stderr line when it prints one (NYASH_TIMING=1), else in this process
by deserialising the variant's .cwasm exactly as the runner does.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import ClassVar
from pathlib import Path

from .programs import Program

TIMING_LINE = re.compile(
    r"nyash-timing:\s*load_ms=([\d.]+)\s+exec_ms=([\d.]+)\s+variant=(\S+)")
_RUNNER_ENV = ("NYASH_TIMING", "NYASH_AOT_VARIANT")


class BenchFailure(Exception):
    """A program printed the wrong checksum, failed, or could not be built."""


@dataclass
class Timing:
    """Several runs (seconds) and where the number came from.

    `value` is the statistic the report uses: the median (default) or, with
    `nyash bench --stat min`, the best run -- on a loaded machine other processes only
    ever add time, so the minimum is the steadiest estimate of the unloaded figure.
    `spread` (slowest / fastest run) says how noisy the runs were."""
    runs: list[float]
    source: str = ""
    statistic: ClassVar[str] = "median"  # set once per harness run (--stat)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def value(self) -> float:
        return self.best if Timing.statistic == "min" else self.median

    @property
    def spread(self) -> float:
        return max(self.runs) / self.best if self.best > 0 else 1.0


@dataclass
class ExecSample:
    seconds: float
    variant: str
    source: str          # "runner" (timing line) or "in-process"


@dataclass
class Native:
    """A built executable and the artifacts it was made of."""
    exe: Path
    cwasm: dict[str, bytes] = field(default_factory=dict)


def check_output(program: Program, column: str, stdout: str) -> None:
    """Fail loudly unless the program printed exactly its checksum."""
    got = stdout.strip()
    if got != program.expected:
        shown = got if len(got) < 200 else got[:200] + "..."
        raise BenchFailure(f"{program.label} [{column}]: wrong output: expected "
                           f"{program.expected!r}, got {shown!r}")


def clean_env(**extra: str) -> dict[str, str]:
    """os.environ without the runner's control variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in _RUNNER_ENV}
    env.update(extra)
    return env


def run_process(program: Program, column: str, argv: list[str], *, timeout: float,
                env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run argv once; return (wall seconds, stderr). Checks exit status and output."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              env=env if env is not None else clean_env())
    except subprocess.TimeoutExpired:
        raise BenchFailure(f"{program.label} [{column}]: timed out after {timeout:.0f} s") from None
    except OSError as e:
        raise BenchFailure(f"{program.label} [{column}]: cannot run {argv[0]}: {e}") from None
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise BenchFailure(f"{program.label} [{column}]: exit status {proc.returncode}\n"
                           + proc.stderr[-2000:])
    check_output(program, column, proc.stdout)
    return elapsed, proc.stderr


def time_process(program: Program, column: str, argv: list[str], runs: int, *,
                 timeout: float) -> Timing:
    return Timing([run_process(program, column, argv, timeout=timeout)[0]
                   for _ in range(runs)], "process")


# --------------------------------------------------------------------- builds
def build_native(program: Program, out_dir: Path) -> Native:
    """Compile, precompile every variant and bundle the standalone executable."""
    from nyash_build.aot.compile import precompile
    from nyash_build.aot.variants import VARIANTS
    from nyash_build.bundle.exe import build_executable
    from nyash_build.compiler.driver import compile_file
    from nyash_build.diagnostics import CompileError

    try:
        result = compile_file(program.source)
    except CompileError as e:
        raise BenchFailure(f"{program.label}: compile error:\n{e}") from None
    cwasm = {v: precompile(result.wasm, v) for v in VARIANTS}
    out_dir.mkdir(parents=True, exist_ok=True)
    exe = out_dir / program.source.stem
    build_executable(exe, wasm=result.wasm, cwasm=cwasm, meta=result.meta)
    return Native(exe, cwasm)


def build_c(program: Program, cache_dir: Path) -> Path | None:
    """gcc -O2 the C version into the cache (keyed by source hash); None without gcc."""
    gcc = shutil.which("gcc")
    if program.c_source is None or gcc is None:
        return None
    sources = [program.c_source, *sorted(program.c_source.parent.glob("*.h"))]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:16]
    exe = cache_dir / f"{program.name}-{digest}"
    if exe.is_file():
        return exe
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = exe.with_name(exe.name + f".tmp{os.getpid()}")
    proc = subprocess.run([gcc, "-O2", "-o", str(tmp), str(program.c_source), "-lm"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise BenchFailure(f"{program.name}: gcc failed:\n{proc.stderr}")
    os.replace(tmp, exe)
    return exe


def python_script(program: Program, cache_dir: Path) -> Path | None:
    """The CPython reference at the program's size.

    The references are written for full size; for a small run the full-size n is
    replaced by the small one (the checksum check catches a rewrite that went wrong).
    """
    if program.python is None:
        return None
    if program.n is None or program.n == program.full_n or program.full_n is None:
        return program.python
    text = re.sub(rf"\b{program.full_n}\b", str(program.n),
                  program.python.read_text(encoding="utf-8"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    script = cache_dir / f"{program.name}.{program.size}.py"
    script.write_text(text, encoding="utf-8")
    return script


# ----------------------------------------------------------- AOT execution part
def run_executable(program: Program, exe: Path, variant: str | None = None, *,
                   timeout: float) -> tuple[float, ExecSample | None]:
    """One whole-process run with NYASH_TIMING=1 (and NYASH_AOT_VARIANT if `variant`).

    Returns the wall time and the runner's own `_start` time; the latter is None when
    the runner printed no timing line or ran another variant than the one asked for.
    """
    extra = {"NYASH_TIMING": "1"}
    if variant is not None:
        extra["NYASH_AOT_VARIANT"] = variant
    column = "AOT executable" + (f" ({variant})" if variant else "")
    seconds, stderr = run_process(program, column, [str(exe)], timeout=timeout,
                                  env=clean_env(**extra))
    m = TIMING_LINE.search(stderr)
    if m is None or (variant is not None and m.group(3) != variant):
        return seconds, None
    return seconds, ExecSample(float(m.group(2)) / 1000, m.group(3), "runner")


def in_process_exec(program: Program, cwasm: bytes, variant: str) -> float:
    """Seconds spent in `_start` for the precompiled artifact of `variant`.

    Same engine settings as the runner (`engine_config(variant)`), stdout to a temp
    file (checked afterwards), on a thread with the runner's large native stack.
    """
    import wasmtime

    from nyash_build.aot.variants import engine_config
    from runtime_stub.variants import NATIVE_STACK

    engine = wasmtime.Engine(engine_config(variant))
    module = wasmtime.Module.deserialize(engine, cwasm)
    with tempfile.TemporaryDirectory(prefix="nyash-bench-") as tmp:
        out = Path(tmp) / "stdout"
        store = wasmtime.Store(engine)
        wasi = wasmtime.WasiConfig()
        wasi.argv = [program.name]
        wasi.stdout_file = str(out)
        wasi.inherit_stderr()
        store.set_wasi(wasi)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        instance = linker.instantiate(store, module)
        start = instance.exports(store)["_start"]
        outcome: dict = {}

        def target() -> None:
            t0 = time.perf_counter()
            try:
                start(store)
            except wasmtime.ExitTrap as e:
                if e.code != 0:
                    outcome["error"] = f"exit status {e.code}"
            except wasmtime.WasmtimeError as e:
                outcome["error"] = str(e).strip().splitlines()[0]
            outcome["seconds"] = time.perf_counter() - t0

        old = threading.stack_size(NATIVE_STACK)
        try:
            thread = threading.Thread(target=target, name="nyash-bench")
            thread.start()
        finally:
            threading.stack_size(old)
        thread.join()
        if "error" in outcome:
            raise BenchFailure(f"{program.label} [exec {variant}]: {outcome['error']}")
        check_output(program, f"exec {variant}", out.read_text(encoding="utf-8"))
    return outcome["seconds"]


def cpu_supports(variant: str) -> bool:
    from nyash_build.aot.variants import cpu_supports as supports
    return supports(variant)


def python_argv(script: Path) -> list[str]:
    return [sys.executable, str(script)]


def nyash_run_argv(source: Path) -> list[str]:
    return [sys.executable, "-m", "nyash_build", "run", str(source)]
