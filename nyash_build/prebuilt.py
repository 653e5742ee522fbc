"""Native artifacts built from C sources with the pip-installable zig toolchain.

Why this exists: some parts of nyash-build are compiled code — the static launcher
every executable starts with, and runtime parts written in C and compiled to wasm
(they are linked into every module like the hand-written WAT runtime). Users must not
need a C compiler for any of them, so they are built **when the package is built**
(``setup.py`` calls :func:`prebuild_all` from ``build_py``; ``ziglang`` is a build
requirement) and shipped inside the package under ``nyash_build/_prebuilt/``.

Each artifact is named by a key: the hash of its source files, its build options and
the zig version. At run time :func:`artifact_path` returns, in order:

1. the shipped file in ``nyash_build/_prebuilt/`` when its recorded key matches the
   current sources (an editable checkout whose C sources changed does not use a stale
   file);
2. a file built earlier into the per-user cache (``$NYASH_CACHE_DIR/prebuilt/<key>/``)
   for the current sources (found without starting zig);
3. a fresh build into that cache, when the ``ziglang`` module is importable
   (development checkouts, worktrees);

4. a build with the artifact's ``fallback`` (a system compiler such as gcc) into that
   cache, for artifacts that have one, when zig is not available;

and otherwise raises :class:`PrebuiltMissing` with a one-line message saying how to fix
it. Every stamp records the sha256 of its file; a shipped or cached file whose bytes no
longer match is not used (it is rebuilt, or the next source is tried). This module imports only the standard library: ``setup.py`` runs it in pip's
isolated build environment, where nyash-build's own dependencies are not installed.

To add an artifact, register an :class:`Artifact` in ``ARTIFACTS`` with the source files
it reads (paths relative to the repository root) and a ``build(out: Path, zig_cc)``
function that writes exactly ``out`` (optionally a ``fallback(out: Path)`` that builds
the same file without zig).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
PREBUILT_DIR = Path(__file__).resolve().parent / "_prebuilt"


class PrebuiltMissing(Exception):
    """A native artifact is neither shipped, cached, nor buildable here (message for humans:
    ``WHAT; FIX``, one line)."""


class CompilerMissing(Exception):
    """An artifact's fallback could not start its compiler (``str()``: the compiler's name)."""


NO_COMPILER = "no C compiler"  # how PrebuiltMissing's message starts when that is the cause


@dataclass(frozen=True)
class Artifact:
    name: str                      # file name of the result, e.g. "launcher-x86_64-linux"
    sources: tuple[str, ...]       # repository-relative inputs (hashed into the key)
    build: Callable[[Path, list[str]], None]  # build(out, zig_cc_command)
    options: dict = field(default_factory=dict)  # anything else the result depends on
    fallback: Callable[[Path], None] | None = None  # fallback(out): build without zig


ARTIFACTS: dict[str, Artifact] = {}


def register(artifact: Artifact) -> Artifact:
    ARTIFACTS[artifact.name] = artifact
    return artifact


def zig_version() -> str | None:
    try:
        import ziglang  # noqa: F401
    except ImportError:
        return None
    try:
        res = subprocess.run([sys.executable, "-m", "ziglang", "version"], capture_output=True,
                             text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout.strip() or None


def zig_cc() -> list[str]:
    """The command prefix for zig's C compiler (``... cc -target T ...``)."""
    return [sys.executable, "-m", "ziglang", "cc"]


def artifact_key(artifact: Artifact, zig: str | None = None) -> str:
    h = hashlib.sha256()
    for rel in sorted(artifact.sources):
        h.update(rel.encode() + b"\0" + (REPO_ROOT / rel).read_bytes() + b"\0")
    h.update(json.dumps(artifact.options, sort_keys=True).encode())
    h.update((zig or "").encode())
    return h.hexdigest()[:24]


def _cache_root() -> Path:
    env = os.environ.get("NYASH_CACHE_DIR")
    base = Path(env) if env else Path.home() / ".cache" / "nyash-build"
    return base / "prebuilt"


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _fits(artifact: Artifact, directory: Path) -> bool:
    """`directory` holds the artifact built from the current sources, bytes intact."""
    path = directory / artifact.name
    try:
        rec = json.loads((directory / (artifact.name + ".json")).read_text())
    except (OSError, ValueError):
        return False
    toolchain = rec.get("zig") if "fallback" not in rec else "fallback:" + str(rec["fallback"])
    return (rec.get("key") == artifact_key(artifact, toolchain) and path.is_file()
            and rec.get("sha256") == _file_sha256(path))


def _shipped(artifact: Artifact) -> Path | None:
    """The file shipped in the package, when its recorded source hash still matches."""
    return PREBUILT_DIR / artifact.name if _fits(artifact, PREBUILT_DIR) else None


def _build_into(artifact: Artifact, dest_dir: Path, zig: str | None) -> Path:
    """Build one artifact into dest_dir atomically (temp file + rename) with a stamp;
    with zig, or with the artifact's fallback when `zig` is None."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{artifact.name}.", dir=dest_dir) as tmp:
        out = Path(tmp) / artifact.name
        if zig is not None:
            artifact.build(out, zig_cc())
            rec = {"key": artifact_key(artifact, zig), "zig": zig}
        else:
            assert artifact.fallback is not None
            artifact.fallback(out)
            rec = {"key": artifact_key(artifact, "fallback:1"), "fallback": 1}
        if not out.is_file():
            raise PrebuiltMissing(f"building {artifact.name} produced no file")
        rec["sha256"] = _file_sha256(out)
        stamp = Path(tmp) / (artifact.name + ".json")
        stamp.write_text(json.dumps(rec, sort_keys=True))
        os.replace(out, dest_dir / artifact.name)
        os.replace(stamp, dest_dir / (artifact.name + ".json"))
    return dest_dir / artifact.name


def _build_cached(artifact: Artifact, key: str, zig: str | None) -> Path:
    """The artifact in the per-user cache under `key`, built there if missing (locked)."""
    dest = _cache_root() / key
    if _fits(artifact, dest):
        return dest / artifact.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest.parent / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _fits(artifact, dest):
            return dest / artifact.name
        return _build_into(artifact, dest, zig)


def artifact_path(name: str) -> Path:
    """Path of a ready artifact (shipped, cached, or built now); see the module docstring."""
    _load_registrations()
    artifact = ARTIFACTS[name]
    shipped = _shipped(artifact)
    if shipped is not None:
        return shipped
    # a cache entry whose recorded key matches the current sources (built with whichever
    # zig): found without starting zig, which costs a subprocess (~0.3 s) per process
    cached = _cached(artifact)
    if cached is not None:
        return cached
    zig = zig_version()
    if zig is not None:
        return _build_cached(artifact, artifact_key(artifact, zig), zig)
    if artifact.fallback is not None:
        try:
            return _build_cached(artifact, "fallback-" + artifact_key(artifact, "fallback:1"), None)
        except CompilerMissing as e:  # neither zig nor the fallback's compiler: say so, with the fix
            raise PrebuiltMissing(
                f"{NO_COMPILER} to build {name}, which this installation does not ship for these "
                f"sources: neither the 'ziglang' package nor {e} is installed; `pip install ziglang` "
                f"(or install {e}), or reinstall nyash-build, whose package ships it prebuilt") from None
        except Exception as e:  # noqa: BLE001 - reported below with the way out
            why = f" (and the fallback build failed: {str(e).splitlines()[0]})"
            raise PrebuiltMissing(
                f"{name} is not part of this installation and cannot be built here "
                f"(it needs the 'ziglang' package){why}; reinstall nyash-build with "
                "`pip install --force-reinstall nyash-build`, or `pip install ziglang`") from None
    raise PrebuiltMissing(
        f"{NO_COMPILER} to build {name}, which this installation does not ship for these sources: "
        "it needs the 'ziglang' package, which is not installed; `pip install ziglang`, or reinstall "
        "nyash-build, whose package ships it prebuilt")


def _cached(artifact: Artifact) -> Path | None:
    """A zig-built cache entry that fits the current sources (any zig version)."""
    for stamp in sorted(_cache_root().glob(f"*/{artifact.name}.json")):
        try:
            zig_built = "fallback" not in json.loads(stamp.read_text())
        except (OSError, ValueError):
            continue
        if zig_built and _fits(artifact, stamp.parent):
            return stamp.parent / artifact.name
    return None


def prebuild_all(package_dir: Path) -> list[Path]:
    """Build every registered artifact into ``package_dir/_prebuilt`` (package build time)."""
    _load_registrations()
    zig = zig_version()
    if zig is None:
        raise PrebuiltMissing("the 'ziglang' build requirement is not installed")
    out_dir = Path(package_dir) / "_prebuilt"
    built = []
    for artifact in ARTIFACTS.values():
        target = out_dir / artifact.name
        stamp = out_dir / (artifact.name + ".json")
        try:
            rec = json.loads(stamp.read_text())
            if rec.get("key") == artifact_key(artifact, zig) and rec.get("sha256") == _file_sha256(target):
                built.append(target)
                continue
        except (OSError, ValueError):
            pass
        built.append(_build_into(artifact, out_dir, zig))
    return built


def _load_registrations() -> None:
    """Import the modules that register artifacts. They, and the packages above them,
    must import only the standard library (``setup.py`` runs this in pip's isolated
    build environment with the repository on ``sys.path``)."""
    import importlib
    for mod in REGISTRATION_MODULES:
        importlib.import_module(mod)


# Dotted names of the stdlib-only modules that call ``register(...)`` when imported.
REGISTRATION_MODULES: list[str] = ["nyash_build.runtime.c_build", "nyash_build.bundle.launcher_build"]
