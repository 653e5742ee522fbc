"""Checked program + kinds -> wasm module IR (docs/design.md has the ABI).

``modulegen.ModuleGen`` holds what is per module (static data, may-raise analysis,
function names and signatures, dispatchers); ``funcgen.FuncGen`` generates each body;
this module drives the bodies and adds what needs all of them: the class-name table,
``_start``, the message globals and the final Module with the linked runtime
(``runtime_lib``). ``fastpaths`` holds the inline fast paths.
"""
from __future__ import annotations

import struct

from .abi import DATA_BASE, MAX_PAGES, T_ARR, T_UNSET
from .funcgen import FuncGen
from .infer import Inference
from .inline import inline_calls
from .modulegen import ModuleGen
from .program import ProgramInfo, position_order, unique
from .runtime_lib import runtime_lib
from ..wasm.module import Data, Func, Global, Import, Memory, Module


def _assemble(mg: ModuleGen) -> Module:
    for body in mg.info.bodies:
        FuncGen(mg, body).generate()
    _gen_class_name(mg)
    mg.gen_box_support()
    _gen_start(mg)
    # (not into $_start: the top level and main() keep their frames for error reports)
    mg.funcs = inline_calls(mg.funcs, {f.name for f in mg.funcs} - {"$_start"}, mg.rt.func_names,
                            mg.dispatch_calls)
    _message_globals(mg)
    for c in mg.info.classes.values():
        if c.is_static:
            mg.globals.append(Global(f"$static:{c.name}", "i32", True, 0))
    for g in mg.info.globals:
        mg.globals.append(Global(f"$g:{g}.t", "i32", True, T_UNSET))
        mg.globals.append(Global(f"$g:{g}.v", "i64", True, 0))
    mg.globals.append(Global("$main_outer", "i32", True, 0))  # _start is calling Main.main
    mg.globals.append(Global("$main_depth", "i32", True, 0))  # active calls of Main.main
    heap_base = (DATA_BASE + len(mg.data) + 15) & ~15
    mg.globals.append(Global("$heap_base", "i32", False, heap_base))
    pages = heap_base // 65536 + 2
    imports = [Import("wasi_snapshot_preview1", "fd_write", "$fd_write", ["i32", "i32", "i32", "i32"], ["i32"]),
               Import("wasi_snapshot_preview1", "proc_exit", "$proc_exit", ["i32"], [])]
    imports += [i for i in mg.rt.imports if i.name not in {x.name for x in imports}]
    return Module(
        imports=imports,
        funcs=mg.rt.funcs + mg.funcs,
        globals=mg.rt.globals + mg.globals,
        memory=Memory(pages, MAX_PAGES, "memory"),
        data=mg.rt.data + [Data(DATA_BASE, bytes(mg.data))],
        # nyash_flush: the runner flushes buffered output after a trap (stack overflow)
        exports=[("_start", "func", "$_start"), ("nyash_flush", "func", "$out_flush")] + mg.rt.exports,
    )


def _message_globals(mg: ModuleGen) -> None:
    msgs = {
        "$msg_div_zero": "Division by zero", "$msg_mod_zero": "Modulo by zero",
        "$msg_quote_for": "' for ", "$msg_unknown_method": "Unknown method '",
        "$msg_field": "Field '", "$msg_quote_in": "' not found in ",
        "$msg_quote_private": "' is private in ", "$msg_uncaught": "Uncaught exception: ",
        "$lit_null": "null", "$msg_math_numbers": "MathBox.divide expects numbers",
        "$lit_iterated": "Iterated over ", "$lit_items": " items",
        "$lit_console_clear": "[Console CLEAR]\n", "$lit_space": " ",
        "$msg_cannot_convert": "Cannot convert '", "$msg_to_integer": "' to integer",
        "$msg_to_float": "' to float", "$msg_to_bool": "' to bool",
        "$lit_true": "true", "$lit_false": "false",
    }
    for name, text in msgs.items():
        mg.globals.append(Global(name, "i32", False, mg.string_lit(text)))


def _gen_class_name(mg: ModuleGen) -> None:
    classes = list(mg.info.classes.values())
    addrs = [mg.string_lit(c.name) for c in classes]
    while len(mg.data) % 4:
        mg.data.append(0)
    table = DATA_BASE + len(mg.data)
    for a in addrs:
        mg.data += struct.pack("<I", a)
    body = [("local.get", "$cid"), ("i32.const", 4), ("i32.mul",), ("i32.load", table, 2)] if classes else [("i32.const", mg.string_lit("Box"))]
    mg.funcs.append(Func("$class_name", [("$cid", "i32")], ["i32"], [], body))


def _gen_start(mg: ModuleGen) -> None:
    code: list[tuple] = []
    locals_: list[tuple[str, str]] = []
    for c in mg.info.classes.values():
        if c.is_static:
            code += [("i32.const", c.cid), ("i32.const", len(c.fields)), ("call", "$inst_new"),
                     ("global.set", f"$static:{c.name}")]
    code.append(("call", "$<main>"))
    main = mg.info.classes.get("Main")
    if main is not None and main.is_static:
        m = main.find_method("main", 0)
        if m is not None or main.find_method("main", 1) is not None:
            # this call is the outermost main: it leaves its locals to the process exit
            code += [("i32.const", 1), ("global.set", "$main_outer")]
        if m is not None:
            code += [("global.get", "$static:Main"), ("call", mg.method_func(m)), ("call", "$release")]
        elif (m := main.find_method("main", 1)) is not None:
            # main(args): the command-line arguments after the program's name
            code += [("global.get", "$static:Main"), ("i32.const", T_ARR), ("call", "$world_args"),
                     ("local.tee", "$args"), ("i64.extend_i32_u",), ("call", mg.method_func(m)),
                     ("call", "$release"), ("i32.const", T_ARR), ("local.get", "$args"), ("i64.extend_i32_u",),
                     ("call", "$release")]
            locals_.append(("$args", "i32"))
    code.append(("call", "$out_flush"))
    mg.funcs.append(Func("$_start", [], [], locals_, code))


def generate(info: ProgramInfo, inf: Inference) -> tuple[Module, dict[str, str]]:
    """Generate the module; codegen-time warnings are appended to info.warnings."""
    mg = ModuleGen(info, inf, runtime_lib())
    mod = _assemble(mg)
    info.warnings.extend(mg.warnings)
    info.warnings[:] = sorted(unique(info.warnings), key=position_order(info.ast.files))
    return mod, mg.user_functions
