"""MapBox lookups with a `string + integer` key (fastpaths.builtin_fast): get and has
format the key into the runtime's scratch key ($str_scratch_concat_i64: no new string,
nothing to release); set keeps the key, so it builds a real string. What such programs
print is covered by tests/programs/perf_map_scratch_keys (as before, and as the
reference interpreter)."""
from __future__ import annotations

from tests.helpers import main_wat, nyash

SOURCE = '''static box Main {
    main() {
        local m = new MapBox()
        local i = 0
        loop(i < 3) {
            m.set("k" + i, i)
            i = i + 1
        }
        print(m.get("k" + 1))
        print(m.has("k" + 7))
    }
}
'''


def test_lookups_use_the_scratch_key_and_set_a_new_string(tmp_path) -> None:
    main = main_wat(tmp_path, "keys", SOURCE)
    assert main.count("call $str_scratch_concat_i64") == 2  # get and has
    assert main.count("call $str_concat_i64") == 1          # set
    run = nyash("run", str(tmp_path / "keys.nyash"))
    assert run.stdout == "1\nfalse\n" and run.returncode == 0
