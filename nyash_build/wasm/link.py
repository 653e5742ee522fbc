"""Dead-code elimination over the module IR.

The runtime library is large and most programs use a fraction of it; dropping
unreachable functions shrinks the .wasm and, more importantly, the AOT compile time.
"""
from __future__ import annotations

from dataclasses import replace

from .module import Module


def reachable_funcs(module: Module, roots: set[str]) -> Module:
    """A copy of ``module`` keeping only functions transitively called from ``roots``.

    Exported functions (per-item ``export`` or ``module.exports`` of kind func) are
    roots too.  Imported functions nothing calls are dropped as well (a program that
    never reads a file does not import the file-system functions).  Order is preserved;
    memory is kept as is, and so are globals and data segments without a ``group``;
    grouped ones (the C runtime parts) are kept only when a function of their group is
    reachable, and globals of the group ``"used"`` (box kind ids) only when a kept
    function reads or writes them.
    Raises ``KeyError`` for a root that names no function.
    """
    defined = {f.name: f for f in module.funcs}
    known = set(defined) | {i.name for i in module.imports}
    work = []
    for r in roots:
        if r not in known:
            raise KeyError(f"reachable_funcs: unknown root function {r!r}")
        work.append(r)
    work.extend(f.name for f in module.funcs if f.export is not None)
    work.extend(ref for _n, kind, ref in module.exports if kind == "func")
    seen: set[str] = set()
    while work:
        name = work.pop()
        if name in seen:
            continue
        seen.add(name)
        f = defined.get(name)
        if f is None:
            continue
        for ins in f.body:
            if ins[0] == "call":
                target = ins[1]
                if target not in seen:
                    work.append(target)
    funcs = [f for f in module.funcs if f.name in seen]
    alive = {f.group for f in funcs if f.group is not None}
    if any(g.group == "used" for g in module.globals):
        alive |= {"used:" + ins[1] for f in funcs for ins in f.body if ins[0] in ("global.get", "global.set")}
    return replace(module, funcs=funcs, imports=[i for i in module.imports if i.name in seen],
                   globals=[g for g in module.globals if g.group is None or g.group in alive
                            or (g.group == "used" and "used:" + g.name in alive)],
                   data=[d for d in module.data if d.group is None or d.group in alive])
