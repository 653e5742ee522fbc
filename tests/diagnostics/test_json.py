"""``--format json``: one object per diagnostic on stdout, valid against the schema
documented in docs/diagnostics.md (docs/diagnostics.schema.json), positions agreeing
with the rendered snippets, nothing else on stdout."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from nyash_build import cli
from tests.diagnostics.test_golden import CASES, GOLDEN
from tests.helpers import REPO, nyash

SCHEMA = json.loads((REPO / "docs" / "diagnostics.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def check_json(path: Path, capfd, monkeypatch, *args: str) -> tuple[int, list[dict], str]:
    monkeypatch.chdir(path.parent)
    capfd.readouterr()
    code = cli.main(["check", "--format", "json", *args, path.name])
    out, err = capfd.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("name", [c for c in CASES if not c.startswith("runtime_")])
def test_every_golden_case_is_valid_json(name, capfd, monkeypatch):
    code, objs, err = check_json(GOLDEN / f"{name}.nyash", capfd, monkeypatch)
    assert objs, "every golden case has at least one diagnostic"
    for o in objs:
        VALIDATOR.validate(o)
    # the exit status is the same as in text mode; no text on stderr
    assert code == (1 if any(o["severity"] == "error" for o in objs) else 0)
    assert err == ""
    # the JSON and the rendered headers agree on every position
    headers = [line for line in (GOLDEN / f"{name}.out").read_text(encoding="utf-8").splitlines()
               if re.match(r"^[^\s:]+\.nyash:\d+:\d+: (error|warning): ", line)]
    assert [f"{o['file']}:{o['line']}:{o['column']}" for o in objs] == [h.split(": ")[0] for h in headers]


def test_one_object_exactly(tmp_path, capfd, monkeypatch):
    src = tmp_path / "app.nyash"
    src.write_text("local count = 1\nprint(cout + 1)\n")
    code, objs, _ = check_json(src, capfd, monkeypatch)
    assert code == 1
    assert objs == [{
        "version": 1, "file": "app.nyash", "line": 2, "column": 7, "end": {"line": 2, "column": 11},
        "severity": "error", "code": "N0201", "message": "Undefined variable 'cout'",
        "label": "not defined here", "runtime": True,
        "suggestions": [{"message": "did you mean `count` (a local variable)?", "replacement": "count"}],
        "related": [],
    }]


def test_replacement_applies_to_the_span(capfd, monkeypatch):
    """Applying each suggestion's replacement to [column, end) gives the intended text."""
    _, objs, _ = check_json(GOLDEN / "unicode_line.nyash", capfd, monkeypatch)
    lines = (GOLDEN / "unicode_line.nyash").read_text(encoding="utf-8").split("\n")
    (fix,) = [o for o in objs if o["suggestions"]]
    line = lines[fix["line"] - 1]
    fixed = line[:fix["column"] - 1] + fix["suggestions"][0]["replacement"] + line[fix["end"]["column"] - 1:]
    assert fixed == 'print("größe: " + größe)'


def test_related_positions(capfd, monkeypatch):
    _, objs, _ = check_json(GOLDEN / "wrong_argument_count.nyash", capfd, monkeypatch)
    assert objs[0]["related"] == [{"file": "wrong_argument_count.nyash", "line": 1, "column": 10,
                                   "end": {"line": 1, "column": 13}, "message": "add takes 2: (a, b)"}]


def test_clean_program_prints_nothing(tmp_path, capfd, monkeypatch):
    src = tmp_path / "ok.nyash"
    src.write_text("print(1)\n")
    assert check_json(src, capfd, monkeypatch) == (0, [], "")


def test_unreadable_file_is_an_object_without_position(tmp_path, capfd, monkeypatch):
    code, objs, _ = check_json(tmp_path / "missing.nyash", capfd, monkeypatch)
    assert code == 1
    VALIDATOR.validate(objs[0])
    assert (objs[0]["line"], objs[0]["code"], objs[0]["message"]) == (
        None, "N0601", "cannot read source file: No such file or directory")


def test_json_from_the_command_line(tmp_path):
    src = tmp_path / "app.nyash"
    src.write_text("print(nope)\n")
    p = nyash("check", "--format=json", str(src))
    assert p.returncode == 1 and p.stderr == ""
    (obj,) = [json.loads(line) for line in p.stdout.splitlines()]
    VALIDATOR.validate(obj)
    assert obj["code"] == "N0201"


def test_compile_wasm_json_reports_warnings_and_writes(tmp_path):
    src = tmp_path / "app.nyash"
    src.write_text("function never() {\n return typo\n}\nprint(1)\n")
    out = tmp_path / "app.wasm"
    p = nyash("--compile-wasm", str(src), "-o", str(out), "--format", "json")
    assert p.returncode == 0 and out.is_file(), p.stderr
    (obj,) = [json.loads(line) for line in p.stdout.splitlines()]
    VALIDATOR.validate(obj)
    assert (obj["severity"], obj["runtime"], obj["line"]) == ("warning", True, 2)


@pytest.mark.parametrize("args", [["--format", "xml", "check", "a.nyash"], ["run", "--format", "json", "a.nyash"],
                                  ["--color", "sometimes", "check", "a.nyash"]])
def test_bad_option_values_are_usage_errors(args):
    p = nyash(*args)
    assert p.returncode == 2 and p.stderr.startswith("nyash: ") and "Traceback" not in p.stderr


def _project(tmp_path, source: str) -> Path:
    import shutil
    proj = tmp_path / "proj"
    shutil.copytree(REPO / "examples" / "hello", proj)
    (proj / "hello.nyash").write_text(source)
    return proj


def test_build_json_has_only_diagnostics_on_stdout(tmp_path):
    proj = _project(tmp_path, "local count = 1\nprint(cuont\n")
    p = nyash("build", "--format", "json", cwd=proj)
    assert p.returncode == 1
    objs = [json.loads(line) for line in p.stdout.splitlines()]
    for o in objs:
        VALIDATOR.validate(o)
    assert [(o["file"], o["line"], o["column"], o["code"]) for o in objs] == [("hello.nyash", 2, 12, "N0113")]
    assert objs[0]["related"][0]["column"] == 6  # the `(` that is never closed
    assert "FAILED" in p.stderr and "Traceback" not in p.stderr  # progress lines go to stderr


def test_build_text_shows_the_snippet(tmp_path):
    proj = _project(tmp_path, "print(nope(1)\n")
    p = nyash("build", "--color", "never", cwd=proj)
    assert p.returncode == 1 and p.stderr == ""
    assert ("error: wasm:hello: compile errors:\n"
            "hello.nyash:1:14: error: expected ')', found end of line [N0113]\n"
            "  |\n"
            "1 | print(nope(1)\n"
            "  |      - this `(` is never closed\n"
            "  |              ^ the line ends here\n") in p.stdout


def test_build_json_config_problem(tmp_path):
    proj = _project(tmp_path, "print(1)\n")
    (proj / "nyash.toml").write_text('[project]\nname = "hello"\n[apps.hello]\nmain = 5\n')
    p = nyash("build", "--format=json", cwd=proj)
    assert p.returncode == 2
    (obj,) = [json.loads(line) for line in p.stdout.splitlines()]
    VALIDATOR.validate(obj)
    assert (obj["file"], obj["line"], obj["column"], obj["code"]) == ("nyash.toml", 4, None, "N0606")


@pytest.mark.parametrize("args, message, choice", [
    (["hell"], "unknown app 'hell' (apps: hello)", "hello"),
    (["--profile", "relase"], "unknown profile 'relase' (defined: debug, release)", "release"),
])
def test_build_json_unknown_app_or_profile(tmp_path, args, message, choice):
    proj = _project(tmp_path, "print(1)\n")
    p = nyash("build", "--format", "json", *args, cwd=proj)
    assert p.returncode == 2 and p.stderr == ""
    (obj,) = [json.loads(line) for line in p.stdout.splitlines()]
    VALIDATOR.validate(obj)
    assert (obj["file"], obj["line"], obj["code"], obj["message"]) == ("nyash.toml", None, "N0607", message)
    # no span to replace: the suggestion is advice
    assert obj["suggestions"] == [{"message": f"did you mean `{choice}`?", "replacement": None}]


def test_build_text_unknown_app(tmp_path):
    proj = _project(tmp_path, "print(1)\n")
    p = nyash("build", "--color", "never", "helo", cwd=proj)
    assert p.returncode == 2
    assert p.stderr == ("nyash.toml: error: unknown app 'helo' (apps: hello) [N0607]\n"
                        "  = help: did you mean `hello`?\n")


def test_build_shows_warnings_again_on_a_cache_hit(tmp_path):
    """A build served from the local cache does not compile, yet reports the same
    warnings (text and JSON) as the build that compiled; the executable's payload does
    not carry them."""
    import shutil

    from runtime_stub import payload as PF
    proj = _project(tmp_path, "local count = 1\nprint(cout + 1)\n")
    env = {"NYASH_CACHE_DIR": str(tmp_path / "cache")}
    first = nyash("build", "--format", "json", cwd=proj, env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    objs = [json.loads(line) for line in first.stdout.splitlines()]
    assert [(o["code"], o["line"], o["severity"]) for o in objs] == [("N0201", 2, "warning")]
    for o in objs:
        VALIDATOR.validate(o)
    shutil.rmtree(proj / "build")
    again = nyash("build", "--format", "json", cwd=proj, env=env, timeout=600)
    assert again.returncode == 0 and "(local hit)" in again.stderr, again.stderr
    assert again.stdout == first.stdout
    shutil.rmtree(proj / "build")
    text = nyash("build", "--color", "never", cwd=proj, env=env, timeout=600)
    assert text.returncode == 0 and "(local hit)" in text.stdout + text.stderr
    assert ("hello.nyash:2:7: warning: Undefined variable 'cout' (a runtime error if this code runs) [N0201]\n"
            "  |\n"
            "2 | print(cout + 1)\n"
            "  |       ^^^^ not defined here\n"
            "  = help: did you mean `count` (a local variable)?\n") in text.stderr
    _, payload = PF.read_executable_payload(str(proj / "build" / "hello" / "hello"))
    assert "diagnostics" not in payload.meta() and "cout" not in json.dumps(payload.meta())
