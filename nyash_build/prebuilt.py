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

and otherwise raises :class:`PrebuiltMissing` with a one-line message saying how to fix
it. This module imports only the standard library: ``setup.py`` runs it in pip's
isolated build environment, where nyash-build's own dependencies are not installed.

To add an artifact, register an :class:`Artifact` in ``ARTIFACTS`` with the source files
it reads (paths relative to the repository root) and a ``build(out: Path, zig_cc)``
function that writes exactly ``out``.
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
    """A native artifact is neither shipped, cached, nor buildable here (message for humans)."""


@dataclass(frozen=True)
class Artifact:
    name: str                      # file name of the result, e.g. "launcher-x86_64-linux"
    sources: tuple[str, ...]       # repository-relative inputs (hashed into the key)
    build: Callable[[Path, list[str]], None]  # build(out, zig_cc_command)
    options: dict = field(default_factory=dict)  # anything else the result depends on


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


def _shipped(artifact: Artifact) -> Path | None:
    """The file shipped in the package, when its recorded source hash still matches."""
    path = PREBUILT_DIR / artifact.name
    stamp = PREBUILT_DIR / (artifact.name + ".json")
    try:
        rec = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None
    if not path.is_file() or rec.get("key") != artifact_key(artifact, rec.get("zig")):
        return None
    return path


def _build_into(artifact: Artifact, dest_dir: Path, zig: str) -> Path:
    """Build one artifact into dest_dir atomically (temp file + rename) with a stamp."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{artifact.name}.", dir=dest_dir) as tmp:
        out = Path(tmp) / artifact.name
        artifact.build(out, zig_cc())
        if not out.is_file():
            raise PrebuiltMissing(f"building {artifact.name} produced no file")
        stamp = Path(tmp) / (artifact.name + ".json")
        stamp.write_text(json.dumps({"key": artifact_key(artifact, zig), "zig": zig}, sort_keys=True))
        os.replace(out, dest_dir / artifact.name)
        os.replace(stamp, dest_dir / (artifact.name + ".json"))
    return dest_dir / artifact.name


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
    if zig is None:
        raise PrebuiltMissing(
            f"{name} is not part of this installation and cannot be built here "
            "(it needs the 'ziglang' package): reinstall nyash-build with "
            "`pip install --force-reinstall nyash-build`, or `pip install ziglang`")
    key = artifact_key(artifact, zig)
    dest = _cache_root() / key
    if (dest / name).is_file() and (dest / (name + ".json")).is_file():
        return dest / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest.parent / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (dest / name).is_file():
            return dest / name
        return _build_into(artifact, dest, zig)


def _cached(artifact: Artifact) -> Path | None:
    name = artifact.name
    for stamp in sorted(_cache_root().glob(f"*/{name}.json")):
        try:
            rec = json.loads(stamp.read_text())
        except (OSError, ValueError):
            continue
        if rec.get("key") == artifact_key(artifact, rec.get("zig")) and (stamp.parent / name).is_file():
            return stamp.parent / name
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
            if target.is_file() and json.loads(stamp.read_text()).get("key") == artifact_key(artifact, zig):
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
REGISTRATION_MODULES: list[str] = ["nyash_build.runtime.c_build"]
