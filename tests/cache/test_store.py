"""Local and remote stores, verification, timeouts, read-only mode and the bearer token,
against a small in-process HTTP server (the nginx test covers a real one)."""
from __future__ import annotations

import json
import multiprocessing
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from nyash_build.project import stages
from nyash_build.cache import keys
from nyash_build.cache.store import (ActionCache, CacheSpec, LocalStore, Output, RemoteStore,
                                     make_entry, run_cached)

KEY = "1" * 64


class FakeServer(ThreadingHTTPServer):
    """A dict-backed Bazel-style HTTP cache that records every request."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.objects: dict[str, bytes] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.status: int | None = None  # force this status on every request

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/pre"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _reply(self, status: int, body: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        srv: FakeServer = self.server
        srv.requests.append(("GET", self.path, dict(self.headers)))
        if srv.status:
            return self._reply(srv.status)
        data = srv.objects.get(self.path)
        self._reply(200, data) if data is not None else self._reply(404)

    def do_PUT(self) -> None:  # noqa: N802
        srv: FakeServer = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        srv.requests.append(("PUT", self.path, dict(self.headers)))
        if srv.status:
            return self._reply(srv.status)
        srv.objects[self.path] = body
        self._reply(201)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    srv = FakeServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def spec(tmp_path: Path, remote: str | None, **kw) -> CacheSpec:
    return CacheSpec(local_dir=str(tmp_path / kw.pop("local", "local")), remote=remote, **kw)


OUTPUTS = {"wasm": b"\0asm-bytes", "meta": b'{"m": 1}'}


def test_upload_then_remote_hit_then_local_hit(tmp_path, server) -> None:
    ActionCache(spec(tmp_path, server.url, local="a")).store(KEY, OUTPUTS)
    entry = json.loads(server.objects[f"/pre/ac/{KEY}"])
    assert entry["format"] == "nyash-action-result/1"
    for name, data in OUTPUTS.items():
        ref = entry["outputs"][name]
        assert ref == {"sha256": keys.sha256_hex(data), "size": len(data)}
        assert server.objects[f"/pre/cas/{ref['sha256']}"] == data
    puts = [path for method, path, _ in server.requests if method == "PUT"]
    assert puts[-1] == f"/pre/ac/{KEY}", "the action result goes up after its blobs"

    b = ActionCache(spec(tmp_path, server.url, local="b"))
    hit = b.lookup(KEY, "test")
    assert hit.origin == "remote" and hit.outputs == OUTPUTS
    server.requests.clear()
    hit = b.lookup(KEY, "test")
    assert hit.origin == "local" and hit.outputs == OUTPUTS and server.requests == []


def test_miss_is_quiet(tmp_path, server, capsys) -> None:
    assert ActionCache(spec(tmp_path, server.url)).lookup(KEY, "test") is None
    assert capsys.readouterr().err == ""


def test_read_only_downloads_but_never_uploads(tmp_path, server) -> None:
    ActionCache(spec(tmp_path, server.url, local="a")).store(KEY, OUTPUTS)
    server.requests.clear()
    ro = ActionCache(spec(tmp_path, server.url, local="b", read_only=True))
    assert ro.lookup(KEY, "test").origin == "remote"
    ro.store("2" * 64, {"x": b"y"})
    assert [m for m, _, _ in server.requests] == ["GET", "GET", "GET"]


def test_bearer_token_is_sent_and_never_printed(tmp_path, server, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TEAM_CACHE_TOKEN", "s3cret-token")
    cache = ActionCache(spec(tmp_path, server.url, token_env="TEAM_CACHE_TOKEN"))
    cache.lookup(KEY, "test")
    assert server.requests[0][2]["Authorization"] == "Bearer s3cret-token"
    server.status = 401
    cache.store(KEY, OUTPUTS)
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "s3cret" not in err and "s3cret" not in repr(cache.spec)


def test_corrupt_and_truncated_remote_blobs_are_discarded(tmp_path, server, capsys) -> None:
    ActionCache(spec(tmp_path, server.url, local="a")).store(KEY, OUTPUTS)
    path = f"/pre/cas/{keys.sha256_hex(OUTPUTS['wasm'])}"
    server.objects[path] = b"X" + OUTPUTS["wasm"][1:]
    assert ActionCache(spec(tmp_path, server.url, local="b")).lookup(KEY, "app") is None
    server.objects[path] = OUTPUTS["wasm"][:3]
    assert ActionCache(spec(tmp_path, server.url, local="c")).lookup(KEY, "app") is None
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "sha256 mismatch" in lines[0] and "truncated" in lines[1]
    assert not list((tmp_path / "b").rglob("ac/*/*")), "nothing unverified reached the local cache"


def test_malformed_action_result_is_a_miss(tmp_path, server, capsys) -> None:
    server.objects[f"/pre/ac/{KEY}"] = b"<html>not json</html>"
    assert ActionCache(spec(tmp_path, server.url)).lookup(KEY, "app") is None
    assert "malformed" in capsys.readouterr().err


def test_corrupt_local_object_is_removed_and_missed(tmp_path, capsys) -> None:
    cache = ActionCache(spec(tmp_path, None))
    cache.store(KEY, OUTPUTS)
    blob = next(p for p in (tmp_path / "local/cas").rglob("*") if p.is_file()
                and p.read_bytes() == OUTPUTS["meta"])
    blob.write_bytes(b"tampered")
    assert cache.lookup(KEY, "app") is None
    assert not blob.exists() and "corrupt" in capsys.readouterr().err


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list]]:
    """Accepts connections and never answers: the slow/hung server."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def loop() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(sock.accept()[0])
            except OSError:
                pass
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/pre", accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    sock.close()


def test_hung_server_times_out_once_then_is_left_alone(tmp_path, silent_server, capsys) -> None:
    url, accepted = silent_server
    cache = ActionCache(spec(tmp_path, url, read_timeout=0.3, connect_timeout=0.3))
    start = time.monotonic()
    assert cache.lookup(KEY, "app") is None
    assert time.monotonic() - start < 2
    for _ in range(3):
        assert cache.lookup("3" * 64, "app") is None
        cache.store("4" * 64, OUTPUTS)
    assert time.monotonic() - start < 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"warning: remote cache {url} timed out; building locally without it "
                   f"for the rest of this build"]
    assert len(accepted) == 1


def test_dead_server_one_warning(tmp_path, capsys) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cache = ActionCache(spec(tmp_path, f"http://user:pw@127.0.0.1:{port}/x"))
    for _ in range(3):
        assert cache.lookup(KEY, "app") is None
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "refused" in err[0] and "pw" not in err[0]


def _fail_in_child(s: CacheSpec) -> None:
    RemoteStore(s).fail("failed (test)")


def test_down_state_is_shared_with_worker_processes(tmp_path, capfd) -> None:
    """doit -n N runs actions in other processes: one failure there silences all."""
    s = spec(tmp_path, "http://127.0.0.1:9/x")
    child = multiprocessing.get_context("fork").Process(target=_fail_in_child, args=(s,))
    child.start()
    child.join()
    remote = RemoteStore(s)
    assert remote.down
    remote.fail("failed again")
    assert capfd.readouterr().err.count("warning:") == 1


def test_run_cached_builds_on_miss_only_and_never_caches_failures(tmp_path) -> None:
    out = tmp_path / "out.bin"
    calls = []

    def build():
        calls.append(1)
        out.write_bytes(b"result")

    s = spec(tmp_path, None)
    assert run_cached(s, KEY, "x", [Output("o", str(out), 0o755)], build) == ("built", None)
    out.unlink()
    assert run_cached(s, KEY, "x", [Output("o", str(out), 0o755)], build) == ("local hit", None)
    assert out.read_bytes() == b"result" and out.stat().st_mode & 0o777 == 0o755
    assert len(calls) == 1
    assert run_cached(s, "5" * 64, "x", [Output("o", str(out))], lambda: "failed") == \
        ("built", "failed")
    assert ActionCache(s).lookup("5" * 64, "x") is None
    assert run_cached(CacheSpec(), KEY, "x", [Output("o", str(out))], build)[0] == "built"
    assert len(calls) == 2, "a disabled cache always builds"


def test_local_store_layout(tmp_path) -> None:
    local = LocalStore(tmp_path)
    digest = local.put_blob(b"abc")
    assert (tmp_path / "cas" / digest[:2] / digest).read_bytes() == b"abc"
    local.put_ac(KEY, make_entry({"a": b"abc"})[1])
    assert (tmp_path / "ac" / KEY[:2] / KEY).is_file()


# ----------------------------------------------------------------- the frozen runner


RUNNER_FILES = {"launcher": b"\x7fELF...", "runner.xz": b"xz-archive", "manifest.json": b"{}"}


def test_missing_runner_is_fetched_from_the_remote(tmp_path, server, monkeypatch) -> None:
    from nyash_build.bundle import runner_cache
    monkeypatch.setattr(runner_cache, "runner_key", lambda: "rk1")
    monkeypatch.setattr(runner_cache, "default_cache_dir", lambda: tmp_path / "runners")
    s = spec(tmp_path, server.url)
    ActionCache(s).store(keys.runner_action_key(runner_key="rk1"), RUNNER_FILES, local=False)
    assert stages._runner_from_remote(s) is None
    installed = tmp_path / "runners" / "rk1"
    assert {p.name: p.read_bytes() for p in installed.iterdir()} == RUNNER_FILES
    assert installed.joinpath("launcher").stat().st_mode & 0o111


def test_runner_frozen_here_is_uploaded(tmp_path, server, monkeypatch) -> None:
    from nyash_build.bundle import runner_cache
    monkeypatch.setattr(runner_cache, "runner_key", lambda: "rk2")
    monkeypatch.setattr(runner_cache, "default_cache_dir", lambda: tmp_path / "runners")
    s = spec(tmp_path, server.url)
    upload = stages._runner_from_remote(s)
    assert upload is not None
    final = tmp_path / "runners" / "rk2"
    final.mkdir(parents=True)
    for name, data in RUNNER_FILES.items():
        (final / name).write_bytes(data)
    upload()
    hit = ActionCache(spec(tmp_path, server.url, local="fresh")).lookup(
        keys.runner_action_key(runner_key="rk2"), "runner")
    assert hit is not None and hit.outputs == RUNNER_FILES


def test_prune_removes_unused_entries(tmp_path, monkeypatch, capsys) -> None:
    import os as _os

    from nyash_build.project.commands import cmd_cache_prune
    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path))
    cache = ActionCache(spec(tmp_path, None, local="."))
    cache.store(KEY, {"old": b"old bytes"})
    cache.store("6" * 64, {"new": b"new bytes"})
    old = [tmp_path / "ac" / KEY[:2] / KEY,
           tmp_path / "cas" / keys.sha256_hex(b"old bytes")[:2] / keys.sha256_hex(b"old bytes")]
    for path in old:
        _os.utime(path, (1_000_000, 1_000_000))
    assert cmd_cache_prune(days=30) == 0
    assert "removed 2 files from the stage output cache" in capsys.readouterr().out
    assert cache.lookup(KEY, "x") is None and cache.lookup("6" * 64, "x").origin == "local"
    assert cmd_cache_prune(all_entries=True) == 0
    assert cache.lookup("6" * 64, "x") is None


def test_split_output_is_stored_as_shared_chunks(tmp_path, server) -> None:
    """Executables share their runner prefix: stored and fetched once for all apps."""
    prefix = b"R" * 1000
    a = ActionCache(spec(tmp_path, server.url, local="a"))
    a.store(KEY, {"exe": prefix + b"app one"}, splits={"exe": len(prefix)})
    a.store("7" * 64, {"exe": prefix + b"app two"}, splits={"exe": len(prefix)})
    blobs = [p for p in server.objects if "/cas/" in p]
    assert len(blobs) == 3 and server.objects[f"/pre/cas/{keys.sha256_hex(prefix)}"] == prefix
    entry = json.loads(server.objects[f"/pre/ac/{KEY}"])["outputs"]["exe"]
    assert entry["sha256"] == keys.sha256_hex(prefix + b"app one") and len(entry["chunks"]) == 2
    server.requests.clear()
    b = ActionCache(spec(tmp_path, server.url, local="b"))
    assert b.lookup(KEY, "x").outputs == {"exe": prefix + b"app one"}
    assert b.lookup("7" * 64, "x").outputs == {"exe": prefix + b"app two"}
    fetched = [p for m, p, _ in server.requests if "/cas/" in p]
    assert len(fetched) == 3, "the shared prefix is downloaded once"
