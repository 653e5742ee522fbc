"""WebAssembly toolkit: module IR, binary encoder, WAT parser/printer, dead-code removal.

Submodules: ``module`` (IR dataclasses), ``encoder`` (``encode``), ``wat_parser``
(``parse_fields``), ``wat`` (``print_module``), ``link`` (``reachable_funcs``),
``opcodes`` (the shared instruction table).
"""
