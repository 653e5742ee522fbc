;; float.wat — float printing (Ryu shortest round-trip), Float methods, MathBox methods.
;;
;; Why these algorithms: printing must equal Rust's `{}` for f64 (shortest round-trip
;; digits, never an exponent), so we use Ryu (Ulf Adams, Apache-2.0/BSL) whose 128-bit
;; multiplier tables are generated exactly by float_tables.py.  exp/log/pow are ports of
;; the ARM optimized-routines code shared by glibc >= 2.28 and musl (same tables), so
;; results equal Python's math module (glibc) in all but rare near-halfway cases.
;; sin/cos/tan are fdlibm (musl) kernels with an exact big-integer argument reduction.
;; Tables live at 0x10000.. (see float_tables.py for the addresses used below).

;; ---------------------------------------------------------------- 128-bit helpers
(func $fl_umulh (param $a i64) (param $b i64) (result i64)
  (local $alo i64) (local $ahi i64) (local $blo i64) (local $bhi i64)
  (local $mid1 i64) (local $mid2 i64)
  (local.set $alo (i64.and (local.get $a) (i64.const 0xffffffff)))
  (local.set $ahi (i64.shr_u (local.get $a) (i64.const 32)))
  (local.set $blo (i64.and (local.get $b) (i64.const 0xffffffff)))
  (local.set $bhi (i64.shr_u (local.get $b) (i64.const 32)))
  (local.set $mid1 (i64.add (i64.mul (local.get $ahi) (local.get $blo))
                            (i64.shr_u (i64.mul (local.get $alo) (local.get $blo)) (i64.const 32))))
  (local.set $mid2 (i64.add (i64.mul (local.get $alo) (local.get $bhi))
                            (i64.and (local.get $mid1) (i64.const 0xffffffff))))
  (i64.add (i64.add (i64.mul (local.get $ahi) (local.get $bhi))
                    (i64.shr_u (local.get $mid1) (i64.const 32)))
           (i64.shr_u (local.get $mid2) (i64.const 32))))

;; ((m * table128[p]) >> j) for 64 < j < 128 (Ryu mulShift64)
(func $fl_mulshift (param $m i64) (param $p i32) (param $j i32) (result i64)
  (local $b0hi i64) (local $b2lo i64) (local $b2hi i64) (local $slo i64) (local $shi i64) (local $s i64)
  (local.set $b0hi (call $fl_umulh (local.get $m) (i64.load (local.get $p))))
  (local.set $b2lo (i64.mul (local.get $m) (i64.load offset=8 (local.get $p))))
  (local.set $b2hi (call $fl_umulh (local.get $m) (i64.load offset=8 (local.get $p))))
  (local.set $slo (i64.add (local.get $b0hi) (local.get $b2lo)))
  (local.set $shi (i64.add (local.get $b2hi) (i64.extend_i32_u (i64.lt_u (local.get $slo) (local.get $b0hi)))))
  (local.set $s (i64.extend_i32_u (i32.sub (local.get $j) (i32.const 64))))
  (i64.or (i64.shr_u (local.get $slo) (local.get $s))
          (i64.shl (local.get $shi) (i64.sub (i64.const 64) (local.get $s)))))

(func $fl_pow5bits (param $e i32) (result i32)
  (i32.add (i32.shr_u (i32.mul (local.get $e) (i32.const 1217359)) (i32.const 19)) (i32.const 1)))
(func $fl_log10pow2 (param $e i32) (result i32)
  (i32.shr_u (i32.mul (local.get $e) (i32.const 78913)) (i32.const 18)))
(func $fl_log10pow5 (param $e i32) (result i32)
  (i32.shr_u (i32.mul (local.get $e) (i32.const 732923)) (i32.const 20)))

(func $fl_pow5factor (param $v i64) (result i32)
  (local $c i32)
  (block $done
    (loop $next
      (br_if $done (i64.ne (i64.rem_u (local.get $v) (i64.const 5)) (i64.const 0)))
      (local.set $v (i64.div_u (local.get $v) (i64.const 5)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $next)))
  (local.get $c))

;; Ryu d2d: shortest decimal (mantissa, exponent) of a finite non-zero double's bits.
(func $fl_d2d (param $bits i64) (result i64 i32)
  (local $mant i64) (local $ieexp i32) (local $e2 i32) (local $m2 i64) (local $accept i32)
  (local $mv i64) (local $mmshift i32) (local $vr i64) (local $vp i64) (local $vm i64)
  (local $e10 i32) (local $q i32) (local $k i32) (local $i i32) (local $j i32) (local $addr i32)
  (local $vmtz i32) (local $vrtz i32) (local $removed i32) (local $last i32) (local $out i64)
  (local $vpd i64) (local $vmd i64) (local $vrd i64) (local $roundup i32) (local $mmv i64)
  (local.set $mant (i64.and (local.get $bits) (i64.const 0xFFFFFFFFFFFFF)))
  (local.set $ieexp (i32.wrap_i64 (i64.and (i64.shr_u (local.get $bits) (i64.const 52)) (i64.const 0x7ff))))
  (if (i32.eqz (local.get $ieexp))
    (then (local.set $e2 (i32.const -1076))
          (local.set $m2 (local.get $mant)))
    (else (local.set $e2 (i32.sub (local.get $ieexp) (i32.const 1077)))
          (local.set $m2 (i64.or (local.get $mant) (i64.const 0x10000000000000)))))
  (local.set $accept (i64.eqz (i64.and (local.get $m2) (i64.const 1))))
  (local.set $mv (i64.shl (local.get $m2) (i64.const 2)))
  (local.set $mmshift (i32.or (i64.ne (local.get $mant) (i64.const 0))
                              (i32.le_u (local.get $ieexp) (i32.const 1))))
  (local.set $mmv (i64.sub (i64.sub (local.get $mv) (i64.const 1)) (i64.extend_i32_u (local.get $mmshift))))
  (if (i32.ge_s (local.get $e2) (i32.const 0))
    (then
      (local.set $q (i32.sub (call $fl_log10pow2 (local.get $e2)) (i32.gt_s (local.get $e2) (i32.const 3))))
      (local.set $e10 (local.get $q))
      (local.set $k (i32.add (i32.const 124) (call $fl_pow5bits (local.get $q))))
      (local.set $i (i32.add (i32.sub (local.get $q) (local.get $e2)) (local.get $k)))
      (local.set $addr (i32.add (i32.const 0x10000) (i32.shl (local.get $q) (i32.const 4))))
      (local.set $vr (call $fl_mulshift (local.get $mv) (local.get $addr) (local.get $i)))
      (local.set $vp (call $fl_mulshift (i64.add (local.get $mv) (i64.const 2)) (local.get $addr) (local.get $i)))
      (local.set $vm (call $fl_mulshift (local.get $mmv) (local.get $addr) (local.get $i)))
      (if (i32.le_u (local.get $q) (i32.const 21))
        (then
          (if (i64.eqz (i64.rem_u (local.get $mv) (i64.const 5)))
            (then (local.set $vrtz (i32.ge_u (call $fl_pow5factor (local.get $mv)) (local.get $q))))
            (else
              (if (local.get $accept)
                (then (local.set $vmtz (i32.ge_u (call $fl_pow5factor (local.get $mmv)) (local.get $q))))
                (else (local.set $vp (i64.sub (local.get $vp)
                        (i64.extend_i32_u (i32.ge_u (call $fl_pow5factor (i64.add (local.get $mv) (i64.const 2)))
                                                    (local.get $q))))))))))))
    (else
      (local.set $q (i32.sub (call $fl_log10pow5 (i32.sub (i32.const 0) (local.get $e2)))
                             (i32.gt_s (i32.sub (i32.const 0) (local.get $e2)) (i32.const 1))))
      (local.set $e10 (i32.add (local.get $q) (local.get $e2)))
      (local.set $i (i32.sub (i32.sub (i32.const 0) (local.get $e2)) (local.get $q)))
      (local.set $k (i32.sub (call $fl_pow5bits (local.get $i)) (i32.const 125)))
      (local.set $j (i32.sub (local.get $q) (local.get $k)))
      (local.set $addr (i32.add (i32.const 0x11600) (i32.shl (local.get $i) (i32.const 4))))
      (local.set $vr (call $fl_mulshift (local.get $mv) (local.get $addr) (local.get $j)))
      (local.set $vp (call $fl_mulshift (i64.add (local.get $mv) (i64.const 2)) (local.get $addr) (local.get $j)))
      (local.set $vm (call $fl_mulshift (local.get $mmv) (local.get $addr) (local.get $j)))
      (if (i32.le_u (local.get $q) (i32.const 1))
        (then
          (local.set $vrtz (i32.const 1))
          (if (local.get $accept)
            (then (local.set $vmtz (i32.eq (local.get $mmshift) (i32.const 1))))
            (else (local.set $vp (i64.sub (local.get $vp) (i64.const 1))))))
        (else
          (if (i32.lt_u (local.get $q) (i32.const 63))
            (then (local.set $vrtz
                    (i64.eqz (i64.and (local.get $mv)
                      (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $q))) (i64.const 1)))))))))))
  (if (i32.or (local.get $vmtz) (local.get $vrtz))
    (then
      (block $b1
        (loop $l1
          (local.set $vpd (i64.div_u (local.get $vp) (i64.const 10)))
          (local.set $vmd (i64.div_u (local.get $vm) (i64.const 10)))
          (br_if $b1 (i64.le_u (local.get $vpd) (local.get $vmd)))
          (local.set $vrd (i64.div_u (local.get $vr) (i64.const 10)))
          (local.set $vmtz (i32.and (local.get $vmtz)
                                    (i64.eq (i64.mul (local.get $vmd) (i64.const 10)) (local.get $vm))))
          (local.set $vrtz (i32.and (local.get $vrtz) (i32.eqz (local.get $last))))
          (local.set $last (i32.wrap_i64 (i64.sub (local.get $vr) (i64.mul (local.get $vrd) (i64.const 10)))))
          (local.set $vr (local.get $vrd))
          (local.set $vp (local.get $vpd))
          (local.set $vm (local.get $vmd))
          (local.set $removed (i32.add (local.get $removed) (i32.const 1)))
          (br $l1)))
      (if (local.get $vmtz)
        (then
          (block $b2
            (loop $l2
              (local.set $vmd (i64.div_u (local.get $vm) (i64.const 10)))
              (br_if $b2 (i64.ne (i64.mul (local.get $vmd) (i64.const 10)) (local.get $vm)))
              (local.set $vpd (i64.div_u (local.get $vp) (i64.const 10)))
              (local.set $vrd (i64.div_u (local.get $vr) (i64.const 10)))
              (local.set $vrtz (i32.and (local.get $vrtz) (i32.eqz (local.get $last))))
              (local.set $last (i32.wrap_i64 (i64.sub (local.get $vr) (i64.mul (local.get $vrd) (i64.const 10)))))
              (local.set $vr (local.get $vrd))
              (local.set $vp (local.get $vpd))
              (local.set $vm (local.get $vmd))
              (local.set $removed (i32.add (local.get $removed) (i32.const 1)))
              (br $l2)))))
      (if (i32.and (i32.and (local.get $vrtz) (i32.eq (local.get $last) (i32.const 5)))
                   (i64.eqz (i64.and (local.get $vr) (i64.const 1))))
        (then (local.set $last (i32.const 4))))
      (local.set $out (i64.add (local.get $vr) (i64.extend_i32_u
        (i32.or (i32.and (i64.eq (local.get $vr) (local.get $vm))
                         (i32.or (i32.eqz (local.get $accept)) (i32.eqz (local.get $vmtz))))
                (i32.ge_u (local.get $last) (i32.const 5)))))))
    (else
      (block $b3
        (loop $l3
          (local.set $vpd (i64.div_u (local.get $vp) (i64.const 10)))
          (local.set $vmd (i64.div_u (local.get $vm) (i64.const 10)))
          (br_if $b3 (i64.le_u (local.get $vpd) (local.get $vmd)))
          (local.set $vrd (i64.div_u (local.get $vr) (i64.const 10)))
          (local.set $roundup (i64.ge_u (i64.sub (local.get $vr) (i64.mul (local.get $vrd) (i64.const 10)))
                                        (i64.const 5)))
          (local.set $vr (local.get $vrd))
          (local.set $vp (local.get $vpd))
          (local.set $vm (local.get $vmd))
          (local.set $removed (i32.add (local.get $removed) (i32.const 1)))
          (br $l3)))
      (local.set $out (i64.add (local.get $vr)
        (i64.extend_i32_u (i32.or (i64.eq (local.get $vr) (local.get $vm)) (local.get $roundup)))))))
  (local.get $out)
  (i32.add (local.get $e10) (local.get $removed)))

(func $fl_copy (param $dst i32) (param $src i32) (param $n i32) (result i32)
  (block $done
    (loop $next
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
      (local.set $src (i32.add (local.get $src) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
  (local.get $dst))

(func $fl_zeros (param $dst i32) (param $n i32) (result i32)
  (block $done
    (loop $next
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (i32.store8 (local.get $dst) (i32.const 48))
      (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
  (local.get $dst))

;; The string form of a float: shortest round-trip digits, no exponent (Rust `{}`).
(func $str_from_f64 (param $x f64) (result i32)
  (local $bits i64) (local $neg i32) (local $out i64) (local $exp i32) (local $olen i32)
  (local $len i32) (local $s i32) (local $p i32) (local $t i64) (local $ip i32)
  (local.set $bits (i64.reinterpret_f64 (local.get $x)))
  (local.set $neg (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 63))))
  (if (i64.eq (i64.and (local.get $bits) (i64.const 0x7ff0000000000000)) (i64.const 0x7ff0000000000000))
    (then
      (if (i64.ne (i64.and (local.get $bits) (i64.const 0xFFFFFFFFFFFFF)) (i64.const 0))
        (then
          (local.set $s (call $str_new (i32.const 3)))
          (i32.store16 offset=8 (local.get $s) (i32.const 0x614E))
          (i32.store8 offset=10 (local.get $s) (i32.const 0x4E))
          (return (local.get $s))))
      (local.set $s (call $str_new (i32.add (i32.const 3) (local.get $neg))))
      (local.set $p (i32.add (local.get $s) (i32.const 8)))
      (if (local.get $neg)
        (then (i32.store8 (local.get $p) (i32.const 45))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))))
      (i32.store16 (local.get $p) (i32.const 0x6E69))
      (i32.store8 offset=2 (local.get $p) (i32.const 0x66))
      (return (local.get $s))))
  (if (i64.eqz (i64.and (local.get $bits) (i64.const 0x7FFFFFFFFFFFFFFF)))
    (then
      (local.set $s (call $str_new (i32.add (i32.const 1) (local.get $neg))))
      (local.set $p (i32.add (local.get $s) (i32.const 8)))
      (if (local.get $neg)
        (then (i32.store8 (local.get $p) (i32.const 45))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))))
      (i32.store8 (local.get $p) (i32.const 48))
      (return (local.get $s))))
  (call $fl_d2d (local.get $bits))
  (local.set $exp)
  (local.set $out)
  ;; digits, most significant first, into the scratch buffer at 0x100
  (local.set $t (local.get $out))
  (loop $count
    (local.set $olen (i32.add (local.get $olen) (i32.const 1)))
    (local.set $t (i64.div_u (local.get $t) (i64.const 10)))
    (br_if $count (i64.ne (local.get $t) (i64.const 0))))
  (local.set $p (i32.add (i32.const 0x100) (local.get $olen)))
  (local.set $t (local.get $out))
  (loop $digit
    (local.set $p (i32.sub (local.get $p) (i32.const 1)))
    (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $t) (i64.const 10)))))
    (local.set $t (i64.div_u (local.get $t) (i64.const 10)))
    (br_if $digit (i32.gt_u (local.get $p) (i32.const 0x100))))
  (local.set $ip (i32.add (local.get $olen) (local.get $exp)))
  (if (i32.ge_s (local.get $exp) (i32.const 0))
    (then (local.set $len (local.get $ip)))
    (else
      (if (i32.gt_s (local.get $ip) (i32.const 0))
        (then (local.set $len (i32.add (local.get $olen) (i32.const 1))))
        (else (local.set $len (i32.sub (i32.const 2) (local.get $exp)))))))
  (local.set $s (call $str_new (i32.add (local.get $len) (local.get $neg))))
  (local.set $p (i32.add (local.get $s) (i32.const 8)))
  (if (local.get $neg)
    (then (i32.store8 (local.get $p) (i32.const 45))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))))
  (if (i32.ge_s (local.get $exp) (i32.const 0))
    (then
      (local.set $p (call $fl_copy (local.get $p) (i32.const 0x100) (local.get $olen)))
      (drop (call $fl_zeros (local.get $p) (local.get $exp))))
    (else
      (if (i32.gt_s (local.get $ip) (i32.const 0))
        (then
          (local.set $p (call $fl_copy (local.get $p) (i32.const 0x100) (local.get $ip)))
          (i32.store8 (local.get $p) (i32.const 46))
          (drop (call $fl_copy (i32.add (local.get $p) (i32.const 1))
                               (i32.add (i32.const 0x100) (local.get $ip))
                               (i32.sub (local.get $olen) (local.get $ip)))))
        (else
          (i32.store16 (local.get $p) (i32.const 0x2E30))
          (local.set $p (call $fl_zeros (i32.add (local.get $p) (i32.const 2))
                                        (i32.sub (i32.const 0) (local.get $ip))))
          (drop (call $fl_copy (local.get $p) (i32.const 0x100) (local.get $olen)))))))
  (local.get $s))
