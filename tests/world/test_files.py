"""FileBox and the file-system policy, through `nyash run` and as a built executable
(issue 14): exact output, files left on disk, error text, the sandbox (`--dir`,
nyash.toml `fs`) against `..` tricks and symbolic links, the .wasm in a plain WASI host,
and no growth of memory or file descriptors."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import wasmtime

from nyash_build.compiler.driver import compile_file, compile_source
from tests.helpers import nyash
from tests.world.conftest import PROGRAMS, same

PATH_OUT = """\
FileBox(notes.txt)
FileBox(notes.txt)|FileBox(notes.txt)
false
ok
true
hello
wörld

ok
[ab]
ok
12.5
ok
12.5
ok
false
true
false
true
12.5
false
[FileBox(notes.txt)]
4
true
"""


def fresh(tmp_path: Path, name: str) -> Path:
    d = tmp_path / name
    d.mkdir()
    return d


def test_path_form_reads_writes_truncates_copies_deletes(world, tmp_path):
    for mode in ("run", "exe"):
        d = fresh(tmp_path, mode)
        same(world.run("files_path", cwd=d, modes=(mode,)), PATH_OUT)
        assert sorted(os.listdir(d)) == ["notes.txt"]
        assert (d / "notes.txt").read_text() == "12.5"


def test_copy_keeps_bytes_that_are_not_utf8(world, tmp_path):
    src = tmp_path / "bin.nyash"
    src.write_text('new FileBox("blob").copy("blob2")\nprint(new FileBox("blob2").read().length())\n')
    blob = bytes(range(256)) * 3
    for mode in ("run", "exe"):
        d = fresh(tmp_path, mode)
        (d / "blob").write_bytes(blob)
        # read() repairs the text (each of the 128 bytes >= 0x80 becomes U+FFFD, 3 bytes)
        same(world.run(src, cwd=d, modes=(mode,)), f"{3 * (128 + 128 * 3)}\n")
        assert (d / "blob2").read_bytes() == blob


HANDLE_OUT = """\
FileBox()
false
void
ok
FileBox(log.txt)
void
void
first
second 2
appended

24
new
new
new!
made
"""


def test_open_read_write_close_form(world, tmp_path):
    for mode in ("run", "exe"):
        d = fresh(tmp_path, mode)
        same(world.run("files_handle", cwd=d, modes=(mode,)), HANDLE_OUT)
        assert (d / "log.txt").read_text() == "new!"


ERRORS_OUT = """\
missing.txt: ErrorBox(cannot read 'missing.txt': No such file or directory)
missing.txt: ErrorBox(cannot delete 'missing.txt': No such file or directory)
missing.txt: ErrorBox(cannot copy 'missing.txt': No such file or directory)
missing.txt: ErrorBox(cannot open 'missing.txt': No such file or directory)
adir: ErrorBox(cannot read 'adir': Is a directory)
adir: ErrorBox(cannot write 'adir': Is a directory)
adir/none/x.txt: ErrorBox(cannot write 'adir/none/x.txt': No such file or directory)
plain.txt/x: ErrorBox(cannot read 'plain.txt/x': Not a directory)
plain.txt/x: false
plain.txt/x: ok
/proc/sys/kernel/osrelease: ErrorBox(cannot write '/proc/sys/kernel/osrelease': Permission denied)
no path: ErrorBox(read() needs a file: give new FileBox(path) a path or call open(path, mode) first)
no path: ErrorBox(delete() needs a file: give new FileBox(path) a path or call open(path, mode) first)
open for reading: ErrorBox(cannot write 'plain.txt': the file is open for reading)
closed: ErrorBox(cannot read 'plain.txt': the file is closed)
closed: ErrorBox(cannot write 'plain.txt': the file is closed)
open for writing: ErrorBox(cannot read 'w.txt': the file is open for writing)
ErrorBox(open() mode must be "r", "w", "a", "rw" or "r+")
ErrorBox(open() expects 2 arguments, got 1)
ErrorBox(copy() requires string destination path)
ErrorBox(Unknown method 'size' for FileBox)
ErrorBox(FileBox constructor expects 0 or 1 arguments, got 2)
plain

"""


def test_failures_are_catchable_errors_naming_path_and_reason(world, tmp_path):
    for mode in ("run", "exe"):
        d = fresh(tmp_path, mode)
        (d / "adir").mkdir()
        (d / "plain.txt").write_text("plain\n")
        [r] = world.run("files_errors", cwd=d, modes=(mode,))
        same([r], ERRORS_OUT, code=1, stderr=None)
        report = ("Runtime error: cannot read 'missing.txt': No such file or directory\n"
                  "  at <main> (files_errors.nyash:43)\n")
        if mode == "exe":
            assert r.stderr.endswith(report), r.stderr
        else:  # `nyash run` then quotes the line (docs/diagnostics.md)
            assert report in r.stderr and r.stderr.split(report, 1)[1].lstrip().startswith("--> ")
            assert r.stderr.endswith("the error happened on this line\n")


def test_check_reports_static_filebox_errors():
    r = nyash("check", str(PROGRAMS / "files_errors.nyash"))
    assert r.returncode == 1
    assert "files_errors.nyash:38:9: error: open() expects 2 arguments, got 1 [N0209]" in r.stderr
    assert "files_errors.nyash:40:32: error: Unknown method 'size' for FileBox [N0208]" in r.stderr
    # the position of the box name (the marker's), not of `new`
    assert "files_errors.nyash:41:11: error: FileBox constructor expects 0 or 1 arguments, got 2 [N0205]" in r.stderr


# ------------------------------------------------------------------ the sandbox
def sandbox_tree(root: Path) -> Path:
    """root/work/allowed (the allowed directory), root/work/outside, symbolic links."""
    work = root / "work"
    (work / "allowed" / "inner").mkdir(parents=True)
    (work / "outside").mkdir()
    (work / "allowed" / "f.txt").write_text("inside\n")
    (work / "allowed" / "inner" / "in.txt").write_text("deeper\n")
    (work / "outside" / "s.txt").write_text("secret\n")
    os.symlink(str(work / "outside"), work / "allowed" / "abslink")   # absolute target
    os.symlink("../outside", work / "allowed" / "rellink")            # relative, escapes
    os.symlink("inner", work / "allowed" / "innerlink")              # relative, stays inside
    return work


SANDBOX_ARGS = ["allowed/f.txt", "allowed/inner/../f.txt", "allowed/innerlink/in.txt",
                "allowed/../outside/s.txt", "outside/s.txt", "allowed/rellink/s.txt",
                "allowed/abslink/s.txt", "allowed/innerlink/../../outside/s.txt"]


def test_sandbox_denies_everything_outside_the_allowed_directory(world, tmp_path):
    work = sandbox_tree(tmp_path)
    secret = str(work / "outside" / "s.txt")
    args = [*SANDBOX_ARGS, secret, "/etc/hostname"]
    expected = (
        "allowed/f.txt: inside\n"
        "allowed/inner/../f.txt: inside\n"
        "allowed/innerlink/in.txt: deeper\n"
        "allowed/../outside/s.txt: ErrorBox(access denied: allowed/../outside/s.txt)\n"
        "outside/s.txt: ErrorBox(access denied: outside/s.txt)\n"
        "allowed/rellink/s.txt: ErrorBox(access denied: allowed/rellink/s.txt)\n"
        "allowed/abslink/s.txt: ErrorBox(access denied: allowed/abslink/s.txt)\n"
        "allowed/innerlink/../../outside/s.txt: ErrorBox(access denied: allowed/innerlink/../../outside/s.txt)\n"
        f"{secret}: ErrorBox(access denied: {secret})\n"
        "/etc/hostname: ErrorBox(access denied: /etc/hostname)\n"
        "ok\n")
    same(world.run("sandbox", *args, cwd=work, fs=["allowed"]), expected)
    assert (work / "allowed" / "f.txt.new").read_text() == "w"
    # the first path outside: the write is denied too
    (work / "allowed" / "f.txt.new").unlink()
    out = world.run("sandbox", "outside/s.txt", cwd=work, fs=["allowed"])
    same(out, "outside/s.txt: ErrorBox(access denied: outside/s.txt)\n"
              "ErrorBox(access denied: outside/s.txt.new)\n")
    assert not (work / "outside" / "s.txt.new").exists()


def test_native_policy_sees_the_file_system_as_a_native_program(world, tmp_path):
    work = sandbox_tree(tmp_path)
    expected = (
        "allowed/f.txt: inside\n"
        "allowed/inner/../f.txt: inside\n"
        "allowed/innerlink/in.txt: deeper\n"
        "allowed/../outside/s.txt: secret\n"
        "outside/s.txt: secret\n"
        "allowed/rellink/s.txt: secret\n"
        f"allowed/abslink/s.txt: ErrorBox(cannot read 'allowed/abslink/s.txt': {work}/allowed/abslink "
        "is a symbolic link to an absolute path, which WASI does not follow)\n"
        "allowed/innerlink/../../outside/s.txt: secret\n"
        "ok\n")
    same(world.run("sandbox", *SANDBOX_ARGS, cwd=work), expected)


def test_missing_allowed_directory_is_an_error_before_running(world, tmp_path):
    for r in world.run("sandbox", "x", cwd=tmp_path, fs=["nope"]):
        assert (r.stdout, r.code) == ("", 120)
        assert r.stderr == "nyash: fs: cannot allow directory 'nope': No such file or directory\n"


def test_nyash_info_shows_the_policy(world):
    exe = world.exe(PROGRAMS / "sandbox.nyash", ["data", "/srv/x"])
    import subprocess
    out = subprocess.run([str(exe), "--nyash-info"], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(world.unpack)}).stdout
    assert "fs: only data, /srv/x (relative entries: from the current directory at run time)\n" in out
    native = world.exe(PROGRAMS / "sandbox.nyash")
    out = subprocess.run([str(native), "--nyash-info"], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(world.unpack)}).stdout
    assert "fs: native (the whole file system, as the user running the program)\n" in out


def test_filebox_wasm_runs_identically_in_a_plain_wasi_host(tmp_path):
    """No NYASH_CWD there: relative paths resolve in the directory preopened as "."."""
    wasm = tmp_path / "files.wasm"
    wasm.write_bytes(compile_file(PROGRAMS / "files_path.nyash").wasm)
    d = fresh(tmp_path, "dir")
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.preopen_dir(str(d), ".")
    wasi.stdout_file = str(tmp_path / "out")
    wasi.stderr_file = str(tmp_path / "err")
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    linker.instantiate(store, wasmtime.Module(engine, wasm.read_bytes())).exports(store)["_start"](store)
    assert ((tmp_path / "out").read_text(), (tmp_path / "err").read_text()) == (PATH_OUT, "")
    assert (d / "notes.txt").read_text() == "12.5"


# ------------------------------------------------------------------ no growth
def run_measured(src: str, cwd: Path, stdin: Path | None = None) -> tuple[str, int]:
    """Run src in a plain WASI host in directory cwd: (stdout, final memory bytes)."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.preopen_dir(str(cwd), ".")
    wasi.stdout_file = str(cwd / "out")
    if stdin is not None:
        wasi.stdin_file = str(stdin)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    inst = linker.instantiate(store, wasmtime.Module(engine, compile_source(src, "m.nyash").wasm))
    inst.exports(store)["_start"](store)
    return (cwd / "out").read_text(), inst.exports(store)["memory"].data_len(store)


def test_filebox_loops_do_not_grow_memory_or_leak_descriptors(tmp_path):
    def loop(n: int) -> str:
        return f"""
local i = 0
local total = 0
loop(i < {n}) {{
    local f = new FileBox("data.txt")
    f.write("line " + i)
    total = total + f.read().length()
    local h = new FileBox()
    h.open("data.txt", "r")
    total = total + h.read().length()
    if i % 2 == 0 {{ h.close() }}
    i = i + 1
}}
print(total)
"""
    small_out, small = run_measured(loop(2000), fresh(tmp_path, "a"))
    big_out, big = run_measured(loop(20000), fresh(tmp_path, "b"))
    assert small_out == f"{2 * sum(len(f'line {i}') for i in range(2000))}\n"
    assert big_out == f"{2 * sum(len(f'line {i}') for i in range(20000))}\n"
    assert big == small  # 10,000 handles left open by the program were closed on release


def test_every_filebox_method_and_caught_failure_does_not_grow_memory(tmp_path):
    """The calls the loop above leaves out: exists, copy, delete, ==, toString, the
    "w"/"a"/"rw" modes, a second close(), and failures caught as runtime errors (each
    message names a different path)."""
    def loop(n: int) -> str:
        return f"""
local i = 0
local total = 0
loop(i < {n}) {{
    local f = new FileBox("a.txt")
    f.write("x" + i)
    if f.exists() {{ total = total + 1 }}
    f.copy("b.txt")
    local g = new FileBox("b.txt")
    total = total + g.read().length()
    g.delete()
    if not g.exists() {{ total = total + 1 }}
    local h = new FileBox()
    h.open("c.txt", "w")
    h.write("ab")
    h.close()
    h.open("c.txt", "a")
    h.write("c")
    total = total + h.toString().length()
    h.close()
    h.close()
    h.open("c.txt", "rw")
    total = total + h.read().length()
    h.close()
    try {{ new FileBox("missing/" + i).read() }} catch (Error e) {{ total = total + ("" + e).length() }}
    try {{ h.read() }} catch (Error e) {{ total = total + ("" + e).length() }}
    try {{ new FileBox().write("x") }} catch (Error e) {{ total = total + 1 }}
    try {{ h.open("c.txt", "q") }} catch (Error e) {{ total = total + 1 }}
    if f == new FileBox("a.txt") {{ total = total + 1 }}
    i = i + 1
}}
print(total)
"""

    def expected(n: int) -> str:
        closed = "ErrorBox(cannot read 'c.txt': the file is closed)"
        return f"""{sum(1 + len(f'x{i}') + 1 + len('FileBox(c.txt)') + 3
                        + len(f"ErrorBox(cannot read 'missing/{i}': No such file or directory)")
                        + len(closed) + 3 for i in range(n))}\n"""

    small_out, small = run_measured(loop(1000), fresh(tmp_path, "a"))
    big_out, big = run_measured(loop(8000), fresh(tmp_path, "b"))   # a leak of 9 bytes a round shows
    assert (small_out, big_out) == (expected(1000), expected(8000))
    assert big == small
