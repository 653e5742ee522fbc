"""Where the launcher comes from (issue 18 item 4): zig-built and shipped with the
package, checked by hash, built on demand with the installed ziglang in a checkout, and
compiled with gcc only when no zig-built launcher fits. Building an executable never
needs a C compiler on the user's machine."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nyash_build import prebuilt
from nyash_build.bundle import launcher_build as LB
from nyash_build.bundle import runner_cache as RC
from nyash_build.bundle.exe import assemble
from runtime_stub import payload as PF

REPO = Path(__file__).resolve().parents[2]
HELLO = REPO / "examples" / "hello" / "hello.nyash"
HELLO_OUT = ("Hello from Nyash!\n1 + 2 + ... + 10 = 55\n"
             "compiled ahead of time to one standalone executable\n")
COMPILERS = ("gcc", "g++", "cc", "c++", "c89", "c99", "cpp", "clang", "tcc", "cc1", "collect2")
needs_zig = pytest.mark.skipif(prebuilt.zig_version() is None, reason="ziglang is not installed")


def needed_libraries(path: Path) -> set[str]:
    """DT_NEEDED entries of an ELF64 little-endian file."""
    data = path.read_bytes()
    u16 = lambda o: int.from_bytes(data[o:o + 2], "little")  # noqa: E731
    u64 = lambda o: int.from_bytes(data[o:o + 8], "little")  # noqa: E731
    shoff, shentsize, shnum = u64(0x28), u16(0x3A), u16(0x3C)
    sections = [(int.from_bytes(data[h + 4:h + 8], "little"), u64(h + 24), u64(h + 32),
                 int.from_bytes(data[h + 40:h + 44], "little"))
                for h in (shoff + i * shentsize for i in range(shnum))]
    out = set()
    for kind, offset, size, link in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strtab = sections[link][1]
        for e in range(offset, offset + size, 16):
            if u64(e) == 1:  # DT_NEEDED
                name = data[strtab + u64(e + 8):].split(b"\0", 1)[0]
                out.add(name.decode())
    return out


def compiler_free_path(tmp: Path) -> tuple[str, Path]:
    """PATH with every program of /usr/bin and /bin except C compilers, plus a `gcc`
    that records being called and fails. Returns (PATH, marker file)."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    marker = tmp / "gcc-was-called"
    for d in ("/usr/bin", "/bin"):
        for entry in os.scandir(d):
            name = entry.name
            if (name in COMPILERS or name.startswith(("gcc", "g++", "clang", "x86_64-linux-gnu-"))
                    or "-gcc" in name or (bin_dir / name).exists()):
                continue
            (bin_dir / name).symlink_to(entry.path)
    fake = bin_dir / "gcc"
    fake.write_text(f"#!/bin/sh\necho called >> {marker}\nexit 1\n")
    fake.chmod(0o755)
    return f"{bin_dir}:{Path(sys.executable).parent}", marker


def seeded_cache(tmp: Path, runner_dir: Path) -> Path:
    """A fresh NYASH_CACHE_DIR holding only the frozen runner archive of this session
    (PyInstaller and lzma made it; no C compiler is involved in freezing), so the test
    provisions the launcher from scratch without minutes of freezing."""
    cache = tmp / "cache"
    archive = runner_dir.parent / (RC.ARCHIVE_PREFIX + RC.archive_key())
    shutil.copytree(archive, cache / "runners" / archive.name)
    return cache


# ------------------------------------------------------------------- artifact
@needs_zig
def test_launcher_is_zig_built_and_needs_only_the_c_library(tmp_path, monkeypatch):
    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(prebuilt, "PREBUILT_DIR", tmp_path / "not-shipped")
    path = LB.launcher_path()
    assert path.read_bytes()[:4] == b"\x7fELF"
    assert needed_libraries(path) <= {"libc.so.6", "libdl.so.2", "libpthread.so.0", "libm.so.6"}
    stamp = json.loads(path.with_name(path.name + ".json").read_text())
    assert stamp["zig"] == prebuilt.zig_version() and len(stamp["sha256"]) == 64


@needs_zig
def test_damaged_launcher_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(prebuilt, "PREBUILT_DIR", tmp_path / "not-shipped")
    path = LB.launcher_path()
    good = path.read_bytes()
    path.write_bytes(good[:-100] + b"\0" * 100)  # same size, other bytes
    again = LB.launcher_path()
    assert again.read_bytes() == good


@needs_zig
def test_package_build_ships_the_launcher(tmp_path, monkeypatch):
    """setup.py's hook: prebuild_all writes the launcher and its stamp into the package;
    an installation then uses that file (no zig, no cache)."""
    monkeypatch.setenv("NYASH_CACHE_DIR", str(tmp_path / "cache"))
    built = prebuilt.prebuild_all(tmp_path / "pkg")
    shipped = tmp_path / "pkg" / "_prebuilt" / LB.ARTIFACT_NAME
    assert shipped in built
    monkeypatch.setattr(prebuilt, "PREBUILT_DIR", tmp_path / "pkg" / "_prebuilt")
    monkeypatch.setattr(prebuilt, "zig_version", lambda: None)
    assert LB.launcher_path() == shipped
    assert not (tmp_path / "cache").exists()
    shipped.write_bytes(shipped.read_bytes() + b"x")  # altered: no longer fits
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(LB.LauncherBuildError, match="ziglang"):
        LB.launcher_path()


# ---------------------------------------------------------------- no compiler
@needs_zig
def test_gcc_hidden_from_path_still_builds_a_working_executable(tmp_path, runner_dir):
    path, gcc_called = compiler_free_path(tmp_path)
    cache = seeded_cache(tmp_path, runner_dir)
    exe = tmp_path / "hello"
    env = {"PATH": path, "HOME": str(tmp_path), "NYASH_CACHE_DIR": str(cache),
           "PYTHONPATH": str(REPO), "ZIG_GLOBAL_CACHE_DIR": os.environ.get(
               "ZIG_GLOBAL_CACHE_DIR", str(Path.home() / ".cache" / "zig"))}
    assert shutil.which("gcc", path=path) and not shutil.which("cc", path=path)
    proc = subprocess.run([sys.executable, "-m", "nyash_build", "--compile-native", str(HELLO),
                           "-o", str(exe)], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert not gcc_called.exists()
    ran = subprocess.run([str(exe)], env={"PATH": path, "NYASH_RUNNER_CACHE": str(tmp_path / "rc")},
                         capture_output=True, text=True, timeout=120)
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, HELLO_OUT, "")


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_gcc_fallback_without_zig(tmp_path, runner_dir, make_exe):
    """No zig importable, no shipped launcher: gcc compiles the same sources, and the
    launcher it makes runs the fast path like the zig-built one."""
    shadow = tmp_path / "shadow" / "ziglang"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('hidden by the test')\n")
    code = textwrap.dedent(f"""
        from pathlib import Path
        from nyash_build import prebuilt
        prebuilt.PREBUILT_DIR = Path({str(tmp_path / 'none')!r})
        from nyash_build.bundle.launcher_build import launcher_path
        print(launcher_path())
    """)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path / 'shadow'}:{REPO}",
           "NYASH_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    launcher = Path(proc.stdout.strip())
    assert json.loads(launcher.with_name(launcher.name + ".json").read_text())["fallback"] == 1
    # an executable with the gcc-built launcher in front runs natively
    exe = make_exe("HELLO")
    trailer, _ = PF.read_executable_payload(str(exe))
    data = exe.read_bytes()
    out = tmp_path / "hello-gcc"
    out.write_bytes(assemble(launcher.read_bytes(),
                             data[trailer.runner_off:trailer.runner_off + trailer.runner_len],
                             trailer.runner_raw_len, data[trailer.payload_off:-PF.TRAILER_SIZE]))
    out.chmod(0o755)
    ran = subprocess.run([str(out)], env={"PATH": "/usr/bin:/bin", "NYASH_TIMING": "1",
                                          "NYASH_RUNNER_CACHE": str(tmp_path / "rc")},
                         capture_output=True, text=True, timeout=120)
    assert ran.stdout == "Hello, world!\n" and "nyash-timing: " in ran.stderr


def test_no_zig_and_no_gcc_is_one_line_with_the_fix(tmp_path, runner_dir):
    """Neither zig (the `ziglang` package cannot be imported) nor any C compiler on PATH,
    and no launcher shipped for these sources: building an executable is an environment
    problem (N0608), one line with the fix, exit 1 -- never an internal compiler error."""
    bin_dir, _ = compiler_free_path(tmp_path)
    (tmp_path / "bin" / "gcc").unlink()  # not a failing gcc: none at all
    assert shutil.which("gcc", path=bin_dir) is None and shutil.which("cc", path=bin_dir) is None
    shadow = tmp_path / "shadow" / "ziglang"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('hidden by the test')\n")
    cache = seeded_cache(tmp_path, runner_dir)
    exe = tmp_path / "hello"
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from nyash_build import cli, prebuilt
        prebuilt.PREBUILT_DIR = Path({str(tmp_path / 'not-shipped')!r})
        sys.exit(cli.main(sys.argv[1:]))
    """)
    env = {"PATH": bin_dir, "HOME": str(tmp_path), "NYASH_CACHE_DIR": str(cache),
           "PYTHONPATH": f"{tmp_path / 'shadow'}:{REPO}"}
    proc = subprocess.run([sys.executable, "-c", code, "--compile-native", str(HELLO), "-o", str(exe)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == (
        f"nyash: error: no C compiler to build {LB.ARTIFACT_NAME}, which this installation does not ship "
        "for these sources: neither the 'ziglang' package nor gcc is installed; `pip install ziglang` "
        "(or install gcc), or reinstall nyash-build, whose package ships it prebuilt [N0608]\n")
    assert not exe.exists()
