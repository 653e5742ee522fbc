"""The runner inside every Nyash executable (frozen by PyInstaller, see
nyash_build/bundle/runner_cache.py) and the in-process runner behind `nyash run`.

Start-up path (an executable built by nyash_build.bundle.exe):
the C launcher (runtime_stub/launcher.c) unpacks this runner once into a
content-addressed cache directory and execs it with NYASH_EXE=<the executable>; the
runner reads the payload from the end of that file, verifies every checksum BEFORE
anything is deserialised, picks the best variant the CPU can run (falling back on any
load failure, finally JIT-compiling the embedded .wasm), runs `_start` under WASI and
maps traps to Nyash source lines. Never a Python traceback: `main` catches everything.

Environment:
  NYASH_AOT_DEBUG=1      print the variant decision and the reasons to stderr
  NYASH_AOT_IGNORE_CPU=1 try every variant even if CPU detection rules it out
                         (exercises wasmtime's own check; used by tests)
  NYASH_AOT_VARIANT=V    force variant V (x86-64-v3, baseline or jit); an error
                         (exit 122) if it cannot load, no fallback
  NYASH_TIMING=1         at exit print one stderr line
                         `nyash-timing: load_ms=X exec_ms=Y variant=V`
  NYASH_MAX_MEMORY       linear-memory limit in bytes, or with K/M/G suffix (default 1G)
  NYASH_TIMEOUT          wall-clock limit in seconds for running the program (default
                         none); `nyash run --timeout S` overrides it
  NYASH_RUNNER_CACHE     (launcher) unpack the runner only under this directory
  app --nyash-info       print variants, compat keys, hashes, versions and exit

This module imports nothing from nyash_build (the frozen runner must stay small).
"""
from __future__ import annotations

import bisect
import json
import os
import re
import sys
import threading
import time

# Exit codes of the runner and the launcher (documented in README "Exit codes").
# A program's own exit status (proc_exit) passes through unchanged; a Nyash runtime
# error or trap exits with 1.
EXIT_RUNTIME_ERROR = 1
EXIT_INTERNAL = 120      # runner bug or invalid runner setting (e.g. NYASH_MAX_MEMORY)
EXIT_CORRUPT = 121       # payload altered or truncated (checksum mismatch)
EXIT_NO_VARIANT = 122    # no variant loaded and JIT compilation of the .wasm failed
EXIT_FOREIGN = 123       # not a nyash executable / unsupported format version
EXIT_RUNNER_CORRUPT = 124  # launcher: embedded runner archive corrupt (launcher.c)
EXIT_RUNNER_IO = 125     # launcher: cannot unpack or start the runner (launcher.c)
EXIT_CODES = {
    EXIT_RUNTIME_ERROR: "Nyash runtime error, trap or stack overflow",
    EXIT_INTERNAL: "internal runner error or invalid NYASH_* setting",
    EXIT_CORRUPT: "payload corrupt: altered or truncated executable",
    EXIT_NO_VARIANT: "no precompiled variant usable and JIT compilation failed",
    EXIT_FOREIGN: "not a nyash executable, or unsupported format version",
    EXIT_RUNNER_CORRUPT: "embedded runner archive corrupt (launcher)",
    EXIT_RUNNER_IO: "cannot unpack or start the runner (launcher: I/O or exec error)",
}

DEFAULT_MAX_MEMORY = 1 << 30
STACK_FRAMES_SHOWN = 10
# Variables the launcher / PyInstaller bootloader add; the program must not see them.
_LAUNCHER_ENV = ("NYASH_EXE", "_PYI_", "_MEIPASS", "LD_LIBRARY_PATH_ORIG",
                 "NYASH_RUNNER_DIR")


class RunnerError(Exception):
    """A failure reported as one line `nyash: <message>` with exit code `code`."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _debug_enabled() -> bool:
    return os.environ.get("NYASH_AOT_DEBUG", "") not in ("", "0")


def _log(msg: str) -> None:
    if _debug_enabled():
        sys.stderr.write(f"nyash-aot: {msg}\n")


def parse_size(text: str) -> int:
    """'1048576', '512K', '512M', '1G' (binary units) -> bytes."""
    m = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)(?:i?[bB])?\s*", text)
    if not m:
        raise RunnerError(f"NYASH_MAX_MEMORY={text!r} is not a size (e.g. 512M, 1G)",
                          EXIT_INTERNAL)
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2).lower()]


def parse_timeout(text: str, setting: str = "NYASH_TIMEOUT") -> float:
    """'10', '0.5', '2s' -> seconds (a positive number). `setting` names the source of
    the value in the error (`NYASH_TIMEOUT=...` or `--timeout ...`)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*s?\s*", text)
    value = float(m.group(1)) if m else 0.0
    if not 0 < value <= threading.TIMEOUT_MAX:
        shown = f"{setting}={text!r}" if setting.isupper() else f"{setting} {text!r}"
        raise RunnerError(f"{shown} is not a time limit (a positive number of seconds, "
                          f"e.g. 10 or 0.5)", EXIT_INTERNAL)
    return value


def time_limit(option: str | None = None) -> float | None:
    """The run's time limit in seconds: `option` (`nyash run --timeout`) if given, else
    NYASH_TIMEOUT, else None (no limit). Read before loading, so a bad value fails fast."""
    if option is not None:
        return parse_timeout(option, "--timeout")
    value = os.environ.get("NYASH_TIMEOUT", "")
    return parse_timeout(value) if value.strip() else None


def _time_limit_exceeded(limit: float) -> None:
    """End the process: the program thread runs wasm code that cannot be interrupted
    without engine settings (epoch interruption) that would change every .cwasm's
    compatibility key. Whatever the program still buffered inside the wasm is lost."""
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - the message and the exit code matter more
        pass
    try:
        shown = str(int(limit)) if limit.is_integer() else f"{limit:g}"
        sys.stderr.write(f"Runtime error: time limit of {shown} s exceeded\n")
        sys.stderr.flush()
    finally:
        os._exit(EXIT_RUNTIME_ERROR)


def program_env() -> list[tuple[str, str]]:
    """The environment the program sees: ours minus what the launcher added."""
    env = dict(os.environ)
    if "LD_LIBRARY_PATH_ORIG" in env:
        env["LD_LIBRARY_PATH"] = env["LD_LIBRARY_PATH_ORIG"]
    elif getattr(sys, "frozen", False):
        env.pop("LD_LIBRARY_PATH", None)
    return [(k, v) for k, v in env.items() if not k.startswith(_LAUNCHER_ENV)]


# ------------------------------------------------------------------ variant choice
class Loaded:
    """The module chosen to run, with how it was obtained (for debug/info output)."""

    def __init__(self, engine, module, how: str, decisions: list[str]) -> None:
        self.engine, self.module, self.how, self.decisions = engine, module, how, decisions
        self.load_s = 0.0  # wall time of choosing + deserialising/compiling (NYASH_TIMING)


VARIANT_CHOICES = ("x86-64-v3", "baseline", "jit")


def forced_variant() -> str | None:
    """NYASH_AOT_VARIANT, validated (None = choose automatically)."""
    value = os.environ.get("NYASH_AOT_VARIANT", "").strip()
    if not value:
        return None
    if value not in VARIANT_CHOICES:
        raise RunnerError(f"NYASH_AOT_VARIANT={value!r} is not a variant "
                          f"(use one of: {', '.join(VARIANT_CHOICES)})", EXIT_INTERNAL)
    return value


def timing_enabled() -> bool:
    return os.environ.get("NYASH_TIMING", "") not in ("", "0")


def timing_line(load_s: float, exec_s: float, variant: str) -> str:
    """The one stderr line NYASH_TIMING=1 asks for (parsed by the benchmark harness)."""
    return f"nyash-timing: load_ms={load_s * 1000:.3f} exec_ms={exec_s * 1000:.3f} variant={variant}\n"


def load_module(payload, meta: dict) -> Loaded:
    """`choose_module`, timed. The load part of NYASH_TIMING is deserialising (or
    JIT-compiling) plus instantiating: importing wasmtime and reading and verifying the
    payload file come before the clock starts."""
    import wasmtime  # noqa: F401  (imported here so its ~20 ms are not counted)

    from runtime_stub import variants  # noqa: F401
    t0 = time.perf_counter()
    loaded = choose_module(payload, meta)
    loaded.load_s = time.perf_counter() - t0
    return loaded


def choose_module(payload, meta: dict) -> Loaded:
    """Try each precompiled variant, best first; then JIT. Collect the reasons.

    With NYASH_AOT_VARIANT set only that variant is tried, and failing to load it is a
    RunnerError (EXIT_NO_VARIANT) rather than a fallback: a benchmark must never
    silently measure another variant than the one it asked for.
    """
    import wasmtime

    from runtime_stub import variants as V

    debug = bool(meta.get("debug", False))
    forced = forced_variant()
    method, _ = V.detect_cpu()
    decisions = [f"cpu features detected via {method}"]
    if forced is not None:
        decisions.append(f"NYASH_AOT_VARIANT={forced}: only that variant is tried")
    ignore_cpu = os.environ.get("NYASH_AOT_IGNORE_CPU", "") not in ("", "0")
    recorded = meta.get("variants", {})
    for variant in V.VARIANTS:
        if forced is not None and variant != forced:
            continue
        entry = f"cwasm/{variant}"
        if variant not in recorded or entry not in payload:
            decisions.append(f"{variant}: not in payload")
            continue
        reason = V.compat_mismatch(recorded[variant], V.compat_key(variant, debug=debug))
        if reason is None and not ignore_cpu and not V.cpu_supports(variant):
            reason = "CPU lacks " + ", ".join(V.missing_features(variant))
        if reason is None:
            reason, loaded = _try_deserialize(wasmtime, V, payload, entry, variant, debug)
            if loaded is not None:
                decisions.append(f"{variant}: loaded ({reason})")
                return Loaded(loaded[0], loaded[1], variant, decisions)
        decisions.append(f"{variant}: refused: {reason}")
        if forced is not None:
            _refuse_forced(decisions, forced, reason)
    if forced is not None and forced != "jit":
        why = ("`nyash run` has no precompiled variants, it only JIT-compiles (use jit)"
               if isinstance(payload, _WasmOnly) else "not in this executable's payload")
        _refuse_forced(decisions, forced, why)
    t0 = time.perf_counter()
    try:
        engine = wasmtime.Engine(V.engine_config(None, debug=debug))
        module = wasmtime.Module(engine, payload.get("wasm"))
    except wasmtime.WasmtimeError as e:
        decisions.append(f"jit: failed: {_first_line(str(e))}")
        for d in decisions:
            _log(d)
        raise RunnerError("no usable precompiled variant and JIT compilation failed: "
                          + _first_line(str(e)), EXIT_NO_VARIANT) from None
    decisions.append(f"jit: compiled the embedded .wasm for this CPU "
                     f"({(time.perf_counter() - t0) * 1000:.1f} ms)")
    return Loaded(engine, module, "jit", decisions)


def _refuse_forced(decisions: list[str], forced: str, reason: str) -> None:
    for d in decisions:
        _log(d)
    raise RunnerError(f"NYASH_AOT_VARIANT={forced}: cannot load that variant: {reason}",
                      EXIT_NO_VARIANT)


def _try_deserialize(wasmtime, V, payload, entry: str, variant: str, debug: bool):
    """(reason, (engine, module) or None): deserialise one verified variant."""
    t0 = time.perf_counter()
    data = payload.get(entry)  # checks the entry's own sha256 first
    try:
        engine = wasmtime.Engine(V.engine_config(variant, debug=debug))
        module = wasmtime.Module.deserialize(engine, data)
    except wasmtime.WasmtimeError as e:
        return f"wasmtime: {_first_line(str(e))}", None
    return f"deserialized in {(time.perf_counter() - t0) * 1000:.2f} ms", (engine, module)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "(no message)"


# -------------------------------------------------------------- the world (WASI)
# What a module sees of the machine (docs/design.md "World interface"); the launcher's
# native path (C) configures WASI the same way.
ZONEINFO_DIRS = ("/usr/share/zoneinfo",)


def fs_policy_text(fs) -> str:
    """The file-system policy in words (`--nyash-info`)."""
    if fs is None:
        return "native (the whole file system, as the user running the program)"
    if not fs:
        return "no file access"
    return "only " + ", ".join(fs) + " (relative entries: from the current directory at run time)"


def preopens(fs, cwd: str | None) -> list[tuple[str, str, bool]]:
    """(host directory, guest path, writable) for each WASI preopen.

    fs None (native): `/` as `/`. A list (restricted): each entry, relative ones
    joined to the current directory, resolved to its real path and preopened under
    that path; plus, read-only, the zoneinfo directory and the directory of the local
    zone file (NYASH_LOCALTIME), so local time works in a sandbox. A missing allowed
    directory is an error (exit 120), not a silently smaller sandbox."""
    if fs is None:
        return [("/", "/", True)]
    out: list[tuple[str, str, bool]] = []
    for entry in fs:
        path = entry if os.path.isabs(entry) else os.path.join(cwd or os.getcwd(), entry)
        real = os.path.realpath(path)
        if not os.path.isdir(real):
            why = "not a directory" if os.path.exists(real) else "No such file or directory"
            raise RunnerError(f"fs: cannot allow directory {entry!r}: {why}", EXIT_INTERNAL)
        out.append((real, real, True))
    readonly = [os.environ.get("TZDIR") or ZONEINFO_DIRS[0]]
    local = localtime_file()
    if local:
        readonly.append(os.path.dirname(local))
    for d in readonly:
        real = os.path.realpath(d)
        if os.path.isdir(real) and not any(real == h or real.startswith(h.rstrip("/") + "/")
                                           for h, _, _ in out):
            out.append((real, real, False))
    return out


def localtime_file() -> str | None:
    """The real path of /etc/localtime when TZ is unset (else None): handed to the
    program as NYASH_LOCALTIME so a sandboxed program still finds its time zone."""
    if os.environ.get("TZ") is not None:
        return None
    try:
        real = os.path.realpath("/etc/localtime")
    except OSError:
        return None
    return real if os.path.isfile(real) else None


def lossy(text: str) -> str:
    """Text from the OS as WASI can carry it (UTF-8 only): bytes that are not UTF-8
    (Python keeps them as lone surrogates) become U+FFFD, one per ill-formed part, as
    the runtime's own repair of outside text does (docs/world.md)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def configure_world(wasi, argv: list[str], fs) -> None:
    """argv, environment (+ NYASH_CWD, NYASH_LOCALTIME), stdio, preopens."""
    try:
        cwd = os.getcwd()
    except OSError:  # the current directory was removed
        cwd = None
    env = [(lossy(k), lossy(v)) for k, v in program_env() if k not in ("NYASH_CWD", "NYASH_LOCALTIME")]
    if cwd:
        env.append(("NYASH_CWD", lossy(cwd)))
    local = localtime_file()
    if local:
        env.append(("NYASH_LOCALTIME", lossy(local)))
    opens = preopens(fs, cwd)
    wasi.argv = [lossy(a) for a in argv]
    wasi.env = env
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    for host, guest, writable in opens:
        wasi.preopen_dir(host, guest, writable)


# ------------------------------------------------------------------------ running
def execute(loaded: Loaded, meta: dict, lines: list[tuple[int, int, int]],
            argv: list[str], wasm=None, limit_s: float | None = None, fs="meta",
            annotate=None) -> int:
    """Instantiate with WASI, run `_start` on a big-stack thread, map the outcome.

    `wasm` (optional: a callable returning the module's bytes) is only called after a
    trap, to find function boundaries for the stack frames. `limit_s` (time_limit()):
    when the program thread is still running that long after it started, the process
    ends with exit 1 (see _time_limit_exceeded). `fs`: the file-system policy (None =
    native, a list = only those directories); by default the one in `meta`.
    `annotate` (`nyash run` only, never in executables): called after a runtime
    error's report as annotate(frames, message) with the user frames (name, file index,
    line) innermost first; what it returns is written to stderr after the frames.
    """
    import wasmtime

    from runtime_stub import variants as V

    limit = parse_size(os.environ["NYASH_MAX_MEMORY"]) if os.environ.get(
        "NYASH_MAX_MEMORY") else DEFAULT_MAX_MEMORY
    store = wasmtime.Store(loaded.engine)
    store.set_limits(memory_size=limit)
    wasi = wasmtime.WasiConfig()
    configure_world(wasi, argv, meta.get("fs") if fs == "meta" else fs)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(loaded.engine)
    linker.define_wasi()
    outcome: dict = {}
    clock = time.perf_counter
    t_setup = clock()

    def target() -> None:
        t_run = None
        try:
            instance = linker.instantiate(store, loaded.module)
            outcome["instance"] = instance
            exports = instance.exports(store)
            mode = exports.get("nyash_trap_mode")
            if isinstance(mode, wasmtime.Global):
                mode.set_value(store, 1)
            start = exports["_start"]
            outcome["instantiate_s"] = clock() - t_setup
            t_run = clock()
            start(store)
            outcome["code"] = 0
        except BaseException as e:  # handed to the main thread, never printed here
            outcome["error"] = e
        finally:
            if t_run is not None:
                outcome["exec_s"] = clock() - t_run

    sys.stdout.flush()
    sys.stderr.flush()
    old = threading.stack_size(V.NATIVE_STACK)
    try:
        thread = threading.Thread(target=target, name="nyash-main")
        thread.start()
    finally:
        threading.stack_size(old)
    thread.join(limit_s)
    if thread.is_alive():
        _time_limit_exceeded(limit_s)
    try:
        return _outcome_code(wasmtime, store, outcome, meta, lines, wasm, annotate)
    finally:
        if timing_enabled():
            load = loaded.load_s + outcome.get("instantiate_s", clock() - t_setup)
            sys.stdout.flush()
            sys.stderr.write(timing_line(load, outcome.get("exec_s", 0.0), loaded.how))
            sys.stderr.flush()


def _outcome_code(wasmtime, store, outcome: dict, meta: dict,
                  lines: list[tuple[int, int, int]], wasm=None, annotate=None) -> int:
    err = outcome.get("error")
    if err is None:
        return outcome.get("code", 0)
    if isinstance(err, wasmtime.ExitTrap):
        return err.code
    if isinstance(err, wasmtime.Trap):
        instance = outcome.get("instance")
        status = _global_value(wasmtime, store, instance, "nyash_exit_status")
        if isinstance(status, int) and 0 <= status <= 255:
            return status  # SystemBox.exit(n >= 126): WASI's proc_exit refuses those

        reported = _global_value(wasmtime, store, instance, "nyash_error_reported") == 1
        _flush_program_output(wasmtime, store, instance)
        bodies = _safe_bodies(wasm)
        sys.stderr.write(format_trap(err, reported, meta, lines, bodies))
        if annotate is not None:
            message = _error_message(wasmtime, store, instance) if reported else None
            if err.trap_code == wasmtime.TrapCode.STACK_OVERFLOW:
                message = "stack overflow"
            sys.stderr.write(annotate(user_frames(err.frames, meta, lines, bodies),
                                      message or trap_message(err)))
        sys.stderr.flush()
        return EXIT_RUNTIME_ERROR
    if isinstance(err, wasmtime.WasmtimeError):  # e.g. link error: missing import
        raise RunnerError(f"cannot start the program: {_first_line(str(err))}",
                          EXIT_NO_VARIANT)
    raise err


def _flush_program_output(wasmtime, store, instance) -> None:
    """After a trap the runtime could not flush its stdout buffer (a stack overflow
    traps anywhere): call its exported `nyash_flush` when the module has one."""
    if instance is None:
        return
    flush = instance.exports(store).get("nyash_flush")
    if isinstance(flush, wasmtime.Func):
        try:
            flush(store)
        except Exception:  # noqa: BLE001 - best effort; the error report matters more
            pass


def _safe_bodies(wasm) -> dict[int, tuple[int, int]] | None:
    try:
        data = wasm() if callable(wasm) else wasm
        return function_bodies(data) if data else None
    except Exception:  # noqa: BLE001 - a damaged module only costs the line numbers
        return None


def _uleb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def _skip_name(data: bytes, pos: int) -> int:
    n, pos = _uleb(data, pos)
    return pos + n


def _skip_limits(data: bytes, pos: int) -> int:
    flags = data[pos]
    _, pos = _uleb(data, pos + 1)
    if flags & 1:
        _, pos = _uleb(data, pos)
    return pos


def _count_func_imports(data: bytes, pos: int) -> int:
    count, pos = _uleb(data, pos)
    funcs = 0
    for _ in range(count):
        pos = _skip_name(data, _skip_name(data, pos))
        kind = data[pos]
        pos += 1
        if kind == 0:
            funcs += 1
            _, pos = _uleb(data, pos)
        elif kind == 1:
            pos = _skip_limits(data, pos + 1)
        elif kind == 2:
            pos = _skip_limits(data, pos)
        else:
            pos += 2
    return funcs


def function_bodies(wasm: bytes) -> dict[int, tuple[int, int]]:
    """{function index: (first, end) module offsets of its body} for every defined
    function. Why: a frame's line must come from its own function's line entries, and
    a frame with no offset (a stack overflow in a prologue) gets its function's first
    line."""
    pos, imported, out = 8, 0, {}
    while pos < len(wasm):
        sid = wasm[pos]
        size, pos = _uleb(wasm, pos + 1)
        end = pos + size
        if sid == 2:
            imported = _count_func_imports(wasm, pos)
        elif sid == 10:
            count, p = _uleb(wasm, pos)
            for i in range(count):
                n, p = _uleb(wasm, p)
                out[imported + i] = (p, p + n)
                p += n
        pos = end
    return out


def _error_message(wasmtime, store, instance) -> str | None:
    """The message of the fatal error the runtime reported (its `nyash_error_msg`)."""
    try:
        ptr = _global_value(wasmtime, store, instance, "nyash_error_msg")
        mem = instance.exports(store).get("memory")
        if not ptr or not isinstance(mem, wasmtime.Memory):
            return None
        n = int.from_bytes(mem.read(store, ptr + 4, ptr + 8), "little")
        return bytes(mem.read(store, ptr + 8, ptr + 8 + n)).decode("utf-8", "replace")
    except Exception:  # best effort: only used to quote the source in `nyash run`
        return None


def _global_value(wasmtime, store, instance, name: str):
    if instance is None:
        return None
    g = instance.exports(store).get(name)
    return g.value(store) if isinstance(g, wasmtime.Global) else None


def trap_message(trap) -> str:
    """The one-line cause of a wasmtime trap ("integer divide by zero")."""
    m = re.search(r"wasm trap: (.+)", trap.message)
    if m:
        return m.group(1).strip()
    return _first_line(trap.message)


def source_names(meta: dict) -> list[str]:
    """File i of the line table is named meta["sources"][i]["name"]; a meta without a
    file table (one source file) names file 0 by its source_name."""
    sources = meta.get("sources")
    if isinstance(sources, list) and sources:
        return [str(s.get("name", "?")) if isinstance(s, dict) else "?" for s in sources]
    return [str(meta.get("source_name", "?"))]


def map_frames(frames, meta: dict, lines: list[tuple[int, int, int]],
               bodies: dict[int, tuple[int, int]] | None = None) -> list[str]:
    """`  at name (file:line)` for the user-level frames, innermost first.

    A frame is shown when its name is in meta["user_functions"] (when that list is
    absent, every named frame is shown); its file and line come from the line-table
    entry with the nearest offset at or before the frame's module offset. With `bodies`
    (function_bodies) that entry must lie in the frame's own function, and a frame
    without a usable offset gets the function's first entry.
    """
    names = source_names(meta)
    out = []
    for name, file, line in user_frames(frames, meta, lines, bodies):
        if file is None:
            where = names[0]
        else:
            where = f"{names[file] if file < len(names) else '?'}:{line}"
        out.append(f"  at {name} ({where})")
    return out


def user_frames(frames, meta: dict, lines: list[tuple[int, int, int]],
                bodies: dict[int, tuple[int, int]] | None = None) -> list[tuple[str, int | None, int | None]]:
    """(name, file index, line) of the user-level frames, innermost first (see map_frames);
    file and line are None when the frame has no line-table entry."""
    users = meta.get("user_functions")
    users = set(users) if users is not None else None
    offsets = [entry[0] for entry in lines]
    out: list[tuple[str, int | None, int | None]] = []
    for frame in frames:
        name = frame.func_name
        if name is None or (users is not None and name not in users):
            continue
        entry = _frame_entry(frame, offsets, lines, bodies)
        out.append((name, None, None) if entry is None else (name, entry[1], entry[2]))
    return out


def _frame_entry(frame, offsets: list[int], lines: list[tuple[int, int, int]],
                 bodies: dict[int, tuple[int, int]] | None) -> tuple[int, int, int] | None:
    off = frame.module_offset
    if off is not None and off >= 1 << 63:
        off = None
    body = bodies.get(frame.func_index) if bodies else None
    if body is None:
        i = bisect.bisect_right(offsets, off) - 1 if off is not None else -1
        return lines[i] if i >= 0 else None
    first, end = body
    if off is not None and first <= off < end:
        i = bisect.bisect_right(offsets, off) - 1
        if i >= 0 and offsets[i] >= first:
            return lines[i]
    i = bisect.bisect_left(offsets, first)
    return lines[i] if i < len(offsets) and offsets[i] < end else None


def format_trap(trap, reported: bool, meta: dict, lines: list[tuple[int, int, int]],
                bodies: dict[int, tuple[int, int]] | None = None) -> str:
    """The stderr text for a trap (the message line unless the runtime printed it)."""
    import wasmtime

    frames = trap.frames
    mapped = map_frames(frames, meta, lines, bodies)
    if trap.trap_code == wasmtime.TrapCode.STACK_OVERFLOW:
        head = ["Runtime error: stack overflow"]
    elif reported:
        head = []
    else:
        head = [f"Runtime error: {trap_message(trap)}"]
    shown = mapped[:STACK_FRAMES_SHOWN]
    if len(mapped) > len(shown):
        shown.append(f"  ... {len(mapped) - len(shown)} more")
    return "".join(line + "\n" for line in head + shown)


# --------------------------------------------------------------------- entry points
def _lines_from(payload, meta: dict) -> list[tuple[int, int]]:
    from runtime_stub import payload as P

    if payload is not None and "lines" in payload:
        return P.unpack_lines(payload.get("lines"))
    return [(int(o), int(f), int(n)) for o, f, n in meta.get("line_table", [])]


class _WasmOnly:
    """Payload-like access to a bare .wasm (for run_wasm: JIT only)."""

    def __init__(self, wasm: bytes) -> None:
        self._wasm = wasm

    def __contains__(self, name: str) -> bool:
        return name == "wasm"

    def get(self, name: str) -> bytes:
        return self._wasm


def run_wasm(wasm: bytes, *, meta: dict, argv: list[str], timeout: str | None = None,
             fs: list[str] | None = None, annotate=None) -> int:
    """JIT-compile and run `wasm` in this process (`nyash run`); same error mapping.

    Returns the exit code; writes runtime errors to stderr; never raises for a
    program failure. `timeout` is the `--timeout` option as typed (else NYASH_TIMEOUT
    applies); when the limit passes, this process exits (see _time_limit_exceeded).
    `fs`: None for the native file-system policy, else the allowed directories.
    """
    try:
        limit_s = time_limit(timeout)
        loaded = load_module(_WasmOnly(wasm), {**meta, "variants": {}})
        return execute(loaded, meta, _lines_from(None, meta), argv, wasm=wasm,
                       limit_s=limit_s, fs=fs, annotate=annotate)
    except RunnerError as e:
        sys.stderr.write(f"nyash: {e}\n")
        return e.code


def _source_lines(meta: dict) -> list[str]:
    """One `source: NAME sha256 HEX` line per source file compiled in (entry first)."""
    sources = meta.get("sources")
    if not isinstance(sources, list) or not sources:
        sources = [{"name": meta.get("source_name"), "sha256": meta.get("source_sha256")}]
    return [f"source: {s.get('name')} sha256 {s.get('sha256')}" for s in sources
            if isinstance(s, dict)]


def nyash_info(exe: str, trailer, payload, meta: dict) -> str:
    """Text for `app --nyash-info`."""
    from runtime_stub import variants as V

    method, feats = V.detect_cpu()
    out = [f"executable: {exe}",
           *_source_lines(meta),
           f"compiler: {meta.get('compiler_version')}",
           f"wasmtime: runner {V.wasmtime_version()}, "
           f"payload built with {meta.get('wasmtime_version')}",
           f"debug: {bool(meta.get('debug', False))}",
           f"fs: {fs_policy_text(meta.get('fs'))}",
           f"runner archive sha256: {trailer.runner_sha256.hex() if trailer else '-'}",
           f"cpu ({method}): {' '.join(sorted(feats))}"]
    for name in payload.names():
        info = payload.entry_info(name)
        out.append(f"entry {name}: {info['size']} bytes {info['codec']} "
                   f"sha256 {info['sha256']}")
    for variant, key in meta.get("variants", {}).items():
        out.append(f"variant {variant}: compat key {json.dumps(key, sort_keys=True)}")
    loaded = load_module(payload, meta)
    out.extend(f"decision: {d}" for d in loaded.decisions)
    out.append(f"selected: {loaded.how}")
    return "\n".join(out) + "\n"


def run_executable(exe: str, args: list[str]) -> int:
    """Run the app whose payload is at the end of `exe`, with program args `args`."""
    from runtime_stub import payload as P

    try:
        trailer, payload = P.read_executable_payload(exe)
        meta = payload.meta()
    except P.PayloadError as e:
        code = EXIT_FOREIGN if e.kind == "foreign" else EXIT_CORRUPT
        raise RunnerError(f"{exe}: {e}", code) from None
    except OSError as e:
        raise RunnerError(f"cannot read {exe}: {e.strerror}", EXIT_CORRUPT) from None
    if args[1:2] == ["--nyash-info"]:
        sys.stdout.write(nyash_info(exe, trailer, payload, meta))
        return 0
    limit_s = time_limit()
    try:
        loaded = load_module(payload, meta)
        for d in loaded.decisions:
            _log(d)
        _log(f"running: {loaded.how}")
        return execute(loaded, meta, _lines_from(payload, meta), args,
                       wasm=lambda: payload.get("wasm"), limit_s=limit_s)
    except P.PayloadError as e:
        raise RunnerError(f"{exe}: {e}", EXIT_CORRUPT) from None


def standard_streams_open() -> None:
    """Give a standard stream the caller closed (`nyash run app.nyash <&-`) /dev/null.

    Otherwise the next file this process opens takes descriptor 0 (1, 2) and the
    program's ConsoleBox would read (write) that file; the launcher does the same for
    executables. A closed stdin then reads as end of input (docs/world.md)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            except OSError:
                continue
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    # Python made sys.stdin/stdout/stderr None for a stream closed at start-up
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, mode, closefd=False, encoding="utf-8", errors="replace"))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the frozen runner: never a traceback, always an exit code."""
    args = list(sys.argv if argv is None else argv)
    standard_streams_open()
    try:
        exe = os.environ.get("NYASH_EXE")
        if not exe:
            raise RunnerError("no app to run: NYASH_EXE is not set (this runner is started "
                              "by a nyash executable)", EXIT_FOREIGN)
        if not args:
            args = [exe]
        args[0] = os.path.basename(args[0])
        return run_executable(exe, args)
    except RunnerError as e:
        sys.stderr.write(f"nyash: {e}\n")
        return e.code
    except KeyboardInterrupt:
        return 130
    except BaseException as e:  # noqa: BLE001 - the promise is: never a traceback
        if isinstance(e, SystemExit):
            raise
        sys.stderr.write(f"nyash: internal error: {type(e).__name__}: {e}\n")
        return EXIT_INTERNAL


def _exit_now(code: int) -> None:
    """Flush and leave without interpreter teardown (saves start-to-exit time)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code & 0xFF if code >= 0 else 1)


if __name__ == "__main__":
    _exit_now(main())
