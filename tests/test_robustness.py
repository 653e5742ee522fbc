"""Bad input of every kind gets a clear answer (docs/robustness.md lists each case and
the test here that proves it): broken sources, pathological sizes, broken nyash.toml,
unwritable outputs, full disks, damaged executables, builds killed mid-way, runtime
resource limits."""
from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nyash_build.compiler.driver import compile_source
from nyash_build.diagnostics import CompileError
from nyash_build.envproblems import FREE_SPACE
from tests.fuzz.harness import build_exe, run_exe
from tests.helpers import REPO, nyash

LIMIT_S = 30.0  # generous: never flakes, still catches a quadratic blow-up


def _src(tmp_path: Path, data: bytes | str, name: str = "app.nyash") -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def _one_error(p: subprocess.CompletedProcess, pattern: str) -> None:
    import re
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr and "internal compiler error" not in p.stderr
    assert re.search(pattern, p.stderr, re.M), p.stderr


def _compile_error(text: str) -> tuple[CompileError, float]:
    t0 = time.perf_counter()
    with pytest.raises(CompileError) as info:
        compile_source(text, "f.nyash")
    return info.value, time.perf_counter() - t0


# ---------------------------------------------------------------------- bad sources
def test_empty_file(tmp_path):
    src = _src(tmp_path, b"")
    p = nyash("check", str(src))
    assert p.returncode == 0 and p.stderr == f"{src}: ok\n"
    p = nyash("run", str(src))
    assert (p.returncode, p.stdout, p.stderr) == (0, "", "")


def test_binary_garbage(tmp_path):
    src = _src(tmp_path, b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    _one_error(nyash("check", str(src)), rf"^{src}:2:118: error: source is not valid UTF-8 \[N0101\]$")  # after the \n byte


def test_non_utf8_is_positioned(tmp_path):
    src = _src(tmp_path, b'print("a")\nprint("\xff")\n')
    _one_error(nyash("run", str(src)), rf"^{src}:2:8: error: source is not valid UTF-8 \[N0101\]$")


def test_ten_megabyte_single_line_of_letters(tmp_path):
    src = _src(tmp_path, "x" * 10_000_000 + "\n")
    p = nyash("check", str(src))
    _one_error(p, rf"^{src}:1:1: error: name too long \(10000000 characters, the limit is 1024\) \[N0105\]$")
    assert len(p.stderr) < 500  # the name is not echoed back


def test_ten_megabyte_string_literal_compiles_fast():
    t0 = time.perf_counter()
    compile_source('print("' + "ab\\n" * 2_500_000 + '")\n', "f.nyash")
    assert time.perf_counter() - t0 < LIMIT_S


def test_huge_integer_literal():
    err, _ = _compile_error("print(" + "7" * 5000 + ")\n")
    assert str(err).startswith("f.nyash:1:7: error: integer literal 77777777777777777777...7777777777 "
                               "does not fit in 64 bits")


@pytest.mark.parametrize("shape", ["parens", "blocks", "unary", "calls", "not"])
def test_ten_thousand_deep_nesting(shape):
    n = 10_000
    text = {"parens": "print(" + "(" * n + "1" + ")" * n + ")\n",
            "blocks": "if true {\n" * n + "print(1)\n" + "}\n" * n,
            "unary": "print(" + "-" * n + "1)\n",
            "calls": "function f(x) {\nreturn x\n}\nprint(" + "f(" * n + "1" + ")" * n + ")\n",
            "not": "print(" + "not " * n + "true)\n"}[shape]
    err, took = _compile_error(text)
    assert "nested deeper than 200 levels" in str(err)
    assert took < LIMIT_S


def test_unknown_and_unsupported_boxes(tmp_path):
    _one_error(nyash("check", str(_src(tmp_path, "local x = new Foo()\n"))),
               r"app.nyash:1:15: error: Unknown box type 'Foo' \[N0204\]$")
    _one_error(nyash("check", str(_src(tmp_path, "local f = new SoundBox()\n"))),
               r"app.nyash:1:15: error: SoundBox is not available in compiled programs \[N0118\]$")


def test_missing_source_and_directory(tmp_path):
    _one_error(nyash("run", str(tmp_path / "nope.nyash")),
               r"nope.nyash: error: cannot read source file: No such file or directory \[N0601\]$")
    _one_error(nyash("run", str(tmp_path)), r": error: cannot read source file: Is a directory \[N0601\]$")


# ------------------------------------------------------------- the compiler never hangs
def _chain(op: str, term: str, n: int) -> str:
    return "print(" + f" {op} ".join([term] * n) + ")\n"


@pytest.mark.parametrize("text", [
    _chain("+", "1", 100_000), _chain("+", '"a"', 100_000), _chain("and", "true", 100_000),
    'print("a"' + ".toUpper()" * 100_000 + ")\n",
], ids=["sum", "concat", "and", "method-chain"])
def test_very_long_expressions_hit_a_clear_limit(text):
    err, took = _compile_error(text)
    assert "expression too long: more than 1000 operations in one expression" in str(err)
    assert took < LIMIT_S


def test_long_else_if_chain_hits_a_clear_limit():
    text = "local x = 5\nif x == 0 {\nprint(0)\n}" + "".join(
        f" else if x == {i} {{\nprint({i})\n}}" for i in range(1, 5000)) + "\n"
    err, took = _compile_error(text)
    assert "'else if' chain longer than 1000 branches" in str(err)
    assert took < LIMIT_S


def test_chains_below_the_limits_compile():
    compile_source(_chain("+", "x", 900).replace("print(", "local x = 1\nprint(", 1), "f.nyash")
    compile_source("local x = 5\nif x == 0 {\nprint(0)\n}" + "".join(
        f" else if x == {i} {{\nprint({i})\n}}" for i in range(1, 900)) + "\n", "f.nyash")


@pytest.mark.parametrize("kind", ["statements", "locals", "globals", "prints"])
def test_hundred_thousand_line_programs_compile_in_linear_time(kind):
    def program(n: int) -> str:
        return {"statements": "local x = 0\n" + "x = x + 1\n" * n + "print(x)\n",
                "locals": "".join(f"local v{i} = {i}\n" for i in range(n)) + "print(v1)\n",
                "globals": "".join(f"g{i} = {i}\n" for i in range(n)) + "print(g1)\n",
                "prints": "".join(f'print("line {i}")\n' for i in range(n))}[kind]

    def timed(n: int) -> float:
        t0 = time.perf_counter()
        compile_source(program(n), "f.nyash")
        return time.perf_counter() - t0

    small, big = timed(25_000), timed(100_000)
    assert big < LIMIT_S
    assert big < 12 * max(small, 0.05), (small, big)  # 4x input: linear ~4x, quadratic ~16x


# ---------------------------------------------------------------------- nyash.toml
@pytest.fixture
def hello(tmp_path) -> Path:
    dest = tmp_path / "hello"
    shutil.copytree(REPO / "examples" / "hello", dest, ignore=shutil.ignore_patterns("build", "__pycache__"))
    with open(dest / "nyash.toml", "a") as f:
        f.write("\n[cache]\nlocal = false\n")  # every stage really runs
    return dest


def _doit(project: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "doit", *args], cwd=project, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("toml, message", [
    ("[project\nname = 1\n",
     r"^nyash.toml:1:9: error: invalid TOML: Expected ']' at the end of a table declaration \[N0606\]\n  \|\n1 \| \[project\n"),
    ('[project]\nname = "hello"\n[apps.hello]\nmain = 5\n',
     r"^nyash.toml:4: error: 'apps.hello.main' must be a string, not an integer \[N0606\]\n  \|\n4 \| main = 5\n  \| \^{8}\n"),
    ('[project]\nname = "hello"\n[apps.hello]\nmain = "hello.nyash"\nbogus = 1\n',
     r"^nyash.toml:5: error: unknown key 'apps.hello.bogus'"),
])
def test_invalid_nyash_toml(hello, toml, message):
    import re
    (hello / "nyash.toml").write_text(toml)
    for p in (_doit(hello, "build"), nyash("build", cwd=hello)):
        assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
        assert re.search(message, p.stderr, re.M), p.stderr
    assert not (hello / "build" / "hello").exists()


# ---------------------------------------------------------------------- outputs
@pytest.mark.parametrize("flag", ["--compile-wasm", "--compile-native", "--emit-wat"])
def test_output_under_a_regular_file(tmp_path, flag):
    src = _src(tmp_path, "print(1)\n")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = blocker / "x"
    p = nyash(flag, str(src), "-o", str(out))
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.strip().endswith(f"nyash: error: cannot write {out}: {blocker} is not a directory; "
                                     "choose another output path with -o, or make the directory writable [N0602]"), p.stderr


@pytest.fixture
def tiny_fs(tmp_path):
    """A 64 KiB tmpfs (root only); skipped where mounting is not allowed."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (the monkeypatched ENOSPC test still runs)")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=False)


def test_disk_full_real_tmpfs(tmp_path, tiny_fs):
    src = _src(tmp_path, "print(1)\n")
    old = tiny_fs / "app"
    old.write_bytes(b"previous build")
    p = nyash("--compile-native", str(src), "-o", str(old))
    assert p.returncode == 1
    assert p.stderr.strip() == f"nyash: error: cannot write {old}: No space left on device; {FREE_SPACE} [N0603]"
    assert old.read_bytes() == b"previous build"  # the old target is intact
    assert sorted(x.name for x in tiny_fs.iterdir()) == ["app"]  # no temp file left


def test_full_cache_disk_real_tmpfs(tmp_path, tiny_fs):
    """The runner cache on a full disk: the same one line (it used to be a "missing tool"
    line quoting PyInstaller's traceback)."""
    src = _src(tmp_path, "print(1)\n")
    p = nyash("--compile-native", str(src), "-o", str(tmp_path / "app"),
              env={"NYASH_CACHE_DIR": str(tiny_fs / "cache")})
    line = p.stderr.strip()
    assert p.returncode == 1 and "\n" not in line, p.stderr
    assert line.startswith("nyash: error: cannot ") and "No space left on device; " in line
    assert line.endswith(" [N0603]") and "Traceback" not in line and 'File "' not in line
    assert not (tmp_path / "app").exists()


def _mount_read_only(mnt: Path) -> None:
    mnt.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,ro", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (test_environment.py simulates EROFS)")


def test_read_only_output_directory_real_tmpfs(tmp_path):
    """A real read-only file system (root ignores permissions, so chmod cannot test
    this): one line naming the output and the fix, no temp file named."""
    src = _src(tmp_path, "print(1)\n")
    ro = tmp_path / "ro"
    _mount_read_only(ro)
    try:
        for flag, name in (("--compile-native", "app"), ("--compile-wasm", "app.wasm")):
            p = nyash(flag, str(src), "-o", str(ro / name))
            assert (p.returncode, p.stderr) == (1, f"nyash: error: cannot write {ro / name}: Read-only file system; "
                                                   "choose another output path with -o, or make the directory "
                                                   "writable [N0602]\n")
    finally:
        subprocess.run(["umount", str(ro)], check=False)


def test_read_only_out_dir_in_a_project_build(hello):
    """`nyash build` whose out-dir (or an app's directory in it) is read-only: the fix
    names the out-dir, not -o; with --format json it is an object on stdout."""
    build = hello / "build"
    _mount_read_only(build)
    try:
        p = nyash("build", "--color", "never", cwd=hello)
        assert (p.returncode, p.stdout) == (1, "")
        assert p.stderr == (f"nyash: error: cannot write {build / '.doit-db.json.lock'}: Read-only file system; "
                            "make the directory writable, or set another `out-dir` in nyash.toml's [build] [N0602]\n")
    finally:
        subprocess.run(["umount", str(build)], check=False)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(build)], check=True)
    try:
        _mount_read_only(build / "hello")
        try:
            p = nyash("build", "--format", "json", cwd=hello)
            assert p.returncode == 1 and "Traceback" not in p.stderr
            (obj,) = [json.loads(line) for line in p.stdout.splitlines()]
            assert (obj["code"], obj["message"]) == ("N0602", "cannot write build/hello/hello.meta.json: "
                                                              "Read-only file system")
            assert "error: wasm:hello: cannot write build/hello/hello.meta.json: Read-only file system; make " \
                   "the directory writable, or set another `out-dir` in nyash.toml's [build] [N0602]" in p.stderr
        finally:
            subprocess.run(["umount", str(build / "hello")], check=False)
    finally:
        subprocess.run(["umount", str(build)], check=False)


def test_disk_full_simulated(tmp_path, monkeypatch, capsys):
    from nyash_build import cli, fsutil

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    src = _src(tmp_path, "print(1)\n")
    out = tmp_path / "out" / "app.wasm"
    out.parent.mkdir()
    out.write_bytes(b"old")
    monkeypatch.setattr(fsutil.os, "fsync", no_space)
    assert cli.main(["--compile-wasm", str(src), "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"nyash: error: cannot write {out}: No space left on device; {FREE_SPACE} [N0603]\n"
    assert out.read_bytes() == b"old"
    assert [x.name for x in out.parent.iterdir()] == ["app.wasm"]


# ---------------------------------------------------------------------- executables
HELLO_SRC = 'print("hello")\nprint(6 * 7)\n'


@pytest.fixture(scope="module")
def hello_exe(tmp_path_factory) -> Path:
    return build_exe(HELLO_SRC, tmp_path_factory.mktemp("exe") / "hello")


@pytest.fixture(scope="module")
def unpack(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("unpack")


def _launcher_size() -> int:
    from nyash_build.bundle.runner_cache import ensure_runner
    return (ensure_runner() / "launcher").stat().st_size


def test_truncated_executable_after_the_launcher(hello_exe, unpack, tmp_path):
    data = hello_exe.read_bytes()
    start = _launcher_size()
    rng = random.Random(5)
    for cut in sorted({start, len(data) - 1, len(data) - 40, *(rng.randrange(start, len(data)) for _ in range(3))}):
        exe = tmp_path / f"cut{cut}"
        exe.write_bytes(data[:cut])
        exe.chmod(0o755)
        r = run_exe(exe, unpack)
        assert r.code == 123, (cut, r.stderr)
        assert r.stderr == f"nyash: {exe}: not a nyash executable (trailer missing: truncated or foreign file)\n"
        assert r.stdout == ""


def test_intact_executable_runs(hello_exe, unpack):
    r = run_exe(hello_exe, unpack)
    assert (r.code, r.stdout, r.stderr) == (0, "hello\n42\n", "")


def test_corrupt_cwasm_in_build_dir_is_rebuilt(hello):
    """doit only checks that targets exist; the task library also records what each task
    wrote, so a damaged target is rebuilt by its own task (not bundled as is). The
    executable's JIT fallback for a refused .cwasm is tested in tests/bundle/test_exe.py
    (test_fallback_when_v3_artifact_is_refused_by_wasmtime, test_jit_when_no_variant_loads)."""
    assert _doit(hello, "build").returncode == 0
    reference = _targets(hello)
    out = hello / "build" / "hello"
    cwasm = out / "hello.x86-64-v3.cwasm"
    cwasm.write_bytes(os.urandom(cwasm.stat().st_size))
    p = _doit(hello, "build", "hello", "explain=1")
    assert p.returncode == 0, p.stderr
    assert ("why build/hello/hello.x86-64-v3.cwasm: output changed since it was built: "
            "build/hello/hello.x86-64-v3.cwasm") in p.stdout
    # the rebuilt .cwasm is byte-identical, so the executable (built from the good one)
    # is up to date: its input is what it was built from
    assert "ok  build/hello/hello (up to date)" in p.stdout
    assert p.stdout.splitlines()[-1].startswith("built 1 of 4 tasks"), p.stdout
    assert _targets(hello) == reference
    # both damaged: each task repairs its own target
    cwasm.write_bytes(b"\0" * 100)
    (out / "hello").write_bytes(b"#!/bin/sh\necho damaged\n")
    p = _doit(hello, "build", "hello")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[-1].startswith("built 2 of 4 tasks"), p.stdout
    assert _targets(hello) == reference
    r = subprocess.run([str(out / "hello")], capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "NYASH_AOT_DEBUG": "1"})
    assert r.returncode == 0 and r.stdout.startswith("Hello from Nyash!\n")
    assert "running: jit" not in r.stderr and "refused: wasmtime" not in r.stderr


# ---------------------------------------------------------------------- killed builds
def _slow_hello(project: Path) -> str:
    """Make every stage take a noticeable time (more code to compile and precompile)."""
    src = project / "hello.nyash"
    pads = "".join(f"function pad{i}(a, b) {{\n    local s = \"\"\n    loop(a < b) {{\n        s = s + a * {i}\n"
                   f"        a = a + 1\n    }}\n    return s.length()\n}}\n" for i in range(1200))
    calls = "local go = 0\nif go == 1 {\n" + "".join(f"    print(pad{i}(0, {i}))\n" for i in range(1200)) + "}\n"
    src.write_text(src.read_text() + pads + calls)
    return "Hello from Nyash!\n1 + 2 + ... + 10 = 55\ncompiled ahead of time to one standalone executable\n"


def _targets(project: Path) -> dict[str, bytes]:
    out = project / "build" / "hello"
    names = ["hello.wasm", "hello.meta.json", "hello.baseline.cwasm", "hello.x86-64-v3.cwasm", "hello"]
    return {n: (out / n).read_bytes() for n in names if (out / n).exists()}


def test_sigkill_at_random_points_then_rebuild(hello):
    expected_stdout = _slow_hello(hello)
    t0 = time.perf_counter()
    assert _doit(hello, "build").returncode == 0
    full = time.perf_counter() - t0
    reference = _targets(hello)
    assert len(reference) == 5
    rng = random.Random(1234)
    phases: set[int] = set()
    for attempt in range(10):
        shutil.rmtree(hello / "build")
        delay = rng.uniform(0.15, 1.0) * full
        proc = subprocess.Popen([sys.executable, "-m", "doit", "build"], cwd=hello, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        present = _targets(hello)
        phases.add(len(present))
        for name, data in present.items():  # whatever exists is complete and correct
            assert data == reference[name], f"half-written {name} after SIGKILL at {delay:.2f}s"
        p = _doit(hello, "build")
        assert p.returncode == 0, p.stdout + p.stderr
        assert _targets(hello) == reference, f"attempt {attempt}: rebuilt outputs differ"
        run = subprocess.run([str(hello / "build" / "hello" / "hello")], capture_output=True, text=True,
                             timeout=120, env={"PATH": "/usr/bin:/bin"})
        assert (run.returncode, run.stdout) == (0, expected_stdout)
        json.loads((hello / "build" / "hello" / "hello.meta.json").read_text())
    assert len(phases) >= 2, f"kills all landed in the same phase: {phases}"


# ---------------------------------------------------------------------- resource limits
MEMORY_HOG = 'local s = "abcdefgh"\nlocal i = 0\nloop(i < 40) {\n    s = s + s\n    i = i + 1\n}\nprint(s.length())\n'


def test_max_memory_gives_out_of_memory(tmp_path):
    p = nyash("run", str(_src(tmp_path, MEMORY_HOG)), env={"NYASH_MAX_MEMORY": "32M"})
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.startswith("Runtime error: out of memory\n  at <main> (app.nyash:4)")


def test_invalid_max_memory_setting(tmp_path):
    p = nyash("run", str(_src(tmp_path, "print(1)\n")), env={"NYASH_MAX_MEMORY": "lots"})
    assert p.returncode == 120
    assert p.stderr == "nyash: NYASH_MAX_MEMORY='lots' is not a size (e.g. 512M, 1G)\n"


def test_huge_string_repeat_is_out_of_memory(tmp_path):
    p = nyash("run", str(_src(tmp_path, 'print("x")\nprint(("ab" * 4611686018427387904).length())\n')),
              env={"NYASH_MAX_MEMORY": "64M"})
    assert (p.returncode, p.stdout) == (1, "x\n")
    assert p.stderr.startswith("Runtime error: out of memory")


def test_deep_recursion_then_stack_overflow(tmp_path):
    src = ("function down(n) {\n    if n == 0 {\n        return 0\n    }\n    return 1 + down(n - 1)\n}\n"
           "print(down(10000))\nprint(down(100000000))\n")
    p = nyash("run", str(_src(tmp_path, src)))
    assert (p.returncode, p.stdout) == (1, "10000\n")
    assert p.stderr.startswith("Runtime error: stack overflow\n  at down (app.nyash:")
    frames = p.stderr.split("\n  ... ")[0].splitlines()[1:]
    assert 1 <= len(frames) <= 10 and "more\n" in p.stderr
    # `nyash run` then quotes the line of the innermost frame (docs/diagnostics.md)
    assert p.stderr.endswith("the recursion is too deep or never ends\n"), p.stderr
    assert "app.nyash:1:1 [N0704]\n  |\n" in p.stderr  # the code after the position


def test_max_memory_applies_to_executables(unpack, tmp_path):
    exe = build_exe(MEMORY_HOG, tmp_path / "hog")
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(unpack), "NYASH_MAX_MEMORY": "32M"})
    assert r.returncode == 1 and r.stderr.startswith("Runtime error: out of memory")
