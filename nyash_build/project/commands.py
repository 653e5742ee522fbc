"""`nyash build`, `nyash init` and `nyash cache prune`: the build system's CLI entry points.

The CLI (nyash_build/cli.py) parses arguments and calls these; each returns an exit status
and prints user errors as one-line messages (no tracebacks). `cmd_build` runs exactly the
tasks a dodo.py would get from `nyash_tasks()`, through doit's own machinery, so
`nyash build` and `doit build` share state and never disagree about what is up to date.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Iterator

from nyash_build.project.config import CONFIG_NAME, ConfigError, load_project
from nyash_build.fsutil import write_atomic
from nyash_build.report import Reporter, activate, config_diagnostics, unknown_app
from nyash_build.project.tasks import release_build_locks, task_namespace

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@contextlib.contextmanager
def _chdir(path: Path) -> Iterator[None]:
    """doit resolves task paths against the working directory; run inside the project."""
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


# --------------------------------------------------------------------------- build


def cmd_build(app: str | None, profile: str | None = "release", explain: bool = False,
              project_dir: Path | str = ".", jobs: int = 0, report: Reporter | None = None) -> int:
    """Build one app (or all with app=None) of the project in `project_dir`.

    Returns 0 on success, 1 when a task failed (e.g. a compile error, already printed),
    2 for a bad nyash.toml, unknown app or profile. `report` carries `--format` and
    `--color`: with JSON, diagnostics are the only thing on stdout (the progress lines
    go to stderr).
    """
    report = report or Reporter()
    if report.json:
        report.pin_stdout()  # JSON stays on stdout; doit's progress lines go to stderr
    previous = activate(report)
    try:
        return _build(app, profile, explain, Path(project_dir), jobs, report)
    except Exception as exc:  # the build's own state or lock cannot be written, ...
        from nyash_build.envproblems import classify, in_project  # noqa: PLC0415

        problem = classify(exc)
        if problem is None:
            raise  # a bug: the CLI reports it as one
        report.problem(in_project(problem))
        return EXIT_FAILED
    finally:
        activate(previous)


def _build(app: str | None, profile: str | None, explain: bool, project_dir: Path, jobs: int,
           report: Reporter) -> int:
    from doit.cmd_base import ModuleTaskLoader  # noqa: PLC0415 - doit costs ~70 ms to import
    from doit.doit_cmd import DoitMain  # noqa: PLC0415

    root = Path(project_dir).resolve()
    try:
        config = load_project(root, profile)
    except ConfigError as exc:
        _config_problem(report, exc, root)
        return EXIT_USAGE
    if app is not None and app not in config.apps:
        report.diagnostics([unknown_app(os.path.relpath(config.toml_path), app, config.apps)])
        return EXIT_USAGE
    with _chdir(root):
        try:
            namespace = task_namespace(["."], profile=profile, explain=explain)
        except ConfigError as exc:
            _config_problem(report, exc, root)
            return EXIT_USAGE
        argv = ["run"] + (["-n", str(jobs)] if jobs > 1 else []) + ["build"]
        argv += [app] if app else []
        progress = contextlib.redirect_stdout(sys.stderr) if report.json else contextlib.nullcontext()
        try:
            with progress:
                status = DoitMain(ModuleTaskLoader(namespace)).run(argv)
        finally:
            release_build_locks()
    return {0: EXIT_OK, 1: EXIT_FAILED}.get(status, EXIT_USAGE)


def _config_problem(report: Reporter, exc: ConfigError, root: Path) -> None:
    """A nyash.toml problem as diagnostics (N0606), quoting the project's own file."""
    diags = config_diagnostics(exc.messages)
    toml = root / CONFIG_NAME
    if toml.is_file():
        text = toml.read_text(encoding="utf-8", errors="replace")
        report.add_sources({d.file: text for d in diags if Path(d.file).name == CONFIG_NAME})
    report.diagnostics(diags)


# --------------------------------------------------------------------------- init

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

_TOML = """\
# Nyash project settings. Every key is described in nyash-build's docs/nyash-toml.md.
[project]
name = "{name}"
version = "0.1.0"

[build]
out-dir = "build"
variants = ["baseline", "x86-64-v3"]
opt-level = "speed"
debug = false

[apps.{name}]
main = "src/main.nyash"

# `doit build profile=debug` or `nyash build --profile debug`
[profiles.debug]
debug = true
opt-level = "none"
"""

_DODO = '''\
"""doit tasks: `doit build` builds every app into build/, `doit list` shows the tasks."""
from nyash_build.project.tasks import nyash_tasks

globals().update(nyash_tasks())
'''

_MAIN = """\
// {name}: build with `doit build` (or `nyash build`), then run ./build/{name}/{name}
static box Main {{
    main() {{
        print("Hello from {name}!")
    }}
}}
"""

# `nyash init NAME --lib`: two apps sharing a lib/ through `include`
_LIB_APPS = """
[apps.{name}-tool]
main = "src/tool.nyash"
"""

_LIB = """\
// Shared by every app of {name}: `include "lib/greeting.nyash"` (paths resolve next to
// the including file, then from the project root). Editing this file rebuilds exactly
// the apps that include it.
box Greeter {{
    init {{ greeting }}

    birth(greeting) {{
        me.greeting = greeting
    }}

    greet(who) {{
        return me.greeting + ", " + who + "!"
    }}
}}

function shout(text) {{
    return text.toUpper()
}}
"""

_LIB_MAIN = """\
// {name}: build with `doit build` (or `nyash build`), then run ./build/{name}/{name}
include "lib/greeting.nyash"

static box Main {{
    main() {{
        local g = new Greeter("Hello")
        print(g.greet("{name}"))
    }}
}}
"""

_LIB_TOOL = """\
// a second app using the same lib: ./build/{name}-tool/{name}-tool
include "lib/greeting.nyash"

print(shout(new Greeter("hi").greet("tool")))
"""

_GITIGNORE = """\
# build outputs and doit's build state (build/.doit-db.json)
/build/
__pycache__/
"""


def cmd_init(name: str, dest: Path | str | None = None, lib: bool = False) -> int:
    """Scaffold a project NAME in `dest` (default ./NAME): nyash.toml, dodo.py, src/main.nyash,
    .gitignore; with `lib`, also lib/greeting.nyash and a second app src/tool.nyash, both
    apps including the lib. Refuses to overwrite: `dest` must not exist or be an empty
    directory."""
    if not _NAME_RE.match(name):
        return _error(f"project name {name!r} must start with a letter or '_' and contain only "
                      "letters, digits, '_' and '-'")
    target = Path(dest) if dest is not None else Path(name)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        return _error(f"{target} already exists and is not empty")
    files = {
        CONFIG_NAME: _TOML.format(name=name),
        "dodo.py": _DODO,
        "src/main.nyash": _MAIN.format(name=name),
        ".gitignore": _GITIGNORE,
    }
    if lib:
        files[CONFIG_NAME] = files[CONFIG_NAME].replace(
            "\n# `doit build profile=debug`", _LIB_APPS.format(name=name) + "\n# `doit build profile=debug`", 1)
        files["src/main.nyash"] = _LIB_MAIN.format(name=name)
        files["src/tool.nyash"] = _LIB_TOOL.format(name=name)
        files["lib/greeting.nyash"] = _LIB.format(name=name)
    for rel, text in files.items():
        # atomic: an interrupted `nyash init` never leaves a half-written nyash.toml
        write_atomic(target / rel, text.encode("utf-8"))
    print(f"created {target}/ with {', '.join(files)}")
    print(f"next: cd {target} && doit build && ./build/{name}/{name}")
    return EXIT_OK


# --------------------------------------------------------------------------- cache prune


def _cache_root(cache_dir: Path | None) -> Path:
    """The runner cache directory (owned by nyash_build/bundle/runner_cache.py)."""
    if cache_dir is not None:
        return Path(cache_dir)
    try:
        from nyash_build.bundle import runner_cache  # noqa: PLC0415
    except ImportError:
        runner_cache = None
    for attr in ("cache_root", "default_cache_dir", "cache_dir"):
        fn = getattr(runner_cache, attr, None)
        if callable(fn):
            return Path(fn())
    base = os.environ.get("NYASH_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "nyash"


def _last_used(entry: Path) -> float:
    """Newest mtime/atime inside a cache entry (a runner touched on use counts as used)."""
    stamps = [entry.lstat().st_mtime]
    paths = entry.rglob("*") if entry.is_dir() else []
    for path in paths:
        with contextlib.suppress(OSError):
            st = path.lstat()
            stamps.append(max(st.st_mtime, st.st_atime))
    return max(stamps)


def cmd_cache_prune(days: float = 30.0, all_entries: bool = False,
                    cache_dir: Path | str | None = None) -> int:
    """Delete runner cache entries unused for `days` days (or every entry with all_entries).

    An entry is `<cache>/<runner key>/` (see bundle/runner_cache.py); builds touch it when
    they use it. Entries whose `<key>.lock` is held by a running build are skipped, and
    half-built `.tmp-*` directories are left to the build that owns them.
    """
    root = _cache_root(Path(cache_dir) if cache_dir is not None else None)
    if not root.is_dir():
        print(f"runner cache {root} is empty")
        if cache_dir is None:
            _prune_action_cache(None if all_entries else time.time() - days * 86400)
        return EXIT_OK
    cutoff = time.time() - days * 86400
    removed, freed, busy = 0, 0, 0
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.suffix == ".lock":
            continue
        if not all_entries and _last_used(entry) >= cutoff:
            continue
        size = _size(entry)
        if not _remove_unlocked(root, entry):
            busy += 1
            continue
        freed += size
        removed += 1
    note = f", {busy} in use by a running build" if busy else ""
    print(f"removed {removed} runner cache entr{'y' if removed == 1 else 'ies'} from {root} "
          f"({freed / 1e6:.1f} MB freed{note})")
    if cache_dir is None:
        _prune_action_cache(None if all_entries else cutoff)
    return EXIT_OK


def _prune_action_cache(cutoff: float | None) -> None:
    """The local content-addressed cache of stage outputs (docs/cache.md) ages the same way."""
    from nyash_build.cache.store import default_cache_root, prune_local  # noqa: PLC0415

    root = default_cache_root()
    if (root / "cas").is_dir() or (root / "ac").is_dir():
        files, size = prune_local(root, cutoff)
        print(f"removed {files} file{'' if files == 1 else 's'} from the stage output cache "
              f"{root}/{{cas,ac}} ({size / 1e6:.1f} MB freed)")


def _remove_unlocked(root: Path, entry: Path) -> bool:
    """Remove `entry` under its build lock; False if a build holds the lock right now."""
    import fcntl  # noqa: PLC0415 - POSIX only, like the runner cache itself

    lock_path = root / f"{entry.name}.lock"
    with open(lock_path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    # the (empty) lock file stays: deleting it could let two builders lock different inodes
    return True


def _size(entry: Path) -> int:
    if entry.is_file():
        return entry.stat().st_size
    return sum(p.stat().st_size for p in entry.rglob("*") if p.is_file() and not p.is_symlink())
