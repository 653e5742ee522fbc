;; Compiler support routines: small helpers the code generator calls that are about
;; the language (messages, integer division rules, extra fields), not the runtime data
;; structures.  Same ABI as nyash_build/runtime (docs/design.md).

  ;; integer division: truncating; i64 min / -1 wraps; zero divisor is a runtime error
  (func $nyash_idiv (param $a i64) (param $b i64) (result i64)
    (if (i64.eqz (local.get $b))
      (then (call $raise_error (global.get $msg_div_zero)) (return (i64.const 0))))
    (if (i64.eq (local.get $b) (i64.const -1))
      (then (return (i64.sub (i64.const 0) (local.get $a)))))
    (i64.div_s (local.get $a) (local.get $b)))

  (func $nyash_imod (param $a i64) (param $b i64) (result i64)
    (if (i64.eqz (local.get $b))
      (then (call $raise_error (global.get $msg_mod_zero)) (return (i64.const 0))))
    (if (i64.eq (local.get $b) (i64.const -1))
      (then (return (i64.const 0))))
    (i64.rem_s (local.get $a) (local.get $b)))

  ;; raise a + b + c (three borrowed strings; 0 = absent)
  (func $raise3 (param $a i32) (param $b i32) (param $c i32)
    (local $m i32) (local $n i32)
    (local.set $m (call $str_concat (local.get $a) (local.get $b)))
    (if (local.get $c)
      (then
        (local.set $n (call $str_concat (local.get $m) (local.get $c)))
        (call $release (i32.const 5) (i64.extend_i32_u (local.get $m)))
        (local.set $m (local.get $n))))
    (call $raise_error (local.get $m))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $m))))

  ;; "Unknown method 'NAME' for KIND"
  (func $raise_no_method (param $name i32) (param $t i32) (param $v i64)
    (local $m i32)
    (local.set $m (call $str_concat (local.get $name) (global.get $msg_quote_for)))
    (call $raise3 (global.get $msg_unknown_method) (local.get $m) (call $kind_name (local.get $t) (local.get $v)))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $m))))

  ;; "Field 'NAME' not found in BOX"
  (func $raise_no_field (param $name i32) (param $t i32) (param $v i64)
    (local $m i32)
    (local.set $m (call $str_concat (local.get $name) (global.get $msg_quote_in)))
    (call $raise3 (global.get $msg_field) (local.get $m) (call $kind_name (local.get $t) (local.get $v)))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $m))))

  ;; "Field 'NAME' is private in BOX"
  (func $raise_private (param $name i32) (param $t i32) (param $v i64)
    (local $m i32)
    (local.set $m (call $str_concat (local.get $name) (global.get $msg_quote_private)))
    (call $raise3 (global.get $msg_field) (local.get $m) (call $kind_name (local.get $t) (local.get $v)))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $m))))

  ;; the uncaught exception left pending when no handler matched
  (func $rethrow_uncaught
    (local $s i32) (local $m i32)
    (local.set $s (call $to_string (global.get $exc_tag) (global.get $exc_val)))
    (local.set $m (call $str_concat (global.get $msg_uncaught) (local.get $s)))
    (call $fatal (local.get $m)))

  ;; read a declared field slot (owned result); unset -> "Field 'x' not found in Box"
  (func $slot_get (param $obj i32) (param $slot i32) (param $name i32) (result i32 i64)
    (local $a i32) (local $t i32)
    (local.set $a (i32.add (i32.add (local.get $obj) (i32.const 24)) (i32.shl (local.get $slot) (i32.const 4))))
    (local.set $t (i32.load (local.get $a)))
    (if (i32.eq (local.get $t) (i32.const 13))
      (then
        (call $raise_no_field (local.get $name) (i32.const 9) (i64.extend_i32_u (local.get $obj)))
        (return (i32.const 0) (i64.const 0))))
    (call $retain (local.get $t) (i64.load offset=8 (local.get $a)))
    (local.get $t) (i64.load offset=8 (local.get $a)))

  ;; write a declared field slot (the value is borrowed and retained here)
  (func $slot_set (param $obj i32) (param $slot i32) (param $t i32) (param $v i64)
    (local $a i32)
    (local.set $a (i32.add (i32.add (local.get $obj) (i32.const 24)) (i32.shl (local.get $slot) (i32.const 4))))
    (call $retain (local.get $t) (local.get $v))
    (call $release (i32.load (local.get $a)) (i64.load offset=8 (local.get $a)))
    (i32.store (local.get $a) (local.get $t))
    (i64.store offset=8 (local.get $a) (local.get $v)))

  ;; fields created by assignment to undeclared names live in a MapBox at +12
  (func $extra_get (param $obj i32) (param $name i32) (result i32 i64)
    (local $map i32) (local $r i32) (local $rv i64)
    (local.set $map (i32.load offset=12 (local.get $obj)))
    (if (local.get $map)
      (then
        (call $m_Map_has (i64.extend_i32_u (local.get $map)) (i32.const 5) (i64.extend_i32_u (local.get $name)))
        (local.set $rv) (local.set $r)
        (if (i32.wrap_i64 (local.get $rv))
          (then (return (call $map_get_v (local.get $map) (i32.const 5) (i64.extend_i32_u (local.get $name))))))))
    (call $raise_no_field (local.get $name) (i32.const 9) (i64.extend_i32_u (local.get $obj)))
    (i32.const 0) (i64.const 0))

  (func $extra_set (param $obj i32) (param $name i32) (param $t i32) (param $v i64)
    (local $map i32)
    (local.set $map (i32.load offset=12 (local.get $obj)))
    (if (i32.eqz (local.get $map))
      (then
        (local.set $map (call $map_new))
        (i32.store offset=12 (local.get $obj) (local.get $map))))
    (call $map_set_v (local.get $map) (i32.const 5) (i64.extend_i32_u (local.get $name)) (local.get $t) (local.get $v)))

  ;; a global read before any assignment
  (func $check_global (param $t i32) (param $msg i32) (result i32)
    (if (i32.eq (local.get $t) (i32.const 13))
      (then (call $raise_error (local.get $msg)) (return (i32.const 0))))
    (i32.const 1))

  ;; s + t where s is owned and, when nothing else references it (rc == 1), grown in
  ;; place: `s = s + x` in a loop is then amortised linear instead of quadratic.
  ;; Returns the owned result; s is consumed, t (a string) is borrowed.
  (func $str_append (param $s i32) (param $t i32) (result i32)
    (local $ls i32) (local $lt i32) (local $r i32)
    (if (i32.ne (i32.load (local.get $s)) (i32.const 1))
      (then
        (local.set $r (call $str_concat (local.get $s) (local.get $t)))
        (call $release (i32.const 5) (i64.extend_i32_u (local.get $s)))
        (return (local.get $r))))
    (local.set $lt (i32.load offset=4 (local.get $t)))
    (if (i32.eqz (local.get $lt)) (then (return (local.get $s))))
    (local.set $ls (i32.load offset=4 (local.get $s)))
    (local.set $r (call $realloc (local.get $s) (i32.add (i32.const 8) (i32.add (local.get $ls) (local.get $lt)))))
    (call $mcopy (i32.add (i32.add (local.get $r) (i32.const 8)) (local.get $ls))
                 (i32.add (local.get $t) (i32.const 8)) (local.get $lt))
    (i32.store offset=4 (local.get $r) (i32.add (local.get $ls) (local.get $lt)))
    (local.get $r))

  ;; $str_append with n in decimal (s = s + n without the intermediate string)
  (func $str_append_i64 (param $s i32) (param $n i64) (result i32)
    (local $ls i32) (local $ln i32) (local $r i32)
    (if (i32.ne (i32.load (local.get $s)) (i32.const 1))
      (then
        (local.set $r (call $str_concat_i64 (local.get $s) (local.get $n)))
        (call $release (i32.const 5) (i64.extend_i32_u (local.get $s)))
        (return (local.get $r))))
    (local.set $ls (i32.load offset=4 (local.get $s)))
    (local.set $ln (call $dec_len (local.get $n)))
    (local.set $r (call $realloc (local.get $s) (i32.add (i32.const 8) (i32.add (local.get $ls) (local.get $ln)))))
    (call $dec_write (i32.add (i32.add (local.get $r) (i32.const 8)) (i32.add (local.get $ls) (local.get $ln)))
                     (local.get $n))
    (i32.store offset=4 (local.get $r) (i32.add (local.get $ls) (local.get $ln)))
    (local.get $r))

  ;; ---- builtin methods upstream programs use that are not in the core runtime ----
  (func $num_to_f64 (param $t i32) (param $v i64) (result f64)
    (if (i32.eq (local.get $t) (i32.const 3)) (then (return (f64.convert_i64_s (local.get $v)))))
    (if (i32.eq (local.get $t) (i32.const 4)) (then (return (f64.reinterpret_i64 (local.get $v)))))
    (call $raise_error (global.get $msg_math_numbers))
    (f64.const 0))

  (func $m_Math_getPi (param $self i64) (result i32 i64)
    (i32.const 4) (i64.reinterpret_f64 (f64.const 3.141592653589793)))
  (func $m_Math_pi (param $self i64) (result i32 i64)
    (i32.const 4) (i64.reinterpret_f64 (f64.const 3.141592653589793)))
  (func $m_Math_getE (param $self i64) (result i32 i64)
    (i32.const 4) (i64.reinterpret_f64 (f64.const 2.718281828459045)))
  (func $m_Math_e (param $self i64) (result i32 i64)
    (i32.const 4) (i64.reinterpret_f64 (f64.const 2.718281828459045)))
  ;; divide(a, b): float division; a zero divisor is the usual runtime error
  (func $m_Math_divide (param $self i64) (param $at i32) (param $av i64) (param $bt i32) (param $bv i64) (result i32 i64)
    (local $a f64) (local $b f64)
    (local.set $a (call $num_to_f64 (local.get $at) (local.get $av)))
    (if (global.get $exc_pending) (then (return (i32.const 0) (i64.const 0))))
    (local.set $b (call $num_to_f64 (local.get $bt) (local.get $bv)))
    (if (global.get $exc_pending) (then (return (i32.const 0) (i64.const 0))))
    (if (f64.eq (local.get $b) (f64.const 0))
      (then (call $raise_error (global.get $msg_div_zero)) (return (i32.const 0) (i64.const 0))))
    (i32.const 4) (i64.reinterpret_f64 (f64.div (local.get $a) (local.get $b))))

  ;; null.toString(), isNull(), isNotNull(), equals(x)
  (func $m_Null_toString (param $self i64) (result i32 i64)
    (i32.const 5) (i64.extend_i32_u (global.get $lit_null)))
  (func $m_Null_isNull (param $self i64) (result i32 i64) (i32.const 2) (i64.const 1))
  (func $m_Null_isNotNull (param $self i64) (result i32 i64) (i32.const 2) (i64.const 0))
  (func $m_Null_equals (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (i32.const 2) (i64.extend_i32_u (i32.eq (local.get $t) (i32.const 1))))

  ;; "a".concat(x): concatenation with the string form of x
  (func $m_String_concat (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (local $x i32) (local $r i32)
    (local.set $x (call $to_string (local.get $t) (local.get $v)))
    (local.set $r (call $str_concat (i32.wrap_i64 (local.get $self)) (local.get $x)))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $x)))
    (i32.const 5) (i64.extend_i32_u (local.get $r)))

  ;; BoolBox: not(), and(x), or(x), equals(x)
  (func $m_Bool_not (param $self i64) (result i32 i64)
    (i32.const 2) (i64.extend_i32_u (i64.eqz (local.get $self))))
  (func $m_Bool_and (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (i32.const 2)
    (i64.extend_i32_u (i32.and (i32.wrap_i64 (local.get $self)) (call $truthy (local.get $t) (local.get $v)))))
  (func $m_Bool_or (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (i32.const 2)
    (i64.extend_i32_u (i32.or (i32.wrap_i64 (local.get $self)) (call $truthy (local.get $t) (local.get $v)))))
  (func $m_Bool_equals (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (i32.const 2) (i64.extend_i32_u (call $op_eq (i32.const 2) (local.get $self) (local.get $t) (local.get $v))))
  (func $m_Integer_equals (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (i32.const 2) (i64.extend_i32_u (call $op_eq (i32.const 3) (local.get $self) (local.get $t) (local.get $v))))
  (func $m_Float_equals (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (i32.const 2) (i64.extend_i32_u (call $op_eq (i32.const 4) (local.get $self) (local.get $t) (local.get $v))))
  (func $m_String_equals (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (i32.const 2) (i64.extend_i32_u (call $op_eq (i32.const 5) (local.get $self) (local.get $t) (local.get $v))))

  ;; FloatBox math methods delegate to MathBox
  (func $m_Float_sin (param $self i64) (result i32 i64) (call $m_Math_sin (i64.const 0) (i32.const 4) (local.get $self)))
  (func $m_Float_cos (param $self i64) (result i32 i64) (call $m_Math_cos (i64.const 0) (i32.const 4) (local.get $self)))
  (func $m_Float_tan (param $self i64) (result i32 i64) (call $m_Math_tan (i64.const 0) (i32.const 4) (local.get $self)))
  (func $m_Float_log (param $self i64) (result i32 i64) (call $m_Math_log (i64.const 0) (i32.const 4) (local.get $self)))
  (func $m_Float_exp (param $self i64) (result i32 i64) (call $m_Math_exp (i64.const 0) (i32.const 4) (local.get $self)))
  (func $m_Float_isNaN (param $self i64) (result i32 i64)
    (i32.const 2) (i64.extend_i32_u (f64.ne (f64.reinterpret_i64 (local.get $self)) (f64.reinterpret_i64 (local.get $self)))))
  (func $m_Float_isInfinite (param $self i64) (result i32 i64)
    (i32.const 2) (i64.extend_i32_u (f64.eq (f64.abs (f64.reinterpret_i64 (local.get $self))) (f64.const inf))))
  (func $m_Float_isFinite (param $self i64) (result i32 i64)
    (i32.const 2) (i64.extend_i32_u (f64.lt (f64.abs (f64.reinterpret_i64 (local.get $self))) (f64.const inf))))

  ;; MapBox.containsKey is has(); containsValue always answers false upstream
  (func $m_Map_containsKey (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (call $m_Map_has (local.get $self) (local.get $t) (local.get $v)))
  (func $m_Map_containsValue (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (i32.const 2) (i64.const 0))

  ;; log10: exact for powers of ten (log(1000)/ln 10 alone gives 2.9999999999999996);
  ;; elsewhere log(x) * (1/ln 10), which matches glibc's log10 in about 3 of 4 cases
  ;; and is within one unit in the last place otherwise
  (func $m_Math_log10 (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (local $x f64) (local $r f64) (local $k f64)
    (local.set $x (call $num_to_f64 (local.get $t) (local.get $v)))
    (if (global.get $exc_pending) (then (return (i32.const 0) (i64.const 0))))
    (local.set $r (f64.mul (call $fl_log (local.get $x)) (f64.const 0.4342944819032518)))
    (local.set $k (f64.nearest (local.get $r)))
    (if (i32.and (f64.lt (f64.abs (f64.sub (local.get $r) (local.get $k))) (f64.const 1e-9))
                 (f64.eq (call $fl_pow (f64.const 10) (local.get $k)) (local.get $x)))
      (then (local.set $r (local.get $k))))
    (i32.const 4) (i64.reinterpret_f64 (local.get $r)))
  (func $m_Float_log10 (param $self i64) (result i32 i64)
    (call $m_Math_log10 (i64.const 0) (i32.const 4) (local.get $self)))

  ;; MapBox.forEach(callback): upstream only reports the count
  (func $m_Map_forEach (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (local $n i32) (local $a i32) (local $b i32)
    (local.set $n (call $str_from_i64 (i64.extend_i32_u (i32.load offset=4 (i32.wrap_i64 (local.get $self))))))
    (local.set $a (call $str_concat (global.get $lit_iterated) (local.get $n)))
    (local.set $b (call $str_concat (local.get $a) (global.get $lit_items)))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $n)))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $a)))
    (i32.const 5) (i64.extend_i32_u (local.get $b)))

  ;; ConsoleBox.clear()
  (func $m_Console_clear (param $self i64) (result i32 i64)
    (call $out_write (i32.add (global.get $lit_console_clear) (i32.const 8))
                     (i32.load offset=4 (global.get $lit_console_clear)))
    (i32.const 0) (i64.const 0))

  ;; upstream NullBox spellings
  (func $m_Null_is_null (param $self i64) (result i32 i64) (i32.const 2) (i64.const 1))
  (func $m_Null_is_not_null (param $self i64) (result i32 i64) (i32.const 2) (i64.const 0))
  (func $m_Null_get_or_default (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (call $retain (local.get $t) (local.get $v))
    (local.get $t) (local.get $v))

  ;; ---- new IntegerBox(x) / new FloatBox(x) / new BoolBox(x): upstream converts strings
  ;; ASCII whitespace test
  (func $is_ws (param $c i32) (result i32)
    (i32.or (i32.eq (local.get $c) (i32.const 32))
            (i32.and (i32.ge_u (local.get $c) (i32.const 9)) (i32.le_u (local.get $c) (i32.const 13)))))

  ;; the trimmed byte range [start, end) of string s, as two results
  (func $trim_range (param $s i32) (result i32 i32)
    (local $p i32) (local $end i32)
    (local.set $p (i32.add (local.get $s) (i32.const 8)))
    (local.set $end (i32.add (local.get $p) (i32.load offset=4 (local.get $s))))
    (block $done (loop $lead
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (br_if $done (i32.eqz (call $is_ws (i32.load8_u (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $lead)))
    (block $done2 (loop $trail
      (br_if $done2 (i32.ge_u (local.get $p) (local.get $end)))
      (br_if $done2 (i32.eqz (call $is_ws (i32.load8_u (i32.sub (local.get $end) (i32.const 1))))))
      (local.set $end (i32.sub (local.get $end) (i32.const 1)))
      (br $trail)))
    (local.get $p) (local.get $end))

  ;; Rust's str::trim().parse::<i64>(): optional sign, digits, no overflow -> (1, value)
  (func $parse_i64 (param $s i32) (result i32 i64)
    (local $p i32) (local $end i32) (local $neg i32) (local $v i64) (local $d i64) (local $any i32)
    (call $trim_range (local.get $s))
    (local.set $end) (local.set $p)
    (if (i32.lt_u (local.get $p) (local.get $end))
      (then
        (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 45))
          (then (local.set $neg (i32.const 1)) (local.set $p (i32.add (local.get $p) (i32.const 1))))
          (else (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 43))
            (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))))))
    ;; accumulate negatively so i64 min is representable
    (block $fail (block $ok (loop $digits
      (br_if $ok (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $d (i64.extend_i32_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 48))))
      (br_if $fail (i64.gt_u (local.get $d) (i64.const 9)))
      (br_if $fail (i64.lt_s (local.get $v) (i64.div_s (i64.add (i64.const -9223372036854775808) (local.get $d)) (i64.const 10))))
      (local.set $v (i64.sub (i64.mul (local.get $v) (i64.const 10)) (local.get $d)))
      (local.set $any (i32.const 1))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $digits)))
      (br_if $fail (i32.eqz (local.get $any)))
      (if (local.get $neg) (then (return (i32.const 1) (local.get $v))))
      (br_if $fail (i64.eq (local.get $v) (i64.const -9223372036854775808)))
      (return (i32.const 1) (i64.sub (i64.const 0) (local.get $v))))
    (i32.const 0) (i64.const 0))

  ;; a decimal like "2.5" or "-0.125" whose value is exact to compute (at most 15
  ;; significant digits, no exponent) -> (1, f64 bits); anything else (0, 0)
  (func $parse_f64_simple (param $s i32) (result i32 i64)
    (local $p i32) (local $end i32) (local $neg i32) (local $m i64) (local $d i32) (local $any i32)
    (local $frac i32) (local $dot i32) (local $digits i32) (local $r f64) (local $pow f64)
    (call $trim_range (local.get $s))
    (local.set $end) (local.set $p)
    (if (i32.lt_u (local.get $p) (local.get $end))
      (then
        (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 45))
          (then (local.set $neg (i32.const 1)) (local.set $p (i32.add (local.get $p) (i32.const 1))))
          (else (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 43))
            (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))))))
    (block $fail (block $ok (loop $chars
      (br_if $ok (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $d (i32.load8_u (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (if (i32.eq (local.get $d) (i32.const 46))
        (then (br_if $fail (local.get $dot)) (local.set $dot (i32.const 1)) (br $chars)))
      (local.set $d (i32.sub (local.get $d) (i32.const 48)))
      (br_if $fail (i32.gt_u (local.get $d) (i32.const 9)))
      (local.set $any (i32.const 1))
      (if (i32.or (i64.ne (local.get $m) (i64.const 0)) (local.get $d))
        (then (local.set $digits (i32.add (local.get $digits) (i32.const 1)))))
      (br_if $fail (i32.gt_u (local.get $digits) (i32.const 15)))
      (local.set $m (i64.add (i64.mul (local.get $m) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
      (if (local.get $dot) (then (local.set $frac (i32.add (local.get $frac) (i32.const 1)))))
      (br_if $fail (i32.gt_u (local.get $frac) (i32.const 22)))
      (br $chars)))
      (br_if $fail (i32.eqz (local.get $any)))
      ;; m < 10^15 < 2^53 and 10^frac <= 10^22 are exact: one correctly rounded division
      (local.set $pow (f64.const 1))
      (block $pd (loop $pl
        (br_if $pd (i32.eqz (local.get $frac)))
        (local.set $pow (f64.mul (local.get $pow) (f64.const 10)))
        (local.set $frac (i32.sub (local.get $frac) (i32.const 1)))
        (br $pl)))
      (local.set $r (f64.div (f64.convert_i64_s (local.get $m)) (local.get $pow)))
      (if (local.get $neg) (then (local.set $r (f64.neg (local.get $r)))))
      (return (i32.const 1) (i64.reinterpret_f64 (local.get $r))))
    (i32.const 0) (i64.const 0))

  ;; "Cannot convert 'X' to KIND"
  (func $raise_convert (param $t i32) (param $v i64) (param $kind i32)
    (local $s i32) (local $m i32)
    (local.set $s (call $to_string (local.get $t) (local.get $v)))
    (local.set $m (call $str_concat (local.get $s) (local.get $kind)))
    (call $raise3 (global.get $msg_cannot_convert) (local.get $m) (i32.const 0))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $s)))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $m))))

  (func $new_integer (param $t i32) (param $v i64) (result i32 i64)
    (local $ok i32) (local $n i64)
    (if (i32.eq (local.get $t) (i32.const 3)) (then (return (local.get $t) (local.get $v))))
    (if (i32.eq (local.get $t) (i32.const 5))
      (then
        (call $parse_i64 (i32.wrap_i64 (local.get $v)))
        (local.set $n) (local.set $ok)
        (if (local.get $ok) (then (return (i32.const 3) (local.get $n))))))
    (call $raise_convert (local.get $t) (local.get $v) (global.get $msg_to_integer))
    (i32.const 0) (i64.const 0))

  (func $new_float (param $t i32) (param $v i64) (result i32 i64)
    (local $ok i32) (local $n i64)
    (if (i32.eq (local.get $t) (i32.const 4)) (then (return (local.get $t) (local.get $v))))
    (if (i32.eq (local.get $t) (i32.const 3))
      (then (return (i32.const 4) (i64.reinterpret_f64 (f64.convert_i64_s (local.get $v))))))
    (if (i32.eq (local.get $t) (i32.const 5))
      (then
        (call $parse_f64_simple (i32.wrap_i64 (local.get $v)))
        (local.set $n) (local.set $ok)
        (if (local.get $ok) (then (return (i32.const 4) (local.get $n))))))
    (call $raise_convert (local.get $t) (local.get $v) (global.get $msg_to_float))
    (i32.const 0) (i64.const 0))

  (func $new_bool (param $t i32) (param $v i64) (result i32 i64)
    (if (i32.eq (local.get $t) (i32.const 2)) (then (return (local.get $t) (local.get $v))))
    (if (i32.eq (local.get $t) (i32.const 5))
      (then
        (if (call $str_eq (i32.wrap_i64 (local.get $v)) (global.get $lit_true))
          (then (return (i32.const 2) (i64.const 1))))
        (if (call $str_eq (i32.wrap_i64 (local.get $v)) (global.get $lit_false))
          (then (return (i32.const 2) (i64.const 0))))))
    (call $raise_convert (local.get $t) (local.get $v) (global.get $msg_to_bool))
    (i32.const 0) (i64.const 0))
