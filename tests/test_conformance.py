"""Every conformance program and spec example through ``nyash run``: exact stdout for
``.out`` cases; non-zero exit and the key phrase on stderr for ``.err`` cases."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import corpus_cases, nyash

CASES = corpus_cases("conformance", "spec-examples")


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 70


@pytest.mark.parametrize("src", CASES, ids=lambda p: p.stem)
def test_program(src: Path) -> None:
    out = src.with_suffix(".out")
    err = src.with_suffix(".err")
    r = nyash("run", str(src))
    if out.exists():
        assert r.stderr == "" or r.returncode == 0, r.stderr
        assert r.stdout == out.read_text(encoding="utf-8")
        assert r.returncode == 0
    else:
        phrase = err.read_text(encoding="utf-8").strip()
        assert r.returncode != 0
        assert phrase in r.stderr
        assert "Traceback" not in r.stderr
