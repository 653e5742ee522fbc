"""The `.wasm` of a program that uses arguments, environment, stdin, files, time and
randomness runs identically in two independent plain WASI hosts -- wasmtime (nothing of
ours loaded) and Node.js's `node:wasi` -- given the same directory (issue 14): same
stdout, same exit status, same file left behind. Nothing here comes from the runner: no
NYASH_CWD, no NYASH_LOCALTIME, relative paths resolve in the directory preopened as
".", and a path leading out of it is denied by the host."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import wasmtime

from tests.helpers import nyash
from tests.world.conftest import PROGRAMS

ARGV = ["a b", "ü"]
ENV = {"K": "k v", "NYASH_RANDOM_SEED": "11"}
STDIN = "first\nrest 1\nrest 2\n"
# the random values: the 11th seed's sequence (docs/world.md, RandomBox)
EXPECTED = """\
[a b, ü]
k v
null
ok
first!
first! more
true
true
ErrorBox(cannot read 'missing.txt': No such file or directory)
ErrorBox(access denied: ../up.txt)
rest 1
rest 2

1971-01-02 Saturday
553935
igZRupLw
"""

NODE_HOST = """\
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
const [wasmPath, dir, ...args] = process.argv.slice(2);
const env = JSON.parse(process.env.WASM_ENV);
const wasi = new WASI({ version: 'preview1', args: ['app.wasm', ...args], env,
                        preopens: { '.': dir }, returnOnExit: true });
const mod = await WebAssembly.compile(readFileSync(wasmPath));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
process.exitCode = wasi.start(inst);
"""


def build(tmp_path: Path) -> Path:
    wasm = tmp_path / "hosts.wasm"
    assert nyash("--compile-wasm", str(PROGRAMS / "hosts.nyash"), "-o", str(wasm)).returncode == 0
    return wasm


def directory(tmp_path: Path, name: str) -> Path:
    """The directory given to the module, with an empty `sub/` and a file above it the
    program must not reach."""
    d = tmp_path / name / "dir"
    (d / "sub").mkdir(parents=True)
    (d.parent / "up.txt").write_text("outside\n")
    return d


def run_wasmtime(wasm: Path, d: Path) -> tuple[str, int]:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = ["app.wasm", *ARGV]
    wasi.env = list(ENV.items())
    wasi.preopen_dir(str(d), ".")
    (d.parent / "in").write_text(STDIN)
    wasi.stdin_file = str(d.parent / "in")
    wasi.stdout_file = str(d.parent / "out")
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    code = 0
    try:
        linker.instantiate(store, wasmtime.Module.from_file(engine, str(wasm))).exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        code = e.code
    return (d.parent / "out").read_text(), code


def run_node(node: str, wasm: Path, d: Path) -> tuple[str, int]:
    import json
    host = d.parent / "host.mjs"
    host.write_text(NODE_HOST)
    p = subprocess.run([node, "--no-warnings", str(host), str(wasm), str(d), *ARGV], input=STDIN.encode(),
                       capture_output=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "WASM_ENV": json.dumps(ENV)})
    assert p.stderr.decode() == ""
    return p.stdout.decode(), p.returncode


def test_wasmtime_host(tmp_path):
    d = directory(tmp_path, "wasmtime")
    assert run_wasmtime(build(tmp_path), d) == (EXPECTED, 4)
    assert (d / "out.txt").read_text() == "first! more"
    assert sorted(p.name for p in d.iterdir()) == ["out.txt", "sub"]


def test_node_host_runs_it_identically(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the wasmtime host is tested above)")
    wasm = build(tmp_path)
    d = directory(tmp_path, "node")
    assert run_node(node, wasm, d) == (EXPECTED, 4)
    assert (d / "out.txt").read_text() == "first! more"
    assert sorted(p.name for p in d.iterdir()) == ["out.txt", "sub"]
    w = directory(tmp_path, "wasmtime")
    assert run_wasmtime(wasm, w) == run_node(node, wasm, directory(tmp_path, "node2"))
