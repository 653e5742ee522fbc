"""Signatures of runtime functions that are called across runtime files or by the
generated code.  One source of truth: the test harness uses it to stub functions whose
file is not written yet, and the code generator uses it to know result arities.

``v`` in a signature expands to ``i32 i64`` (a dynamic value: tag, payload).
"""
from __future__ import annotations

V = ("i32", "i64")


def _sig(params: str, results: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    def expand(s: str) -> tuple[str, ...]:
        out: list[str] = []
        for t in s.split():
            out.extend(V if t == "v" else (t,))
        return tuple(out)
    return expand(params), expand(results)


SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # core.wat: memory, reference counting, output, errors
    "$alloc": _sig("i32", "i32"),
    "$free": _sig("i32", ""),
    "$retain": _sig("v", ""),
    "$release": _sig("v", ""),
    "$out_write": _sig("i32 i32", ""),
    "$out_flush": _sig("", ""),
    "$err_write": _sig("i32 i32", ""),
    "$raise_error": _sig("i32", ""),
    "$throw_value": _sig("v", ""),
    "$fatal": _sig("i32", ""),
    "$err_new": _sig("i32", "i32"),
    "$inst_new": _sig("i32 i32", "i32"),
    "$realloc": _sig("i32 i32", "i32"),          # (ptr or 0, new size) -> ptr, keeps contents
    "$err_write_str": _sig("i32", ""),          # string object to stderr
    "$box_alloc": _sig("i32 i32", "i32"),       # (kind id, size) -> new box object, rc 1
    # C runtime parts that WAT calls (runtime/c/world_*.c)
    "$random_initial_state": _sig("", "i64"),   # the first state of a new RandomBox
    "$timer_now": _sig("", "i64"),              # monotonic clock, ns
    # c/data_boxes.c: constructors of JSONBox, RegexBox, P2PBox (object, or 0 after raising)
    "$json_box_new": _sig("i32 v", "i32"),
    "$regex_box_new": _sig("i32 v", "i32"),
    "$p2p_box_new": _sig("i32 v v", "i32"),
    # compiler-provided
    "$class_name": _sig("i32", "i32"),
    "$class_fields": _sig("i32", "i32"),        # class id -> immortal "a, b" (DebugBox)
    "$box_kind_name": _sig("i32", "i32"),       # box object -> immortal kind name
    "$box_to_string": _sig("i32", "i32"),       # box object -> owned string form
    "$box_drop": _sig("i32", ""),               # release what a dead box object owns
    "$box_eq": _sig("i32 i32", "i32"),          # == of two box objects
    # strings.wat
    "$str_new": _sig("i32", "i32"),
    "$str_lit": _sig("i32 i32", "i32"),
    "$str_concat": _sig("i32 i32", "i32"),
    "$str_eq": _sig("i32 i32", "i32"),
    "$str_cmp": _sig("i32 i32", "i32"),
    "$str_substring_ii": _sig("i32 i64 i64", "i32"),  # s.substring(a, b), integer bounds
    "$str_get_i": _sig("i32 i64", "i32"),             # s.get(i), integer index; 0 = void
    # character locals (compiler/charlocals.py): codes 0 void, 1 "", code point + 2
    "$str_substring_code": _sig("i32 i64 i64", "i32"),  # s.substring(a, a + 1) as a code
    "$str_get_code": _sig("i32 i64", "i32"),            # s.get(i) as a code
    "$chr_code_value": _sig("v", "i32"),                # a one-character string or void
    "$chr_str": _sig("i32", "i32"),                     # code -> owned string (0: void)
    "$str_len": _sig("i32", "i64"),
    "$str_from_i64": _sig("i64", "i32"),
    "$str_repeat": _sig("i32 i64", "i32"),
    "$str_concat_i64": _sig("i32 i64", "i32"),   # s + decimal n (new string)
    "$str_scratch_concat_i64": _sig("i32 i64", "i32"),  # s + decimal n in the map-key scratch
    "$str_hash": _sig("i32", "i32"),
    "$str_from_bytes": _sig("i32 i32", "i32"),  # (ptr, len) -> new owned string
    "$str_slice": _sig("i32 i32 i32", "i32"),   # (s, from byte, to byte) -> owned
    "$str_find": _sig("i32 i32 i32", "i32"),    # (s, t, from byte) -> byte offset or -1
    "$m_String_length": _sig("i64", "v"),
    "$m_String_toString": _sig("i64", "v"),
    "$m_String_substring": _sig("i64 v v", "v"),
    "$m_String_get": _sig("i64 v", "v"),
    "$m_String_find": _sig("i64 v", "v"),
    "$m_String_replace": _sig("i64 v v", "v"),
    "$m_String_split": _sig("i64 v", "v"),
    "$m_String_trim": _sig("i64", "v"),
    "$m_String_toUpper": _sig("i64", "v"),
    "$m_String_toLower": _sig("i64", "v"),
    "$m_String_toInteger": _sig("i64", "v"),
    "$m_Integer_toString": _sig("i64", "v"),
    "$m_Integer_abs": _sig("i64", "v"),
    "$m_Integer_max": _sig("i64 v", "v"),
    "$m_Integer_min": _sig("i64 v", "v"),
    "$m_Integer_pow": _sig("i64 v", "v"),
    "$m_Integer_toFloat": _sig("i64", "v"),
    "$m_Bool_toString": _sig("i64", "v"),
    # float.wat
    "$str_from_f64": _sig("f64", "i32"),
    "$m_Float_toString": _sig("i64", "v"),
    "$m_Float_toInteger": _sig("i64", "v"),
    "$m_Float_toFloat": _sig("i64", "v"),
    "$m_Float_floor": _sig("i64", "v"),
    "$m_Float_ceil": _sig("i64", "v"),
    "$m_Float_round": _sig("i64", "v"),
    "$m_Float_sqrt": _sig("i64", "v"),
    "$m_Float_abs": _sig("i64", "v"),
    "$m_Float_max": _sig("i64 v", "v"),
    "$m_Float_min": _sig("i64 v", "v"),
    "$m_Float_pow": _sig("i64 v", "v"),
    "$m_Math_abs": _sig("i64 v", "v"),
    "$m_Math_max": _sig("i64 v v", "v"),
    "$m_Math_min": _sig("i64 v v", "v"),
    "$m_Math_pow": _sig("i64 v v", "v"),
    "$m_Math_sqrt": _sig("i64 v", "v"),
    "$m_Math_floor": _sig("i64 v", "v"),
    "$m_Math_ceil": _sig("i64 v", "v"),
    "$m_Math_round": _sig("i64 v", "v"),
    "$m_Math_sin": _sig("i64 v", "v"),
    "$m_Math_cos": _sig("i64 v", "v"),
    "$m_Math_tan": _sig("i64 v", "v"),
    "$m_Math_log": _sig("i64 v", "v"),
    "$m_Math_exp": _sig("i64 v", "v"),
    # values.wat
    "$to_string": _sig("v", "i32"),
    "$print_value": _sig("v", ""),
    "$truthy": _sig("v", "i32"),
    "$kind_name": _sig("v", "i32"),
    "$op_add": _sig("v v", "v"),
    "$op_sub": _sig("v v", "v"),
    "$op_mul": _sig("v v", "v"),
    "$op_div": _sig("v v", "v"),
    "$op_mod": _sig("v v", "v"),
    "$op_neg": _sig("v", "v"),
    "$op_eq": _sig("v v", "i32"),
    "$op_lt": _sig("v v", "i32"),
    "$op_le": _sig("v v", "i32"),
    "$op_gt": _sig("v v", "i32"),
    "$op_ge": _sig("v v", "i32"),
    # collections.wat
    "$arr_new": _sig("", "i32"),
    "$arr_get_i": _sig("i32 i64", "v"),
    "$arr_set_i": _sig("i32 i64 v", "v"),
    "$arr_push_v": _sig("i32 v", ""),
    "$arr_len": _sig("i32", "i64"),
    "$arr_drop": _sig("i32", ""),
    "$map_new": _sig("", "i32"),
    "$map_get_v": _sig("i32 v", "v"),
    "$map_set_v": _sig("i32 v v", ""),
    "$map_drop": _sig("i32", ""),
    # collections.wat builtin methods: (self i64, args v...) -> v
    "$m_Array_push": _sig("i64 v", "v"),
    "$m_Array_pop": _sig("i64", "v"),
    "$m_Array_get": _sig("i64 v", "v"),
    "$m_Array_set": _sig("i64 v v", "v"),
    "$m_Array_length": _sig("i64", "v"),
    "$m_Array_remove": _sig("i64 v", "v"),
    "$m_Array_indexOf": _sig("i64 v", "v"),
    "$m_Array_contains": _sig("i64 v", "v"),
    "$m_Array_clear": _sig("i64", "v"),
    "$m_Array_isEmpty": _sig("i64", "v"),
    "$m_Array_join": _sig("i64 v", "v"),
    "$m_Array_sort": _sig("i64", "v"),
    "$m_Array_reverse": _sig("i64", "v"),
    "$m_Array_slice": _sig("i64 v v", "v"),
    "$m_Array_toString": _sig("i64", "v"),
    "$m_Map_set": _sig("i64 v v", "v"),
    "$m_Map_get": _sig("i64 v", "v"),
    "$m_Map_has": _sig("i64 v", "v"),
    "$m_Map_delete": _sig("i64 v", "v"),
    "$m_Map_size": _sig("i64", "v"),
    "$m_Map_keys": _sig("i64", "v"),
    "$m_Map_values": _sig("i64", "v"),
    "$m_Map_isEmpty": _sig("i64", "v"),
    "$m_Map_clear": _sig("i64", "v"),
    "$m_Map_toString": _sig("i64", "v"),
    "$m_Console_log": _sig("i64 v", "v"),
    "$m_Console_warn": _sig("i64 v", "v"),
    "$m_Console_error": _sig("i64 v", "v"),
}
