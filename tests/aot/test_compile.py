"""wasm -> cwasm: both variants load and run; the feature-level check; determinism."""
import wasmtime
import pytest

from nyash_build.aot import compile as C
from nyash_build.aot import variants as V
from tests.aot import programs as P


def run_cwasm(cwasm: bytes, variant: str, tmp_path) -> str:
    engine = wasmtime.Engine(V.engine_config(variant))
    module = wasmtime.Module.deserialize(engine, cwasm)
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    out = tmp_path / f"out-{variant}.txt"
    wasi.stdout_file = str(out)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    linker.instantiate(store, module).exports(store)["_start"](store)
    return out.read_text()


@pytest.mark.parametrize("variant", V.VARIANTS)
def test_precompile_and_load(variant, tmp_path):
    if not V.cpu_supports(variant):
        pytest.skip(f"host CPU cannot run {variant}")
    cwasm = C.precompile(P.wasm(P.HELLO), variant)
    assert run_cwasm(cwasm, variant, tmp_path) == "Hello, world!\n"


def test_precompile_is_deterministic():
    wasm = P.wasm(P.NESTED_ERROR)
    for variant in V.VARIANTS:
        assert C.precompile(wasm, variant) == C.precompile(wasm, variant)


def test_recorded_flags_match_level():
    wasm = P.wasm(P.HELLO)
    base = C.recorded_isa_flags(C.precompile(wasm, "baseline"))
    v3 = C.recorded_isa_flags(C.precompile(wasm, "x86-64-v3"))
    assert base and not any(base.values())
    assert {f for f, on in v3.items() if on} == set(V.CRANELIFT_FLAGS["x86-64-v3"])


def test_check_rejects_artifact_above_its_level():
    wasm = P.wasm(P.HELLO)
    v3 = C.precompile(wasm, "x86-64-v3")
    with pytest.raises(C.CwasmCheckError, match="has_avx2"):
        C.check_cwasm(v3, "baseline")
    if V.cpu_supports("x86-64-v3"):  # default Config() compiles for the host CPU
        host = wasmtime.Module(wasmtime.Engine(), wasm).serialize()
        with pytest.raises(C.CwasmCheckError, match="above its level"):
            C.check_cwasm(host, "baseline")
    with pytest.raises(C.CwasmCheckError):
        C.check_cwasm(b"not an elf file", "baseline")


def test_max_wasm_stack_need_not_match():
    """The runner raises max_wasm_stack; artifacts compiled without it still load."""
    cfg = wasmtime.Config()
    cfg.target = V.TARGET
    cfg.wasm_relaxed_simd_deterministic = True  # a setting that must match (see variants)
    cwasm = wasmtime.Module(wasmtime.Engine(cfg), P.wasm(P.HELLO)).serialize()
    wasmtime.Module.deserialize(wasmtime.Engine(V.engine_config("baseline")), cwasm)


def test_debug_setting_must_match_and_is_in_key():
    cwasm = C.precompile(P.wasm(P.HELLO), "baseline")
    with pytest.raises(wasmtime.WasmtimeError):
        wasmtime.Module.deserialize(
            wasmtime.Engine(V.engine_config("baseline", debug=True)), cwasm)
    assert V.compat_key("baseline", debug=True) != V.compat_key("baseline")
