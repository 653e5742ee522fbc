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
    """Each code a program can trigger (N01xx-N05xx, and N07xx when it runs) is shown
    rendered in some golden output; the others (files, tools, bugs) are in
    test_environment.py and test_json.py."""
    from nyash_build.diagcodes import CODES
    shown = "".join(p.read_text(encoding="utf-8") for p in GOLDEN.glob("*.out"))
    missing = [c for c in CODES if c[:3] in ("N01", "N02", "N03", "N04", "N05", "N07") and f"[{c}]" not in shown]
    assert missing == []


# The rendered examples the README and docs/diagnostics.md show, with the programs that
# produce them: they must be what the compiler prints today, character for character.
DOC_EXAMPLES = [
    ("README.md", "check", "local count = 1\nprint(cout + 1)\n", "app.nyash:2:7: error: Undefined variable"),
    ("docs/diagnostics.md", "check", "local count = 1\nprint(cout + 1)\n", "app.nyash:2:7: error: Undefined variable"),
    ("docs/diagnostics.md", "check", "local x = 2\nif x > 1 {\n    print(x)\n    print(x + 1)\n",
     "app.nyash:5:1: error: expected '}'"),
    ("docs/diagnostics.md", "run", "// integer division\nfunction divide(a, b) {\n    return a / b\n}\n"
     "print(divide(10, 2))\nprint(divide(1, 0))\n", "Runtime error: Division by zero\n"),
    ("docs/diagnostics.md", "run", "// integer division\nfunction divide(a, b) {\n    return a / b\n}\n"
     "print(divide(10, 2))\nprint(divide(1, 0))\n", " --> app.nyash:3:5 [N0701]"),
]


def _doc_block(doc: str, start: str) -> str:
    from tests.helpers import REPO
    text = (REPO / doc).read_text(encoding="utf-8")
    blocks = [b.split("\n", 1)[1] for b in text.split("```")[1::2] if "\n" in b]
    (block,) = [b for b in blocks if b.startswith(start)]
    return block


@pytest.mark.parametrize("doc, cmd, program, start", DOC_EXAMPLES)
def test_rendered_examples_in_the_docs_are_current(doc, cmd, program, start, tmp_path, capfd, monkeypatch):
    (tmp_path / "app.nyash").write_text(program, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    capfd.readouterr()
    cli.main(["--color", "never", cmd, "app.nyash"])
    err = capfd.readouterr().err
    block = _doc_block(doc, start)
    if start.startswith(" -->"):  # the part `nyash run` adds after the frames
        err = err[err.index(" --> "):]
    elif start.startswith("Runtime error"):  # what every host prints
        err = err[:err.index(" --> ")]
    assert err == block
