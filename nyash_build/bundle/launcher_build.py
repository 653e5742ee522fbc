"""The launcher every executable starts with: how it is compiled, and where it comes from.

Why a prebuilt artifact: users must not need a C compiler. The launcher
(`runtime_stub/launcher/*.c`) is compiled with zig when the package is built
(`nyash_build.prebuilt`, registered below) and shipped in the package; a checkout builds
it on demand with the installed `ziglang`. Only when no zig-built launcher fits (no
shipped one for these sources, no zig) is it compiled with the system's gcc.

Linking: everything but the C library is static (zig's compiler runtime, our own
decoders; no liblzma, no libz). The C library itself stays dynamic (glibc, symbol
versions of 2.17): the native fast path dlopens wasmtime's shared library from the
unpacked runner, which is linked against glibc, and a fully static (musl) program
cannot load a glibc shared library. The runner needs glibc anyway (the frozen Python
requires >= 2.35), so this adds no requirement.

This module imports only the standard library: `setup.py` imports it (through
`nyash_build.prebuilt`) in pip's isolated build environment.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from nyash_build import prebuilt
from runtime_stub import payload as P

RUNNER_NAME = "nyash-runner"
REPO = prebuilt.REPO_ROOT
LAUNCHER_DIR = "runtime_stub/launcher"
C_SOURCES = ("main.c", "fastpath.c", "conf.c", "payload.c", "traps.c", "util.c", "sha256.c",
             "lzma2.c", "inflate.c", "json.c")
HEADERS = ("common.h", "fastpath.h", "fastpath_parts.h", "json.h", "wasmtime_api.h")
ZIG_TARGET = "x86_64-linux-gnu.2.17"
CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-fno-strict-aliasing"]
ARTIFACT_NAME = "launcher-x86_64-linux"


class LauncherBuildError(Exception):
    """The launcher could not be compiled (message for humans)."""


def source_paths() -> list[str]:
    """Repository-relative inputs of the launcher (they make its key)."""
    files = [f"{LAUNCHER_DIR}/{name}" for name in C_SOURCES + HEADERS]
    return files + ["runtime_stub/payload.py", "nyash_build/bundle/launcher_build.py"]


def c_string(data: bytes) -> str:
    return '"' + "".join(f"\\x{b:02x}" for b in data) + '"'


def defines() -> list[str]:
    """-D flags carrying the executable layout from runtime_stub/payload.py."""
    defs = [f"-DTRAILER_SIZE={P.TRAILER_SIZE}", f"-DTRAILER_VERSION={P.TRAILER_VERSION}",
            f'-DRUNNER_NAME="{RUNNER_NAME}"',
            f"-DTRAILER_MAGIC={c_string(P.TRAILER_MAGIC)}",
            f"-DTRAILER_END={c_string(P.TRAILER_END)}",
            f"-DPAYLOAD_MAGIC={c_string(P.MAGIC)}", f"-DPAYLOAD_VERSION={P.VERSION}"]
    defs += [f"-DOFF_{name.upper()}={off}" for name, off in P.trailer_field_offsets().items()]
    return defs


def _compile(cmd: list[str], what: str) -> None:
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO / LAUNCHER_DIR)
    except FileNotFoundError:  # not installed (or not on PATH)
        raise prebuilt.CompilerMissing(cmd[0]) from None
    except OSError as e:
        raise LauncherBuildError(f"cannot run {what} to build the launcher: {e}") from None
    if res.returncode != 0:
        raise LauncherBuildError(f"{what} failed to build the launcher:\n{res.stderr[-3000:]}")


def _common_args(out: Path) -> list[str]:
    return [*CFLAGS, f"-ffile-prefix-map={REPO / LAUNCHER_DIR}=.", *defines(),
            "-o", str(out), *C_SOURCES]


def build_with_zig(out: Path, zig_cc: list[str]) -> None:
    """prebuilt.Artifact.build: the launcher for x86-64 Linux (glibc >= 2.17)."""
    _compile([*zig_cc, "-target", ZIG_TARGET, "-s", "-fno-sanitize=all",
              *_common_args(out), "-ldl", "-lpthread", "-lm"], "zig cc")


def build_with_gcc(out: Path) -> None:
    """prebuilt.Artifact.fallback: the same sources with the system's gcc."""
    _compile(["gcc", "-s", *_common_args(out), "-ldl", "-lpthread", "-lm"], "gcc")


ARTIFACT = prebuilt.register(prebuilt.Artifact(
    name=ARTIFACT_NAME, sources=tuple(source_paths()), build=build_with_zig,
    options={"target": ZIG_TARGET, "cflags": CFLAGS, "defines": defines()},
    fallback=build_with_gcc))


def launcher_path() -> Path:
    """The launcher for this installation: shipped, cached, zig-built or gcc-built."""
    try:
        return prebuilt.artifact_path(ARTIFACT_NAME)
    except prebuilt.PrebuiltMissing as e:
        raise LauncherBuildError(str(e)) from None


def launcher_identity() -> str:
    """What the launcher's behaviour depends on (its sources and build options)."""
    h = hashlib.sha256()
    for rel in sorted(source_paths()):
        h.update(rel.encode() + b"\0" + (REPO / rel).read_bytes() + b"\0")
    h.update(json.dumps(ARTIFACT.options, sort_keys=True).encode())
    return h.hexdigest()[:24]


def install_launcher(dest: Path) -> None:
    """Copy the launcher to `dest` (executable)."""
    src = launcher_path()
    shutil.copyfile(src, dest)
    os.chmod(dest, 0o755)
