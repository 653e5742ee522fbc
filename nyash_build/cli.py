"""The ``nyash`` command line.  Argument parsing only: every action calls a stage.

Exit codes: the program's own status for ``run``; 1 for compile errors (the
diagnostics go to stderr as ``file:line:col: message``); 2 for usage errors.
"""
from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .diagnostics import CompileError

USAGE = """\
usage: nyash run [--timeout S] [--dir D]... APP.nyash [ARGS...]   compile and run (JIT, in process)
       nyash APP.nyash [ARGS...]              same as run
       nyash check APP.nyash                  run all compile-time checks only
       nyash --compile-wasm APP.nyash -o APP.wasm
       nyash --emit-wat APP.nyash [-o APP.wat]
       nyash --compile-native APP.nyash -o APP [--debug] [--opt-level L] [--dir D]... [--no-files]
       nyash --aot APP.nyash                  same, writes ./APP
       nyash build [APP] [--profile P] [--explain] [-C DIR]
       nyash init NAME [--lib]
       nyash cache prune [--all] [--days N]
       nyash bench [options]                  benchmark harness (see benchmarks/)
       nyash --version | --help
"""


class OutputError(Exception):
    """An output file could not be written; str() is the one-line message."""


def _os_reason(e: OSError) -> str:
    """Why an OSError happened, in words (mkdir on a path under a regular file raises
    FileExistsError for that file, which reads as nonsense without rewording)."""
    name = getattr(e, "filename", None)
    if isinstance(e, (FileExistsError, NotADirectoryError)) and name and not Path(name).is_dir():
        return f"{name} is not a directory"
    return e.strerror or str(e)


@contextmanager
def _writing(out: str | os.PathLike):
    """Turn any OSError while producing `out` into one clear line (disk full, bad dir)."""
    try:
        yield
    except OSError as e:
        raise OutputError(f"cannot write {out}: {_os_reason(e)}") from None


def _fail(msg: str, code: int = 1) -> int:
    sys.stderr.write(f"nyash: {msg}\n")
    return code


def _compile(path: str, *, debug: bool = False):
    from .compiler.driver import compile_file
    result = compile_file(Path(path), debug=debug)
    for w in result.warnings:
        sys.stderr.write(w.render() + "\n")
    return result


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
    return run_wasm(result.wasm, meta=result.meta, argv=[args[0], *args[1:]],
                    timeout=timeout, fs=dirs)


def cmd_check(args: list[str]) -> int:
    if len(args) != 1:
        return _fail("check: expected one source file", 2)
    from .compiler.driver import check_program, load
    path = Path(args[0])
    info = check_program(load(path))
    # code generation checks too (e.g. unknown builtin methods), without writing anything
    from .compiler.codegen import generate
    from .compiler.infer import infer
    generate(info, infer(info))
    # check is strict: runtime errors found statically are errors here
    errors = 0
    for w in info.warnings:
        if w.deferred:
            errors += 1
            sys.stderr.write(f"{w.file}:{w.line}:{w.col}: {w.message}\n")
        else:
            sys.stderr.write(w.render() + "\n")
    if errors:
        return 1
    sys.stderr.write(f"{path}: ok\n")
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
    module, _, _ = build_program(load(Path(ns.source)))
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
    sys.stderr.write(f"nyash: wrote {out} ({out.stat().st_size / 1e6:.1f} MB)\n")
    return 0


def cmd_build(args: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nyash build")
    p.add_argument("app", nargs="?")
    p.add_argument("--profile", default="release")
    p.add_argument("--explain", action="store_true")
    p.add_argument("-C", "--directory", default=".")
    ns = p.parse_args(args)
    from .project.commands import cmd_build as run_build
    return run_build(ns.app, ns.profile, ns.explain, Path(ns.directory))


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


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        code = dispatch(argv)
    except CompileError as e:
        sys.stderr.write(str(e) + "\n")
        code = 1
    except OutputError as e:
        sys.stderr.write(f"nyash: {e}\n")
        code = 1
    except KeyboardInterrupt:
        code = 130
    except SystemExit as e:  # argparse usage errors
        code = e.code if isinstance(e.code, int) else 2
    except OSError as e:
        name = getattr(e, "filename", None)
        sys.stderr.write(f"nyash: {_os_reason(e)}" + (f": {name}" if name else "") + "\n")
        code = 1
    except Exception as e:  # never a traceback for the user; keep the details for bug reports
        if os.environ.get("NYASH_DEBUG_COMPILER"):
            raise
        sys.stderr.write(f"nyash: internal compiler error: {type(e).__name__}: {e}\n"
                         "nyash: set NYASH_DEBUG_COMPILER=1 for the traceback and please report it\n")
        code = 70
    try:
        sys.stdout.flush()
    except Exception:
        pass
    return code


if __name__ == "__main__":
    sys.exit(main())
