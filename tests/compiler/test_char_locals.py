"""Character locals (compiler/charlocals.py): a local assigned only from
substring(i, i + 1), get(i), literals of at most one character and other such locals,
and compared with a string literal, is one i32 holding a character code; its
comparisons with literals are single i32 instructions and nothing is retained or
released for it. A local with any other assignment keeps the (tag, payload) pair.
What such programs print is covered by tests/programs/perf_char_locals (as before the
change, and as the reference interpreter)."""
from __future__ import annotations

from tests.helpers import assert_program_prints, main_wat

SCAN = '''static box Main {
    main() {
        local text = "ab 12 é"
        local vowels = 0
        local digits = 0
        local other = ""
        local i = 0
        loop(i < text.length()) {
            local c = text.substring(i, i + 1)
            if c == "a" or c == "é" { vowels = vowels + 1 }
            local d = text.get(i)
            if d >= "0" and d <= "9" { digits = digits + 1 }
            local w = text.substring(i, i + 1)
            if w == " " { w = w + "!" }
            other = other + w
            i = i + 1
        }
        print(vowels)
        print(digits)
        print(other)
    }
}
'''


def test_scan_prints_as_strings_would(tmp_path) -> None:
    # "ab 12 é".length() counts 8 bytes: at position 7 substring gives "" and get void
    assert_program_prints(tmp_path, "scan", SCAN, "2\n2\nab !12 !é\n")


def test_character_locals_are_codes(tmp_path) -> None:
    main = main_wat(tmp_path, "scan", SCAN)
    # c and d are single i32 locals; w (assigned w + "!") keeps its pair
    assert "(local $l:c i32)" in main and "(local $l:d i32)" in main
    assert "$l:c.t" not in main and "$l:d.t" not in main
    assert "$l:w.t" in main
    # c == "a" / c == "é": one comparison with the code (code point + 2) each
    lines = [line.strip() for line in main.splitlines()]
    for code in (ord("a") + 2, ord("é") + 2):
        at = lines.index(f"i32.const {code}")
        assert lines[at - 1] == "local.get $l:c" and lines[at + 1] == "i32.eq"
    # the typed entry points that give codes, not strings, for c and d; w still uses
    # the string one
    assert "call $str_substring_code" in main and "call $str_get_code" in main
    assert "call $str_substring_ii" in main


def test_a_local_compared_with_nothing_stays_a_string(tmp_path) -> None:
    """Without a comparison with a literal there is nothing to gain: no codes."""
    source = SCAN.replace('if c == "a" or c == "é" { vowels = vowels + 1 }', 'other = other + c')
    main = main_wat(tmp_path, "scan", source)
    assert "$l:c.t" in main and "(local $l:d i32)" in main
