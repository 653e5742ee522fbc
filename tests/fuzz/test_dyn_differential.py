"""Differential testing with realistic, dynamically-kinded programs (gen_dyn.py): user
boxes with inheritance, collections of objects and of mixed kinds, kinds changing at
run time, aliasing, exceptions through calls, floats. ``nyash run`` must print exactly
what the spec's reference evaluator prints (instance ids aside), and fail the same way;
a few programs also run as built executables. Long campaigns, also against the
reference interpreter: tools/fuzz_campaign.py."""
from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import event, given, reject
from hypothesis import strategies as st

from tests.fuzz.differ import compare_with_reference, reference_outcome
from tests.fuzz.gen import Chooser, render
from tests.fuzz.gen_dyn import generate
from tests.fuzz.harness import build_exe, run_exe, run_in_process
from tests.fuzz.profiles import fuzz_settings


@st.composite
def programs(draw, oracle: bool = False):
    return generate(Chooser(lambda lo, hi: draw(st.integers(lo, hi))), size=12, oracle=oracle)


def _check(prog) -> None:
    expected = reference_outcome(prog)
    if expected is None:
        reject()
    source = render(prog)
    got = run_in_process(source)
    event("runtime error" if expected.error else "normal exit")
    verdict = compare_with_reference(expected, got)
    assert not verdict, f"{verdict.reason}: {verdict.detail}\n--- program ---\n{source}" \
                        f"--- stderr ---\n{got.stderr}"


@fuzz_settings(ci_examples=250)
@given(programs())
def test_dynamic_programs_match_reference_evaluator(prog) -> None:
    _check(prog)


@fuzz_settings(ci_examples=60)
@given(programs(oracle=True))
def test_upstream_subset_programs_match_reference_evaluator(prog) -> None:
    # the subset campaigns also run through the reference interpreter
    _check(prog)


@lru_cache(maxsize=1)
def _exe_seeds(n: int = 2) -> list[int]:
    """Fixed seeds of programs with some output and a normal exit."""
    out, seed = [], 0
    while len(out) < n:
        seed += 1
        prog = generate(Chooser.from_seed(seed))
        expected = reference_outcome(prog)
        if expected is not None and expected.code == 0 and expected.stdout.count("\n") >= 10:
            out.append(seed)
    return out


@pytest.fixture(scope="module")
def unpack_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("runner-unpack")


@pytest.mark.parametrize("index", range(2))
def test_dynamic_executable_matches_reference(index: int, tmp_path, unpack_cache) -> None:
    prog = generate(Chooser.from_seed(_exe_seeds()[index]))
    source = render(prog)
    expected = reference_outcome(prog)
    exe = build_exe(source, tmp_path / "app")
    verdict = compare_with_reference(expected, run_exe(exe, unpack_cache))
    assert not verdict, f"{verdict.reason}: {verdict.detail}\n--- program ---\n{source}"
