"""doit task library: nyash.toml projects → wasm → cwasm (per CPU variant) → executable.

Use it from a project's dodo.py in one line::

    from nyash_build.project.tasks import nyash_tasks
    globals().update(nyash_tasks())

which defines `task_wasm`, `task_cwasm`, `task_build` and `DOIT_CONFIG`. Then
`doit build` builds every app, `doit build APP...` only those, `doit list`, `doit clean`
and `doit -n 2` work as usual; `doit build APP profile=debug` picks a profile and
`doit build explain=1` says why each task ran. `nyash build` runs the same tasks without a
dodo.py (see commands.py).

Every stage is a doit file task with exact inputs: its file_dep (content checked by md5,
so new mtimes alone never rebuild) and a `StageKey` holding the settings and tool
identities that reach that stage and nothing else. State lives in a json dep file inside
the output directory, so caching `build/` in CI restores the build state with it.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from doit.exceptions import InvalidCommand
from doit.task import Task, clean_targets

from nyash_build.compiler.includes import IncludeSettings
from nyash_build.project import stages
from nyash_build.project.config import AppConfig, ConfigError, ProjectConfig, load_project
from nyash_build.project.scan import CACHE_NAME as SCAN_CACHE_NAME, Scanner
from nyash_build.cache.store import CacheSpec, check_remote_url, resolve_spec

DEP_FILE_NAME = ".doit-db.json"
_KEY_NAME = "nyash-key"

# Why each task was judged out of date (task name → reasons); read by the reporter.
EXPLAIN: dict[str, list[str]] = {}


# --------------------------------------------------------------------------- up-to-date keys


class StageKey:
    """doit `uptodate` check: up to date iff these settings equal the ones saved last run.

    Values may be callables, evaluated only when the task is checked (e.g. the runner
    identity), so `doit list` and unrelated tasks never pay for them. Differences are
    recorded in EXPLAIN for `--explain`.
    """

    def __init__(self, settings: dict[str, Any]):
        self.settings = settings

    def current(self) -> dict[str, Any]:
        """The settings as they are now, normalised through json like the saved ones."""
        values = {k: (v() if callable(v) else v) for k, v in self.settings.items()}
        return json.loads(json.dumps(values, sort_keys=True))

    def __call__(self, task: Task, values: dict) -> bool:
        current = self.current()
        if not getattr(task, "_nyash_savers", False):  # once, however often doit asks
            task._nyash_savers = True
            task.value_savers.append(lambda: {_KEY_NAME: current,
                                              _TARGETS_NAME: target_states(task.targets)})
        stages.remove_stale_temps(task.targets)
        saved = values.get(_KEY_NAME)
        if saved == current:
            return self._targets_intact(task, values.get(_TARGETS_NAME))
        if saved is None:
            EXPLAIN[task.name] = ["never built here (no saved state)"]
        else:
            EXPLAIN[task.name] = [
                f"{key} changed: {saved.get(key)!r} -> {current.get(key)!r}"
                for key in sorted(set(saved) | set(current)) if saved.get(key) != current.get(key)
            ]
        return False

    @staticmethod
    def _targets_intact(task: Task, saved: dict[str, list] | None) -> bool:
        """doit only checks that targets exist. A target overwritten or damaged after
        its task wrote it (a corrupt .cwasm) would be kept, and bundled, as is: such a
        task is out of date, so its own action writes the target again. State saved
        before target states were recorded counts as intact."""
        changed = changed_targets(task.targets, saved or {})
        if not changed:
            return True
        EXPLAIN[task.name] = [f"output changed since it was built: {', '.join(changed)}"]
        return False


_TARGETS_NAME = "nyash-targets"


def _md5(path: str) -> str:
    import hashlib  # noqa: PLC0415 - only when a target's size/mtime moved

    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def target_states(targets: list[str]) -> dict[str, list]:
    """{target: [size, mtime_ns, md5]} of each existing target, saved when its task ran."""
    out: dict[str, list] = {}
    for target in targets:
        try:
            st = os.stat(target)
            out[target] = [st.st_size, st.st_mtime_ns, _md5(target)]
        except OSError:
            continue  # a missing target is doit's own check
    return out


def changed_targets(targets: list[str], saved: dict[str, list]) -> list[str]:
    """Targets whose content differs from the recorded state.

    Fast path like doit's own file_dep check: same size and mtime means unchanged (a
    no-op build hashes nothing); otherwise the md5 decides, so a restored CI cache
    with new mtimes still counts as intact. An intact target's new mtime is written
    into `saved` in place: doit saves values only when a task runs, but its json
    backend writes back the very dict it handed to the up-to-date check, so the next
    no-op build takes the fast path again instead of hashing every executable.
    """
    changed = []
    for target in targets:
        old = saved.get(target)
        try:
            st = os.stat(target)
        except OSError:
            continue  # missing: doit reruns the task itself
        if not old or [st.st_size, st.st_mtime_ns] == old[:2]:
            continue
        try:
            same = st.st_size == old[0] and _md5(target) == old[2]
        except OSError:
            same = False
        if same:
            old[1] = st.st_mtime_ns
        else:
            changed.append(target)
    return changed


# --------------------------------------------------------------------------- the build group


class AppGroupTask(Task):
    """The `build` group task: `doit build` builds all apps, `doit build A B` only A and B.

    doit gives a task's positional arguments to `pos_arg_val` while it parses the command
    line, before it walks dependencies; narrowing `task_dep` right there turns
    `doit build hello` into `build:hello` without a custom command.
    """

    def __init__(self, name: str, apps: list[str], doc: str):
        self.apps = list(apps)
        super().__init__(name, None, doc=doc, has_subtask=True, pos_arg="apps",
                         task_dep=[f"{name}:{app}" for app in apps])

    @property
    def pos_arg_val(self) -> list[str] | None:
        return self.__dict__.get("_pos_arg_val")

    @pos_arg_val.setter
    def pos_arg_val(self, value: list[str] | None) -> None:
        self.__dict__["_pos_arg_val"] = value
        if not value:
            return
        unknown = [app for app in value if app not in self.apps]
        if unknown:
            from nyash_build.compiler.suggest import closest  # noqa: PLC0415
            hint = closest(unknown[0], self.apps) if len(unknown) == 1 else None
            raise InvalidCommand(f"unknown app {', '.join(map(repr, unknown))} "
                                 f"(apps: {', '.join(self.apps)})"
                                 + (f"; did you mean `{hint}`?" if hint else "") + " [N0607]")
        self.task_dep = [f"{self.name}:{app}" for app in dict.fromkeys(value)]


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class AppPaths:
    """Where one app's stage outputs go, relative to the doit working directory.

    Relative paths keep the dep file valid on another clone at another location.
    """

    source: str
    wasm: str
    meta: str
    cwasm: dict[str, str]
    exe: str


def _rel(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def app_paths(app: AppConfig, out_dir: Path | None = None) -> AppPaths:
    """The target files of `app` (under `out_dir` instead of its own out-dir if given)."""
    base = (out_dir or app.out_dir) / app.name
    stem = base / app.output
    return AppPaths(
        source=_rel(app.main),
        wasm=_rel(stem.with_name(app.output + ".wasm")),
        meta=_rel(stem.with_name(app.output + ".meta.json")),
        cwasm={v: _rel(stem.with_name(f"{app.output}.{v}.cwasm")) for v in app.settings.variants},
        exe=_rel(stem),
    )


# --------------------------------------------------------------------------- task dicts


def include_settings(app: AppConfig) -> IncludeSettings:
    """How the app's includes resolve: its project root, then [build] include-paths."""
    return IncludeSettings(app.root, app.include_paths, project=True)


def _wasm_task(app: AppConfig, p: AppPaths, cache: CacheSpec | None = None,
               scanner: Scanner | None = None) -> dict:
    # file_dep: the app's include closure (the scanner), so editing an included file
    # reruns exactly the apps that include it, and adding or removing an include
    # changes the dependency set (doit then reruns the task)
    closure = (scanner or Scanner()).closure(app.main, include_settings(app))
    return {
        "basename": "wasm", "name": app.name,
        "doc": f"compile {p.source} -> {p.wasm}",
        "actions": [(stages.compile_action, [p.source, p.wasm, p.meta, app.settings.debug],
                     {"cache": cache, "root": str(app.root),
                      "include_paths": [str(d) for d in app.include_paths]})],
        "file_dep": [p.source, *(_rel(f) for f in closure.files[1:])],
        "targets": [p.wasm, p.meta],
        "uptodate": [StageKey({"compiler": stages.compiler_identity(),
                               "debug": app.settings.debug})],
        # doit cleans dependents first, so the wasm task is the last one of the app
        "clean": [clean_targets, (_remove_empty_dir, [os.path.dirname(p.wasm)])],
    }


def _cwasm_tasks(app: AppConfig, p: AppPaths, cache: CacheSpec | None = None) -> Iterator[dict]:
    s = app.settings
    for variant, cwasm in p.cwasm.items():
        yield {
            "basename": "cwasm", "name": f"{app.name}.{variant}",
            "doc": f"precompile {p.wasm} for {variant} -> {cwasm}",
            "actions": [(stages.aot_action, [p.wasm, cwasm, variant, s.debug, s.opt_level],
                         {"cache": cache})],
            "file_dep": [p.wasm],
            "targets": [cwasm],
            "uptodate": [StageKey({"aot": stages.aot_identity(), "variant": variant,
                                   "opt-level": s.opt_level, "debug": s.debug})],
            "clean": True,
        }


def _exe_task(app: AppConfig, p: AppPaths, cache: CacheSpec | None = None) -> dict:
    return {
        "basename": "build", "name": app.name,
        "doc": f"bundle {app.name} -> {p.exe}",
        "actions": [(stages.bundle_action, [p.wasm, p.meta, dict(p.cwasm), p.exe],
                     {"cache": cache, "fs": None if app.fs is None else list(app.fs)})],
        "file_dep": [p.wasm, p.meta, *p.cwasm.values()],
        "targets": [p.exe],
        "uptodate": [StageKey({"bundle": stages.bundle_identity(),
                               "runner": stages.runner_identity,
                               "variants": list(p.cwasm),
                               "fs": None if app.fs is None else list(app.fs)})],
        "clean": True,
    }


def _remove_empty_dir(path: str) -> None:
    """`doit clean` leaves no empty per-app directories behind."""
    try:
        os.rmdir(path)
    except OSError:
        pass  # not empty (user files) or already gone


def generate_tasks(projects: list[ProjectConfig], out_dir: Path | None = None,
                   scanner: Scanner | None = None) -> dict[str, Callable[[], Iterator]]:
    """The task generators (`task_wasm`, `task_cwasm`, `task_build`) for these projects.

    Each project's [cache] settings (with environment overrides) reach its actions as a
    CacheSpec; one spec per project is one build session (one remote-down state).
    `scanner` finds each app's include closure (its cache is saved after the wasm
    tasks are generated).
    """
    scanner = scanner or Scanner()
    apps: dict[str, tuple[AppConfig, AppPaths, CacheSpec]] = {}
    for project in projects:
        spec = resolve_spec(project.cache)
        problem = check_remote_url(spec.remote) if spec.remote else None
        if problem:
            raise ConfigError([f"NYASH_REMOTE_CACHE: the remote cache URL {problem}"])
        for name, app in project.apps.items():
            if name in apps:
                raise ConfigError([f"{project.toml_path}: app {name!r} is also defined in "
                                   f"another project"])
            apps[name] = (app, app_paths(app, out_dir), spec)
    names = ", ".join(apps) or "none"

    def task_wasm() -> Iterator[dict]:
        """Compile each app's Nyash source to a .wasm module (+ .meta.json)."""
        for app, paths, spec in apps.values():
            yield _wasm_task(app, paths, spec, scanner)
        scanner.save()

    def task_cwasm() -> Iterator[dict]:
        """Precompile each .wasm to machine code, one .cwasm per CPU variant."""
        for app, paths, spec in apps.values():
            yield from _cwasm_tasks(app, paths, spec)

    def task_build() -> Iterator[Task | dict]:
        """Build executables: `doit build` for all apps, `doit build APP...` for some."""
        yield AppGroupTask("build", list(apps), doc=f"Build apps into executables: "
                           f"`doit build` (all) or `doit build APP...` (apps: {names})")
        for app, paths, spec in apps.values():
            yield _exe_task(app, paths, spec)

    return {"task_wasm": task_wasm, "task_cwasm": task_cwasm, "task_build": task_build}


def doit_config(dep_file: Path, explain: bool = False) -> dict[str, Any]:
    """DOIT_CONFIG for portable, content-checked state and our one-line-per-task output."""
    dep_file.parent.mkdir(parents=True, exist_ok=True)  # the json backend needs the directory
    return {
        "dep_file": _rel(dep_file),
        "backend": "json",
        "check_file_uptodate": "md5",
        "reporter": ExplainReporter if explain else NyashReporter,
    }


def _doit_var(name: str) -> str | None:
    """A `name=value` variable from the doit command line, if doit is running."""
    try:
        from doit import get_var  # noqa: PLC0415
    except ImportError:  # pragma: no cover
        return None
    return get_var(name)


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


def nyash_tasks(*project_dirs: str | os.PathLike, profile: str | None = None,
                out_dir: str | os.PathLike | None = None, dep_file: str | os.PathLike | None = None,
                explain: bool | None = None) -> dict[str, Any]:
    """Everything a dodo.py needs: `globals().update(nyash_tasks())`.

    project_dirs: directories holding a nyash.toml (default: the current directory, which
        doit sets to the dodo.py's directory).
    profile: the nyash.toml profile; default from `doit ... profile=NAME`, then the
        NYASH_PROFILE environment variable, then "release".
    out_dir: put every app under this directory instead of each project's out-dir.
    dep_file: where doit keeps build state (default: OUT_DIR/.doit-db.json).
    explain: print why each task ran (default from `doit ... explain=1` or NYASH_EXPLAIN=1).

    A broken nyash.toml prints `nyash.toml:LINE: message` and exits with status 2.
    """
    profile = profile or _doit_var("profile") or os.environ.get("NYASH_PROFILE") or None
    if explain is None:
        explain = _truthy(_doit_var("explain")) or _truthy(os.environ.get("NYASH_EXPLAIN"))
    try:
        return task_namespace(project_dirs or (".",), profile=profile, out_dir=out_dir,
                              dep_file=dep_file, explain=explain)
    except ConfigError as exc:
        from nyash_build.report import active, config_diagnostics  # noqa: PLC0415
        active().diagnostics(config_diagnostics(exc.messages))
        raise SystemExit(2) from None


def task_namespace(project_dirs: tuple | list, *, profile: str | None = None,
                   out_dir: str | os.PathLike | None = None,
                   dep_file: str | os.PathLike | None = None,
                   explain: bool = False) -> dict[str, Any]:
    """Like nyash_tasks() with explicit arguments; raises ConfigError instead of exiting."""
    EXPLAIN.clear()  # a new build session (nyash build in a long-lived process, tests)
    projects = [load_project(Path(d), profile) for d in project_dirs]
    out = Path(out_dir).resolve() if out_dir is not None else None
    state = Path(dep_file) if dep_file else (out or projects[0].out_dir) / DEP_FILE_NAME
    scanner = Scanner(state.resolve().with_name(SCAN_CACHE_NAME))
    tasks = generate_tasks(projects, out, scanner)
    config = doit_config(state.resolve(), explain)
    hold_build_lock(state.resolve())
    return {"DOIT_CONFIG": config, **tasks}


_HELD_LOCKS: dict[str, Any] = {}


def hold_build_lock(dep_file: Path) -> None:
    """Serialise builds that share a dep file, for the rest of this process.

    doit's json backend reads the state at start and rewrites it at the end, so two
    concurrent builds of one project would lose each other's records (and then rebuild
    needlessly). The second build waits instead. Outputs are safe either way (atomic).
    """
    key = str(dep_file)
    if key in _HELD_LOCKS:
        return
    import fcntl  # noqa: PLC0415 - POSIX, like the rest of the toolchain

    handle = open(dep_file.with_name(dep_file.name + ".lock"), "a")  # noqa: SIM115 - held
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"waiting for another build using {_rel(dep_file)} ...", file=sys.stderr)
        fcntl.flock(handle, fcntl.LOCK_EX)
    _HELD_LOCKS[key] = handle


def release_build_locks() -> None:
    """Let other builds proceed (for long-lived processes such as `nyash build`, tests)."""
    while _HELD_LOCKS:
        _, handle = _HELD_LOCKS.popitem()
        handle.close()


# --------------------------------------------------------------------------- output


class NyashReporter:
    """One line per task that ran (stage, target, duration), then a one-line summary.

    Implements doit's reporter protocol; failures print the stage's own message (a
    compile error is `file:line:col: message`), not a Python traceback.
    """

    desc = "nyash: one line per task with target and duration"
    explain = False
    # What the most recent run did ({"ran": [...], "uptodate": [...], "failed": [...],
    # "cache": {task: "local hit" | "remote hit" | "built"}, "keys": {task: action key}}),
    # for `nyash build` and tests that must assert exactly which tasks ran.
    last: dict[str, list[str]] | None = None

    def __init__(self, outstream, options: dict | None = None):
        self.out = outstream
        self.options = options or {}
        self.started: dict[str, float] = {}
        self.ran: list[str] = []
        self.uptodate: list[str] = []
        self.cache: dict[str, str] = {}
        self.keys: dict[str, str] = {}
        self.failures: list[tuple[Task, Any]] = []
        self.errors: list[str] = []
        self.t0 = time.perf_counter()
        self.lock = threading.Lock()

    def write(self, text: str) -> None:
        # doit binds its default output to the sys.stdout of import time; follow the
        # current one instead (redirections made later, e.g. by test capture, must work)
        from doit.cmd_run import opt_outfile  # noqa: PLC0415
        out = sys.stdout if self.out is opt_outfile["default"] else self.out
        with self.lock:
            out.write(text)
            out.flush()

    # doit protocol ---------------------------------------------------------
    def initialize(self, tasks, selected_tasks) -> None:
        self.t0 = time.perf_counter()

    def get_status(self, task: Task) -> None:
        pass

    def execute_task(self, task: Task) -> None:
        if task.actions:
            self.started[task.name] = time.perf_counter()
            if self.explain:
                self.write(f"  why {_label(task)}: {'; '.join(explain_task(task))}\n")

    def add_success(self, task: Task) -> None:
        if not task.actions:
            return
        took = time.perf_counter() - self.started.get(task.name, time.perf_counter())
        self.ran.append(task.name)
        values = getattr(task, "values", None) or {}
        outcome, key = values.get("cache"), values.get("cache_key")
        if outcome:
            self.cache[task.name] = outcome
            self.keys[task.name] = key
        note = f" ({outcome})" if outcome and outcome != "built" else ""
        self.write(f"{_stage(task):>6}  {_label(task) + note:<48} {took:6.2f}s\n")
        if self.explain and outcome:
            self.write(f"{'':>6}  cache: {outcome}, key {key}\n")

    def add_failure(self, task: Task, fail) -> None:
        self.failures.append((task, fail))
        self.write(f"{'FAILED':>6}  {_label(task)}\n")

    def skip_uptodate(self, task: Task) -> None:
        if task.actions:
            self.uptodate.append(task.name)
            if self.explain:
                self.write(f"{'ok':>6}  {_label(task)} (up to date)\n")

    def skip_ignore(self, task: Task) -> None:
        pass

    def cleanup_error(self, exception) -> None:
        self.errors.append(str(exception))

    def runtime_error(self, msg: str) -> None:
        self.errors.append(msg)

    def teardown_task(self, task: Task) -> None:
        pass

    def complete_run(self) -> None:
        took = time.perf_counter() - self.t0
        NyashReporter.last = {"ran": list(self.ran), "uptodate": list(self.uptodate),
                              "failed": [t.name for t, _ in self.failures],
                              "cache": dict(self.cache), "keys": dict(self.keys)}
        for task, fail in self.failures:
            self.write(f"error: {task.name}: {_failure_text(fail)}\n")
        for msg in self.errors:
            self.write(f"error: {msg}\n")
        if self.failures or self.errors:
            self.write(f"build failed: {len(self.failures)} task(s) failed, {len(self.ran)} built "
                       f"({took:.2f}s)\n")
        elif self.ran:
            self.write(f"built {len(self.ran)} of {len(self.ran) + len(self.uptodate)} tasks "
                       f"in {took:.2f}s ({self._hits()}{len(self.uptodate)} up to date)\n")
        else:
            self.write(f"nothing to do: {len(self.uptodate)} tasks up to date ({took:.2f}s)\n")


    def _hits(self) -> str:
        """`1 from the local cache, 3 from the remote cache, ` (empty without hits)."""
        parts = [f"{n} from the {origin} cache" for origin in ("local", "remote")
                 if (n := sum(1 for o in self.cache.values() if o == f"{origin} hit"))]
        return "".join(f"{p}, " for p in parts)


class ExplainReporter(NyashReporter):
    """NyashReporter that also says why each task ran (`nyash build --explain`)."""

    explain = True


def explain_task(task: Task) -> list[str]:
    """Human reasons a task is running: settings that changed, missing outputs, new inputs."""
    reasons = list(EXPLAIN.get(task.name, []))
    missing = [t for t in task.targets if not os.path.exists(t)]
    if missing and not reasons:
        reasons.append("missing output " + ", ".join(missing))
    changed = [d for d in getattr(task, "dep_changed", None) or [] if d in task.file_dep]
    if changed and not reasons:
        reasons.append("input changed: " + ", ".join(sorted(changed)))
    return reasons or ["forced (--always) or no recorded state"]


def _stage(task: Task) -> str:
    return {"wasm": "wasm", "cwasm": "cwasm", "build": "exe"}.get(task.name.split(":")[0], "task")


def _label(task: Task) -> str:
    return task.targets[0] if task.targets else task.name


def _failure_text(fail) -> str:
    """The stage's own message for a TaskFailed; the full report for unexpected errors."""
    message = getattr(fail, "message", None)
    if getattr(fail, "traceback", None) and not isinstance(message, str):
        return fail.get_msg()
    if getattr(fail, "traceback", None):
        return f"{message}\n{''.join(fail.traceback)}".rstrip()
    return str(message or fail.get_msg()).rstrip()
