"""Local and remote content-addressed caches for stage outputs.

Two stores with one layout (docs/cache.md):

* `cas/<sha256>` — a blob, named by the sha256 of its bytes;
* `ac/<action key>` — an action result: a small JSON document listing the action's
  outputs by name with the sha256 and size of each blob.

`LocalStore` keeps them under the user cache dir (`cas/ab/<sha>`, `ac/ab/<key>`).
`RemoteStore` speaks the Bazel HTTP remote-cache protocol — `GET`/`PUT
{prefix}/cas/<sha256>` and `{prefix}/ac/<key>` — with nothing but http.client, so any
plain HTTP store works (nginx WebDAV, bazel-remote, an S3 gateway). The action result is
our own small JSON, not Bazel's ActionResult protobuf (bazel-remote needs
`--disable_http_ac_validation`).

The remote is an optimisation, never a requirement: every byte fetched is verified
against its sha256 before use, every request has bounded timeouts, and the first
network failure turns the remote off for the rest of the build with one warning line
(shared by doit's worker processes through a marker file named by the build session).
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit

from nyash_build.cache.keys import sha256_hex
from nyash_build.fsutil import write_atomic

AC_FORMAT = "nyash-action-result/1"
DEFAULT_CONNECT_TIMEOUT = 2.0
DEFAULT_READ_TIMEOUT = 10.0
_MIN_RATE = 256 * 1024  # bytes/s a transfer may not fall below (bounds a trickling server)


def warn(message: str) -> None:
    """One line on stderr; never carries a token (callers pass redacted URLs only)."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def default_cache_root(env: Mapping[str, str] | None = None) -> Path:
    """$NYASH_CACHE_DIR, else ~/.cache/nyash-build (shared with the runner cache)."""
    env = os.environ if env is None else env
    base = env.get("NYASH_CACHE_DIR")
    return Path(base) if base else Path.home() / ".cache" / "nyash-build"


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class CacheSpec:
    """Where a build caches, after nyash.toml and environment are resolved.

    Picklable (doit ships actions to worker processes) and free of secrets: the bearer
    token is read from the environment variable `token_env` at request time only.
    """

    local_dir: str | None = None           # None: no local CAS
    remote: str | None = None              # http(s)://host:port/prefix, None: no remote
    read_only: bool = False
    token_env: str | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    session: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def enabled(self) -> bool:
        return self.local_dir is not None or self.remote is not None


def _env_flag(value: str | None) -> bool | None:
    if value is None or value.strip() == "":
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


def resolve_spec(settings=None, env: Mapping[str, str] | None = None) -> CacheSpec:
    """CacheSpec from nyash.toml's [cache] (`config.CacheSettings`) and the environment.

    The environment wins (CI sets it per machine): NYASH_REMOTE_CACHE (URL; empty or
    "off" disables), NYASH_REMOTE_CACHE_READONLY, NYASH_LOCAL_CACHE=0 (no local CAS),
    NYASH_CACHE_DIR (where the local CAS lives).
    """
    env = os.environ if env is None else env
    remote = getattr(settings, "remote", None)
    if "NYASH_REMOTE_CACHE" in env:
        remote = env["NYASH_REMOTE_CACHE"].strip() or None
        if remote and remote.lower() == "off":
            remote = None
    read_only = bool(getattr(settings, "read_only", False))
    flag = _env_flag(env.get("NYASH_REMOTE_CACHE_READONLY"))
    if flag is not None:
        read_only = flag
    local = bool(getattr(settings, "local", True))
    flag = _env_flag(env.get("NYASH_LOCAL_CACHE"))
    if flag is not None:
        local = flag
    return CacheSpec(
        local_dir=str(default_cache_root(env)) if local else None,
        remote=remote.rstrip("/") if remote else None,
        read_only=read_only,
        token_env=getattr(settings, "token_env", None),
        connect_timeout=float(getattr(settings, "connect_timeout", DEFAULT_CONNECT_TIMEOUT)),
        read_timeout=float(getattr(settings, "read_timeout", DEFAULT_READ_TIMEOUT)),
    )


def check_remote_url(url: str) -> str | None:
    """Why `url` is not a usable remote cache URL, or None if it is."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host"
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "has an invalid port"
    return None


def redact(url: str) -> str:
    """The URL without user:password@ (what may appear in messages)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


# --------------------------------------------------------------------------- local store


class LocalStore:
    """cas/ and ac/ under a directory; every read is verified, every write atomic."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _cas(self, digest: str) -> Path:
        return self.root / "cas" / digest[:2] / digest

    def _ac(self, key: str) -> Path:
        return self.root / "ac" / key[:2] / key

    def get_blob(self, digest: str) -> bytes | None:
        path = self._cas(digest)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if sha256_hex(data) != digest:
            warn(f"local cache object {path} is corrupt (sha256 mismatch); removed")
            path.unlink(missing_ok=True)
            return None
        _touch(path)
        return data

    def put_blob(self, data: bytes, digest: str | None = None) -> str:
        digest = digest or sha256_hex(data)
        path = self._cas(digest)
        if not path.is_file() or path.stat().st_size != len(data):
            _write_cache_file(path, data)
        return digest

    def get_ac(self, key: str) -> bytes | None:
        try:
            data = self._ac(key).read_bytes()
        except OSError:
            return None
        _touch(self._ac(key))
        return data

    def put_ac(self, key: str, data: bytes) -> None:
        _write_cache_file(self._ac(key), data)


def _write_cache_file(path: Path, data: bytes) -> None:
    """Atomic (temp file + rename) but without fsync: the cache is disposable and every
    read is verified against the sha256, so a torn file after a crash is just a miss.
    fsync per object cost ~40% of a warm-remote build. Stage outputs still use
    fsutil.write_atomic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:16]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _touch(path: Path) -> None:
    """Record use (for pruning); a read-only cache dir is fine."""
    try:
        os.utime(path)
    except OSError:
        pass


# --------------------------------------------------------------------------- remote store


class RemoteError(Exception):
    """The server could not be used (network, timeout, unexpected status)."""


_CONNECTIONS: dict[tuple, http.client.HTTPConnection] = {}


class RemoteStore:
    """GET/PUT {prefix}/cas/<sha256> and {prefix}/ac/<key> over HTTP(S), bounded in time.

    After the first failure `down` is true for the rest of the build session (this
    process and doit's workers) and exactly one warning line is printed.
    """

    def __init__(self, spec: CacheSpec):
        assert spec.remote
        self.spec = spec
        self.url = spec.remote
        parts = urlsplit(spec.remote)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.marker = Path(tempfile.gettempdir()) / f"nyash-remote-down-{spec.session}"

    # state ----------------------------------------------------------------
    @property
    def down(self) -> bool:
        return self.spec.session in _DOWN or self.marker.exists()

    def fail(self, reason: str) -> None:
        """Stop using the server for this build; the first process to fail says so."""
        _DOWN.add(self.spec.session)
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return
        except OSError:
            fd = None
        if fd is not None:
            os.close(fd)
        warn(f"remote cache {redact(self.url)} {reason}; building locally without it "
             f"for the rest of this build")

    # protocol -------------------------------------------------------------
    def get(self, kind: str, name: str) -> bytes | None:
        """The object, None when the server does not have it (404)."""
        status, body = self._request("GET", f"{self.prefix}/{kind}/{name}")
        if status == 404:
            return None
        if status != 200:
            raise RemoteError(f"answered HTTP {status} to GET {kind}/{name[:12]}…")
        return body

    def put(self, kind: str, name: str, data: bytes) -> None:
        status, _ = self._request("PUT", f"{self.prefix}/{kind}/{name}", data)
        if status not in (200, 201, 204):
            raise RemoteError(f"answered HTTP {status} to PUT {kind}/{name[:12]}…")

    # transport ------------------------------------------------------------
    def _headers(self, body: bytes | None) -> dict[str, str]:
        headers = {"User-Agent": "nyash-build"}
        token = os.environ.get(self.spec.token_env) if self.spec.token_env else None
        if token:
            headers["Authorization"] = f"Bearer {token.strip()}"
        if body is not None:
            headers["Content-Length"] = str(len(body))
            headers["Content-Type"] = "application/octet-stream"
        return headers

    def _connection(self, fresh: bool) -> tuple[http.client.HTTPConnection, bool]:
        """A kept-alive connection (reused=True) or a new one, connected within the
        connect timeout and then switched to the read timeout."""
        ident = (self.https, self.host, self.port, os.getpid())
        conn = None if fresh else _CONNECTIONS.get(ident)
        if conn is not None and conn.sock is not None:
            return conn, True
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        conn = cls(self.host, self.port, timeout=self.spec.connect_timeout)
        conn.connect()
        conn.sock.settimeout(self.spec.read_timeout)
        _CONNECTIONS[ident] = conn
        return conn, False

    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in (0, 1):
            conn = None
            reused = False
            try:
                conn, reused = self._connection(fresh=attempt > 0)
                conn.request(method, path, body=body, headers=self._headers(body))
                resp = conn.getresponse()
                data = self._read(resp)
                if resp.will_close:
                    conn.close()
                return resp.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                if conn is not None:
                    conn.close()
                if reused and attempt == 0:
                    continue  # a kept-alive connection the server closed: retry once
                raise RemoteError(_describe(exc)) from None
            except (OSError, http.client.HTTPException) as exc:
                if conn is not None:
                    conn.close()
                raise RemoteError(_describe(exc)) from None
        raise RemoteError("closed the connection")  # pragma: no cover

    def _read(self, resp: http.client.HTTPResponse) -> bytes:
        """The body, with a deadline so a trickling server cannot stall the build."""
        length = resp.getheader("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        deadline = time.monotonic() + self.spec.read_timeout + (expected or 0) / _MIN_RATE
        chunks = []
        while True:
            chunk = resp.read1(1 << 16) if hasattr(resp, "read1") else resp.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise socket.timeout("transfer too slow")
        chunks.append(resp.read())  # b"" at the end; marks the response done for reuse
        data = b"".join(chunks)
        if expected is not None and len(data) != expected:
            raise http.client.IncompleteRead(data, expected - len(data))
        return data


_DOWN: set[str] = set()


def _describe(exc: BaseException) -> str:
    """A short reason for the one warning line (no URLs with credentials, no headers)."""
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "refused the connection"
    if isinstance(exc, http.client.IncompleteRead):
        return "sent a truncated response"
    if isinstance(exc, socket.gaierror):
        return "has an unknown host name"
    text = str(exc) or exc.__class__.__name__
    return f"failed ({text})"


# --------------------------------------------------------------------------- action cache


@dataclass
class Hit:
    """A cache hit: where it came from ("local" or "remote") and the verified outputs."""

    origin: str
    outputs: dict[str, bytes]


class _Discard(Exception):
    """A fetched object failed verification (already reported): treat the action as a miss."""


# (build session, sha256) of blobs known to be on the server: verified downloads and our
# own uploads of this build, which need no second PUT. Per session, so a later build
# still repairs an object someone damaged on the server.
_KNOWN_REMOTE: set[tuple[str, str]] = set()


class ActionCache:
    """Look up and store action results in the local store, then the remote one.

    An output may be stored as chunks (a list of blobs concatenated): every executable
    starts with the same ~8 MB runner, which content addressing then stores and
    transfers once instead of once per app.
    """

    def __init__(self, spec: CacheSpec):
        self.spec = spec
        self.local = LocalStore(spec.local_dir) if spec.local_dir else None
        self.remote = RemoteStore(spec) if spec.remote else None

    # lookup ---------------------------------------------------------------
    def lookup(self, key: str, what: str, remote: bool = True) -> Hit | None:
        """The outputs of action `key` (`what` names it in warnings), verified, or None."""
        hit = self._lookup_local(key)
        if hit is None and remote:
            hit = self._lookup_remote(key, what)
        return hit

    def _lookup_local(self, key: str) -> Hit | None:
        if self.local is None:
            return None
        entry = _parse_entry(self.local.get_ac(key))
        if entry is None:
            return None
        try:
            outputs = {name: self._assemble(ref, name, what="", remote=False)
                       for name, ref in entry.items()}
        except _Discard:
            return None
        if any(data is None for data in outputs.values()):
            return None
        return Hit("local", outputs)

    def _lookup_remote(self, key: str, what: str) -> Hit | None:
        remote = self.remote
        if remote is None or remote.down:
            return None
        try:
            raw = remote.get("ac", key)
            if raw is None:
                return None
            entry = _parse_entry(raw)
            if entry is None:
                warn(f"remote cache entry ac/{key[:12]}… for {what} is malformed; "
                     f"building locally")
                return None
            outputs = {}
            for name, ref in entry.items():
                data = self._assemble(ref, name, what, remote=True)
                if data is None:
                    return None  # an evicted blob: an ordinary miss
                outputs[name] = data
        except RemoteError as exc:
            remote.fail(str(exc))
            return None
        except _Discard:
            return None
        if self.local is not None:
            self._write_local(lambda: self.local.put_ac(key, raw))
        return Hit("remote", outputs)

    def _assemble(self, ref: dict, name: str, what: str, remote: bool) -> bytes | None:
        """One output: its chunks (or its single blob) fetched, joined and verified."""
        parts = []
        for chunk in ref.get("chunks") or [ref]:
            data = self._blob(chunk["sha256"], chunk["size"], f"{what}: {name}", remote)
            if data is None:
                return None
            parts.append(data)
        data = b"".join(parts) if len(parts) > 1 else parts[0]
        if len(parts) > 1 and (len(data) != ref["size"] or sha256_hex(data) != ref["sha256"]):
            warn(f"cache entry for {what or 'a local action'}: {name} does not match its "
                 f"sha256 once assembled; discarded, building locally")
            raise _Discard()
        return data

    def _blob(self, digest: str, size: int, label: str, remote: bool) -> bytes | None:
        """A verified blob from the local CAS, else (remote=True) from the server."""
        if self.local is not None:
            data = self.local.get_blob(digest)
            if data is not None:
                return data
        if not remote:
            return None
        data = self.remote.get("cas", digest)
        if data is None:
            return None
        if len(data) != size or sha256_hex(data) != digest:
            problem = "truncated" if len(data) < size else "sha256 mismatch"
            warn(f"remote cache object cas/{digest[:12]}… ({label}) failed verification "
                 f"({problem}); discarded, building locally")
            raise _Discard()
        _KNOWN_REMOTE.add((self.spec.session, digest))
        if self.local is not None:
            self._write_local(lambda: self.local.put_blob(data, digest))
        return data

    # store ----------------------------------------------------------------
    def store(self, key: str, outputs: Mapping[str, bytes], local: bool = True,
              splits: Mapping[str, int] | None = None) -> None:
        """Record a locally built result: local store, then upload unless read-only.

        `splits` (output name → offset) stores that output as two chunks cut there."""
        blobs, entry = make_entry(outputs, splits)
        if local and self.local is not None:
            def write() -> None:
                for digest, data in blobs.items():
                    self.local.put_blob(data, digest)
                self.local.put_ac(key, entry)
            self._write_local(write)
        remote = self.remote
        if remote is None or self.spec.read_only or remote.down:
            return
        try:
            for digest, data in blobs.items():
                if (self.spec.session, digest) not in _KNOWN_REMOTE:
                    remote.put("cas", digest, data)
                    _KNOWN_REMOTE.add((self.spec.session, digest))
            remote.put("ac", key, entry)  # last: an entry never names a missing blob
        except RemoteError as exc:
            remote.fail(str(exc))

    def _write_local(self, write: Callable[[], None]) -> None:
        try:
            write()
        except OSError as exc:
            warn(f"cannot write the local cache {self.local.root}: {exc.strerror or exc}")


def make_entry(outputs: Mapping[str, bytes], splits: Mapping[str, int] | None = None
               ) -> tuple[dict[str, bytes], bytes]:
    """The blobs to store (sha256 → bytes) and the action-result JSON naming them:
    output name → sha256 and size (and its chunks, when split)."""
    blobs: dict[str, bytes] = {}
    refs = {}
    for name, data in sorted(outputs.items()):
        ref = {"sha256": sha256_hex(data), "size": len(data)}
        cut = (splits or {}).get(name, 0)
        pieces = [data[:cut], data[cut:]] if 0 < cut < len(data) else [data]
        if len(pieces) > 1:
            ref["chunks"] = [{"sha256": sha256_hex(p), "size": len(p)} for p in pieces]
        for piece in pieces:
            blobs[sha256_hex(piece) if len(pieces) > 1 else ref["sha256"]] = piece
        refs[name] = ref
    doc = {"format": AC_FORMAT, "outputs": refs}
    return blobs, json.dumps(doc, sort_keys=True, indent=1).encode() + b"\n"


def _is_ref(ref) -> bool:
    return (isinstance(ref, dict) and isinstance(ref.get("sha256"), str)
            and len(ref["sha256"]) == 64 and isinstance(ref.get("size"), int))


def _parse_entry(raw: bytes | None) -> dict[str, dict] | None:
    """Outputs of an action-result document, or None if absent or malformed."""
    if raw is None:
        return None
    try:
        doc = json.loads(raw)
        outputs = doc["outputs"]
        if doc.get("format") != AC_FORMAT or not isinstance(outputs, dict):
            return None
        for ref in outputs.values():
            chunks = ref.get("chunks") if isinstance(ref, dict) else None
            if not _is_ref(ref) or (chunks is not None and not (
                    isinstance(chunks, list) and chunks and all(map(_is_ref, chunks)))):
                return None
        return outputs
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


# --------------------------------------------------------------------------- stage helper


@dataclass(frozen=True)
class Output:
    """One file an action writes: its name in the action result, path and file mode."""

    name: str
    path: str
    mode: int = 0o644
    # after a local build: where to cut the output into two blobs (shared prefix), or 0
    split: Callable[[bytes], int] | None = None


def run_cached(spec: CacheSpec | None, key: str, what: str, outputs: list[Output],
               build: Callable[[], object]) -> tuple[str, object]:
    """Satisfy an action from the cache or build it and record the result.

    Returns (outcome, build's return value): outcome is "local hit", "remote hit" or
    "built". A hit writes every output atomically; a failed build (a truthy return,
    e.g. doit's TaskFailed) is never cached.
    """
    if spec is None or not spec.enabled:
        return "built", build()
    cache = ActionCache(spec)
    hit = cache.lookup(key, what)
    if hit is not None and set(hit.outputs) == {o.name for o in outputs}:
        for out in outputs:
            write_atomic(out.path, hit.outputs[out.name], out.mode)
        return f"{hit.origin} hit", None
    result = build()
    if result:
        return "built", result
    data = {o.name: Path(o.path).read_bytes() for o in outputs}
    splits = {o.name: o.split(data[o.name]) for o in outputs if o.split is not None}
    cache.store(key, data, splits=splits)
    return "built", None


def with_session(spec: CacheSpec | None) -> CacheSpec | None:
    """A copy of `spec` with a new build session (a fresh remote-down state)."""
    return replace(spec, session=uuid.uuid4().hex) if spec is not None else None


def prune_local(root: str | os.PathLike, cutoff: float | None) -> tuple[int, int]:
    """Remove local cas/ and ac/ files last used before `cutoff` (all with None).

    Reads touch what they use, so a cutoff keeps everything a recent build needed. An
    action result whose blob was pruned is simply a miss next time. Returns (files, bytes).
    """
    removed = freed = 0
    for kind in ("ac", "cas"):  # results first: never leave one naming a just-pruned blob
        base = Path(root) / kind
        if not base.is_dir():
            continue
        for path in base.glob("*/*"):
            try:
                st = path.stat()
                if cutoff is not None and max(st.st_mtime, st.st_atime) >= cutoff:
                    continue
                path.unlink()
            except OSError:
                continue
            removed += 1
            freed += st.st_size
    return removed, freed
