"""Hand-written WASI modules shaped like the compiler's output (until it exists):
exports `_start`, `memory`, globals `nyash_trap_mode` / `nyash_error_reported`, and
Nyash-level function names in the name section."""
from __future__ import annotations

import wasmtime

_PRELUDE = r'''
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
 (memory (export "memory") 2)
 (global $trap_mode (export "nyash_trap_mode") (mut i32) (i32.const 0))
 (global $reported (export "nyash_error_reported") (mut i32) (i32.const 0))
 (func $out_write (param $fd i32) (param $ptr i32) (param $len i32)
   (i32.store (i32.const 0) (local.get $ptr))
   (i32.store (i32.const 4) (local.get $len))
   (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
 (func $raise_error (param $ptr i32) (param $len i32)
   (call $out_write (i32.const 2) (i32.const 64) (i32.const 15))
   (call $out_write (i32.const 2) (local.get $ptr) (local.get $len))
   (call $out_write (i32.const 2) (i32.const 96) (i32.const 1))
   (global.set $reported (i32.const 1))
   (if (global.get $trap_mode) (then unreachable))
   (call $proc_exit (i32.const 1)))
 (data (i32.const 64) "Runtime error: ")
 (data (i32.const 96) "\n")
'''

HELLO = "(module" + _PRELUDE + r'''
 (data (i32.const 128) "Hello, world!\n")
 (func $Main.main (call $out_write (i32.const 1) (i32.const 128) (i32.const 14)))
 (func (export "_start") (call $Main.main)))'''

# Main.main -> outer -> inner -> raise_error("Division by zero"): a reported error.
NESTED_ERROR = "(module" + _PRELUDE + r'''
 (data (i32.const 128) "before\n")
 (data (i32.const 160) "Division by zero")
 (func $inner (param i32) (result i32)
   (call $raise_error (i32.const 160) (i32.const 16))
   (local.get 0))
 (func $outer (param i32) (result i32)
   (call $inner (i32.add (local.get 0) (i32.const 1))))
 (func $Main.main
   (call $out_write (i32.const 1) (i32.const 128) (i32.const 7))
   (drop (call $outer (i32.const 1))))
 (func (export "_start") (call $Main.main)))'''

# A plain wasm trap nobody reported: integer division by zero inside `divide`.
DIV_TRAP = "(module" + _PRELUDE + r'''
 (func $divide (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
 (func $Main.main (drop (call $divide (i64.const 7) (i64.const 0))))
 (func (export "_start") (call $Main.main)))'''

STACK_OVERFLOW = "(module" + _PRELUDE + r'''
 (func $fib (param i64) (result i64)
   (i64.add (call $fib (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))
 (func $Main.main (drop (call $fib (i64.const 0))))
 (func (export "_start") (call $Main.main)))'''

# 10,000 nested calls with Nyash-sized frames (tag+payload pairs), then "deep ok".
DEEP_RECURSION = "(module" + _PRELUDE + r'''
 (data (i32.const 128) "deep ok\n")
 (func $down (param $tag i32) (param $n i64) (result i32 i64)
   (local $t2 i32) (local $p2 i64) (local $t3 i32) (local $p3 i64)
   (if (result i32 i64) (i64.eqz (local.get $n))
     (then (i32.const 3) (i64.const 0))
     (else
       (call $down (local.get $tag) (i64.sub (local.get $n) (i64.const 1)))
       (local.set $p2) (local.set $t2)
       (local.get $t2) (i64.add (local.get $p2) (i64.const 1)))))
 (func $Main.main
   (drop (drop (call $down (i32.const 3) (i64.const 10000))))
   (call $out_write (i32.const 1) (i32.const 128) (i32.const 8)))
 (func (export "_start") (call $Main.main)))'''

EXIT3 = "(module" + _PRELUDE + r'''
 (data (i32.const 128) "exiting\n")
 (func $Main.main (call $out_write (i32.const 1) (i32.const 128) (i32.const 8))
   (call $proc_exit (i32.const 3)))
 (func (export "_start") (call $Main.main)))'''

# Echo argv[1] and the value of env var GREETING (checks WASI argv/env plumbing).
ARGS_ENV = "(module" + r'''
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
 (memory (export "memory") 2)
 (func $Main.main (local $argc i32) (local $p i32) (local $len i32)
   (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
   (local.set $argc (i32.load (i32.const 0)))
   (drop (call $args_get (i32.const 1024) (i32.const 4096)))
   (if (i32.ge_u (local.get $argc) (i32.const 2)) (then
     (local.set $p (i32.load (i32.const 1028)))
     (block $done (loop $scan
       (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $len)))))
       (local.set $len (i32.add (local.get $len) (i32.const 1)))
       (br $scan)))
     (i32.store8 (i32.add (local.get $p) (local.get $len)) (i32.const 10))
     (i32.store (i32.const 16) (local.get $p))
     (i32.store (i32.const 20) (i32.add (local.get $len) (i32.const 1)))
     (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))))
 (func (export "_start") (call $Main.main)))'''

USER_FUNCTIONS = ["Main.main", "outer", "inner", "divide", "fib", "down"]


def wasm(wat: str) -> bytes:
    return bytes(wasmtime.wat2wasm(wat))


def function_body_offsets(module: bytes) -> list[int]:
    """Module offsets of each defined function's body (code-section order), read with
    the runner's own section reader (its mapping is then checked against real traps)."""
    from runtime_stub.runner import function_bodies
    return [first for _, (first, _end) in sorted(function_bodies(module).items())]


def meta_for(wat_text: str, module: bytes, lines: dict[int, int] | None = None) -> dict:
    """Metadata with a hand-made line table: defined function i starts at line
    100*(i+1) of file 0 unless `lines` overrides it (a line, or a (file, line) pair)."""
    starts = function_body_offsets(module)
    table = []
    for i, off in enumerate(starts):
        where = (lines or {}).get(i, 100 * (i + 1))
        file, line = where if isinstance(where, tuple) else (0, where)
        table.append((off, file, line))
    return {"source_name": "app.nyash", "source_sha256": "0" * 64,
            "sources": [{"name": "app.nyash", "sha256": "0" * 64},
                        {"name": "lib/util.nyash", "sha256": "1" * 64}],
            "compiler_version": "test", "line_table": table,
            "user_functions": USER_FUNCTIONS}


# Prints every argument, environment entry and preopened directory the host gives it,
# one per line ("arg ...", "env ...", "dir ..."): the world as the program sees it.
WORLD = "(module" + r'''
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
 (memory (export "memory") 8)
 (data (i32.const 96) "\n")
 (data (i32.const 100) "arg env dir ")
 (func $write (param $p i32) (param $n i32)
   (i32.store (i32.const 0) (local.get $p)) (i32.store (i32.const 4) (local.get $n))
   (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
 (func $strlen (param $p i32) (result i32) (local $n i32)
   (block $d (loop $l (br_if $d (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
     (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l)))
   (local.get $n))
 (func $lines (param $label i32) (param $ptrs i32) (param $count i32) (local $i i32) (local $s i32)
   (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $count)))
     (local.set $s (i32.load (i32.add (local.get $ptrs) (i32.mul (local.get $i) (i32.const 4)))))
     (call $write (local.get $label) (i32.const 4))
     (call $write (local.get $s) (call $strlen (local.get $s)))
     (call $write (i32.const 96) (i32.const 1))
     (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))
 (func $Main.main (local $fd i32) (local $len i32)
   (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
   (drop (call $args_get (i32.const 1024) (i32.const 65536)))
   (call $lines (i32.const 100) (i32.const 1024) (i32.load (i32.const 16)))
   (drop (call $environ_sizes_get (i32.const 16) (i32.const 20)))
   (drop (call $environ_get (i32.const 8192) (i32.const 131072)))
   (call $lines (i32.const 104) (i32.const 8192) (i32.load (i32.const 16)))
   (local.set $fd (i32.const 3))
   (block $d (loop $l
     (br_if $d (call $fd_prestat_get (local.get $fd) (i32.const 32)))
     (local.set $len (i32.load (i32.const 36)))
     (drop (call $fd_prestat_dir_name (local.get $fd) (i32.const 262144) (local.get $len)))
     (call $write (i32.const 108) (i32.const 4))
     (call $write (i32.const 262144) (local.get $len))
     (call $write (i32.const 96) (i32.const 1))
     (local.set $fd (i32.add (local.get $fd) (i32.const 1))) (br $l))))
 (func (export "_start") (call $Main.main)))'''

# proc_exit with a status WASI refuses (>= 126): the host reports an error instead.
BAD_EXIT = "(module" + _PRELUDE + r'''
 (func $Main.main (call $proc_exit (i32.const 200)))
 (func (export "_start") (call $Main.main)))'''

# Grows memory one page at a time until the host refuses; exits with the number of
# pages it got (the store's memory limit decides).
GROW = "(module" + _PRELUDE + r'''
 (func $Main.main (local $n i32)
   (block $d (loop $l
     (br_if $d (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
     (local.set $n (i32.add (local.get $n) (i32.const 1)))
     (br_if $d (i32.ge_u (local.get $n) (i32.const 120)))
     (br $l)))
   (call $proc_exit (local.get $n)))
 (func (export "_start") (call $Main.main)))'''

# Writes a line, then runs forever (for the time limit).
SPIN = "(module" + _PRELUDE + r'''
 (data (i32.const 128) "spinning\n")
 (func $Main.main
   (call $out_write (i32.const 1) (i32.const 128) (i32.const 9))
   (loop $l (br $l)))
 (func (export "_start") (call $Main.main)))'''
