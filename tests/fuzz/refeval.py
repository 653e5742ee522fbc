"""A reference evaluator for the generated Nyash subset (tests/fuzz/gen.py).

It evaluates the generator's own program tree, following /work/shared/nyash-spec.md
literally (i64 wrapping, truncating division, ``%`` with the dividend's sign, string
forms, byte-wise string comparison, truthiness, ``and``/``or`` returning bools, MapBox
insertion order, ...). It is deliberately independent of the compiler: the
differential tests compare what the compiled program prints against this.

Program tree (plain tuples, built by gen.py):
  expressions: ("int", v) ("float", v) ("str", s) ("bool", b) ("null",) ("var", name)
               ("me",) ("bin", op, l, r) ("not", e) ("neg", e) ("call", f, args)
               ("new", Box, args) ("newarr",) ("newmap",) ("newerr", e)
               ("mcall", obj, m, args) ("field", obj, name) ("fromcall", Parent, m, args)
  statements:  ("local", name, e) ("assign", name, e) ("setfield", obj, name, e)
               ("print", e) ("if", cond, then, orelse|None) ("loop", cond, body)
               ("break",) ("return", e|None) ("expr", e) ("throw", e)
               ("try", body, catch_var|None, catch_body|None, finally_body|None)
  program:     Program(functions={name: (params, body)},
                       boxes={name: (fields, {method: (params, body)})},
                       parents={name: [parent, ...]}, main=[stmts])

Instances print as ``<Box instance #?>``: compare against output with ``#N`` replaced
(``normalize_ids``), since the numbers are arbitrary.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

MASK = (1 << 64) - 1
SIGN = 1 << 63


class NyashRuntimeError(Exception):
    """A Nyash runtime error: the program stops with ``Runtime error: <message>``."""


class Budget(Exception):
    """The program does too much work for a fuzz case (the generator retries)."""


@dataclass
class Program:
    functions: dict[str, tuple[list[str], list]] = field(default_factory=dict)
    boxes: dict[str, tuple[list[str], dict[str, tuple[list[str], list]]]] = field(default_factory=dict)
    main: list = field(default_factory=list)
    parents: dict[str, list[str]] = field(default_factory=dict)

    def lookup(self, box: str, method: str) -> tuple[str, tuple[list[str], list]] | None:
        """The box defining ``method`` for an instance of ``box``: the box itself, then
        each parent (and its parents) in declaration order (spec section 6)."""
        methods = self.boxes[box][1]
        if method in methods:
            return box, methods[method]
        for parent in self.parents.get(box, []):
            found = self.lookup(parent, method)
            if found is not None:
                return found
        return None

    def all_fields(self, box: str) -> list[str]:
        out = list(self.boxes[box][0])
        for parent in self.parents.get(box, []):
            out += [f for f in self.all_fields(parent) if f not in out]
        return out


class Void:
    """The void value (``local x`` without initializer, a bare ``return``)."""

    def __repr__(self) -> str:
        return "void"


VOID = Void()


class Array:
    def __init__(self) -> None:
        self.items: list = []


class Map:
    """Insertion-ordered map keyed by the keys' string forms (1 and "1" are one key)."""

    def __init__(self) -> None:
        self.items: dict = {}


class Instance:
    def __init__(self, box: str, fields: list[str]) -> None:
        self.box = box
        self.fields: dict = {}
        self.declared = list(fields)


class ErrorVal:
    """An ErrorBox (``new ErrorBox(m)``, a thrown value, a caught runtime error)."""

    def __init__(self, message: str) -> None:
        self.message = message


class _Throw(Exception):
    """A Nyash exception in flight (carries the ErrorVal)."""

    def __init__(self, value: ErrorVal) -> None:
        self.value = value


_IDS = re.compile(r" instance #\d+>")


def normalize_ids(text: str) -> str:
    """Instance ids are arbitrary: ``<P instance #12>`` -> ``<P instance #?>``."""
    return _IDS.sub(" instance #?>", text)


def wrap(v: int) -> int:
    """Two's complement 64-bit wrap."""
    v &= MASK
    return v - (1 << 64) if v & SIGN else v


def kind(v) -> str:
    if isinstance(v, bool):
        return "BoolBox"
    if isinstance(v, int):
        return "IntegerBox"
    if isinstance(v, float):
        return "FloatBox"
    if isinstance(v, ErrorVal):
        return "ErrorBox"
    if isinstance(v, str):
        return "StringBox"
    if v is None:
        return "NullBox"
    if v is VOID:
        return "VoidBox"
    if isinstance(v, Array):
        return "ArrayBox"
    if isinstance(v, Map):
        return "MapBox"
    if isinstance(v, Instance):
        return v.box
    raise TypeError(v)


def form(v) -> str:
    """The string form (what print writes, what ``"s" + v`` appends)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, str)):
        return str(v)
    if v is None:
        return "null"
    if v is VOID:
        return "void"
    if isinstance(v, Array):
        return "[" + ", ".join(form(x) for x in v.items) + "]"
    if isinstance(v, Map):
        return f"MapBox(size={len(v.items)})"
    if isinstance(v, float):
        return float_form(v)
    if isinstance(v, ErrorVal):
        return f"ErrorBox({v.message})"
    if isinstance(v, Instance):
        return f"<{v.box} instance #?>"
    raise AssertionError(v)


def float_form(f: float) -> str:
    """Shortest round-trip decimal, never an exponent, integral values without ``.0``."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    text = format(Decimal(repr(f)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def truthy(v) -> bool:
    if v is False or v is VOID:
        return False
    if isinstance(v, bool):
        return True
    if isinstance(v, int):
        return v != 0
    if isinstance(v, str):
        return v != ""
    return True  # null, arrays, maps, instances


def equal(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if _is_num(a) and _is_num(b):
        return float(a) == float(b)
    if isinstance(a, ErrorVal) and isinstance(b, ErrorVal):
        return a.message == b.message
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if a is None or b is None:
        return a is None and b is None
    if a is VOID or b is VOID:
        return a is VOID and b is VOID
    if isinstance(a, Array) and isinstance(b, Array):
        return len(a.items) == len(b.items) and all(equal(x, y) for x, y in zip(a.items, b.items))
    return a is b  # maps and instances: identity


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _float_arith(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0.0:
            if a == 0.0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    if b == 0.0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


_OP_NAMES = {"-": "Subtraction", "*": "Multiplication", "/": "Division", "%": "Modulo"}


def binary(op: str, a, b, limit: int):
    """One arithmetic or comparison operator (``and``/``or`` are handled by the caller)."""
    if _is_num(a) and _is_num(b) and (isinstance(a, float) or isinstance(b, float)):
        if op in ("+", "-", "*", "/", "%"):
            return _float_arith(op, float(a), float(b))
    if op == "+":
        if _is_int(a) and _is_int(b):
            return wrap(a + b)
        if isinstance(a, str):
            out = a + form(b)
            _check_len(out, limit)
            return out
        raise NyashRuntimeError(f"Addition not supported between {kind(a)} and {kind(b)}")
    if op in _OP_NAMES:
        if _is_int(a) and _is_int(b):
            return _int_arith(op, a, b)
        if op == "*" and isinstance(a, str) and _is_int(b):
            out = a * max(b, 0) if b < limit else None
            if out is None:
                raise Budget("repeat count too large")
            _check_len(out, limit)
            return out
        raise NyashRuntimeError(f"{_OP_NAMES[op]} not supported between {kind(a)} and {kind(b)}")
    if op == "==":
        return equal(a, b)
    if op == "!=":
        return not equal(a, b)
    return _compare(op, a, b)


def _int_arith(op: str, a: int, b: int) -> int:
    if op == "-":
        return wrap(a - b)
    if op == "*":
        return wrap(a * b)
    if b == 0:
        raise NyashRuntimeError("Division by zero" if op == "/" else "Modulo by zero")
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return wrap(q) if op == "/" else wrap(a - q * b)


def _compare(op: str, a, b) -> bool:
    if _is_int(a) and _is_int(b):
        x, y = a, b
    elif _is_num(a) and _is_num(b):
        x, y = float(a), float(b)
    elif isinstance(a, str) and isinstance(b, str):
        x, y = a.encode("utf-8"), b.encode("utf-8")
    else:
        x, y = form(a).encode("utf-8"), form(b).encode("utf-8")
    return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]


def _check_len(s: str, limit: int) -> None:
    if len(s) > limit:
        raise Budget("string too long")


class _Return(Exception):
    def __init__(self, value) -> None:
        self.value = value


class _Break(Exception):
    pass


class Evaluator:
    """Runs a Program; ``output`` collects printed lines."""

    def __init__(self, prog: Program, *, max_steps: int = 20000, max_str: int = 20000,
                 max_depth: int = 60) -> None:
        self.prog = prog
        self.output: list[str] = []
        self.steps = 0
        self.max_steps, self.max_str, self.max_depth = max_steps, max_str, max_depth
        self.depth = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise Budget("too many steps")

    # ---- statements ----------------------------------------------------------------
    def block(self, stmts: list, env: dict, me) -> None:
        for s in stmts:
            self.stmt(s, env, me)

    def stmt(self, s: tuple, env: dict, me) -> None:
        self.tick()
        k = s[0]
        if k in ("local", "assign"):
            env[s[1]] = self.expr(s[2], env, me)
        elif k == "setfield":
            obj = self.expr(s[1], env, me)
            value = self.expr(s[3], env, me)
            if not isinstance(obj, Instance):
                raise NyashRuntimeError(f"Field '{s[2]}' not found in {kind(obj)}")
            obj.fields[s[2]] = value
        elif k == "print":
            self.output.append(form(self.expr(s[1], env, me)))
        elif k == "if":
            if truthy(self.expr(s[1], env, me)):
                self.block(s[2], env, me)
            elif s[3] is not None:
                self.block(s[3], env, me)
        elif k == "loop":
            try:
                while truthy(self.expr(s[1], env, me)):
                    self.tick()
                    self.block(s[2], env, me)
            except _Break:
                pass
        elif k == "break":
            raise _Break()
        elif k == "return":
            raise _Return(VOID if s[1] is None else self.expr(s[1], env, me))
        elif k == "expr":
            self.expr(s[1], env, me)
        elif k == "throw":
            v = self.expr(s[1], env, me)
            raise _Throw(v if isinstance(v, ErrorVal) else ErrorVal(form(v)))
        elif k == "try":
            self._try(s, env, me)
        else:
            raise AssertionError(s)

    def _try(self, s: tuple, env: dict, me) -> None:
        """try/catch/finally (spec section 8): runtime errors are caught as ErrorBox(message);
        finally runs on every way out, return and break included."""
        _, body, var, handler, final = s
        try:
            try:
                self.block(body, env, me)
            except (NyashRuntimeError, _Throw) as exc:
                if handler is None:
                    raise
                err = exc.value if isinstance(exc, _Throw) else ErrorVal(str(exc))
                if var is not None:
                    env[var] = err
                self.block(handler, env, me)
        except Budget:
            raise
        except BaseException:
            if final is not None:
                self.block(final, env, me)
            raise
        if final is not None:
            self.block(final, env, me)

    # ---- expressions ---------------------------------------------------------------
    def expr(self, e: tuple, env: dict, me):
        k = e[0]
        if k in ("int", "str", "bool", "float"):
            return e[1]
        if k == "null":
            return None
        if k == "var":
            if e[1] not in env:
                raise NyashRuntimeError(f"Undefined variable '{e[1]}'")
            return env[e[1]]
        if k == "me":
            return me
        if k == "bin":
            return self._bin(e, env, me)
        if k == "not":
            return not truthy(self.expr(e[1], env, me))
        if k == "neg":
            v = self.expr(e[1], env, me)
            if isinstance(v, float):
                return -v
            if not _is_int(v):
                raise NyashRuntimeError(f"Negation not supported for {kind(v)}")
            return wrap(-v)
        if k == "call":
            params, body = self.prog.functions[e[1]]
            args = [self.expr(a, env, me) for a in e[2]]
            return self.invoke(params, body, args, None)
        if k == "new":
            return self._new(e, env, me)
        if k == "newarr":
            return Array()
        if k == "newmap":
            return Map()
        if k == "newerr":
            return ErrorVal(form(self.expr(e[1], env, me)))
        if k == "field":
            obj = self.expr(e[1], env, me)
            if not isinstance(obj, Instance) or e[2] not in obj.fields:
                raise NyashRuntimeError(f"Field '{e[2]}' not found in {kind(obj)}")
            return obj.fields[e[2]]
        if k == "mcall":
            obj = self.expr(e[1], env, me)
            args = [self.expr(a, env, me) for a in e[3]]
            return self.method(obj, e[2], args)
        if k == "fromcall":
            found = self.prog.lookup(e[1], e[2])
            args = [self.expr(a, env, me) for a in e[3]]
            if found is None:
                raise NyashRuntimeError(f"Unknown method '{e[2]}' for {e[1]}")
            params, body = found[1]
            return self.invoke(params, body, args, me)
        raise AssertionError(e)

    def _bin(self, e: tuple, env: dict, me):
        op = e[1]
        left = self.expr(e[2], env, me)
        if op == "and":
            return truthy(left) and truthy(self.expr(e[3], env, me))
        if op == "or":
            return truthy(left) or truthy(self.expr(e[3], env, me))
        return binary(op, left, self.expr(e[3], env, me), self.max_str)

    def _new(self, e: tuple, env: dict, me):
        args = [self.expr(a, env, me) for a in e[2]]
        inst = Instance(e[1], self.prog.all_fields(e[1]))
        found = self.prog.lookup(e[1], "birth")
        if found is None:
            if args:
                raise NyashRuntimeError(f"No constructor found for {e[1]} with {len(args)} arguments")
            return inst
        params, body = found[1]
        if len(params) != len(args):
            raise NyashRuntimeError(f"No constructor found for {e[1]} with {len(args)} arguments")
        self.invoke(params, body, args, inst)
        return inst

    def invoke(self, params: list[str], body: list, args: list, me):
        self.tick()
        self.depth += 1
        if self.depth > self.max_depth:
            raise Budget("recursion too deep")
        try:
            self.block(body, dict(zip(params, args)), me)
        except _Return as r:
            return r.value
        finally:
            self.depth -= 1
        return VOID

    # ---- builtin and user methods ----------------------------------------------------
    def method(self, obj, name: str, args: list):
        self.tick()
        if isinstance(obj, Instance):
            found = self.prog.lookup(obj.box, name)
            if found is None:
                if name == "toString" and not args:
                    return form(obj)
                raise NyashRuntimeError(f"Unknown method '{name}' for {obj.box}")
            params, body = found[1]
            return self.invoke(params, body, args, obj)
        if name == "toString" and not args and not isinstance(obj, Void):
            return form(obj)
        result = _NO_METHOD
        if isinstance(obj, Array):
            result = self._array_method(obj, name, args)
        elif isinstance(obj, Map):
            result = self._map_method(obj, name, args)
        elif isinstance(obj, str):
            result = self._string_method(obj, name, args)
        if result is _NO_METHOD:
            raise NyashRuntimeError(f"Unknown method '{name}' for {kind(obj)}")
        return result

    @staticmethod
    def _array_method(a: Array, name: str, args: list):
        items = a.items
        if name == "push":
            items.append(args[0])
            return "ok"
        if name == "pop":
            return items.pop() if items else None
        if name in ("get", "set", "remove") and not _is_int(args[0]):
            return f"Error: {name}() requires integer index"
        if name == "get":
            i = args[0]
            return items[i] if _is_int(i) and 0 <= i < len(items) else None
        if name == "set":
            i = args[0]
            if _is_int(i) and 0 <= i < len(items):
                items[i] = args[1]
                return "ok"
            return "Error: index out of bounds"
        if name == "length":
            return len(items)
        if name == "contains":
            return any(equal(x, args[0]) for x in items)
        if name == "join":
            if not isinstance(args[0], str):
                return "Error: join() requires string separator"
            return args[0].join(form(x) for x in items)
        if name == "remove":
            i = args[0]
            return items.pop(i) if _is_int(i) and 0 <= i < len(items) else None
        if name == "indexOf":
            return next((i for i, x in enumerate(items) if equal(x, args[0])), -1)
        if name == "clear":
            items.clear()
            return "ok"
        if name == "isEmpty":
            return not items
        if name == "reverse":
            items.reverse()
            return "ok"
        if name == "sort":
            items[:] = sort_values(items)
            return "ok"
        if name == "slice":
            lo, hi = args
            arr = Array()
            arr.items = items[max(lo, 0):max(min(hi, len(items)), 0)] if lo < hi else []
            return arr
        return _NO_METHOD

    @staticmethod
    def _map_method(m: Map, name: str, args: list):
        def key(k):
            return form(k)  # upstream keys a map by the key's string form
        if name == "set":
            m.items[key(args[0])] = args[1]
            return f"Set key: {form(args[0])}"
        if name == "get":
            return m.items.get(key(args[0]), f"Key not found: {form(args[0])}")
        if name == "has":
            return key(args[0]) in m.items
        if name == "size":
            return len(m.items)
        if name == "delete":
            if key(args[0]) in m.items:
                del m.items[key(args[0])]
                return f"Deleted key: {form(args[0])}"
            return f"Key not found: {form(args[0])}"
        if name in ("keys", "values"):
            arr = Array()
            arr.items = list(m.items) if name == "keys" else list(m.items.values())
            return arr
        if name == "isEmpty":
            return not m.items
        if name == "clear":
            m.items.clear()
            return "Map cleared"
        return _NO_METHOD

    @staticmethod
    def _string_method(s: str, name: str, args: list):
        if name == "length":
            return len(s.encode("utf-8"))
        if name == "toUpper":
            return s.upper()
        if name == "toLower":
            return s.lower()
        if name == "find":
            i = s.encode("utf-8").find(args[0].encode("utf-8"))
            return i
        if name == "substring":
            a, b = args
            b = min(b, len(s))
            return s[a:b] if a < b else ""
        if name == "get":
            i = args[0]
            return s[i] if 0 <= i < len(s) else VOID
        if name == "replace":
            return s.replace(args[0], args[1]) if args[0] else s
        if name == "trim":
            return s.strip()
        if name == "split":
            arr = Array()
            sep = args[0]
            arr.items = ([""] + list(s) + [""]) if sep == "" else s.split(sep)
            return arr
        if name == "toInteger":  # upstream: trim().parse::<i64>(), else 0
            t = s.strip()
            body = t[1:] if t[:1] in ("-", "+") else t
            if body and body.isascii() and body.isdigit():
                v = int(t)
                if -(1 << 63) <= v < (1 << 63):
                    return v
            return 0
        return _NO_METHOD


_NO_METHOD = object()


def _sort_key_cmp(a, b) -> int:
    """Upstream's comparison for ``ArrayBox.sort``: two numbers numerically, any other
    pair by their string forms (byte-wise)."""
    if _is_num(a) and _is_num(b):
        x, y = (a, b) if _is_int(a) and _is_int(b) else (float(a), float(b))
    else:
        x, y = form(a).encode("utf-8"), form(b).encode("utf-8")
    return (x > y) - (x < y)


def sort_values(items: list) -> list:
    """Rust's stable sort as upstream runs it: insertion sort up to 20 elements (so the
    result is exact even for comparisons that are not a total order, e.g. NaN or 2, 10,
    "1x"); longer arrays only agree when the order is total."""
    if len(items) > 20:
        import functools
        return sorted(items, key=functools.cmp_to_key(_sort_key_cmp))
    v = list(items)
    for i in range(1, len(v)):
        tmp, j = v[i], i
        while j > 0 and _sort_key_cmp(tmp, v[j - 1]) < 0:
            v[j] = v[j - 1]
            j -= 1
        v[j] = tmp
    return v


@dataclass
class Outcome:
    """What a run produced: stdout text, exit status and the runtime error message."""
    stdout: str
    code: int
    error: str | None


def evaluate(prog: Program, **limits) -> Outcome:
    """Run prog; raise Budget when it exceeds the fuzz limits."""
    ev = Evaluator(prog, **limits)
    try:
        ev.block(prog.main, {}, None)
    except NyashRuntimeError as e:
        return Outcome("".join(line + "\n" for line in ev.output), 1, str(e))
    except _Throw as t:
        return Outcome("".join(line + "\n" for line in ev.output), 1,
                       f"Uncaught exception: {form(t.value)}")
    return Outcome("".join(line + "\n" for line in ev.output), 0, None)
