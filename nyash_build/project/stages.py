"""The three build stages as doit actions, plus the identities that key their up-to-date checks.

Each action is a plain module-level function (picklable, so `doit -n 2` can ship it to a
worker process) that reads its inputs from disk, calls the real stage, and writes every
output atomically (temp file + rename) so an interrupted build never leaves a half-written
target behind. The heavy modules (compiler, wasmtime, PyInstaller) are imported inside the
actions: `doit list` and no-op builds never pay for them.

Every action first computes its action key (docs/cache.md) and asks the local, then the
remote content-addressed cache; on a hit it writes the verified outputs instead of
running the stage. It returns {"cache": "local hit" | "remote hit" | "built",
"cache_key": KEY} as doit task values, which the reporter shows (`--explain`).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import platform
import re
import stat
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from doit.exceptions import TaskFailed

import nyash_build
from nyash_build.cache.keys import (bundle_key, cwasm_key, runner_action_key, sha256_hex,
                                    wasm_key)
from nyash_build.cache.store import ActionCache, CacheSpec, Output, run_cached
from nyash_build.fsutil import write_atomic  # one atomic writer for all stages

if TYPE_CHECKING:
    from nyash_build.compiler.includes import IncludeSettings

_PACKAGE_DIR = Path(nyash_build.__file__).resolve().parent
_STUB_DIR = _PACKAGE_DIR.parent / "runtime_stub"


# --------------------------------------------------------------------------- atomic output

STALE_TEMP_AGE_S = 60.0  # a live write_atomic renames its temp file within seconds


def _temp_pattern(name: str) -> "re.Pattern[str]":
    """The name fsutil.write_atomic gives the temp file of target `name`:
    `.NAME.` + tempfile's 8 random characters + `.tmp`."""
    return re.compile(rf"\.{re.escape(name)}\.[a-z0-9_]{{8}}\.tmp")


def remove_stale_temps(targets: list[str], min_age_s: float = STALE_TEMP_AGE_S) -> list[str]:
    """Delete the temp files a killed write_atomic left beside these targets.

    Only regular files named exactly like a temp file of one of `targets` and not
    written for `min_age_s` (so a write in progress elsewhere, e.g. a concurrent
    `nyash --compile-native -o` to the same path, is never touched). The temp name
    carries no writer pid, so age is the test. Returns the paths removed.
    """
    removed: list[str] = []
    now = time.time()
    by_dir: dict[str, list[str]] = {}
    for target in targets:
        by_dir.setdefault(os.path.dirname(target) or ".", []).append(os.path.basename(target))
    for directory, names in by_dir.items():
        patterns = [_temp_pattern(n) for n in names]
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue  # no directory yet: nothing to clean
        for entry in entries:
            if not (entry.name.endswith(".tmp") and any(p.fullmatch(entry.name) for p in patterns)):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode) and now - st.st_mtime >= min_age_s:
                    os.unlink(entry.path)
                    removed.append(entry.path)
            except OSError:
                pass  # gone meanwhile or not ours to delete: never fail a build over it
    return removed


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


@functools.lru_cache(maxsize=None)
def engine_settings(variant: str, debug: bool, opt_level: str) -> dict:
    """The wasmtime engine settings a .cwasm of `variant` is compiled with (its compat
    key) plus a hash of the module that defines them (runtime_stub/variants.py)."""
    from runtime_stub.variants import compat_key  # noqa: PLC0415 - imports wasmtime

    return {"compat": compat_key(variant, debug=debug, opt_level=opt_level),
            "source": _hash_tree(_STUB_DIR / "variants.py")}


# --------------------------------------------------------------------------- action keys


def _sha_file(path: str) -> str:
    return sha256_hex(Path(path).read_bytes())


def include_settings(root: str | None, include_paths: list[str] | tuple[str, ...] = ()
                     ) -> IncludeSettings:
    """How a project's includes resolve (root = the nyash.toml directory)."""
    from nyash_build.compiler.includes import IncludeSettings  # noqa: PLC0415

    if root is None:
        return IncludeSettings.single_file()
    return IncludeSettings(Path(root), tuple(Path(p) for p in include_paths), project=True)


def wasm_action_key(source: str, debug: bool, root: str | None = None,
                    include_paths: list[str] | tuple[str, ...] = ()) -> str:
    """Key of stage 1 for `source` and every file it includes, as they are on disk now
    (docs/cache.md): each file enters by its recorded name and content hash."""
    from nyash_build.project.scan import Scanner  # noqa: PLC0415

    closure = Scanner().closure(Path(source), include_settings(root, include_paths))
    sources = [{"name": name, "sha256": _sha_file(str(path))}
               for name, path in zip(closure.names, closure.files)]
    return wasm_key(sources=sources, compiler=compiler_identity(), debug=debug)


def cwasm_action_key(wasm_path: str, variant: str, debug: bool, opt_level: str) -> str:
    """Key of stage 2 for one variant of the .wasm on disk."""
    return cwasm_key(wasm_sha256=_sha_file(wasm_path), variant=variant, opt_level=opt_level,
                     debug=debug, aot=aot_identity(),
                     engine=engine_settings(variant, debug, opt_level))


def bundle_action_key(wasm_path: str, meta_path: str, cwasm_paths: dict[str, str],
                      fs: list[str] | None = None) -> str:
    """Key of stage 3: every payload input (the fs policy too), the bundler code and
    the runner identity."""
    return bundle_key(wasm_sha256=_sha_file(wasm_path), meta_sha256=_sha_file(meta_path),
                      cwasm_sha256={v: _sha_file(p) for v, p in cwasm_paths.items()},
                      variants=list(cwasm_paths), bundler=bundle_identity(),
                      runner=runner_identity(), fs=fs)


def _outcome(outcome: str, key: str) -> dict:
    """What the action returns to doit: task values the reporter shows (--explain)."""
    return {"cache": outcome, "cache_key": key}


# --------------------------------------------------------------------------- actions


def environment_failures(action: Callable) -> Callable:
    """A missing tool or library, an unwritable directory or a full disk fails the task
    with one line saying what and how to fix it (docs/diagnostics.md), not a traceback;
    with ``--format json`` it is also a diagnostic object on stdout (no position). Any
    other exception is a bug in nyash-build: one line asking for a report (N0900), as
    the CLI says it; NYASH_DEBUG_COMPILER=1 lets doit show the traceback instead."""
    @functools.wraps(action)
    def wrapped(*args, **kwargs):
        try:
            return action(*args, **kwargs)
        except Exception as exc:
            from nyash_build.diagnostics import EnvironmentProblem  # noqa: PLC0415
            from nyash_build.envproblems import classify  # noqa: PLC0415

            problem = classify(exc)
            if problem is None:
                if os.environ.get("NYASH_DEBUG_COMPILER"):
                    raise
                problem = EnvironmentProblem(f"internal compiler error: {type(exc).__name__}: {exc}", BUG_FIX,
                                             "N0900")
            return _problem_failure(problem)
    return wrapped


BUG_FIX = ("this is a bug in nyash-build: set NYASH_DEBUG_COMPILER=1 for the traceback and please "
           "report it")


def _problem_failure(problem) -> TaskFailed:
    """An EnvironmentProblem as the task's failure line (``WHAT; FIX [CODE]``); with
    ``--format json`` also an object on stdout."""
    from nyash_build.envproblems import in_project  # noqa: PLC0415
    from nyash_build.report import active  # noqa: PLC0415

    problem = in_project(problem)
    report = active()
    if report.json:
        report.problem(problem)
    fix = f"; {problem.fix}" if problem.fix else ""
    return TaskFailed(f"{problem.message}{fix} [{problem.code}]")


def _unreadable(path: str, exc: Exception) -> TaskFailed:
    """A source the compile stage cannot read (N0601)."""
    from nyash_build.diagnostics import EnvironmentProblem  # noqa: PLC0415

    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return _problem_failure(EnvironmentProblem(f"cannot read {path}: {reason}", "", "N0601"))


@environment_failures
def compile_action(source: str, wasm_out: str, meta_out: str, debug: bool,
                   cache: CacheSpec | None = None, root: str | None = None,
                   include_paths: list[str] | tuple[str, ...] = ()) -> TaskFailed | dict:
    """Stage 1: .nyash (+ what it includes) → .wasm + .meta.json. A compile error fails
    the task, no traceback. `root`/`include_paths`: the project's include resolution."""
    remove_stale_temps([wasm_out, meta_out])
    try:
        key = wasm_action_key(source, debug, root, include_paths)
    except OSError as exc:
        return _unreadable(getattr(exc, "filename", None) or source, exc)

    def build() -> TaskFailed | None:
        from nyash_build.compiler.driver import CompileError, compile_file  # noqa: PLC0415

        from nyash_build.report import active  # noqa: PLC0415

        report = active()
        try:
            result = compile_file(Path(source), debug=debug,
                                  settings=include_settings(root, include_paths))
        except CompileError as exc:
            report.add_sources(exc.sources)
            if report.json:
                report.diagnostics(exc.diagnostics)
                return TaskFailed(f"{source}: compile errors (reported as JSON)")
            return TaskFailed("compile errors:\n" + report.rendered(exc.diagnostics, sys.stdout))
        except (OSError, UnicodeDecodeError) as exc:
            return _unreadable(getattr(exc, "filename", None) or source, exc)
        report.add_sources(result.sources)
        report.diagnostics(result.warnings)
        meta = dict(result.meta)
        if result.warnings:  # kept with the outputs: a cache hit shows them again
            meta[META_DIAGNOSTICS] = [dataclasses.asdict(w) for w in result.warnings]
        write_atomic(meta_out, json.dumps(meta, sort_keys=True, indent=1).encode() + b"\n")
        write_atomic(wasm_out, result.wasm)
        return None

    outcome, failure = run_cached(cache, key, f"wasm of {source}",
                                  [Output("wasm", wasm_out), Output("meta", meta_out)], build)
    if not failure and outcome != "built":
        _replay_warnings(meta_out)
    return failure if failure else _outcome(outcome, key)


META_DIAGNOSTICS = "diagnostics"  # the compile stage's warnings, in its .meta.json only


def _replay_warnings(meta_path: str) -> None:
    """A cache hit writes the outputs without compiling: show the warnings that
    compilation gave (as a compiler with a build cache should), from the .meta.json.
    The snippets read the sources from disk, which hold what the key was made from."""
    from nyash_build.diagnostics import Diagnostic, Note, Suggestion  # noqa: PLC0415
    from nyash_build.report import active  # noqa: PLC0415

    try:
        saved = json.loads(Path(meta_path).read_text(encoding="utf-8")).get(META_DIAGNOSTICS) or []
        diags = [Diagnostic(**{k: v for k, v in d.items() if k not in ("code", "notes", "suggestions")},
                            code=d["code"], notes=tuple(Note(**n) for n in d.get("notes", ())),
                            suggestions=tuple(Suggestion(**x) for x in d.get("suggestions", ())))
                 for d in saved]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return  # an entry from another version: nothing to show, the outputs are fine
    active().diagnostics(diags)


@environment_failures
def aot_action(wasm_path: str, cwasm_out: str, variant: str, debug: bool,
               opt_level: str, cache: CacheSpec | None = None) -> dict:
    """Stage 2: .wasm → .cwasm for one CPU variant."""
    remove_stale_temps([cwasm_out])
    key = cwasm_action_key(wasm_path, variant, debug, opt_level)

    def build() -> None:
        from nyash_build.aot.compile import precompile  # noqa: PLC0415

        data = precompile(Path(wasm_path).read_bytes(), variant, debug=debug,
                          opt_level=opt_level)
        write_atomic(cwasm_out, data)

    outcome, _ = run_cached(cache, key, f"{variant} cwasm of {wasm_path}",
                            [Output("cwasm", cwasm_out)], build)
    return _outcome(outcome, key)


@environment_failures
def bundle_action(wasm_path: str, meta_path: str, cwasm_paths: dict[str, str],
                  exe_out: str, cache: CacheSpec | None = None, fs: list[str] | None = None) -> dict:
    """Stage 3: runner + payload (wasm, every cwasm, metadata) → one executable.
    `fs` (the app's file-system policy, None = native) goes into the payload meta."""
    remove_stale_temps([exe_out])
    key = bundle_action_key(wasm_path, meta_path, cwasm_paths, fs)

    def build() -> None:
        from nyash_build.bundle.exe import build_executable  # noqa: PLC0415

        upload_runner = _runner_from_remote(cache)
        meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
        meta.pop(META_DIAGNOSTICS, None)  # for the build only, not the executable
        meta["fs"] = fs
        cwasm = {variant: Path(p).read_bytes() for variant, p in cwasm_paths.items()}
        build_executable(Path(exe_out), wasm=Path(wasm_path).read_bytes(), cwasm=cwasm,
                         meta=meta)
        _mark_runner_used()
        if upload_runner is not None:
            upload_runner()

    outcome, _ = run_cached(cache, key, f"executable {exe_out}",
                            [Output("exe", exe_out, 0o755, split=_runner_prefix)], build)
    return _outcome(outcome, key)


def _runner_prefix(exe: bytes) -> int:
    """Length of the runner part (launcher + runner.xz) that starts every executable:
    cached as its own blob it is stored and downloaded once for all apps."""
    try:
        from nyash_build.bundle.runner_cache import default_cache_dir  # noqa: PLC0415
        runner = default_cache_dir() / runner_identity()
        launcher = (runner / "launcher").read_bytes()
        size = len(launcher) + (runner / "runner.xz").stat().st_size
    except (ImportError, OSError):
        return 0
    return size if exe.startswith(launcher) and size < len(exe) else 0


_RUNNER_FILES = {"launcher": 0o755, "runner.xz": 0o644, "manifest.json": 0o644}


def _runner_from_remote(cache: CacheSpec | None) -> Callable[[], None] | None:
    """Before a bundle that must run locally: fetch a missing frozen runner from the
    remote cache instead of freezing it (11-35 s). Returns an upload callback when the
    runner will have to be frozen here, so other machines can fetch it next time."""
    if cache is None or not cache.remote:
        return None
    from nyash_build.bundle.runner_cache import default_cache_dir, runner_key  # noqa: PLC0415

    rkey = runner_key()
    root = default_cache_dir()
    final = root / rkey
    if (final / "manifest.json").is_file():
        return None
    actions = ActionCache(cache)
    key = runner_action_key(runner_key=rkey)
    hit = actions.lookup(key, "frozen runner")
    if hit is not None and set(hit.outputs) == set(_RUNNER_FILES):
        _install_runner(root, rkey, hit.outputs)
        return None

    def upload() -> None:
        if (final / "manifest.json").is_file():
            actions.store(key, {name: (final / name).read_bytes() for name in _RUNNER_FILES},
                          local=False)  # the runner cache itself is the local copy
    return upload


def _install_runner(root: Path, rkey: str, files: dict[str, bytes]) -> None:
    """Publish a fetched runner like ensure_runner does: temp dir, one rename, under lock."""
    import fcntl  # noqa: PLC0415
    import shutil  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{rkey}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        final = root / rkey
        if (final / "manifest.json").is_file():
            return
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{rkey}-", dir=root))
        try:
            for name, mode in _RUNNER_FILES.items():
                (tmp / name).write_bytes(files[name])
                os.chmod(tmp / name, mode)
            os.chmod(tmp, 0o755)
            os.rename(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _mark_runner_used() -> None:
    """Touch the cached runner so `nyash cache prune` knows it is still in use."""
    try:
        from nyash_build.bundle.runner_cache import default_cache_dir, runner_key  # noqa: PLC0415
        entry = default_cache_dir() / runner_key()
        if entry.is_dir():
            os.utime(entry)
    except (ImportError, OSError):
        pass  # bookkeeping only: never fail a build over it
