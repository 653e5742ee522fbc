"""Golden tests: the exact text people see for every kind of diagnostic.

Each ``golden/NAME.nyash`` is run as ``nyash --color never CMD NAME.nyash`` from inside
``golden/`` (CMD is ``check`` unless the first line says ``// cmd: run``); ``NAME.out``
holds the command line, everything written to stderr and the exit status. The outputs
were read line by line when recorded (snippet, marker column, label, suggestion).
``NYASH_UPDATE_GOLDEN=1`` rewrites them: review the diff before committing.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from nyash_build import cli

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.nyash"))


def run(name: str, capfd, monkeypatch) -> str:
    src = GOLDEN / f"{name}.nyash"
    first = src.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    cmd = first.split("cmd:", 1)[1].split() if first.startswith("// cmd:") else ["check"]
    monkeypatch.chdir(GOLDEN)
    monkeypatch.delenv("NO_COLOR", raising=False)
    capfd.readouterr()
    code = cli.main(["--color", "never", *cmd, src.name])
    err = capfd.readouterr().err
    return f"$ nyash {' '.join(cmd)} {src.name}\n{err}[exit {code}]\n"


@pytest.mark.parametrize("name", CASES)
def test_golden(name, capfd, monkeypatch):
    got = run(name, capfd, monkeypatch)
    expected = GOLDEN / f"{name}.out"
    if os.environ.get("NYASH_UPDATE_GOLDEN"):
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")
    assert "Traceback" not in got and "internal compiler error" not in got


def test_every_golden_case_has_an_expected_output():
    assert CASES and all((GOLDEN / f"{n}.out").is_file() for n in CASES)


def test_every_source_diagnostic_code_has_a_golden_case():
    """Each code a program can trigger (N01xx-N05xx) is shown rendered in some golden
    output; the others (files, tools, bugs) are in test_environment.py and test_json.py."""
    from nyash_build.diagcodes import CODES
    shown = "".join(p.read_text(encoding="utf-8") for p in GOLDEN.glob("*.out"))
    missing = [c for c in CODES if c[:3] in ("N01", "N02", "N03", "N04", "N05") and f"[{c}]" not in shown]
    assert missing == []
