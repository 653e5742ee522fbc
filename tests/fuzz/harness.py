"""Running compiled programs for the fuzz tests, in process and as executables.

``run_wasm`` (the in-process runner behind ``nyash run``) writes through WASI straight
to file descriptors 1 and 2, so the in-process runner redirects those descriptors to
temporary files around the call instead of patching ``sys.stdout``.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nyash_build.compiler.driver import compile_source
from nyash_build.diagnostics import CompileError

# Compiler bugs found by fuzzing whose fix belongs to files this suite may not edit
# (codegen/infer). Inputs hitting exactly these are reported, not failed, by the
# mutation fuzzer; tests/fuzz/test_known_bugs.py keeps each one as a strict xfail so
# the entry is removed as soon as the bug is fixed.
# Internal errors the fuzzers may count instead of failing on (none open).
KNOWN_INTERNAL_ERRORS: list[tuple[type, re.Pattern]] = []


def is_known_bug(exc: BaseException) -> bool:
    return any(isinstance(exc, t) and rx.search(str(exc)) for t, rx in KNOWN_INTERNAL_ERRORS)


@dataclass
class RunResult:
    stdout: str
    stderr: str
    code: int


@contextmanager
def captured_fds():
    """Redirect fds 1 and 2 (WASI writes there) and sys.stdout/sys.stderr (the runner's
    own messages, e.g. mapped stack frames) to temp files; yields a dict filled with
    their text on exit."""
    sys.stdout.flush()
    sys.stderr.flush()
    result: dict[str, str] = {}
    saved = os.dup(1), os.dup(2)
    saved_streams = sys.stdout, sys.stderr
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", closefd=False)
        try:
            yield result
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.stdout, sys.stderr = saved_streams
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            for name, f in (("stdout", out), ("stderr", err)):
                f.seek(0)
                result[name] = f.read().decode("utf-8", "replace")


def run_in_process(source: str, filename: str = "fuzz.nyash") -> RunResult:
    """compile_source + run_wasm, as ``nyash run`` does, with output captured."""
    from runtime_stub.runner import run_wasm

    result = compile_source(source, filename)
    with captured_fds() as cap:
        code = run_wasm(result.wasm, meta=result.meta, argv=[Path(filename).stem])
    return RunResult(cap["stdout"], cap["stderr"], code)


def build_exe(source: str, out: Path, filename: str = "fuzz.nyash") -> Path:
    """Source -> standalone executable through the same call as --compile-native."""
    from nyash_build.pipeline import native_from_result

    native_from_result(compile_source(source, filename), out)
    return out


def run_exe(exe: Path, cache: Path, timeout: float = 60) -> RunResult:
    env = {"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(cache)}
    p = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=timeout)
    return RunResult(p.stdout, p.stderr, p.returncode)


def compile_outcome(text: str) -> CompileError | None:
    """Compile; return the CompileError or None. Anything else propagates (a bug)."""
    try:
        compile_source(text, "f.nyash")
    except CompileError as e:
        return e
    return None
