"""Which programs to benchmark, and what each one is compared against.

A benchmark program is `NAME.nyash` with its checksum in `NAME.out` (full size) and
optionally `NAME.small.nyash` / `NAME.small.out`. Its comparison points are found by
name: `reference/NAME.py` (CPython, next to the programs), `benchmarks/c/NAME.c` (gcc),
and the reference interpreter's row in the suite README (not run: it needs minutes).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
EXTRA_PROGRAMS = PACKAGE_DIR / "programs"
C_DIR = PACKAGE_DIR / "c"
SIZES = ("full", "small")
_SIZE_N = re.compile(r"^\s*local\s+n\s*=\s*(\d+)\s*$", re.MULTILINE)


def default_suite_dir() -> Path:
    """$NYASH_BENCH_DIR, else the shared suite next to the checkout (../shared/bench),
    else the repository's vendored copy (tests/corpus/bench), so a lone clone (CI) has
    the whole suite too."""
    env = os.environ.get("NYASH_BENCH_DIR")
    if env:
        return Path(env)
    shared = REPO.parent / "shared" / "bench"
    return shared if shared.is_dir() else REPO / "tests" / "corpus" / "bench"


@dataclass(frozen=True)
class RefInterp:
    """The reference interpreter's times from the README table (seconds)."""
    small_s: float
    full_estimate_s: float


@dataclass(frozen=True)
class Program:
    """One benchmark at one size, with everything needed to run every column."""
    name: str
    size: str
    source: Path
    expected: str
    python: Path | None
    c_source: Path | None
    n: int | None            # the `local n = ...` problem size (passed to C and CPython)
    full_n: int | None       # the same at full size (to rewrite the CPython script)
    ref_interp_s: float | None

    @property
    def label(self) -> str:
        return self.name if self.size == "full" else f"{self.name} (small)"


class ProgramError(Exception):
    """A benchmark directory is incomplete (missing checksum, unknown name...)."""


def size_n(source: Path) -> int | None:
    """The problem size `local n = N` declared in a program, if it has exactly one."""
    found = _SIZE_N.findall(source.read_text(encoding="utf-8"))
    return int(found[0]) if len(found) == 1 else None


def parse_readme_table(readme: Path) -> dict[str, RefInterp]:
    """Reference-interpreter times per benchmark from the README's reference-points table.

    Columns are found by header text ("reference interpreter, small size" and
    "... full size (estimated)"), so column order may change; numbers may carry
    "≈", thousands separators and a parenthesised note ("0.045 (fib 15)").
    """
    if not readme.is_file():
        return {}
    rows = [line for line in readme.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("|")]
    table: dict[str, RefInterp] = {}
    header: list[str] | None = None
    for line in rows:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if set("".join(cells)) <= set("-: "):
            continue
        if any("reference interpreter" in c.lower() for c in cells):
            header = [c.lower() for c in cells]
            continue
        if header is None or len(cells) != len(header):
            continue
        small = _number(cells[_column(header, "small size")])
        full = _number(cells[_column(header, "full size (estimated)")])
        if small is not None and full is not None:
            table[cells[0].strip("`")] = RefInterp(small, full)
    return table


def _column(header: list[str], needle: str) -> int:
    for i, cell in enumerate(header):
        if "reference interpreter" in cell and needle in cell:
            return i
    raise ProgramError(f"README table has no 'reference interpreter, {needle}' column")


def _number(cell: str) -> float | None:
    m = re.match(r"[≈~]?\s*([\d,]*\.?\d+)", cell)
    return float(m.group(1).replace(",", "")) if m else None


def discover(suite_dir: Path, size: str, only: list[str] | None = None,
             extra_dir: Path = EXTRA_PROGRAMS) -> list[Program]:
    """Every benchmark of the suite plus benchmarks/programs/, in a stable order."""
    if size not in SIZES:
        raise ProgramError(f"unknown size {size!r} (known: {', '.join(SIZES)})")
    if not suite_dir.is_dir():
        raise ProgramError(f"benchmark suite not found: {suite_dir} (set NYASH_BENCH_DIR "
                           "or pass --suite DIR)")
    ref = parse_readme_table(suite_dir / "README.md")
    programs = [_program(d, name, size, ref.get(name))
                for d in (suite_dir, extra_dir) if d.is_dir()
                for name in _names(d)]
    if only:
        known = {p.name for p in programs}
        unknown = [n for n in only if n not in known]
        if unknown:
            raise ProgramError(f"unknown benchmark(s): {', '.join(unknown)} "
                               f"(known: {', '.join(sorted(known))})")
        programs = [p for p in programs if p.name in only]
    return programs


def _names(directory: Path) -> list[str]:
    return sorted(p.name[:-len(".nyash")] for p in directory.glob("*.nyash")
                  if not p.name.endswith(".small.nyash"))


def _program(directory: Path, name: str, size: str, ref: RefInterp | None) -> Program:
    """Pick the source of the requested size (a program without a small version is
    cheap enough to use as its own small version)."""
    full = directory / f"{name}.nyash"
    small = directory / f"{name}.small.nyash"
    source = small if size == "small" and small.is_file() else full
    out = source.with_suffix(".out")
    if not out.is_file():
        raise ProgramError(f"{source}: no expected output {out.name}")
    python = directory / "reference" / f"{name}.py"
    c_source = C_DIR / f"{name}.c"
    ref_s = None
    if ref is not None:
        ref_s = ref.small_s if source == small else ref.full_estimate_s
    return Program(name=name, size=size if source == small else "full", source=source,
                   expected=out.read_text(encoding="utf-8").strip(),
                   python=python if python.is_file() else None,
                   c_source=c_source if c_source.is_file() else None,
                   n=size_n(source), full_n=size_n(full), ref_interp_s=ref_s)
