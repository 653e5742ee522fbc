"""Which failures are the machine's, not the program's or the compiler's.

A missing tool or system library, a directory that cannot be written or a full disk
must read as what it is, with the fix, in one line (``EnvironmentProblem``), never as
"internal compiler error ... please report it". ``classify`` turns the exceptions such
problems surface as into that; anything it does not recognise stays a compiler bug.
"""
from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from .diagnostics import EnvironmentProblem

_FULL = (errno.ENOSPC, errno.EDQUOT)
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)
_NOT_DIR = (errno.ENOTDIR, errno.EEXIST)

FREE_SPACE = "free some space (`nyash cache prune` removes unused cached runners) and try again"
OUTPUT_FIX = "choose another output path with -o, or make the directory writable"
PROJECT_OUTPUT_FIX = "make the directory writable, or set another `out-dir` in nyash.toml's [build]"


def os_reason(e: OSError) -> str:
    """Why an OSError happened, in words (mkdir on a path under a regular file raises
    FileExistsError for that file, which reads as nonsense without rewording)."""
    name = getattr(e, "filename", None)
    if isinstance(e, (FileExistsError, NotADirectoryError)) and name and not Path(name).is_dir():
        blocker = Path(name)
        for p in [blocker, *blocker.parents]:  # the path component that is a regular file
            if p.exists() and not p.is_dir():
                blocker = p
                break
        return f"{blocker} is not a directory"
    return e.strerror or str(e)


def _cache_roots() -> list[Path]:
    env = os.environ.get("NYASH_CACHE_DIR")
    return [Path(env) if env else Path.home() / ".cache" / "nyash-build"]


def write_problem(target: str | os.PathLike, e: OSError) -> EnvironmentProblem:
    """Writing ``target`` failed with ``e``."""
    reason = os_reason(e)
    msg = f"cannot write {target}: {reason}"
    if e.errno in _FULL:
        return EnvironmentProblem(msg, FREE_SPACE, "N0603")
    fix = OUTPUT_FIX
    name = str(getattr(e, "filename", "") or target)
    if any(_under(name, root) for root in _cache_roots()):
        fix = "set NYASH_CACHE_DIR to a writable directory"
    return EnvironmentProblem(msg, fix, "N0602")


def in_project(problem: EnvironmentProblem) -> EnvironmentProblem:
    """The same problem met by a project build (`nyash build`, `doit build`), which has
    no -o: its outputs go to the project's out-dir."""
    if problem.fix == OUTPUT_FIX:
        return EnvironmentProblem(problem.message, PROJECT_OUTPUT_FIX, problem.code)
    return problem


def _under(path: str, root: Path) -> bool:
    try:
        Path(path).resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


def classify(e: BaseException) -> EnvironmentProblem | None:
    """The environment problem ``e`` reports, or None when it looks like a compiler bug."""
    if isinstance(e, EnvironmentProblem):
        return e
    kind = type(e).__name__
    if kind == "PrebuiltMissing":  # nyash_build.prebuilt: a native part cannot be built here
        return native_part_problem(_first(str(e)) or "a native part is missing")
    if kind == "RunnerBuildError":  # nyash_build.bundle.runner_cache
        return _runner_problem(str(e))
    if isinstance(e, ModuleNotFoundError):
        name = (e.name or "?").split(".")[0]
        pkg = {"PyInstaller": "pyinstaller"}.get(name, name)
        return EnvironmentProblem(f"the Python package '{name}' is not installed",
                                  f"install nyash-build's dependencies: `pip install {pkg}`", "N0604")
    if isinstance(e, (ImportError, OSError)) and ".so" in str(e):
        lib = _library_name(str(e))
        return EnvironmentProblem(f"cannot load the system library {lib}: {_first(str(e))}",
                                  "reinstall the package that provides it", "N0605")
    if isinstance(e, OSError):
        if e.errno in _FULL:
            where = getattr(e, "filename", None)
            return EnvironmentProblem(f"cannot write{' ' + str(where) if where else ''}: {os_reason(e)}",
                                      FREE_SPACE, "N0603")
        if e.errno in _DENIED + _NOT_DIR and getattr(e, "filename", None):
            return write_problem(e.filename, e)
        if e.errno == errno.ENOENT and getattr(e, "filename", None) and "/" not in str(e.filename):
            return _missing_tool(str(e.filename))
    return None


def native_part_problem(text: str) -> EnvironmentProblem:
    """``prebuilt.PrebuiltMissing``'s one line (``WHAT; FIX``): a part written in C is not
    shipped for these sources and cannot be built here. N0608 when no C compiler is the
    reason (neither zig nor the fallback's compiler is installed), else N0604."""
    from .prebuilt import NO_COMPILER
    what, _, fix = text.partition("; ")
    return EnvironmentProblem(what, fix, "N0608" if what.startswith(NO_COMPILER) else "N0604")


def _missing_tool(tool: str) -> EnvironmentProblem:
    fixes = {"gcc": "install a C compiler: `apt install gcc` (Debian/Ubuntu)",
             "cc": "install a C compiler: `apt install gcc` (Debian/Ubuntu)"}
    return EnvironmentProblem(f"the tool '{tool}' is not installed (it was not found on PATH)",
                              fixes.get(tool, f"install {tool}"), "N0604")


def _runner_problem(text: str) -> EnvironmentProblem:
    """Freezing the runner (PyInstaller) or building the launcher failed: their output
    says why. A full or read-only cache is the environment's; otherwise the tool's own
    last error line (never the traceback around it) and what to check."""
    first = _first(text)
    from .prebuilt import NO_COMPILER
    if first.startswith(NO_COMPILER) or "is not part of this installation" in first:
        return native_part_problem(first)  # the launcher: not shipped, no compiler to build it
    if "No such file or directory: 'gcc'" in text or "cannot run gcc" in text:
        return _missing_tool("gcc")
    cache = _cache_roots()[0]
    if any(w in text for w in ("No space left on device", "Disk quota exceeded", "[Errno 28]")):
        return EnvironmentProblem(f"cannot build the executable's runner in {cache}: No space left on device",
                                  f"{FREE_SPACE}, or set NYASH_CACHE_DIR to a directory on a disk with "
                                  "about 100 MB free", "N0603")
    if any(w in text for w in ("Read-only file system", "Permission denied", "[Errno 13]", "[Errno 30]")):
        why = "Read-only file system" if "Read-only" in text or "[Errno 30]" in text else "Permission denied"
        return EnvironmentProblem(f"cannot build the executable's runner in {cache}: {why}",
                                  "set NYASH_CACHE_DIR to a writable directory", "N0602")
    if "lzma" in text and ("cannot find" in text or "No such file" in text or "lzma.h" in text):
        return EnvironmentProblem("cannot build the executable's launcher: the liblzma development "
                                  "files are missing", "`apt install liblzma-dev` (Debian/Ubuntu)", "N0605")
    detail = _last_error_line(text.splitlines()[1:])
    return EnvironmentProblem(first.rstrip(":") + (f": {detail}" if detail else ""),
                              "check that gcc, liblzma-dev and PyInstaller are installed", "N0604")


_TRACEBACK_LINE = re.compile(r'^\s*(Traceback \(most recent call last\)|File ".*", line \d+|\^+|~+)')
_ERROR_LINE = re.compile(r"^\s*[\w.]*(Error|Exception|error)\b.*:")


def _last_error_line(lines: list[str]) -> str:
    """The line of a tool's output that says what went wrong: its last ``XError: ...``
    line, else its last line that is not part of a Python traceback."""
    useful = [ln.strip() for ln in lines if ln.strip() and not _TRACEBACK_LINE.match(ln)]
    errors = [ln for ln in useful if _ERROR_LINE.match(ln)]
    line = (errors or useful or [""])[-1]
    return line if len(line) <= 300 else line[:297] + "..."


def _library_name(text: str) -> str:
    for word in text.replace(":", " ").split():
        if ".so" in word:
            return word.strip("'\"")
    return "?"


def _first(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
