"""Action keys: one sha256 per stage execution over everything that determines its output.

A key is `sha256(canonical JSON of {"nyash-action": FORMAT, "stage": ..., ingredients})`,
hex encoded (64 characters, the form Bazel-style caches expect under `/ac/`). Each
function below takes its ingredients explicitly, so tests can vary one at a time and
docs/cache.md can list them; `nyash_build.project.stages` gathers the live values.

Inputs enter by their sha256 (never by path or mtime): two clones at different places,
or a restored tree with new mtimes, produce the same keys.
"""
from __future__ import annotations

import hashlib
import json
import platform
import sys
from typing import Any, Mapping, Sequence

# Bump when the recipe or the meaning of an entry changes: old entries become unreachable.
# 2: the wasm key covers every source file of the compile (includes), by name and sha256
FORMAT = 2


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of bytes (the content address used by the CAS)."""
    return hashlib.sha256(data).hexdigest()


def host_platform() -> dict[str, str]:
    """The build host's OS and machine: outputs are only reused on the same kind of host."""
    return {"os": sys.platform, "machine": platform.machine()}


def action_key(stage: str, ingredients: Mapping[str, Any]) -> str:
    """The key of one action: stage name + ingredients, canonical JSON, sha256."""
    document = {"nyash-action": FORMAT, "stage": stage, **ingredients}
    blob = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return sha256_hex(blob.encode())


def wasm_key(*, sources: Sequence[Mapping[str, str]], compiler: str, debug: bool,
             host: Mapping[str, str] | None = None) -> str:
    """sources → wasm + meta. `sources` is the compile's file table, entry first, then
    every included file: `{"name", "sha256"}` each. Names matter (meta.json records
    them, stack frames print them); order too (it numbers the line table's files)."""
    return action_key("wasm", {"sources": [{"name": s["name"], "sha256": s["sha256"]}
                                           for s in sources],
                               "compiler": compiler, "debug": bool(debug),
                               "host": dict(host or host_platform())})


def cwasm_key(*, wasm_sha256: str, variant: str, opt_level: str, debug: bool, aot: str,
              engine: Mapping[str, Any], host: Mapping[str, str] | None = None) -> str:
    """wasm → cwasm for one CPU variant. `aot` is wasmtime version + AOT code hash;
    `engine` is the wasmtime engine settings of the variant (compat key + their source)."""
    return action_key("cwasm", {"wasm": wasm_sha256, "variant": variant,
                                "opt_level": opt_level, "debug": bool(debug), "aot": aot,
                                "engine": dict(engine), "host": dict(host or host_platform())})


def runner_action_key(*, runner_key: str, host: Mapping[str, str] | None = None) -> str:
    """The frozen runner: `runner_cache.runner_key()` already hashes its sources,
    wasmtime, Python, PyInstaller, gcc and the freeze options."""
    return action_key("runner", {"runner": runner_key, "host": dict(host or host_platform())})


def bundle_key(*, wasm_sha256: str, meta_sha256: str, cwasm_sha256: Mapping[str, str],
               variants: list[str] | tuple[str, ...], bundler: str, runner: str,
               host: Mapping[str, str] | None = None, fs: list[str] | None = None) -> str:
    """runner + wasm + meta + every cwasm (+ the app's fs policy) → executable.
    `variants` keeps its order; the native fs policy (None) adds nothing to the key."""
    fields = {"wasm": wasm_sha256, "meta": meta_sha256, "cwasm": dict(cwasm_sha256),
              "variants": list(variants), "bundler": bundler, "runner": runner,
              "host": dict(host or host_platform())}
    if fs is not None:
        fields["fs"] = list(fs)
    return action_key("bundle", fields)
