"""The standalone executable: one ELF, bare environment, integrity, fallback, errors,
--nyash-info, reproducibility, qemu old-CPU run, size and start-up."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import pytest

from runtime_stub import payload as PF
from runtime_stub import runner as R
from runtime_stub.variants import compat_key, cpu_supports

MAX_SIZE = 10 * 1024 * 1024


def no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_hello_alone_in_empty_dir_with_bare_env(make_exe, tmp_path, unpack_cache):
    exe = make_exe("HELLO")
    alone = tmp_path / "empty" / "hello"
    alone.parent.mkdir()
    shutil.copy2(exe, alone)
    assert alone.read_bytes()[:4] == b"\x7fELF"
    assert alone.stat().st_size <= MAX_SIZE, alone.stat().st_size
    home = tmp_path / "home"
    home.mkdir()
    # truly bare: no HOME, no cache override -> falls back to the passwd home or /tmp
    proc = subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", str(alone)],
                          capture_output=True, text=True, cwd=alone.parent, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "Hello, world!\n", "")
    assert os.listdir(alone.parent) == ["hello"]  # nothing written next to it


def test_first_run_unpacks_into_content_addressed_dir(make_exe, tmp_path, run_exe):
    exe = make_exe("HELLO")
    cache = tmp_path / "c"
    proc = run_exe(exe, env={"NYASH_RUNNER_CACHE": str(cache)})
    assert proc.stdout == "Hello, world!\n"
    sha = PF.read_executable_payload(str(exe))[0].runner_sha256.hex()
    assert [p.name for p in cache.iterdir()] == [sha]
    assert (cache / sha / "nyash-runner").is_file()


def test_exit_code_and_args(make_exe, run_exe):
    assert run_exe(make_exe("EXIT3")).returncode == 3
    assert run_exe(make_exe("ARGS_ENV"), "hello there").stdout == "hello there\n"


def test_error_lines_mapped(make_exe, run_exe):
    proc = run_exe(make_exe("NESTED_ERROR", lines={2: 12, 3: 20, 4: 31}))
    assert proc.returncode == 1
    assert proc.stdout == "before\n"
    assert proc.stderr == ("Runtime error: Division by zero\n  at inner (app.nyash:12)\n"
                           "  at outer (app.nyash:20)\n  at Main.main (app.nyash:31)\n")


def test_stack_overflow_message(make_exe, run_exe):
    proc = run_exe(make_exe("STACK_OVERFLOW"))
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == "Runtime error: stack overflow"
    assert "  at fib (app.nyash" in proc.stderr
    no_traceback(proc)


def test_deep_recursion(make_exe, run_exe):
    assert run_exe(make_exe("DEEP_RECURSION")).stdout == "deep ok\n"


def test_nyash_info(make_exe, run_exe):
    proc = run_exe(make_exe("HELLO"), "--nyash-info")
    assert proc.returncode == 0 and "Hello" not in proc.stdout
    out = proc.stdout
    for needle in ("source: app.nyash sha256 " + "0" * 64, "compiler: test",
                   "wasmtime: runner ", "variant x86-64-v3: compat key {",
                   "variant baseline: compat key {", "selected: "):
        assert needle in out, needle
    key_line = next(l for l in out.splitlines() if l.startswith("variant baseline:"))
    assert json.loads(key_line.split("compat key ", 1)[1]) == compat_key("baseline")


def test_fallback_when_v3_compat_key_rewritten(make_exe, run_exe):
    bad = {**compat_key("x86-64-v3"), "wasmtime": "0.0.1"}
    exe = make_exe("HELLO", variants={"x86-64-v3": bad})
    proc = run_exe(exe, env={"NYASH_AOT_DEBUG": "1"})
    assert proc.stdout == "Hello, world!\n"
    assert "x86-64-v3: refused: compat key mismatch on 'wasmtime'" in proc.stderr
    assert "running: baseline" in proc.stderr


def test_fallback_when_v3_artifact_is_refused_by_wasmtime(make_exe, run_exe):
    exe = make_exe("HELLO", cwasm_override={"x86-64-v3": b"\x7fELF garbage"})
    proc = run_exe(exe, env={"NYASH_AOT_DEBUG": "1", "NYASH_AOT_IGNORE_CPU": "1"})
    assert proc.stdout == "Hello, world!\n"
    assert "x86-64-v3: refused: wasmtime:" in proc.stderr
    assert "running: baseline" in proc.stderr


def test_jit_when_no_variant_loads(make_exe, run_exe):
    junk = {"x86-64-v3": b"junk", "baseline": b"junk"}
    proc = run_exe(make_exe("HELLO", cwasm_override=junk), env={"NYASH_AOT_DEBUG": "1"})
    assert proc.stdout == "Hello, world!\n"
    assert "baseline: refused" in proc.stderr and "running: jit" in proc.stderr


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


def test_tampered_payload(make_exe, run_exe):
    exe = make_exe("HELLO")
    trailer, _ = PF.read_executable_payload(str(exe))
    _flip(exe, trailer.payload_off + trailer.payload_len // 2)
    proc = run_exe(exe)
    assert proc.returncode == R.EXIT_CORRUPT
    assert proc.stdout == "" and proc.stderr.count("\n") == 1
    assert "checksum mismatch" in proc.stderr
    no_traceback(proc)


def test_tampered_runner_archive(make_exe, run_exe, tmp_path):
    exe = make_exe("HELLO")
    trailer, _ = PF.read_executable_payload(str(exe))
    _flip(exe, trailer.runner_off + 1000)
    proc = run_exe(exe, env={"NYASH_RUNNER_CACHE": str(tmp_path / "fresh")})
    assert proc.returncode == R.EXIT_RUNNER_CORRUPT
    assert "runner archive checksum mismatch" in proc.stderr
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize("cut", [1, 200, 100_000])
def test_truncated_executable(make_exe, run_exe, cut):
    exe = make_exe("HELLO")
    exe.write_bytes(exe.read_bytes()[:-cut])
    proc = run_exe(exe)
    assert proc.returncode == R.EXIT_FOREIGN
    assert proc.stderr.startswith("nyash: ") and proc.stderr.count("\n") == 1
    no_traceback(proc)


def test_foreign_file_given_to_runner(runner_dir, run_exe, unpack_cache, make_exe):
    exe = make_exe("HELLO")
    run_exe(exe)  # make sure the runner is unpacked
    sha = PF.read_executable_payload(str(exe))[0].runner_sha256.hex()
    runner = unpack_cache / sha / "nyash-runner"
    proc = subprocess.run([str(runner)], env={"NYASH_EXE": "/bin/sh", "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)
    assert proc.returncode == R.EXIT_FOREIGN and "not a nyash executable" in proc.stderr


def test_reproducible(make_exe):
    a, b = make_exe("NESTED_ERROR"), make_exe("NESTED_ERROR")
    assert a.read_bytes() == b.read_bytes()


def test_startup_time(make_exe, run_exe):
    """Median of 20 warm runs. Issue 18 demands <= 10 ms on an idle machine (the native
    fast path); the assertion is looser (shared CI machines: 100 ms, which only the
    Python runner's start would exceed) and the number is printed."""
    exe = make_exe("HELLO")
    run_exe(exe)  # warm: unpack once
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        assert run_exe(exe).stdout == "Hello, world!\n"
        times.append(time.perf_counter() - t0)
    median = statistics.median(times) * 1000
    print(f"hello start-to-exit median of 20: {median:.1f} ms, load {os.getloadavg()}")
    limit = float(os.environ.get("NYASH_STARTUP_LIMIT_MS", "100"))
    assert median <= limit


@pytest.mark.skipif(shutil.which("qemu-x86_64") is None,
                    reason="qemu-x86_64 (Debian package qemu-user) is not installed")
def test_old_cpu_under_qemu_picks_baseline(make_exe, run_exe, unpack_cache):
    """Run the real runner fully emulated on a CPU without AVX2. The launcher's job
    (unpack + exec) is done natively first; the runner is then started under qemu with
    the environment the launcher and PyInstaller's bootloader would set, because
    PyInstaller re-executes itself and qemu-user does not follow execve."""
    exe = make_exe("HELLO")
    assert run_exe(exe).returncode == 0
    sha = PF.read_executable_payload(str(exe))[0].runner_sha256.hex()
    d = unpack_cache / sha
    env = {"PATH": "/usr/bin:/bin", "NYASH_EXE": str(exe), "NYASH_AOT_DEBUG": "1",
           "_PYI_PARENT_PROCESS_LEVEL": "1", "_PYI_ARCHIVE_FILE": str(d / "nyash-runner"),
           "_PYI_APPLICATION_HOME_DIR": str(d / "_internal"),
           "LD_LIBRARY_PATH": str(d / "_internal")}
    cmd = ["qemu-x86_64", "-cpu", "Nehalem", str(d / "nyash-runner")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    print(proc.stderr)
    assert proc.stdout == "Hello, world!\n"
    assert "x86-64-v3: refused: CPU lacks" in proc.stderr and "avx2" in proc.stderr
    assert "running: baseline" in proc.stderr
    # and wasmtime's own check refuses v3 too when detection is bypassed
    proc = subprocess.run(cmd, env={**env, "NYASH_AOT_IGNORE_CPU": "1"},
                          capture_output=True, text=True, timeout=300)
    assert proc.stdout == "Hello, world!\n"
    assert "x86-64-v3: refused: wasmtime:" in proc.stderr
    assert "running: baseline" in proc.stderr
    # the emulated run really stayed under qemu (no execve escaped it)
    traced = subprocess.run(["qemu-x86_64", "-strace", *cmd[1:]], env=env,
                            capture_output=True, text=True, timeout=300)
    assert " execve(" not in traced.stderr and "Hello, world!" in traced.stdout


def test_host_picks_best_variant(make_exe, run_exe):
    proc = run_exe(make_exe("HELLO"), env={"NYASH_AOT_DEBUG": "1"})
    want = "x86-64-v3" if cpu_supports("x86-64-v3") else "baseline"
    assert f"running: {want}" in proc.stderr


def test_debug_build_loads_its_variant(make_exe, run_exe):
    proc = run_exe(make_exe("NESTED_ERROR", debug=True), env={"NYASH_AOT_DEBUG": "1"})
    assert proc.returncode == 1 and "  at inner (app.nyash" in proc.stderr
    assert "running: jit" not in proc.stderr and "refused: compat" not in proc.stderr
