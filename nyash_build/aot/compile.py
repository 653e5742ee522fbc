"""wasm -> .cwasm per CPU variant, and the build-time check of what a .cwasm needs.

`check_cwasm` is the guarantee that no artifact uses CPU features above its declared
level. It reads the engine metadata wasmtime stores in the artifact (ELF section
`.wasmtime.engine`: target triple and every Cranelift ISA flag with its value) — the
very record `Module.deserialize` compares with the running CPU. Cranelift only selects
instructions whose ISA flag is enabled, so "recorded flags ⊆ the variant's flags and
target == x86_64-unknown-linux-gnu" means the machine code needs nothing beyond that
level (and in particular a baseline artifact needs plain x86-64 only: no host-CPU
auto-detection leaked in). tests/bundle additionally runs baseline under
`qemu-x86_64 -cpu Nehalem`.
"""
from __future__ import annotations

import re
import struct

import wasmtime

from nyash_build.aot.variants import CRANELIFT_FLAGS, TARGET, check_variant, engine_config

ENGINE_SECTION = ".wasmtime.engine"
_FLAG = re.compile(rb"([\x01-\x7f])(has_[a-z0-9_]+)\x02([\x00\x01])")


class CwasmCheckError(Exception):
    """A .cwasm does not match the level it claims (or is not a wasmtime artifact)."""


def precompile(wasm: bytes, variant: str, *, debug: bool = False,
               opt_level: str = "speed") -> bytes:
    """Compile `wasm` for `variant` and return the serialized artifact (.cwasm bytes).

    Deterministic: the same inputs give byte-identical output. Raises
    wasmtime.WasmtimeError for invalid wasm and VariantError for unknown names.
    The result is checked with `check_cwasm` before it is returned.
    """
    check_variant(variant)
    engine = wasmtime.Engine(engine_config(variant, debug=debug, opt_level=opt_level))
    cwasm = wasmtime.Module(engine, wasm).serialize()
    check_cwasm(cwasm, variant)
    return bytes(cwasm)


def elf_section(data: bytes, name: str) -> bytes:
    """The bytes of ELF64 section `name` (wasmtime artifacts are ELF files)."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise CwasmCheckError("not a wasmtime artifact (not a little-endian ELF64 file)")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def header(i: int) -> tuple[int, int, int]:
        base = shoff + i * shentsize
        sh_name, = struct.unpack_from("<I", data, base)
        sh_offset, sh_size = struct.unpack_from("<QQ", data, base + 0x18)
        return sh_name, sh_offset, sh_size

    try:
        _, str_off, str_size = header(shstrndx)
        strtab = data[str_off:str_off + str_size]
        for i in range(shnum):
            sh_name, off, size = header(i)
            end = strtab.index(b"\0", sh_name)
            if strtab[sh_name:end].decode("ascii", "replace") == name:
                return data[off:off + size]
    except (struct.error, ValueError) as e:
        raise CwasmCheckError(f"damaged ELF section table: {e}") from None
    raise CwasmCheckError(f"no {name} section: not a wasmtime artifact")


def recorded_isa_flags(cwasm: bytes) -> dict[str, bool]:
    """Every `has_*` ISA flag recorded in the artifact, with its value."""
    section = elf_section(cwasm, ENGINE_SECTION)
    return {m.group(2).decode(): m.group(3) == b"\x01" for m in _FLAG.finditer(section)
            if m.group(1)[0] == len(m.group(2))}


def check_cwasm(cwasm: bytes, variant: str) -> None:
    """Raise CwasmCheckError unless `cwasm` needs nothing above `variant`'s level."""
    check_variant(variant)
    section = elf_section(cwasm, ENGINE_SECTION)
    if TARGET.encode() not in section:
        raise CwasmCheckError(f"{variant}: artifact is not compiled for {TARGET}")
    flags = recorded_isa_flags(cwasm)
    if not flags:
        raise CwasmCheckError(f"{variant}: no ISA flags recorded (unknown artifact layout)")
    allowed = set(CRANELIFT_FLAGS[variant])
    extra = sorted(f for f, on in flags.items() if on and f not in allowed)
    if extra:
        raise CwasmCheckError(f"{variant}: artifact uses CPU features above its level: "
                              + ", ".join(extra))
