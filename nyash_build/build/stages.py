"""The three build stages as doit actions, plus the identities that key their up-to-date checks.

Each action is a plain module-level function (picklable, so `doit -n 2` can ship it to a
worker process) that reads its inputs from disk, calls the real stage, and writes every
output atomically (temp file + rename) so an interrupted build never leaves a half-written
target behind. The heavy modules (compiler, wasmtime, PyInstaller) are imported inside the
actions: `doit list` and no-op builds never pay for them.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path

from doit.exceptions import TaskFailed

import nyash_build
from nyash_build.fsutil import write_atomic  # noqa: F401 - one atomic writer for all stages

_PACKAGE_DIR = Path(nyash_build.__file__).resolve().parent
_STUB_DIR = _PACKAGE_DIR.parent / "runtime_stub"


# --------------------------------------------------------------------------- atomic output


# --------------------------------------------------------------------------- identities


def _hash_tree(*roots: Path, suffixes: tuple[str, ...] = (".py", ".wat", ".c")) -> str:
    """sha256 over the relative names and contents of source files under `roots`.

    The version string alone does not change while the compiler is developed; hashing
    the sources that implement a stage makes "compiler changed" exact in both cases.
    """
    digest = hashlib.sha256()
    for root in roots:
        if root.is_file():
            files = [root]
        elif root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.suffix in suffixes and p.is_file()
                           and "__pycache__" not in p.parts)
        else:
            continue
        for file in files:
            digest.update(str(file.relative_to(_PACKAGE_DIR.parent)).encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=None)
def compiler_identity() -> str:
    """Version plus source hash of everything that turns .nyash into .wasm."""
    code = _hash_tree(_PACKAGE_DIR / "__init__.py", _PACKAGE_DIR / "compiler",
                      _PACKAGE_DIR / "wasm", _PACKAGE_DIR / "runtime",
                      _PACKAGE_DIR / "diagnostics.py")
    return f"{nyash_build.__version__}+{code}"


@functools.lru_cache(maxsize=None)
def wasmtime_version() -> str:
    """The installed wasmtime-py version, read without importing wasmtime (~50 ms)."""
    try:
        return metadata.version("wasmtime")
    except metadata.PackageNotFoundError:  # pragma: no cover - wasmtime is a dependency
        return "missing"


@functools.lru_cache(maxsize=None)
def aot_identity() -> str:
    """wasmtime version plus the AOT code (variant definitions, engine settings)."""
    return f"wasmtime-{wasmtime_version()}+{_hash_tree(_PACKAGE_DIR / 'aot')}"


@functools.lru_cache(maxsize=None)
def runner_identity() -> str:
    """Identity of the frozen runner the bundler will use, without freezing it.

    Prefers the runner cache's own key (`runner_key()`), which is what names the cached
    runner; falls back to hashing what a freeze depends on.
    """
    try:
        from nyash_build.bundle.runner_cache import runner_key  # noqa: PLC0415
    except ImportError:
        runner_key = None
    if runner_key is not None:
        return str(runner_key())
    try:
        pyinstaller = metadata.version("pyinstaller")
    except metadata.PackageNotFoundError:  # pragma: no cover
        pyinstaller = "missing"
    return (f"stub-{_hash_tree(_STUB_DIR)}-wasmtime-{wasmtime_version()}-py"
            f"{platform.python_version()}-pyinstaller-{pyinstaller}")


@functools.lru_cache(maxsize=None)
def bundle_identity() -> str:
    """The bundling code (payload format, executable writer)."""
    return _hash_tree(_PACKAGE_DIR / "bundle", _STUB_DIR / "payload.py")


# --------------------------------------------------------------------------- actions


def compile_action(source: str, wasm_out: str, meta_out: str, debug: bool) -> TaskFailed | None:
    """Stage 1: .nyash → .wasm + .meta.json. A compile error fails the task, no traceback."""
    from nyash_build.compiler.driver import CompileError, compile_file  # noqa: PLC0415

    try:
        result = compile_file(Path(source), debug=debug)
    except CompileError as exc:
        return TaskFailed(str(exc))
    except (OSError, UnicodeDecodeError) as exc:
        return TaskFailed(f"{source}: {exc}")
    meta = json.dumps(result.meta, sort_keys=True, indent=1).encode() + b"\n"
    write_atomic(meta_out, meta)
    write_atomic(wasm_out, result.wasm)
    return None


def aot_action(wasm_path: str, cwasm_out: str, variant: str, debug: bool,
               opt_level: str) -> None:
    """Stage 2: .wasm → .cwasm for one CPU variant."""
    from nyash_build.aot.compile import precompile  # noqa: PLC0415

    data = precompile(Path(wasm_path).read_bytes(), variant, debug=debug, opt_level=opt_level)
    write_atomic(cwasm_out, data)


def bundle_action(wasm_path: str, meta_path: str, cwasm_paths: dict[str, str],
                  exe_out: str) -> None:
    """Stage 3: runner + payload (wasm, every cwasm, metadata) → one executable."""
    from nyash_build.bundle.exe import build_executable  # noqa: PLC0415

    meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
    cwasm = {variant: Path(p).read_bytes() for variant, p in cwasm_paths.items()}
    build_executable(Path(exe_out), wasm=Path(wasm_path).read_bytes(), cwasm=cwasm, meta=meta)
    _mark_runner_used()


def _mark_runner_used() -> None:
    """Touch the cached runner so `nyash cache prune` knows it is still in use."""
    try:
        from nyash_build.bundle.runner_cache import default_cache_dir, runner_key  # noqa: PLC0415
        entry = default_cache_dir() / runner_key()
        if entry.is_dir():
            os.utime(entry)
    except (ImportError, OSError):
        pass  # bookkeeping only: never fail a build over it

