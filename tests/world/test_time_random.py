"""TimeBox, DateTimeBox, TimerBox and RandomBox through `nyash run` and as a built
executable (issue 14). Outputs that depend only on the time zone are exact (recorded
from the reference interpreter, which uses Rust chrono); current time and randomness
are checked by shape, or made reproducible with NYASH_RANDOM_SEED."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import wasmtime

from nyash_build.compiler.driver import compile_file, compile_source
from tests.world.conftest import PROGRAMS, same

ZONES = {"UTC": "UTC", "Asia/Tokyo": "Asia_Tokyo", "America/New_York": "America_New_York",
         "EST5EDT,M3.2.0,M11.1.0": "rule_EST5EDT", "<+0530>-5:30": "rule_0530"}


@pytest.mark.parametrize("tz", list(ZONES))
def test_fixed_instants_print_as_upstream_in_every_zone(world, tz):
    expected = (PROGRAMS / f"time_fixed.{ZONES[tz]}.out").read_text(encoding="utf-8")
    same(world.run("time_fixed", env={"TZ": tz}), expected)


def test_zone_names_and_rules_as_chrono_reads_them(world, tmp_path):
    src = tmp_path / "tz.nyash"
    src.write_text('print(new TimeBox().fromTimestamp(1700000000).format("%F %T %:z"))\n')
    cases = {":Asia/Kolkata": "2023-11-15 03:43:20 +05:30",
             "/usr/share/zoneinfo/Europe/Paris": "2023-11-14 23:13:20 +01:00",
             "JST-9": "2023-11-15 07:13:20 +09:00",
             "NZST-12NZDT,M9.5.0,M4.1.0/3": "2023-11-15 11:13:20 +13:00",
             # unreadable or invalid: the system zone (here /etc/localtime), as chrono
             "No/Such_Zone": None, "garbage rule": None, "": None}
    system = world.run(src, env={"TZ": None}, modes=("run",))[0].stdout
    for tz, want in cases.items():
        same(world.run(src, env={"TZ": tz}), (want + "\n") if want else system)


def test_upstream_panics_are_catchable_runtime_errors(world):
    expected = """\
ErrorBox(format(): invalid format specifier in '%Q')
ErrorBox(format(): invalid format specifier in '%#z')
ErrorBox(format(): invalid format specifier in '%-F')
ErrorBox(fromTimestamp(): timestamp out of range: 99999999999999)
ErrorBox(addDays(): the result is out of range)
ErrorBox(addHours(): the result is out of range)
ErrorBox(parse(): no such local time: '2024-03-10 02:30:00' (skipped by a time zone change))
ErrorBox(parse(): ambiguous local time: '2024-11-03 01:30:00' (repeated by a time zone change))
ErrorBox(Unknown DateTimeBox method: weekday)
ErrorBox(Unknown TimeBox method: year)
ErrorBox(now() expects 0 arguments, got 1)
ErrorBox(DateTimeBox constructor expects 0 arguments, got 1)
ErrorBox(TimeBox constructor expects 0 arguments, got 1)
TimeBox() 1969-12-31 19:00:00
"""
    results = world.run("time_errors", env={"TZ": "America/New_York"})
    same(results, expected, code=1, stderr=None)
    report = ("Runtime error: format(): invalid format specifier in '%q'\n"
              "  at <main> (time_errors.nyash:18)\n")
    for r in results:
        if r.how == "run":  # `nyash run` then quotes the line (docs/diagnostics.md)
            assert report in r.stderr and r.stderr.split(report, 1)[1].lstrip().startswith("--> "), r.stderr
        else:
            assert r.stderr.endswith(report), r.stderr


STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"


def test_now_timer_and_sleep(world):
    for r in world.run("time_now", env={"TZ": "Asia/Tokyo"}):
        lines = r.stdout.splitlines()
        assert r.code == 0, r.stderr
        assert re.fullmatch(STAMP, lines[0]) and re.fullmatch(STAMP, lines[2]), lines
        assert abs(int(lines[1]) - time.time()) < 120
        expected_day = time.strftime("%Y-%m-%d", time.gmtime(int(lines[1]) + 9 * 3600))
        assert lines[0].startswith(expected_day) and lines[3] == expected_day
        assert re.fullmatch(r"TimerBox\(id=\d+\)", lines[4])
        assert lines[5] == "ok" and 120 <= int(lines[6]) < 10_000
        assert lines[7] == "Timer reset" and 0 <= int(lines[8]) < 100


def test_random_is_reproducible_with_a_seed_and_random_without(world):
    seeded = world.run("random", env={"NYASH_RANDOM_SEED": "2024"})
    same(seeded, seeded[0].stdout, stderr=None)  # nyash run and the executable agree
    again = world.run("random", env={"NYASH_RANDOM_SEED": "2024"}, modes=("run",))
    assert again[0].stdout == seeded[0].stdout
    lines = seeded[0].stdout.splitlines()
    assert lines[0] == "RandomBox()"
    dice = [int(x) for x in lines[1].split()]
    assert len(dice) == 12 and all(1 <= x <= 6 for x in dice)
    assert 0 <= float(lines[2]) <= 1 and lines[3] in ("true", "false")
    assert re.fullmatch(r"[A-Za-z0-9]{12}", lines[4])
    assert lines[5] in ("true", "false") and lines[6:8] == ["true", "false"]
    assert lines[8] in ("a", "b", "3", "null")
    assert sorted(lines[9][1:-1].split(", ")) == ["3", "a", "b", "null"]
    assert lines[10:] == [
        "[a, b, 3, null]", "Seed set", "true", "false", "true", "false", "true", "7",
        "Error: probability must be 0.0-1.0", "Error: probability() requires numeric input",
        "Error: min must be <= max", "Error: randInt() requires two integer inputs",
        "Error: cannot choose from empty array", "Error: choice() requires array input",
        "Error: shuffle() requires array input", "Error: length must be positive",
        "Error: randString() requires integer length", "Error: seed() requires integer input",
        "[]", "true", "ErrorBox(randInt(): the range covers every integer)",
        "ErrorBox(Unknown RandomBox method: nope)", "ErrorBox(randInt() expects 2 arguments, got 1)"]
    other = world.run("random", env={"NYASH_RANDOM_SEED": "2025"}, modes=("run",))[0].stdout
    assert other.splitlines()[1:5] != lines[1:5]
    unseeded = [world.run("random", env={"NYASH_RANDOM_SEED": None}, modes=(m,))[0].stdout
                for m in ("run", "exe")]
    assert unseeded[0].splitlines()[4] != unseeded[1].splitlines()[4] != lines[4]


def test_persistent_state_a_seeded_box_advances(world, tmp_path):
    src = tmp_path / "adv.nyash"
    src.write_text("local r = new RandomBox()\nr.seed(1)\nlocal seen = new MapBox()\nlocal i = 0\n"
                   "loop(i < 200) {\n seen.set(r.randInt(1, 6), 1)\n i = i + 1\n}\nprint(seen.size())\n"
                   "box Holder {\n init { rng }\n birth() { me.rng = new RandomBox()\n me.rng.seed(5) }\n"
                   " roll() { return me.rng.randInt(1, 1000000) }\n}\n"
                   "local h = new Holder()\nprint(h.roll() == h.roll())\n")
    same(world.run(src), "6\nfalse\n")


def test_bad_random_seed_is_an_error(world, tmp_path):
    for r in world.run("random", env={"NYASH_RANDOM_SEED": "abc"}):
        assert (r.stdout, r.code) == ("", 1)
        assert ("Runtime error: NYASH_RANDOM_SEED must be an integer, got 'abc'\n"
                "  at <main> (random.nyash:2)\n") in r.stderr


def test_local_time_works_in_a_sandbox(world, tmp_path):
    src = tmp_path / "tz.nyash"
    src.write_text('print(new TimeBox().fromTimestamp(0))\nprint(new FileBox("/etc/hostname").exists())\n')
    (tmp_path / "data").mkdir()
    results = world.run(src, env={"TZ": "Asia/Tokyo"}, cwd=tmp_path, fs=["data"])
    same(results, "1970-01-01 09:00:00\n", code=1, stderr=None)
    for r in results:
        assert "Runtime error: access denied: /etc/hostname" in r.stderr


def test_system_zone_comes_from_nyash_localtime_in_a_plain_wasi_host(tmp_path):
    wasm = compile_source('print(new TimeBox().fromTimestamp(0))\n', "z.nyash").wasm
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.env = [("NYASH_LOCALTIME", "/usr/share/zoneinfo/Asia/Tokyo")]
    wasi.preopen_dir("/usr/share/zoneinfo", "/usr/share/zoneinfo", False)
    wasi.stdout_file = str(tmp_path / "out")
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    linker.instantiate(store, wasmtime.Module(engine, wasm)).exports(store)["_start"](store)
    assert (tmp_path / "out").read_text() == "1970-01-01 09:00:00\n"


def measure(src: str) -> tuple[str, int]:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.env = [("TZ", "America/New_York"), ("NYASH_RANDOM_SEED", "1")]
    wasi.preopen_dir("/usr/share/zoneinfo", "/usr/share/zoneinfo", False)
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        wasi.stdout_file = str(Path(d) / "out")
        store.set_wasi(wasi)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        inst = linker.instantiate(store, wasmtime.Module(engine, compile_source(src, "m.nyash").wasm))
        inst.exports(store)["_start"](store)
        return (Path(d) / "out").read_text(), inst.exports(store)["memory"].data_len(store)


def test_time_and_random_boxes_do_not_grow_memory():
    def loop(n: int) -> str:
        return f"""
local i = 0
local total = 0
loop(i < {n}) {{
    local t = new TimeBox()
    local d = t.fromTimestamp(1700000000 + i).addDays(1)
    total = total + d.format("%d").length() + d.toString().length() + d.toISOString().length()
    local timer = new TimerBox()
    total = total + timer.elapsed() * 0 + timer.toString().length() * 0
    local r = new RandomBox()
    total = total + r.randString(3).length() + r.shuffle(new ArrayBox()).length()
    if t.parse("2024-01-02 03:04:05") == d {{ total = total + 1 }}
    i = i + 1
}}
print(total)
"""
    small_out, small = measure(loop(2000))
    big_out, big = measure(loop(40000))
    assert small_out == f"{2000 * (2 + 19 + 25 + 3)}\n" and big_out == f"{40000 * (2 + 19 + 25 + 3)}\n"
    assert big == small


def test_system_console_and_random_methods_do_not_grow_memory():
    """The calls the loop above leaves out: SystemBox's args/env, RandomBox over non-empty
    arrays and its soft `Error: ...` strings, caught runtime errors of these boxes."""
    def loop(n: int) -> str:
        return f"""
local i = 0
local total = 0
local sys = new SystemBox()
local con = new ConsoleBox()
local arr = new ArrayBox()
arr.push("x")
arr.push(new ArrayBox())
arr.push(1.5)
loop(i < {n}) {{
    local s2 = new SystemBox()
    total = total + sys.args().length() + s2.env("TZ").length()
    if s2.env("NOT_SET_ANYWHERE") == null {{ total = total + 1 }}
    local r = new RandomBox()
    r.seed(i)
    local c = r.choice(arr)
    total = total + r.shuffle(arr).length() + r.randInt(5, 1).length() + r.probability("p").length()
    if r.randBool() {{ total = total + 0 }}
    try {{ r.randInt(-9223372036854775807 - 1, 9223372036854775807) }} catch (Error e) {{ total = total + 1 }}
    try {{ s2.exit(300) }} catch (Error e) {{ total = total + 1 }}
    try {{ new TimeBox().now().format("%Q") }} catch (Error e) {{ total = total + 1 }}
    total = total + con.readAll().length()
    i = i + 1
}}
print(total)
"""
    per = 0 + len("America/New_York") + 1 + 3 + len("Error: min must be <= max") \
        + len("Error: probability() requires numeric input") + 3
    small_out, small = measure(loop(2000))
    big_out, big = measure(loop(40000))
    assert (small_out, big_out) == (f"{2000 * per}\n", f"{40000 * per}\n")
    assert big == small


def test_remaining_time_timer_and_random_methods_do_not_grow_memory():
    """What the loops above leave out: DateTimeBox's fields, now(), format patterns,
    addHours, TimeBox's soft `Error: ...` strings, TimerBox.reset, RandomBox seed, choice,
    random and probability, and caught out-of-range errors (values checked against
    upstream's interpreter, which panics on the last two)."""
    def loop(n: int) -> str:
        return f"""
local i = 0
local total = 0
local t = new TimeBox()
local timer = new TimerBox()
local arr = new ArrayBox()
arr.push(7)
loop(i < {n}) {{
    local now = new DateTimeBox()
    total = total + now.year() * 0 + t.now().format("%Y").length()
    local d = t.fromTimestamp(1700000000 + i % 30)
    total = total + d.year() + d.month() + d.day() + d.hour() + d.minute() + d.second() - i % 30
    total = total + d.addHours(i).timestamp() - d.timestamp() - i * 3600
    total = total + t.parse("nope").length() + t.format(5).length() + t.sleep(0).length()
    total = total + t.toString().length() + d.addDays(1).format("%A %B %j").length()
    total = total + timer.reset().length() + timer.elapsed() * 0
    local r = new RandomBox()
    total = total + r.seed(i).length() + r.choice(arr) + r.randString(0).length()
    if r.random() <= 1.0 {{ total = total + 1 }}
    if r.probability(1) {{ total = total + 1 }}
    try {{ t.fromTimestamp(99999999999999) }} catch (Error e) {{ total = total + 1 }}
    try {{ d.addDays(999999999999) }} catch (Error e) {{ total = total + 1 }}
    i = i + 1
}}
print(total)
"""
    per = (4 + (2023 + 11 + 14 + 17 + 13 + 20)   # 2023-11-14 17:13:20 in New York
           + len("Error: Failed to parse date: input contains invalid characters")
           + len("Error: format() requires string format pattern")
           + len("Error: sleep() requires positive milliseconds")
           + len("TimeBox()") + len("Wednesday November 319") + len("Timer reset") + len("Seed set") + 7 + 4)
    small_out, small = measure(loop(2000))
    big_out, big = measure(loop(40000))
    assert (small_out, big_out) == (f"{2000 * per}\n", f"{40000 * per}\n")
    assert big == small
