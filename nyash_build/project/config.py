"""nyash.toml: load, validate and resolve a project's build settings.

The file is parsed with tomllib, which reports syntax errors with positions but keeps
no positions for valid documents. Users must be told *where* a wrong key is, so a small
line scanner (`_KeyLines`) maps every key path back to the line that defines it.

Resolution order of a setting for one app (later wins):
built-in defaults < [build] < [apps.NAME] < [profiles.PROFILE].
The profile wins because it is what the user chose for *this* build (`--profile debug`).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on 3.10
    import tomli as tomllib

CONFIG_NAME = "nyash.toml"
OPT_LEVELS = ("none", "speed", "speed_and_size")
DEFAULT_VARIANTS = ("baseline", "x86-64-v3")
DEFAULT_PROFILE = "release"
BUILTIN_PROFILES: dict[str, dict[str, Any]] = {
    "release": {},
    "debug": {"debug": True, "opt-level": "none"},
}
DEFAULT_MAIN = "src/main.nyash"

# Settings that [build], [apps.NAME] and [profiles.NAME] may all set.
_SETTING_TYPES: dict[str, type] = {
    "out-dir": str,
    "variants": list,
    "opt-level": str,
    "debug": bool,
}
_PROJECT_KEYS: dict[str, type] = {"name": str, "version": str}
_APP_ONLY_KEYS: dict[str, type] = {"main": str, "output": str, "fs": list}
# [build] only (project-wide): extra directories `include` searches, after the including
# file's directory and the project root
_BUILD_ONLY_KEYS: dict[str, type] = {"include-paths": list}
_TOP_KEYS = ("project", "build", "apps", "profiles", "cache")
# [cache]: project-wide (not per app or profile): where stage outputs are shared.
_CACHE_KEYS: dict[str, type | tuple[type, ...]] = {
    "remote": str, "read-only": bool, "token-env": str, "local": bool,
    "connect-timeout": (int, float), "read-timeout": (int, float),
}
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class ConfigMessage(str):
    """A ConfigError line that is not about the file's contents (an unknown profile
    asked for on the command line): its diagnostic code and the closest valid name."""

    code: str = "N0606"
    choice: str = ""

    @staticmethod
    def make(text: str, code: str, asked: str, valid: list[str]) -> "ConfigMessage":
        from nyash_build.compiler.suggest import closest  # noqa: PLC0415 - tiny, no AST
        m = ConfigMessage(text)
        m.code = code
        m.choice = closest(asked, valid) or ""
        return m


class ConfigError(Exception):
    """A nyash.toml problem; `str()` is one `nyash.toml:LINE: message` line per problem."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Settings:
    """The build settings of one app after resolution (what reaches the stages)."""

    out_dir: str
    variants: tuple[str, ...]
    opt_level: str
    debug: bool


@dataclass(frozen=True)
class AppConfig:
    """One executable to build: its main source (absolute) and resolved settings."""

    name: str
    main: Path
    output: str
    settings: Settings
    out_dir: Path  # absolute
    root: Path = Path(".")  # the project root (absolute): includes resolve against it
    include_paths: tuple[Path, ...] = ()  # [build] include-paths, absolute
    # file-system policy baked into the executable: None = native, else the directories
    # the program may use (relative ones: from the current directory at run time)
    fs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CacheSettings:
    """The [cache] table (environment overrides are applied by nyash_build.cache)."""

    remote: str | None = None
    read_only: bool = False
    token_env: str | None = None
    local: bool = True
    connect_timeout: float = 2.0
    read_timeout: float = 10.0


@dataclass(frozen=True)
class ProjectConfig:
    """A validated nyash.toml for one profile."""

    root: Path
    toml_path: Path
    name: str
    version: str
    profile: str
    apps: dict[str, AppConfig] = field(default_factory=dict)
    out_dir: Path = Path("build")  # absolute after resolution
    cache: CacheSettings = CacheSettings()
    include_paths: tuple[Path, ...] = ()  # [build] include-paths, absolute


# --------------------------------------------------------------------------- lines


def _split_dotted(text: str) -> list[str]:
    """Split a TOML dotted key (`apps."my app".main`) into its parts."""
    parts, cur, quote = [], "", None
    for ch in text.strip():
        if quote:
            if ch == quote:
                quote = None
            else:
                cur += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return [p for p in parts if p != ""]


class _KeyLines:
    """Map key paths (tuples) to the 1-based line that defines them in the TOML text."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
                      r"(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")

    def __init__(self, text: str):
        self.lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        in_multiline = False
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                    in_multiline = False
                continue
            header = self._HEADER.match(line)
            if header:
                table = tuple(_split_dotted(header.group(1)))
                self.lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                path = table + tuple(_split_dotted(key.group(1)))
                self.lines.setdefault(path, number)
                rest = line[key.end():]
                if rest.count('"""') % 2 == 1 or rest.count("'''") % 2 == 1:
                    in_multiline = True

    def line(self, path: tuple[str, ...]) -> int:
        """Line of `path`, else of its nearest defined ancestor, else 1."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


# --------------------------------------------------------------------------- validation


class _Validator:
    """Collects every problem in one pass so the user can fix them all at once."""

    def __init__(self, toml_path: Path, text: str):
        self.toml_path = toml_path
        self.name = display_name(toml_path)
        self.keys = _KeyLines(text)
        self.errors: list[str] = []

    def error(self, path: tuple[str, ...], message: str) -> None:
        self.errors.append(f"{self.name}:{self.keys.line(path)}: {message}")

    def sorted_errors(self) -> list[str]:
        """Errors in file order (stable), so they read top to bottom like the file."""
        def line_of(msg: str) -> int:
            m = re.match(r"[^:]*:(\d+):", msg)
            return int(m.group(1)) if m else 0
        return sorted(self.errors, key=line_of)

    @staticmethod
    def dotted(path: tuple[str, ...]) -> str:
        return ".".join(path)

    def check_table(self, data: Any, path: tuple[str, ...], allowed: dict[str, type]) -> dict:
        """Check that `data` is a table whose keys are known and of the right type."""
        if not isinstance(data, dict):
            self.error(path, f"'{self.dotted(path)}' must be a table")
            return {}
        good = {}
        for key, value in data.items():
            here = path + (key,)
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.error(here, f"unknown key '{self.dotted(here)}' (allowed: {known})")
            elif not isinstance(value, allowed[key]):
                self.error(here, f"'{self.dotted(here)}' must be {_type_name(allowed[key])}, "
                                 f"not {_type_name(type(value))}")
            else:
                good[key] = value
        return good

    def check_settings(self, data: Any, path: tuple[str, ...], extra: dict[str, type] | None = None
                       ) -> dict:
        """Validate a table of build settings (plus `extra` keys) and their values."""
        allowed = dict(_SETTING_TYPES, **(extra or {}))
        good = self.check_table(data, path, allowed)
        if "variants" in good and not self._variants_ok(good["variants"], path + ("variants",)):
            del good["variants"]
        if "opt-level" in good and good["opt-level"] not in OPT_LEVELS:
            self.error(path + ("opt-level",),
                       f"'{self.dotted(path + ('opt-level',))}' must be one of "
                       f"{', '.join(repr(o) for o in OPT_LEVELS)}, not {good['opt-level']!r}")
            del good["opt-level"]
        if "out-dir" in good and not good["out-dir"].strip():
            self.error(path + ("out-dir",), f"'{self.dotted(path + ('out-dir',))}' must not be empty")
            del good["out-dir"]
        return good

    def _variants_ok(self, variants: list, path: tuple[str, ...]) -> bool:
        known = known_variants()
        name = self.dotted(path)
        if not variants:
            self.error(path, f"'{name}' must list at least one variant")
            return False
        for v in variants:
            if not isinstance(v, str):
                self.error(path, f"'{name}' must be an array of strings, found {_type_name(type(v))}")
                return False
            if v not in known:
                self.error(path, f"'{name}': unknown variant {v!r} (known: {', '.join(known)})")
                return False
        if len(set(variants)) != len(variants):
            self.error(path, f"'{name}' lists a variant twice")
            return False
        return True


def display_name(toml_path: Path) -> str:
    """`examples/multi/nyash.toml` when under the working directory, else `nyash.toml`.

    Relative names tell projects apart when one dodo.py builds several of them.
    """
    try:
        rel = toml_path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return toml_path.name
    return str(rel)


def _type_name(t: type) -> str:
    if isinstance(t, tuple):
        return "a number" if float in t else " or ".join(_type_name(x) for x in t)
    return {str: "a string", bool: "a boolean (true/false)", list: "an array",
            dict: "a table", int: "an integer", float: "a float"}.get(t, t.__name__)


def known_variants() -> tuple[str, ...]:
    """CPU variants the AOT stage knows (the AOT module is the single source of truth)."""
    try:
        from nyash_build.aot.variants import VARIANTS  # noqa: PLC0415 - optional until written
    except ImportError:
        return DEFAULT_VARIANTS
    return tuple(VARIANTS)


# --------------------------------------------------------------------------- loading


def find_config(project_dir: Path) -> Path:
    """The nyash.toml of `project_dir`, or a ConfigError saying it is missing."""
    path = Path(project_dir) / CONFIG_NAME
    if not path.is_file():
        raise ConfigError([f"{path}: no {CONFIG_NAME} here (create one with `nyash init NAME`)"])
    return path


def load_project(project_dir: Path | str, profile: str | None = None) -> ProjectConfig:
    """Read, validate and resolve `project_dir/nyash.toml` for `profile` (default release)."""
    toml_path = find_config(Path(project_dir)).resolve()
    text = toml_path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_syntax_message(toml_path, exc)]) from None
    return _resolve(toml_path, text, data, profile or DEFAULT_PROFILE)


def _syntax_message(toml_path: Path, exc: Exception) -> str:
    """tomllib says `... (at line 3, column 7)`; turn that into our `file:LINE:` form."""
    msg = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    if match:
        msg = msg[:match.start()].strip()
        return f"{display_name(toml_path)}:{match.group(1)}:{match.group(2)}: invalid TOML: {msg}"
    return f"{display_name(toml_path)}: invalid TOML: {msg}"


def _resolve(toml_path: Path, text: str, data: dict, profile: str) -> ProjectConfig:
    v = _Validator(toml_path, text)
    root = toml_path.parent
    for key in data:
        if key not in _TOP_KEYS:
            v.error((key,), f"unknown key '{key}' (allowed: {', '.join(_TOP_KEYS)})")
    project = _project_table(v, data)
    build = v.check_settings(data.get("build", {}), ("build",), _BUILD_ONLY_KEYS)
    include_paths = _include_paths(v, root, build.pop("include-paths", []))
    profiles = _profiles(v, data.get("profiles", {}))
    if profile not in profiles:
        v.errors.append(ConfigMessage.make(f"{v.name}: unknown profile {profile!r} "
                                           f"(defined: {', '.join(sorted(profiles))})",
                                           "N0607", profile, sorted(profiles)))
    cache = _cache_table(v, data.get("cache", {}))
    apps_raw = _apps_table(v, data, project.get("name"))
    base = {"out-dir": "build", "variants": list(DEFAULT_VARIANTS), "opt-level": "speed",
            "debug": False}
    apps: dict[str, AppConfig] = {}
    outputs: dict[tuple[str, str], str] = {}
    for app_name, (app_table, app_path) in apps_raw.items():
        merged = {**base, **build, **{k: app_table[k] for k in _SETTING_TYPES if k in app_table},
                  **profiles.get(profile, {})}
        settings = Settings(out_dir=merged["out-dir"], variants=tuple(merged["variants"]),
                            opt_level=merged["opt-level"], debug=merged["debug"])
        main_rel = app_table.get("main", DEFAULT_MAIN)
        main = (root / (main_rel or DEFAULT_MAIN)).resolve()
        if main_rel is not None and not main.is_file():
            v.error(app_path + ("main",), f"'{v.dotted(app_path + ('main',))}': source file "
                                          f"{main_rel!r} not found (looked in {root})")
        output = app_table.get("output", app_name)
        if not _NAME_RE.match(output):
            v.error(app_path + ("output",), f"'{v.dotted(app_path + ('output',))}' must be a "
                                            f"plain file name, not {output!r}")
        out_dir = (root / settings.out_dir).resolve()
        clash = outputs.setdefault((str(out_dir), output), app_name)
        if clash != app_name:
            v.error(app_path, f"apps '{clash}' and '{app_name}' both write {output!r}")
        fs = _fs_policy(v, app_path, app_table.get("fs"))
        apps[app_name] = AppConfig(app_name, main, output, settings, out_dir, root, include_paths, fs)
    if v.errors:
        raise ConfigError(v.sorted_errors())
    top_out = {**base, **build, **profiles.get(profile, {})}["out-dir"]
    return ProjectConfig(root=root, toml_path=toml_path, name=project["name"],
                         version=project.get("version", "0.0.0"), profile=profile, apps=apps,
                         out_dir=(root / top_out).resolve(), cache=cache,
                         include_paths=include_paths)


def _fs_policy(v: _Validator, where: tuple[str, ...], raw: list | None) -> tuple[str, ...] | None:
    """[apps.NAME] fs: the directories the executable may use ([] = none). Entries are
    kept as written: relative ones are taken from the current directory when the
    program runs (docs/design.md "World interface"), not from the project."""
    if raw is None:
        return None
    path = where + ("fs",)
    for entry in raw:
        if not isinstance(entry, str) or not entry.strip() or "\0" in entry:
            v.error(path, f"'{v.dotted(path)}' must be an array of directory names, found {entry!r}")
            return None
    return tuple(raw)


def _include_paths(v: _Validator, root: Path, raw: list) -> tuple[Path, ...]:
    """[build] include-paths: directories (relative to the project root, or absolute)."""
    where = ("build", "include-paths")
    out: list[Path] = []
    for entry in raw:
        if not isinstance(entry, str) or not entry.strip():
            v.error(where, "'build.include-paths' must be an array of directory names, "
                           f"found {entry!r}")
            continue
        path = (root / entry).resolve()
        if not path.is_dir():
            v.error(where, f"'build.include-paths': {entry!r} is not a directory "
                           f"(looked in {root})")
            continue
        out.append(path)
    return tuple(dict.fromkeys(out))


def _project_table(v: _Validator, data: dict) -> dict:
    if "project" not in data:
        v.errors.append(f"{v.name}:1: missing [project] table with 'name'")
        return {"name": "unnamed"}
    project = v.check_table(data["project"], ("project",), _PROJECT_KEYS)
    if isinstance(data["project"], dict) and "name" not in data["project"]:
        v.error(("project",), "missing key 'project.name'")
    elif "name" in project and not _NAME_RE.match(project["name"]):
        v.error(("project", "name"), f"'project.name' must be letters, digits, '_', '-' or '.',"
                                     f" not {project['name']!r}")
    project.setdefault("name", "unnamed")
    return project


def _profiles(v: _Validator, raw: Any) -> dict[str, dict]:
    """Built-in profiles merged with the user's [profiles.NAME] tables."""
    profiles = {name: dict(values) for name, values in BUILTIN_PROFILES.items()}
    if not isinstance(raw, dict):
        v.error(("profiles",), "'profiles' must be a table of tables ([profiles.NAME])")
        return profiles
    for name, table in raw.items():
        good = v.check_settings(table, ("profiles", name))
        profiles[name] = {**profiles.get(name, {}), **good}
    return profiles


def _apps_table(v: _Validator, data: dict, project_name: str | None
                ) -> dict[str, tuple[dict, tuple[str, ...]]]:
    """The [apps.NAME] tables; with none, one app named after the project (src/main.nyash)."""
    raw = data.get("apps")
    if raw is None:
        return {project_name or "main": ({}, ("project",))}
    if not isinstance(raw, dict) or not raw:
        v.error(("apps",), "'apps' must contain at least one [apps.NAME] table")
        return {}
    apps = {}
    for name, table in raw.items():
        path = ("apps", name)
        if not _NAME_RE.match(name):
            v.error(path, f"app name {name!r} must be letters, digits, '_', '-' or '.'")
            continue
        good = v.check_settings(table, path, _APP_ONLY_KEYS)
        if isinstance(table, dict) and "main" not in table:
            v.error(path, f"missing key '{v.dotted(path + ('main',))}' (the app's main source)")
        if isinstance(table, dict) and "main" not in good:
            good["main"] = None  # missing or wrong type, already reported: skip the file check
        if isinstance(table, dict):
            apps[name] = (good, path)
    return apps


def _cache_table(v: _Validator, raw: Any) -> CacheSettings:
    """[cache]: remote URL, read-only, token-env, local, timeouts (see docs/cache.md)."""
    good = v.check_table(raw, ("cache",), _CACHE_KEYS)
    for key in ("connect-timeout", "read-timeout"):
        value = good.get(key)
        if value is not None and (isinstance(value, bool) or not 0 < value <= 600):
            v.error(("cache", key), f"'cache.{key}' must be a number of seconds in (0, 600], "
                                    f"not {value!r}")
            del good[key]
    if "remote" in good:
        from nyash_build.cache.store import check_remote_url  # noqa: PLC0415
        problem = check_remote_url(good["remote"])
        if problem:
            v.error(("cache", "remote"), f"'cache.remote' {problem} "
                                         f"(expected \"http://host:port/prefix\")")
            del good["remote"]
    if "token-env" in good and not _ENV_NAME_RE.match(good["token-env"]):
        v.error(("cache", "token-env"), "'cache.token-env' must be the NAME of an environment "
                                        "variable holding the token, not the token itself")
        del good["token-env"]
    return CacheSettings(remote=good.get("remote"), read_only=good.get("read-only", False),
                         token_env=good.get("token-env"), local=good.get("local", True),
                         connect_timeout=float(good.get("connect-timeout", 2.0)),
                         read_timeout=float(good.get("read-timeout", 10.0)))
