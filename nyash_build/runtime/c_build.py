"""Build recipe of the C runtime parts (``runtime/c/*.c``) as one prebuilt artifact.

Why here: the runtime parts written in C (regex engine, JSON, ...) are compiled with
zig to one wasm32 module when the package is built (``prebuilt.py``), and that module is
turned into the runtime's form right away: decoded, renamed and checked into module IR
(``runtime/c_parts.py``) and stored with ``marshal``, so a compilation only loads it
(a few ms) instead of decoding wasm. This module and everything it imports use only
the standard library, because ``setup.py`` runs it in pip's isolated build environment.

Memory: the linker places C's static data at ``C_BASE`` and the C stack right after
it (``--no-stack-first``); ``c_parts`` checks that data and stack end below ``C_END``.
Both constants are mirrored in ``compiler/abi.py`` (checked by a test) and in the
memory map of docs/design.md.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..prebuilt import REPO_ROOT, Artifact, register

ARTIFACT_NAME = "nyash-runtime-c.ir"
C_DIR = Path(__file__).resolve().parent / "c"
C_BASE = 0x30000          # start of the C region (static data, then the stack)
C_END = 0x70000           # end of the C region = compiler data start (abi.DATA_BASE)
IR_VERSION = 1            # bump when the stored IR layout (c_parts.dump_parts) changes
C_STACK = 0x20000         # bytes of C stack (regex compilation recurses up to 250 levels)

# wasm features the IR and encoder support (docs/design.md "Wasm module IR")
CPU = "mvp+bulk_memory+sign_ext+nontrapping_fptoint+mutable_globals+multivalue"
# "experimental-mv": a struct of scalars is returned as multiple values and passed as
# separate parameters, so C's ny_value {int32_t tag; int64_t payload;} is exactly the
# runtime's (i32 tag, i64 payload) pair in both directions (nyrt.h).
CFLAGS = ["-target", "wasm32-freestanding", f"-mcpu={CPU}", "-Xclang", "-target-abi", "-Xclang", "experimental-mv",
          "-Os", "-ffreestanding",
          "-fno-builtin-malloc", "-fvisibility=hidden", "-Wall", "-Werror=implicit-function-declaration",
          "-Werror=incompatible-pointer-types", "-Werror=int-conversion"]
LDFLAGS = ["--no-entry", "--no-stack-first", f"--global-base={C_BASE}", "-z", f"stack-size={C_STACK}",
           "--gc-sections", "--export=__heap_base", "--export=__data_end"]


def c_sources() -> list[Path]:
    return sorted(C_DIR.glob("*.c"))


def _rel(p: Path) -> str:
    return p.resolve().relative_to(REPO_ROOT).as_posix()


class CBuildError(Exception):
    """The C sources did not compile or link (compiler output attached)."""


def _run(cmd: list[str]) -> None:
    res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    if res.returncode != 0:
        raise CBuildError(f"{' '.join(cmd[2:5])} ... failed:\n{res.stdout}{res.stderr}")


def build(out: Path, zig_cc: list[str]) -> None:
    """Compile and link every ``c/*.c`` into one module, and write its IR to ``out``."""
    from .c_parts import dump_parts, from_wasm
    wasm = out.with_suffix(".wasm")
    build_sources(wasm, zig_cc, c_sources())
    out.write_bytes(dump_parts(from_wasm(wasm.read_bytes())))


def build_sources(out: Path, zig_cc: list[str], sources: list[Path]) -> None:
    """Compile and link ``sources`` (tests build their own C modules with this)."""
    if not sources:
        out.write_bytes(b"\x00asm\x01\x00\x00\x00")  # nothing written in C yet
        return
    objs = []
    for src in sources:
        obj = out.parent / (src.stem + ".o")
        _run(zig_cc + CFLAGS + ["-I", str(C_DIR), "-c", str(src), "-o", str(obj)])
        objs.append(str(obj))
    # zig cc's own link driver rewrites stack options; call its wasm-ld directly
    wasm_ld = zig_cc[:-1] + ["wasm-ld"]
    _run(wasm_ld + LDFLAGS + objs + ["-o", str(out)])


ARTIFACT = register(Artifact(
    name=ARTIFACT_NAME,
    sources=tuple(_rel(p) for p in sorted(list(C_DIR.glob("*.c")) + list(C_DIR.glob("*.h")))),
    build=build,
    options={"cflags": CFLAGS, "ldflags": LDFLAGS, "ir": IR_VERSION,
             "python": "%d.%d" % sys.version_info[:2]},  # marshal's format follows Python
))
