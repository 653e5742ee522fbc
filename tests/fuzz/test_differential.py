"""Differential testing: generated well-formed programs must behave the same through
``nyash run`` (in process), through a built standalone executable, and through the
reference evaluator (tests/fuzz/refeval.py, written from the spec). Runtime errors
must match too: exit status 1 and the same message phrase on stderr."""
from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import event, given, reject
from hypothesis import strategies as st

from tests.fuzz.gen import Chooser, generate, render
from tests.fuzz.harness import RunResult, build_exe, is_known_bug, run_exe, run_in_process
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.refeval import Budget, Outcome, evaluate


@st.composite
def programs(draw, size: int = 10):
    return generate(Chooser(lambda lo, hi: draw(st.integers(lo, hi))), size=size)


def assert_same(expected: Outcome, got: RunResult, source: str) -> None:
    where = f"\n--- program ---\n{source}--- stderr ---\n{got.stderr}"
    assert got.stdout == expected.stdout, where
    assert got.code == expected.code, where
    if expected.error is None:
        assert got.stderr == "", where
    else:
        first = got.stderr.splitlines()[0] if got.stderr else ""
        assert first.startswith("Runtime error: ") and expected.error in first, \
            f"expected error {expected.error!r}{where}"


def _run_or_classify(source: str, in_test: bool = True) -> RunResult | None:
    """Run in process; None when the compiler hits a recorded known bug."""
    try:
        return run_in_process(source)
    except Exception as e:  # noqa: BLE001 - classified
        if is_known_bug(e):
            if in_test:
                event("known compiler bug (see harness.KNOWN_INTERNAL_ERRORS)")
            return None
        raise


@fuzz_settings(ci_examples=1500)
@given(programs())
def test_run_matches_reference_evaluator(prog) -> None:
    source = render(prog)
    try:
        expected = evaluate(prog)
    except Budget:
        reject()
    got = _run_or_classify(source)
    if got is None:
        return
    event("runtime error" if expected.error else "normal exit")
    assert_same(expected, got, source)


@lru_cache(maxsize=1)
def _seeds_for_exe(n_ok: int = 2, n_err: int = 1) -> list[int]:
    """Fixed seeds giving n_ok normal programs and n_err failing ones (compilable)."""
    ok, err, seed = [], [], 0
    while len(ok) < n_ok or len(err) < n_err:
        seed += 1
        prog = generate(Chooser.from_seed(seed), size=14)
        try:
            out = evaluate(prog)
            if _run_or_classify(render(prog), in_test=False) is None:
                continue
        except Budget:
            continue
        bucket = err if out.error else ok
        if len(bucket) < (n_err if out.error else n_ok) and out.stdout.count("\n") >= 3:
            bucket.append(seed)
    return ok + err


@pytest.fixture(scope="module")
def unpack_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("runner-unpack")


@pytest.mark.parametrize("index", range(3))
def test_executable_matches_reference_and_run(index: int, tmp_path, unpack_cache) -> None:
    seed = _seeds_for_exe()[index]
    prog = generate(Chooser.from_seed(seed), size=14)
    source = render(prog)
    expected = evaluate(prog)
    exe = build_exe(source, tmp_path / "app")
    assert_same(expected, run_exe(exe, unpack_cache), source)
    assert_same(expected, run_in_process(source), source)
