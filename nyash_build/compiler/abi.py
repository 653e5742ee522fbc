"""Facts of the value ABI shared by every code generation module (docs/design.md):
value tags, the memory map start of compiler data, and which runtime functions can
never leave an exception pending."""
from __future__ import annotations

from ..runtime.c_build import C_BASE, C_END  # noqa: F401  (the C region precedes compiler data)

DATA_BASE = C_END
MAX_PAGES = 16384  # 1 GiB

T_VOID, T_NULL, T_BOOL, T_INT, T_FLOAT, T_STR, T_ARR, T_MAP, T_ERR, T_INST, T_BOX, T_CONSOLE, T_MATH, T_UNSET = range(14)
# Heap tags are one contiguous range (retain/release test `tag - HEAP_FIRST < HEAP_COUNT`).
HEAP_FIRST, HEAP_COUNT = T_STR, T_BOX - T_STR + 1

KIND_TAGS = {"str": T_STR, "arr": T_ARR, "map": T_MAP, "err": T_ERR, "console": T_CONSOLE,
             "math": T_MATH, "null": T_NULL, "void": T_VOID}
BUILTIN_KIND_NAMES = {T_STR: "String", T_INT: "Integer", T_FLOAT: "Float", T_BOOL: "Bool",
                      T_ARR: "Array", T_MAP: "Map", T_CONSOLE: "Console", T_MATH: "Math", T_ERR: "Error",
                      T_NULL: "Null"}
KIND_OF_STATIC = {"str": T_STR, "int": T_INT, "float": T_FLOAT, "bool": T_BOOL, "arr": T_ARR,
                  "map": T_MAP, "console": T_CONSOLE, "math": T_MATH, "err": T_ERR, "null": T_NULL}

# Runtime functions that never raise (no pending-exception check needed after them).
NON_RAISING = frozenset({
    "$retain", "$release", "$to_string", "$print_value", "$truthy", "$str_concat", "$arr_push_v",
    "$arr_len", "$arr_get_i", "$arr_new", "$map_new", "$err_new", "$inst_new", "$op_eq", "$kind_name",
    "$str_from_i64", "$str_from_f64", "$str_len", "$slot_set", "$extra_set", "$str_append",
    "$str_append_i64", "$str_concat_i64", "$str_scratch_concat_i64", "$str_substring_code", "$str_get_code", "$chr_code_value", "$chr_str",
    "$m_String_length", "$m_String_toString", "$m_Array_length", "$m_Array_push", "$m_Array_pop",
    "$m_Array_isEmpty", "$m_Array_clear", "$m_Array_toString", "$m_Map_size", "$m_Map_toString",
    "$m_Map_keys", "$m_Map_values", "$m_Map_isEmpty", "$m_Map_clear", "$m_Console_log",
    "$m_Console_warn", "$m_Console_error", "$m_Integer_toString", "$m_Bool_toString",
})
