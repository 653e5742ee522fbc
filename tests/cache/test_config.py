"""[cache] in nyash.toml: validation with key and line, and environment overrides."""
from __future__ import annotations

from pathlib import Path

import pytest

from nyash_build.project.config import CacheSettings, ConfigError, load_project
from nyash_build.cache.store import default_cache_root, resolve_spec

BASE = '[project]\nname = "p"\n\n[apps.p]\nmain = "main.nyash"\n'


def project(tmp_path: Path, cache: str) -> Path:
    (tmp_path / "main.nyash").write_text("print(1)\n")
    (tmp_path / "nyash.toml").write_text(BASE + cache)
    return tmp_path


def test_cache_table_is_parsed(tmp_path) -> None:
    cfg = load_project(project(tmp_path, '\n[cache]\nremote = "http://ci:9090/nyash"\n'
                                         'read-only = true\ntoken-env = "CACHE_TOKEN"\n'
                                         'read-timeout = 3\nconnect-timeout = 0.5\n'))
    assert cfg.cache == CacheSettings(remote="http://ci:9090/nyash", read_only=True,
                                      token_env="CACHE_TOKEN", connect_timeout=0.5,
                                      read_timeout=3.0)
    assert load_project(project(tmp_path, "")).cache == CacheSettings()


def test_cache_errors_name_key_and_line(tmp_path) -> None:
    text = ('\n[cache]\nremote = "ftp://x/y"\nreadonly = true\ntoken-env = "abc def"\n'
            'read-timeout = -1\nlocal = "yes"\n')
    with pytest.raises(ConfigError) as err:
        load_project(project(tmp_path, text))
    assert err.value.messages == [
        "nyash.toml:8: 'cache.remote' must start with http:// or https:// "
        "(expected \"http://host:port/prefix\")",
        "nyash.toml:9: unknown key 'cache.readonly' (allowed: connect-timeout, local, "
        "read-only, read-timeout, remote, token-env)",
        "nyash.toml:10: 'cache.token-env' must be the NAME of an environment variable "
        "holding the token, not the token itself",
        "nyash.toml:11: 'cache.read-timeout' must be a number of seconds in (0, 600], not -1",
        "nyash.toml:12: 'cache.local' must be a boolean (true/false), not a string",
    ]
    assert "abc def" not in str(err.value), "a mistaken token is never echoed"


def test_environment_overrides(tmp_path) -> None:
    toml = CacheSettings(remote="http://a:1/p", read_only=False, token_env="T")
    s = resolve_spec(toml, env={"NYASH_CACHE_DIR": str(tmp_path)})
    assert (s.remote, s.read_only, s.token_env, s.local_dir) == \
        ("http://a:1/p", False, "T", str(tmp_path))
    s = resolve_spec(toml, env={"NYASH_REMOTE_CACHE": "http://b:2/q/",
                                "NYASH_REMOTE_CACHE_READONLY": "1", "NYASH_LOCAL_CACHE": "0"})
    assert (s.remote, s.read_only, s.local_dir) == ("http://b:2/q", True, None)
    assert resolve_spec(toml, env={"NYASH_REMOTE_CACHE": ""}).remote is None
    assert resolve_spec(None, env={"HOME": "/h"}).remote is None


def test_default_local_cache_is_in_the_user_cache_dir(monkeypatch) -> None:
    monkeypatch.delenv("NYASH_CACHE_DIR", raising=False)
    assert default_cache_root() == Path.home() / ".cache" / "nyash-build"
    assert default_cache_root({"NYASH_CACHE_DIR": "/c"}) == Path("/c")
