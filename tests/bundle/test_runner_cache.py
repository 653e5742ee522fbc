"""The runner cache: stable key, reuse without re-freezing, what a cached runner holds."""
import json
import time

from nyash_build.bundle import runner_cache as RC


def test_key_is_stable_and_covers_inputs():
    assert RC.runner_key() == RC.runner_key()
    inputs = RC.runner_key_inputs()
    assert set(inputs["sources"]) == set(RC.RUNNER_SOURCES)
    for field in ("wasmtime", "python", "pyinstaller", "launcher", "options"):
        assert inputs[field]


def test_cached_runner_is_reused(runner_dir):
    t0 = time.perf_counter()
    assert RC.ensure_runner(runner_dir.parent) == runner_dir
    assert time.perf_counter() - t0 < 2.0  # no freeze
    manifest = json.loads((runner_dir / "manifest.json").read_text())
    assert manifest["runner_name"] == RC.RUNNER_NAME
    assert (runner_dir / "launcher").read_bytes()[:4] == b"\x7fELF"
    assert manifest["archive_raw_size"] > len((runner_dir / "runner.xz").read_bytes())


def test_pack_tree_is_deterministic(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.so").write_bytes(b"\x7fELF" * 10)
    (tmp_path / "a.txt").write_text("hi")
    (tmp_path / "link").symlink_to("a.txt")
    first = RC.pack_tree(tmp_path)
    (tmp_path / "a.txt").touch()
    assert RC.pack_tree(tmp_path) == first
    assert first.endswith(b"\0" * 17)
