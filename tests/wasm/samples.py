"""Hand-written WAT modules used by the round-trip tests, with calls to compare.

Each sample is (name, WAT text, [(export, args), ...]).
"""
from __future__ import annotations

NUMERIC = r"""
(module
  ;; folded arithmetic and conversions
  (func (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))
  (func (export "divs") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "f64ops") (param $x f64) (param $y f64) (result f64)
    (f64.add (f64.mul (local.get $x) (local.get $y))
             (f64.sqrt (f64.abs (f64.copysign (local.get $x) (local.get $y))))))
  (func (export "tsat") (param f64) (result i64) (i64.trunc_sat_f64_s (local.get 0)))
  (func (export "tsatu32") (param f32) (result i32) (i32.trunc_sat_f32_u (local.get 0)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "reinterp") (param $x f64) (result i64) (i64.reinterpret_f64 (local.get $x)))
  (func (export "unreinterp") (param i64) (result f64) local.get 0 f64.reinterpret_i64)
  (func (export "ext8") (param i32) (result i32) (i32.extend8_s (local.get 0)))
  (func (export "ext16") (param i64) (result i64) (i64.extend16_s (local.get 0)))
  (func (export "ext32") (param i64) (result i64) (i64.extend32_s (local.get 0)))
  (func (export "wrapext") (param i64) (result i64)
    local.get 0 i32.wrap_i64 i64.extend_i32_u)
  (func (export "consts") (result i32 i64 f32 f64)
    (i32.const 0xFFFF_FFFF) (i64.const -0x8000_0000_0000_0000)
    (f32.const 0x1.8p3) (f64.const -1.5e-300))
  (func (export "more") (result i64 i64 i32 f64 f64)
    i64.const 0xffff_ffff_ffff_ffff
    i64.const +1_000_000
    i32.const -2147483648
    f64.const 0x1p-1074
    f64.const 1_000.5e2)
  (func (export "inf") (result f64 f32) f64.const -inf f32.const inf)
  (func (export "bits") (param i64) (result i64 i64 i64)
    (i64.clz (local.get 0)) (i64.ctz (local.get 0)) (i64.popcnt (local.get 0)))
  (func (export "rot") (param i32) (result i32)
    (i32.xor (i32.rotl (local.get 0) (i32.const 3)) (i32.shr_u (local.get 0) (i32.const 1))))
  (func (export "cmp") (param f64 f64) (result i32)
    (i32.add (f64.lt (local.get 0) (local.get 1))
             (i32.shl (f64.ge (local.get 0) (local.get 1)) (i32.const 1))))
  (func (export "convs") (param i64) (result f64 f32)
    (f64.convert_i64_u (local.get 0)) (f32.demote_f64 (f64.convert_i64_s (local.get 0))))
)
"""

NUMERIC_CALLS = [
    ("add", (2, 40)), ("add", (0x7FFFFFFF, 1)), ("divs", (7, -2)), ("divs", (1, 0)),
    ("divs", (-0x80000000, -1)), ("f64ops", (1.5, -2.0)), ("tsat", (1e300,)),
    ("tsat", (float("nan"),)), ("tsatu32", (-5.0,)), ("trunc", (1e20,)), ("trunc", (-3.9,)),
    ("reinterp", (-0.0,)), ("unreinterp", (0x400921FB54442D18,)), ("ext8", (0x80,)),
    ("ext16", (0xFFFF,)), ("ext32", (0x80000000,)), ("wrapext", (-1,)), ("consts", ()),
    ("more", ()), ("inf", ()), ("bits", (0x00F0,)), ("rot", (0x80000001,)),
    ("cmp", (1.0, 2.0)), ("cmp", (3.0, 2.0)), ("convs", (-1,)),
]

CONTROL = r"""
(module
  (func $sum (export "sum") (param $n i32) (result i32) (local $acc i32)
    block $done
      loop $top
        local.get $n
        i32.eqz
        br_if $done
        local.get $acc local.get $n i32.add local.set $acc
        local.get $n i32.const 1 i32.sub local.set $n
        br $top
      end $top
    end
    local.get $acc)
  (func (export "switch") (param $x i32) (result i32)
    (block $d (block $c (block $b (block $a
       (br_table $a $b $c $d (local.get $x)))
       (return (i32.const 10)))
       (return (i32.const 20)))
       (return (i32.const 30)))
    (i32.const 40))
  (func (export "switch_num") (param $x i32) (result i32)
    block block block
      local.get $x
      br_table 0 1 2
    end
    i32.const 1 return
    end
    i32.const 2 return
    end
    i32.const 3)
  (func $pair (param $a i64) (result i64 i64)
    (local.get $a) (i64.mul (local.get $a) (local.get $a)))
  (func (export "pair") (param i64) (result i64 i64) (call $pair (local.get 0)))
  (func (export "mv") (param $a i64) (result i64)
    local.get $a
    block $blk (param i64) (result i64 i64)
      call $pair
    end
    i64.add)
  (func (export "mvif") (param $c i32) (result i32 i64)
    (if (result i32 i64) (local.get $c)
      (then (i32.const 1) (i64.const 100))
      (else (i32.const 2) (i64.const 200))))
  (func (export "sel") (param i32) (result i64)
    (select (i64.const 1) (i64.const 2) (local.get 0)))
  (func (export "tsel") (param i32) (result f64)
    (select (result f64) (f64.const 1.5) (f64.const 2.5) (local.get 0)))
  (func (export "ifelse") (param i32) (result i32)
    local.get 0
    if (result i32)
      i32.const 1
    else
      i32.const 2
    end)
  (func (export "ifnoelse") (param i32) (result i32) (local $r i32)
    (i32.const 5) (local.set $r)
    (if (local.get 0) (then (local.set $r (i32.const 9))))
    (local.get $r))
  (func (export "depth") (param i32) (result i32)
    block (result i32)
      i32.const 5
      local.get 0
      br_if 0
      drop
      i32.const 6
    end)
  (func (export "tee") (param i32) (result i32) (local i32)
    (i32.add (local.tee 1 (i32.mul (local.get 0) (i32.const 3))) (local.get 1)))
  (func (export "fact") (param $n i64) (result i64) (local $r i64)
    (local.set $r (i64.const 1))
    (block $exit
      (loop $l
        (br_if $exit (i64.le_s (local.get $n) (i64.const 1)))
        (local.set $r (i64.mul (local.get $r) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $l)))
    (local.get $r))
  (func (export "trap") unreachable)
  (func (export "nop") (nop) (nop))
)
"""

CONTROL_CALLS = [
    ("sum", (10,)), ("sum", (0,)), *[("switch", (i,)) for i in range(6)],
    *[("switch_num", (i,)) for i in range(5)], ("pair", (7,)), ("mv", (5,)),
    ("mvif", (0,)), ("mvif", (1,)), ("sel", (0,)), ("sel", (1,)), ("tsel", (0,)),
    ("tsel", (3,)), ("ifelse", (0,)), ("ifelse", (1,)), ("ifnoelse", (0,)),
    ("ifnoelse", (1,)), ("depth", (0,)), ("depth", (1,)), ("tee", (4,)), ("fact", (20,)),
    ("trap", ()), ("nop", ()),
]

MEMORY = r"""
(module
  (memory (export "memory") 1 4)
  (global $counter (mut i64) (i64.const 0))
  (global $base i32 (i32.const 0x100))
  (global $pi (export "pi") f64 (f64.const 3.141592653589793))
  (data (i32.const 0x100) "hello\0a\00\ff\u{263a}\t\"\\\'" "tail")
  (data (offset (i32.const 0x180)) "\01\02\03\04\05\06\07\08")
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load8s") (param i32) (result i32) (i32.load8_s (local.get 0)))
  (func (export "load16s") (param i32) (result i32)
    (i32.load16_s offset=0x100 align=1 (local.get 0)))
  (func (export "store_load") (param $p i32) (param $v i64) (result i64)
    (i64.store offset=8 (local.get $p) (local.get $v))
    (i64.load32_s offset=8 (local.get $p)))
  (func (export "narrow") (param $p i32) (param $v i64) (result i64)
    local.get $p local.get $v i64.store8 offset=1
    local.get $p local.get $v i64.store16 offset=2 align=2
    local.get $p local.get $v i64.store32 offset=4
    local.get $p i64.load offset=0)
  (func (export "grow") (result i32 i32) (memory.grow (i32.const 1)) (memory.size))
  (func (export "fill_copy") (result i32)
    (memory.fill (i32.const 0x200) (i32.const 0x41) (i32.const 16))
    (memory.copy (i32.const 0x300) (i32.const 0x1FE) (i32.const 8))
    (i32.load (i32.const 0x302)))
  (func (export "bump") (result i64)
    (global.set $counter (i64.add (global.get $counter) (i64.const 1)))
    (global.get $counter))
  (func (export "f64mem") (param f64) (result f64)
    (f64.store (global.get $base) (local.get 0)) (f64.load (global.get $base)))
  (func (export "f32mem") (param f32) (result f32)
    (f32.store (i32.const 0x400) (local.get 0)) (f32.load (i32.const 0x400)))
  (func (export "oob") (result i32) (i32.load (i32.const -1)))
)
"""

MEMORY_CALLS = [
    ("load8", (0x100,)), ("load8", (0x107,)), ("load8s", (0x107,)), ("load16s", (0x80,)),
    ("store_load", (0x500, -2)), ("narrow", (0x600, 0x0102030405060708)), ("grow", ()),
    ("fill_copy", ()), ("bump", ()), ("bump", ()), ("f64mem", (2.5,)), ("f32mem", (0.1,)),
    ("oob", ()),
]

IMPORTS = r"""
(import "env" "twice" (func $twice (param i32) (result i32)))
(func $local_helper (param $x i32) (result i32) (call $twice (call $twice (local.get $x))))
(func (export "quad") (param i32) (result i32) (call $local_helper (local.get 0)))
(export "helper" (func $local_helper))
"""

IMPORTS_CALLS = [("quad", (3,)), ("helper", (5,))]

SAMPLES = [
    ("numeric", NUMERIC, NUMERIC_CALLS),
    ("control", CONTROL, CONTROL_CALLS),
    ("memory", MEMORY, MEMORY_CALLS),
    ("imports", "(module " + IMPORTS + ")", IMPORTS_CALLS),
]
