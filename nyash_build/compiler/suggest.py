""""Did you mean ...?": the closest visible name to a misspelled one.

Callers pass only the names visible where the misspelling is (the locals declared so
far in this function, the globals, the methods of this receiver's box, ...); this
module never widens the scope. A candidate is offered when it differs only in case, or
when its edit distance (insertions, deletions, substitutions and swaps of two
neighbouring characters) is at most a third of the name's length. Names shorter than
three characters only get case-only matches: a one-letter typo there is as likely a
different name as a misspelling.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from ..diagnostics import Suggestion


def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, or ``limit + 1`` when it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)]


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The best candidate for ``name``, or None when nothing is close. Earlier
    candidates win ties (callers list the nearest scope first)."""
    seen = [c for c in dict.fromkeys(candidates) if c != name]
    folded = name.casefold()
    for c in seen:
        if c.casefold() == folded:
            return c
    if len(name) < 3:
        return None
    limit = len(name) // 3
    best, best_d = None, limit + 1
    n = len(name)
    for c in seen:
        if abs(len(c) - n) >= best_d:
            continue
        d = distance(name, c, best_d - 1)
        if d < best_d:
            best, best_d = c, d
    return best


def did_you_mean(name: str, candidates: Iterable[str] | Mapping[str, str]) -> tuple[Suggestion, ...]:
    """A one-element tuple with the suggestion (replacing the span), or (). A mapping
    gives each candidate's description ("a local variable declared at line 3")."""
    c = closest(name, candidates)
    if c is None:
        return ()
    what = candidates.get(c, "") if isinstance(candidates, Mapping) else ""
    return (Suggestion(f"did you mean `{c}`{' (' + what + ')' if what else ''}?", c),)
