"""Generate nyash_build/runtime/c/unicode_data.h, the Unicode tables of the regex engine.

Why generated: RegexBox must match upstream's engine (Rust `regex` 1.7 with
regex-syntax 0.6.27, Unicode 14.0) on Unicode classes, so the data comes from the same
tables regex-syntax ships (themselves generated from the Unicode Character Database by
ucd-generate; Unicode data license).  Run it when that data changes:

    python tools/gen_unicode_tables.py /usr/share/cargo/registry/regex-syntax-0.6.27

General categories are cross-checked against Python's ``unicodedata`` (also Unicode
14.0 in Python 3.11) when the versions agree.  The output is compact: categories and
scripts as runs over the code space, the Perl word class as ranges, simple case
folding as "next member of the orbit" entries, and the property-name aliases.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "nyash_build" / "runtime" / "c" / "unicode_data.h"

_CHAR = r"'(?:\\u\{[0-9a-fA-F]+\}|\\.|[^'])'"


def _char(tok: str) -> int:
    m = re.fullmatch(r"'\\u\{([0-9a-fA-F]+)\}'", tok)
    if m:
        return int(m.group(1), 16)
    if tok.startswith("'\\"):
        return ord({"\\n": "\n", "\\t": "\t", "\\r": "\r", "\\'": "'", "\\\\": "\\", "\\0": "\0"}[tok[1:-1]])
    return ord(tok[1:-1])


def _tables(path: Path) -> dict[str, list[tuple[int, int]]]:
    """Every `pub const NAME: &[(char, char)] = &[...]` of a regex-syntax table file."""
    src = path.read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r"pub const (\w+): &'static \[\(char, char\)\] =\s*&\[(.*?)\];", src, re.S):
        pairs = re.findall(rf"\(({_CHAR}), ({_CHAR})\)", m.group(2))
        out[m.group(1)] = [(_char(a), _char(b)) for a, b in pairs]
    return out


def _by_name(path: Path) -> list[tuple[str, str]]:
    src = path.read_text(encoding="utf-8")
    body = re.search(r"pub const BY_NAME:.*?= &\[(.*?)\];", src, re.S).group(1)
    return re.findall(r'\("(\w+)", (\w+)\)', body)


def _property_values(path: Path, prop: str) -> list[tuple[str, str]]:
    src = path.read_text(encoding="utf-8")
    m = re.search(rf'\(\s*"{prop}",\s*&\[(.*?)\],\s*\)', src, re.S)
    return re.findall(r'\("([^"]*)", "([^"]*)"\)', m.group(1))


def main(root: str) -> None:
    tables = Path(root) / "src" / "unicode_tables"
    version = re.search(r"Unicode version: ([\d.]+)", (tables / "general_category.rs").read_text()).group(1)

    # ---- general categories: one leaf category per code point, as runs
    gc_tabs = _tables(tables / "general_category.rs")
    gc_names = dict(_by_name(tables / "general_category.rs"))
    leaf = ["Uppercase_Letter", "Lowercase_Letter", "Titlecase_Letter", "Modifier_Letter", "Other_Letter",
            "Nonspacing_Mark", "Spacing_Mark", "Enclosing_Mark", "Decimal_Number", "Letter_Number",
            "Other_Number", "Connector_Punctuation", "Dash_Punctuation", "Open_Punctuation",
            "Close_Punctuation", "Initial_Punctuation", "Final_Punctuation", "Other_Punctuation",
            "Math_Symbol", "Currency_Symbol", "Modifier_Symbol", "Other_Symbol", "Space_Separator",
            "Line_Separator", "Paragraph_Separator", "Control", "Format", "Surrogate", "Private_Use",
            "Unassigned"]
    short = ["Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi",
             "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"]
    cat = [None] * 0x110000
    for i, name in enumerate(leaf):
        if name == "Surrogate":
            continue
        for lo, hi in gc_tabs[gc_names[name]]:
            for c in range(lo, hi + 1):
                assert cat[c] is None, (name, hex(c))
                cat[c] = i
    for c in range(0xD800, 0xE000):  # regex-syntax's tables hold chars only
        cat[c] = leaf.index("Surrogate")
    missing = [c for c in range(0x110000) if cat[c] is None]
    assert not missing, f"{len(missing)} code points without a category"
    if unicodedata.unidata_version == version:
        bad = [c for c in range(0x110000) if short[cat[c]] != unicodedata.category(chr(c))]
        assert not bad, f"general category differs from unicodedata at {[hex(c) for c in bad[:5]]}"
    gc_runs = [(0, cat[0])]
    for c in range(1, 0x110000):
        if cat[c] != cat[c - 1]:
            gc_runs.append((c, cat[c]))
    composite = {}
    for name, members in [("Letter", "Lu Ll Lt Lm Lo"), ("Cased_Letter", "Lu Ll Lt"), ("Mark", "Mn Mc Me"),
                          ("Number", "Nd Nl No"), ("Punctuation", "Pc Pd Ps Pe Pi Pf Po"),
                          ("Symbol", "Sm Sc Sk So"), ("Separator", "Zs Zl Zp"), ("Other", "Cc Cf Cs Co Cn")]:
        composite[name] = sum(1 << short.index(s) for s in members.split())
    for name, tab in gc_names.items():  # the composites must agree with regex-syntax's own
        if name in composite and name != "Other":
            want = {c for lo, hi in gc_tabs[tab] for c in range(lo, hi + 1)}
            got = {c for c in range(0x110000) if composite[name] >> cat[c] & 1 and not 0xD800 <= c < 0xE000}
            assert want == got, name

    # ---- scripts, as runs (0 = Unknown)
    sc_tabs = _tables(tables / "script.rs")
    sc_by_name = _by_name(tables / "script.rs")
    scripts = ["Unknown"] + sorted(n for n, _ in sc_by_name if n != "Unknown")
    sc_id = {n: i for i, n in enumerate(scripts)}
    sc = [0] * 0x110000
    for name, tab in sc_by_name:
        if name == "Unknown":
            continue
        for lo, hi in sc_tabs[tab]:
            for c in range(lo, hi + 1):
                sc[c] = sc_id[name]
    sc_runs = [(0, sc[0])]
    for c in range(1, 0x110000):
        if sc[c] != sc[c - 1]:
            sc_runs.append((c, sc[c]))
    assert len(scripts) < 256

    # ---- Perl classes
    word = _tables(tables / "perl_word.rs")["PERL_WORD"]
    space = _tables(tables / "perl_space.rs")["WHITE_SPACE"]
    digit = _tables(tables / "perl_decimal.rs")["DECIMAL_NUMBER"]
    assert {c for lo, hi in digit for c in range(lo, hi + 1)} == {c for c in range(0x110000) if short[cat[c]] == "Nd"}

    # ---- simple case folding: orbit successor
    src = (tables / "case_folding_simple.rs").read_text(encoding="utf-8")
    orbit_next = {}
    for k, v in re.findall(rf"\(({_CHAR}), &\[([^\]]*)\]\)", src):
        members = sorted({_char(k)} | {_char(x) for x in re.findall(_CHAR, v)})
        c = _char(k)
        orbit_next[c] = members[(members.index(c) + 1) % len(members)]
    deltas = sorted({n - c for c, n in orbit_next.items()})
    assert len(deltas) < 2048
    dix = {d: i for i, d in enumerate(deltas)}
    fold = [(c << 11) | dix[orbit_next[c] - c] for c in sorted(orbit_next)]

    # ---- names: normalized alias -> (kind, id)
    def norm(s: str) -> str:
        return re.sub(r"[ _-]", "", s).lower()
    names: dict[str, tuple[int, int]] = {}
    K_GC, K_SCRIPT, K_PROP = 1, 2, 3
    gc_canon_bits = {}
    for i, n in enumerate(leaf):
        gc_canon_bits[n] = 1 << i
    gc_canon_bits.update(composite)
    gc_ids = sorted(gc_canon_bits)                      # canonical gc names, id = index
    for alias, canon in _property_values(tables / "property_values.rs", "General_Category"):
        names.setdefault(f"gc:{alias}", (K_GC, gc_ids.index(canon)))
    for alias, canon in _property_values(tables / "property_values.rs", "Script"):
        if canon in sc_id:
            names.setdefault(f"sc:{alias}", (K_SCRIPT, sc_id[canon]))
    prop_src = (tables / "property_names.rs").read_text(encoding="utf-8")
    props = re.findall(r'\("([^"]*)", "([^"]*)"\)', prop_src)
    prop_ids = {"White_Space": 1, "General_Category": 2, "Script": 3}
    # binary properties kept (the others are refused as "Unicode property not found")
    bool_tabs = _tables(tables / "property_bool.rs")
    kept = ["Alphabetic", "Lowercase", "Uppercase", "Cased", "Math", "Dash", "Hex_Digit", "ASCII_Hex_Digit",
            "Ideographic", "Emoji", "Emoji_Presentation", "Extended_Pictographic", "Diacritic", "Extender",
            "Quotation_Mark", "Join_Control", "Noncharacter_Code_Point", "Default_Ignorable_Code_Point"]
    prop_blob = bytearray()
    prop_index = []
    for i, name in enumerate(kept):
        prop_ids[name] = 4 + i
        rng = bool_tabs[name.upper()]
        prop_index.append((len(prop_blob), len(rng)))
        prev = 0
        for lo, hi in rng:  # (gap from the previous end, length - 1) as LEB128
            for v in (lo - prev, hi - lo):
                while True:
                    b = v & 0x7F
                    v >>= 7
                    prop_blob.append(b | (0x80 if v else 0))
                    if not v:
                        break
            prev = hi
    for alias, canon in props:
        names.setdefault(f"pr:{alias}", (K_PROP, prop_ids.get(canon, 0)))
    name_items = sorted(names.items())

    lines = [
        "/* unicode_data.h: GENERATED by tools/gen_unicode_tables.py from regex-syntax 0.6.27's",
        f" * Unicode {version} tables (Unicode Character Database; Unicode data license). Do not edit. */",
        "#ifndef UNICODE_DATA_H", "#define UNICODE_DATA_H", "#include <stdint.h>", "",
        "/* general categories (leaf index = bit in a category mask) */",
        "enum { " + ", ".join(f"GC_{s} = {i}" for i, s in enumerate(short)) + " };",
        f"#define GC_COUNT {len(leaf)}",
        "/* canonical general-category names (sorted) and their masks of leaf categories */",
        f"static const uint32_t GC_MASKS[{len(gc_ids)}] = {{" + ", ".join(f"0x{gc_canon_bits[n]:x}" for n in gc_ids) + "};",
        "/* runs over the code space: (first code point << 5) | leaf category */",
        f"static const uint32_t GC_RUNS[{len(gc_runs)}] = {{",
    ]
    lines += _wrap(f"0x{(c << 5) | k:x}" for c, k in gc_runs)
    lines += ["};", f"#define GC_NRUNS {len(gc_runs)}", "",
              "/* scripts: runs (first code point << 8) | script id (0 = Unknown) */",
              f"static const uint32_t SC_RUNS[{len(sc_runs)}] = {{"]
    lines += _wrap(f"0x{(c << 8) | k:x}" for c, k in sc_runs)
    lines += ["};", f"#define SC_NRUNS {len(sc_runs)}", ""]
    for name, rng in (("PERL_WORD", word), ("PERL_SPACE", space)):
        lines.append(f"static const uint32_t {name}[{2 * len(rng)}] = {{")
        lines += _wrap(f"0x{x:x}" for lo, hi in rng for x in (lo, hi))
        lines += ["};", f"#define {name}_N {len(rng)}"]
    lines += ["", "/* simple case folding: (c << 11) | index into FOLD_DELTA; next(c) = c + delta */",
              f"static const uint32_t FOLD[{len(fold)}] = {{"]
    lines += _wrap(f"0x{x:x}" for x in fold)
    lines += ["};", f"#define FOLD_N {len(fold)}",
              f"static const int32_t FOLD_DELTA[{len(deltas)}] = {{"]
    lines += _wrap(str(d) for d in deltas)
    lines += ["};", "",
              "/* property names: 'gc:' / 'sc:' / 'pr:' + normalized alias, sorted; value (kind << 8) | id",
              " * kind 1 = general category (index into GC_MASKS), 2 = script, 3 = property",
              " * (1 White_Space, 2 General_Category, 3 Script, 4.. the binary properties of",
              " * PROP_INDEX, 0 = not supported here) */",
              f"#define UNAMES_N {len(name_items)}",
              "static const char UNAMES[] ="]
    blob = "".join(n + "\0" for n, _ in name_items)
    for i in range(0, len(blob), 100):
        chunk = blob[i:i + 100].replace("\0", "\\0")
        lines.append(f'    "{chunk}"')
    lines[-1] += ";"
    lines.append(f"static const uint16_t UNAMES_VAL[{len(name_items)}] = {{")
    lines += _wrap(str((k << 8) | i) for _, (k, i) in name_items)
    lines += ["};", "",
              "/* binary properties 4..: ranges as LEB128 (gap from the previous end, length - 1) */",
              f"#define PROP_FIRST 4",
              f"#define PROP_N {len(kept)}",
              f"static const uint32_t PROP_INDEX[{2 * len(kept)}] = {{"]
    lines += _wrap(str(x) for pair in prop_index for x in pair)
    lines += ["};", f"static const uint8_t PROP_DATA[{len(prop_blob)}] = {{"]
    lines += _wrap((str(b) for b in prop_blob), per_line=20)
    lines += ["};", "#endif", ""]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT}: {len(gc_runs)} category runs, {len(sc_runs)} script runs, {len(word)} word ranges, "
          f"{len(fold)} fold entries, {len(name_items)} names")


def _wrap(items, per_line: int = 10) -> list[str]:
    items = list(items)
    return ["    " + ", ".join(items[i:i + per_line]) + "," for i in range(0, len(items), per_line)]


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/cargo/registry/regex-syntax-0.6.27")
