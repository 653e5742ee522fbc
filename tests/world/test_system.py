"""main(args), SystemBox and ConsoleBox input, through `nyash run` and as a built
executable (issue 14): exact output, exit status and error text."""
from __future__ import annotations

import pytest
import wasmtime

from tests.helpers import nyash
from tests.world.conftest import PROGRAMS, same

ARGS_OUT = """\
[a b, , héllo, x=y]
4
0: <a b> 3 bytes
1: <> 0 bytes
2: <héllo> 6 bytes
3: <x=y> 3 bytes
true
v a l
true
null
null
SystemBox()
SystemBox()!
true
"""


def test_args_with_spaces_and_non_ascii_and_env(world):
    same(world.run("args_env", "a b", "", "héllo", "x=y", env={"NYASH_WORLD_TEST": "v a l"}), ARGS_OUT)


def test_no_args_and_unset_env(world):
    expected = "[]\n0\ntrue\nnull\ntrue\nnull\nnull\nSystemBox()\nSystemBox()!\ntrue\n"
    same(world.run("args_env", env={"NYASH_WORLD_TEST": None}), expected)


def test_main_without_parameter_still_runs(tmp_path):
    f = tmp_path / "m.nyash"
    f.write_text("static box Main {\n main() { print(new SystemBox().args()) }\n}\n")
    r = nyash("run", str(f), "x", "y")
    assert (r.stdout, r.returncode) == ("[x, y]\n", 0)


def test_exit_status_passes_through_and_skips_finally(world):
    same(world.run("exit_code", "3"), "before\n", code=3)
    same(world.run("exit_code", "0"), "before\n", code=0)
    same(world.run("exit_code", "255"), "before\n", code=255)


def test_system_errors_are_catchable_runtime_errors(world):
    expected = """\
ErrorBox(exit() requires an integer status 0-255, got 256)
ErrorBox(exit() requires an integer status 0-255, got -1)
ErrorBox(exit() requires an integer status 0-255, got 3 (StringBox))
ErrorBox(exit() requires an integer status 0-255, got 1.5 (FloatBox))
ErrorBox(env() requires a string name)
ErrorBox(env() requires a string name)
ErrorBox(args() expects 0 arguments, got 1)
ErrorBox(args() expects 0 arguments, got 2)
ErrorBox(exit() expects 1 argument, got 0)
ErrorBox(Unknown method 'readLine' for SystemBox)
ErrorBox(Unknown method 'readLine' for SystemBox)
ErrorBox(toString() expects 0 arguments, got 1)
ErrorBox(SystemBox constructor expects 0 arguments, got 1)
SystemBox()
1
[SystemBox()]
true
true
"""
    results = world.run("system_errors", "z")
    same(results, expected, code=1, stderr=None)
    for r in results:
        assert "Runtime error: exit() requires an integer status 0-255, got 300\n" in r.stderr
        assert "at <main> (system_errors.nyash:24)" in r.stderr


def test_exit_error_says_what_the_value_is(world, tmp_path):
    """exit() of a non-integer names its kind: the string "3" is not the integer 3; a
    container is named by its kind alone (its printed form may be huge)."""
    src = tmp_path / "exit_kinds.nyash"
    src.write_text("""\
box P { init { x } }
local s = new SystemBox()
local a = new ArrayBox()
a.push("3") a.push(3.0) a.push(true) a.push(null) a.push("") a.push(a) a.push(new MapBox()) a.push(new P()) a.push(new TimeBox())
local i = 0
loop(i < a.length()) {
    try { s.exit(a.get(i)) } catch (Error e) { print(e) }
    i = i + 1
}
local v
try { s.exit(v) } catch (Error e) { print(e) }
s.exit("7")
""", encoding="utf-8")
    got = ["3 (StringBox)", "3 (FloatBox)", "true (BoolBox)", "null (NullBox)", " (StringBox)", "ArrayBox",
           "MapBox", "P", "TimeBox", "void (VoidBox)"]
    expected = "".join(f"ErrorBox(exit() requires an integer status 0-255, got {g})\n" for g in got)
    results = world.run(src)
    same(results, expected, code=1, stderr=None)
    for r in results:
        assert r.stderr.startswith("Runtime error: exit() requires an integer status 0-255, got 7 (StringBox)\n"), \
            (r.how, r.stderr)


def test_check_reports_static_system_errors():
    r = nyash("check", str(PROGRAMS / "system_errors.nyash"))
    assert r.returncode == 1
    assert "system_errors.nyash:12:11: error: args() expects 0 arguments, got 1 [N0209]" in r.stderr
    assert "system_errors.nyash:15:11: error: Unknown method 'readLine' for SystemBox [N0208]" in r.stderr
    # the position of the box name (the marker's), not of `new`
    assert "system_errors.nyash:18:22: error: SystemBox constructor expects 0 arguments, got 1 [N0205]" in r.stderr


STDIN = "one\r\ntwo\n\nSTOP\nr1\r\nr2"
STDIN_OUT = """\
first?
1: [one] 3
2: [two] 3
3: [] 0
4: [STOP] 4
rest has 6 bytes: [r1\r
r2]
again: []
lines: 4
null
"""


def test_stdin_from_a_pipe(world):
    same(world.run("stdin_lines", stdin=STDIN), STDIN_OUT)


def test_stdin_from_a_file(world, tmp_path):
    f = tmp_path / "input.txt"
    f.write_bytes(STDIN.encode())
    same(world.run("stdin_lines", stdin_file=f), STDIN_OUT)


def test_stdin_empty_and_last_line_without_newline(world):
    same(world.run("stdin_lines", stdin=""), "first?\nlines: 0\nnull\n")
    same(world.run("stdin_lines", stdin="only"), "first?\n1: [only] 4\nlines: 1\nnull\n")


def test_stdin_long_lines_and_invalid_utf8(world):
    long = "x" * 200_000
    data = (long + "\n" + "caf\xe9").encode("latin-1")
    same(world.run("stdin_lines", stdin=data),
         f"first?\n1: [{long}] 200000\n2: [caf\ufffd] 6\nlines: 2\nnull\n")


def test_prompt_is_flushed_before_reading(world, tmp_path):
    """The prompt reaches the terminal side before the program blocks on input."""
    import subprocess
    import sys
    src = PROGRAMS / "stdin_lines.nyash"
    for cmd in ([sys.executable, "-m", "nyash_build", "run", str(src)], [str(world.exe(src))]):
        env = None if len(cmd) > 1 else {"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(world.unpack)}
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        try:
            assert p.stdout.readline() == b"first?\n"   # printed before any input exists
            p.stdin.write(b"hi\n")
            p.stdin.close()
            assert p.stdout.read() == b"1: [hi] 2\nlines: 1\nnull\n"
        finally:
            p.kill()
            p.wait()


def test_wasm_gets_args_and_stdin_in_a_plain_wasi_host(tmp_path):
    src = tmp_path / "w.nyash"
    src.write_text('static box Main {\n main(args) {\n  print(args)\n  print(new ConsoleBox().readLine())\n'
                   '  print(new SystemBox().env("K"))\n  new SystemBox().exit(7)\n }\n}\n')
    wasm = tmp_path / "w.wasm"
    assert nyash("--compile-wasm", str(src), "-o", str(wasm)).returncode == 0
    (tmp_path / "in").write_text("line 1\nline 2\n")
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = ["w.wasm", "p q", "ü"]
    wasi.env = [("K", "v")]
    wasi.stdin_file = str(tmp_path / "in")
    wasi.stdout_file = str(tmp_path / "out")
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    code = None
    try:
        linker.instantiate(store, wasmtime.Module.from_file(engine, str(wasm))).exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        code = e.code
    assert code == 7
    assert (tmp_path / "out").read_text() == "[p q, ü]\nline 1\nv\n"


def test_program_without_input_imports_only_output_and_exit(tmp_path):
    src = tmp_path / "h.nyash"
    src.write_text('print("hi")\n')
    wasm = tmp_path / "h.wasm"
    assert nyash("--compile-wasm", str(src), "-o", str(wasm)).returncode == 0
    module = wasmtime.Module.from_file(wasmtime.Engine(), str(wasm))
    assert sorted(i.name for i in module.imports) == ["fd_write", "proc_exit"]



def test_argument_array_is_shared_with_system_args(world):
    """Values pushed through SystemBox.args() (static and dynamic receivers) are seen
    through main's args with their own kinds (no string-typed fast path)."""
    same(world.run("args_shared", "a"), "43\n14\n")


def test_reading_lines_does_not_grow_memory(tmp_path):
    from tests.world.test_files import run_measured  # noqa: PLC0415 - shared measuring helper
    src = ("local con = new ConsoleBox()\nlocal n = 0\nlocal line = con.readLine()\n"
           "loop(line != null) {\n n = n + line.length()\n line = con.readLine()\n}\nprint(n)\n")

    def measured(lines: int) -> tuple[str, int]:
        d = tmp_path / str(lines)
        d.mkdir()
        (d / "in").write_text("".join(f"line number {i}\n" for i in range(lines)))
        return run_measured(src, d, stdin=d / "in")

    small_out, small = measured(2000)
    big_out, big = measured(200_000)
    assert big_out == f"{sum(len(f'line number {i}') for i in range(200_000))}\n"
    assert big == small


def test_terminal_input(world):
    """A prompt, then a line typed at a terminal (a pseudo-terminal here), then Ctrl-D."""
    import os
    import pty
    import select
    import subprocess
    import sys
    src = PROGRAMS / "stdin_lines.nyash"
    for cmd, env in (([sys.executable, "-m", "nyash_build", "run", str(src)], None),
                     ([str(world.exe(src))], {"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(world.unpack)})):
        master, slave = pty.openpty()
        p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env)
        os.close(slave)
        got = b""

        def read_until(token: bytes) -> None:
            nonlocal got
            while token not in got:
                ready, _, _ = select.select([master], [], [], 60)
                assert ready, got
                got += os.read(master, 4096)

        try:
            read_until(b"first?")
            os.write(master, b"typed\n")
            read_until(b"1: [typed] 5")
            os.write(master, b"\x04")  # Ctrl-D at the start of a line: end of input
            read_until(b"lines: 1")
            assert p.wait(timeout=60) == 0
        finally:
            p.kill()
            os.close(master)


@pytest.mark.parametrize("name", ["files_path", "files_handle", "time_fixed", "time_now", "args_env",
                                  "stdin_lines", "sandbox", "hosts", "exit_code"])
def test_check_accepts_programs_using_the_world_boxes(name):
    """`nyash check` no longer refuses SystemBox, FileBox, TimeBox, DateTimeBox, TimerBox,
    RandomBox or ConsoleBox input: these programs use them all and have no findings."""
    r = nyash("check", str(PROGRAMS / f"{name}.nyash"))
    assert (r.returncode, r.stdout + r.stderr) == (0, f"{PROGRAMS / name}.nyash: ok\n")


def test_arguments_and_environment_that_are_not_utf8_are_repaired(world):
    """Each ill-formed part becomes one U+FFFD (3 bytes), as Rust's from_utf8_lossy
    does; the executable's fast path hands such a run to the runner, which repairs."""
    args = [b"x\xffy", b"\xf0\x9f\x98z", b"\xed\xa0\x80", "ok"]
    out = world.run("args_lossy", *args, env={"NYASH_WORLD_TEST": b"a\xc3b"})
    same(out, "[x\ufffdy, \ufffdz, \ufffd\ufffd\ufffd, ok]\n5\n4\n9\n2\na\ufffdb 5\n")


def test_closed_stdin_reads_as_end_of_input(world, tmp_path):
    """`./app <&-`: the executable must not read its own file (the first file it opens
    would otherwise get descriptor 0)."""
    import os
    import subprocess
    import sys
    src = tmp_path / "closed.nyash"
    src.write_text('local c = new ConsoleBox()\nprint(c.readLine())\nprint("[" + c.readAll() + "]")\n')
    env = {"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(world.unpack)}
    for cmd, e in (([str(world.exe(src))], env), ([str(world.exe(src))], {**env, "NYASH_FASTPATH": "0"}),
                   ([sys.executable, "-m", "nyash_build", "run", str(src)], None)):
        p = subprocess.run(cmd, env=e, capture_output=False, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           preexec_fn=lambda: os.close(0), timeout=120)
        assert (p.stdout, p.returncode) == (b"null\n[]\n", 0), (cmd, e, p.stderr)
