"""Build app payloads (the format itself is defined once in runtime_stub/payload.py)."""
from __future__ import annotations

import json

from runtime_stub import payload as P
from runtime_stub.variants import VARIANTS, check_variant, compat_key, wasmtime_version

REQUIRED_META = ("source_name", "source_sha256", "compiler_version", "line_table",
                 "user_functions")


def build_payload(*, wasm: bytes, cwasm: dict[str, bytes], meta: dict) -> bytes:
    """Payload bytes: meta JSON, line table, each .cwasm (best variant first), .wasm.

    `meta` needs at least REQUIRED_META; its `line_table` moves into the binary `lines`
    entry. `meta["variants"]` (variant -> compat key) is filled in with
    `compat_key(variant, debug=meta.get("debug", False))` for any variant the caller
    did not give a key for. Deterministic: same inputs, same bytes.
    """
    missing = [k for k in REQUIRED_META if k not in meta]
    if missing:
        raise ValueError(f"payload metadata lacks {', '.join(missing)}")
    for variant in cwasm:
        check_variant(variant)
    body = {k: v for k, v in meta.items() if k != "line_table"}
    debug = bool(meta.get("debug", False))
    given = dict(meta.get("variants", {}))
    body["variants"] = {v: given.get(v) or compat_key(v, debug=debug)
                        for v in VARIANTS if v in cwasm}
    body.setdefault("wasmtime_version", wasmtime_version())
    body["payload_format"] = P.VERSION
    entries = [("meta", json.dumps(body, sort_keys=True).encode(), "raw"),
               ("lines", P.pack_lines([tuple(x) for x in meta["line_table"]]), "zlib")]
    entries += [(f"cwasm/{v}", cwasm[v], "zlib") for v in VARIANTS if v in cwasm]
    entries.append(("wasm", wasm, "zlib"))
    return P.pack(entries)
