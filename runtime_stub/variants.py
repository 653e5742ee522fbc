"""CPU variants, engine settings and compatibility keys: the one definition.

The runner (frozen, must stay small) and the build side (`nyash_build.aot.variants`)
both import this module, so the settings a `.cwasm` was compiled with and the settings
the runner loads it with can never drift apart.

Facts this relies on (checked with wasmtime 50, see docs/design.md "AOT"):
* ISA flags in a `.cwasm` are checked against the *running CPU* by
  `Module.deserialize`, which raises a catchable error on mismatch.
* Engine settings that must match between compile and load: debug_info, fuel, epoch
  interruption, the wasm feature set, memory tunables. Optimisation level and
  `max_wasm_stack` need not match (tests/aot checks both).
* An unknown cranelift flag or target string aborts the whole process, so every name
  is validated against the tables below before it reaches wasmtime.
"""
from __future__ import annotations

import ctypes
import mmap
import os

import wasmtime

FORMAT = 1
TARGET = "x86_64-unknown-linux-gnu"
VARIANTS: tuple[str, ...] = ("x86-64-v3", "baseline")  # best first

# Cranelift x86 flags per variant (exactly the ones passed to cranelift_flag_enable).
CRANELIFT_FLAGS: dict[str, tuple[str, ...]] = {
    "baseline": (),
    "x86-64-v3": (
        "has_sse3", "has_ssse3", "has_cmpxchg16b", "has_sse41", "has_sse42",
        "has_popcnt", "has_avx", "has_avx2", "has_fma", "has_bmi1", "has_bmi2",
        "has_lzcnt",
    ),
}
KNOWN_CRANELIFT_FLAGS = frozenset(f for fl in CRANELIFT_FLAGS.values() for f in fl)
KNOWN_TARGETS = frozenset({TARGET})
OPT_LEVELS = ("none", "speed", "speed_and_size")

# CPU features (cpuid names) the host needs for each variant; baseline is plain x86-64.
CPU_FEATURES: dict[str, tuple[str, ...]] = {
    "baseline": (),
    "x86-64-v3": (
        "sse3", "ssse3", "cx16", "sse4.1", "sse4.2", "popcnt", "avx", "avx2", "fma",
        "bmi1", "bmi2", "lzcnt", "os-avx",
    ),
}

# The runner's stack budget. max_wasm_stack may not exceed wasmtime's async stack
# size (the C API panics and aborts otherwise), so both are raised together; the wasm
# runs on a thread whose native stack is larger still, so running out of wasm stack is
# always a clean STACK_OVERFLOW trap, never a segfault. 16 MiB holds >100,000 simple
# frames; an infinite recursion traps in ~20 ms.
MAX_WASM_STACK = 16 << 20
ASYNC_STACK = MAX_WASM_STACK + (1 << 20)
NATIVE_STACK = MAX_WASM_STACK + (16 << 20)


class VariantError(ValueError):
    """An unknown variant or setting name (refused before wasmtime can abort)."""


def check_variant(variant: str) -> None:
    """Raise VariantError unless `variant` is one we know how to configure."""
    if variant not in CRANELIFT_FLAGS:
        raise VariantError(f"unknown CPU variant {variant!r} (known: {', '.join(VARIANTS)})")


def _set_async_stack(config: wasmtime.Config, size: int) -> bool:
    """Raise wasmtime's async stack size (not exposed by wasmtime-py) if possible."""
    fn = getattr(getattr(wasmtime, "_ffi").dll, "wasmtime_config_async_stack_size_set", None)
    if fn is None:
        return False
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    fn.restype = None
    fn(ctypes.cast(config.ptr(), ctypes.c_void_p), size)
    return True


def apply_runtime_settings(config: wasmtime.Config) -> None:
    """Settings that do not affect the artifact: the wasm stack budget."""
    if _set_async_stack(config, ASYNC_STACK):
        config.max_wasm_stack = MAX_WASM_STACK


def engine_config(variant: str | None, *, debug: bool = False,
                  opt_level: str = "speed") -> wasmtime.Config:
    """A fresh Config for `variant` (None = JIT for the host CPU)."""
    if opt_level not in OPT_LEVELS:
        raise VariantError(f"unknown opt level {opt_level!r} (known: {', '.join(OPT_LEVELS)})")
    config = wasmtime.Config()
    if variant is not None:
        check_variant(variant)
        flags = CRANELIFT_FLAGS[variant]
        assert TARGET in KNOWN_TARGETS and all(f in KNOWN_CRANELIFT_FLAGS for f in flags)
        config.target = TARGET
        for flag in flags:
            config.cranelift_flag_enable(flag)
    config.cranelift_opt_level = opt_level
    config.debug_info = debug
    # The runtime's fused multiply-add (runtime/float.wat $fl_fma) is f64x2.relaxed_madd:
    # deterministic mode makes it fused on every CPU, so both variants compute glibc's
    # FMA results bit for bit.
    config.wasm_relaxed_simd = True
    config.wasm_relaxed_simd_deterministic = True
    apply_runtime_settings(config)
    return config


def wasmtime_version() -> str:
    """The wasmtime-py version, from the dist-info directory name (no importlib.metadata:
    that import alone costs ~10 ms of start-up)."""
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(wasmtime.__file__)))
    try:
        for name in os.listdir(pkg_parent):
            if name.startswith("wasmtime-") and name.endswith(".dist-info"):
                return name[len("wasmtime-"):-len(".dist-info")]
    except OSError:
        pass
    return "unknown"


def compat_key(variant: str, *, debug: bool = False, opt_level: str = "speed") -> dict:
    """Everything that must match for a `.cwasm` of `variant` to load in a runner.

    `opt_level` is recorded for information only (it need not match); the runner
    compares every other field with its own key before deserialising.
    """
    check_variant(variant)
    return {
        "format": FORMAT,
        "variant": variant,
        "wasmtime": wasmtime_version(),
        "target": TARGET,
        "cpu_features": list(CPU_FEATURES[variant]),
        "cranelift_flags": list(CRANELIFT_FLAGS[variant]),
        "debug_info": bool(debug),
        "consume_fuel": False,
        "epoch_interruption": False,
        "wasm_features": "wasmtime-defaults+relaxed-simd-deterministic",
        "memory_tunables": "wasmtime-defaults",
        "opt_level": opt_level,
    }


INFO_ONLY_KEYS = frozenset({"opt_level"})


def compat_mismatch(recorded: dict, expected: dict) -> str | None:
    """A human reason why `recorded` cannot load where `expected` is the runner's key."""
    for field in sorted(set(recorded) | set(expected)):
        if field in INFO_ONLY_KEYS:
            continue
        if recorded.get(field) != expected.get(field):
            return (f"compat key mismatch on {field!r}: built with "
                    f"{recorded.get(field)!r}, this runner needs {expected.get(field)!r}")
    return None


# ---------------------------------------------------------------------------- cpuid
# Why cpuid and not /proc/cpuinfo: qemu-user passes the host's /proc/cpuinfo through,
# so under `qemu-x86_64 -cpu Nehalem` only cpuid tells the truth. /proc/cpuinfo is the
# fallback when executable memory cannot be mapped.

# edx is clobbered by cpuid, so the output pointer is moved to r8 first.
_CPUID_CODE = bytes([
    0x53,                          # push rbx
    0x49, 0x89, 0xd0,              # mov r8, rdx (out pointer)
    0x89, 0xf8,                    # mov eax, edi
    0x89, 0xf1,                    # mov ecx, esi
    0x0f, 0xa2,                    # cpuid
    0x41, 0x89, 0x00,              # mov [r8], eax
    0x41, 0x89, 0x58, 0x04,        # mov [r8+4], ebx
    0x41, 0x89, 0x48, 0x08,        # mov [r8+8], ecx
    0x41, 0x89, 0x50, 0x0c,        # mov [r8+12], edx
    0x5b,                          # pop rbx
    0xc3,                          # ret
])
_XGETBV_CODE = bytes([
    0x31, 0xc9,                    # xor ecx, ecx
    0x0f, 0x01, 0xd0,              # xgetbv
    0x48, 0xc1, 0xe2, 0x20,        # shl rdx, 32
    0x48, 0x09, 0xd0,              # or rax, rdx
    0xc3,                          # ret
])


def _cpuid_features() -> set[str]:
    """Feature names from the cpuid instruction, run from an executable mmap."""
    buf = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    try:
        buf.write(_CPUID_CODE)
        xgetbv_at = 64
        buf.seek(xgetbv_at)
        buf.write(_XGETBV_CODE)
        addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
        cpuid = ctypes.CFUNCTYPE(None, ctypes.c_uint32, ctypes.c_uint32,
                                 ctypes.POINTER(ctypes.c_uint32))(addr)
        xgetbv = ctypes.CFUNCTYPE(ctypes.c_uint64)(addr + xgetbv_at)
        regs = (ctypes.c_uint32 * 4)()

        def leaf(n: int, sub: int = 0) -> tuple[int, int, int, int]:
            cpuid(n, sub, regs)
            return regs[0], regs[1], regs[2], regs[3]

        max_leaf = leaf(0)[0]
        _, _, c1, _ = leaf(1)
        b7 = leaf(7)[1] if max_leaf >= 7 else 0
        max_ext = leaf(0x80000000)[0]
        c81 = leaf(0x80000001)[2] if max_ext >= 0x80000001 else 0
        bits = {
            "sse3": c1 >> 0, "ssse3": c1 >> 9, "fma": c1 >> 12, "cx16": c1 >> 13,
            "sse4.1": c1 >> 19, "sse4.2": c1 >> 20, "movbe": c1 >> 22, "popcnt": c1 >> 23,
            "osxsave": c1 >> 27, "avx": c1 >> 28, "f16c": c1 >> 29,
            "bmi1": b7 >> 3, "avx2": b7 >> 5, "bmi2": b7 >> 8, "lzcnt": c81 >> 5,
        }
        found = {name for name, v in bits.items() if v & 1}
        if "osxsave" in found and (xgetbv() & 0b110) == 0b110:
            found.add("os-avx")  # the OS saves the AVX registers
        del cpuid, xgetbv, addr
        return found
    finally:
        try:
            buf.close()
        except BufferError:  # a ctypes view is still alive; the page is tiny
            pass


_CPUINFO_NAMES = {"pni": "sse3", "sse4_1": "sse4.1", "sse4_2": "sse4.2", "abm": "lzcnt"}


def _cpuinfo_features() -> set[str]:
    """Fallback: the flags line of /proc/cpuinfo, mapped to cpuid names."""
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("flags"):
                names = {_CPUINFO_NAMES.get(x, x) for x in line.split(":", 1)[1].split()}
                if "avx" in names and "osxsave" in names or "xsave" in names:
                    names.add("os-avx")
                return names
    return set()


_detected: tuple[str, set[str]] | None = None


def detect_cpu() -> tuple[str, set[str]]:
    """(method, features) of the host CPU, detected once per process."""
    global _detected
    if _detected is None:
        try:
            _detected = ("cpuid", _cpuid_features())
        except (OSError, ValueError, AttributeError):
            try:
                _detected = ("/proc/cpuinfo", _cpuinfo_features())
            except OSError:
                _detected = ("none", set())
    return _detected


def missing_features(variant: str) -> list[str]:
    """The CPU features `variant` needs that this host lacks (empty = supported)."""
    check_variant(variant)
    have = detect_cpu()[1]
    return [f for f in CPU_FEATURES[variant] if f not in have]


def cpu_supports(variant: str) -> bool:
    """True when the host CPU has every feature `variant` was compiled for."""
    return not missing_features(variant)
