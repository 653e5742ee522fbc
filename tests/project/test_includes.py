"""The build follows includes (issue 16): each app's wasm task depends on its whole
include closure, found by the scanner, so an edit rebuilds exactly the apps that include
the edited file, and include lines added or removed update the graph. Fake stages: these
tests are about which tasks run (asserted exactly), not about compiling."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nyash_build.project.scan import CACHE_NAME, Scanner

pytestmark = pytest.mark.usefixtures("fake_stages")

TOML = """\
[project]
name = "libs"

[build]
variants = ["baseline"]
include-paths = ["vendor"]

[apps.alpha]
main = "apps/alpha.nyash"

[apps.beta]
main = "apps/beta.nyash"

[apps.gamma]
main = "apps/gamma.nyash"
"""
FILES = {
    # alpha includes common directly; beta through mid (two levels); gamma nothing yet
    "apps/alpha.nyash": 'include "lib/common.nyash"\nprint(greet("alpha"))\n',
    "apps/beta.nyash": 'include "lib/mid.nyash"\nprint(twice("beta"))\n',
    "apps/gamma.nyash": 'print("gamma")\n',
    "lib/common.nyash": 'function greet(n) {\n  return "hello " + n\n}\n',
    "lib/mid.nyash": 'include "common.nyash"\nfunction twice(n) {\n  return greet(n) + greet(n)\n}\n',
    "lib/other.nyash": 'function other() {\n  return 1\n}\n',
    "vendor/extra.nyash": 'function extra() {\n  return 2\n}\n',
}


def stages_of(*apps: str) -> list[str]:
    return sorted(t for a in apps for t in (f"wasm:{a}", f"cwasm:{a}.baseline", f"build:{a}"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "libs"
    for name, text in {**FILES, "nyash.toml": TOML}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def build(doit_run, project: Path, *args: str, explain: bool = False) -> dict:
    status, info = doit_run(project, "build", *args, explain=explain)
    assert status == 0 and not info["failed"]
    return info


def edit(path: Path, text: str) -> None:
    path.write_text(text)
    st = path.stat()  # a distinct mtime even on coarse-clock file systems
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_editing_an_included_file_rebuilds_exactly_its_dependents(project, doit_run, capfd) -> None:
    assert sorted(build(doit_run, project)["ran"]) == stages_of("alpha", "beta", "gamma")
    assert build(doit_run, project)["ran"] == []
    edit(project / "lib/common.nyash", 'function greet(n) {\n  return "hi " + n\n}\n')
    capfd.readouterr()
    info = build(doit_run, project, explain=True)
    assert sorted(info["ran"]) == stages_of("alpha", "beta")  # beta through two levels
    out = capfd.readouterr().out
    assert "why build/alpha/alpha.wasm: input changed: lib/common.nyash" in out
    assert "why build/beta/beta.wasm: input changed: lib/common.nyash" in out
    edit(project / "lib/mid.nyash", FILES["lib/mid.nyash"] + "// changed\n")
    assert sorted(build(doit_run, project)["ran"]) == stages_of("beta")


def test_adding_and_removing_an_include_updates_the_graph(project, doit_run) -> None:
    build(doit_run, project)
    edit(project / "lib/other.nyash", 'function other() {\n  return 3\n}\n')
    assert build(doit_run, project)["ran"] == []  # nobody includes it yet
    edit(project / "apps/gamma.nyash", 'include "lib/other.nyash"\nprint(other())\n')
    assert sorted(build(doit_run, project)["ran"]) == stages_of("gamma")
    edit(project / "lib/other.nyash", 'function other() {\n  return 4\n}\n')
    assert sorted(build(doit_run, project)["ran"]) == stages_of("gamma")
    # alpha stops including common: common's edits no longer concern it
    edit(project / "apps/alpha.nyash", 'print("alpha alone")\n')
    assert sorted(build(doit_run, project)["ran"]) == stages_of("alpha")
    edit(project / "lib/common.nyash", 'function greet(n) {\n  return "yo " + n\n}\n')
    assert sorted(build(doit_run, project)["ran"]) == stages_of("beta")


def test_renaming_an_included_file(project, doit_run) -> None:
    build(doit_run, project)
    (project / "lib/mid.nyash").rename(project / "lib/middle.nyash")
    edit(project / "apps/beta.nyash", 'include "lib/middle.nyash"\nprint(twice("beta"))\n')
    assert sorted(build(doit_run, project)["ran"]) == stages_of("beta")
    edit(project / "lib/middle.nyash", FILES["lib/mid.nyash"] + "// renamed\n")
    assert sorted(build(doit_run, project)["ran"]) == stages_of("beta")


def test_include_paths_and_a_new_file_that_shadows(project, doit_run) -> None:
    edit(project / "apps/gamma.nyash", 'include "extra.nyash"\nprint(extra())\n')
    build(doit_run, project)
    edit(project / "vendor/extra.nyash", 'function extra() {\n  return 5\n}\n')
    assert sorted(build(doit_run, project)["ran"]) == stages_of("gamma")
    # a file created at the root now wins over the include-paths one: gamma's input
    # set changed although no file it read before did
    (project / "extra.nyash").write_text('function extra() {\n  return 6\n}\n')
    assert sorted(build(doit_run, project)["ran"]) == stages_of("gamma")


def test_a_missing_include_fails_the_app_and_builds_once_fixed(project, doit_run) -> None:
    build(doit_run, project)
    edit(project / "apps/gamma.nyash", 'include "lib/later.nyash"\nprint(later())\n')
    status, info = doit_run(project, "build")
    assert status != 0 and info["failed"] == ["wasm:gamma"]
    (project / "lib/later.nyash").write_text('function later() {\n  return 7\n}\n')
    assert sorted(build(doit_run, project)["ran"]) == stages_of("gamma")


def test_ci_restore_with_fresh_mtimes_rebuilds_nothing(project, doit_run, tmp_path) -> None:
    build(doit_run, project)
    clone = tmp_path / "elsewhere" / "libs"
    shutil.copytree(project, clone)
    for path in clone.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    info = build(doit_run, clone)
    assert info["ran"] == [] and len(info["uptodate"]) == 9


def test_no_op_build_lexes_nothing(project, doit_run, monkeypatch) -> None:
    build(doit_run, project)
    scanners: list[Scanner] = []
    real_init = Scanner.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        scanners.append(self)
    monkeypatch.setattr(Scanner, "__init__", spy)
    assert build(doit_run, project)["ran"] == []
    assert scanners and scanners[0].cache_file.name == CACHE_NAME
    assert scanners[0].lexed == 0


def test_nyash_build_explain_names_the_included_file(project, capfd) -> None:
    from nyash_build.project.commands import cmd_build

    assert cmd_build(None, "release", False, project) == 0
    edit(project / "lib/mid.nyash", FILES["lib/mid.nyash"] + "// edited\n")
    capfd.readouterr()
    assert cmd_build(None, "release", True, project) == 0
    out = capfd.readouterr().out
    assert "why build/beta/beta.wasm: input changed: lib/mid.nyash" in out
    assert "alpha.wasm (up to date)" in out and "why build/alpha" not in out


def test_twenty_apps_sharing_modules(tmp_path, doit_run) -> None:
    """The issue's shape: 20 apps over shared modules (two levels). A no-op build runs
    and lexes nothing; one shared edit rebuilds exactly the apps that include it."""
    root = tmp_path / "twenty"
    (root / "lib").mkdir(parents=True)
    (root / "apps").mkdir()
    (root / "lib/base.nyash").write_text("function base() {\n  return 1\n}\n")
    (root / "lib/even.nyash").write_text('include "base.nyash"\nfunction even() {\n  return base()\n}\n')
    (root / "lib/odd.nyash").write_text('include "base.nyash"\nfunction odd() {\n  return base()\n}\n')
    toml = ['[project]\nname = "twenty"\n\n[build]\nvariants = ["baseline"]\n']
    for i in range(20):
        kind = "even" if i % 2 == 0 else "odd"
        (root / f"apps/a{i:02d}.nyash").write_text(f'include "lib/{kind}.nyash"\nprint({kind}())\n')
        toml.append(f'[apps.a{i:02d}]\nmain = "apps/a{i:02d}.nyash"\n')
    (root / "nyash.toml").write_text("\n".join(toml))
    assert len(build(doit_run, root)["ran"]) == 60
    lexed: list[int] = []
    real_save = Scanner.save

    def spy(self):
        lexed.append(self.lexed)
        real_save(self)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(Scanner, "save", spy)
        info = build(doit_run, root)
    assert info["ran"] == [] and len(info["uptodate"]) == 60 and lexed == [0]
    edit(root / "lib/odd.nyash", '\ninclude "base.nyash"\nfunction odd() {\n  return 2\n}\n')
    assert sorted(build(doit_run, root)["ran"]) == stages_of(*(f"a{i:02d}" for i in range(1, 20, 2)))
    edit(root / "lib/base.nyash", "function base() {\n  return 3\n}\n")
    assert len(build(doit_run, root)["ran"]) == 60


def test_init_lib_scaffolds_two_apps_sharing_a_lib(tmp_path, doit_run, capsys) -> None:
    from nyash_build.project.commands import cmd_init

    root = tmp_path / "demo"
    assert cmd_init("demo", root, lib=True) == 0
    assert "lib/greeting.nyash" in capsys.readouterr().out
    assert 'include "lib/greeting.nyash"' in (root / "src/tool.nyash").read_text()
    assert len(build(doit_run, root)["ran"]) == 8  # two apps, two variants each
    edit(root / "src/tool.nyash", (root / "src/tool.nyash").read_text() + "print(1)\n")
    assert {t.split(":")[1].split(".")[0] for t in build(doit_run, root)["ran"]} == {"demo-tool"}
    edit(root / "lib/greeting.nyash", (root / "lib/greeting.nyash").read_text() + "// x\n")
    assert len(build(doit_run, root)["ran"]) == 8
