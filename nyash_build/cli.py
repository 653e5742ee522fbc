"""The ``nyash`` command line.  Argument parsing only: every action calls a stage.

Exit codes: the program's own status for ``run``; 1 for compile errors (the
diagnostics go to stderr as ``file:line:col: error: message [CODE]`` with the source
line and a marker, or to stdout as JSON lines with ``--format json``); 2 for usage
errors; 70 for a genuine compiler bug.
"""
from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .diagnostics import CompileError, EnvironmentProblem
from .envproblems import classify, os_reason, write_problem
from .report import COLORS, FORMATS, Reporter

USAGE = """\
usage: nyash run [--timeout S] [--dir D]... APP.nyash [ARGS...]   compile and run (JIT, in process)
       nyash APP.nyash [ARGS...]              same as run
       nyash check [--format F] APP.nyash     run all compile-time checks only
       nyash --compile-wasm APP.nyash -o APP.wasm
       nyash --emit-wat APP.nyash [-o APP.wat]
       nyash --compile-native APP.nyash -o APP [--debug] [--opt-level L] [--dir D]... [--no-files]
       nyash --aot APP.nyash                  same, writes ./APP
       nyash build [APP] [--profile P] [--explain] [-C DIR] [--format F]
       nyash init NAME [--lib]
       nyash cache prune [--all] [--days N]
       nyash explain CODE                     what a diagnostic code (N0201) means
       nyash bench [options]                  benchmark harness (see benchmarks/)
       nyash --version | --help
options of every command, before the source file:
       --color auto|always|never              colour diagnostics (auto: stderr is a terminal
                                              and NO_COLOR is unset)
       --format text|json                     check, build, --compile-*: JSON lines on stdout
"""


# The reporter of this invocation (set by main from --format / --color).
REPORT = Reporter()


@contextmanager
def _writing(out: str | os.PathLike):
    """Turn any OSError while producing `out` into one clear line (disk full, bad dir);
    a missing tool or library met on the way is reported as that."""
    try:
        yield
    except OSError as e:
        problem = classify(e)
        if problem is not None and (problem.code in ("N0604", "N0605") or "NYASH_CACHE_DIR" in problem.fix):
            raise problem from None  # not about `out`: a tool, a library, the cache
        raise write_problem(out, e) from None


def _fail(msg: str, code: int = 1) -> int:
    sys.stderr.write(f"nyash: {msg}\n")
    return code


def _compile(path: str, *, debug: bool = False):
    from .compiler.driver import compile_file
    result = compile_file(Path(path), debug=debug)
    REPORT.add_sources(result.sources)
    REPORT.diagnostics(result.warnings)
    return result


def _take_options(args: list[str], *, stop_at_positional: bool) -> tuple[dict[str, str], list[str]]:
    """Pull ``--color X`` / ``--format X`` (or ``=X``) out of args. With
    ``stop_at_positional`` only options before the first other argument count (for
    ``run``, everything after the source file belongs to the program)."""
    found: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        name = next((n for n in ("--color", "--format") if a == n or a.startswith(n + "=")), None)
        if name is None:
            if stop_at_positional and not a.startswith("-"):
                rest += args[i:]
                break
            if stop_at_positional and a in ("--timeout", "--dir"):  # run's options with a value
                rest += args[i:i + 2]
                i += 2
                continue
            rest.append(a)
            i += 1
            continue
        if a == name:
            if i + 1 >= len(args):
                raise _Usage(f"{name} needs a value")
            value, i = args[i + 1], i + 2
        else:
            value, i = a.split("=", 1)[1], i + 1
        allowed = COLORS if name == "--color" else FORMATS
        if value not in allowed:
            raise _Usage(f"{name} must be one of {', '.join(allowed)}, not '{value}'")
        found[name[2:]] = value
    return found, rest


def _run_options(args: list[str]) -> tuple[str | None, list[str] | None, list[str]]:
    """(--timeout value or None, --dir directories or None, the rest). Options only
    come before the source file: everything after it belongs to the program."""
    timeout = None
    dirs: list[str] | None = None
    while args and args[0].startswith(("--timeout", "--dir")):
        name, eq, value = args[0].partition("=")
        if name not in ("--timeout", "--dir"):
            break
        if not eq:
            if len(args) < 2:
                raise _Usage("run: --timeout needs a number of seconds" if name == "--timeout"
                             else "run: --dir needs a directory")
            value, args = args[1], args[2:]
        else:
            args = args[1:]
        if name == "--timeout":
            timeout = value
        else:
            dirs = [*(dirs or []), value]
    return timeout, dirs, args


class _Usage(Exception):
    """A usage error of a command: one line, exit 2."""


def cmd_run(args: list[str]) -> int:
    try:
        timeout, dirs, args = _run_options(args)
    except _Usage as e:
        return _fail(str(e), 2)
    if not args:
        return _fail("run: missing source file\n" + USAGE, 2)
    from runtime_stub.runner import RunnerError, time_limit
    try:
        time_limit(timeout)  # a bad limit fails before compiling
    except RunnerError as e:
        return _fail(str(e), e.code)
    result = _compile(args[0])
    from runtime_stub.runner import run_wasm
    from .runtime_errors import snippet_for
    return run_wasm(result.wasm, meta=result.meta, argv=[args[0], *args[1:]],
                    timeout=timeout, fs=dirs, annotate=snippet_for(result, REPORT))


def cmd_check(args: list[str]) -> int:
    if len(args) != 1:
        return _fail("check: expected one source file", 2)
    from .compiler.driver import check_file
    path = Path(args[0])
    info = check_file(path)
    REPORT.add_sources(info.sources)
    # check is strict: runtime errors found statically are errors here
    diags = [w.strict() for w in info.warnings]
    REPORT.diagnostics(diags)
    if any(d.severity == "error" for d in diags):
        return 1
    REPORT.text(f"{path}: ok")
    return 0


def cmd_explain(args: list[str]) -> int:
    from .diagcodes import CODES, explain
    if len(args) != 1:
        return _fail("explain: expected one diagnostic code, e.g. nyash explain N0201", 2)
    text = explain(args[0])
    if text is None:
        return _fail(f"explain: unknown diagnostic code '{args[0]}' (codes: {min(CODES)} to {max(CODES)}, "
                     "listed in docs/diagnostics.md)", 2)
    sys.stdout.write(text)
    return 0


def _single_file_parser(prog: str, out_required: bool) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, add_help=False)
    p.add_argument("source")
    p.add_argument("-o", "--output", required=out_required)
    p.add_argument("--debug", action="store_true")
    p.add_argument("--opt-level", default="speed", choices=["none", "speed", "speed_and_size"])
    return p


def cmd_compile_wasm(args: list[str]) -> int:
    ns = _single_file_parser("nyash --compile-wasm", True).parse_args(args)
    result = _compile(ns.source, debug=ns.debug)
    from .fsutil import write_atomic
    with _writing(ns.output):
        write_atomic(ns.output, result.wasm)
    return 0


def cmd_emit_wat(args: list[str]) -> int:
    ns = _single_file_parser("nyash --emit-wat", False).parse_args(args)
    from .compiler.driver import build_program, load
    from .wasm.wat import print_module
    ss = load(Path(ns.source))
    REPORT.add_sources(ss.texts())
    module, _, warnings = build_program(ss)
    REPORT.diagnostics(warnings)
    text = print_module(module)
    if ns.output:
        from .fsutil import write_atomic
        with _writing(ns.output):
            write_atomic(ns.output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


def cmd_compile_native(args: list[str], *, default_out: bool = False) -> int:
    p = _single_file_parser("nyash --compile-native", not default_out)
    p.add_argument("--dir", action="append", default=None,
                   help="restrict the executable's file access to DIR (repeatable)")
    p.add_argument("--no-files", action="store_true", help="no file access at all")
    ns = p.parse_args(args)
    out = Path(ns.output) if ns.output else Path.cwd() / Path(ns.source).stem
    result = _compile(ns.source, debug=ns.debug)
    if ns.dir is not None or ns.no_files:
        result.meta["fs"] = list(ns.dir or [])  # the file-system policy (design.md)
    from .pipeline import native_from_result
    with _writing(out):
        native_from_result(result, out, debug=ns.debug, opt_level=ns.opt_level)
    REPORT.text(f"nyash: wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


def cmd_build(args: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nyash build")
    p.add_argument("app", nargs="?")
    p.add_argument("--profile", default="release")
    p.add_argument("--explain", action="store_true")
    p.add_argument("-C", "--directory", default=".")
    ns = p.parse_args(args)
    from .project.commands import cmd_build as run_build
    return run_build(ns.app, ns.profile, ns.explain, Path(ns.directory), report=REPORT)


def cmd_init(args: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nyash init")
    p.add_argument("name")
    p.add_argument("--lib", action="store_true",
                   help="two apps sharing lib/greeting.nyash through include")
    ns = p.parse_args(args)
    from .project.commands import cmd_init as run_init
    return run_init(ns.name, Path.cwd() / ns.name, lib=ns.lib)


def cmd_cache(args: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nyash cache")
    p.add_argument("action", choices=["prune"])
    p.add_argument("--all", action="store_true")
    p.add_argument("--days", type=int, default=30)
    ns = p.parse_args(args)
    from .project.commands import cmd_cache_prune
    return cmd_cache_prune(all_entries=ns.all, days=ns.days)


def cmd_bench(args: list[str]) -> int:
    repo = Path(__file__).resolve().parents[1]
    if (repo / "benchmarks").is_dir() and str(repo) not in sys.path:
        sys.path.insert(0, str(repo))  # benchmarks/ lives in the checkout, it is not installed
    try:
        from benchmarks.harness import main as bench_main  # type: ignore[import-not-found]
    except ImportError:
        return _fail("bench: run from the repository root (the benchmarks/ directory is not installed)")
    return bench_main(args)


COMMANDS = {
    "run": cmd_run, "check": cmd_check, "build": cmd_build, "init": cmd_init, "cache": cmd_cache,
    "explain": cmd_explain,
    "bench": cmd_bench, "--compile-wasm": cmd_compile_wasm, "--emit-wat": cmd_emit_wat,
    "--compile-native": cmd_compile_native,
}


def dispatch(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    if argv[0] in ("--version", "-V"):
        sys.stdout.write(f"nyash-build {__version__}\n")
        return 0
    cmd = argv[0]
    # flags may come after the source: nyash app.nyash --compile-wasm -o x
    for flag in ("--compile-wasm", "--emit-wat", "--compile-native", "--aot"):
        if flag in argv[1:] and not cmd.startswith("-"):
            rest = [a for a in argv if a != flag]
            return dispatch([flag, *rest])
    if cmd == "--aot":
        return cmd_compile_native(argv[1:], default_out=True)
    if cmd in COMMANDS:
        return COMMANDS[cmd](argv[1:])
    if cmd.endswith(".nyash") or Path(cmd).is_file():
        return cmd_run(argv)
    return _fail(f"unknown command '{cmd}'\n{USAGE}", 2)


def _options(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """--color/--format: before the command, or anywhere in the command's arguments,
    except for `run` (and the implicit `nyash APP.nyash`) and `bench`, whose arguments
    after the source file are the program's (the harness's)."""
    found, i = {}, 0
    while i < len(argv) and argv[i].split("=")[0] in ("--color", "--format"):
        i += 1 if "=" in argv[i] else 2
    lead, _ = _take_options(argv[:i], stop_at_positional=False)
    found.update(lead)
    argv = argv[i:]
    cmd = argv[0] if argv else ""
    if cmd in ("run", "bench"):
        more, rest = _take_options(argv[1:], stop_at_positional=True)
        argv = [cmd, *rest]
    elif cmd in COMMANDS or cmd.startswith("-"):
        more, argv = _take_options(argv, stop_at_positional=False)
    else:
        more = {}
    found.update(more)
    return found, argv


def main(argv: list[str] | None = None) -> int:
    global REPORT
    argv = list(sys.argv[1:] if argv is None else argv)
    from runtime_stub.runner import standard_streams_open
    standard_streams_open()  # before any file is opened (write_atomic's temp file, caches)
    REPORT = Reporter()
    try:
        try:
            opts, argv = _options(argv)
        except _Usage as e:
            return _fail(str(e), 2)
        REPORT = Reporter(opts.get("format", "text"), opts.get("color", "auto"))
        if REPORT.json and argv and argv[0] in ("run", "init", "cache", "bench", "explain", "--emit-wat"):
            return _fail(f"{argv[0]}: --format json is for check, build and --compile-* only", 2)
        code = dispatch(argv)
    except CompileError as e:
        REPORT.add_sources(e.sources)
        REPORT.diagnostics(e.diagnostics)
        code = 1
    except KeyboardInterrupt:
        code = 130
    except SystemExit as e:  # argparse usage errors
        code = e.code if isinstance(e.code, int) else 2
    except Exception as e:  # never a traceback for the user; keep the details for bug reports
        problem = classify(e)
        if problem is not None:
            REPORT.problem(problem)
            code = 1
        elif isinstance(e, OSError):
            name = getattr(e, "filename", None)
            REPORT.problem(EnvironmentProblem(os_reason(e) + (f": {name}" if name else ""), code="N0601"))
            code = 1
        else:
            if os.environ.get("NYASH_DEBUG_COMPILER"):
                raise
            bug = "N0900"  # the only code that asks to be reported
            sys.stderr.write(f"nyash: internal compiler error: {type(e).__name__}: {e} [{bug}]\n"
                             "nyash: this is a bug in nyash-build: set NYASH_DEBUG_COMPILER=1 for the "
                             "traceback and please report it\n")
            code = 70
    try:
        sys.stdout.flush()
    except Exception:
        pass
    return code


if __name__ == "__main__":
    sys.exit(main())
