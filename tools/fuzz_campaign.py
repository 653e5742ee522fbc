"""Differential fuzzing campaigns beyond the CI profile (not part of the test suite).

Generates programs with tests/fuzz/gen_dyn.py and compares what ``nyash run`` prints
with a judge:

  ref     the spec's reference evaluator (tests/fuzz/refeval.py); every feature
  oracle  the reference interpreter (run-share.sh: upstream with shared arrays/maps, spec
          section 4.1) on the subset where upstream and the spec agree; the evaluator is
          checked against the oracle too (a disagreement there is a generator/evaluator
          issue or a spec decision, reported apart)

Every mismatch is shrunk to a small program and written to --out. With
``--native-every K`` every K-th program is also built as an executable
(``--compile-native``) whose output must equal the in-process run.

    python tools/fuzz_campaign.py --n 500 --seed 1
    python tools/fuzz_campaign.py --judge oracle --n 200 --seed 7 --native-every 25
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nyash_build.diagnostics import CompileError  # noqa: E402
from tests.fuzz.differ import (Verdict, compare_with_oracle, compare_with_reference,  # noqa: E402
                               reference_outcome, shrink)
from tests.fuzz.gen import Chooser, render  # noqa: E402
from tests.fuzz.gen_dyn import generate  # noqa: E402
from tests.fuzz.harness import RunResult, build_exe, run_exe, run_in_process  # noqa: E402
from tests.fuzz.refeval import Program, normalize_ids  # noqa: E402

ORACLE = os.environ.get("NYASH_ORACLE", "/tmp/nyash-oracle/nyash-share")

# Upstream behaviours the spec decides against (section 11) that the oracle-mode
# generator cannot rule out statically: a mismatch whose oracle error matches one of
# these is counted as legitimate, not as a finding.
LEGIT = [
    # after a try catches an error raised inside a called function or method, upstream
    # keeps the callee's scope: the caller's locals are "undefined" from then on
    ("upstream loses the caller's locals after catching an error from a call",
     re.compile(r"Undefined variable '(?!nosuch)")),
    # from Grandparent.m() bound by the runtime class (spec section 6 decision)
    ("from-call checked against the runtime class (spec section 6)", re.compile(r"does not delegate to")),
    # ArrayBox.sort of strings mixed with numbers: upstream's comparison is not a total
    # order and Rust's sort panics on some inputs (spec section 7: numbers before strings)
    ("upstream's sort panics on mixed kinds", re.compile(r"panicked at .*/slice/sort/")),
]


def run_ours(source: str) -> RunResult | str:
    """The in-process run, or the text of a compile failure (always a bug here)."""
    try:
        return run_in_process(source)
    except CompileError as e:
        return f"compile error: {e}"
    except Exception as e:  # noqa: BLE001 - an internal compiler error is a finding
        return f"internal error: {type(e).__name__}: {e}"


_last_oracle_error = ""


def run_oracle(source: str) -> tuple[str, int]:
    """The reference interpreter's program output and exit status (its own banner and
    debug lines stripped, as run-oracle.sh does); its error line is kept apart."""
    global _last_oracle_error
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "p.nyash"
        f.write_text(source)
        try:
            p = subprocess.run([ORACLE, str(f)], capture_output=True, text=True, timeout=60,
                               cwd=d, errors="replace")
        except subprocess.TimeoutExpired:
            _last_oracle_error = "timeout"
            return "", 124
    out, on = [], False
    for line in p.stdout.splitlines(keepends=True):
        if "Parse successful!" in line:
            on = True
        elif "Execution completed successfully!" in line:
            on = False
        elif on:
            out.append(line)
    errors = [ln for ln in p.stderr.splitlines() if "error" in ln.lower() or "panicked at" in ln]
    _last_oracle_error = "\n".join(errors[-3:]) if p.returncode else ""
    if not any("Parse successful!" in ln for ln in p.stdout.splitlines()):
        _last_oracle_error = "parse error: " + _last_oracle_error
    return "".join(out), p.returncode


# Upstream's object ids are large and grow with every box it creates; ours are small. A
# program that measures or edits an instance's printed form ("<B0 instance #585>".length(),
# .toUpper(), .replace("a", ...)) prints something that depends on the ids, which
# normalize_ids cannot undo. Such a program is rerun upstream with every id shifted (boxes
# created first): if its normalised output changes, the mismatch says nothing.
ID_PAD = "local idpad_ = 0\nloop(idpad_ < 300) {\n    idpad_ = idpad_ + 1\n}\n"


def depends_on_ids(source: str, out: str) -> bool:
    global _last_oracle_error
    saved = _last_oracle_error
    shifted, _ = run_oracle(ID_PAD + source)
    _last_oracle_error = saved
    return normalize_ids(shifted) != normalize_ids(out)


def legit_reason(verdict: Verdict) -> str | None:
    """The spec decision behind an oracle mismatch, when the oracle's error shows it."""
    if not verdict or not _last_oracle_error:
        return None
    for reason, rx in LEGIT:
        if rx.search(_last_oracle_error):
            return reason
    return None


def check(prog: Program, judge: str) -> Verdict:
    """Mismatch of our run against the judge for prog (empty Verdict: agree, or the
    program is out of budget)."""
    expected = reference_outcome(prog)
    if expected is None:
        return Verdict()
    source = render(prog)
    got = run_ours(source)
    if isinstance(got, str):
        return Verdict("compile", got)
    if judge == "ref":
        return compare_with_reference(expected, got)
    out, code = run_oracle(source)
    verdict = compare_with_oracle(out, code, got)
    if legit_reason(verdict):
        return Verdict()
    if verdict and depends_on_ids(source, out):
        return Verdict()
    if verdict:
        verdict.detail += f"\noracle error: {_last_oracle_error}"
    return verdict


def refeval_vs_oracle(prog: Program) -> Verdict:
    expected = reference_outcome(prog)
    if expected is None:
        return Verdict()
    source = render(prog)
    out, code = run_oracle(source)
    if any(rx.search(_last_oracle_error) for _, rx in LEGIT):
        return Verdict()
    if normalize_ids(out) != expected.stdout:
        if depends_on_ids(source, out):
            return Verdict()
        return Verdict("ref-vs-oracle", f"oracle:\n{out}\nrefeval:\n{expected.stdout}")
    if (code != 0) != (expected.code != 0):
        return Verdict("ref-vs-oracle-exit", f"oracle exit {code}, refeval {expected.code} {expected.error}")
    return Verdict()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--judge", choices=("ref", "oracle"), default="ref")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--size", type=int, default=12)
    ap.add_argument("--native-every", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("build/fuzz-findings"))
    ap.add_argument("--no-shrink", action="store_true")
    args = ap.parse_args()
    oracle = args.judge == "oracle"
    args.out.mkdir(parents=True, exist_ok=True)
    stats = {"run": 0, "budget": 0, "mismatch": 0, "ref-vs-oracle": 0, "native": 0, "native-mismatch": 0}
    start = time.time()
    cache = Path(tempfile.mkdtemp(prefix="fuzz-runner-"))
    for seed in range(args.seed, args.seed + args.n):
        prog = generate(Chooser.from_seed(seed), size=args.size, oracle=oracle)
        if reference_outcome(prog) is None:
            stats["budget"] += 1
            continue
        stats["run"] += 1
        verdict = check(prog, args.judge)
        if oracle and not verdict:
            rv = refeval_vs_oracle(prog)
            if rv:
                stats["ref-vs-oracle"] += 1
                _report(args.out, seed, "refvo", prog, rv, lambda p: bool(refeval_vs_oracle(p)), args.no_shrink)
        if verdict:
            stats["mismatch"] += 1
            reason = verdict.reason
            _report(args.out, seed, "mismatch", prog, verdict,
                    lambda p: check(p, args.judge).reason == reason, args.no_shrink)
        elif args.native_every and seed % args.native_every == 0:
            stats["native"] += 1
            source = render(prog)
            with tempfile.TemporaryDirectory() as d:
                exe = build_exe(source, Path(d) / "app")
                native = run_exe(exe, cache)
            inproc = run_in_process(source)
            if (native.stdout, native.code, native.stderr) != (inproc.stdout, inproc.code, inproc.stderr):
                stats["native-mismatch"] += 1
                (args.out / f"native-{seed}.nyash").write_text(source)
                print(f"seed {seed}: NATIVE differs from in-process run", flush=True)
        if seed % 25 == 0:
            print(f"[{seed}] {stats} {time.time() - start:.0f}s", flush=True)
    print(f"done: {stats} in {time.time() - start:.0f}s")
    return 1 if stats["mismatch"] or stats["native-mismatch"] else 0


def _report(out: Path, seed: int, kind: str, prog: Program, verdict: Verdict, pred, no_shrink: bool) -> None:
    print(f"seed {seed}: {kind} {verdict.reason}: {verdict.detail[:300]}", flush=True)
    small = prog if no_shrink else shrink(prog, pred, max_tries=250 if kind == "refvo" else 600)
    text = render(small)
    (out / f"{kind}-{seed}.nyash").write_text(text)
    (out / f"{kind}-{seed}.txt").write_text(f"{verdict.reason}\n{verdict.detail}\n")
    print(text, flush=True)


if __name__ == "__main__":
    sys.exit(main())
