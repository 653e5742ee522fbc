"""Closing-note measurement for the remote cache (not a test; run by hand):

    python tests/cache/measure_remote.py [--apps 20]

Builds a project of N apps with `nyash build` in fresh processes on 'cold machines'
(empty build dir, empty NYASH_CACHE_DIR) against a local nginx WebDAV server, and prints
the wall time of: no cache at all (runner frozen too), no stage cache but a warm runner
cache, machine A filling the remote, and cold machine B with the warm remote cache.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[2]))

from tests.cache.conftest import start_nginx  # noqa: E402

PROGRAM = """\
function collatz(n) {{
    local steps = 0
    loop(n != 1) {{
        if n % 2 == 0 {{ n = n / 2 }} else {{ n = 3 * n + 1 }}
        steps = steps + 1
    }}
    return steps
}}

function label(i) {{
    if i % 3 == 0 {{ return "fizz" }}
    return "n" + i
}}

static box Main {{
    main() {{
        local i = 1
        loop(i <= {n}) {{
            print(label(i) + ": " + collatz(i + {n}))
            i = i + 1
        }}
    }}
}}
"""


def make_project(root: Path, apps: int) -> None:
    (root / "src").mkdir(parents=True)
    toml = ['[project]\nname = "many"\n']
    for i in range(apps):
        (root / f"src/app{i}.nyash").write_text(PROGRAM.format(n=10 + i))
        toml.append(f'[apps.app{i}]\nmain = "src/app{i}.nyash"\n')
    (root / "nyash.toml").write_text("\n".join(toml))


def build(project: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nyash_build", "build", "-C", str(project)],
                          env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return took, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=20)
    args = parser.parse_args()
    from nyash_build.bundle.runner_cache import default_cache_dir, ensure_runner, runner_key
    user_runners = default_cache_dir()
    ensure_runner(user_runners)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        server = start_nginx(tmp / "nginx", tmp / "store")
        base = {k: v for k, v in os.environ.items() if not k.startswith("NYASH_")}
        base["PYTHONPATH"] = str(HERE.parents[2])

        def machine(name: str, remote: bool, local: bool = True, runner: bool = False) -> dict:
            cache = tmp / f"cache-{name}"
            (cache / "runners").mkdir(parents=True)
            if runner:
                (cache / "runners" / runner_key()).symlink_to(user_runners / runner_key())
            env = dict(base, NYASH_CACHE_DIR=str(cache))
            if remote:
                env["NYASH_REMOTE_CACHE"] = server.url()
            if not local:
                env["NYASH_LOCAL_CACHE"] = "0"
            return env

        rows = []
        try:
            for name, env in [
                ("no cache at all (runner frozen too)", machine("none", False, False)),
                ("no stage cache, warm runner cache", machine("runner", False, False, True)),
                ("machine A: build + upload (warm runner)", machine("a", True, True, True)),
                ("cold machine B, warm remote cache", machine("b", True)),
                ("cold machine C, warm remote cache", machine("c", True)),
            ]:
                project = tmp / name.split()[0] / str(len(rows))
                make_project(project, args.apps)
                took, summary = build(project, env)
                rows.append((name, took, summary))
                print(f"{name:<42} {took:7.2f} s   {summary}", flush=True)
        finally:
            server.stop()
        size = sum(p.stat().st_size for p in (tmp / "store").rglob("*") if p.is_file())
        print(f"remote store: {size / 1e6:.1f} MB for {args.apps} apps")


if __name__ == "__main__":
    main()
