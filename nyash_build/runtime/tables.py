"""Generated data for the runtime's string area (memory 0x20000-0x2BEFF of the
0x20000-0x2FFFF range that design.md gives to strings).

Why generated: Unicode case mapping tables are derived from Python's own ``str.upper``
/ ``str.lower`` (the same Unicode data Rust's ``to_uppercase``/``to_lowercase`` use),
and immortal message strings need fixed addresses that the WAT code can name.  Instead
of hard-coding addresses in ``core.wat``/``strings.wat`` we emit immutable globals
(``$strtab_*``) holding every address and table size next to the ``(data ...)`` fields.

Layout (all 8-aligned, see ``_Layout``):

* case tables for upper and lower:
  - runs: 12-byte entries ``(start | (stride-1) << 24, end_exclusive, delta)`` sorted by
    start; ``cp`` in ``[start, end)`` with ``(cp - start) % stride == 0`` maps to
    ``cp + delta``.
  - expansions (one code point -> several, e.g. ``ß -> SS``): 8-byte entries
    ``(cp, addr_of_utf8 | len << 24)`` sorted by cp; the UTF-8 bytes follow the table.
* 128 immortal one-character strings for ASCII (16 bytes each: rc, len 1, the byte),
  used by ``String.get``/``split("")``/``str_from_i64`` to avoid allocations.
* immortal message strings (rc = 0x80000000, len, bytes).
* ``digits``: the 200 bytes "0001...99" (two decimal digits per entry).

0x2BF00-0x2BFFF is NOT data: ``core.wat`` keeps the allocator's free-list heads there.
0x2C000-0x2DFFF belongs to values.wat and 0x2E000-0x2FFFF to collections.wat.
"""
from __future__ import annotations

import functools

BASE = 0x20000
LIMIT = 0x2BF00          # allocator free lists live above this (core.wat)
IMMORTAL_RC = 0x80000000
_MAX_CASED_CP = 0x20000  # no code point at or above this has a case mapping

# name -> text.  Names become globals ``$strtab_<name>`` (address of the string object).
MESSAGES: dict[str, str] = {
    "empty": "",
    "true": "true",
    "false": "false",
    "newline": "\n",
    "runtime_error": "Runtime error: ",
    "out_of_memory": "out of memory",
    "uncaught_prefix": "Uncaught exception: ErrorBox(",
    "close_paren": ")",
    "err_substring": "substring() requires integer arguments",
    "err_get": "get() requires integer index",
    "err_find": "find() requires string argument",
    "err_replace": "replace() requires string arguments",
    "err_split": "split() requires string delimiter",
    "err_max": "max() requires a number argument",
    "err_min": "min() requires a number argument",
    "err_pow": "pow() requires integer exponent",
}


class _Layout:
    """Accumulates data bytes at increasing addresses and names them with globals."""

    def __init__(self) -> None:
        self.addr = BASE
        self.data: list[tuple[int, bytes]] = []
        self.globals: list[tuple[str, int]] = []

    def put(self, blob: bytes, name: str | None = None) -> int:
        addr = self.addr
        self.data.append((addr, blob))
        self.addr = (addr + len(blob) + 7) & ~7
        if self.addr > LIMIT:
            raise AssertionError("string tables overflow their memory region")
        if name:
            self.globals.append((name, addr))
        return addr

    def const(self, name: str, value: int) -> None:
        self.globals.append((name, value))


def _i32(*values: int) -> bytes:
    return b"".join((v & 0xFFFFFFFF).to_bytes(4, "little") for v in values)


def _immortal(text: str) -> bytes:
    raw = text.encode("utf-8")
    return _i32(IMMORTAL_RC, len(raw)) + raw


def case_mappings(upper: bool) -> tuple[list[tuple[int, int, int, int]], list[tuple[int, str]]]:
    """(runs, expansions) for str.upper (upper=True) or str.lower.

    A run is ``(start, end_exclusive, stride, delta)``; consecutive code points with the
    same delta (stride 1) or every second one (stride 2, the Latin Extended pairs) merge.
    """
    f = str.upper if upper else str.lower
    singles: list[tuple[int, int]] = []
    multi: list[tuple[int, str]] = []
    for cp in range(_MAX_CASED_CP):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        m = f(c)
        if m == c:
            continue
        if len(m) == 1:
            singles.append((cp, ord(m) - cp))
        else:
            multi.append((cp, m))
    runs: list[tuple[int, int, int, int]] = []
    i = 0
    while i < len(singles):
        cp, d = singles[i]
        for stride in (1, 2):
            j = i
            while j + 1 < len(singles) and singles[j + 1] == (singles[j][0] + stride, d):
                j += 1
            if j > i or stride == 2:
                runs.append((cp, singles[j][0] + 1, stride if j > i else 1, d))
                i = j + 1
                break
    return runs, multi


def _case_table(lay: _Layout, prefix: str, upper: bool) -> None:
    runs, multi = case_mappings(upper)
    blob = b"".join(_i32(s | ((st - 1) << 24), e, d) for s, e, st, d in runs)
    lay.put(blob, f"{prefix}_runs")
    lay.const(f"{prefix}_runs_n", len(runs))
    expansions = b"".join(m.encode("utf-8") for _, m in multi)
    # The UTF-8 bytes follow the entries; entries must know their address up front.
    exp_addr = lay.addr + ((8 * len(multi) + 7) & ~7)
    entries = b""
    off = exp_addr
    for cp, m in multi:
        raw = m.encode("utf-8")
        entries += _i32(cp, off | (len(raw) << 24))
        off += len(raw)
    lay.put(entries, f"{prefix}_multi")
    lay.const(f"{prefix}_multi_n", len(multi))
    got = lay.put(expansions)
    assert got == exp_addr, (got, exp_addr)


# Further areas keep their messages in their own modules (same naming: each
# ``MESSAGES`` entry becomes ``$strtab_<name>``; ``TABLES`` entries are arrays of i32
# string addresses named ``$strtab_<name>``, index -> text).
MESSAGE_MODULES: tuple[str, ...] = ("world_text",)


def _all_messages() -> tuple[dict[str, str], dict[str, list[str]]]:
    import importlib
    msgs = dict(MESSAGES)
    tables: dict[str, list[str]] = {}
    for mod_name in MESSAGE_MODULES:
        mod = importlib.import_module(f"{__package__}.{mod_name}")
        for name, text in getattr(mod, "MESSAGES", {}).items():
            assert name not in msgs, f"message {name} defined twice"
            msgs[name] = text
        for name, texts in getattr(mod, "TABLES", {}).items():
            assert name not in tables and name not in msgs, f"table {name} defined twice"
            tables[name] = list(texts)
    return msgs, tables


@functools.lru_cache(maxsize=1)
def _build() -> tuple[tuple[tuple[int, bytes], ...], tuple[tuple[str, int], ...]]:
    lay = _Layout()
    msgs, tables = _all_messages()
    for name, text in msgs.items():
        lay.put(_immortal(text), name)
    for name, texts in tables.items():
        addrs = [lay.put(_immortal(t)) for t in texts]
        lay.put(_i32(*addrs), name)
    ascii_blob = b"".join(_immortal(chr(c)) + b"\0" * 7 for c in range(128))
    lay.put(ascii_blob, "ascii")
    # "00" "01" ... "99": the two digits of r at digits + 2r (strings.wat $dec_write)
    lay.put("".join(f"{r:02d}" for r in range(100)).encode("ascii"), "digits")
    _case_table(lay, "upper", True)
    _case_table(lay, "lower", False)
    return tuple(lay.data), tuple(lay.globals)


def _wat_bytes(blob: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in blob)


def generated_fragments() -> list[tuple[str, str]]:
    """``(name, WAT text)`` fragments: ``(data ...)`` fields and the ``$strtab_*`` globals."""
    data, globs = _build()
    lines = [f'  (data (i32.const {addr:#x}) "{_wat_bytes(blob)}")' for addr, blob in data if blob]
    lines += [f"  (global $strtab_{name} i32 (i32.const {value:#x}))" for name, value in globs]
    from . import float_tables
    return [("tables.wat", "\n".join(lines) + "\n"), *float_tables.generated_fragments()]


def address_of(name: str) -> int:
    """Address (or constant) behind global ``$strtab_<name>``; used by tests."""
    return dict(_build()[1])[name]
