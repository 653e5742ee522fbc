"""Runner + payload -> one standalone executable, written atomically.

Layout (runtime_stub/payload.py): [launcher ELF][runner.xz][payload][trailer].
Given the same cached runner and the same inputs the bytes are identical.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from runtime_stub import payload as P
from nyash_build.bundle.payload import build_payload
from nyash_build.bundle.runner_cache import ensure_runner
from nyash_build.fsutil import write_atomic


def assemble(launcher: bytes, runner_xz: bytes, runner_raw_len: int, payload: bytes) -> bytes:
    """The executable's bytes from its parts (pure)."""
    runner_off = len(launcher)
    payload_off = runner_off + len(runner_xz)
    trailer = P.Trailer(runner_off, len(runner_xz), runner_raw_len,
                        hashlib.sha256(runner_xz).digest(), payload_off, len(payload))
    return launcher + runner_xz + payload + trailer.pack()


def build_executable(out_path: Path, *, wasm: bytes, cwasm: dict[str, bytes], meta: dict,
                     runner_dir: Path | None = None) -> None:
    """Write the app executable to `out_path` (freezes the runner first if not cached).

    `meta` needs source_name, source_sha256, compiler_version, line_table,
    user_functions (optionally debug and variants compat keys, see build_payload).
    """
    runner = Path(runner_dir) if runner_dir is not None else ensure_runner()
    manifest = json.loads((runner / "manifest.json").read_text())
    data = assemble((runner / "launcher").read_bytes(), (runner / "runner.xz").read_bytes(),
                    manifest["archive_raw_size"], build_payload(wasm=wasm, cwasm=cwasm, meta=meta))
    write_atomic(Path(out_path), data, mode=0o755)
