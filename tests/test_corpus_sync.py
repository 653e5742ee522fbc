"""The vendored corpus must equal the shared one when ../shared is present."""
from __future__ import annotations

import pytest

from tests.helpers import CORPUS, SHARED

PAIRS = [("conformance", "conformance"), ("spec-examples", "nyash-spec-examples"), ("bench", "bench")]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present beside the checkout")
@pytest.mark.parametrize("ours,theirs", PAIRS)
def test_corpus_matches_shared(ours: str, theirs: str) -> None:
    shared = {p.name: p.read_bytes() for p in (SHARED / theirs).glob("*.*") if p.suffix in (".nyash", ".out", ".err", ".md")}
    local = {p.name: p.read_bytes() for p in (CORPUS / ours).glob("*.*") if p.suffix in (".nyash", ".out", ".err", ".md")}
    assert local == shared
