"""Comparing a compiled run with a judge, and shrinking a mismatching program.

The judge is the spec's reference evaluator (refeval.py) or, in campaigns, the
reference interpreter (tools/fuzz_campaign.py). ``shrink`` reduces a Program tree by
deleting statements, unwrapping blocks and dropping declarations while the mismatch
predicate still holds, so a failure is reported as a small program.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

from .harness import RunResult
from .refeval import Budget, Outcome, Program, _Break, _Return, evaluate, normalize_ids


@dataclass
class Verdict:
    """Why a run differs from the judge (empty ``reason``: it does not)."""
    reason: str = ""
    detail: str = ""

    def __bool__(self) -> bool:
        return bool(self.reason)


def compare_with_reference(expected: Outcome, got: RunResult) -> Verdict:
    """Same stdout (instance ids normalised), same exit status, and for a runtime error
    a ``Runtime error: `` line containing the evaluator's message."""
    out = normalize_ids(got.stdout)
    if out != expected.stdout:
        return Verdict("stdout", _diff(expected.stdout, out))
    if got.code != expected.code:
        return Verdict("exit", f"exit {got.code}, expected {expected.code}\n{got.stderr}")
    if expected.error is None:
        if got.stderr != "":
            return Verdict("stderr", got.stderr)
    else:
        # instance ids are arbitrary in an error message too (an uncaught ErrorBox
        # built from "..." + instance)
        first = normalize_ids(got.stderr.splitlines()[0]) if got.stderr else ""
        if not (first.startswith("Runtime error: ") and expected.error in first):
            return Verdict("error", f"expected error {expected.error!r}, got {first!r}")
    return Verdict()


def compare_with_oracle(oracle_stdout: str, oracle_code: int, got: RunResult) -> Verdict:
    """Same stdout (instance ids normalised) and both or neither failing."""
    a, b = normalize_ids(oracle_stdout), normalize_ids(got.stdout)
    if a != b:
        return Verdict("stdout", _diff(a, b))
    if (oracle_code != 0) != (got.code != 0):
        return Verdict("exit", f"exit {got.code}, oracle {oracle_code}\n{got.stderr}")
    return Verdict()


def _diff(want: str, got: str) -> str:
    w, g = want.splitlines(), got.splitlines()
    for i, (x, y) in enumerate(zip(w, g)):
        if x != y:
            return f"line {i + 1}: expected {x!r}, got {y!r}"
    return f"expected {len(w)} lines, got {len(g)} (first extra: {(w[len(g):] or g[len(w):])[0]!r})"


def reference_outcome(prog: Program) -> Outcome | None:
    """The evaluator's outcome; None when prog is out of budget or (a shrinking
    candidate) refers to a box, function or parent that was cut away."""
    try:
        return evaluate(prog)
    except Budget:
        return None
    except (KeyError, AttributeError, TypeError, ValueError, IndexError):
        return None
    except (_Break, _Return):
        return None  # a shrinking candidate that cut the loop around a break away


# ---- shrinking -------------------------------------------------------------------------
def _bodies(prog: Program) -> list[list]:
    """Every statement list of the program (mutable in place), outermost first."""
    out: list[list] = [prog.main]
    for _, body in prog.functions.values():
        out.append(body)
    for _, methods in prog.boxes.values():
        for _, body in methods.values():
            out.append(body)
    i = 0
    while i < len(out):
        for s in out[i]:
            if s[0] == "if":
                out.append(s[2])
                if s[3] is not None:
                    out.append(s[3])
            elif s[0] == "loop":
                out.append(s[2])
            elif s[0] == "try":
                for part in s[1], s[3], s[4]:
                    if part is not None:
                        out.append(part)
        i += 1
    return out


def _candidates(prog: Program):
    """Smaller variants of prog, biggest cuts first."""
    for name in list(prog.boxes):
        p = copy.deepcopy(prog)
        del p.boxes[name]
        p.parents.pop(name, None)
        yield p
    for name in list(prog.functions):
        p = copy.deepcopy(prog)
        del p.functions[name]
        yield p
    for name, (_, methods) in prog.boxes.items():
        for m in list(methods):
            p = copy.deepcopy(prog)
            del p.boxes[name][1][m]
            yield p
    n_bodies = len(_bodies(prog))
    for bi in range(n_bodies):
        length = len(_bodies(prog)[bi])
        chunk = max(length // 2, 1)
        while chunk >= 1:
            for start in range(0, length, chunk):
                p = copy.deepcopy(prog)
                body = _bodies(p)[bi]
                if start >= len(body):
                    break
                del body[start:start + chunk]
                yield p
            if chunk == 1:
                break
            chunk //= 2
    for bi in range(n_bodies):
        for si, s in enumerate(_bodies(prog)[bi]):
            replacements: list[list] = []
            if s[0] == "if":
                replacements = [s[2]] + ([s[3]] if s[3] is not None else [])
            elif s[0] == "loop":
                replacements = [s[2]]
            elif s[0] == "try":
                replacements = [s[1]] + [p for p in (s[3], s[4]) if p is not None]
                replacements.append([("try", s[1], s[2], s[3], None)] if s[4] is not None else [])
            for r in replacements:
                p = copy.deepcopy(prog)
                body = _bodies(p)[bi]
                body[si:si + 1] = copy.deepcopy(r)
                yield p


def shrink(prog: Program, still_fails: Callable[[Program], bool], max_tries: int = 3000) -> Program:
    """Greedy reduction: take the first smaller variant that still fails, repeat."""
    tries = 0
    progress = True
    while progress and tries < max_tries:
        progress = False
        for cand in _candidates(prog):
            tries += 1
            if tries >= max_tries:
                break
            if still_fails(cand):
                prog = cand
                progress = True
                break
    return prog
