"""Every conformance program, spec example and project program through ``nyash run``:
exact stdout for ``.out``; for ``.err`` a non-zero exit and the key phrase on stderr
(with ``.out`` too, the output printed before the error must match exactly)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO, corpus_cases, nyash

CASES = corpus_cases("conformance", "spec-examples") + sorted((REPO / "tests" / "programs").glob("*.nyash"))


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 80


@pytest.mark.parametrize("src", CASES, ids=lambda p: p.stem)
def test_program(src: Path) -> None:
    out = src.with_suffix(".out")
    err = src.with_suffix(".err")
    r = nyash("run", str(src))
    assert "Traceback" not in r.stderr
    if out.exists():
        assert r.stdout == out.read_text(encoding="utf-8")
    if err.exists():
        assert r.returncode != 0
        assert err.read_text(encoding="utf-8").strip() in r.stderr
    else:
        assert r.returncode == 0, r.stderr
