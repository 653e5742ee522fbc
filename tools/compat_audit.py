#!/usr/bin/env python3
"""Compatibility audit (issue 17): run upstream Nyash's own programs through the
reference interpreter and through ``nyash run`` and compare their stdout.

Needs what CI does not have -- the upstream git mirror and the built reference
interpreter -- so no test depends on it.  Two steps:

    python tools/compat_audit.py run [--only SUBSTR] [--jobs 2]   # -> build/compat-audit/results.json
    python tools/compat_audit.py report                            # -> docs/compatibility.md

``run`` extracts tests/, local_tests/, examples/ and apps/ at the commit the oracle was
built from, runs each ``.nyash`` file in a fresh scratch directory (the interpreter
writes debug files into its cwd) with a time limit, and caches the oracle's results
(they never change) so re-runs only redo our side.  A program "runs cleanly" upstream
when the interpreter prints its completion marker, exits 0 and prints the same stdout
twice.  ``report`` joins the results with the hand-written classification of every
difference in ``tools/compat_notes.toml`` and writes the table with its counts.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path("/work/.mirror/moe-charm+nyash/repo")
COMMIT = "73191591e2f7c1a09fa101d89a9f16b00ffcc24b"
ORACLE = Path("/tmp/nyash-oracle/nyash")
DIRS = ("tests", "local_tests", "examples", "apps")
OUT_DIR = REPO / "build" / "compat-audit"
NOTES = REPO / "tools" / "compat_notes.toml"
DOC = REPO / "docs" / "compatibility.md"
START, DONE = "✅ Parse successful!", "✅ Execution completed successfully!"
STDOUT_CAP = 1 << 20  # bytes of our stdout kept per program


def list_programs(mirror: Path, commit: str) -> list[str]:
    out = subprocess.run(["git", f"--git-dir={mirror}", "ls-tree", "-r", "--name-only", commit, *DIRS],
                         check=True, capture_output=True, text=True).stdout
    return sorted(p for p in out.splitlines() if p.endswith(".nyash"))


def extract(mirror: Path, commit: str, dest: Path) -> None:
    """The four program directories at `commit`, for includes between them."""
    archive = subprocess.run(["git", f"--git-dir={mirror}", "archive", commit, *DIRS],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def _first_error(text: str) -> str:
    for line in text.splitlines():
        s = line.strip()
        if s.startswith(("❌ Parse error", "❌ Interpreter error", "❌ Runtime error:")) or "panicked at" in s:
            if s == "❌ Runtime error:":
                continue
            return s.lstrip("❌ ").strip()[:200]
    return ""


OLD_CTOR = "birth() constructor instead of"


def birth_spelling(text: str) -> str:
    """Rename constructors named after their box (``Room(...) {`` in ``box Room``, and
    ``from Room.Room(...)``) to ``birth``."""
    import re
    for name in set(re.findall(r"\bbox\s+(\w+)", text)):
        text = re.sub(rf"(?m)^(\s*){name}\s*\(", r"\1birth(", text)
        text = re.sub(rf"\bfrom\s+{name}\.{name}\s*\(", f"from {name}.birth(", text)
    return text


def include_root(tree: Path, rel: str) -> Path | None:
    """Upstream resolves `include` against the current directory, and its programs that
    include files expect their top directory (``examples/``) to be it."""
    import re
    if re.search(r'(?m)^\s*include\s+"', (tree / rel).read_text(encoding="utf-8", errors="replace")):
        return tree / rel.split("/")[0]
    return None


def run_oracle(path: Path, timeout: float, cwd: Path | None = None) -> dict:
    """One run in a scratch cwd (or `cwd`): the program's stdout between the markers,
    and why it did not finish cleanly (if so)."""
    with tempfile.TemporaryDirectory(prefix="oracle-") as scratch:
        try:
            p = subprocess.run([str(ORACLE), str(path)], cwd=cwd or scratch, capture_output=True, timeout=timeout,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raw = (e.stdout or b"").decode("utf-8", "replace")
            return {"rc": "timeout", "stdout": _between(raw), "done": False, "error": f"no end within {timeout:g} s"}
    raw = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    done = DONE in raw
    return {"rc": p.returncode, "stdout": _between(raw), "done": done,
            "error": "" if done else (_first_error(err + "\n" + raw) or f"exit {p.returncode}")}


def _between(raw: str) -> str:
    if START not in raw:
        return ""
    body = raw.split(START + "\n", 1)[-1] if START + "\n" in raw else ""
    return body.split(DONE, 1)[0]


def run_ours(path: Path, timeout: float, repo: Path = REPO, cwd: Path | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    with tempfile.TemporaryDirectory(prefix="ours-") as scratch, tempfile.TemporaryFile() as out:
        try:
            p = subprocess.run([sys.executable, "-m", "nyash_build", "run", "--timeout", str(timeout), str(path)],
                               cwd=cwd or scratch, env=env, stdout=out, stderr=subprocess.PIPE,
                               timeout=timeout + 120, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return {"rc": "timeout", "stdout": "", "stderr": "compiler did not finish"}
        # a program that loops printing writes gigabytes in its time limit: keep the start
        size = out.seek(0, os.SEEK_END)
        out.seek(0)
        stdout = out.read(STDOUT_CAP).decode("utf-8", "replace")
    res = {"rc": p.returncode, "stdout": stdout, "stderr": p.stderr.decode("utf-8", "replace")[-2000:]}
    if size > STDOUT_CAP:
        res["stdout_bytes"] = size
    return res


def cmd_run(args: argparse.Namespace) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    cache_file = OUT_DIR / "oracle.json"
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    results_file = OUT_DIR / args.out
    results = json.loads(results_file.read_text()) if results_file.exists() and args.only else {}
    progs = [p for p in list_programs(args.mirror, args.commit) if not args.only or args.only in p]
    tree = Path(tempfile.mkdtemp(prefix="nyash-upstream-"))
    extract(args.mirror, args.commit, tree)

    def one(rel: str) -> tuple[str, dict, dict]:
        src = tree / rel
        cwd = include_root(tree, rel)
        o = cache.get(rel)
        if o is None or args.refresh_oracle or o.get("cwd") != (cwd and cwd.name):
            o = run_oracle(src, args.timeout, cwd)
            o["cwd"] = cwd and cwd.name
            if o["done"] and o["rc"] == 0:
                again = run_oracle(src, args.timeout, cwd)
                o["varies"] = again["stdout"] != o["stdout"]
        if OLD_CTOR in o["error"] and "birth_spelled" not in o:
            # the same program with birth(...) constructors: what upstream prints for
            # the program we accept as written
            if cwd is None:
                respelled = src.with_name(src.stem + ".birth.nyash")
                respelled.write_text(birth_spelling(src.read_text(encoding="utf-8")), encoding="utf-8")
                o["birth_spelled"] = run_oracle(respelled, args.timeout)
            else:  # the included files too: a respelled copy of the whole directory
                with tempfile.TemporaryDirectory(prefix="respelled-") as tmp:
                    copy = Path(tmp) / cwd.name
                    shutil.copytree(cwd, copy)
                    for f in copy.rglob("*.nyash"):
                        f.write_text(birth_spelling(f.read_text(encoding="utf-8", errors="replace")), encoding="utf-8")
                    o["birth_spelled"] = run_oracle(Path(tmp) / rel, args.timeout, copy)
        return rel, o, run_ours(src, args.timeout, args.repo, cwd)

    with cf.ThreadPoolExecutor(args.jobs) as ex:
        for n, (rel, o, ours) in enumerate(ex.map(one, progs), 1):
            cache[rel] = o
            results[rel] = {"oracle": o, "ours": ours, "status": classify(o, ours)}
            print(f"[{n}/{len(progs)}] {results[rel]['status']:10} {rel}", flush=True)
    subprocess.run(["rm", "-rf", str(tree)])
    cache_file.write_text(json.dumps(cache, indent=1, sort_keys=True))
    results_file.write_text(json.dumps(results, indent=1, sort_keys=True))
    summary(results)


def clean(o: dict) -> bool:
    return o["done"] and o["rc"] == 0 and not o.get("varies")


def classify(o: dict, ours: dict) -> str:
    if not clean(o):
        return "upstream"
    same = ours["stdout"] == o["stdout"] and "stdout_bytes" not in ours
    return "identical" if same and ours["rc"] == 0 else "differs"


def summary(results: dict) -> None:
    counts: dict[str, int] = {}
    for r in results.values():
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    ident, diff = counts.get("identical", 0), counts.get("differs", 0)
    print(f"{len(results)} programs: {counts}")
    if ident + diff:
        print(f"identical on clean upstream programs: {ident}/{ident + diff} = {100 * ident / (ident + diff):.1f}%")


# ---------------------------------------------------------------------- report
# Why upstream cannot run a program, recognised from the interpreter's first error.
UPSTREAM_REASONS = [
    (r"Parse error in '([^']*)'.*birth\(\) constructor instead of (\w+)\(\)",
     r"the included `\1` uses the old constructor spelling `\2(...)`, which upstream's parser now rejects "
     r"(we accept it: issue 17)"),
    (r"expected birth\(\) constructor instead of (\w+)\(\)",
     r"old constructor spelling `\1(...)`, which upstream's parser now rejects (we accept it: issue 17)"),
    (r"Unknown Box type: FileBox", "FileBox cannot be created upstream (plugin only); compiled programs have it (issue 14)"),
    (r"Unknown Box type: (\w+)", r"`\1` does not exist upstream"),
    (r"Failed to read file '([^']*)'", "`include \"\\1\"` resolved against the current directory (issue 16)"),
    (r"Transparency system removed", "old `from Parent(...)` call form, removed upstream"),
    (r"Unexpected character '(.)'", r"character `\1` upstream's tokenizer rejects"),
    (r"Unterminated string literal", "unterminated string literal in the program"),
    (r"Unexpected token COLON", "type annotations (`name: Type`), not Nyash syntax"),
    (r"IntentBox constructor", "IntentBox/P2PBox messaging (not available, spec section 9)"),
    (r"Unsupported namespace|nyashstd", "`using nyashstd` (not available, spec section 9)"),
    (r"^Parse error: (.*)", r"upstream parse error: \1"),
    (r"no end within", "does not finish within the time limit (waits for the network or loops)"),
    (r"^Interpreter error: (.*)", r"runtime error in the program: \1"),
]
STATUS_TEXT = {
    "identical": "identical",
    "clock": "identical apart from the time or object ids it prints",
    "fixed": "identical (fixed in issue 17)",
    "intent": "differs: spec decision",
    "missing": "differs: feature not implemented yet",
    "unsupported": "differs: not available in compiled programs (spec section 9)",
    "bug": "differs: our bug (open)",
    "upstream": "upstream cannot run it",
}


WORLD_BOXES = {"FileBox", "TimeBox", "DateTimeBox", "TimerBox", "RandomBox"}          # issue 14
DATA_BOXES = {"BufferBox", "JSONBox", "RegexBox", "StreamBox", "DebugBox", "ResultBox"}  # issue 15
NETWORK_BOXES = {"SocketBox", "HTTPServerBox", "HTTPClientBox", "HttpClientBox", "HTTPBox", "HttpBox",
                 "P2PBox", "HTTPRequestBox", "HTTPResponseBox"}


def missing_features(r: dict) -> tuple[str, str, int | None] | None:
    """(category, reason, issue) for a difference caused by what compiled programs
    refuse, read from our compile errors."""
    import re
    err = r["ours"]["stderr"]
    calls = sorted(set(re.findall(r"network is not available in compiled programs \((\w+\.\w+)\)", err)))
    if calls:  # the box exists; the program reached one of its network methods
        return "unsupported", "calls " + ", ".join(f"`{c}()`" for c in calls) + " (no network)", None
    boxes = sorted(set(re.findall(r"(\w+) is not available in compiled programs", err)) - {"network"})
    words = sorted(set(re.findall(r"'(\w+)' is not available in compiled programs", err)))
    net = [b for b in boxes if b in NETWORK_BOXES]
    other = [b for b in boxes if b not in WORLD_BOXES | DATA_BOXES | NETWORK_BOXES]
    if net or other or words:
        what = ", ".join([*net, *other, *(f"`{w}`" for w in words)])
        return "unsupported", f"uses {what}", None
    world = [b for b in boxes if b in WORLD_BOXES]
    data = [b for b in boxes if b in DATA_BOXES]
    if world or data:
        issue = 14 if world else 15
        return "missing", "uses " + ", ".join(world + data), issue
    return None


def upstream_reason(o: dict) -> str:
    import re
    if o.get("varies"):
        return "stdout differs between two runs (time or randomness)"
    err = o["error"] or f"exit {o['rc']}"
    for pat, text in UPSTREAM_REASONS:
        m = re.search(pat, err)
        if m:
            return m.expand(text)
    return err


def ours_summary(r: dict) -> str:
    """The first error line of our stderr, without the warnings before it, their
    snippets, or diagnostic codes (docs/diagnostics.md)."""
    import re
    ours = r["ours"]
    if ours["rc"] == 0:
        return "runs"
    for line in ours["stderr"].splitlines():
        m = re.match(r"^\S.*?\.nyash:\d+:\d+: error: (.*?)(?: \[N\d+\])?$", line)
        if m:
            return ("compile error: " + m.group(1))[:140]
        if line.startswith(("Runtime error: ", "nyash: ")):
            return line[:140]
    return f"exit {ours['rc']}"


def same_but_clock(o: dict, ours: dict) -> bool:
    """Ours prints what upstream printed apart from numbers: a program that shows the
    current time (two upstream runs within one second look alike)."""
    import re
    digits = re.compile(r"\d+")
    return ours["rc"] == 0 and "stdout_bytes" not in ours and \
        digits.sub("#", ours["stdout"]) == digits.sub("#", o["stdout"])


def cmd_report(args: argparse.Namespace) -> None:
    results = json.loads((OUT_DIR / "results.json").read_text())
    baseline_file = OUT_DIR / "baseline.json"
    baseline = json.loads(baseline_file.read_text()) if baseline_file.exists() else {}
    if not baseline and DOC.exists():
        # no baseline run here: keep what the committed table says was fixed in issue 17
        # (a program still identical stays "fixed"; the table came from a real baseline)
        import re
        for m in re.finditer(r"^\| `([^`]+)` \| identical \(fixed in issue 17\) \|", DOC.read_text(), re.M):
            baseline[m.group(1)] = {"status": "differs"}
    notes = tomllib.loads(NOTES.read_text()) if NOTES.exists() else {}
    rows = []
    for rel, r in sorted(results.items()):
        note = notes.get(rel, {})
        st = r["status"]
        if st == "identical":
            before = baseline.get(rel, {}).get("status")
            cat = "fixed" if before == "differs" else "identical"
            reason = note.get("reason", "")
        elif st == "differs":
            auto = missing_features(r)
            cat, reason, issue = (note.get("category", "bug"), note.get("reason", "unclassified difference"),
                                  note.get("issue"))
            if auto is not None and "category" not in note:
                cat, reason, issue = auto
            elif "category" not in note and same_but_clock(r["oracle"], r["ours"]):
                cat, reason, issue = "clock", note.get("reason", "prints the current time"), None
            note = {**note, "issue": issue}
        else:
            cat = "upstream"
            reason = note.get("reason", upstream_reason(r["oracle"]))
            b = r["oracle"].get("birth_spelled")
            if b is not None and "reason" not in note:
                if b["done"] and b["rc"] == 0:
                    same = b["stdout"] == r["ours"]["stdout"]
                    refused = missing_features(r)
                    if same:
                        reason += "; respelled with birth(...) upstream prints exactly our output"
                    elif refused is not None:
                        reason += f"; respelled with birth(...) upstream runs it; it {refused[1]}" + (
                            f" (issue {refused[2]})" if refused[2] else " (spec section 9)")
                    else:
                        reason += "; respelled with birth(...) upstream prints something else than we do"
                else:
                    reason += f"; respelled with birth(...) it still fails upstream ({upstream_reason(b)})"
        if note.get("issue"):
            reason += f" (issue {note['issue']})"
        rows.append((rel, cat, reason, ours_summary(r), note.get("issue")))
    DOC.write_text(render(rows, notes.get("_intro", {}).get("text", "")))
    print(f"wrote {DOC}")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(rows: list, intro: str) -> str:
    from collections import Counter
    cats = Counter(r[1] for r in rows)
    clean = [r for r in rows if r[1] != "upstream"]
    same = cats["identical"] + cats["fixed"] + cats["clock"]
    by_issue = Counter(r[4] for r in rows if r[1] == "missing")
    runnable = [r for r in clean if r[1] not in ("missing", "unsupported")]
    out = ["# Compatibility with upstream's own programs", ""]
    if intro:
        out += [intro.strip(), ""]
    out += [
        "| | programs |", "|---|---|",
        f"| upstream programs run (tests/, local_tests/, examples/, apps/) | {len(rows)} |",
        f"| run cleanly in the reference interpreter | {len(clean)} |",
        f"| &nbsp; identical output | {same} ({cats['fixed']} of them fixed in issue 17; {cats['clock']} apart from "
        f"the time or the object ids they print) |",
        f"| &nbsp; differ by a spec decision (section 11) | {cats['intent']} |",
        *[f"| &nbsp; differ: feature of issue {i} not implemented yet | {n} |" for i, n in sorted(by_issue.items(), key=lambda x: str(x[0]))],
        f"| &nbsp; differ: network boxes, IntentBox or `using`, not available in compiled programs (spec section 9) | {cats['unsupported']} |",
        f"| &nbsp; differ: our bug, open | {cats['bug']} |",
        f"| upstream cannot run them (reason per program below) | {cats['upstream']} |",
        f"| &nbsp; of these, `nyash run` runs to the end | {sum(1 for r in rows if r[1] == 'upstream' and r[3] == 'runs')} |",
        f"| &nbsp; old `Name(...)` constructors only: respelled with `birth(...)`, upstream prints exactly our output "
        f"| {sum(1 for r in rows if 'prints exactly our output' in r[2])} |",
        "",
        f"Identical output on the programs that run cleanly upstream: **{same}/{len(clean)} = "
        f"{100 * same / max(1, len(clean)):.1f}%**; leaving out those that need a feature another issue "
        f"adds or that spec section 9 excludes: **{same}/{len(runnable)} = {100 * same / max(1, len(runnable)):.1f}%**; "
        f"identical or different only where spec section 11 decides so: "
        f"**{same + cats['intent']}/{len(runnable)} = {100 * (same + cats['intent']) / max(1, len(runnable)):.1f}%**.",
        "",
        "| program | status | reason | ours |", "|---|---|---|---|",
    ]
    for rel, cat, reason, ours, _ in rows:
        out.append(f"| `{rel}` | {STATUS_TEXT[cat]} | {_cell(reason)} | {_cell(ours)} |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--only", help="only programs whose path contains this")
    r.add_argument("--jobs", type=int, default=2)
    r.add_argument("--timeout", type=float, default=10)
    r.add_argument("--mirror", type=Path, default=MIRROR)
    r.add_argument("--commit", default=COMMIT)
    r.add_argument("--refresh-oracle", action="store_true")
    r.add_argument("--repo", type=Path, default=REPO, help="the nyash-build checkout to run (default: this one)")
    r.add_argument("--out", default="results.json", help="results file name under build/compat-audit/")
    sub.add_parser("report")
    args = ap.parse_args()
    {"run": cmd_run, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()
