"""An exception that escapes a `try` is reported at the statement that raised it --
through `nyash run`, the executable's fast path and its runner alike -- not at the last
statement its `finally` ran (found checking SystemBox.exit(256) inside try/finally,
issue 14). Frames that the exception left before the try caught it are gone; the frame
of the function holding the try shows the line of its statement that raised."""
from __future__ import annotations

import pytest

from tests.world.conftest import PROGRAMS, same

MSG = "Runtime error: Uncaught exception: ErrorBox({})\n"
CASES = {
    # an error in a method called from the try body: Main.main's call line
    "body": ("worker finally 3\n", "exit() requires an integer status 0-255, got 256", 27),
    "callee": ("", "Unknown method 'length' for NullBox", 28),
    "throw": ("", "thrown", 29),
    # inner try/finally inside the outer try: the inner body's line, both finallys run
    "nested": ("inner\ninner finally\n", "Division by zero", 33),
    # the catch body raises: its line, after the catch's finally and the outer one
    "catch": ("caught ErrorBox(Division by zero)\ncatch finally\n", "Modulo by zero", 41),
    # the finally itself raises: the finally's line
    "final": ("ok body\nin finally\n", "Modulo by zero", 49),
}


@pytest.mark.parametrize("which", sorted(CASES))
def test_uncaught_error_is_located_where_it_was_raised(world, which):
    printed, message, line = CASES[which]
    stdout = f"start {which}\n{printed}outer finally\nlast line\n"
    results = world.run("raise_site", which)
    same(results, stdout, code=1, stderr=None)
    frames = MSG.format(message) + f"  at Main.main (raise_site.nyash:{line})\n"
    for r in results:
        if r.how == "run":
            src = PROGRAMS / "raise_site.nyash"
            text = src.read_text(encoding="utf-8").splitlines()[line - 1]
            col = len(text) - len(text.lstrip()) + 1
            assert r.stderr.startswith(frames + f"  --> {src}:{line}:{col}"), r.stderr  # then its code
            assert f"{line} | {text}\n" in r.stderr
        else:
            assert r.stderr == frames, (r.how, r.stderr)


def test_try_in_a_method_keeps_both_frames(world, tmp_path):
    src = tmp_path / "method_try.nyash"
    src.write_text("""\
box Worker {
    run() {
        try {
            new SystemBox().exit(300)
            print("not reached")
        } finally {
            print("worker finally")
        }
    }
}
static box Main {
    main() {
        print("go")
        new Worker().run()
    }
}
""", encoding="utf-8")
    results = world.run(src)
    same(results, "go\nworker finally\n", code=1, stderr=None)
    frames = (MSG.format("exit() requires an integer status 0-255, got 300")
              + "  at Worker.run (method_try.nyash:4)\n  at Main.main (method_try.nyash:14)\n")
    for r in results:
        assert r.stderr.startswith(frames), (r.how, r.stderr)
