"""Diagnostic codes: every code the compiler emits is registered with an explanation,
``nyash explain`` prints it, and docs/diagnostics.md lists every code with the same
title and text."""
from __future__ import annotations

import re

import pytest

from nyash_build.diagcodes import CODES, explain
from tests.helpers import REPO, nyash

DOC = (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8")
CODE_RE = re.compile(r'"(N\d{4})"')


def used_codes() -> set[str]:
    """Codes written in the compiler's sources (outside the registry itself)."""
    out: set[str] = set()
    for p in (REPO / "nyash_build").rglob("*.py"):
        if p.name != "diagcodes.py":
            out |= set(CODE_RE.findall(p.read_text(encoding="utf-8")))
    return out


def test_every_emitted_code_is_registered():
    assert used_codes() - set(CODES) == set()


def test_every_registered_code_is_emitted_somewhere():
    assert set(CODES) - used_codes() == set()


def test_codes_are_well_formed_and_explained():
    for code, c in CODES.items():
        assert re.fullmatch(r"N0[1-9]\d\d", code)
        assert c.title and c.title == c.title.strip() and not c.title.endswith(".")
        assert len(c.explanation.split()) >= 15, code  # a paragraph, not a label


def _doc_section(code: str) -> str:
    m = re.search(rf"^### {code} — (.+?)\n\n(.*?)(?=^##|\Z)", DOC, re.M | re.S)
    assert m, f"docs/diagnostics.md has no section for {code}"
    return m.group(1) + "\n" + m.group(2)


@pytest.mark.parametrize("code", sorted(CODES))
def test_docs_list_every_code_with_its_explanation(code):
    title, text = _doc_section(code).split("\n", 1)
    assert title == CODES[code].title
    assert " ".join(text.split()) == " ".join(CODES[code].explanation.split())


def test_docs_list_no_unknown_code():
    assert set(re.findall(r"^### (N\d{4}) ", DOC, re.M)) == set(CODES)


def test_explain_command():
    p = nyash("explain", "N0201")
    assert p.returncode == 0
    assert p.stdout == explain("N0201")
    assert p.stdout.startswith("N0201: undefined variable\n\n")
    assert nyash("explain", "n0201").stdout == p.stdout  # case does not matter


def test_explain_unknown_code():
    p = nyash("explain", "N9999")
    assert p.returncode == 2 and "unknown diagnostic code 'N9999'" in p.stderr
