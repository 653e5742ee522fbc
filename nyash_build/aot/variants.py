"""CPU variants for AOT compilation (build-side API).

The definitions live in `runtime_stub.variants` so that the frozen runner and the
compiler share them (the build side imports the runner's module, never the reverse).
"""
from __future__ import annotations

from runtime_stub.variants import (  # noqa: F401  (re-exported public API)
    CPU_FEATURES,
    CRANELIFT_FLAGS,
    MAX_WASM_STACK,
    TARGET,
    VARIANTS,
    VariantError,
    check_variant,
    compat_key,
    compat_mismatch,
    cpu_supports,
    detect_cpu,
    engine_config,
    missing_features,
    wasmtime_version,
)

__all__ = ["VARIANTS", "engine_config", "compat_key", "cpu_supports", "VariantError",
           "check_variant", "compat_mismatch", "detect_cpu", "missing_features",
           "wasmtime_version", "CPU_FEATURES", "CRANELIFT_FLAGS", "TARGET",
           "MAX_WASM_STACK"]
