"""Measure incremental builds of a project whose apps share included modules (issue 16).

    python tools/measure_rebuilds.py                 # 20 apps, real pipeline, temp dir
    python tools/measure_rebuilds.py --apps 20 --runs 5 --dir /tmp/rebuilds --keep

Generates N apps and a lib/ of shared modules (lib/text.nyash included by every app
through lib/shapes.nyash or lib/report.nyash, two levels deep; lib/shapes.nyash by half
of the apps), builds everything once with `doit build` (one CPU variant, to keep the
first build short), then times, as whole `python -m doit build` processes:

* no-op builds (nothing changed; the median of --runs);
* one edit of an app's main source (that app rebuilds);
* one edit of lib/shapes.nyash (the apps including it rebuild, nothing else);
* one edit of lib/text.nyash (every app rebuilds);

each followed by a check that exactly the expected executables were rebuilt. Prints wall
and CPU (user + sys) times and exits 1 when a no-op build takes 0.5 s or more (the
issue's budget; the lower of median wall and median CPU time counts, so a loaded
machine does not fail it) or a wrong set of apps was rebuilt.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOOP_BUDGET_S = 0.5

TEXT = """\
function padLeft(s, width) {
    local out = "" + s
    loop(out.length() < width) {
        out = " " + out
    }
    return out
}
"""
SHAPES = """\
include "text.nyash"

box Rect {
    init { w, h }
    birth(w, h) {
        me.w = w
        me.h = h
    }
    area() {
        return me.w * me.h
    }
}
"""
REPORT = """\
include "text.nyash"

function report(label, n) {
    return label + ":" + padLeft(n, 6)
}
"""


def app_source(i: int) -> str:
    if i % 2 == 0:
        return (f'include "lib/shapes.nyash"\n\nlocal r = new Rect({i + 1}, 3)\n'
                f'print("app{i:02d} area" + padLeft(r.area(), 6))\n')
    return f'include "lib/report.nyash"\n\nprint(report("app{i:02d}", {i * 7}))\n'


def make_project(root: Path, apps: int) -> None:
    (root / "lib").mkdir(parents=True)
    (root / "apps").mkdir()
    (root / "lib/text.nyash").write_text(TEXT)
    (root / "lib/shapes.nyash").write_text(SHAPES)
    (root / "lib/report.nyash").write_text(REPORT)
    toml = ['[project]\nname = "rebuilds"\n\n[build]\nvariants = ["baseline"]\n']
    for i in range(apps):
        (root / f"apps/app{i:02d}.nyash").write_text(app_source(i))
        toml.append(f'[apps.app{i:02d}]\nmain = "apps/app{i:02d}.nyash"\n')
    (root / "nyash.toml").write_text("\n".join(toml))
    (root / "dodo.py").write_text("from nyash_build.project.tasks import nyash_tasks\n\n"
                                  "globals().update(nyash_tasks())\n")


def doit_build(root: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds (user + sys) of the doit process and its children,
    stdout). On a loaded machine the CPU time is the better estimate of an idle wall."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "NYASH_LOCAL_CACHE": "0"}
    env.pop("NYASH_REMOTE_CACHE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "doit", "build"], cwd=root, env=env,
                          capture_output=True, text=True)
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"doit build failed:\n{done.stdout}{done.stderr}")
    return took, cpu, done.stdout


def rebuilt_apps(stdout: str) -> list[str]:
    """Apps whose executable task ran (lines `   exe  build/APP/APP  0.12s`)."""
    return sorted(line.split()[1].split("/")[1] for line in stdout.splitlines()
                  if line.split()[:1] == ["exe"])


EDITS = {  # a real code change in each file (not just a comment)
    "text.nyash": ('out = " " + out', 'out = "" + " " + out'),
    "shapes.nyash": ("return me.w * me.h", "return me.h * me.w"),
    "app03.nyash": ("print(report(", "print(\"\" + report("),
}


def edit(path: Path) -> None:
    old, new = EDITS[path.name]
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--apps", type=int, default=20)
    p.add_argument("--runs", type=int, default=5, help="no-op builds to time (median)")
    p.add_argument("--dir", type=Path, help="where to generate the project (default: temp)")
    p.add_argument("--keep", action="store_true", help="keep the generated project")
    ns = p.parse_args(argv)
    root = (ns.dir or Path(tempfile.mkdtemp(prefix="nyash-rebuilds-"))) / "project"
    if root.exists():
        shutil.rmtree(root)
    make_project(root, ns.apps)
    names = [f"app{i:02d}" for i in range(ns.apps)]
    ok = True
    try:
        first, first_cpu, _ = doit_build(root)
        print(f"first build of {ns.apps} apps: {first:.2f} s (cpu {first_cpu:.2f} s); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")
        noops, noop_cpu = [], []
        for _ in range(ns.runs):
            took, cpu, out = doit_build(root)
            ok &= out.startswith("nothing to do")
            noops.append(took)
            noop_cpu.append(cpu)
        median, median_cpu = statistics.median(noops), statistics.median(noop_cpu)
        print(f"no-op build (whole doit process): median wall {median:.3f} s, cpu "
              f"{median_cpu:.3f} s of {ns.runs} (wall min {min(noops):.3f}, max "
              f"{max(noops):.3f}); budget {NOOP_BUDGET_S} s")
        ok &= min(median, median_cpu) < NOOP_BUDGET_S
        cases = [("apps/app03.nyash", ["app03"]),
                 ("lib/shapes.nyash", names[0::2]),
                 ("lib/text.nyash", names)]
        for rel, expect in cases:
            edit(root / rel)
            took, cpu, out = doit_build(root)
            apps = rebuilt_apps(out)
            right = apps == sorted(expect)
            ok &= right
            print(f"edit {rel}: wall {took:.2f} s, cpu {cpu:.2f} s, rebuilt {len(apps)} app(s)"
                  f"{'' if right else f' -- WRONG, expected {len(expect)}'}")
        took, cpu, out = doit_build(root)
        ok &= out.startswith("nothing to do")
        print(f"no-op again: wall {took:.3f} s, cpu {cpu:.3f} s")
    finally:
        if not ns.keep and ns.dir is None:
            shutil.rmtree(root.parent, ignore_errors=True)
    print("OK" if ok else "OVER BUDGET OR WRONG REBUILDS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
