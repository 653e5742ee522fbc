"""Real compiled programs as standalone executables (issue 7, end to end).

Every executable here comes from the real compiler (`compile_file`) and the real
bundling path (`native_from_result`), built once per session against the cached runner;
each is run in a bare environment with the launcher unpacking the runner into a
session temp dir.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nyash_build
from nyash_build.aot.compile import elf_section, precompile
from nyash_build.aot.variants import VARIANTS, compat_key, cpu_supports
from nyash_build.bundle.exe import assemble
from nyash_build.compiler.driver import compile_file
from nyash_build.pipeline import native_from_result
from runtime_stub import payload as PF
from runtime_stub import runner as R
from tests.helpers import CORPUS, REPO, nyash

CONFORMANCE = CORPUS / "conformance"
PROGRAMS = REPO / "tests" / "programs"
HELLO_SRC = Path(__file__).resolve().parents[1] / "examples" / "hello" / "hello.nyash"
HELLO_OUT = ("Hello from Nyash!\n1 + 2 + ... + 10 = 55\n"
             "compiled ahead of time to one standalone executable\n")

# Boxes, inheritance, exceptions, strings, arrays, maps, floats, recursion, errors.
OUT_CASES = [
    "002_int_arith", "003_int_wrap", "008_string_methods", "009_string_unicode",
    "013_box_basic", "016_array_methods", "017_array_nested", "020_math",
    "033_map_print", "035_linked_list", "040_map_int_keys_sort", "044_string_edge",
    "049_array_bounds", "051_recursion_1000", "052_float_print", "053_error_box_print",
    "074_float_box_values", "110_inherited_methods", "112_map_insertion_order",
    "113_float_arith", "114_exceptions_across_calls", "115_finally_paths",
    "117_deep_recursion_10000", "120_multi_parent",
]
# Upstream compatibility regressions (issue 17), from tests/programs/.
PROGRAM_CASES = sorted(p.stem for p in PROGRAMS.glob("compat_*.nyash"))
# Fast paths of the runtime and of generated code, with their fallbacks.
PROGRAM_CASES += ["perf_string_case_trim", "perf_string_compare_toint", "perf_typed_array_builtins",
                  "perf_char_scan", "perf_field_append", "perf_char_locals"]
# Runtime errors (compile-time errors never produce an executable).
ERR_CASES = [
    "060_err_div_zero", "064_err_mod_zero", "065_err_int_plus_string",
    "066_err_int_times_string", "067_err_unset_field", "071_err_private_access",
    "116_err_uncaught", "118_err_stack_overflow",
]

# A runtime error three calls deep; the line numbers below are part of the test.
TRAP_SRC = """\
box Calc {
    divide(a, b) {
        local q = a / b
        return q
    }
}
function middle(c, x) {
    print("middle " + x)
    return c.divide(x, 0)
}
static box Main {
    main() {
        local c = new Calc()
        print("start")
        local r = middle(c, 7)
        print("never")
    }
}
"""
TRAP_STDERR = ("Runtime error: Division by zero\n"
               "  at Calc.divide (trap.nyash:3)\n"
               "  at middle (trap.nyash:9)\n"
               "  at Main.main (trap.nyash:15)\n")

TIMING = re.compile(r"nyash-timing: load_ms=(\d+\.\d+) exec_ms=(\d+\.\d+) "
                    r"variant=(x86-64-v3|baseline|jit)\n")


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def trap_src(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("src") / "trap.nyash"
    path.write_text(TRAP_SRC)
    return path


@pytest.fixture(scope="session")
def built(tmp_path_factory, trap_src) -> dict[str, Path]:
    """Every test program compiled once: name -> executable."""
    out = tmp_path_factory.mktemp("exes")
    sources = {name: CONFORMANCE / f"{name}.nyash" for name in OUT_CASES + ERR_CASES}
    sources.update({name: PROGRAMS / f"{name}.nyash" for name in PROGRAM_CASES})
    sources["hello"] = HELLO_SRC
    sources["trap"] = trap_src
    busy = out / "busy.nyash"  # ~30M loop iterations: tens of milliseconds of _start
    busy.write_text("local i = 0\nlocal s = 0\nloop(i < 30000000) {\n s = (s + i) % 1000003\n i = i + 1\n}\nprint(s)\n")
    sources["busy"] = busy
    exes = {}
    for name, src in sources.items():
        exes[name] = out / name
        native_from_result(compile_file(src), exes[name])
    return exes


@pytest.fixture(scope="session")
def unpack_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("runner-unpack")


@pytest.fixture
def run(unpack_dir):
    """run(exe, *args, env=...) in a bare environment (the runner cache in a temp dir)."""

    def go(exe: Path, *args: str, env: dict | None = None, timeout: float = 120):
        base = {"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(unpack_dir)}
        return subprocess.run([str(exe), *args], env={**base, **(env or {})},
                              capture_output=True, text=True, timeout=timeout)

    return go


def one_line_no_traceback(proc) -> None:
    assert proc.stderr.startswith("nyash: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def rewrite_payload(exe: Path, out: Path, edit_meta) -> None:
    """Copy `exe` to `out` with its meta entry edited and every hash recomputed, so
    only the edit (not the integrity check) can make the runner refuse something."""
    data = exe.read_bytes()
    trailer, payload = PF.read_executable_payload(str(exe))
    entries = []
    for name in payload.names():
        body = payload.get(name)
        if name == "meta":
            meta = json.loads(body)
            edit_meta(meta)
            body = json.dumps(meta, sort_keys=True).encode()
        entries.append((name, body, payload.entry_info(name)["codec"]))
    launcher = data[:trailer.runner_off]
    runner_xz = data[trailer.runner_off:trailer.runner_off + trailer.runner_len]
    out.write_bytes(assemble(launcher, runner_xz, trailer.runner_raw_len, PF.pack(entries)))
    out.chmod(0o755)


# ------------------------------------------------------------- (a) conformance
def test_corpus_choice_is_broad() -> None:
    assert len(OUT_CASES) + len(ERR_CASES) >= 20
    for name in OUT_CASES:
        assert (CONFORMANCE / f"{name}.out").is_file(), name
    for name in ERR_CASES:
        assert (CONFORMANCE / f"{name}.err").is_file(), name


@pytest.mark.parametrize("name", OUT_CASES)
def test_conformance_output(built, run, name):
    proc = run(built[name])
    assert proc.stdout == (CONFORMANCE / f"{name}.out").read_text(encoding="utf-8")
    assert (proc.returncode, proc.stderr) == (0, "")


@pytest.mark.parametrize("name", PROGRAM_CASES)
def test_compat_program_output(built, run, name):
    proc = run(built[name])
    assert proc.stdout == (PROGRAMS / f"{name}.out").read_text(encoding="utf-8")
    assert (proc.returncode, proc.stderr) == (0, "")


@pytest.mark.parametrize("name", ERR_CASES)
def test_conformance_error(built, run, name):
    proc = run(built[name])
    phrase = (CONFORMANCE / f"{name}.err").read_text(encoding="utf-8").strip()
    assert proc.returncode == R.EXIT_RUNTIME_ERROR
    assert phrase in proc.stderr
    assert "Traceback" not in proc.stderr


# ------------------------------------------------ (b) alone, bare environment
def test_hello_alone_matches_nyash_run(built, tmp_path):
    alone = tmp_path / "empty" / "hello"
    alone.parent.mkdir()
    shutil.copy2(built["hello"], alone)
    cache = tmp_path / "fresh-cache"
    proc = subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", f"NYASH_RUNNER_CACHE={cache}",
                           str(alone)], capture_output=True, text=True, cwd=alone.parent,
                          timeout=120)
    ran = nyash("run", str(HELLO_SRC))
    assert (ran.returncode, ran.stdout) == (0, HELLO_OUT)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, ran.stdout, ran.stderr)
    sha = PF.read_executable_payload(str(alone))[0].runner_sha256.hex()
    assert (cache / sha / "nyash-runner").is_file()  # it really unpacked itself
    assert os.listdir(alone.parent) == ["hello"]


# ------------------------------------------------------------- (c) fallback
def test_refused_v3_falls_back_to_baseline(built, run, tmp_path):
    exe = tmp_path / "hello-v3-refused"

    def spoil(meta: dict) -> None:
        meta["variants"]["x86-64-v3"]["wasmtime"] = "0.0.1"

    rewrite_payload(built["hello"], exe, spoil)
    proc = run(exe, env={"NYASH_AOT_DEBUG": "1"})
    assert (proc.returncode, proc.stdout) == (0, HELLO_OUT)
    assert "x86-64-v3: refused: compat key mismatch on 'wasmtime'" in proc.stderr
    assert "0.0.1" in proc.stderr
    assert "nyash-aot: running: baseline" in proc.stderr
    assert run(exe).stderr == ""  # silent without NYASH_AOT_DEBUG
    forced = run(exe, env={"NYASH_AOT_VARIANT": "x86-64-v3"})
    assert forced.returncode == R.EXIT_NO_VARIANT and forced.stdout == ""
    assert "NYASH_AOT_VARIANT=x86-64-v3: cannot load that variant: compat key" in forced.stderr
    one_line_no_traceback(forced)


# ------------------------------------------------------------ (d) integrity
def test_altered_payload_is_refused(built, run, tmp_path):
    exe = tmp_path / "altered"
    data = bytearray(built["hello"].read_bytes())
    trailer, _ = PF.read_executable_payload(str(built["hello"]))
    data[trailer.payload_off + trailer.payload_len // 2] ^= 0x01
    exe.write_bytes(bytes(data))
    exe.chmod(0o755)
    proc = run(exe)
    assert proc.returncode == R.EXIT_CORRUPT == 121 and proc.stdout == ""
    assert "checksum mismatch" in proc.stderr
    one_line_no_traceback(proc)


def test_truncated_end_is_refused(built, run, tmp_path):
    exe = tmp_path / "cut-end"
    exe.write_bytes(built["hello"].read_bytes()[:-4096])
    exe.chmod(0o755)
    proc = run(exe)
    assert proc.returncode == R.EXIT_FOREIGN == 123  # the trailer is gone
    assert "truncated or foreign" in proc.stderr
    one_line_no_traceback(proc)


def test_bytes_cut_from_the_middle_are_refused(built, run, tmp_path):
    exe = tmp_path / "cut-middle"
    data = built["hello"].read_bytes()
    trailer, _ = PF.read_executable_payload(str(built["hello"]))
    mid = trailer.payload_off + 100
    exe.write_bytes(data[:mid] + data[mid + 1000:])  # trailer intact, offsets wrong
    exe.chmod(0o755)
    proc = run(exe)
    assert proc.returncode == R.EXIT_CORRUPT
    assert "truncated" in proc.stderr
    one_line_no_traceback(proc)


# ------------------------------------------------- (e) (f) source-mapped errors
def test_runtime_error_frames_have_source_lines(built, run):
    proc = run(built["trap"])
    assert proc.returncode == 1
    assert proc.stdout == "start\nmiddle 7\n"
    assert proc.stderr == TRAP_STDERR


def test_nyash_run_maps_the_same_frames(trap_src):
    """The same lines as the executable, then (the source is at hand) the innermost line."""
    proc = nyash("run", str(trap_src))
    assert (proc.returncode, proc.stderr) == (1, TRAP_STDERR + (
        f" --> {trap_src}:3:9 [N0701]\n"
        "  |\n"
        "3 |         local q = a / b\n"
        "  |         ^^^^^^^^^^^^^^^ the error happened on this line\n"))


def test_stack_overflow_reports_frames(built, run):
    proc = run(built["118_err_stack_overflow"])
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1
    assert lines[0] == "Runtime error: stack overflow"
    # the innermost frame overflowed in its prologue: its function's first line
    assert lines[1] == "  at forever (118_err_stack_overflow.nyash:1)"
    assert set(lines[2:11]) == {"  at forever (118_err_stack_overflow.nyash:2)"}
    assert re.fullmatch(r"  \.\.\. \d+ more", lines[11])
    assert "Traceback" not in proc.stderr


def test_ten_thousand_deep_recursion(built, run):
    proc = run(built["117_deep_recursion_10000"])
    assert (proc.returncode, proc.stdout.strip(), proc.stderr) == (0, "10000", "")


# ----------------------------------------------------------- (g) reproducible
def test_reproducible_wasm_cwasm_and_executable(built, tmp_path):
    src = CONFORMANCE / "114_exceptions_across_calls.nyash"
    a, b = compile_file(src), compile_file(src)
    assert a.wasm == b.wasm and a.meta == b.meta
    for variant in VARIANTS:
        assert precompile(a.wasm, variant) == precompile(b.wasm, variant), variant
    native_from_result(a, tmp_path / "a")
    native_from_result(b, tmp_path / "b")
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    assert (tmp_path / "a").read_bytes() == built["114_exceptions_across_calls"].read_bytes()


# ---------------------------------------------------------------- (h) qemu
@pytest.mark.skipif(shutil.which("qemu-x86_64") is None,
                    reason="qemu-x86_64 (Debian package qemu-user) is not installed")
def test_hello_under_qemu_nehalem_picks_baseline(built, run, unpack_dir):
    """The runner under `qemu-x86_64 -cpu Nehalem` (no AVX/AVX2). The launcher's unpack
    runs natively first; the runner is then started under qemu with the variables the
    launcher and PyInstaller's bootloader set, since qemu-user does not follow the
    bootloader's execve (see tests/bundle/test_exe.py)."""
    exe = built["hello"]
    assert run(exe).returncode == 0
    d = unpack_dir / PF.read_executable_payload(str(exe))[0].runner_sha256.hex()
    env = {"PATH": "/usr/bin:/bin", "NYASH_EXE": str(exe), "NYASH_AOT_DEBUG": "1",
           "NYASH_TIMING": "1", "_PYI_PARENT_PROCESS_LEVEL": "1",
           "_PYI_ARCHIVE_FILE": str(d / "nyash-runner"),
           "_PYI_APPLICATION_HOME_DIR": str(d / "_internal"),
           "LD_LIBRARY_PATH": str(d / "_internal")}
    cmd = ["qemu-x86_64", "-cpu", "Nehalem", str(d / "nyash-runner")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.stdout == HELLO_OUT
    assert "x86-64-v3: refused: CPU lacks" in proc.stderr and "avx2" in proc.stderr
    assert "nyash-aot: running: baseline" in proc.stderr
    assert TIMING.search(proc.stderr).group(3) == "baseline"
    forced = subprocess.run(cmd, env={**env, "NYASH_AOT_VARIANT": "x86-64-v3"},
                            capture_output=True, text=True, timeout=300)
    assert forced.returncode == R.EXIT_NO_VARIANT and forced.stdout == ""
    assert "NYASH_AOT_VARIANT=x86-64-v3: cannot load that variant: CPU lacks" in forced.stderr


# ------------------------------------------------------------ (i) --nyash-info
def test_nyash_info(built, run):
    proc = run(built["hello"], "--nyash-info")
    assert proc.returncode == 0 and "Hello" not in proc.stdout
    out = proc.stdout
    meta = PF.read_executable_payload(str(built["hello"]))[1].meta()
    assert (f"source: hello.nyash sha256 {hashlib.sha256(HELLO_SRC.read_bytes()).hexdigest()}"
            in out)
    assert f"compiler: {nyash_build.__version__}" in out
    assert f"wasmtime: runner {meta['wasmtime_version']}, payload built with" in out
    for variant in VARIANTS:
        line = next(l for l in out.splitlines() if l.startswith(f"variant {variant}:"))
        assert json.loads(line.split("compat key ", 1)[1]) == compat_key(variant)
        assert f"entry cwasm/{variant}: " in out
    want = "x86-64-v3" if cpu_supports("x86-64-v3") else "baseline"
    assert f"selected: {want}" in out


# ------------------------------------------------------------ runner knobs
@pytest.mark.parametrize("forced", [None, "baseline", "x86-64-v3", "jit"])
def test_timing_line(built, run, forced):
    if forced == "x86-64-v3" and not cpu_supports("x86-64-v3"):
        pytest.skip("host CPU cannot run x86-64-v3")
    env = {"NYASH_TIMING": "1", **({"NYASH_AOT_VARIANT": forced} if forced else {})}
    proc = run(built["hello"], env=env)
    assert proc.stdout == HELLO_OUT
    m = TIMING.fullmatch(proc.stderr)
    assert m, proc.stderr
    load_ms, exec_ms = float(m.group(1)), float(m.group(2))
    assert 0 < load_ms < 5000 and 0 < exec_ms < 5000
    want = forced or ("x86-64-v3" if cpu_supports("x86-64-v3") else "baseline")
    assert m.group(3) == want


def test_timing_line_comes_last_after_an_error(built, run):
    proc = run(built["trap"], env={"NYASH_TIMING": "1"})
    assert proc.returncode == 1
    assert proc.stderr.startswith(TRAP_STDERR)
    assert TIMING.fullmatch(proc.stderr[len(TRAP_STDERR):])


def test_timing_counts_exec_time_only_for_start(built, run):
    """exec_ms is the `_start` call: a 30M-iteration loop takes far longer than hello,
    while loading both takes about the same (a margin that load noise cannot cross)."""
    fast = TIMING.fullmatch(run(built["hello"], env={"NYASH_TIMING": "1"}).stderr)
    busy = run(built["busy"], env={"NYASH_TIMING": "1"})
    slow = TIMING.fullmatch(busy.stderr)
    assert fast and slow, busy.stderr
    assert float(slow.group(2)) > float(fast.group(2)) + 5.0


def test_bad_forced_variant(built, run):
    proc = run(built["hello"], env={"NYASH_AOT_VARIANT": "avx512"})
    assert proc.returncode == R.EXIT_INTERNAL and proc.stdout == ""
    assert "NYASH_AOT_VARIANT='avx512' is not a variant" in proc.stderr
    one_line_no_traceback(proc)


def test_nyash_run_timing_and_variant():
    proc = nyash("run", str(HELLO_SRC), env={"NYASH_TIMING": "1"})
    assert proc.stdout == HELLO_OUT
    m = TIMING.fullmatch(proc.stderr)
    assert m and m.group(3) == "jit"
    refused = nyash("run", str(HELLO_SRC), env={"NYASH_AOT_VARIANT": "baseline"})
    assert refused.returncode == R.EXIT_NO_VARIANT and refused.stdout == ""
    assert "only JIT-compiles (use jit)" in refused.stderr
    assert nyash("run", str(HELLO_SRC), env={"NYASH_AOT_VARIANT": "jit"}).stdout == HELLO_OUT


# -------------------------------------------------------------- debug builds
def _name_subsections(wasm: bytes) -> set[int]:
    """Subsection ids of the wasm "name" custom section (1 functions, 2 locals)."""
    pos, found = 8, set()
    while pos < len(wasm):
        sid = wasm[pos]
        size, pos = R._uleb(wasm, pos + 1)
        end = pos + size
        if sid == 0:
            nlen, p = R._uleb(wasm, pos)
            if wasm[p:p + nlen] == b"name":
                p += nlen
                while p < end:
                    found.add(wasm[p])
                    sub, p = R._uleb(wasm, p + 1)
                    p += sub
        pos = end
    return found


def _has_dwarf(cwasm: bytes) -> bool:
    try:
        elf_section(cwasm, ".debug_info")
        return True
    except Exception:  # noqa: BLE001 - CwasmCheckError: no such section
        return False


def test_release_keeps_function_names_only():
    result = compile_file(HELLO_SRC)
    assert _name_subsections(result.wasm) == {1}
    assert result.meta["debug"] is False
    assert not _has_dwarf(precompile(result.wasm, "baseline"))


def test_debug_keeps_all_names_and_dwarf():
    result = compile_file(HELLO_SRC, debug=True)
    assert _name_subsections(result.wasm) == {1, 2}
    assert result.meta["debug"] is True
    assert _has_dwarf(precompile(result.wasm, "baseline", debug=True))


def test_debug_executable_via_cli(trap_src, run, tmp_path):
    exe = tmp_path / "trap-debug"
    proc = nyash("--compile-native", str(trap_src), "-o", str(exe), "--debug")
    assert proc.returncode == 0, proc.stderr
    _, payload = PF.read_executable_payload(str(exe))
    meta = payload.meta()
    assert meta["debug"] is True
    assert all(meta["variants"][v]["debug_info"] is True for v in VARIANTS)
    assert _name_subsections(payload.get("wasm")) == {1, 2}
    assert all(_has_dwarf(payload.get(f"cwasm/{v}")) for v in VARIANTS)
    ran = run(exe, env={"NYASH_AOT_DEBUG": "1"})
    assert ran.returncode == 1 and TRAP_STDERR in ran.stderr
    assert "running: jit" not in ran.stderr and "refused" not in ran.stderr


# ------------------------------------------------------------ size and start-up
def test_real_hello_size_and_startup(built, unpack_dir):
    """Issues 7 and 18 through tools/measure_startup.py. The size limit is asserted as
    is; the 10 ms start-up budget (native fast path) is printed and asserted loosely at
    100 ms, which only the Python runner's start would exceed (shared CI machines are
    noisy; NYASH_STARTUP_LIMIT_MS overrides)."""
    assert built["hello"].stat().st_size <= 10 * 1000 * 1000
    tool = Path(__file__).resolve().parents[1] / "tools" / "measure_startup.py"
    env = {**os.environ, "NYASH_RUNNER_CACHE": str(unpack_dir)}
    proc = subprocess.run([sys.executable, str(tool), "--exe", str(built["hello"]),
                           "--runs", "20", "--python-runs", "0"], capture_output=True, text=True, env=env,
                          timeout=120)
    print(proc.stdout)
    median = float(re.search(r"median (\d+\.\d) ms of 20 warm runs", proc.stdout).group(1))
    assert median <= float(os.environ.get("NYASH_STARTUP_LIMIT_MS", "100"))


def test_encoder_rejects_unknown_names_option():
    from nyash_build.wasm.encoder import WasmEncodeError, encode

    module = compile_file(HELLO_SRC).module
    with pytest.raises(WasmEncodeError, match="names must be"):
        encode(module, names="locals")
    assert _name_subsections(encode(module, names=False).wasm) == set()
