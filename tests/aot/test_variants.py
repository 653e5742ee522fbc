"""Variant definitions, compat keys and CPU detection."""
import importlib.metadata

import pytest
import wasmtime

from nyash_build.aot import variants as V
from runtime_stub import variants as stub_variants


def test_variants_best_first():
    assert V.VARIANTS == ("x86-64-v3", "baseline")


@pytest.mark.parametrize("bad", ["x86-64-v4", "haswell", "", "baseline; rm"])
def test_unknown_variant_is_refused_before_wasmtime(bad):
    with pytest.raises(V.VariantError):
        V.engine_config(bad)
    with pytest.raises(V.VariantError):
        V.compat_key(bad)


def test_unknown_opt_level_is_refused():
    with pytest.raises(V.VariantError):
        V.engine_config("baseline", opt_level="fastest")


def test_engine_configs_build_engines():
    for variant in (*V.VARIANTS, None):
        wasmtime.Engine(V.engine_config(variant))
        wasmtime.Engine(V.engine_config(variant, debug=True, opt_level="none"))


def test_compat_key_contents():
    base = V.compat_key("baseline")
    v3 = V.compat_key("x86-64-v3", debug=True)
    assert base["wasmtime"] == importlib.metadata.version("wasmtime")
    assert base["target"] == v3["target"] == "x86_64-unknown-linux-gnu"
    assert base["cranelift_flags"] == [] and base["cpu_features"] == []
    assert {"has_avx2", "has_bmi2", "has_fma", "has_lzcnt"} <= set(v3["cranelift_flags"])
    assert {"avx2", "bmi2", "fma", "os-avx"} <= set(v3["cpu_features"])
    assert v3["debug_info"] is True and base["debug_info"] is False
    for field in ("consume_fuel", "epoch_interruption", "wasm_features", "format"):
        assert field in base


def test_compat_mismatch_ignores_opt_level_only():
    key = V.compat_key("baseline")
    assert V.compat_mismatch({**key, "opt_level": "none"}, key) is None
    reason = V.compat_mismatch({**key, "wasmtime": "49.0.0"}, key)
    assert "wasmtime" in reason and "49.0.0" in reason
    assert "debug_info" in V.compat_mismatch({**key, "debug_info": True}, key)


def test_cpu_detection_agrees_with_proc_cpuinfo():
    method, feats = V.detect_cpu()
    assert method == "cpuid"
    assert V.cpu_supports("baseline")
    info = stub_variants._cpuinfo_features()
    for f in ("avx2", "bmi2", "fma", "sse4.2", "popcnt"):
        assert (f in feats) == (f in info), f
    assert V.cpu_supports("x86-64-v3") == (not V.missing_features("x86-64-v3"))
