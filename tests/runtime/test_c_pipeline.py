"""The pipeline for runtime parts written in C (docs/design.md "C runtime parts"):
zig-built wasm decoded into IR, linked like WAT functions, dead functions dropped, C's
data and stack only in modules that reach C code."""
from __future__ import annotations

import pytest
import wasmtime

from nyash_build.compiler import abi
from nyash_build.compiler.driver import build_module
from nyash_build.compiler.runtime_lib import link_c_parts, runtime_lib
from nyash_build.runtime import c_build
from nyash_build.runtime.c_parts import CPartsError, from_wasm, load_parts
from tests.runtime.c_harness import SAMPLES, CRuntime, build_c, linked_module

ARR = 6


@pytest.fixture(scope="module")
def rt() -> CRuntime:
    return CRuntime((SAMPLES / "sample.c",))


def test_c_functions_run_linked_with_the_runtime(rt):
    assert rt.str_value(rt.cs_greeting()) == "hello from C"
    hay, needle = rt.make_str("abcabcx"), rt.make_str("cx")
    assert rt.cs_find(hay, needle, 0) == 5
    assert rt.cs_find(hay, rt.make_str("zz"), 0) == -1
    assert rt.str_value(rt.cs_reverse(rt.make_str("stressed"))) == "desserts"
    assert rt.str_value(rt.to_string(ARR, rt.cs_range(4))) == "[0, 1, 2, 3]"
    assert rt.cs_half(3.0) == 1.5


def test_static_data_and_bss_keep_their_state(rt):
    before = rt.cs_calls()
    rt.cs_greeting()
    assert rt.cs_calls() == before + 1
    first = rt.cs_table_sum()
    assert rt.cs_table_sum() == first + 1  # .data table[0] incremented in place


def test_c_stack_is_in_the_c_region_and_restored(rt):
    sp = rt.c_stack_pointer()
    assert abi.C_BASE < sp <= abi.C_END
    assert rt.cs_recurse(200) == 200 * 201 // 2
    rt.cs_reverse(rt.make_str("abc"))
    assert rt.c_stack_pointer() == sp


def test_c_data_lies_in_the_c_region_below_compiler_data(rt):
    c_data = [d for d in rt.module.data if d.group == "c"]
    assert c_data
    assert all(abi.C_BASE <= d.offset and d.offset + len(d.data) <= abi.C_END for d in c_data)
    assert abi.DATA_BASE == abi.C_END


def test_runtime_error_raised_from_c():
    rt = CRuntime((SAMPLES / "sample.c",))
    with pytest.raises(wasmtime.ExitTrap) as e:
        rt.cs_reverse(rt.make_str("x" * 300))
    assert e.value.code == 1
    assert rt.stderr() == "Runtime error: string too long for cs_reverse\n"


def test_runtime_error_from_c_is_catchable_and_frees_the_stack():
    rt = CRuntime((SAMPLES / "sample.c",), globals_=("$try_depth", "$exc_pending"))
    sp = rt.c_stack_pointer()
    rt.set_global("try_depth", 1)  # as inside a `try` body
    assert rt.cs_reverse(rt.make_str("y" * 300)) == 0
    assert rt.global_("exc_pending") == 1
    assert rt.c_stack_pointer() == sp
    assert rt.stderr() == ""


def test_unreachable_c_functions_are_dropped(rt):
    names = {f.name for f in rt.module.funcs}
    assert "$cs_find" in names and "$c:depth_sum" in names
    parts = from_wasm(build_c(SAMPLES / "sample.c"))
    parts.exports = ["$cs_find"]  # pretend only cs_find is needed
    m = linked_module(parts)
    kept = {f.name for f in m.funcs if f.group == "c"}
    assert kept == {"$cs_find"}
    # its module still has C's data and stack pointer (all-or-nothing)
    assert any(d.group == "c" for d in m.data)
    assert any(g.name == "$c:__stack_pointer" for g in m.globals)


def test_programs_without_c_code_carry_no_c_data_or_globals():
    module, _, _ = build_module('print("hi")\n', "hello.nyash")
    assert not any(f.group == "c" for f in module.funcs)
    assert not any(d.group == "c" or abi.C_BASE <= d.offset < abi.C_END for d in module.data)
    assert not any(g.name.startswith("$c:") for g in module.globals)


def test_shipped_c_parts_load_and_link():
    lib = runtime_lib()
    assert lib.c_unavailable is None
    assert set(lib.c_exports) <= lib.func_names


def test_function_pointers_are_refused():
    with pytest.raises(CPartsError, match="function pointers"):
        from_wasm(build_c(SAMPLES / "bad_fnptr.c"))


def test_import_signature_mismatch_is_refused():
    parts = from_wasm(build_c(SAMPLES / "bad_import.c"))
    with pytest.raises(CPartsError, match=r"declare \$str_new as \['i64'\] -> \['i64'\], the runtime defines \['i32'\] -> \['i32'\]"):
        link_c_parts(runtime_lib().funcs, parts)


def test_static_data_past_the_c_region_is_refused():
    with pytest.raises(CPartsError, match="past the C region"):
        from_wasm(build_c(SAMPLES / "too_big.c"))


def test_compile_error_in_c_sources_is_reported(tmp_path):
    bad = tmp_path / "broken.c"
    bad.write_text("#include \"nyrt.h\"\nNY_EXPORT(x) int32_t x(void) { return undefined_thing; }\n")
    with pytest.raises(c_build.CBuildError, match="undefined_thing"):
        build_c(bad)


def test_package_build_prebuilds_the_c_parts(tmp_path):
    """setup.py's hook (prebuild_all) writes the C parts into the package with a stamp."""
    from nyash_build.prebuilt import prebuild_all
    built = prebuild_all(tmp_path)
    art = tmp_path / "_prebuilt" / c_build.ARTIFACT_NAME
    assert art in built
    assert (tmp_path / "_prebuilt" / (c_build.ARTIFACT_NAME + ".json")).is_file()
    parts = load_parts(art.read_bytes())  # the runtime's form, ready to link
    assert set(parts.exports) == set(runtime_lib().c_exports)
    assert all(f.group == "c" for f in parts.funcs)


def test_values_cross_as_tag_and_payload_pairs(rt):
    """nyrt.h's ny_value is the runtime's (i32 tag, i64 payload) in both directions."""
    assert rt.cs_pair(1, 3, 20) == [3, 41]
    tag, s = rt.cs_pair(0, 2, 1)
    assert tag == 5 and rt.str_value(s) == "true"
