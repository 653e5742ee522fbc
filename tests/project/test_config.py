"""nyash.toml schema: defaults, profiles, overrides, and errors that name key and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from nyash_build.project.config import ConfigError, load_project

REPO = Path(__file__).resolve().parents[2]


def project(tmp_path: Path, toml: str, sources: tuple[str, ...] = ("src/main.nyash",)) -> Path:
    for src in sources:
        (tmp_path / src).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / src).write_text('static box Main {\n    main() {\n    }\n}\n')
    (tmp_path / "nyash.toml").write_text(toml)
    return tmp_path


def errors(tmp_path: Path, toml: str, **kw) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_project(project(tmp_path, toml), **kw)
    return info.value.messages


MINIMAL = '[project]\nname = "demo"\n\n[apps.demo]\nmain = "src/main.nyash"\n'


def test_defaults(tmp_path: Path) -> None:
    cfg = load_project(project(tmp_path, MINIMAL))
    app = cfg.apps["demo"]
    assert cfg.name == "demo" and cfg.profile == "release" and cfg.version == "0.0.0"
    assert app.settings.variants == ("baseline", "x86-64-v3")
    assert app.settings.opt_level == "speed" and app.settings.debug is False
    assert app.out_dir == (tmp_path / "build").resolve() and app.output == "demo"


def test_debug_profile_builtin(tmp_path: Path) -> None:
    app = load_project(project(tmp_path, MINIMAL), "debug").apps["demo"]
    assert app.settings.debug is True and app.settings.opt_level == "none"


def test_no_apps_table_means_one_app_from_src_main(tmp_path: Path) -> None:
    cfg = load_project(project(tmp_path, '[project]\nname = "solo"\n'))
    assert list(cfg.apps) == ["solo"]
    assert cfg.apps["solo"].main == (tmp_path / "src/main.nyash").resolve()


def test_examples_load() -> None:
    multi = load_project(REPO / "examples" / "multi")
    assert multi.apps["fib"].output == "fibonacci"
    assert multi.apps["fib"].settings.opt_level == "speed_and_size"  # per-app override
    assert multi.apps["fizzbuzz"].settings.opt_level == "speed"
    assert load_project(REPO / "examples" / "multi", "portable").apps["fib"].settings.variants == ("baseline",)
    assert load_project(REPO / "examples" / "hello").apps["hello"].main.name == "hello.nyash"


def test_unknown_key_names_key_and_line(tmp_path: Path) -> None:
    toml = '[project]\nname = "demo"\n\n[build]\nopt-level = "speed"\noptlevel = "none"\n'
    assert errors(tmp_path, toml) == [
        "nyash.toml:6: unknown key 'build.optlevel' (allowed: debug, include-paths, opt-level, out-dir, variants)"]


def test_unknown_top_level_table(tmp_path: Path) -> None:
    toml = MINIMAL + '\n[bulid]\nx = 1\n'
    (msg,) = errors(tmp_path, toml)
    assert msg.startswith("nyash.toml:7: unknown key 'bulid'")


def test_wrong_types(tmp_path: Path) -> None:
    toml = ('[project]\nname = "demo"\nversion = 1\n\n[build]\ndebug = "yes"\n'
            'variants = "baseline"\n\n[apps.demo]\nmain = "src/main.nyash"\n')
    assert errors(tmp_path, toml) == [
        "nyash.toml:3: 'project.version' must be a string, not an integer",
        "nyash.toml:6: 'build.debug' must be a boolean (true/false), not a string",
        "nyash.toml:7: 'build.variants' must be an array, not a string",
    ]


def test_missing_source_file(tmp_path: Path) -> None:
    toml = '[project]\nname = "demo"\n\n[apps.demo]\nmain = "src/main.nyash"\n\n[apps.other]\n# comment\nmain = "src/nope.nyash"\n'
    (msg,) = errors(tmp_path, toml)
    assert msg.startswith("nyash.toml:9: 'apps.other.main': source file 'src/nope.nyash' not found")


def test_bad_values(tmp_path: Path) -> None:
    toml = ('[project]\nname = "demo"\n[build]\nopt-level = "fast"\nvariants = ["baseline", "avx9000"]\n'
            '[apps.demo]\nmain = "src/main.nyash"\n[profiles.ci]\nvariants = []\n')
    msgs = errors(tmp_path, toml)
    assert msgs[0].startswith("nyash.toml:4: 'build.opt-level' must be one of 'none', 'speed', 'speed_and_size'")
    assert msgs[1].startswith("nyash.toml:5: 'build.variants': unknown variant 'avx9000'")
    assert msgs[2] == "nyash.toml:9: 'profiles.ci.variants' must list at least one variant"


def test_per_app_unknown_key_and_dotted_keys(tmp_path: Path) -> None:
    toml = 'apps.demo.main = "src/main.nyash"\napps.demo.colour = "red"\n\n[project]\nname = "demo"\n'
    (msg,) = errors(tmp_path, toml)
    assert msg.startswith("nyash.toml:2: unknown key 'apps.demo.colour'")


def test_syntax_error_has_line(tmp_path: Path) -> None:
    (msg,) = errors(tmp_path, '[project]\nname = "demo"\nversion = \n')
    assert msg.startswith("nyash.toml:3:") and "invalid TOML" in msg


def test_unknown_profile(tmp_path: Path) -> None:
    (msg,) = errors(tmp_path, MINIMAL, profile="fast")
    assert "unknown profile 'fast'" in msg and "debug" in msg and "release" in msg


def test_missing_project_name(tmp_path: Path) -> None:
    (msg,) = errors(tmp_path, '[project]\nversion = "1"\n\n[apps.demo]\nmain = "src/main.nyash"\n')
    assert msg == "nyash.toml:1: missing key 'project.name'"


def test_profile_overrides_app_and_build(tmp_path: Path) -> None:
    toml = ('[project]\nname = "demo"\n[build]\nopt-level = "speed_and_size"\n'
            '[apps.demo]\nmain = "src/main.nyash"\nvariants = ["baseline"]\n'
            '[profiles.release]\nout-dir = "out"\n')
    app = load_project(project(tmp_path, toml)).apps["demo"]
    assert app.settings.opt_level == "speed_and_size"
    assert app.settings.variants == ("baseline",)
    assert app.out_dir == (tmp_path / "out").resolve()


def test_missing_nyash_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no nyash.toml"):
        load_project(tmp_path)


def test_fs_policy_per_app(tmp_path: Path) -> None:
    toml = ('[project]\nname = "demo"\n\n[apps.demo]\nmain = "src/main.nyash"\nfs = ["data", "/srv/shared"]\n\n'
            '[apps.none]\nmain = "src/main.nyash"\noutput = "none"\nfs = []\n\n'
            '[apps.native]\nmain = "src/main.nyash"\noutput = "native"\n')
    apps = load_project(project(tmp_path, toml)).apps
    assert apps["demo"].fs == ("data", "/srv/shared")  # kept as written: resolved at run time
    assert apps["none"].fs == ()
    assert apps["native"].fs is None


def test_fs_policy_errors(tmp_path: Path) -> None:
    toml = '[project]\nname = "demo"\n\n[apps.demo]\nmain = "src/main.nyash"\nfs = "data"\n'
    assert errors(tmp_path, toml) == ["nyash.toml:6: 'apps.demo.fs' must be an array, not a string"]
    toml = '[project]\nname = "demo"\n\n[apps.demo]\nmain = "src/main.nyash"\nfs = ["ok", 3]\n'
    assert errors(tmp_path, toml) == ["nyash.toml:6: 'apps.demo.fs' must be an array of directory names, found 3"]
    toml = '[project]\nname = "demo"\n\n[build]\nfs = ["data"]\n'
    (msg,) = errors(tmp_path, toml)
    assert msg.startswith("nyash.toml:5: unknown key 'build.fs'")
