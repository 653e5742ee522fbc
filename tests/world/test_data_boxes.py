"""JSONBox, RegexBox, ResultBox and the network boxes (issue 15) through `nyash run` and
as a built executable: exact output, errors, memory (docs/data-boxes.md).

The expected outputs (programs/*.out) were compared with the reference interpreter:
the only differences are the decided ones (spec section 11: `set` stores, row 22;
JSON floats are FloatBox, row 26; `toString()` everywhere, row 25; caught errors print
as `ErrorBox(<message>)`, row 8; network methods raise, section 9; object ids)."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings, strategies as st

from nyash_build.compiler.boxkinds import BY_NAME
from nyash_build.compiler.driver import compile_source
from tests.test_memory import run_and_measure
from tests.world.conftest import PROGRAMS, same

NET = "network is not available in compiled programs"


def expected(name: str) -> str:
    return (PROGRAMS / f"{name}.out").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["json_box", "regex_box", "result_box"])
def test_programs_print_as_recorded(world, name):
    same(world.run(name), expected(name))


def test_network_boxes_are_created_and_printed_and_their_methods_raise(world):
    run, *exes = world.run("network_boxes")
    same([run, *exes], expected("network_boxes"), stderr=None)
    for r in exes:
        assert r.stderr == ""
    # nyash run compiles first: one warning per network call it can see
    warned = re.findall(r"warning: (.*) \(a runtime error if this code runs\) \[N0213\]", run.stderr)
    assert warned == [f"{NET} (SocketBox.connect)", f"{NET} (SocketBox.bind)", f"{NET} (HTTPClientBox.get)",
                      f"{NET} (HTTPClientBox.post)", f"{NET} (HTTPServerBox.start)", f"{NET} (P2PBox.send)"]


def test_bad_input_gives_clear_catchable_errors(world):
    results = world.run("data_errors")
    same(results, expected("data_errors"), code=1, stderr=None)
    for r in results:
        assert "Runtime error: Invalid JSON: expected `,` or `]` at line 1 column 19\n" in r.stderr
        assert "unreachable" not in r.stderr and "wasm" not in r.stderr.lower()
        if r.how != "run":
            assert r.stderr == ("Runtime error: Invalid JSON: expected `,` or `]` at line 1 column 19\n"
                                "  at Main.main (data_errors.nyash:40)\n")


def test_uncaught_network_call_reports_the_method(world, tmp_path):
    src = tmp_path / "net.nyash"
    src.write_text('print("start")\nlocal h = new HTTPClientBox()\nprint(h)\nh.get("http://x/")\nprint("never")\n')
    for r in world.run(src, modes=("exe", "exe-runner")):
        assert (r.stdout, r.code) == ("start\nHttpClientBox(id: 1)\n", 1)
        assert r.stderr == f"Runtime error: {NET} (HTTPClientBox.get)\n  at <main> (net.nyash:4)\n"


def test_nyash_check_reports_network_calls_and_explain_knows_the_code(tmp_path):
    from tests.helpers import nyash
    src = tmp_path / "app.nyash"
    src.write_text("local s = new SocketBox()\nprint(s)\ns.listen(5)\n")
    r = nyash("check", str(src))
    assert r.returncode == 1
    assert f"app.nyash:3:3: error: {NET} (SocketBox.listen) [N0213]" in r.stderr
    r = nyash("explain", "N0213")
    assert r.returncode == 0 and "network access" in r.stdout


def test_regex_has_no_catastrophic_backtracking(world, tmp_path):
    src = tmp_path / "slow.nyash"
    src.write_text('local a = "a"\nlocal i = 0\nloop(i < 17) {\n    a = a + a\n    i = i + 1\n}\n'
                   'local r = new RegexBox("(a*)*b")\n'
                   'local timer = new TimerBox()\nprint(r.test(a))\nprint(new RegexBox("(x+x+)+y").findAll(a).length())\n'
                   'print(timer.elapsed() < 1000)\n')
    same(world.run(src, modes=("run", "exe")), "false\n0\ntrue\n")


# ---------------------------------------------------------------- memory

BODIES = {
    "JSONBox": 'local j = new JSONBox("{\\"k\\": [1, 2.5], \\"i\\": " + i + "}")\n'
               '    j.set("x", i)\n    total = total + j.get("k").length() + j.parse("[1]").toString().length()',
    "RegexBox": 'local r = new RegexBox("(a|b)+(c)")\n'
                '    total = total + r.findAll("abc").length() + r.replace("abc", "$2").length()',
    "ResultBox": 'local res = new ResultBox("v" + i)\n    total = total + res.toString().length()',
    "SocketBox": 'local s = new SocketBox()\n    total = total + s.toString().length()',
    "HTTPClientBox": 'local c = new HTTPClientBox()\n    total = total + c.toString().length()',
    "HTTPServerBox": 'local h = new HTTPServerBox()\n    total = total + h.toString().length()',
    "P2PBox": 'local q = new P2PBox("n" + i, "inprocess")\n    total = total + q.toString().length()',
}


@pytest.mark.parametrize("box", list(BODIES))
def test_a_million_boxes_created_and_dropped_do_not_grow_memory(box):
    def run(n: int) -> int:
        src = f"local i = 0\nlocal total = 0\nloop(i < {n}) {{\n    {BODIES[box]}\n    i = i + 1\n}}\nprint(total)\n"
        out, mem = run_and_measure(src)
        assert int(out) > 0
        return mem
    assert run(1_000_000) == run(1_000)


# ---------------------------------------------------------------- JSON round trip at box level

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12)


@pytest.fixture(scope="module")
def box_rt():
    from tests.runtime.c_harness import CRuntime
    return CRuntime(roots=("$new_JSON", "$m_JSON_parse", "$tostr_JSON", "$m_JSON_stringify"))


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_json_box_stringify_parse_round_trip(box_rt, value):
    """A JSONBox made from serde_json's own spelling of a document (compact, keys
    sorted) prints it back unchanged, and parse(stringify()) gives the same text."""
    rt = box_rt
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    b = rt.new_JSON(5, rt.make_str(text))
    assert b
    printed = rt.str_value(rt.tostr_JSON(b))
    assert printed == text
    tag, again = rt.m_JSON_parse(b, 5, rt.make_str(printed))
    assert tag == 10
    assert rt.str_value(rt.tostr_JSON(again)) == text
    assert BY_NAME["JSONBox"].kid == rt.read_i32(again + 4)


def test_programs_without_these_boxes_link_none_of_their_code():
    wasm = compile_source('print("hello")\n', "h.nyash").wasm
    for name in (b"json_box_new", b"rx_new", b"m_JSON_get", b"tostr_Socket"):
        assert name not in wasm
