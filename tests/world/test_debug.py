"""DebugBox (issue 15) through `nyash run` and as a built executable: upstream's texts,
[DEBUG] lines on stdout and hard errors (compared with the reference interpreter, whose
tracking never persists), tracking that persists (spec row 22), saveToFile through the
file-system policy, and no memory growth. Time stamps are checked by shape."""
from __future__ import annotations

import re
import time

from tests.world.conftest import same
from tests.world.test_time_random import measure

DEBUG_OUT = """\
DebugBox[0 tracked]
false
[DEBUG] Tracking started
void
true
3
[DEBUG] Watching answer (IntegerBox): 42
[DEBUG] Watching p (InstanceBox): <Pt instance #2>
[DEBUG] Watching st (NyashStreamBox): NyashStreamBox(0 bytes, pos: 0)
[DEBUG] Watching nothing (NullBox): null
=== Memory Report ===
Tracked boxes: 3

Boxes by type:
  InstanceBox: 1
  IntegerBox: 1
  StringBox: 1

=== Box State Dump ===
Time: STAMP
Total tracked boxes: 3

Box: point
  Type: InstanceBox
  Created: STAMP
  Fields: x, y
  Value: <Pt instance #2>

Box: n
  Type: IntegerBox
  Created: STAMP
  Fields: N/A
  Value: 7

Box: s
  Type: StringBox
  Created: STAMP
  Fields: N/A
  Value: text


[DEBUG] Breakpoint set at function: main
=== Call Stack ===
0: [TIME] f(1, a, <Pt instance #2>)
1: [TIME] g()

DebugBox[3 tracked]
DebugBox[3 tracked]
[DEBUG] Tracking stopped
3
[DEBUG] Saved debug info to debug.txt
true
[DEBUG] Cleared all debug information
void
DebugBox[0 tracked]
=== Call Stack ===

true
false
ErrorBox(trackBox() second argument must be a string)
ErrorBox(watch() second argument must be a string)
ErrorBox(saveToFile() argument must be a string)
ErrorBox(setBreakpoint() argument must be a string)
ErrorBox(traceCall() first argument must be a string)
ErrorBox(traceCall() expects at least 1 argument, got 0)
ErrorBox(Unknown DebugBox method: enableTracking)
ErrorBox(isTracking() expects 0 arguments, got 1)
ErrorBox(Failed to write debug file: cannot write 'no/such/dir/x.txt': No such file or directory)
"""

REPORT = ("Runtime error: Failed to write debug file: cannot write '': No such file or directory\n"
          "  at Main.main (debug.nyash:58)\n")


def normalise(text: str) -> str:
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "STAMP", text)
    return re.sub(r"\[\d\d:\d\d:\d\d\.\d{3}\]", "[TIME]", text)


def test_debugbox_tracks_reports_and_saves(world, tmp_path):
    for mode in ("run", "exe", "exe-runner"):
        d = tmp_path / mode
        d.mkdir()
        [r] = world.run("debug", cwd=d, modes=(mode,), env={"TZ": "UTC"})
        assert (mode, normalise(r.stdout), r.code) == (mode, DEBUG_OUT, 1), r.stderr
        assert REPORT in r.stderr and "Traceback" not in r.stderr and "wasm" not in r.stderr, r.stderr
        saved = (d / "debug.txt").read_text()
        assert normalise(saved).startswith("=== Box State Dump ===\nTime: STAMP\nTotal tracked boxes: 3\n\nBox: point\n")
        stamp = re.search(r"Time: (\S+ \S+)", r.stdout).group(1)
        assert stamp[:10] == time.strftime("%Y-%m-%d", time.gmtime()) or stamp[11:13] in ("23", "00")


def test_debugbox_does_not_grow_memory():
    """Every method, tracking on (each iteration prints its [DEBUG] lines)."""
    def loop(n: int) -> str:
        return f"""
box Pt {{
    init {{ x }}
}}
local i = 0
local total = 0
loop(i < {n}) {{
    local d = new DebugBox()
    d.startTracking()
    d.trackBox(new Pt(), "p")
    d.trackBox(i, "i")
    d.trackBox("s", "i")
    d.traceCall("f", i, "x")
    d.setBreakpoint("g")
    total = total + d.getTrackedCount() + d.memoryReport().length() + d.toString().length()
    total = total + d.showCallStack().length() * 0 + d.dumpAll().length() * 0
    try {{ d.trackBox(1, 2) }} catch (Error e) {{ total = total + 1 }}
    if i % 3 == 0 {{ d.clear() }}
    i = i + 1
}}
print(total)
"""
    small_out, small = measure(loop(2000))
    big_out, big = measure(loop(100_000))
    per = 2 + len("=== Memory Report ===\nTracked boxes: 2\n\nBoxes by type:\n  InstanceBox: 1\n  StringBox: 1\n") \
        + len("DebugBox[2 tracked]") + 1
    assert small_out.splitlines()[-1] == str(2000 * per) and big_out.splitlines()[-1] == str(100_000 * per)
    assert big == small


def test_a_million_debugboxes_created_and_dropped_do_not_grow_memory():
    def loop(n: int) -> str:
        return f"""
local i = 0
local total = 0
loop(i < {n}) {{
    local d = new DebugBox()
    d.trackBox(i, "not tracking")
    d.traceCall("f", i, "x")
    d.traceCall("g")
    total = total + d.showCallStack().length() * 0 + d.toString().length() + d.getTrackedCount()
    i = i + 1
}}
print(total)
"""
    small_out, small = measure(loop(2000))
    big_out, big = measure(loop(1_000_000))
    per = len("DebugBox[0 tracked]")
    assert (small_out, big_out) == (f"{2000 * per}\n", f"{1_000_000 * per}\n")
    assert big == small
