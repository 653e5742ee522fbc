"""Diagnostic codes: every diagnostic carries a code, every code the compiler emits is
registered with an explanation, ``nyash explain`` prints it, and docs/diagnostics.md
lists every code with the same title and text."""
from __future__ import annotations

import ast
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


def _calls(name: str):
    """(file, call node) for every call of ``name`` in the compiler's sources."""
    for p in sorted((REPO / "nyash_build").rglob("*.py")):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                if (isinstance(f, ast.Name) and f.id == name) or (isinstance(f, ast.Attribute) and f.attr == name):
                    yield p.relative_to(REPO), node


def _passes_code(call: ast.Call, position: int) -> bool:
    """The call gives the ``code`` argument (keyword, or positionally at ``position``),
    and not as an empty string."""
    given = [k.value for k in call.keywords if k.arg == "code"]
    if len(call.args) > position:
        given.append(call.args[position])
    return bool(given) and not any(isinstance(v, ast.Constant) and not v.value for v in given)


def test_every_diagnostic_is_created_with_a_code():
    """Diagnostic(file, line, col, message, severity, deferred, code, ...) and
    EnvironmentProblem(message, fix, code): no place in the compiler leaves the code
    out (the dataclass defaults exist only for tests and notes)."""
    missing = [f"{p}:{c.lineno}" for p, c in _calls("Diagnostic") if not _passes_code(c, 6)]
    missing += [f"{p}:{c.lineno}" for p, c in _calls("EnvironmentProblem") if not _passes_code(c, 2)]
    assert missing == []
    assert len(list(_calls("Diagnostic"))) >= 15  # the scan does see them


@pytest.mark.parametrize("message, code", [
    ("Division by zero", "N0701"),
    ("Modulo by zero", "N0701"),
    ("Addition not supported between IntegerBox and StringBox", "N0702"),
    ("Negation not supported for StringBox", "N0702"),
    ("Uncaught exception: ErrorBox(boom)", "N0703"),
    ("stack overflow", "N0704"),
    ("Undefined variable 'x'", "N0201"),
    ("Undefined function 'f'", "N0202"),
    ("function add expects 2 arguments, got 1", "N0203"),
    ("Unknown box type 'Foo'", "N0204"),
    ("No constructor found for P with 1 arguments", "N0205"),
    ("static box Util cannot be created with new", "N0206"),
    ("method 'speak' of Dog does not take 1 arguments", "N0209"),
    ("Dog does not delegate to Cat", "N0210"),
    ("Method 'speak' with 1 arguments not found in Animal", "N0211"),
    ("Unknown method 'get' for IntegerBox", "N0705"),
    ("Field 'name' not found in Car", "N0706"),
    ("Field 'secret' is private in Vault", "N0706"),
    ("Cannot convert 'abc' to integer", "N0707"),
    ("network is not available in compiled programs (SocketBox.connect)", "N0213"),
    ("substring() requires integer arguments", "N0700"),
    ("out of memory", "N0700"),
    ("Uncaught exception", "N0700"),  # not the runtime's form: no guess
])
def test_runtime_error_codes(message, code):
    from nyash_build.runtime_errors import runtime_code
    assert runtime_code(message) == code
    assert code in CODES



@pytest.mark.parametrize("code", sorted(CODES))
def test_explain_prints_every_code(code, capsys):
    from nyash_build import cli
    capsys.readouterr()
    assert cli.main(["explain", code]) == 0
    out = capsys.readouterr().out
    assert out == explain(code) and out.startswith(f"{code}: {CODES[code].title}\n\n")
