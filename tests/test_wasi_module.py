"""The .wasm from ``nyash --compile-wasm`` is a plain WASI preview1 program: any WASI
host (here wasmtime with nothing of ours loaded) runs it, with the program's output on
stdout, runtime errors on stderr and exit status 1 through ``proc_exit``."""
from __future__ import annotations

from pathlib import Path

import wasmtime

from tests.helpers import CORPUS, nyash


def run_plain_wasi(wasm: Path, tmp: Path) -> tuple[str, str, int]:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.stdout_file = str(tmp / "out")
    wasi.stderr_file = str(tmp / "err")
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, str(wasm))
    assert {i.module for i in module.imports} == {"wasi_snapshot_preview1"}
    code = 0
    try:
        linker.instantiate(store, module).exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        code = e.code
    return (tmp / "out").read_text(), (tmp / "err").read_text(), code


def test_program_runs_in_a_plain_wasi_host(tmp_path: Path) -> None:
    src = CORPUS / "conformance" / "013_box_basic.nyash"
    wasm = tmp_path / "a.wasm"
    assert nyash("--compile-wasm", str(src), "-o", str(wasm)).returncode == 0
    out, err, code = run_plain_wasi(wasm, tmp_path)
    assert (out, err, code) == (src.with_suffix(".out").read_text(), "", 0)


def test_runtime_error_exits_1_in_a_plain_wasi_host(tmp_path: Path) -> None:
    src = CORPUS / "conformance" / "060_err_div_zero.nyash"
    wasm = tmp_path / "e.wasm"
    assert nyash("--compile-wasm", str(src), "-o", str(wasm)).returncode == 0
    out, err, code = run_plain_wasi(wasm, tmp_path)
    assert code == 1
    assert "Runtime error: Division by zero" in err


def test_emit_wat_is_readable_text_of_the_same_module(tmp_path: Path) -> None:
    src = CORPUS / "conformance" / "012_recursion.nyash"
    r = nyash("--emit-wat", str(src))
    assert r.returncode == 0
    assert r.stdout.startswith("(module")
    wasm = wasmtime.wat2wasm(r.stdout)
    (tmp_path / "w.wasm").write_bytes(wasm)
    out, _, code = run_plain_wasi(tmp_path / "w.wasm", tmp_path)
    assert (out, code) == (src.with_suffix(".out").read_text(), 0)
