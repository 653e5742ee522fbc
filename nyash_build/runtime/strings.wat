  ;; strings.wat: immutable UTF-8 strings, StringBox / IntegerBox / BoolBox methods.
  ;; String object: +0 rc, +4 byte length, +8 bytes.  Arguments are borrowed, results
  ;; owned.  Immortal strings ($strtab_*: "", messages, the 128 one-byte ASCII strings,
  ;; Unicode case tables) come from runtime/tables.py.
  ;;
  ;; Decisions (documented here and in the engineer report):
  ;; * substring(a, b): a < 0 counts as 0; b is clamped to the length; a >= b gives "".
  ;; * replace("", b) inserts b at every character boundary (Python / Rust semantics:
  ;;   "abc".replace("", "-") is "-a-b-c-").
  ;; * split(""): "", every character, "" (Rust: "abc" -> [, a, b, c, ]; "" -> [, ]).
  ;; * toInteger: whitespace trimmed at both ends (as trim()), then an optional '-' or '+',
  ;;   one or more ASCII digits, nothing else; an overflow of i64 gives 0 (upstream:
  ;;   trim().parse::<i64>(), 0 when it fails: " 5" and "+5" are 5).
  ;; * toLower maps a capital sigma to final sigma when the previous character is cased
  ;;   and the next one is not (case-ignorable characters are not skipped).
  ;; * Integer pow(e) returns a FLOAT like upstream ((n as f64).powf(e)): exact when the
  ;;   integer result fits in i64, else repeated f64 squaring; e < 0 gives 1 / n^-e.

  (global $case_changed (mut i32) (i32.const 0))

  ;; ---------------------------------------------------------------- construction
  (func $str_new (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (call $alloc (i32.add (local.get $len) (i32.const 8))))
    (i32.store (local.get $p) (i32.const 1))
    (i32.store offset=4 (local.get $p) (local.get $len))
    (local.get $p))

  ;; A new owned string holding a copy of [ptr, ptr+len).
  (func $str_from_bytes (param $ptr i32) (param $len i32) (result i32)
    (local $p i32)
    (if (i32.eqz (local.get $len)) (then (return (global.get $strtab_empty))))
    (if (i32.and (i32.eq (local.get $len) (i32.const 1))
                 (i32.lt_u (i32.load8_u (local.get $ptr)) (i32.const 128)))
      (then (return (call $ascii_str (i32.load8_u (local.get $ptr))))))
    (local.set $p (call $str_new (local.get $len)))
    (call $mcopy (i32.add (local.get $p) (i32.const 8)) (local.get $ptr) (local.get $len))
    (local.get $p))

  (func $str_lit (param $ptr i32) (param $len i32) (result i32)
    (call $str_from_bytes (local.get $ptr) (local.get $len)))

  ;; Immortal one-character string for ASCII byte c.
  (func $ascii_str (param $c i32) (result i32)
    (i32.add (global.get $strtab_ascii) (i32.shl (local.get $c) (i32.const 4))))

  ;; Owned string of bytes [from, to) of s; s itself (retained) when that is all of it.
  (func $str_slice (param $s i32) (param $from i32) (param $to i32) (result i32)
    (if (i32.and (i32.eqz (local.get $from))
                 (i32.eq (local.get $to) (i32.load offset=4 (local.get $s))))
      (then
        (call $retain (i32.const 5) (i64.extend_i32_u (local.get $s)))
        (return (local.get $s))))
    (call $str_from_bytes (i32.add (i32.add (local.get $s) (i32.const 8)) (local.get $from))
                          (i32.sub (local.get $to) (local.get $from))))

  (func $str_concat (param $a i32) (param $b i32) (result i32)
    (local $la i32) (local $lb i32) (local $p i32)
    (local.set $la (i32.load offset=4 (local.get $a)))
    (local.set $lb (i32.load offset=4 (local.get $b)))
    (if (i32.eqz (local.get $lb))
      (then (call $retain (i32.const 5) (i64.extend_i32_u (local.get $a))) (return (local.get $a))))
    (if (i32.eqz (local.get $la))
      (then (call $retain (i32.const 5) (i64.extend_i32_u (local.get $b))) (return (local.get $b))))
    (if (i32.gt_u (local.get $la) (i32.sub (i32.const 0x7FFF0000) (local.get $lb)))
      (then (call $fatal (global.get $strtab_out_of_memory))))
    (local.set $p (call $str_new (i32.add (local.get $la) (local.get $lb))))
    (call $mcopy (i32.add (local.get $p) (i32.const 8)) (i32.add (local.get $a) (i32.const 8))
                 (local.get $la))
    (call $mcopy (i32.add (i32.add (local.get $p) (i32.const 8)) (local.get $la))
                 (i32.add (local.get $b) (i32.const 8)) (local.get $lb))
    (local.get $p))

  ;; s repeated n times; n <= 0 gives "".
  (func $str_repeat (param $s i32) (param $n i64) (result i32)
    (local $len i32) (local $total i64) (local $p i32) (local $done i32) (local $chunk i32)
    (local.set $len (i32.load offset=4 (local.get $s)))
    (if (i32.or (i64.le_s (local.get $n) (i64.const 0)) (i32.eqz (local.get $len)))
      (then (return (global.get $strtab_empty))))
    (if (i64.eq (local.get $n) (i64.const 1))
      (then (call $retain (i32.const 5) (i64.extend_i32_u (local.get $s))) (return (local.get $s))))
    (if (i64.gt_u (local.get $n) (i64.div_u (i64.const 0x7FFF0000) (i64.extend_i32_u (local.get $len))))
      (then (call $fatal (global.get $strtab_out_of_memory))))
    (local.set $total (i64.mul (local.get $n) (i64.extend_i32_u (local.get $len))))
    (local.set $p (call $str_new (i32.wrap_i64 (local.get $total))))
    (call $mcopy (i32.add (local.get $p) (i32.const 8)) (i32.add (local.get $s) (i32.const 8))
                 (local.get $len))
    ;; double the filled prefix until done
    (local.set $done (local.get $len))
    (block $out
      (loop $grow
        (br_if $out (i32.ge_u (local.get $done) (i32.wrap_i64 (local.get $total))))
        (local.set $chunk (local.get $done))
        (if (i32.gt_u (local.get $chunk) (i32.sub (i32.wrap_i64 (local.get $total)) (local.get $done)))
          (then (local.set $chunk (i32.sub (i32.wrap_i64 (local.get $total)) (local.get $done)))))
        (call $mcopy (i32.add (i32.add (local.get $p) (i32.const 8)) (local.get $done))
                     (i32.add (local.get $p) (i32.const 8)) (local.get $chunk))
        (local.set $done (i32.add (local.get $done) (local.get $chunk)))
        (br $grow)))
    (local.get $p))

  ;; Exact decimal form of an i64 (i64 min included: the magnitude is taken unsigned).
  (func $str_from_i64 (param $n i64) (result i32)
    (local $len i32) (local $p i32)
    (if (i64.lt_u (local.get $n) (i64.const 10))
      (then (return (call $ascii_str (i32.add (i32.const 48) (i32.wrap_i64 (local.get $n)))))))
    (local.set $len (call $dec_len (local.get $n)))
    (local.set $p (call $str_new (local.get $len)))
    (call $dec_write (i32.add (i32.add (local.get $p) (i32.const 8)) (local.get $len)) (local.get $n))
    (local.get $p))

  ;; Characters of n in decimal (with the sign).
  (func $dec_len (param $n i64) (result i32)
    (local $u i64) (local $len i32) (local $t i64) (local $x i32)
    (local.set $len (i32.wrap_i64 (i64.shr_u (local.get $n) (i64.const 63))))
    (local.set $u (select (i64.sub (i64.const 0) (local.get $n)) (local.get $n) (local.get $len)))
    (if (i64.le_u (local.get $u) (i64.const 0xFFFFFFFF))
      (then
        (local.set $x (i32.wrap_i64 (local.get $u)))
        (if (i32.lt_u (local.get $x) (i32.const 100000))
          (then
            (if (i32.lt_u (local.get $x) (i32.const 100))
              (then (return (i32.add (local.get $len)
                                     (i32.add (i32.const 1) (i32.ge_u (local.get $x) (i32.const 10)))))))
            (return (i32.add (local.get $len)
                             (i32.add (i32.add (i32.const 3) (i32.ge_u (local.get $x) (i32.const 1000)))
                                      (i32.ge_u (local.get $x) (i32.const 10000)))))))
        (return (i32.add (local.get $len)
                         (i32.add (i32.add (i32.add (i32.const 6) (i32.ge_u (local.get $x) (i32.const 1000000)))
                                           (i32.ge_u (local.get $x) (i32.const 10000000)))
                                  (i32.add (i32.ge_u (local.get $x) (i32.const 100000000))
                                           (i32.ge_u (local.get $x) (i32.const 1000000000))))))))
    ;; 10 to 19 digits
    (local.set $len (i32.add (local.get $len) (i32.const 10)))
    (local.set $t (i64.const 10000000000))
    (block $done
      (loop $more
        (br_if $done (i64.lt_u (local.get $u) (local.get $t)))
        (local.set $len (i32.add (local.get $len) (i32.const 1)))
        (br_if $done (i64.ge_u (local.get $t) (i64.const 1000000000000000000)))
        (local.set $t (i64.mul (local.get $t) (i64.const 10)))
        (br $more)))
    (local.get $len))

  ;; Write n in decimal so that it ends just before $end (dec_len(n) bytes): two digits
  ;; per step from the table $strtab_digits ("00".."99"), by multiplication instead of
  ;; division once the value fits 32 bits.
  (func $dec_write (param $end i32) (param $n i64)
    (local $u i64) (local $x i32) (local $q i32)
    (local.set $u (select (i64.sub (i64.const 0) (local.get $n)) (local.get $n)
                          (i64.lt_s (local.get $n) (i64.const 0))))
    (block $small
      (loop $big
        (br_if $small (i64.le_u (local.get $u) (i64.const 0xFFFFFFFF)))
        (local.set $end (i32.sub (local.get $end) (i32.const 2)))
        (call $dec_pair (local.get $end) (i32.wrap_i64 (i64.rem_u (local.get $u) (i64.const 100))))
        (local.set $u (i64.div_u (local.get $u) (i64.const 100)))
        (br $big)))
    (local.set $x (i32.wrap_i64 (local.get $u)))
    (block $last
      (loop $pairs
        (br_if $last (i32.lt_u (local.get $x) (i32.const 100)))
        (local.set $q (i32.wrap_i64 (i64.shr_u (i64.mul (i64.extend_i32_u (local.get $x)) (i64.const 0x51EB851F))
                                               (i64.const 37))))
        (local.set $end (i32.sub (local.get $end) (i32.const 2)))
        (call $dec_pair (local.get $end) (i32.sub (local.get $x) (i32.mul (local.get $q) (i32.const 100))))
        (local.set $x (local.get $q))
        (br $pairs)))
    (if (i32.ge_u (local.get $x) (i32.const 10))
      (then
        (local.set $end (i32.sub (local.get $end) (i32.const 2)))
        (call $dec_pair (local.get $end) (local.get $x)))
      (else
        (local.set $end (i32.sub (local.get $end) (i32.const 1)))
        (i32.store8 (local.get $end) (i32.add (local.get $x) (i32.const 48)))))
    (if (i64.lt_s (local.get $n) (i64.const 0))
      (then (i32.store8 (i32.sub (local.get $end) (i32.const 1)) (i32.const 45)))))

  ;; The two digits of r (0..99) at p.
  (func $dec_pair (param $p i32) (param $r i32)
    (i32.store16 (local.get $p)
                 (i32.load16_u (i32.add (global.get $strtab_digits) (i32.shl (local.get $r) (i32.const 1))))))

  ;; s followed by n in decimal (a new string; "k" + i without the intermediate string).
  ;; A prefix of at most eight bytes is copied as one word: the new block has room for
  ;; it (at least 16 bytes after the header, a digit always follows) and reading past the
  ;; end of s stays inside memory (s's block, or immortal data followed by more data).
  (func $str_concat_i64 (param $s i32) (param $n i64) (result i32)
    (local $ls i32) (local $ln i32) (local $p i32)
    (local.set $ls (i32.load offset=4 (local.get $s)))
    (local.set $ln (call $dec_len (local.get $n)))
    (if (i32.gt_u (local.get $ls) (i32.const 0x7FFEFFF0))
      (then (call $fatal (global.get $strtab_out_of_memory))))
    (local.set $p (call $str_new (i32.add (local.get $ls) (local.get $ln))))
    (if (i32.le_u (local.get $ls) (i32.const 8))
      (then (i64.store offset=8 (local.get $p) (i64.load offset=8 (local.get $s))))
      (else (call $mcopy (i32.add (local.get $p) (i32.const 8)) (i32.add (local.get $s) (i32.const 8))
                         (local.get $ls))))
    (call $dec_write (i32.add (i32.add (local.get $p) (i32.const 8)) (i32.add (local.get $ls) (local.get $ln)))
                     (local.get $n))
    (local.get $p))

  ;; The same for a MapBox lookup key (compiler: `m.get(s + n)` / `m.has(s + n)`, see
  ;; fastpaths.py): written into one scratch string the runtime keeps instead of a new
  ;; one. It is immortal (rc -1), so passing it neither retains nor releases it; it is
  ;; valid until the next call. get and has never keep their key (set would: it does
  ;; not use this). No allocation, no release, and the block stays in the cache.
  (global $key_scratch (mut i32) (i32.const 0))
  (global $key_scratch_cap (mut i32) (i32.const 0))
  (func $str_scratch_concat_i64 (param $s i32) (param $n i64) (result i32)
    (local $ls i32) (local $len i32) (local $p i32)
    (local.set $ls (i32.load offset=4 (local.get $s)))
    (if (i32.gt_u (local.get $ls) (i32.const 0x7FFEFFF0))
      (then (call $fatal (global.get $strtab_out_of_memory))))
    (local.set $len (i32.add (local.get $ls) (call $dec_len (local.get $n))))
    (if (i32.gt_u (local.get $len) (global.get $key_scratch_cap))
      (then
        (call $free (global.get $key_scratch))
        (global.set $key_scratch_cap (i32.add (local.get $len) (i32.const 56)))
        (global.set $key_scratch (call $alloc (i32.add (global.get $key_scratch_cap) (i32.const 8))))))
    (local.set $p (global.get $key_scratch))
    (i32.store (local.get $p) (i32.const -1))
    (i32.store offset=4 (local.get $p) (local.get $len))
    (if (i32.le_u (local.get $ls) (i32.const 8))
      (then (i64.store offset=8 (local.get $p) (i64.load offset=8 (local.get $s))))
      (else (call $mcopy (i32.add (local.get $p) (i32.const 8)) (i32.add (local.get $s) (i32.const 8))
                         (local.get $ls))))
    (call $dec_write (i32.add (i32.add (local.get $p) (i32.const 8)) (local.get $len)) (local.get $n))
    (local.get $p))

  ;; ---------------------------------------------------------------- comparison, hashing
  ;; Equal bytes: eight at a time, then a 4-, 2- and 1-byte tail (never reading past
  ;; either block).
  (func $mem_eq (param $a i32) (param $b i32) (param $n i32) (result i32)
    (block $tail
      (loop $words
        (br_if $tail (i32.lt_u (local.get $n) (i32.const 8)))
        (if (i64.ne (i64.load (local.get $a)) (i64.load (local.get $b))) (then (return (i32.const 0))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (local.set $n (i32.sub (local.get $n) (i32.const 8)))
        (br $words)))
    (if (i32.and (local.get $n) (i32.const 4))
      (then
        (if (i32.ne (i32.load (local.get $a)) (i32.load (local.get $b))) (then (return (i32.const 0))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))))
    (if (i32.and (local.get $n) (i32.const 2))
      (then
        (if (i32.ne (i32.load16_u (local.get $a)) (i32.load16_u (local.get $b))) (then (return (i32.const 0))))
        (local.set $a (i32.add (local.get $a) (i32.const 2)))
        (local.set $b (i32.add (local.get $b) (i32.const 2)))))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (return (i32.eq (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))))
    (i32.const 1))

  (func $str_eq (param $a i32) (param $b i32) (result i32)
    (if (i32.eq (local.get $a) (local.get $b)) (then (return (i32.const 1))))
    (if (i32.ne (i32.load offset=4 (local.get $a)) (i32.load offset=4 (local.get $b)))
      (then (return (i32.const 0))))
    (if (i32.eq (i32.load offset=4 (local.get $a)) (i32.const 1))
      (then (return (i32.eq (i32.load8_u offset=8 (local.get $a)) (i32.load8_u offset=8 (local.get $b))))))
    (call $mem_eq (i32.add (local.get $a) (i32.const 8)) (i32.add (local.get $b) (i32.const 8))
                  (i32.load offset=4 (local.get $a))))

  ;; Byte-wise lexicographic comparison: -1, 0 or 1.
  (func $str_cmp (param $a i32) (param $b i32) (result i32)
    (local $la i32) (local $lb i32) (local $n i32) (local $i i32) (local $x i32) (local $y i32) (local $w i64)
    (local.set $la (i32.load offset=4 (local.get $a)))
    (local.set $lb (i32.load offset=4 (local.get $b)))
    (local.set $n (select (local.get $la) (local.get $lb) (i32.lt_u (local.get $la) (local.get $lb))))
    ;; eight bytes at a time while both have them: the first differing byte is the
    ;; lowest one of the xor (little-endian loads)
    (block $words_done
      (loop $words
        (br_if $words_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
        (local.set $w (i64.xor (i64.load offset=8 (i32.add (local.get $a) (local.get $i)))
                               (i64.load offset=8 (i32.add (local.get $b) (local.get $i)))))
        (if (i64.ne (local.get $w) (i64.const 0))
          (then
            (local.set $i (i32.add (local.get $i) (i32.wrap_i64 (i64.shr_u (i64.ctz (local.get $w)) (i64.const 3)))))
            (br $words_done)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $words)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i32.load8_u offset=8 (i32.add (local.get $a) (local.get $i))))
        (local.set $y (i32.load8_u offset=8 (i32.add (local.get $b) (local.get $i))))
        (if (i32.ne (local.get $x) (local.get $y))
          (then (return (select (i32.const -1) (i32.const 1) (i32.lt_u (local.get $x) (local.get $y))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.sub (i32.gt_u (local.get $la) (local.get $lb)) (i32.lt_u (local.get $la) (local.get $lb))))

  (func $str_len (param $s i32) (result i64)
    (i64.extend_i32_u (i32.load offset=4 (local.get $s))))

  ;; Hash of the bytes (used by MapBox): eight bytes per step (xor, multiply by an odd
  ;; constant, rotate), the last 0-7 bytes as one step, and MurmurHash3's 64-bit finalizer,
  ;; which spreads every input bit over the low bits MapBox masks with and the bits above
  ;; them that its index slots keep.
  (func $str_hash (param $s i32) (result i32)
    (local $p i32) (local $n i32) (local $h i64) (local $t i64)
    (local.set $n (i32.load offset=4 (local.get $s)))
    (local.set $p (i32.add (local.get $s) (i32.const 8)))
    (local.set $h (i64.mul (i64.extend_i32_u (i32.add (local.get $n) (i32.const 1)))
                           (i64.const 0x9E3779B97F4A7C15)))
    ;; at most eight bytes (most map keys): one masked word, no tail loop (reading a word
    ;; at +8 stays inside the block of a string with at least one byte, and inside the
    ;; data of an immortal one; see collections.wat $col_same_str)
    (if (i32.le_u (local.get $n) (i32.const 8))
      (then
        (if (local.get $n)
          (then (local.set $t (i64.and (i64.load (local.get $p))
                                       (select (i64.const -1)
                                               (i64.sub (i64.shl (i64.const 1)
                                                                 (i64.extend_i32_u (i32.shl (local.get $n) (i32.const 3))))
                                                        (i64.const 1))
                                               (i32.eq (local.get $n) (i32.const 8)))))))
        (local.set $n (i32.const 0))))
    (block $done
      (loop $words
        (br_if $done (i32.lt_u (local.get $n) (i32.const 8)))
        (local.set $h (i64.rotl (i64.mul (i64.xor (local.get $h) (i64.load (local.get $p)))
                                         (i64.const 0x9E3779B97F4A7C15))
                                (i64.const 26)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $n (i32.sub (local.get $n) (i32.const 8)))
        (br $words)))
    (if (i32.and (local.get $n) (i32.const 4))
      (then (local.set $t (i64.load32_u (local.get $p)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))))
    (if (i32.and (local.get $n) (i32.const 2))
      (then (local.set $t (i64.or (i64.shl (local.get $t) (i64.const 16)) (i64.load16_u (local.get $p))))
            (local.set $p (i32.add (local.get $p) (i32.const 2)))))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (local.set $t (i64.or (i64.shl (local.get $t) (i64.const 8)) (i64.load8_u (local.get $p))))))
    (local.set $h (i64.mul (i64.xor (local.get $h) (local.get $t)) (i64.const 0x9E3779B97F4A7C15)))
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33)))
                           (i64.const 0xFF51AFD7ED558CCD)))
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33)))
                           (i64.const 0xC4CEB9FE1A85EC53)))
    (i32.wrap_i64 (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33)))))

  ;; Byte offset of the first t in s at or after byte $from, or -1.
  (func $str_find (param $s i32) (param $t i32) (param $from i32) (result i32)
    (local $lt i32) (local $last i32) (local $first i32) (local $i i32) (local $base i32)
    (local $pat i64) (local $w i64)
    (local.set $lt (i32.load offset=4 (local.get $t)))
    (if (i32.gt_u (local.get $lt) (i32.load offset=4 (local.get $s))) (then (return (i32.const -1))))
    (local.set $last (i32.sub (i32.load offset=4 (local.get $s)) (local.get $lt)))
    (if (i32.eqz (local.get $lt))
      (then (return (select (local.get $from) (i32.const -1)
                            (i32.le_u (local.get $from) (local.get $last))))))
    (local.set $first (i32.load8_u offset=8 (local.get $t)))
    (local.set $base (i32.add (local.get $s) (i32.const 8)))
    (local.set $i (local.get $from))
    (local.set $pat (i64.mul (i64.extend_i32_u (local.get $first)) (i64.const 0x0101010101010101)))
    (block $none
      (loop $scan
        (br_if $none (i32.gt_u (local.get $i) (local.get $last)))
        ;; eight bytes at a time while they lie inside s: the lowest byte equal to the
        ;; first byte of t is the lowest set high bit of (x - 0x01..) & ~x & 0x80.. with
        ;; x = word ^ pattern (borrows only mark bytes above a real match)
        (if (i32.le_u (i32.add (local.get $i) (i32.const 8)) (i32.load offset=4 (local.get $s)))
          (then
            (local.set $w (i64.xor (i64.load (i32.add (local.get $base) (local.get $i))) (local.get $pat)))
            (local.set $w (i64.and (i64.and (i64.sub (local.get $w) (i64.const 0x0101010101010101))
                                            (i64.xor (local.get $w) (i64.const -1)))
                                   (i64.const 0x8080808080808080)))
            (if (i64.eqz (local.get $w))
              (then (local.set $i (i32.add (local.get $i) (i32.const 8))) (br $scan)))
            (local.set $i (i32.add (local.get $i) (i32.wrap_i64 (i64.shr_u (i64.ctz (local.get $w)) (i64.const 3)))))
            (br_if $none (i32.gt_u (local.get $i) (local.get $last))))
          (else
            (if (i32.ne (i32.load8_u (i32.add (local.get $base) (local.get $i))) (local.get $first))
              (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $scan)))))
        ;; s[i] is the first byte of t
        (if (call $mem_eq (i32.add (local.get $base) (local.get $i))
                          (i32.add (local.get $t) (i32.const 8)) (local.get $lt))
          (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (i32.const -1))

  ;; ---------------------------------------------------------------- UTF-8
  ;; Byte width of the character starting with byte b (stray continuation bytes: 1).
  (func $utf8_width (param $b i32) (result i32)
    (if (i32.lt_u (local.get $b) (i32.const 0xC0)) (then (return (i32.const 1))))
    (if (i32.lt_u (local.get $b) (i32.const 0xE0)) (then (return (i32.const 2))))
    (if (i32.lt_u (local.get $b) (i32.const 0xF0)) (then (return (i32.const 3))))
    (i32.const 4))

  (func $utf8_decode (param $p i32) (param $w i32) (result i32)
    (local $b i32)
    (local.set $b (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $w) (i32.const 1)) (then (return (local.get $b))))
    (if (i32.eq (local.get $w) (i32.const 2))
      (then (return (i32.or (i32.shl (i32.and (local.get $b) (i32.const 0x1F)) (i32.const 6))
                            (i32.and (i32.load8_u offset=1 (local.get $p)) (i32.const 0x3F))))))
    (if (i32.eq (local.get $w) (i32.const 3))
      (then (return (i32.or (i32.or (i32.shl (i32.and (local.get $b) (i32.const 0x0F)) (i32.const 12))
                                    (i32.shl (i32.and (i32.load8_u offset=1 (local.get $p)) (i32.const 0x3F))
                                             (i32.const 6)))
                            (i32.and (i32.load8_u offset=2 (local.get $p)) (i32.const 0x3F))))))
    (i32.or (i32.or (i32.shl (i32.and (local.get $b) (i32.const 0x07)) (i32.const 18))
                    (i32.shl (i32.and (i32.load8_u offset=1 (local.get $p)) (i32.const 0x3F)) (i32.const 12)))
            (i32.or (i32.shl (i32.and (i32.load8_u offset=2 (local.get $p)) (i32.const 0x3F)) (i32.const 6))
                    (i32.and (i32.load8_u offset=3 (local.get $p)) (i32.const 0x3F)))))

  ;; Encode cp at dst (dst 0: only measure); returns the byte count.
  (func $utf8_encode (param $dst i32) (param $cp i32) (result i32)
    (if (i32.lt_u (local.get $cp) (i32.const 0x80))
      (then
        (if (local.get $dst) (then (i32.store8 (local.get $dst) (local.get $cp))))
        (return (i32.const 1))))
    (if (i32.lt_u (local.get $cp) (i32.const 0x800))
      (then
        (if (local.get $dst)
          (then
            (i32.store8 (local.get $dst) (i32.or (i32.const 0xC0) (i32.shr_u (local.get $cp) (i32.const 6))))
            (i32.store8 offset=1 (local.get $dst)
                        (i32.or (i32.const 0x80) (i32.and (local.get $cp) (i32.const 0x3F))))))
        (return (i32.const 2))))
    (if (i32.lt_u (local.get $cp) (i32.const 0x10000))
      (then
        (if (local.get $dst)
          (then
            (i32.store8 (local.get $dst) (i32.or (i32.const 0xE0) (i32.shr_u (local.get $cp) (i32.const 12))))
            (i32.store8 offset=1 (local.get $dst)
                        (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $cp) (i32.const 6)) (i32.const 0x3F))))
            (i32.store8 offset=2 (local.get $dst)
                        (i32.or (i32.const 0x80) (i32.and (local.get $cp) (i32.const 0x3F))))))
        (return (i32.const 3))))
    (if (local.get $dst)
      (then
        (i32.store8 (local.get $dst) (i32.or (i32.const 0xF0) (i32.shr_u (local.get $cp) (i32.const 18))))
        (i32.store8 offset=1 (local.get $dst)
                    (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $cp) (i32.const 12)) (i32.const 0x3F))))
        (i32.store8 offset=2 (local.get $dst)
                    (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $cp) (i32.const 6)) (i32.const 0x3F))))
        (i32.store8 offset=3 (local.get $dst)
                    (i32.or (i32.const 0x80) (i32.and (local.get $cp) (i32.const 0x3F))))))
    (i32.const 4))

  ;; Byte offset of character n of string s (the length when s is shorter).
  ;; A small cache of character positions: 8 entries of 16 bytes at CHARPOS (0x0C00,
  ;; scratch), chosen by the string's address (blocks are 16-byte multiples); an entry
  ;; is +0 string address (0 = none), +4 byte offset and +8 character index of the last
  ;; position found, +12 how many leading bytes are known to be ASCII (there character
  ;; n is byte n: no walk at all; generated code reads this inline, see fastpaths.py's
  ;; string_position_call). Scanning strings character by character
  ;; (s.substring(i, i + 1), s.get(i), often two strings in turn, a tokenizer's
  ;; substring(start, i) behind its get(i)) then costs one step per call instead of a
  ;; walk from the start. Strings are immutable (an in-place append keeps the prefix),
  ;; and $free forgets a string's entry when its block is freed.
  (func $char_offset (param $s i32) (param $n i64) (result i32)
    (local $e i32) (local $k i32) (local $len i32) (local $asc i32) (local $off i32)
    (local.set $len (i32.load offset=4 (local.get $s)))
    (if (i64.le_s (local.get $n) (i64.const 0)) (then (return (i32.const 0))))
    (if (i64.ge_s (local.get $n) (i64.extend_i32_u (local.get $len))) (then (return (local.get $len))))
    (local.set $k (i32.wrap_i64 (local.get $n)))
    ;; within the first eight bytes, all ASCII: no cache needed (the load may read past
    ;; a short string's end, inside its block; those bytes are masked off)
    (if (i32.le_u (local.get $k) (i32.const 8))
      (then
        (if (i64.eqz (i64.and (i64.load offset=8 (local.get $s))
                              (i64.and (i64.const 0x8080808080808080)
                                       (select (i64.const -1)
                                               (i64.sub (i64.shl (i64.const 1)
                                                                 (i64.extend_i32_u (i32.shl (local.get $len) (i32.const 3))))
                                                        (i64.const 1))
                                               (i32.ge_u (local.get $len) (i32.const 8))))))
          (then (return (local.get $k))))))
    (local.set $e (i32.add (i32.const 0x0C00) (i32.and (local.get $s) (i32.const 0x70))))
    (if (i32.ne (i32.load (local.get $e)) (local.get $s))
      (then
        (i32.store (local.get $e) (local.get $s))
        (i32.store offset=4 (local.get $e) (i32.const 0))
        (i32.store offset=8 (local.get $e) (i32.const 0))
        (i32.store offset=12 (local.get $e) (i32.const 0))))
    (local.set $asc (i32.load offset=12 (local.get $e)))
    (if (i32.le_u (local.get $k) (local.get $asc)) (then (return (local.get $k))))
    (if (i32.and (i32.gt_u (i32.load offset=8 (local.get $e)) (local.get $asc))
                 (i32.le_u (i32.load offset=8 (local.get $e)) (local.get $k)))
      (then
        ;; from the last position found
        (local.set $off (call $char_skip (local.get $s) (i32.load offset=4 (local.get $e))
                              (i64.extend_i32_u (i32.sub (local.get $k) (i32.load offset=8 (local.get $e)))))))
      (else
        ;; from the end of the ASCII prefix, growing it eight bytes at a time first
        (block $grown
          (loop $grow
            (br_if $grown (i32.gt_u (i32.add (local.get $asc) (i32.const 8)) (local.get $len)))
            (br_if $grown (i64.ne (i64.and (i64.load offset=8 (i32.add (local.get $s) (local.get $asc)))
                                           (i64.const 0x8080808080808080)) (i64.const 0)))
            (local.set $asc (i32.add (local.get $asc) (i32.const 8)))
            ;; 64 bytes past k: a scan character by character then finds the next
            ;; characters in the prefix (the inline test in the generated code)
            (br_if $grow (i32.lt_u (local.get $asc) (i32.add (local.get $k) (i32.const 64))))))
        (i32.store offset=12 (local.get $e) (local.get $asc))
        (if (i32.le_u (local.get $k) (local.get $asc)) (then (return (local.get $k))))
        (local.set $off (call $char_skip (local.get $s) (local.get $asc)
                              (i64.extend_i32_u (i32.sub (local.get $k) (local.get $asc)))))))
    (i32.store offset=4 (local.get $e) (local.get $off))
    (i32.store offset=8 (local.get $e) (local.get $k))
    (local.get $off))

  ;; Advance byte offset $off of string s by $n characters, stopping at the end.
  (func $char_skip (param $s i32) (param $off i32) (param $n i64) (result i32)
    (local $len i32) (local $b i32)
    (local.set $len (i32.load offset=4 (local.get $s)))
    (block $done
      (loop $next
        (br_if $done (i64.le_s (local.get $n) (i64.const 0)))
        (br_if $done (i32.ge_u (local.get $off) (local.get $len)))
        ;; eight ASCII bytes are eight characters (strings below 2 GiB: no overflow)
        (if (i32.and (i64.ge_s (local.get $n) (i64.const 8))
                     (i32.le_u (i32.add (local.get $off) (i32.const 8)) (local.get $len)))
          (then
            (if (i64.eqz (i64.and (i64.load offset=8 (i32.add (local.get $s) (local.get $off)))
                                  (i64.const 0x8080808080808080)))
              (then
                (local.set $off (i32.add (local.get $off) (i32.const 8)))
                (local.set $n (i64.sub (local.get $n) (i64.const 8)))
                (br $next)))))
        (local.set $b (i32.load8_u offset=8 (i32.add (local.get $s) (local.get $off))))
        (local.set $off (i32.add (local.get $off)
                                 (if (result i32) (i32.lt_u (local.get $b) (i32.const 0x80))
                                   (then (i32.const 1)) (else (call $utf8_width (local.get $b))))))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (select (local.get $len) (local.get $off) (i32.gt_u (local.get $off) (local.get $len))))

  ;; Rust's char::is_whitespace (Unicode White_Space).
  (func $is_space (param $c i32) (result i32)
    (if (i32.lt_u (local.get $c) (i32.const 0x80))
      (then (return (i32.or (i32.eq (local.get $c) (i32.const 32))
                            (i32.lt_u (i32.sub (local.get $c) (i32.const 9)) (i32.const 5))))))
    (i32.or
      (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x85)) (i32.eq (local.get $c) (i32.const 0xA0)))
              (i32.or (i32.eq (local.get $c) (i32.const 0x1680))
                      (i32.lt_u (i32.sub (local.get $c) (i32.const 0x2000)) (i32.const 11))))
      (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x2028)) (i32.eq (local.get $c) (i32.const 0x2029)))
              (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x202F)) (i32.eq (local.get $c) (i32.const 0x205F)))
                      (i32.eq (local.get $c) (i32.const 0x3000))))))

  ;; ---------------------------------------------------------------- case mapping
  ;; cp mapped through a run table (see tables.py), or cp itself.
  (func $case_run (param $cp i32) (param $tab i32) (param $n i32) (result i32)
    (local $lo i32) (local $hi i32) (local $mid i32) (local $e i32) (local $w i32)
    (local.set $hi (local.get $n))
    (block $found
      (loop $search
        (br_if $found (i32.ge_u (local.get $lo) (local.get $hi)))
        (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
        (if (i32.le_u (i32.and (i32.load (i32.add (local.get $tab) (i32.mul (local.get $mid) (i32.const 12))))
                               (i32.const 0xFFFFFF))
                      (local.get $cp))
          (then (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
          (else (local.set $hi (local.get $mid))))
        (br $search)))
    (if (i32.eqz (local.get $lo)) (then (return (local.get $cp))))
    (local.set $e (i32.add (local.get $tab) (i32.mul (i32.sub (local.get $lo) (i32.const 1)) (i32.const 12))))
    (local.set $w (i32.load (local.get $e)))
    (if (i32.and (i32.lt_u (local.get $cp) (i32.load offset=4 (local.get $e)))
                 (i32.eqz (i32.and (i32.sub (local.get $cp) (i32.and (local.get $w) (i32.const 0xFFFFFF)))
                                   (i32.shr_u (local.get $w) (i32.const 24)))))
      (then (return (i32.add (local.get $cp) (i32.load offset=8 (local.get $e))))))
    (local.get $cp))

  ;; Expansion of cp (addr | len << 24 of its UTF-8 bytes) or 0.
  (func $case_multi (param $cp i32) (param $tab i32) (param $n i32) (result i32)
    (local $lo i32) (local $hi i32) (local $mid i32) (local $c i32)
    (local.set $hi (local.get $n))
    (block $none
      (loop $search
        (br_if $none (i32.ge_u (local.get $lo) (local.get $hi)))
        (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
        (local.set $c (i32.load (i32.add (local.get $tab) (i32.shl (local.get $mid) (i32.const 3)))))
        (if (i32.eq (local.get $c) (local.get $cp))
          (then (return (i32.load offset=4 (i32.add (local.get $tab) (i32.shl (local.get $mid) (i32.const 3)))))))
        (if (i32.lt_u (local.get $c) (local.get $cp))
          (then (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
          (else (local.set $hi (local.get $mid))))
        (br $search)))
    (i32.const 0))

  ;; Approximation of Unicode "cased": the character has an upper or lower mapping.
  (func $is_cased (param $cp i32) (result i32)
    (if (i32.lt_u (local.get $cp) (i32.const 0x80))
      (then (return (i32.lt_u (i32.sub (i32.or (local.get $cp) (i32.const 0x20)) (i32.const 97))
                              (i32.const 26)))))
    (i32.or
      (i32.or (i32.ne (call $case_run (local.get $cp) (global.get $strtab_upper_runs) (global.get $strtab_upper_runs_n))
                      (local.get $cp))
              (i32.ne (call $case_run (local.get $cp) (global.get $strtab_lower_runs) (global.get $strtab_lower_runs_n))
                      (local.get $cp)))
      (i32.ne (call $case_multi (local.get $cp) (global.get $strtab_upper_multi) (global.get $strtab_upper_multi_n))
              (i32.const 0))))

  ;; Is the capital sigma at byte offset $off (of width 2) of s word-final?
  (func $sigma_is_final (param $s i32) (param $off i32) (result i32)
    (local $base i32) (local $q i32) (local $end i32)
    (if (i32.eqz (local.get $off)) (then (return (i32.const 0))))
    (local.set $base (i32.add (local.get $s) (i32.const 8)))
    (local.set $q (i32.sub (local.get $off) (i32.const 1)))
    (block $start
      (loop $back
        (br_if $start (i32.eqz (local.get $q)))
        (br_if $start (i32.ne (i32.and (i32.load8_u (i32.add (local.get $base) (local.get $q))) (i32.const 0xC0))
                              (i32.const 0x80)))
        (local.set $q (i32.sub (local.get $q) (i32.const 1)))
        (br $back)))
    (if (i32.eqz (call $is_cased
                   (call $utf8_decode (i32.add (local.get $base) (local.get $q))
                         (call $utf8_width (i32.load8_u (i32.add (local.get $base) (local.get $q)))))))
      (then (return (i32.const 0))))
    (local.set $q (i32.add (local.get $off) (i32.const 2)))
    (local.set $end (i32.load offset=4 (local.get $s)))
    (if (i32.ge_u (local.get $q) (local.get $end)) (then (return (i32.const 1))))
    (i32.eqz (call $is_cased
               (call $utf8_decode (i32.add (local.get $base) (local.get $q))
                     (call $utf8_width (i32.load8_u (i32.add (local.get $base) (local.get $q))))))))

  ;; One pass of case conversion of s: writes at dst (0: only measure), returns the
  ;; output length and sets $case_changed when any character changed.
  (func $case_pass (param $s i32) (param $upper i32) (param $dst i32) (result i32)
    (local $off i32) (local $len i32) (local $out i32) (local $b i32) (local $w i32)
    (local $cp i32) (local $m i32) (local $mn i32) (local $c2 i32)
    (local $runs i32) (local $runs_n i32) (local $multi i32) (local $multi_n i32)
    (if (local.get $upper)
      (then
        (local.set $runs (global.get $strtab_upper_runs)) (local.set $runs_n (global.get $strtab_upper_runs_n))
        (local.set $multi (global.get $strtab_upper_multi)) (local.set $multi_n (global.get $strtab_upper_multi_n)))
      (else
        (local.set $runs (global.get $strtab_lower_runs)) (local.set $runs_n (global.get $strtab_lower_runs_n))
        (local.set $multi (global.get $strtab_lower_multi)) (local.set $multi_n (global.get $strtab_lower_multi_n))))
    (global.set $case_changed (i32.const 0))
    (local.set $len (i32.load offset=4 (local.get $s)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $off) (local.get $len)))
        (local.set $b (i32.load8_u offset=8 (i32.add (local.get $s) (local.get $off))))
        (if (i32.lt_u (local.get $b) (i32.const 0x80))
          (then
            ;; ASCII: flip bit 5 of letters of the other case
            (local.set $c2 (local.get $b))
            (if (i32.lt_u (i32.sub (local.get $b) (select (i32.const 97) (i32.const 65) (local.get $upper)))
                          (i32.const 26))
              (then
                (local.set $c2 (i32.xor (local.get $b) (i32.const 0x20)))
                (global.set $case_changed (i32.const 1))))
            (if (local.get $dst)
              (then (i32.store8 (i32.add (local.get $dst) (local.get $out)) (local.get $c2))))
            (local.set $out (i32.add (local.get $out) (i32.const 1)))
            (local.set $off (i32.add (local.get $off) (i32.const 1)))
            (br $next)))
        (local.set $w (call $utf8_width (local.get $b)))
        (if (i32.gt_u (i32.add (local.get $off) (local.get $w)) (local.get $len))
          (then (local.set $w (i32.sub (local.get $len) (local.get $off)))))
        (local.set $cp (call $utf8_decode (i32.add (i32.add (local.get $s) (i32.const 8)) (local.get $off))
                             (local.get $w)))
        (local.set $m (call $case_multi (local.get $cp) (local.get $multi) (local.get $multi_n)))
        (if (local.get $m)
          (then
            (local.set $mn (i32.shr_u (local.get $m) (i32.const 24)))
            (if (local.get $dst)
              (then (call $mcopy (i32.add (local.get $dst) (local.get $out))
                                 (i32.and (local.get $m) (i32.const 0xFFFFFF)) (local.get $mn))))
            (global.set $case_changed (i32.const 1))
            (local.set $out (i32.add (local.get $out) (local.get $mn))))
          (else
            (local.set $c2 (call $case_run (local.get $cp) (local.get $runs) (local.get $runs_n)))
            (if (i32.and (i32.eqz (local.get $upper)) (i32.eq (local.get $cp) (i32.const 0x3A3)))
              (then
                (if (call $sigma_is_final (local.get $s) (local.get $off))
                  (then (local.set $c2 (i32.const 0x3C2))))))
            (if (i32.ne (local.get $c2) (local.get $cp)) (then (global.set $case_changed (i32.const 1))))
            (local.set $out (i32.add (local.get $out)
                                     (call $utf8_encode
                                           (select (i32.add (local.get $dst) (local.get $out)) (i32.const 0)
                                                   (local.get $dst))
                                           (local.get $c2))))))
        (local.set $off (i32.add (local.get $off) (local.get $w)))
        (br $next)))
    (local.get $out))

  ;; Case conversion of n ASCII bytes at src, eight at a time: a byte is a letter of the
  ;; other case when adding $a sets its top bit and adding $b does not (no carries: every
  ;; byte is below 0x80); flipping bit 5 converts it. Writes at dst (0: only looks);
  ;; returns whether any letter changed.
  (func $case_ascii (param $src i32) (param $dst i32) (param $n i32) (param $upper i32) (result i32)
    (local $i i32) (local $x i64) (local $a i64) (local $b i64) (local $m i64) (local $any i64)
    (local.set $a (select (i64.const 0x1F1F1F1F1F1F1F1F) (i64.const 0x3F3F3F3F3F3F3F3F) (local.get $upper)))
    (local.set $b (select (i64.const 0x0505050505050505) (i64.const 0x2525252525252525) (local.get $upper)))
    (block $words_done
      (loop $words
        (br_if $words_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
        (local.set $x (i64.load (i32.add (local.get $src) (local.get $i))))
        (local.set $m (i64.and (i64.and (i64.add (local.get $x) (local.get $a))
                                        (i64.xor (i64.add (local.get $x) (local.get $b)) (i64.const -1)))
                               (i64.const 0x8080808080808080)))
        (local.set $any (i64.or (local.get $any) (local.get $m)))
        (if (local.get $dst)
          (then (i64.store (i32.add (local.get $dst) (local.get $i))
                           (i64.xor (local.get $x) (i64.shr_u (local.get $m) (i64.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $words)))
    (if (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $n))
      (then
        (local.set $x (i64.load32_u (i32.add (local.get $src) (local.get $i))))
        (local.set $m (i64.and (i64.and (i64.add (local.get $x) (local.get $a))
                                        (i64.xor (i64.add (local.get $x) (local.get $b)) (i64.const -1)))
                               (i64.const 0x80808080)))
        (local.set $any (i64.or (local.get $any) (local.get $m)))
        (if (local.get $dst)
          (then (i64.store32 (i32.add (local.get $dst) (local.get $i))
                             (i64.xor (local.get $x) (i64.shr_u (local.get $m) (i64.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))))
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i64.load8_u (i32.add (local.get $src) (local.get $i))))
        (local.set $m (i64.and (i64.and (i64.add (local.get $x) (local.get $a))
                                        (i64.xor (i64.add (local.get $x) (local.get $b)) (i64.const -1)))
                               (i64.const 0x80)))
        (local.set $any (i64.or (local.get $any) (local.get $m)))
        (if (local.get $dst)
          (then (i64.store8 (i32.add (local.get $dst) (local.get $i))
                            (i64.xor (local.get $x) (i64.shr_u (local.get $m) (i64.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (i64.ne (local.get $any) (i64.const 0)))

  ;; Are all n bytes at p ASCII? (eight at a time)
  (func $all_ascii (param $p i32) (param $n i32) (result i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (block $tail
      (loop $words
        (br_if $tail (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $end)))
        (if (i64.ne (i64.and (i64.load (local.get $p)) (i64.const 0x8080808080808080)) (i64.const 0))
          (then (return (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $words)))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.ge_u (i32.load8_u (local.get $p)) (i32.const 0x80)) (then (return (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $bytes)))
    (i32.const 1))

  (func $case_convert (param $s i32) (param $upper i32) (result i32)
    (local $n i32) (local $p i32)
    (local.set $n (i32.load offset=4 (local.get $s)))
    (if (call $all_ascii (i32.add (local.get $s) (i32.const 8)) (local.get $n))
      (then
        (if (i32.eqz (call $case_ascii (i32.add (local.get $s) (i32.const 8)) (i32.const 0) (local.get $n)
                                       (local.get $upper)))
          (then (call $retain (i32.const 5) (i64.extend_i32_u (local.get $s))) (return (local.get $s))))
        (local.set $p (call $str_new (local.get $n)))
        (drop (call $case_ascii (i32.add (local.get $s) (i32.const 8)) (i32.add (local.get $p) (i32.const 8))
                                (local.get $n) (local.get $upper)))
        (return (local.get $p))))
    (local.set $n (call $case_pass (local.get $s) (local.get $upper) (i32.const 0)))
    (if (i32.eqz (global.get $case_changed))
      (then (call $retain (i32.const 5) (i64.extend_i32_u (local.get $s))) (return (local.get $s))))
    (local.set $p (call $str_new (local.get $n)))
    (drop (call $case_pass (local.get $s) (local.get $upper) (i32.add (local.get $p) (i32.const 8))))
    (local.get $p))

  ;; ---------------------------------------------------------------- StringBox methods
  (func $m_String_length (param $self i64) (result i32 i64)
    (i32.const 3) (call $str_len (i32.wrap_i64 (local.get $self))))

  (func $m_String_toString (param $self i64) (result i32 i64)
    (call $retain (i32.const 5) (local.get $self))
    (i32.const 5) (local.get $self))

  (func $m_String_substring (param $self i64) (param $ta i32) (param $a i64) (param $tb i32) (param $b i64)
                            (result i32 i64)
    (local $s i32) (local $from i32) (local $to i32)
    (if (i32.or (i32.ne (local.get $ta) (i32.const 3)) (i32.ne (local.get $tb) (i32.const 3)))
      (then (call $raise_error (global.get $strtab_err_substring)) (return (i32.const 0) (i64.const 0))))
    (local.set $s (i32.wrap_i64 (local.get $self)))
    ;; upstream converts to usize: a negative start is past the end (""), a negative
    ;; end is past the end too (clamped to the length)
    (if (i64.lt_s (local.get $a) (i64.const 0))
      (then (return (i32.const 5) (i64.extend_i32_u (global.get $strtab_empty)))))
    (if (i64.lt_s (local.get $b) (i64.const 0)) (then (local.set $b (i64.const 0x7FFFFFFFFFFFFFFF))))
    (if (i64.ge_s (local.get $a) (local.get $b))
      (then (return (i32.const 5) (i64.extend_i32_u (global.get $strtab_empty)))))
    (local.set $from (call $char_offset (local.get $s) (local.get $a)))
    (local.set $to (call $char_offset (local.get $s) (local.get $b)))
    (i32.const 5)
    (i64.extend_i32_u (call $str_slice (local.get $s) (local.get $from) (local.get $to))))

  (func $m_String_get (param $self i64) (param $ti i32) (param $i i64) (result i32 i64)
    (local $s i32) (local $off i32)
    (if (i32.ne (local.get $ti) (i32.const 3))
      (then (call $raise_error (global.get $strtab_err_get)) (return (i32.const 0) (i64.const 0))))
    (if (i64.lt_s (local.get $i) (i64.const 0)) (then (return (i32.const 0) (i64.const 0))))
    (local.set $s (i32.wrap_i64 (local.get $self)))
    (local.set $off (call $char_offset (local.get $s) (local.get $i)))
    (if (i32.ge_u (local.get $off) (i32.load offset=4 (local.get $s)))
      (then (return (i32.const 0) (i64.const 0))))
    (i32.const 5)
    (i64.extend_i32_u (call $str_slice (local.get $s) (local.get $off)
                            (call $char_skip (local.get $s) (local.get $off) (i64.const 1)))))

  ;; An ASCII character at character index $i of s straight from the character-position
  ;; cache (see $char_offset): the immortal one-character string, or 0 when the cache
  ;; does not know that s is ASCII up to there.
  (func $str_cached_ascii_char (param $s i32) (param $i i64) (result i32)
    (local $e i32)
    (local.set $e (i32.add (i32.const 0x0C00) (i32.and (local.get $s) (i32.const 0x70))))
    (if (result i32)
        (i32.and (i32.eq (i32.load (local.get $e)) (local.get $s))
                 (i64.lt_u (local.get $i) (i64.extend_i32_u (i32.load offset=12 (local.get $e)))))
      (then (call $ascii_str (i32.load8_u offset=8 (i32.add (local.get $s) (i32.wrap_i64 (local.get $i))))))
      (else (i32.const 0))))

  ;; s.substring(a, b) with integer bounds (the compiler knows they are integers: no tag
  ;; tests). s.substring(i, i + 1) of a string being scanned, inside the ASCII prefix
  ;; the cache knows, is one load. Same results as $m_String_substring.
  (func $str_substring_ii (param $s i32) (param $a i64) (param $b i64) (result i32)
    (local $c i32)
    (if (i64.eq (local.get $b) (i64.add (local.get $a) (i64.const 1)))
      (then
        (local.set $c (call $str_cached_ascii_char (local.get $s) (local.get $a)))
        (if (local.get $c) (then (return (local.get $c))))))
    (if (i64.lt_s (local.get $a) (i64.const 0)) (then (return (global.get $strtab_empty))))
    (if (i64.lt_s (local.get $b) (i64.const 0)) (then (local.set $b (i64.const 0x7FFFFFFFFFFFFFFF))))
    (if (i64.ge_s (local.get $a) (local.get $b)) (then (return (global.get $strtab_empty))))
    (call $str_slice (local.get $s) (call $char_offset (local.get $s) (local.get $a))
                     (call $char_offset (local.get $s) (local.get $b))))

  ;; s.get(i) with an integer index: the character's string, or 0 where $m_String_get
  ;; gives void (out of range).
  (func $str_get_i (param $s i32) (param $i i64) (result i32)
    (local $off i32)
    (local.set $off (call $str_cached_ascii_char (local.get $s) (local.get $i)))
    (if (local.get $off) (then (return (local.get $off))))
    (if (i64.lt_s (local.get $i) (i64.const 0)) (then (return (i32.const 0))))
    (local.set $off (call $char_offset (local.get $s) (local.get $i)))
    (if (i32.ge_u (local.get $off) (i32.load offset=4 (local.get $s))) (then (return (i32.const 0))))
    (call $str_slice (local.get $s) (local.get $off) (call $char_skip (local.get $s) (local.get $off) (i64.const 1))))

;; ---------------------------------------------------------------- character codes
  ;; A local that only ever holds one character of a string keeps it as an i32 code
  ;; (compiler/charlocals.py): 0 void, 1 "", else the code point + 2.

  ;; The code of s, a string of at most one character, or 0 (void).
  (func $chr_code (param $s i32) (result i32)
    (if (i32.eqz (local.get $s)) (then (return (i32.const 0))))
    (if (i32.eqz (i32.load offset=4 (local.get $s))) (then (return (i32.const 1))))
    (i32.add (call $utf8_decode (i32.add (local.get $s) (i32.const 8))
                                (call $utf8_width (i32.load8_u offset=8 (local.get $s))))
             (i32.const 2)))

  ;; The same for an owned s, released.
  (func $chr_code_owned (param $s i32) (result i32)
    (local $c i32)
    (local.set $c (call $chr_code (local.get $s)))
    (if (local.get $s) (then (call $release (i32.const 5) (i64.extend_i32_u (local.get $s)))))
    (local.get $c))

  ;; The code of the value (tag, payload): a string of at most one character or void.
  (func $chr_code_value (param $t i32) (param $v i64) (result i32)
    (if (result i32) (i32.eq (local.get $t) (i32.const 5))
      (then (call $chr_code (i32.wrap_i64 (local.get $v))))
      (else (i32.const 0))))

  ;; s.substring(a, b) (b is a + 1) and s.get(i) as codes.
  (func $str_substring_code (param $s i32) (param $a i64) (param $b i64) (result i32)
    (call $chr_code_owned (call $str_substring_ii (local.get $s) (local.get $a) (local.get $b))))

  (func $str_get_code (param $s i32) (param $i i64) (result i32)
    (call $chr_code_owned (call $str_get_i (local.get $s) (local.get $i))))

  ;; The string of code c, owned (immortal for "" and ASCII characters); 0 for void.
  (func $chr_str (param $c i32) (result i32)
    (local $cp i32) (local $p i32)
    (if (i32.eqz (local.get $c)) (then (return (i32.const 0))))
    (if (i32.eq (local.get $c) (i32.const 1)) (then (return (global.get $strtab_empty))))
    (local.set $cp (i32.sub (local.get $c) (i32.const 2)))
    (if (i32.lt_u (local.get $cp) (i32.const 128)) (then (return (call $ascii_str (local.get $cp)))))
    (local.set $p (call $str_new (call $utf8_encode (i32.const 0) (local.get $cp))))
    (drop (call $utf8_encode (i32.add (local.get $p) (i32.const 8)) (local.get $cp)))
    (local.get $p))

  (func $m_String_find (param $self i64) (param $tt i32) (param $t i64) (result i32 i64)
    (if (i32.ne (local.get $tt) (i32.const 5))
      (then (call $raise_error (global.get $strtab_err_find)) (return (i32.const 0) (i64.const 0))))
    (i32.const 3)
    (i64.extend_i32_s (call $str_find (i32.wrap_i64 (local.get $self)) (i32.wrap_i64 (local.get $t))
                            (i32.const 0))))

  (func $m_String_replace (param $self i64) (param $ta i32) (param $a i64) (param $tb i32) (param $b i64)
                          (result i32 i64)
    (local $s i32) (local $pat i32) (local $rep i32) (local $lp i32) (local $lr i32) (local $ls i32)
    (local $count i32) (local $i i32) (local $at i32) (local $r i32) (local $dst i32) (local $w i32)
    (if (i32.or (i32.ne (local.get $ta) (i32.const 5)) (i32.ne (local.get $tb) (i32.const 5)))
      (then (call $raise_error (global.get $strtab_err_replace)) (return (i32.const 0) (i64.const 0))))
    (local.set $s (i32.wrap_i64 (local.get $self)))
    (local.set $pat (i32.wrap_i64 (local.get $a)))
    (local.set $rep (i32.wrap_i64 (local.get $b)))
    (local.set $ls (i32.load offset=4 (local.get $s)))
    (local.set $lp (i32.load offset=4 (local.get $pat)))
    (local.set $lr (i32.load offset=4 (local.get $rep)))
    (if (i32.eqz (local.get $lp))
      (then
        ;; empty pattern: rep before every character and at the end
        (local.set $count (i32.add (i32.wrap_i64 (call $char_count (local.get $s))) (i32.const 1)))
        (local.set $r (call $str_new (i32.add (local.get $ls) (i32.mul (local.get $count) (local.get $lr)))))
        (local.set $dst (i32.add (local.get $r) (i32.const 8)))
        (block $done
          (loop $each
            (call $mcopy (local.get $dst) (i32.add (local.get $rep) (i32.const 8)) (local.get $lr))
            (local.set $dst (i32.add (local.get $dst) (local.get $lr)))
            (br_if $done (i32.ge_u (local.get $i) (local.get $ls)))
            (local.set $w (i32.sub (call $char_skip (local.get $s) (local.get $i) (i64.const 1)) (local.get $i)))
            (call $mcopy (local.get $dst) (i32.add (i32.add (local.get $s) (i32.const 8)) (local.get $i))
                         (local.get $w))
            (local.set $dst (i32.add (local.get $dst) (local.get $w)))
            (local.set $i (i32.add (local.get $i) (local.get $w)))
            (br $each)))
        (return (i32.const 5) (i64.extend_i32_u (call $str_norm (local.get $r))))))
    ;; count the non-overlapping occurrences, then build
    (local.set $at (call $str_find (local.get $s) (local.get $pat) (i32.const 0)))
    (block $counted
      (loop $count_more
        (br_if $counted (i32.lt_s (local.get $at) (i32.const 0)))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (local.set $at (call $str_find (local.get $s) (local.get $pat) (i32.add (local.get $at) (local.get $lp))))
        (br $count_more)))
    (if (i32.eqz (local.get $count))
      (then (call $retain (i32.const 5) (local.get $self)) (return (i32.const 5) (local.get $self))))
    (local.set $r (call $str_new (i32.add (local.get $ls)
                                          (i32.mul (local.get $count) (i32.sub (local.get $lr) (local.get $lp))))))
    (local.set $dst (i32.add (local.get $r) (i32.const 8)))
    (block $built
      (loop $piece
        (local.set $at (call $str_find (local.get $s) (local.get $pat) (local.get $i)))
        (if (i32.lt_s (local.get $at) (i32.const 0)) (then (local.set $at (local.get $ls))))
        (call $mcopy (local.get $dst) (i32.add (i32.add (local.get $s) (i32.const 8)) (local.get $i))
                     (i32.sub (local.get $at) (local.get $i)))
        (local.set $dst (i32.add (local.get $dst) (i32.sub (local.get $at) (local.get $i))))
        (br_if $built (i32.ge_u (local.get $at) (local.get $ls)))
        (call $mcopy (local.get $dst) (i32.add (local.get $rep) (i32.const 8)) (local.get $lr))
        (local.set $dst (i32.add (local.get $dst) (local.get $lr)))
        (local.set $i (i32.add (local.get $at) (local.get $lp)))
        (br $piece)))
    (i32.const 5) (i64.extend_i32_u (call $str_norm (local.get $r))))

  ;; A freshly built string that may be empty becomes the immortal "" (frees the block).
  (func $str_norm (param $s i32) (result i32)
    (if (i32.load offset=4 (local.get $s)) (then (return (local.get $s))))
    (call $free (local.get $s))
    (global.get $strtab_empty))

  (func $char_count (param $s i32) (result i64)
    (local $i i32) (local $len i32) (local $n i64)
    (local.set $len (i32.load offset=4 (local.get $s)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.ne (i32.and (i32.load8_u offset=8 (i32.add (local.get $s) (local.get $i))) (i32.const 0xC0))
                    (i32.const 0x80))
          (then (local.set $n (i64.add (local.get $n) (i64.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (local.get $n))

  ;; Push an owned string onto an array (the array retains; we drop our reference).
  (func $arr_push_str (param $arr i32) (param $s i32)
    (call $arr_push_v (local.get $arr) (i32.const 5) (i64.extend_i32_u (local.get $s)))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $s))))

  (func $m_String_split (param $self i64) (param $tt i32) (param $t i64) (result i32 i64)
    (local $s i32) (local $sep i32) (local $arr i32) (local $ls i32) (local $lsep i32)
    (local $i i32) (local $at i32) (local $next i32)
    (if (i32.ne (local.get $tt) (i32.const 5))
      (then (call $raise_error (global.get $strtab_err_split)) (return (i32.const 0) (i64.const 0))))
    (local.set $s (i32.wrap_i64 (local.get $self)))
    (local.set $sep (i32.wrap_i64 (local.get $t)))
    (local.set $ls (i32.load offset=4 (local.get $s)))
    (local.set $lsep (i32.load offset=4 (local.get $sep)))
    (local.set $arr (call $arr_new))
    (if (i32.eqz (local.get $lsep))
      (then
        (call $arr_push_str (local.get $arr) (global.get $strtab_empty))
        (block $done
          (loop $each
            (br_if $done (i32.ge_u (local.get $i) (local.get $ls)))
            (local.set $next (call $char_skip (local.get $s) (local.get $i) (i64.const 1)))
            (call $arr_push_str (local.get $arr)
                  (call $str_from_bytes (i32.add (i32.add (local.get $s) (i32.const 8)) (local.get $i))
                        (i32.sub (local.get $next) (local.get $i))))
            (local.set $i (local.get $next))
            (br $each)))
        (call $arr_push_str (local.get $arr) (global.get $strtab_empty))
        (return (i32.const 6) (i64.extend_i32_u (local.get $arr)))))
    (block $done
      (loop $piece
        (local.set $at (call $str_find (local.get $s) (local.get $sep) (local.get $i)))
        (if (i32.lt_s (local.get $at) (i32.const 0))
          (then
            (call $arr_push_str (local.get $arr) (call $str_slice (local.get $s) (local.get $i) (local.get $ls)))
            (br $done)))
        (call $arr_push_str (local.get $arr) (call $str_slice (local.get $s) (local.get $i) (local.get $at)))
        (local.set $i (i32.add (local.get $at) (local.get $lsep)))
        (br $piece)))
    (i32.const 6) (i64.extend_i32_u (local.get $arr)))

  (func $m_String_trim (param $self i64) (result i32 i64)
    (local $s i32) (local $base i32) (local $from i32) (local $to i32) (local $w i32) (local $q i32)
    (local.set $s (i32.wrap_i64 (local.get $self)))
    (local.set $base (i32.add (local.get $s) (i32.const 8)))
    (local.set $to (i32.load offset=4 (local.get $s)))
    (block $front_done
      (loop $front
        (br_if $front_done (i32.ge_u (local.get $from) (local.get $to)))
        ;; an ASCII byte: space or not without decoding
        (if (i32.lt_u (local.tee $w (i32.load8_u (i32.add (local.get $base) (local.get $from)))) (i32.const 0x80))
          (then
            (br_if $front_done (i32.eqz (call $is_space (local.get $w))))
            (local.set $from (i32.add (local.get $from) (i32.const 1)))
            (br $front)))
        (local.set $w (call $utf8_width (i32.load8_u (i32.add (local.get $base) (local.get $from)))))
        (br_if $front_done (i32.gt_u (i32.add (local.get $from) (local.get $w)) (local.get $to)))
        (br_if $front_done (i32.eqz (call $is_space
                                      (call $utf8_decode (i32.add (local.get $base) (local.get $from)) (local.get $w)))))
        (local.set $from (i32.add (local.get $from) (local.get $w)))
        (br $front)))
    (block $back_done
      (loop $back
        (br_if $back_done (i32.le_u (local.get $to) (local.get $from)))
        ;; start of the last character
        (local.set $q (i32.sub (local.get $to) (i32.const 1)))
        (if (i32.lt_u (local.tee $w (i32.load8_u (i32.add (local.get $base) (local.get $q)))) (i32.const 0x80))
          (then
            (br_if $back_done (i32.eqz (call $is_space (local.get $w))))
            (local.set $to (local.get $q))
            (br $back)))
        (block $start
          (loop $cont
            (br_if $start (i32.le_u (local.get $q) (local.get $from)))
            (br_if $start (i32.ne (i32.and (i32.load8_u (i32.add (local.get $base) (local.get $q))) (i32.const 0xC0))
                                  (i32.const 0x80)))
            (local.set $q (i32.sub (local.get $q) (i32.const 1)))
            (br $cont)))
        (br_if $back_done (i32.eqz (call $is_space
                                     (call $utf8_decode (i32.add (local.get $base) (local.get $q))
                                           (i32.sub (local.get $to) (local.get $q))))))
        (local.set $to (local.get $q))
        (br $back)))
    (i32.const 5) (i64.extend_i32_u (call $str_slice (local.get $s) (local.get $from) (local.get $to))))

  (func $m_String_toUpper (param $self i64) (result i32 i64)
    (i32.const 5) (i64.extend_i32_u (call $case_convert (i32.wrap_i64 (local.get $self)) (i32.const 1))))

  (func $m_String_toLower (param $self i64) (result i32 i64)
    (i32.const 5) (i64.extend_i32_u (call $case_convert (i32.wrap_i64 (local.get $self)) (i32.const 0))))

  ;; The integer the trimmed string spells (optional '-' or '+', digits), else 0 (overflow too).
  (func $m_String_toInteger (param $self i64) (result i32 i64)
    (local $s i32) (local $i i32) (local $len i32) (local $neg i32) (local $acc i64) (local $d i64)
    (local $limit i64) (local $c i32)
    (local.set $s (i32.wrap_i64 (local.get $self)))
    (local.set $len (i32.load offset=4 (local.get $s)))
    ;; the trimmed bounds [i, len): ASCII ends that are not white space need no trim
    ;; (and no new string); anything else asks trim for them
    (if (i32.eqz (local.get $len)) (then (return (i32.const 3) (i64.const 0))))
    (local.set $c (i32.load8_u offset=8 (local.get $s)))
    (if (i32.or (i32.or (i32.ge_u (local.get $c) (i32.const 0x80)) (call $is_space (local.get $c)))
                (i32.or (i32.ge_u (local.tee $c (i32.load8_u offset=7 (i32.add (local.get $s) (local.get $len))))
                                  (i32.const 0x80))
                        (call $is_space (local.get $c))))
      (then
        (call $m_String_trim (local.get $self))
        (local.set $d)
        (drop)
        (call $m_String_toInteger_at (i32.wrap_i64 (local.get $d)))
        (local.set $acc)
        (local.set $c)
        (call $release (i32.const 5) (local.get $d))
        (return (local.get $c) (local.get $acc))))
    (call $m_String_toInteger_at (local.get $s)))

  ;; toInteger of an already trimmed string
  (func $m_String_toInteger_at (param $s i32) (result i32 i64)
    (local $i i32) (local $len i32) (local $neg i32) (local $acc i64) (local $d i64)
    (local $limit i64)
    (local.set $len (i32.load offset=4 (local.get $s)))
    (if (i32.gt_u (local.get $len) (i32.const 0))
      (then
        (if (i32.eq (i32.load8_u offset=8 (local.get $s)) (i32.const 45))
          (then (local.set $neg (i32.const 1)) (local.set $i (i32.const 1))))
        (if (i32.eq (i32.load8_u offset=8 (local.get $s)) (i32.const 43))
          (then (local.set $i (i32.const 1))))))
    (if (i32.ge_u (local.get $i) (local.get $len)) (then (return (i32.const 3) (i64.const 0))))
    (local.set $limit (select (i64.const 0x8000000000000000) (i64.const 0x7FFFFFFFFFFFFFFF) (local.get $neg)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $d (i64.extend_i32_u
                        (i32.sub (i32.load8_u offset=8 (i32.add (local.get $s) (local.get $i))) (i32.const 48))))
        (if (i64.gt_u (local.get $d) (i64.const 9)) (then (return (i32.const 3) (i64.const 0))))
        ;; acc * 10 + d cannot pass the limit while acc < 922337203685477580
        (if (i64.ge_u (local.get $acc) (i64.const 922337203685477580))
          (then
            (if (i64.gt_u (local.get $acc) (i64.div_u (i64.sub (local.get $limit) (local.get $d)) (i64.const 10)))
              (then (return (i32.const 3) (i64.const 0))))))
        (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 10)) (local.get $d)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.const 3)
    (select (i64.sub (i64.const 0) (local.get $acc)) (local.get $acc) (local.get $neg)))

  ;; ---------------------------------------------------------------- Integer / Bool methods
  (func $m_Integer_toString (param $self i64) (result i32 i64)
    (i32.const 5) (i64.extend_i32_u (call $str_from_i64 (local.get $self))))

  ;; Wrapping: abs(i64 min) is i64 min.
  (func $m_Integer_abs (param $self i64) (result i32 i64)
    (i32.const 3)
    (select (i64.sub (i64.const 0) (local.get $self)) (local.get $self)
            (i64.lt_s (local.get $self) (i64.const 0))))

  ;; max/min with an integer or a float: the chosen value keeps its kind (ties: self).
  (func $m_Integer_max (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (if (i32.eq (local.get $t) (i32.const 3))
      (then (return (i32.const 3) (select (local.get $v) (local.get $self)
                                          (i64.gt_s (local.get $v) (local.get $self))))))
    (if (i32.eq (local.get $t) (i32.const 4))
      (then
        (if (f64.gt (f64.reinterpret_i64 (local.get $v)) (f64.convert_i64_s (local.get $self)))
          (then (return (i32.const 4) (local.get $v))))
        (return (i32.const 3) (local.get $self))))
    (call $raise_error (global.get $strtab_err_max))
    (i32.const 0) (i64.const 0))

  (func $m_Integer_min (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (if (i32.eq (local.get $t) (i32.const 3))
      (then (return (i32.const 3) (select (local.get $v) (local.get $self)
                                          (i64.lt_s (local.get $v) (local.get $self))))))
    (if (i32.eq (local.get $t) (i32.const 4))
      (then
        (if (f64.lt (f64.reinterpret_i64 (local.get $v)) (f64.convert_i64_s (local.get $self)))
          (then (return (i32.const 4) (local.get $v))))
        (return (i32.const 3) (local.get $self))))
    (call $raise_error (global.get $strtab_err_min))
    (i32.const 0) (i64.const 0))

  ;; b^e as f64 for e taken as unsigned: exact integer arithmetic while it fits, else f64.
  (func $pow_u_f64 (param $b i64) (param $e i64) (result f64)
    (local $r i64) (local $fr f64) (local $fb f64) (local $exact i32)
    (local.set $r (i64.const 1))
    (local.set $exact (i32.const 1))
    (local.set $fr (f64.const 1))
    (local.set $fb (f64.convert_i64_s (local.get $b)))
    (block $done
      (loop $step
        (br_if $done (i64.eqz (local.get $e)))
        (if (i32.wrap_i64 (i64.and (local.get $e) (i64.const 1)))
          (then
            (if (i32.and (local.get $exact)
                         (f64.lt (f64.abs (f64.mul (f64.convert_i64_s (local.get $r)) (local.get $fb)))
                                 (f64.const 9.0e18)))
              (then (local.set $r (i64.mul (local.get $r) (local.get $b))))
              (else
                (if (local.get $exact)
                  (then (local.set $fr (f64.convert_i64_s (local.get $r))) (local.set $exact (i32.const 0))))
                (local.set $fr (f64.mul (local.get $fr) (local.get $fb)))))))
        (local.set $e (i64.shr_u (local.get $e) (i64.const 1)))
        (br_if $done (i64.eqz (local.get $e)))
        (if (f64.lt (f64.abs (f64.mul (local.get $fb) (local.get $fb))) (f64.const 9.0e18))
          (then (local.set $b (i64.mul (local.get $b) (local.get $b)))))
        (local.set $fb (f64.mul (local.get $fb) (local.get $fb)))
        (br $step)))
    (if (result f64) (local.get $exact)
      (then (f64.convert_i64_s (local.get $r)))
      (else (local.get $fr))))

  ;; Upstream: (n as f64).powf(e as f64), a FloatBox.  Exponents beyond 2^53 are even
  ;; once converted to f64, which decides the sign for a negative base.
  (func $m_Integer_pow (param $self i64) (param $t i32) (param $e i64) (result i32 i64)
    (local $mag i64) (local $r f64)
    (if (i32.ne (local.get $t) (i32.const 3))
      (then (call $raise_error (global.get $strtab_err_pow)) (return (i32.const 0) (i64.const 0))))
    (local.set $mag (select (i64.sub (i64.const 0) (local.get $e)) (local.get $e)
                            (i64.lt_s (local.get $e) (i64.const 0))))
    (if (i64.gt_u (local.get $mag) (i64.const 0x20000000000000))
      (then (local.set $mag (i64.and (local.get $mag) (i64.const -2)))))
    (local.set $r (call $pow_u_f64 (local.get $self) (local.get $mag)))
    (if (i64.lt_s (local.get $e) (i64.const 0))
      (then (local.set $r (f64.div (f64.const 1) (local.get $r)))))
    (i32.const 4) (i64.reinterpret_f64 (local.get $r)))

  (func $m_Integer_toFloat (param $self i64) (result i32 i64)
    (i32.const 4) (i64.reinterpret_f64 (f64.convert_i64_s (local.get $self))))

  (func $m_Bool_toString (param $self i64) (result i32 i64)
    (i32.const 5)
    (i64.extend_i32_u (select (global.get $strtab_true) (global.get $strtab_false)
                              (i32.wrap_i64 (local.get $self)))))
