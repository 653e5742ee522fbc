"""Remote cache against a real nginx WebDAV server (started by the test, 127.0.0.1 only).

Machine A builds and uploads; a fresh clone B with an empty local cache and its own build
dir then runs no compile, AOT, freeze or bundle action at all; a corrupted object on the
server is detected and rebuilt; a server stopped mid-build still gives a correct build.
The real compiler, wasmtime and the frozen runner are used (the runner is reused from
the user cache through a symlink, so it is frozen at most once).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("nyash_build.compiler.driver")
pytest.importorskip("nyash_build.bundle.exe")

from nyash_build.project.commands import cmd_build  # noqa: E402
from nyash_build.project.tasks import NyashReporter  # noqa: E402
from nyash_build.bundle import runner_cache  # noqa: E402
from nyash_build.cache import store  # noqa: E402

USER_RUNNERS = runner_cache.default_cache_dir()  # the real runner cache, before any setenv
PROGRAM = """\
static box Main {
    main() {
        local i = 1
        loop(i <= 3) {
            print("cached " + i * 7)
            i = i + 1
        }
    }
}
"""
EXPECTED = "cached 7\ncached 14\ncached 21\n"
TOML = """\
[project]
name = "tiny"

[build]
variants = ["baseline", "x86-64-v3"]

[apps.tiny]
main = "src/main.nyash"
"""
TASKS = ["wasm:tiny", "cwasm:tiny.baseline", "cwasm:tiny.x86-64-v3", "build:tiny"]


def make_project(dest: Path) -> Path:
    """A fresh clone: sources only, no build dir."""
    (dest / "src").mkdir(parents=True)
    (dest / "nyash.toml").write_text(TOML)
    (dest / "src/main.nyash").write_text(PROGRAM)
    return dest


def seed_runner(cache_dir: Path) -> None:
    """Give a machine the already frozen runner (symlink), as a warm runner cache would."""
    key = runner_cache.runner_key()
    runner_cache.ensure_runner(USER_RUNNERS)
    (cache_dir / "runners").mkdir(parents=True, exist_ok=True)
    link = cache_dir / "runners" / key
    if not link.exists():
        link.symlink_to(USER_RUNNERS / key, target_is_directory=True)


def build(project: Path, cache_dir: Path, remote: str | None, monkeypatch, capfd
          ) -> tuple[dict, str, str]:
    """`nyash build --explain` on one 'machine'; returns (what ran, stdout, stderr)."""
    monkeypatch.setenv("NYASH_CACHE_DIR", str(cache_dir))
    if remote:
        monkeypatch.setenv("NYASH_REMOTE_CACHE", remote)
    else:
        monkeypatch.delenv("NYASH_REMOTE_CACHE", raising=False)
    capfd.readouterr()
    status = cmd_build(None, "release", True, project)
    out, err = capfd.readouterr()
    assert status == 0, out + err
    return NyashReporter.last, out, err


def run_exe(exe: Path) -> str:
    done = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(exe.parent)})
    assert done.returncode == 0, done.stderr
    return done.stdout


def forbid_local_work(monkeypatch) -> None:
    """Make every compile, AOT, freeze and bundle action fail loudly if it runs."""
    import nyash_build.aot.compile as aot
    import nyash_build.bundle.exe as exe
    import nyash_build.compiler.driver as driver

    def boom(*_a, **_k):
        raise AssertionError("a build action ran although the remote cache had its result")
    for module, name in ((driver, "compile_file"), (aot, "precompile"),
                         (runner_cache, "freeze"), (runner_cache, "ensure_runner"),
                         (exe, "build_executable")):
        monkeypatch.setattr(module, name, boom)


def server_blob(server, last: dict, task: str, output: str) -> Path:
    """The file behind one output of one task's action result in nginx's store."""
    entry = json.loads((server.store / "nyash/ac" / last["keys"][task]).read_bytes())
    return server.store / "nyash/cas" / entry["outputs"][output]["sha256"]


@pytest.fixture
def machine_a(tmp_path, nginx_factory, monkeypatch, capfd):
    """nginx plus machine A's build (everything built locally and uploaded)."""
    server = nginx_factory()
    cache_a = tmp_path / "cache-a"
    seed_runner(cache_a)
    project = make_project(tmp_path / "a")
    last, out, err = build(project, cache_a, server.url(), monkeypatch, capfd)
    assert last["cache"] == {t: "built" for t in TASKS}, out
    assert "warning" not in err, err
    for key in last["keys"].values():
        assert (server.store / "nyash/ac" / key).is_file()
    return server, last, (project / "build/tiny/tiny").read_bytes()


def test_fresh_clone_runs_no_build_action(machine_a, tmp_path, monkeypatch, capfd) -> None:
    server, a_last, a_exe = machine_a
    cache_b = tmp_path / "cache-b"
    project = make_project(tmp_path / "b")
    with monkeypatch.context() as m:
        forbid_local_work(m)
        last, out, err = build(project, cache_b, server.url(), monkeypatch, capfd)
    assert sorted(last["ran"]) == sorted(TASKS)
    assert last["cache"] == {t: "remote hit" for t in TASKS}, out + err
    assert last["keys"] == a_last["keys"]
    for task, key in last["keys"].items():
        assert f"cache: remote hit, key {key}" in out
    assert "4 from the remote cache" in out and "warning" not in err
    assert not (cache_b / "runners").exists(), "no runner was needed, fetched or frozen"
    exe = project / "build/tiny/tiny"
    assert exe.read_bytes() == a_exe and os.access(exe, os.X_OK)
    assert run_exe(exe) == EXPECTED

    # B again from an empty build dir, server gone: the local cache now has everything
    server.stop()
    shutil.rmtree(project / "build")
    with monkeypatch.context() as m:
        forbid_local_work(m)
        last, out, err = build(project, cache_b, server.url(), monkeypatch, capfd)
    assert last["cache"] == {t: "local hit" for t in TASKS}, out + err
    assert err == ""
    assert run_exe(exe) == EXPECTED


def test_corrupt_and_truncated_objects_are_rebuilt(machine_a, tmp_path, monkeypatch,
                                                   capfd) -> None:
    server, a_last, a_exe = machine_a
    wasm_blob = server_blob(server, a_last, "wasm:tiny", "wasm")
    good_wasm = wasm_blob.read_bytes()
    wasm_blob.write_bytes(good_wasm[:-1] + bytes([good_wasm[-1] ^ 0xFF]))  # same size
    cwasm_blob = server_blob(server, a_last, "cwasm:tiny.baseline", "cwasm")
    cwasm_blob.write_bytes(cwasm_blob.read_bytes()[:1000])  # truncated

    cache_c = tmp_path / "cache-c"
    seed_runner(cache_c)
    project = make_project(tmp_path / "c")
    last, out, err = build(project, cache_c, server.url(), monkeypatch, capfd)
    assert last["cache"] == {"wasm:tiny": "built", "cwasm:tiny.baseline": "built",
                             "cwasm:tiny.x86-64-v3": "remote hit",
                             "build:tiny": "remote hit"}, out + err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2, err
    assert "sha256 mismatch" in warnings[0] and "truncated" in warnings[1]
    assert (project / "build/tiny/tiny").read_bytes() == a_exe
    assert run_exe(project / "build/tiny/tiny") == EXPECTED
    # the rebuilt outputs were uploaded again: the server's objects are whole once more
    for blob in (wasm_blob, cwasm_blob):
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name


def test_server_stopped_mid_build(machine_a, tmp_path, nginx_factory, monkeypatch,
                                  capfd) -> None:
    server, a_last, a_exe = machine_a
    second = nginx_factory(server.store)  # same store, a server this test may stop
    calls: list[str] = []
    real_request = store.RemoteStore._request

    def request(self, method, path, body=None):
        calls.append(f"{method} {path}")
        if len(calls) == 4:  # the wasm stage is done (ac + 2 blobs): pull the plug
            second.stop()
        return real_request(self, method, path, body)

    monkeypatch.setattr(store.RemoteStore, "_request", request)
    cache_d = tmp_path / "cache-d"
    seed_runner(cache_d)
    project = make_project(tmp_path / "d")
    last, out, err = build(project, cache_d, second.url(), monkeypatch, capfd)
    assert last["cache"] == {"wasm:tiny": "remote hit", "cwasm:tiny.baseline": "built",
                             "cwasm:tiny.x86-64-v3": "built", "build:tiny": "built"}, out + err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "building locally" in warnings[0], err
    assert len(calls) == 4, f"the dead server was contacted again: {calls}"
    assert (project / "build/tiny/tiny").read_bytes() == a_exe
    assert run_exe(project / "build/tiny/tiny") == EXPECTED
