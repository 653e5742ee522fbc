"""Results, ratios, the performance targets (issue 19, plus issue 6's reference-
interpreter goal), where execution goes, and their presentation (table, JSON, PNG)."""
from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from .measure import Timing
from .profile import Profile
from .throughput import TARGET_SECONDS, Throughput

FIB30 = "fib30"
FIB30_TARGET_S = 0.0025
# issue 19: every program and the geomean against CPython and gcc -O2
EACH_VS_CPYTHON, GEO_VS_CPYTHON = 5, 25
GEO_VS_C, EACH_VS_C = 1.5, 4
REF_INTERP = 1000  # issue 6


@dataclass
class ProgramResult:
    """Every column for one program (None = not measured / not available)."""
    name: str
    label: str
    size: str
    aot_process: Timing | None = None
    aot_first_run_s: float | None = None     # untimed warm-up run of a new executable
    aot_exec: Timing | None = None
    aot_variant: str | None = None
    exec_by_variant: dict[str, Timing | None] = field(default_factory=dict)
    nyash_run: Timing | None = None
    cpython: Timing | None = None
    c: Timing | None = None
    ref_interp_s: float | None = None
    profile: Profile | None = None

    def ratios(self) -> dict[str, float | None]:
        """The four ratios of the report; larger means "AOT looks better" except aot_c."""
        exec_s = _m(self.aot_exec)
        base, v3 = _m(self.exec_by_variant.get("baseline")), _m(self.exec_by_variant.get("x86-64-v3"))
        return {
            "cpython_over_aot": _div(_m(self.cpython), exec_s),
            "aot_over_c": _div(exec_s, _m(self.c)),
            "ref_over_aot": _div(self.ref_interp_s, exec_s),
            "baseline_over_v3": _div(base, v3),
        }


RATIO_TITLES = {
    "cpython_over_aot": "CPython / AOT exec",
    "aot_over_c": "AOT exec / gcc -O2",
    "ref_over_aot": "ref. interpreter / AOT exec",
    "baseline_over_v3": "baseline / v3 exec",
}


@dataclass
class Target:
    """One goal of issue 6, evaluated on a measured value."""
    name: str
    value: float | None
    threshold: float
    at_least: bool          # True: value >= threshold passes; False: value < threshold
    unit: str
    detail: str = ""

    @property
    def status(self) -> str:
        if self.value is None:
            return "n/a"
        ok = self.value >= self.threshold if self.at_least else self.value < self.threshold
        return "PASS" if ok else "MISS"


@dataclass
class Report:
    size: str
    runs: int
    programs: list[ProgramResult]
    throughput: Throughput | None = None
    load: tuple[float, float] | None = None   # 1-minute load average at start and end

    def geomeans(self) -> dict[str, float | None]:
        return {key: geomean([p.ratios()[key] for p in self.programs]) for key in RATIO_TITLES}

    def targets(self) -> list[Target]:
        g = self.geomeans()
        py = self._present("cpython_over_aot")
        c = self._present("aot_over_c")
        targets = [
            Target(f"every program >={EACH_VS_CPYTHON}x faster than CPython (slowest, AOT exec)",
                   min(py.values()) if py else None, EACH_VS_CPYTHON, True, "x",
                   _tally(py, lambda r: r >= EACH_VS_CPYTHON)),
            Target(f">={GEO_VS_CPYTHON}x faster than CPython (geomean, AOT exec)", g["cpython_over_aot"],
                   GEO_VS_CPYTHON, True, "x"),
            Target(f"within {GEO_VS_C}x of gcc -O2 (geomean, AOT exec)", g["aot_over_c"], GEO_VS_C,
                   False, "x"),
            Target(f"no program worse than {EACH_VS_C}x of gcc -O2 (worst, AOT exec)",
                   max(c.values()) if c else None, EACH_VS_C, False, "x",
                   _tally(c, lambda r: r < EACH_VS_C)),
            Target(f">={REF_INTERP}x faster than the reference interpreter (geomean; issue 6)",
                   g["ref_over_aot"], REF_INTERP, True, "x",
                   _tally(self._present("ref_over_aot"), lambda r: r >= REF_INTERP)),
        ]
        fib = next((p for p in self.programs if p.name == FIB30), None)
        fib_s = _m(fib.aot_exec) if fib else None
        targets.append(Target(f"fib(30) execution < {FIB30_TARGET_S * 1000:g} ms",
                              None if fib_s is None else fib_s * 1000,
                              FIB30_TARGET_S * 1000, False, "ms"))
        if self.throughput is not None:
            targets.append(Target(f"compile {self.throughput.lines} lines < 1 s",
                                  self.throughput.seconds, TARGET_SECONDS, False, "s",
                                  f"{self.throughput.lines_per_s:,.0f} lines/s"))
        return targets

    def _present(self, key: str) -> dict[str, float]:
        return {p.label: r for p in self.programs if (r := p.ratios()[key]) is not None}


def _m(t: Timing | None) -> float | None:
    return None if t is None else t.value


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def _tally(values: dict[str, float], ok) -> str:
    """"7/9 programs; misses: maps 2.6x, sieve 4.6x" """
    if not values:
        return ""
    misses = [f"{label} {fmt_ratio(v)}" for label, v in values.items() if not ok(v)]
    text = f"{len(values) - len(misses)}/{len(values)} programs"
    return text + (f"; misses: {', '.join(misses)}" if misses else "")


def geomean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None and v > 0]
    if not present:
        return None
    return math.exp(sum(math.log(v) for v in present) / len(present))


# ------------------------------------------------------------------------ table
COLUMNS = (
    ("AOT proc", lambda p: _m(p.aot_process)),
    ("AOT exec", lambda p: _m(p.aot_exec)),
    ("v3 exec", lambda p: _m(p.exec_by_variant.get("x86-64-v3"))),
    ("base exec", lambda p: _m(p.exec_by_variant.get("baseline"))),
    ("nyash run", lambda p: _m(p.nyash_run)),
    ("CPython", lambda p: _m(p.cpython)),
    ("gcc -O2", lambda p: _m(p.c)),
    ("ref interp", lambda p: p.ref_interp_s),
)
RATIO_HEADS = ("Py/AOT", "AOT/C", "ref/AOT", "base/v3")


def fmt_ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    ms = seconds * 1000
    if ms < 100:
        return f"{ms:.2f}"
    if ms < 10_000:
        return f"{ms:.1f}"
    return f"{ms:,.0f}"


def fmt_ratio(r: float | None) -> str:
    if r is None:
        return "-"
    return f"{r:,.0f}x" if r >= 100 else f"{r:.2f}x"


def render(report: Report) -> str:
    """The human-readable table, geometric means and target verdicts."""
    heads = ["program", *(h for h, _ in COLUMNS), *RATIO_HEADS]
    rows = [[p.label, *(fmt_ms(get(p)) for _, get in COLUMNS),
             *(fmt_ratio(r) for r in p.ratios().values())] for p in report.programs]
    geo = ["geomean", *([""] * len(COLUMNS)), *(fmt_ratio(g) for g in report.geomeans().values())]
    widths = [max(len(r[i]) for r in [heads, *rows, geo]) for i in range(len(heads))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    rule = "-" * len(line(heads))
    out = [f"Nyash benchmarks: size={report.size}, {_stat_words(report.runs)}; times in ms"
           + (f"; load average {report.load[0]:.1f} at start, {report.load[1]:.1f} at end" if report.load else ""),
           rule, line(heads), rule, *map(line, rows), rule, line(geo), rule]
    out += _noise(report)
    out += _legend(report)
    out += _profiles(report)
    out += ["", "Targets (issue 19; reference interpreter: issue 6):"]
    for t in report.targets():
        value = "-" if t.value is None else f"{t.value:,.2f} {t.unit}"
        detail = f"  ({t.detail})" if t.detail else ""
        out.append(f"  [{t.status:4}] {t.name}: {value}{detail}")
    if report.size != "full":
        out.append("  note: small sizes are dominated by start-up; targets are meant for --size full")
    return "\n".join(out)


def _stat_words(runs: int) -> str:
    return f"best of {runs} run(s)" if Timing.statistic == "min" else f"median of {runs} run(s)"


NOISE_COLUMNS = (("AOT exec", lambda p: p.aot_exec), ("CPython", lambda p: p.cpython),
                 ("gcc -O2", lambda p: p.c))


def _noise(report: Report) -> list[str]:
    """How far apart the runs were (slowest / fastest), per column: the median over the
    programs and the worst one -- the error bars of the ratios above."""
    parts = []
    for head, get in NOISE_COLUMNS:
        spreads = {p.label: t.spread for p in report.programs if (t := get(p)) is not None and len(t.runs) > 1}
        if spreads:
            worst = max(spreads, key=spreads.get)
            parts.append(f"{head} {statistics.median(spreads.values()):.2f}x (worst {worst} {spreads[worst]:.2f}x)")
    return [f"Noise (slowest / fastest run): {'; '.join(parts)}"] if parts else []


def _profiles(report: Report) -> list[str]:
    """Where execution goes, per program (see profile.py: deterministic counts)."""
    profiled = [p for p in report.programs if p.profile is not None]
    if not profiled:
        return []
    width = max(len(p.label) for p in profiled)
    out = ["", "Where execution goes (wasm instructions executed per function, counted in an "
           "instrumented JIT run; deterministic, a proxy for time):"]
    out += [f"  {p.label.ljust(width)}  {p.profile.summary()}" for p in profiled]
    return out


def _legend(report: Report) -> list[str]:
    variants = sorted({p.aot_variant for p in report.programs if p.aot_variant})
    sources = sorted({p.aot_exec.source for p in report.programs if p.aot_exec})
    lines = ["AOT proc = standalone executable, whole process (after one warm-up start);"
             " AOT exec = its _start only"
             f" (variant {', '.join(variants) or '-'}; measured {', '.join(sources) or '-'});",
             "nyash run = JIT incl. compile, whole process; CPython/gcc = whole process;",
             "ref interp = reference interpreter time from the suite README ("
             + ("estimated from its small-size run)." if report.size == "full"
                else "measured at small size).")]
    if report.throughput is not None:
        t = report.throughput
        lines.append(f"Compiler throughput: {t.lines} lines -> .wasm in {t.seconds * 1000:.0f} ms "
                     f"({t.lines_per_s:,.0f} lines/s)")
    return lines


# ----------------------------------------------------------------- JSON and PNG
def to_json(report: Report) -> dict:
    def timing(t: Timing | None) -> dict | None:
        return None if t is None else {"median_s": t.median, "best_s": t.best, "runs_s": t.runs,
                                       "source": t.source}

    return {
        "size": report.size,
        "runs": report.runs,
        "statistic": Timing.statistic,
        "load_average": report.load,
        "programs": [{
            "name": p.name, "size": p.size, "aot_variant": p.aot_variant,
            "aot_process": timing(p.aot_process), "aot_first_run_s": p.aot_first_run_s,
            "aot_exec": timing(p.aot_exec),
            "exec_by_variant": {v: timing(t) for v, t in p.exec_by_variant.items()},
            "nyash_run": timing(p.nyash_run), "cpython": timing(p.cpython), "c": timing(p.c),
            "ref_interp_s": p.ref_interp_s, "ratios": p.ratios(),
            "profile": None if p.profile is None else {
                "instructions": p.profile.total, "by_area": p.profile.by_area(),
                "by_function": {n.lstrip("$"): c for n, c in p.profile.top(20)}},
        } for p in report.programs],
        "geomeans": report.geomeans(),
        "throughput": None if report.throughput is None else {
            "lines": report.throughput.lines, "median_s": report.throughput.seconds,
            "runs_s": report.throughput.runs, "lines_per_s": report.throughput.lines_per_s},
        "targets": [{"name": t.name, "value": t.value, "threshold": t.threshold,
                     "unit": t.unit, "status": t.status} for t in report.targets()],
    }


def write_json(report: Report, path: Path) -> None:
    path.write_text(json.dumps(to_json(report), indent=2) + "\n", encoding="utf-8")


TARGET_LINES = {"cpython_over_aot": GEO_VS_CPYTHON, "aot_over_c": GEO_VS_C,
                "ref_over_aot": REF_INTERP}


def write_chart(report: Report, path: Path) -> bool:
    """One log-scale bar panel per ratio, target as a dashed line. False without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    names = [p.label for p in report.programs]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    for ax, (key, title) in zip(axes.flat, RATIO_TITLES.items()):
        values = [p.ratios()[key] or 0 for p in report.programs]
        bars = ax.bar(names, values, color="#4C72B0")
        ax.bar_label(bars, labels=[fmt_ratio(v) if v else "" for v in values], fontsize=8)
        ax.axhline(1, color="grey", linewidth=0.8)
        if key in TARGET_LINES:
            ax.set_yscale("log")
            shown = [v for v in values if v > 0] + [TARGET_LINES[key], 1]
            ax.set_ylim(min(shown) / 2, max(shown) * 3)
            ax.axhline(TARGET_LINES[key], color="#C44E52", linestyle="--", label="target")
            ax.legend(loc="best")
        ax.set_title(title)
        ax.tick_params(axis="x", rotation=45)
    fig.suptitle(f"Nyash AOT benchmarks (size={report.size}, {_stat_words(report.runs)})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True
