"""Opcode tables shared by the encoder, the WAT parser and the printer.

``OPS`` maps a WAT instruction name to ``(kind, opcode bytes)``; ``kind`` tells the
encoder which immediates follow.  One table keeps the three tools in agreement about
which instructions exist.
"""
from __future__ import annotations

# Immediate kinds.
K_PLAIN = 0      # no immediates (opcode bytes include fixed memory-index zeros)
K_LOCAL = 1      # local index
K_GLOBAL = 2     # global index
K_CALL = 3       # function index
K_I32 = 4        # i32.const
K_I64 = 5        # i64.const
K_F32 = 6        # f32.const
K_F64 = 7        # f64.const
K_BLOCK = 8      # block / loop / if: label, blocktype
K_ELSE = 9
K_END = 10
K_BR = 11        # br / br_if: label or depth
K_BR_TABLE = 12
K_MEM = 13       # load/store: offset, align_log2
K_LINE = 14      # pseudo-instruction ("line", n)
K_SELECT = 15    # select with optional valtype

VALTYPES: dict[str, int] = {"i32": 0x7F, "i64": 0x7E, "f32": 0x7D, "f64": 0x7C}

OPS: dict[str, tuple[int, bytes]] = {}
# Natural alignment (log2 of the access size) of every load/store.
NATURAL_ALIGN: dict[str, int] = {}


def _add(kind: int, code: int | bytes, *names: str) -> None:
    """Register consecutive opcodes starting at ``code`` for ``names``."""
    for i, name in enumerate(names):
        OPS[name] = (kind, bytes([code + i]) if isinstance(code, int) else code)


_add(K_PLAIN, 0x00, "unreachable", "nop")
_add(K_BLOCK, 0x02, "block", "loop", "if")
_add(K_ELSE, 0x05, "else")
_add(K_END, 0x0B, "end")
_add(K_BR, 0x0C, "br", "br_if")
_add(K_BR_TABLE, 0x0E, "br_table")
_add(K_PLAIN, 0x0F, "return")
_add(K_CALL, 0x10, "call")
_add(K_PLAIN, 0x1A, "drop")
_add(K_SELECT, 0x1B, "select")
_add(K_LOCAL, 0x20, "local.get", "local.set", "local.tee")
_add(K_GLOBAL, 0x23, "global.get", "global.set")

_MEMOPS = [
    ("i32.load", 2), ("i64.load", 3), ("f32.load", 2), ("f64.load", 3),
    ("i32.load8_s", 0), ("i32.load8_u", 0), ("i32.load16_s", 1), ("i32.load16_u", 1),
    ("i64.load8_s", 0), ("i64.load8_u", 0), ("i64.load16_s", 1), ("i64.load16_u", 1),
    ("i64.load32_s", 2), ("i64.load32_u", 2),
    ("i32.store", 2), ("i64.store", 3), ("f32.store", 2), ("f64.store", 3),
    ("i32.store8", 0), ("i32.store16", 1), ("i64.store8", 0), ("i64.store16", 1),
    ("i64.store32", 2),
]
for _i, (_name, _align) in enumerate(_MEMOPS):
    OPS[_name] = (K_MEM, bytes([0x28 + _i]))
    NATURAL_ALIGN[_name] = _align

OPS["memory.size"] = (K_PLAIN, b"\x3f\x00")
OPS["memory.grow"] = (K_PLAIN, b"\x40\x00")
_add(K_I32, 0x41, "i32.const")
_add(K_I64, 0x42, "i64.const")
_add(K_F32, 0x43, "f32.const")
_add(K_F64, 0x44, "f64.const")

_CMP_I = ["eqz", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]
_CMP_F = ["eq", "ne", "lt", "gt", "le", "ge"]
_ARITH_I = ["clz", "ctz", "popcnt", "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u",
            "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"]
_ARITH_F = ["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt", "add", "sub", "mul",
            "div", "min", "max", "copysign"]
_add(K_PLAIN, 0x45, *("i32." + n for n in _CMP_I))
_add(K_PLAIN, 0x50, *("i64." + n for n in _CMP_I))
_add(K_PLAIN, 0x5B, *("f32." + n for n in _CMP_F))
_add(K_PLAIN, 0x61, *("f64." + n for n in _CMP_F))
_add(K_PLAIN, 0x67, *("i32." + n for n in _ARITH_I))
_add(K_PLAIN, 0x79, *("i64." + n for n in _ARITH_I))
_add(K_PLAIN, 0x8B, *("f32." + n for n in _ARITH_F))
_add(K_PLAIN, 0x99, *("f64." + n for n in _ARITH_F))
_add(K_PLAIN, 0xA7,
     "i32.wrap_i64", "i32.trunc_f32_s", "i32.trunc_f32_u", "i32.trunc_f64_s",
     "i32.trunc_f64_u", "i64.extend_i32_s", "i64.extend_i32_u", "i64.trunc_f32_s",
     "i64.trunc_f32_u", "i64.trunc_f64_s", "i64.trunc_f64_u", "f32.convert_i32_s",
     "f32.convert_i32_u", "f32.convert_i64_s", "f32.convert_i64_u", "f32.demote_f64",
     "f64.convert_i32_s", "f64.convert_i32_u", "f64.convert_i64_s", "f64.convert_i64_u",
     "f64.promote_f32", "i32.reinterpret_f32", "i64.reinterpret_f64",
     "f32.reinterpret_i32", "f64.reinterpret_i64")
_add(K_PLAIN, 0xC0, "i32.extend8_s", "i32.extend16_s", "i64.extend8_s", "i64.extend16_s",
     "i64.extend32_s")
for _i, _name in enumerate(["i32.trunc_sat_f32_s", "i32.trunc_sat_f32_u",
                            "i32.trunc_sat_f64_s", "i32.trunc_sat_f64_u",
                            "i64.trunc_sat_f32_s", "i64.trunc_sat_f32_u",
                            "i64.trunc_sat_f64_s", "i64.trunc_sat_f64_u"]):
    OPS[_name] = (K_PLAIN, bytes([0xFC, _i]))
OPS["memory.copy"] = (K_PLAIN, b"\xfc\x0a\x00\x00")
OPS["memory.fill"] = (K_PLAIN, b"\xfc\x0b\x00")
# The one vector operation the runtime uses: an exact fused multiply-add on lane 0
# (f64x2.relaxed_madd, which the runner's engines make deterministic: fused on every
# CPU; see runtime/float.wat $fl_fma). extract_lane's lane immediate is always 0.
OPS["f64x2.splat"] = (K_PLAIN, b"\xfd\x14")
OPS["f64x2.relaxed_madd"] = (K_PLAIN, b"\xfd\x87\x02")
OPS["f64x2.extract_lane"] = (K_PLAIN, b"\xfd\x21\x00")
LANE_ZERO_OPS = frozenset({"f64x2.extract_lane"})
OPS["line"] = (K_LINE, b"")
