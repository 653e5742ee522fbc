"""The launcher's native fast path against the Python runner (issue 18).

Every program runs twice: through the fast path, and forced through the frozen Python
runner (NYASH_FASTPATH=0). Stdout, stderr and the exit code must be identical.

The fast runs use a runner cache whose `nyash-runner` is replaced by a stub that exits
99 with a marker line, so a run the fast path silently handed over to Python fails the
test instead of passing it; tests of what the fast path leaves to the runner use the
same stub to show that it did hand over.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from nyash_build.bundle.exe import assemble
from nyash_build.compiler.driver import compile_file
from nyash_build.compiler.sources import IncludeSettings
from nyash_build.pipeline import native_from_result
from runtime_stub import payload as PF
from runtime_stub import runner as R
from runtime_stub.variants import compat_key, cpu_supports
from tests.helpers import CORPUS

REPO = Path(__file__).resolve().parents[2]
HANDED_OVER = "nyash-test: handed over to the Python runner"
STUB = f"#!/bin/sh\necho '{HANDED_OVER}' >&2\nexit 99\n"
TIMING = re.compile(r"nyash-timing: load_ms=(\d+\.\d+) exec_ms=(\d+\.\d+) "
                    r"variant=(x86-64-v3|baseline|jit)\n")
BEST = "x86-64-v3" if cpu_supports("x86-64-v3") else "baseline"
BASE_ENV = {"PATH": "/usr/bin:/bin"}


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def caches(make_exe, tmp_path_factory) -> dict[str, Path]:
    """Runner caches: "python" (the real runner) and "fast" (the stub runner)."""
    root = tmp_path_factory.mktemp("fastpath-caches")
    exe = make_exe("HELLO")
    proc = subprocess.run([str(exe)], env={**BASE_ENV, "NYASH_RUNNER_CACHE": str(root / "python"),
                                           "NYASH_FASTPATH": "0"}, capture_output=True, text=True)
    assert proc.stdout == "Hello, world!\n", proc.stderr
    sha = PF.read_executable_payload(str(exe))[0].runner_sha256.hex()
    fast = root / "fast" / sha
    shutil.copytree(root / "python" / sha, fast, symlinks=True, copy_function=os.link)
    (fast / "nyash-runner").unlink()
    (fast / "nyash-runner").write_text(STUB)
    (fast / "nyash-runner").chmod(0o755)
    return {"python": root / "python", "fast": root / "fast"}


def run(caches, exe: Path, *args: str, how: str, env: dict | None = None, timeout: float = 120,
        **kw) -> subprocess.CompletedProcess:
    """`how`: "fast" (stub runner), "python" (NYASH_FASTPATH=0, real runner)."""
    extra = {"NYASH_FASTPATH": "0"} if how == "python" else {}
    full = {**BASE_ENV, "NYASH_RUNNER_CACHE": str(caches[how]), **extra, **(env or {})}
    if "input" not in kw and "stdin" not in kw:
        kw["stdin"] = subprocess.DEVNULL
    return subprocess.run([str(exe), *args], env=full, capture_output=True, timeout=timeout, **kw)


def fast(caches, exe: Path, *args: str, env: dict | None = None, **kw):
    proc = run(caches, exe, *args, how="fast", env=env, **kw)
    assert HANDED_OVER.encode() not in proc.stderr, "the fast path handed this run over"
    return proc


def same(caches, exe: Path, *args: str, env: dict | None = None, normalize=lambda s: s,
         fresh: Path | None = None, **kw):
    """Run both ways; assert identical results (after `normalize` of the output
    text); return the fast run. Both runs see NYASH_FASTPATH (1 and 0). `fresh`: run
    each in its own new directory below it (programs that write files)."""
    if fresh is not None:
        (fresh / "fast").mkdir()
        (fresh / "python").mkdir()
    a = fast(caches, exe, *args, env={**(env or {}), "NYASH_FASTPATH": "1"},
             **({"cwd": fresh / "fast"} if fresh is not None else {}), **kw)
    b = run(caches, exe, *args, how="python", env=env,
            **({"cwd": fresh / "python"} if fresh is not None else {}), **kw)
    assert (a.returncode, normalize(a.stdout.decode()), a.stderr.decode()) == \
           (b.returncode, normalize(b.stdout.decode()), b.stderr.decode())
    return a


def handed_over(caches, exe: Path, *args: str, env: dict | None = None):
    proc = run(caches, exe, *args, how="fast", env=env)
    return proc.returncode == 99 and HANDED_OVER.encode() in proc.stderr


# ------------------------------------------ differential: every program both ways
def _programs() -> list[Path]:
    return sorted((CORPUS / "conformance").glob("*.nyash")) + \
        sorted((REPO / "tests" / "programs").glob("*.nyash")) + \
        sorted((REPO / "tests" / "world" / "programs").glob("*.nyash"))


@pytest.mark.parametrize("source", _programs(), ids=lambda p: p.stem)
def test_program_same_both_ways(caches, tmp_path, source):
    exe = tmp_path / source.stem
    try:
        native_from_result(compile_file(source), exe)
    except Exception as e:  # noqa: BLE001 - a program the compiler rejects
        if (source.with_suffix(".err")).is_file():
            pytest.skip(f"compile-time error, no executable: {e}")
        raise
    try:
        # randomness seeded, time zone fixed; the current time and timers differ from
        # run to run, so digits are not compared for programs that print them
        clock = source.stem in ("time_now", "debug")  # debug: DebugBox time stamps
        proc = same(caches, exe, "first arg", "ü",
                    env={"NYASH_WORLD_TEST": "wörld", "NYASH_RANDOM_SEED": "1", "TZ": "Asia/Tokyo"},
                    input=b"first line\nsecond line\n", timeout=300, fresh=tmp_path,
                    normalize=(lambda s: re.sub(r"\d", "0", s)) if clock else (lambda s: s))
        expected = source.with_suffix(".out")
        if expected.is_file() and proc.returncode == 0:
            assert proc.stdout.decode() == expected.read_text(encoding="utf-8")
    finally:
        exe.unlink()


@pytest.mark.parametrize("case", sorted(p.name for p in (REPO / "tests" / "programs" / "include").iterdir()
                                         if (p / "main.nyash").is_file()))
def test_multi_file_program_same_both_ways(caches, tmp_path, case):
    """Frames name the included file they are in, on both paths."""
    work = tmp_path / "src"
    shutil.copytree(REPO / "tests" / "programs" / "include" / case, work)
    exe = tmp_path / case
    native_from_result(compile_file(work / "main.nyash", settings=IncludeSettings(work)), exe)
    shutil.rmtree(work)
    proc = same(caches, exe)
    if case == "errors":
        assert b"lib/calc.nyash:" in proc.stderr


# --------------------------------------------------- hand-written WASI programs
@pytest.mark.parametrize("name,args,env", [
    ("HELLO", (), {}),
    ("EXIT3", (), {}),
    ("ARGS_ENV", ("hello there",), {}),
    ("NESTED_ERROR", (), {}),
    ("DIV_TRAP", (), {}),
    ("STACK_OVERFLOW", (), {}),
    ("DEEP_RECURSION", (), {}),
    ("BAD_EXIT", (), {}),
    ("GROW", (), {"NYASH_MAX_MEMORY": "1M"}),
    ("GROW", (), {"NYASH_MAX_MEMORY": "2097152"}),
    ("GROW", (), {"NYASH_MAX_MEMORY": " 3 MiB "}),
    ("SPIN", (), {"NYASH_TIMEOUT": "0.5"}),
    ("SPIN", (), {"NYASH_TIMEOUT": "1"}),
    ("HELLO", (), {"NYASH_TIMEOUT": "30s"}),
])
def test_wasi_program_same_both_ways(caches, make_exe, name, args, env):
    exe = make_exe(name, lines={0: 7, 1: 12, 2: 20, 3: 31})
    same(caches, exe, *args, env=env)


def test_exit_codes_and_messages(caches, make_exe, tmp_path):
    assert fast(caches, make_exe("EXIT3")).returncode == 3
    bad = fast(caches, make_exe("BAD_EXIT"))
    assert bad.returncode == R.EXIT_NO_VARIANT
    assert bad.stderr.decode().startswith("nyash: cannot start the program: ")
    # SystemBox.exit(n) with n >= 126, which WASI's proc_exit refuses: the runtime
    # records the status and traps; both hosts exit with it, silently
    exit200 = tmp_path / "exit_code"
    native_from_result(compile_file(REPO / "tests" / "world" / "programs" / "exit_code.nyash"), exit200)
    for status in ("200", "126", "3"):
        proc = same(caches, exit200, status)
        assert (proc.returncode, proc.stdout, proc.stderr) == (int(status), b"before\n", b"")
    spin = fast(caches, make_exe("SPIN"), env={"NYASH_TIMEOUT": "0.5"})
    assert (spin.returncode, spin.stdout, spin.stderr) == \
           (1, b"spinning\n", b"Runtime error: time limit of 0.5 s exceeded\n")
    assert fast(caches, make_exe("GROW"), env={"NYASH_MAX_MEMORY": "1M"}).returncode == 14


def test_world_args_env_and_stdio_same_both_ways(caches, make_exe, tmp_path):
    exe = make_exe("WORLD")
    env = {"GREETING": "grüß dich", "EMPTY": "", "EQUALS": "a=b", "LD_LIBRARY_PATH": "/nowhere",
           "NYASH_TIMING": "0"}
    # the two runs differ only in these two test settings
    hide = lambda out: re.sub(r"env (NYASH_FASTPATH|NYASH_RUNNER_CACHE)=.*\n", "", out)  # noqa: E731
    proc = same(caches, exe, "a b", "", "ü", "--nyash-infox", env=env, cwd=tmp_path, normalize=hide)
    out = proc.stdout.decode()
    assert out.startswith(f"arg {exe.name}\narg a b\narg \narg ü\narg --nyash-infox\n")
    assert "env GREETING=grüß dich\n" in out and "env LD_LIBRARY_PATH=/nowhere\n" in out
    assert "NYASH_EXE" not in out and "NYASH_RUNNER_DIR" not in out and "_PYI_" not in out
    # argv[0] is the base name of what the user typed
    link = tmp_path / "alias"
    link.symlink_to(exe)
    assert "arg alias\n" in same(caches, link, normalize=hide).stdout.decode()


def test_stdin_is_the_programs(caches, make_exe):
    exe = make_exe("HELLO")
    proc = fast(caches, exe, input=b"ignored\n")
    assert proc.stdout == b"Hello, world!\n"


# ------------------------------------------------------------- settings natively
def test_timing_line(caches, make_exe):
    exe = make_exe("HELLO")
    for forced in (None, "baseline", "x86-64-v3"):
        if forced == "x86-64-v3" and not cpu_supports(forced):
            continue
        env = {"NYASH_TIMING": "1", **({"NYASH_AOT_VARIANT": f" {forced} "} if forced else {})}
        proc = fast(caches, exe, env=env)
        m = TIMING.fullmatch(proc.stderr.decode())
        assert proc.stdout == b"Hello, world!\n" and m, proc.stderr
        assert m.group(3) == (forced or BEST)
        assert 0 < float(m.group(1)) < 5000 and 0 <= float(m.group(2)) < 5000


def test_timing_line_after_an_error(caches, make_exe):
    exe = make_exe("NESTED_ERROR", lines={0: 7, 1: 12, 2: 20, 3: 31})
    proc = fast(caches, exe, env={"NYASH_TIMING": "1"})
    text = proc.stderr.decode()
    head = ("Runtime error: Division by zero\n  at inner (app.nyash:20)\n"
            "  at outer (app.nyash:31)\n")
    assert proc.returncode == 1 and text.startswith(head), text
    assert TIMING.search(text)


def test_refused_variant_falls_back_natively(caches, make_exe):
    bad = {**compat_key("x86-64-v3"), "wasmtime": "0.0.1"}
    exe = make_exe("HELLO", variants={"x86-64-v3": bad})
    proc = fast(caches, exe, env={"NYASH_TIMING": "1"})
    assert proc.stdout == b"Hello, world!\n"
    assert TIMING.fullmatch(proc.stderr.decode()).group(3) == "baseline"
    junk = make_exe("HELLO", cwasm_override={"x86-64-v3": b"\x7fELF junk"})
    proc = fast(caches, junk, env={"NYASH_TIMING": "1", "NYASH_AOT_IGNORE_CPU": "1"})
    assert TIMING.fullmatch(proc.stderr.decode()).group(3) == "baseline"


# -------------------------------------------------- what the runner keeps doing
@pytest.mark.parametrize("args,env", [
    (("--nyash-info",), {}),
    ((), {"NYASH_AOT_DEBUG": "1"}),
    ((), {"NYASH_AOT_VARIANT": "jit"}),
    ((), {"NYASH_AOT_VARIANT": "avx512"}),
    ((), {"NYASH_MAX_MEMORY": "lots"}),
    ((), {"NYASH_TIMEOUT": "-1"}),
    ((), {"NYASH_FASTPATH": "0"}),
])
def test_left_to_the_runner(caches, make_exe, args, env):
    exe = make_exe("HELLO")
    assert handed_over(caches, exe, *args, env=env)
    python = run(caches, exe, *args, how="python", env={**env, "NYASH_FASTPATH": "0"})
    assert HANDED_OVER.encode() not in python.stderr and python.returncode in (0, 120)


def test_jit_fallback_and_forced_refusal_go_to_the_runner(caches, make_exe):
    junk = make_exe("HELLO", cwasm_override={"x86-64-v3": b"junk", "baseline": b"junk"})
    assert handed_over(caches, junk)
    ran = run(caches, junk, how="python", env={"NYASH_FASTPATH": ""})
    assert ran.stdout == b"Hello, world!\n"  # the runner JIT-compiles
    refused = run(caches, make_exe("HELLO", cwasm_override={"baseline": b"junk"}),
                  how="python", env={"NYASH_FASTPATH": "", "NYASH_AOT_VARIANT": "baseline"})
    assert refused.returncode == R.EXIT_NO_VARIANT and b"cannot load that variant" in refused.stderr


def test_non_utf8_argument_goes_to_the_runner(caches, make_exe):
    exe = make_exe("HELLO")
    assert handed_over(caches, exe, os.fsdecode(b"\xff"))


def test_missing_library_goes_to_the_runner(caches, make_exe, tmp_path):
    exe = make_exe("HELLO")
    sha = PF.read_executable_payload(str(exe))[0].runner_sha256.hex()
    broken = tmp_path / "broken"
    shutil.copytree(caches["fast"], broken, symlinks=True, copy_function=os.link)
    next((broken / sha).rglob("_libwasmtime.so")).unlink()
    proc = subprocess.run([str(exe)], env={**BASE_ENV, "NYASH_RUNNER_CACHE": str(broken)},
                          capture_output=True)
    assert proc.returncode == 99 and HANDED_OVER.encode() in proc.stderr


def test_interrupt_exits_130_both_ways(caches, make_exe):
    exe = make_exe("SPIN")
    for how in ("fast", "python"):
        full = {**BASE_ENV, "NYASH_RUNNER_CACHE": str(caches[how]),
                **({"NYASH_FASTPATH": "0"} if how == "python" else {})}
        p = subprocess.Popen([str(exe)], env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert p.stdout.readline() == b"spinning\n"
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        assert (p.returncode, err) == (130, b""), how


# ---------------------------------------------------------------- integrity
def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


def _payload_offsets(exe: Path):
    trailer, payload = PF.read_executable_payload(str(exe))
    return trailer, payload


@pytest.mark.parametrize("where", ["middle", "magic", "version", "digest", "cwasm"])
def test_damaged_payload_refused_before_deserialising(caches, make_exe, where):
    exe = make_exe("HELLO")
    trailer, payload = _payload_offsets(exe)
    start = trailer.payload_off
    if where == "cwasm":
        header_len = int.from_bytes(exe.read_bytes()[start + 12:start + 16], "little")
        info = payload.entry_info(f"cwasm/{BEST}")
        offset = start + 16 + header_len + info["offset"] + info["size"] // 2
    else:
        offset = {"middle": start + trailer.payload_len // 2, "magic": start + 2,
                  "version": start + 8, "digest": start + trailer.payload_len - 1}[where]
    _flip(exe, offset)
    proc = same(caches, exe)
    want = R.EXIT_FOREIGN if where in ("magic", "version") else R.EXIT_CORRUPT
    assert proc.returncode == want and proc.stdout == b""
    assert proc.stderr.decode().startswith(f"nyash: {exe}: payload ")
    assert proc.stderr.count(b"\n") == 1


def test_entry_checksum_checked_too(caches, make_exe, tmp_path):
    """A payload whose own digest is right but whose entry hash is not."""
    exe = make_exe("HELLO")
    trailer, payload = _payload_offsets(exe)
    data = exe.read_bytes()
    blob = data[trailer.payload_off:trailer.payload_off + trailer.payload_len]
    hlen = int.from_bytes(blob[12:16], "little")
    header = json.loads(blob[16:16 + hlen])
    for e in header["entries"]:
        if e["name"] == f"cwasm/{BEST}":
            e["sha256"] = "0" * 64
    new_header = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    body = blob[:12] + len(new_header).to_bytes(4, "little") + new_header + blob[16 + hlen:-32]
    new_payload = body + hashlib.sha256(body).digest()
    out = tmp_path / "entry-damaged"
    runner_xz = data[trailer.runner_off:trailer.runner_off + trailer.runner_len]
    out.write_bytes(assemble(data[:trailer.runner_off], runner_xz, trailer.runner_raw_len,
                             new_payload))
    out.chmod(0o755)
    proc = same(caches, out)
    assert proc.returncode == R.EXIT_CORRUPT
    assert proc.stderr.decode() == f"nyash: {out}: payload entry 'cwasm/{BEST}' checksum mismatch\n"


def test_truncated_inside_the_payload(caches, make_exe, tmp_path):
    exe = make_exe("HELLO")
    trailer, _ = _payload_offsets(exe)
    data = exe.read_bytes()
    cut = tmp_path / "cut"
    mid = trailer.payload_off + 50
    cut.write_bytes(data[:mid] + data[mid + 100:])
    cut.chmod(0o755)
    proc = same(caches, cut)
    assert proc.returncode == R.EXIT_CORRUPT and b"truncated" in proc.stderr


# ------------------------------------------------------------- module cache
def _cached_module(caches, exe: Path) -> Path:
    """The fast path's cached file of the best variant's decoded cwasm."""
    trailer, payload = PF.read_executable_payload(str(exe))
    info = payload.entry_info(f"cwasm/{BEST}")
    assert info["raw_digest"] == PF.page_digest(payload.get(f"cwasm/{BEST}"))
    return caches["fast"] / trailer.runner_sha256.hex() / "modules" / f"{info['sha256']}.cwasm"


def test_module_cache_file_is_checked_before_use(caches, make_exe):
    """The decoded cwasm is cached as a file for later starts; a cached file that does
    not hash to the payload's raw_digest is never deserialised (here: replaced by
    another program's valid module, which would print something else), but decoded
    again from the payload and rewritten."""
    exe, other = make_exe("HELLO"), make_exe("ARGS_ENV")
    cached, other_cached = _cached_module(caches, exe), _cached_module(caches, other)
    same(caches, exe)
    assert cached.is_file() and cached.stat().st_mode & 0o777 == 0o444
    good, written = cached.read_bytes(), cached.stat().st_mtime_ns
    assert same(caches, exe).stdout == b"Hello, world!\n"
    assert cached.stat().st_mtime_ns == written  # served from the file: its digest matched
    same(caches, other)
    assert other_cached.read_bytes() != good
    page = PF.PAGE
    zero = [i for i in range(0, len(good) - page, page) if not any(good[i:i + page])]
    data = next(i for i in range(0, len(good) - page, page) if any(good[i:i + page]))
    bads = [other_cached.read_bytes(), good[:len(good) // 2], good[:-1] + bytes([good[-1] ^ 1]),
            good[:data] + bytes(page) + good[data + page:]]  # a page zeroed
    bads += [good[:i + 100] + b"\x01" + good[i + 101:] for i in zero[:1]]  # a byte in a zero page
    for bad in bads:
        assert len(bad) != len(good) or PF.page_digest(bad) != PF.page_digest(good)
        cached.chmod(0o644)
        cached.write_bytes(bad)
        assert same(caches, exe).stdout == b"Hello, world!\n"
        assert cached.read_bytes() == good


def test_module_cache_zero_pages_are_checked_too(caches, tmp_path):
    """A real program's module is mostly all-zero pages (the memory image), which the
    digest takes as a constant after checking they are zero: one byte set in such a
    page is found like any other change."""
    exe = tmp_path / "hello"
    native_from_result(compile_file(REPO / "examples" / "hello" / "hello.nyash"), exe)
    cached = _cached_module(caches, exe)
    want = same(caches, exe).stdout
    good, written = cached.read_bytes(), cached.stat().st_mtime_ns
    assert same(caches, exe).stdout == want and cached.stat().st_mtime_ns == written
    page = PF.PAGE
    zero = [i for i in range(0, len(good) - page, page) if not any(good[i:i + page])]
    assert len(zero) * page > len(good) // 2
    for i in (zero[0], zero[-1]):
        cached.chmod(0o644)
        cached.write_bytes(good[:i + 7] + b"\x80" + good[i + 8:])
        assert same(caches, exe).stdout == want
        assert cached.read_bytes() == good  # found out, decoded again and rewritten


def test_module_cache_unwritable_falls_back(caches, make_exe, tmp_path):
    """No module cache (here `modules` is a file): the fast path decodes in memory."""
    exe = make_exe("HELLO")
    cached = _cached_module(caches, exe)
    modules = cached.parent
    saved = tmp_path / "modules"
    if modules.exists():
        shutil.move(str(modules), saved)
    modules.write_text("not a directory")
    try:
        assert same(caches, exe).stdout == b"Hello, world!\n"
        assert same(caches, exe).stdout == b"Hello, world!\n"
    finally:
        modules.unlink()
        if saved.exists():
            shutil.move(str(saved), modules)


# --------------------------------------------------------------------- qemu
@pytest.mark.skipif(shutil.which("qemu-x86_64") is None,
                    reason="qemu-x86_64 (Debian package qemu-user) is not installed")
def test_old_cpu_under_qemu_runs_baseline_natively(caches, make_exe):
    """The whole executable under `qemu-x86_64 -cpu Nehalem` (no AVX): the fast path
    does not exec, so everything stays emulated; v3 is refused by the CPU check (and
    by wasmtime's own when the check is skipped) and baseline runs."""
    exe = make_exe("HELLO")
    env = {**BASE_ENV, "NYASH_RUNNER_CACHE": str(caches["fast"]), "NYASH_TIMING": "1"}
    for extra in ({}, {"NYASH_AOT_IGNORE_CPU": "1"}):
        proc = subprocess.run(["qemu-x86_64", "-cpu", "Nehalem", str(exe)], env={**env, **extra},
                              capture_output=True, text=True, timeout=300)
        assert proc.stdout == "Hello, world!\n", proc.stderr
        assert TIMING.fullmatch(proc.stderr).group(3) == "baseline"
    traced = subprocess.run(["qemu-x86_64", "-cpu", "Nehalem", "-strace", str(exe)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert " execve(" not in traced.stderr and "Hello, world!" in traced.stdout
