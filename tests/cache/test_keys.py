"""Action keys: every ingredient of every stage changes the key; nothing else does."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nyash_build.project import stages
from nyash_build.cache import keys

HOST = {"os": "linux", "machine": "x86_64"}
SOURCES = [{"name": "main.nyash", "sha256": "a" * 64}, {"name": "lib/util.nyash", "sha256": "b" * 64}]
WASM = dict(sources=SOURCES, compiler="0.1.0+abc", debug=False, host=HOST)
CWASM = dict(wasm_sha256="b" * 64, variant="baseline", opt_level="speed", debug=False,
             aot="wasmtime-50.0.0+def", engine={"compat": {"target": "x86_64"}, "source": "1"},
             host=HOST)
BUNDLE = dict(wasm_sha256="c" * 64, meta_sha256="d" * 64,
              cwasm_sha256={"baseline": "e" * 64, "x86-64-v3": "f" * 64},
              variants=["baseline", "x86-64-v3"], bundler="b1", runner="r1", host=HOST)
RUNNER = dict(runner_key="9041e9d1c52ba195a06e6430", host=HOST)

CHANGES = {
    "wasm": (keys.wasm_key, WASM, {
        "sources": [SOURCES[0], {"name": "lib/util.nyash", "sha256": "0" * 64}],
        "sources/entry": [{"name": "main.nyash", "sha256": "0" * 64}, SOURCES[1]],
        "sources/name": [SOURCES[0], {"name": "lib/other.nyash", "sha256": "b" * 64}],
        "sources/order": [SOURCES[1], SOURCES[0]],
        "sources/fewer": SOURCES[:1],
        "compiler": "0.1.0+abd",
        "debug": True, "host": {"os": "linux", "machine": "aarch64"}}),
    "cwasm": (keys.cwasm_key, CWASM, {
        "wasm_sha256": "0" * 64, "variant": "x86-64-v3", "opt_level": "none", "debug": True,
        "aot": "wasmtime-51.0.0+def", "engine": {"compat": {"target": "x86_64"}, "source": "2"},
        "host": {"os": "darwin", "machine": "x86_64"}}),
    "bundle": (keys.bundle_key, BUNDLE, {
        "wasm_sha256": "0" * 64, "meta_sha256": "0" * 64,
        "cwasm_sha256": {"baseline": "e" * 64, "x86-64-v3": "0" * 64},
        "variants": ["x86-64-v3", "baseline"], "bundler": "b2", "runner": "r2",
        "host": {"os": "linux", "machine": "aarch64"}}),
    "runner": (keys.runner_action_key, RUNNER, {
        "runner_key": "0" * 24, "host": {"os": "linux", "machine": "aarch64"}}),
}
CASES = [(stage, name, value) for stage, (_, _, changes) in CHANGES.items()
         for name, value in changes.items()]


@pytest.mark.parametrize("stage,ingredient,value", CASES,
                         ids=[f"{s}-{n}" for s, n, _ in CASES])
def test_each_ingredient_changes_the_key(stage: str, ingredient: str, value) -> None:
    fn, base, _ = CHANGES[stage]
    assert fn(**base) != fn(**{**base, ingredient.split("/")[0]: value})


@pytest.mark.parametrize("stage", list(CHANGES))
def test_key_is_stable_64_hex_and_stage_specific(stage: str) -> None:
    fn, base, _ = CHANGES[stage]
    key = fn(**base)
    assert re.fullmatch(r"[0-9a-f]{64}", key) and key == fn(**dict(base))
    others = {f(**b) for s, (f, b, _) in CHANGES.items() if s != stage}
    assert key not in others


def test_key_recipe_is_the_documented_one() -> None:
    """docs/cache.md: sha256 over canonical JSON with the format number and stage."""
    doc = {"nyash-action": keys.FORMAT, "stage": "runner", "runner": RUNNER["runner_key"],
           "host": HOST}
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    assert keys.runner_action_key(**RUNNER) == keys.sha256_hex(blob)


# ----------------------------------------------------------------- live stage keys


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {}
    for name, data in (("main.nyash", b"print(1)"), ("a.wasm", b"\0asm1"),
                       ("a.meta.json", b"{}"), ("a.baseline.cwasm", b"cw1"),
                       ("a.x86-64-v3.cwasm", b"cw3")):
        (tmp_path / name).write_bytes(data)
        paths[name] = str(tmp_path / name)
    return paths


def test_stage_keys_follow_tool_identities(files, monkeypatch) -> None:
    """Compiler, AOT/wasmtime, bundler and runner identities reach their stage's key."""
    ids = {"compiler_identity": "c1", "aot_identity": "a1", "bundle_identity": "b1",
           "runner_identity": "r1"}
    for name, value in ids.items():
        monkeypatch.setattr(stages, name, lambda v=value: v)
    cw = {"baseline": files["a.baseline.cwasm"], "x86-64-v3": files["a.x86-64-v3.cwasm"]}

    def all_keys() -> tuple[str, str, str]:
        return (stages.wasm_action_key(files["main.nyash"], False),
                stages.cwasm_action_key(files["a.wasm"], "baseline", False, "speed"),
                stages.bundle_action_key(files["a.wasm"], files["a.meta.json"], cw))

    before = all_keys()
    for index, name in enumerate(["compiler_identity", "aot_identity", "bundle_identity"]):
        monkeypatch.setattr(stages, name, lambda: "changed")
        after = all_keys()
        assert after[index] != before[index] and after[:index] == before[:index]
        before = after
    monkeypatch.setattr(stages, "runner_identity", lambda: "changed")
    assert all_keys()[2] != before[2] and all_keys()[:2] == before[:2]


def test_wasm_key_covers_included_files_by_name_and_content(tmp_path: Path) -> None:
    """The live key scans the include closure: editing an included file changes it;
    another location of the same project (another machine) does not."""
    keys_at = []
    for where in ("one", "two"):
        root = tmp_path / where
        (root / "lib").mkdir(parents=True)
        (root / "main.nyash").write_text('include "lib/util.nyash"\nprint(f())\n')
        (root / "lib" / "util.nyash").write_text("function f() { return 1 }\n")
        keys_at.append(stages.wasm_action_key(str(root / "main.nyash"), False, str(root)))
    assert keys_at[0] == keys_at[1]
    (tmp_path / "two" / "lib" / "util.nyash").write_text("function f() { return 2 }\n")
    assert stages.wasm_action_key(str(tmp_path / "two" / "main.nyash"), False,
                                  str(tmp_path / "two")) != keys_at[0]


def test_stage_keys_follow_input_content_and_settings(files) -> None:
    w = stages.wasm_action_key(files["main.nyash"], False)
    assert stages.wasm_action_key(files["main.nyash"], True) != w
    Path(files["main.nyash"]).write_bytes(b"print(2)")
    assert stages.wasm_action_key(files["main.nyash"], False) != w

    c = stages.cwasm_action_key(files["a.wasm"], "baseline", False, "speed")
    assert stages.cwasm_action_key(files["a.wasm"], "baseline", False, "none") != c
    assert stages.cwasm_action_key(files["a.wasm"], "x86-64-v3", False, "speed") != c
    assert stages.cwasm_action_key(files["a.wasm"], "baseline", True, "speed") != c
    Path(files["a.wasm"]).write_bytes(b"\0asm2")
    assert stages.cwasm_action_key(files["a.wasm"], "baseline", False, "speed") != c

    cw = {"baseline": files["a.baseline.cwasm"]}
    b = stages.bundle_action_key(files["a.wasm"], files["a.meta.json"], cw)
    Path(files["a.meta.json"]).write_bytes(b'{"x": 1}')
    assert stages.bundle_action_key(files["a.wasm"], files["a.meta.json"], cw) != b


def test_engine_settings_are_the_variant_compat_keys() -> None:
    """The cwasm key's engine ingredient: what wasmtime checks when loading the artifact."""
    base = stages.engine_settings("baseline", False, "speed")
    assert base["compat"]["variant"] == "baseline" and base["compat"]["wasmtime"]
    assert stages.engine_settings("x86-64-v3", False, "speed")["compat"] != base["compat"]
    assert stages.engine_settings("baseline", True, "speed")["compat"]["debug_info"] is True
