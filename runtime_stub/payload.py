"""The app payload and executable trailer formats: the ONE definition.

An app executable is laid out as

    [launcher ELF][runner archive (xz)][payload][trailer, TRAILER_SIZE bytes]

* payload  = MAGIC | u32 version | u32 header length | header JSON | entry data |
             sha256 of everything before it (32 bytes).
  The header lists entries ``{"name", "offset", "size", "sha256", "codec"}``; offsets
  are relative to the first byte after the header; ``sha256`` is over the *stored*
  bytes, so it is checked before anything is decompressed or deserialised. zlib
  entries also carry ``raw_digest`` (page_digest of the decoded bytes): the C
  launcher's fast path keeps decoded cwasm entries in a file cache and checks each
  cached file against it before wasmtime maps it (runtime_stub/launcher/fastpath.c,
  "module cache").
  Entry names: ``meta`` (JSON), ``wasm``, ``cwasm/<variant>``, ``lines`` (the line
  table: see pack_lines and docs/design.md).
* trailer  = TRAILER_FORMAT below (little endian, fixed size, magic at both ends).
  The C launcher reads the runner fields (the constants are handed to gcc from this
  module), the runner reads the payload fields.

The payload is never appended to a PyInstaller executable (the launcher is our own ELF),
so PyInstaller's archive cookie scan never sees it; no escaping is needed.
Everything here is stdlib only: the frozen runner imports it.
"""
from __future__ import annotations

import hashlib
import json
import struct
import zlib

MAGIC = b"NYPAYLD\x00"
# 2: the `lines` entry holds (offset, file, line) triples and meta lists `sources`
VERSION = 2
_HEAD = struct.Struct("<8sII")
DIGEST_SIZE = 32

TRAILER_MAGIC = b"NYEXTRL\x01"
TRAILER_END = b"NYEXEND\x01"
TRAILER_VERSION = 1
# magic, version, reserved, runner_off, runner_len, runner_raw_len, runner_sha256,
# payload_off, payload_len, end magic
TRAILER_FORMAT = "<8sIIQQQ32sQQ8s"
_TRAILER = struct.Struct(TRAILER_FORMAT)
TRAILER_SIZE = _TRAILER.size

CODECS = ("raw", "zlib")


class PayloadError(Exception):
    """The payload or trailer is corrupt, truncated or of a foreign format.

    `kind` is "corrupt" (bytes altered or truncated) or "foreign" (not ours, or another
    format version); the runner maps it to a documented exit code.
    """

    def __init__(self, message: str, kind: str = "corrupt") -> None:
        super().__init__(message)
        self.kind = kind


class Trailer:
    """The fixed-size record at the end of an executable (no dataclass: importing
    dataclasses pulls inspect/ast/dis into the frozen runner and its start-up)."""

    def __init__(self, runner_off: int, runner_len: int, runner_raw_len: int,
                 runner_sha256: bytes, payload_off: int, payload_len: int) -> None:
        self.runner_off, self.runner_len = runner_off, runner_len
        self.runner_raw_len, self.runner_sha256 = runner_raw_len, runner_sha256
        self.payload_off, self.payload_len = payload_off, payload_len

    def pack(self) -> bytes:
        return _TRAILER.pack(TRAILER_MAGIC, TRAILER_VERSION, 0, self.runner_off,
                             self.runner_len, self.runner_raw_len, self.runner_sha256,
                             self.payload_off, self.payload_len, TRAILER_END)


def trailer_field_offsets() -> dict[str, int]:
    """Byte offsets of the trailer fields (handed to the C launcher as -D constants)."""
    names = ["magic", "version", "reserved", "runner_off", "runner_len",
             "runner_raw_len", "runner_sha256", "payload_off", "payload_len", "end"]
    offsets, pos = {}, 0
    for name, code in zip(names, ["8s", "I", "I", "Q", "Q", "Q", "32s", "Q", "Q", "8s"]):
        offsets[name] = pos
        pos += struct.calcsize("<" + code)
    return offsets


def parse_trailer(tail: bytes, file_size: int) -> Trailer:
    """Parse the last TRAILER_SIZE bytes of an executable of `file_size` bytes."""
    if len(tail) != TRAILER_SIZE:
        raise PayloadError("executable is truncated (no trailer)")
    magic, version, _, r_off, r_len, r_raw, r_sha, p_off, p_len, end = _TRAILER.unpack(tail)
    if end != TRAILER_END or magic != TRAILER_MAGIC:
        if end == TRAILER_END or magic == TRAILER_MAGIC:
            raise PayloadError("executable trailer is damaged")
        raise PayloadError("not a nyash executable (no trailer; truncated or foreign file)",
                           "foreign")
    if version != TRAILER_VERSION:
        raise PayloadError(f"executable format version {version} is not supported "
                           f"(this runner reads {TRAILER_VERSION})", "foreign")
    body_end = file_size - TRAILER_SIZE
    if r_off + r_len > p_off or p_off + p_len != body_end:
        raise PayloadError("executable is truncated or its trailer is damaged")
    return Trailer(r_off, r_len, r_raw, r_sha, p_off, p_len)


PAGE = 4096


def page_digest(data: bytes) -> str:
    """sha256 over the sha256 of each PAGE-byte piece of `data` (the last one may be
    shorter): as strong as sha256 of the whole, but the C launcher hashes an all-zero
    page as a known constant instead of 4 KiB of input -- a decoded cwasm is mostly the
    linear memory's initial image, mostly zeros."""
    h = hashlib.sha256()
    for i in range(0, len(data), PAGE):
        h.update(hashlib.sha256(data[i:i + PAGE]).digest())
    return h.hexdigest()


def pack(entries: list[tuple[str, bytes, str]]) -> bytes:
    """Build a payload from (name, data, codec) triples, in the given (stable) order."""
    index, chunks, pos = [], [], 0
    for name, data, codec in entries:
        if codec not in CODECS:
            raise ValueError(f"unknown codec {codec!r}")
        stored = zlib.compress(data, 9) if codec == "zlib" else bytes(data)
        info = {"name": name, "offset": pos, "size": len(stored),
                "sha256": hashlib.sha256(stored).hexdigest(), "codec": codec}
        if codec == "zlib":  # the launcher's module cache checks its files against it
            info["raw_digest"] = page_digest(data)
        index.append(info)
        chunks.append(stored)
        pos += len(stored)
    header = json.dumps({"entries": index}, sort_keys=True, separators=(",", ":")).encode()
    body = _HEAD.pack(MAGIC, VERSION, len(header)) + header + b"".join(chunks)
    return body + hashlib.sha256(body).digest()


class Payload:
    """A verified payload: the whole digest is checked on construction, each entry's
    digest again when it is read (before it is decompressed or deserialised)."""

    def __init__(self, blob: bytes) -> None:
        if len(blob) < _HEAD.size + DIGEST_SIZE:
            raise PayloadError("payload is truncated")
        magic, version, hlen = _HEAD.unpack_from(blob)
        if magic != MAGIC:
            raise PayloadError("payload has a foreign format (bad magic)", "foreign")
        if version != VERSION:
            raise PayloadError(f"payload format version {version} is not supported "
                               f"(this runner reads {VERSION})", "foreign")
        body = memoryview(blob)[:-DIGEST_SIZE]
        if hashlib.sha256(body).digest() != blob[-DIGEST_SIZE:]:
            raise PayloadError("payload checksum mismatch (altered or truncated)")
        start = _HEAD.size + hlen
        try:
            header = json.loads(bytes(body[_HEAD.size:start]))
            self._index = {e["name"]: e for e in header["entries"]}
        except (ValueError, KeyError, TypeError) as e:
            raise PayloadError(f"payload header is unreadable: {e}") from None
        self._data = body[start:]

    def names(self) -> list[str]:
        return list(self._index)

    def entry_info(self, name: str) -> dict:
        return dict(self._index[name])

    def __contains__(self, name: str) -> bool:
        return name in self._index

    def get(self, name: str) -> bytes:
        """The entry's original bytes, after checking its own sha256."""
        try:
            e = self._index[name]
        except KeyError:
            raise PayloadError(f"payload has no entry {name!r}") from None
        stored = self._data[e["offset"]:e["offset"] + e["size"]]
        if len(stored) != e["size"] or hashlib.sha256(stored).hexdigest() != e["sha256"]:
            raise PayloadError(f"payload entry {name!r} checksum mismatch")
        if e["codec"] == "zlib":
            try:
                return zlib.decompress(stored)
            except zlib.error as err:
                raise PayloadError(f"payload entry {name!r} is undecodable: {err}") from None
        return bytes(stored)

    def meta(self) -> dict:
        try:
            return json.loads(self.get("meta"))
        except ValueError as e:
            raise PayloadError(f"payload metadata is unreadable: {e}") from None


# ----------------------------------------------------------------- line table entry
_LINE = struct.Struct("<III")


def pack_lines(table: list[tuple[int, int, int]]) -> bytes:
    """(module offset, file index, source line) triples, sorted by offset, as packed
    little-endian u32 triples (12 bytes each). File i is meta["sources"][i]["name"]."""
    return b"".join(_LINE.pack(off, file, line) for off, file, line in sorted(table))


def unpack_lines(data: bytes) -> list[tuple[int, int, int]]:
    size = _LINE.size
    return [_LINE.unpack_from(data, i) for i in range(0, len(data) - len(data) % size, size)]


def read_executable_payload(path: str) -> tuple[Trailer, Payload]:
    """Read and verify the payload appended to the executable at `path`."""
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        if size < TRAILER_SIZE:
            raise PayloadError("not a nyash executable (too small)", "foreign")
        f.seek(size - TRAILER_SIZE)
        trailer = parse_trailer(f.read(TRAILER_SIZE), size)
        f.seek(trailer.payload_off)
        blob = f.read(trailer.payload_len)
    return trailer, Payload(blob)
