"""The runner in process (`run_wasm`, used by `nyash run`): output, exit codes, trap
mapping to Nyash lines, stack overflow, deep recursion, memory limit setting."""
import pytest

from runtime_stub import runner as R
from tests.aot import programs as P


def run(capfd, wat: str, argv=("app",), lines=None):
    wasm = P.wasm(wat)
    code = R.run_wasm(wasm, meta=P.meta_for(wat, wasm, lines), argv=list(argv))
    out, err = capfd.readouterr()
    return code, out, err


def test_hello(capfd):
    assert run(capfd, P.HELLO) == (0, "Hello, world!\n", "")


def test_exit_code_propagates(capfd):
    assert run(capfd, P.EXIT3) == (3, "exiting\n", "")


def test_argv_reaches_program(capfd):
    assert run(capfd, P.ARGS_ENV, argv=["app", "first-arg"])[1] == "first-arg\n"


def test_reported_error_maps_frames_to_lines(capfd):
    # functions: out_write(0) raise_error(1) inner(2) outer(3) Main.main(4) _start(5)
    code, out, err = run(capfd, P.NESTED_ERROR, lines={2: 12, 3: 20, 4: 31})
    assert code == 1
    assert out == "before\n"
    assert err == ("Runtime error: Division by zero\n"
                   "  at inner (app.nyash:12)\n"
                   "  at outer (app.nyash:20)\n"
                   "  at Main.main (app.nyash:31)\n")


def test_nearest_preceding_line_entry(capfd):
    wat = P.NESTED_ERROR
    wasm = P.wasm(wat)
    meta = P.meta_for(wat, wasm, {2: 12})
    inner = P.function_body_offsets(wasm)[2]
    # a later entry inside `inner`, still before its call to raise_error (at +6 or so)
    meta["line_table"] = sorted(meta["line_table"] + [(inner + 1, 0, 13), (inner + 500, 0, 99)])
    R.run_wasm(wasm, meta=meta, argv=["app"])
    err = capfd.readouterr().err
    assert "  at inner (app.nyash:13)\n" in err


def test_frames_name_the_file_of_their_line_entry(capfd):
    # inner's and outer's lines come from an included file (file 1 of meta["sources"])
    code, _, err = run(capfd, P.NESTED_ERROR, lines={2: (1, 12), 3: (1, 20), 4: 31})
    assert code == 1
    assert err == ("Runtime error: Division by zero\n"
                   "  at inner (lib/util.nyash:12)\n"
                   "  at outer (lib/util.nyash:20)\n"
                   "  at Main.main (app.nyash:31)\n")


def test_unreported_trap_prints_message(capfd):
    code, _, err = run(capfd, P.DIV_TRAP, lines={2: 7, 3: 9})
    assert code == 1
    assert err == ("Runtime error: integer divide by zero\n"
                   "  at divide (app.nyash:7)\n  at Main.main (app.nyash:9)\n")


def test_stack_overflow_is_clean(capfd):
    code, _, err = run(capfd, P.STACK_OVERFLOW, lines={2: 5})
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == "Runtime error: stack overflow"
    assert all(line.startswith("  at fib (app.nyash") for line in lines[1:11])
    assert "  at fib (app.nyash:5)" in lines
    assert lines[11].startswith("  ... ") and lines[11].endswith(" more")
    assert len(lines) == 12


def test_ten_thousand_nested_calls(capfd):
    assert run(capfd, P.DEEP_RECURSION) == (0, "deep ok\n", "")


@pytest.mark.parametrize("text,value", [("1048576", 1 << 20), ("512M", 512 << 20),
                                        ("1G", 1 << 30), ("64k", 64 << 10), ("2MiB", 2 << 20)])
def test_parse_size(text, value):
    assert R.parse_size(text) == value


def test_bad_memory_setting_is_one_line(capfd, monkeypatch):
    monkeypatch.setenv("NYASH_MAX_MEMORY", "lots")
    code, out, err = run(capfd, P.HELLO)
    assert code == R.EXIT_INTERNAL
    assert err.startswith("nyash: NYASH_MAX_MEMORY=") and err.count("\n") == 1


GROW = "(module" + P._PRELUDE + r'''
 (data (i32.const 128) "grown\n")
 (data (i32.const 144) "refused\n")
 (func $Main.main
   (if (i32.eq (memory.grow (i32.const 64)) (i32.const -1))
     (then (call $out_write (i32.const 1) (i32.const 144) (i32.const 8)))
     (else (call $out_write (i32.const 1) (i32.const 128) (i32.const 6)))))
 (func (export "_start") (call $Main.main)))'''


def test_memory_limit(capfd, monkeypatch):
    assert run(capfd, GROW)[1] == "grown\n"          # 4 MiB under the 1 GiB default
    monkeypatch.setenv("NYASH_MAX_MEMORY", "1M")
    assert run(capfd, GROW)[1] == "refused\n"


def test_program_env_hides_launcher_variables(monkeypatch):
    monkeypatch.setenv("NYASH_EXE", "/x")
    monkeypatch.setenv("_PYI_APPLICATION_HOME_DIR", "/y")
    monkeypatch.setenv("GREETING", "hi")
    env = dict(R.program_env())
    assert env["GREETING"] == "hi" and "NYASH_EXE" not in env
    assert not any(k.startswith("_PYI") for k in env)
