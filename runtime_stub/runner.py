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
  NYASH_MAX_MEMORY       linear-memory limit in bytes, or with K/M/G suffix (default 1G)
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


def load_module(payload, meta: dict) -> Loaded:
    """Try each precompiled variant, best first; then JIT. Collect the reasons."""
    import wasmtime

    from runtime_stub import variants as V

    debug = bool(meta.get("debug", False))
    method, _ = V.detect_cpu()
    decisions = [f"cpu features detected via {method}"]
    ignore_cpu = os.environ.get("NYASH_AOT_IGNORE_CPU", "") not in ("", "0")
    recorded = meta.get("variants", {})
    for variant in V.VARIANTS:
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


# ------------------------------------------------------------------------ running
def execute(loaded: Loaded, meta: dict, lines: list[tuple[int, int]],
            argv: list[str]) -> int:
    """Instantiate with WASI, run `_start` on a big-stack thread, map the outcome."""
    import wasmtime

    from runtime_stub import variants as V

    limit = parse_size(os.environ["NYASH_MAX_MEMORY"]) if os.environ.get(
        "NYASH_MAX_MEMORY") else DEFAULT_MAX_MEMORY
    store = wasmtime.Store(loaded.engine)
    store.set_limits(memory_size=limit)
    wasi = wasmtime.WasiConfig()
    wasi.argv = argv
    wasi.env = program_env()
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    linker = wasmtime.Linker(loaded.engine)
    linker.define_wasi()
    outcome: dict = {}

    def target() -> None:
        try:
            instance = linker.instantiate(store, loaded.module)
            outcome["instance"] = instance
            exports = instance.exports(store)
            mode = exports.get("nyash_trap_mode")
            if isinstance(mode, wasmtime.Global):
                mode.set_value(store, 1)
            exports["_start"](store)
            outcome["code"] = 0
        except BaseException as e:  # handed to the main thread, never printed here
            outcome["error"] = e

    sys.stdout.flush()
    sys.stderr.flush()
    old = threading.stack_size(V.NATIVE_STACK)
    try:
        thread = threading.Thread(target=target, name="nyash-main")
        thread.start()
    finally:
        threading.stack_size(old)
    thread.join()
    return _outcome_code(wasmtime, store, outcome, meta, lines)


def _outcome_code(wasmtime, store, outcome: dict, meta: dict,
                  lines: list[tuple[int, int]]) -> int:
    err = outcome.get("error")
    if err is None:
        return outcome.get("code", 0)
    if isinstance(err, wasmtime.ExitTrap):
        return err.code
    if isinstance(err, wasmtime.Trap):
        reported = _global_value(wasmtime, store, outcome.get("instance"),
                                 "nyash_error_reported") == 1
        sys.stderr.write(format_trap(err, reported, meta, lines))
        sys.stderr.flush()
        return EXIT_RUNTIME_ERROR
    if isinstance(err, wasmtime.WasmtimeError):  # e.g. link error: missing import
        raise RunnerError(f"cannot start the program: {_first_line(str(err))}",
                          EXIT_NO_VARIANT)
    raise err


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


def map_frames(frames, meta: dict, lines: list[tuple[int, int]]) -> list[str]:
    """`  at name (file:line)` for the user-level frames, innermost first.

    A frame is shown when its name is in meta["user_functions"] (when that list is
    absent, every named frame is shown); its line is the line-table entry with the
    nearest offset at or before the frame's module offset.
    """
    users = meta.get("user_functions")
    users = set(users) if users is not None else None
    source = meta.get("source_name", "?")
    offsets = [off for off, _ in lines]
    out = []
    for frame in frames:
        name = frame.func_name
        if name is None or (users is not None and name not in users):
            continue
        off = frame.module_offset
        i = bisect.bisect_right(offsets, off) - 1 if off is not None and off < 1 << 63 else -1
        where = f"{source}:{lines[i][1]}" if i >= 0 else source
        out.append(f"  at {name} ({where})")
    return out


def format_trap(trap, reported: bool, meta: dict, lines: list[tuple[int, int]]) -> str:
    """The stderr text for a trap (the message line unless the runtime printed it)."""
    import wasmtime

    frames = trap.frames
    mapped = map_frames(frames, meta, lines)
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
    return [(int(o), int(n)) for o, n in meta.get("line_table", [])]


class _WasmOnly:
    """Payload-like access to a bare .wasm (for run_wasm: JIT only)."""

    def __init__(self, wasm: bytes) -> None:
        self._wasm = wasm

    def __contains__(self, name: str) -> bool:
        return name == "wasm"

    def get(self, name: str) -> bytes:
        return self._wasm


def run_wasm(wasm: bytes, *, meta: dict, argv: list[str]) -> int:
    """JIT-compile and run `wasm` in this process (`nyash run`); same error mapping.

    Returns the exit code; writes runtime errors to stderr; never raises for a
    program failure.
    """
    try:
        loaded = load_module(_WasmOnly(wasm), {**meta, "variants": {}})
        return execute(loaded, meta, _lines_from(None, meta), argv)
    except RunnerError as e:
        sys.stderr.write(f"nyash: {e}\n")
        return e.code


def nyash_info(exe: str, trailer, payload, meta: dict) -> str:
    """Text for `app --nyash-info`."""
    from runtime_stub import variants as V

    method, feats = V.detect_cpu()
    out = [f"executable: {exe}",
           f"source: {meta.get('source_name')} sha256 {meta.get('source_sha256')}",
           f"compiler: {meta.get('compiler_version')}",
           f"wasmtime: runner {V.wasmtime_version()}, "
           f"payload built with {meta.get('wasmtime_version')}",
           f"debug: {bool(meta.get('debug', False))}",
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
    try:
        loaded = load_module(payload, meta)
        for d in loaded.decisions:
            _log(d)
        _log(f"running: {loaded.how}")
        return execute(loaded, meta, _lines_from(payload, meta), args)
    except P.PayloadError as e:
        raise RunnerError(f"{exe}: {e}", EXIT_CORRUPT) from None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the frozen runner: never a traceback, always an exit code."""
    args = list(sys.argv if argv is None else argv)
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
