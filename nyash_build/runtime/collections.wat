;; collections.wat — ArrayBox, MapBox and ConsoleBox (spec section 7).  Module fields
;; only, flat instruction syntax.  Functions borrow arguments and return owned
;; results; storing into a container retains (docs/design.md).  Private helpers are
;; prefixed $col_; the string builder $val_sb_* and $val_sign/$val_to_f64 come from
;; values.wat.  Immortal strings live at 0x2E000..0x2FFFF.

;; immortal strings 0x2E000..0x2E2B3 (rc=-1, len, bytes)
(global $CS_ok i32 (i32.const 0x2E000))  ;; "ok"
(global $CS_oob i32 (i32.const 0x2E010))  ;; "Error: index out of bounds"
(global $CS_key_nf i32 (i32.const 0x2E038))  ;; "Key not found: "
(global $CS_set_key i32 (i32.const 0x2E050))  ;; "Set key: "
(global $CS_del_key i32 (i32.const 0x2E068))  ;; "Deleted key: "
(global $CS_con_log i32 (i32.const 0x2E0B0))  ;; "[Console LOG] "
(global $CS_con_warn i32 (i32.const 0x2E0C8))  ;; "[Console WARN] "
(global $CS_con_error i32 (i32.const 0x2E0E0))  ;; "[Console ERROR] "
(global $CS_idx_int i32 (i32.const 0x2E0F8))  ;; "ArrayBox index must be an integer, got "
(global $CS_slice_int i32 (i32.const 0x2E128))  ;; "ArrayBox.slice arguments must be integers, got "
(global $CS_map_cleared i32 (i32.const 0x2E160))  ;; "Map cleared"
(global $CS_get_idx i32 (i32.const 0x2E180))  ;; "Error: get() requires integer index"
(global $CS_set_idx i32 (i32.const 0x2E1B0))  ;; "Error: set() requires integer index"
(global $CS_remove_idx i32 (i32.const 0x2E1E0))  ;; "Error: remove() requires integer index"
(global $CS_join_sep i32 (i32.const 0x2E210))  ;; "Error: join() requires string separator"
(global $CS_slice_start i32 (i32.const 0x2E240))  ;; "Error: slice() start index must be an integer"
(global $CS_slice_end i32 (i32.const 0x2E280))  ;; "Error: slice() end index must be an integer"
(data (i32.const 0x2E000) "\ff\ff\ff\ff\02\00\00\00ok")
(data (i32.const 0x2E010) "\ff\ff\ff\ff\1a\00\00\00Error: index out of bounds")
(data (i32.const 0x2E038) "\ff\ff\ff\ff\0f\00\00\00Key not found: ")
(data (i32.const 0x2E050) "\ff\ff\ff\ff\09\00\00\00Set key: ")
(data (i32.const 0x2E068) "\ff\ff\ff\ff\0d\00\00\00Deleted key: ")
(data (i32.const 0x2E0B0) "\ff\ff\ff\ff\0e\00\00\00[Console LOG] ")
(data (i32.const 0x2E0C8) "\ff\ff\ff\ff\0f\00\00\00[Console WARN] ")
(data (i32.const 0x2E0E0) "\ff\ff\ff\ff\10\00\00\00[Console ERROR] ")
(data (i32.const 0x2E0F8) "\ff\ff\ff\ff'\00\00\00ArrayBox index must be an integer, got ")
(data (i32.const 0x2E128) "\ff\ff\ff\ff/\00\00\00ArrayBox.slice arguments must be integers, got ")
(data (i32.const 0x2E160) "\ff\ff\ff\ff\0b\00\00\00Map cleared")
(data (i32.const 0x2E180) "\ff\ff\ff\ff\23\00\00\00Error: get() requires integer index")
(data (i32.const 0x2E1B0) "\ff\ff\ff\ff\23\00\00\00Error: set() requires integer index")
(data (i32.const 0x2E1E0) "\ff\ff\ff\ff\26\00\00\00Error: remove() requires integer index")
(data (i32.const 0x2E210) "\ff\ff\ff\ff\27\00\00\00Error: join() requires string separator")
(data (i32.const 0x2E240) "\ff\ff\ff\ff\2d\00\00\00Error: slice() start index must be an integer")
(data (i32.const 0x2E280) "\ff\ff\ff\ff\2b\00\00\00Error: slice() end index must be an integer")

;; =================================================================================
;; ArrayBox: +0 rc, +4 len, +8 cap, +12 buffer, +16 storage mode:
;;   0  = tagged: 16-byte slots (tag i32 @0, payload i64 @8);
;;   3 / 4 = every element is an integer / a float: 8-byte slots holding the payload
;;        (the mode is the elements' tag) -- half the memory, no tags to load or test;
;;   15 = empty and undecided (the first element stored decides).
;; Storing a value of another kind switches the array to tagged slots for good
;; ($col_untype); functions that move elements around untype first, readers use
;; $col_elem. A typed or undecided buffer may be larger than it needs to be.
;; =================================================================================

(func $arr_new (result i32)
  (local $a i32)
  (local.set $a (call $alloc (i32.const 20)))
  (i32.store (local.get $a) (i32.const 1))
  (i32.store offset=4 (local.get $a) (i32.const 0))
  (i32.store offset=8 (local.get $a) (i32.const 0))
  (i32.store offset=12 (local.get $a) (i32.const 0))
  (i32.store offset=16 (local.get $a) (i32.const 15))
  (local.get $a))

;; Ensure capacity for at least $need elements (doubling, minimum 4).
(func $col_arr_reserve (param $a i32) (param $need i32)
  (local $cap i32) (local $m i32)
  (if (i32.le_u (local.get $need) (local.tee $cap (i32.load offset=8 (local.get $a)))) (then (return)))
  (local.set $cap (i32.shl (local.get $cap) (i32.const 1)))
  (if (i32.lt_u (local.get $cap) (i32.const 4)) (then (local.set $cap (i32.const 4))))
  (if (i32.lt_u (local.get $cap) (local.get $need)) (then (local.set $cap (local.get $need))))
  (local.set $m (i32.load offset=16 (local.get $a)))
  ;; $realloc grows a large buffer at the heap top in place (the doubling pattern)
  (i32.store offset=12 (local.get $a)
    (call $realloc (i32.load offset=12 (local.get $a))
                   (i32.shl (local.get $cap)
                            (select (i32.const 3) (i32.const 4)
                                    (i32.or (i32.eq (local.get $m) (i32.const 3)) (i32.eq (local.get $m) (i32.const 4)))))))
  (i32.store offset=8 (local.get $a) (local.get $cap)))

;; Switch to tagged 16-byte slots (a no-op when already tagged).
(func $col_untype (param $a i32)
  (local $m i32) (local $buf i32) (local $i i32)
  (local.set $m (i32.load offset=16 (local.get $a)))
  (if (i32.eqz (local.get $m)) (then (return)))
  (i32.store offset=16 (local.get $a) (i32.const 0))
  (if (i32.or (i32.eq (local.get $m) (i32.const 15)) (i32.eqz (i32.load offset=8 (local.get $a))))
    (then (return)))  ;; an undecided buffer already has 16-byte slots
  (local.set $buf (call $realloc (i32.load offset=12 (local.get $a))
                                 (i32.shl (i32.load offset=8 (local.get $a)) (i32.const 4))))
  (i32.store offset=12 (local.get $a) (local.get $buf))
  ;; widen from the end: slot i (bytes 16i..) never overlaps payloads j < i (8j..)
  (local.set $i (i32.load offset=4 (local.get $a)))
  (block $done
    (loop $each
      (br_if $done (i32.eqz (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i64.store offset=8 (i32.add (local.get $buf) (i32.shl (local.get $i) (i32.const 4)))
                 (i64.load (i32.add (local.get $buf) (i32.shl (local.get $i) (i32.const 3)))))
      (i32.store (i32.add (local.get $buf) (i32.shl (local.get $i) (i32.const 4))) (local.get $m))
      (br $each))))

;; Make room for a value of tag $vt; the storage mode after that (0 = tagged slots).
(func $col_accept (param $a i32) (param $vt i32) (result i32)
  (local $m i32)
  (local.set $m (i32.load offset=16 (local.get $a)))
  (if (i32.eq (local.get $m) (local.get $vt)) (then (return (local.get $m))))
  (if (i32.eqz (local.get $m)) (then (return (i32.const 0))))
  (if (i32.eq (local.get $m) (i32.const 15))
    (then
      (local.set $m (select (local.get $vt) (i32.const 0)
                            (i32.or (i32.eq (local.get $vt) (i32.const 3)) (i32.eq (local.get $vt) (i32.const 4)))))
      (i32.store offset=16 (local.get $a) (local.get $m))
      (return (local.get $m))))
  (call $col_untype (local.get $a))
  (i32.const 0))

;; Address of slot i (no bounds check; tagged arrays only).
(func $col_slot (param $a i32) (param $i i32) (result i32)
  (i32.add (i32.load offset=12 (local.get $a)) (i32.shl (local.get $i) (i32.const 4))))

;; Element i (in range), borrowed, in any storage mode.
(func $col_elem (param $a i32) (param $i i32) (result i32 i64)
  (local $m i32) (local $s i32)
  (local.set $m (i32.load offset=16 (local.get $a)))
  (if (local.get $m)
    (then (return (local.get $m)
                  (i64.load (i32.add (i32.load offset=12 (local.get $a)) (i32.shl (local.get $i) (i32.const 3)))))))
  (local.set $s (call $col_slot (local.get $a) (local.get $i)))
  (i32.load (local.get $s))
  (i64.load offset=8 (local.get $s)))

(func $arr_len (param $a i32) (result i64)
  (i64.load32_u offset=4 (local.get $a)))

;; Element i, retained; out of range (including negative) gives null.
(func $arr_get_i (param $a i32) (param $i i64) (result i32 i64)
  (local $t i32) (local $p i64)
  (if (i64.ge_u (local.get $i) (i64.load32_u offset=4 (local.get $a)))
    (then (return (i32.const 1) (i64.const 0))))
  (call $col_elem (local.get $a) (i32.wrap_i64 (local.get $i)))
  (local.set $p)
  (local.set $t)
  (call $retain (local.get $t) (local.get $p))
  (local.get $t)
  (local.get $p))

;; Replace element i (retaining v, releasing the old one); returns "ok" or the string
;; "Error: index out of bounds" (spec quirk 10).
(func $arr_set_i (param $a i32) (param $i i64) (param $vt i32) (param $vp i64) (result i32 i64)
  (local $s i32) (local $ot i32) (local $op i64)
  (if (i64.ge_u (local.get $i) (i64.load32_u offset=4 (local.get $a)))
    (then (return (i32.const 5) (i64.extend_i32_u (global.get $CS_oob)))))
  (if (call $col_accept (local.get $a) (local.get $vt))
    (then
      (i64.store (i32.add (i32.load offset=12 (local.get $a)) (i32.shl (i32.wrap_i64 (local.get $i)) (i32.const 3)))
                 (local.get $vp))
      (return (i32.const 5) (i64.extend_i32_u (global.get $CS_ok)))))
  (call $retain (local.get $vt) (local.get $vp))
  (local.set $s (call $col_slot (local.get $a) (i32.wrap_i64 (local.get $i))))
  (local.set $ot (i32.load (local.get $s)))
  (local.set $op (i64.load offset=8 (local.get $s)))
  (i32.store (local.get $s) (local.get $vt))
  (i64.store offset=8 (local.get $s) (local.get $vp))
  (call $release (local.get $ot) (local.get $op))
  (i32.const 5)
  (i64.extend_i32_u (global.get $CS_ok)))

(func $arr_push_v (param $a i32) (param $vt i32) (param $vp i64)
  (call $retain (local.get $vt) (local.get $vp))
  (call $col_push_owned (local.get $a) (local.get $vt) (local.get $vp)))

;; Release every element and free the buffer; the array becomes empty (cap 0).
;; The array is emptied before releasing so a re-entrant look at it sees a valid state.
(func $col_arr_empty (param $a i32)
  (local $buf i32) (local $n i32) (local $i i32) (local $s i32)
  local.get $a
  i32.load offset=12
  local.set $buf
  local.get $a
  i32.load offset=4
  local.set $n
  ;; integers and floats own nothing: no element to release
  local.get $a
  i32.load offset=16
  if
    i32.const 0
    local.set $n
  end
  local.get $a
  i32.const 15
  i32.store offset=16
  local.get $a
  i32.const 0
  i32.store offset=4
  local.get $a
  i32.const 0
  i32.store offset=8
  local.get $a
  i32.const 0
  i32.store offset=12
  block $end
    loop $each
      local.get $i
      local.get $n
      i32.ge_u
      br_if $end
      local.get $buf
      local.get $i
      i32.const 4
      i32.shl
      i32.add
      local.tee $s
      i32.load
      local.get $s
      i64.load offset=8
      call $release
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      br $each
    end
  end
  local.get $buf
  if
    local.get $buf
    call $free
  end)

;; Called by $release when the reference count reaches zero.
(func $arr_drop (param $a i32)
  local.get $a
  call $col_arr_empty
  local.get $a
  call $free)

;; Raise "<prefix><kind of v>" (for bad argument kinds).
(func $col_kind_error (param $prefix i32) (param $t i32) (param $p i64)
  (local $sb i32) (local $s i32)
  call $val_sb_new
  local.tee $sb
  local.get $prefix
  call $val_sb_add_str
  local.get $sb
  local.get $t
  local.get $p
  call $kind_name
  call $val_sb_add_str
  local.get $sb
  call $val_sb_finish
  local.tee $s
  call $raise_error
  i32.const 5
  local.get $s
  i64.extend_i32_u
  call $release)

;; ---- ArrayBox methods: $m_Array_<name> (self i64, args v...) -> v --------------

(func $m_Array_push (param $self i64) (param $vt i32) (param $vp i64) (result i32 i64)
  local.get $self
  i32.wrap_i64
  local.get $vt
  local.get $vp
  call $arr_push_v
  i32.const 5
  global.get $CS_ok
  i64.extend_i32_u)

(func $m_Array_pop (param $self i64) (result i32 i64)
  (local $a i32) (local $n i32) (local $s i32)
  local.get $self
  i32.wrap_i64
  local.tee $a
  i32.load offset=4
  local.tee $n
  i32.eqz
  if
    i32.const 1
    i64.const 0
    return
  end
  local.get $a
  local.get $n
  i32.const 1
  i32.sub
  local.tee $n
  i32.store offset=4
  ;; ownership moves from the array to the caller
  local.get $a
  local.get $n
  call $col_elem)

(func $m_Array_get (param $self i64) (param $it i32) (param $ip i64) (result i32 i64)
  local.get $it
  i32.const 3
  i32.ne
  if
    ;; upstream answers a non-integer index with a string (spec row 10's kind)
    i32.const 5
    global.get $CS_get_idx
    i64.extend_i32_u
    return
  end
  local.get $self
  i32.wrap_i64
  local.get $ip
  call $arr_get_i)

(func $m_Array_set (param $self i64) (param $it i32) (param $ip i64) (param $vt i32) (param $vp i64) (result i32 i64)
  local.get $it
  i32.const 3
  i32.ne
  if
    ;; upstream answers a non-integer index with a string (spec row 10's kind)
    i32.const 5
    global.get $CS_set_idx
    i64.extend_i32_u
    return
  end
  local.get $self
  i32.wrap_i64
  local.get $ip
  local.get $vt
  local.get $vp
  call $arr_set_i)

(func $m_Array_length (param $self i64) (result i32 i64)
  i32.const 3
  local.get $self
  i32.wrap_i64
  i64.load32_u offset=4)

;; remove(i): removes and returns element i; out of range gives null.
(func $m_Array_remove (param $self i64) (param $it i32) (param $ip i64) (result i32 i64)
  (local $a i32) (local $i i32) (local $s i32) (local $rt i32) (local $rp i64) (local $n i32)
  local.get $it
  i32.const 3
  i32.ne
  if
    ;; upstream answers a non-integer index with a string (spec row 10's kind)
    i32.const 5
    global.get $CS_remove_idx
    i64.extend_i32_u
    return
  end
  local.get $self
  i32.wrap_i64
  local.set $a
  local.get $ip
  local.get $a
  i64.load32_u offset=4
  i64.ge_u
  if
    i32.const 1
    i64.const 0
    return
  end
  ;; integer / float storage: shift the 8-byte payloads, the array stays typed
  (if (i32.or (i32.eq (i32.load offset=16 (local.get $a)) (i32.const 3))
              (i32.eq (i32.load offset=16 (local.get $a)) (i32.const 4)))
    (then
      (local.set $i (i32.wrap_i64 (local.get $ip)))
      (local.set $n (i32.sub (i32.load offset=4 (local.get $a)) (i32.const 1)))
      (local.set $s (i32.add (i32.load offset=12 (local.get $a)) (i32.shl (local.get $i) (i32.const 3))))
      (local.set $rp (i64.load (local.get $s)))
      (memory.copy (local.get $s) (i32.add (local.get $s) (i32.const 8))
                   (i32.shl (i32.sub (local.get $n) (local.get $i)) (i32.const 3)))
      (i32.store offset=4 (local.get $a) (local.get $n))
      (return (i32.load offset=16 (local.get $a)) (local.get $rp))))
  local.get $a
  call $col_untype
  local.get $ip
  i32.wrap_i64
  local.set $i
  local.get $a
  local.get $i
  call $col_slot
  local.tee $s
  i32.load
  local.set $rt
  local.get $s
  i64.load offset=8
  local.set $rp
  local.get $a
  i32.load offset=4
  i32.const 1
  i32.sub
  local.set $n
  local.get $s
  local.get $s
  i32.const 16
  i32.add
  local.get $n
  local.get $i
  i32.sub
  i32.const 4
  i32.shl
  memory.copy
  local.get $a
  local.get $n
  i32.store offset=4
  local.get $rt
  local.get $rp)

;; First index whose element == v (spec equality), or -1.
(func $col_index_of (param $a i32) (param $vt i32) (param $vp i64) (result i32)
  (local $i i32) (local $s i32) (local $n i32) (local $buf i32)
  ;; an integer sought in integer storage, a float in float storage: compare payloads
  ;; (== on two integers is i64 equality, on two floats f64 equality: NaN never matches)
  (if (i32.and (i32.eq (i32.load offset=16 (local.get $a)) (local.get $vt))
               (i32.or (i32.eq (local.get $vt) (i32.const 3)) (i32.eq (local.get $vt) (i32.const 4))))
    (then
      (local.set $n (i32.load offset=4 (local.get $a)))
      (local.set $buf (i32.load offset=12 (local.get $a)))
      (if (i32.eq (local.get $vt) (i32.const 3))
        (then
          (block $i_end
            (loop $i_each
              (br_if $i_end (i32.ge_u (local.get $i) (local.get $n)))
              (if (i64.eq (i64.load (i32.add (local.get $buf) (i32.shl (local.get $i) (i32.const 3))))
                          (local.get $vp))
                (then (return (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $i_each))))
        (else
          (block $f_end
            (loop $f_each
              (br_if $f_end (i32.ge_u (local.get $i) (local.get $n)))
              (if (f64.eq (f64.load (i32.add (local.get $buf) (i32.shl (local.get $i) (i32.const 3))))
                          (f64.reinterpret_i64 (local.get $vp)))
                (then (return (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $f_each)))))
      (return (i32.const -1))))
  block $end
    loop $each
      local.get $i
      local.get $a
      i32.load offset=4
      i32.ge_u
      br_if $end
      local.get $a
      local.get $i
      call $col_elem
      local.get $vt
      local.get $vp
      call $op_eq
      if
        local.get $i
        return
      end
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      br $each
    end
  end
  i32.const -1)

(func $m_Array_indexOf (param $self i64) (param $vt i32) (param $vp i64) (result i32 i64)
  i32.const 3
  local.get $self
  i32.wrap_i64
  local.get $vt
  local.get $vp
  call $col_index_of
  i64.extend_i32_s)

(func $m_Array_contains (param $self i64) (param $vt i32) (param $vp i64) (result i32 i64)
  i32.const 2
  local.get $self
  i32.wrap_i64
  local.get $vt
  local.get $vp
  call $col_index_of
  i32.const 0
  i32.ge_s
  i64.extend_i32_u)

(func $col_arr_clear (param $self i64) (result i32 i64)
  local.get $self
  i32.wrap_i64
  call $col_arr_empty
  i32.const 0
  i64.const 0)

(func $m_Array_isEmpty (param $self i64) (result i32 i64)
  i32.const 2
  local.get $self
  i32.wrap_i64
  i32.load offset=4
  i32.eqz
  i64.extend_i32_u)

;; join(sep): string forms of the elements separated by the string form of sep.
(func $m_Array_join (param $self i64) (param $st i32) (param $sp i64) (result i32 i64)
  (local $a i32) (local $sep i32) (local $sb i32) (local $i i32) (local $s i32)
  ;; upstream: a separator that is not a string answers with a string
  local.get $st
  i32.const 5
  i32.ne
  if
    i32.const 5
    global.get $CS_join_sep
    i64.extend_i32_u
    return
  end
  local.get $self
  i32.wrap_i64
  local.set $a
  local.get $st
  local.get $sp
  call $to_string
  local.set $sep
  call $val_sb_new
  local.set $sb
  block $end
    loop $each
      local.get $i
      local.get $a
      i32.load offset=4
      i32.ge_u
      br_if $end
      local.get $i
      if
        local.get $sb
        local.get $sep
        call $val_sb_add_str
      end
      local.get $sb
      local.get $a
      local.get $i
      call $col_elem
      i32.const 0
      call $val_sb_add_value
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      br $each
    end
  end
  i32.const 5
  local.get $sep
  i64.extend_i32_u
  call $release
  i32.const 5
  local.get $sb
  call $val_sb_finish
  i64.extend_i32_u)

(func $m_Array_toString (param $self i64) (result i32 i64)
  i32.const 5
  i32.const 6
  local.get $self
  call $to_string
  i64.extend_i32_u)

(func $col_arr_reverse (param $self i64) (result i32 i64)
  (local $a i32) (local $lo i32) (local $hi i32) (local $x i64) (local $y i64)
  ;; integer / float storage: swap the 8-byte payloads, the array stays typed
  (local.set $a (i32.wrap_i64 (local.get $self)))
  (if (i32.and (i32.or (i32.eq (i32.load offset=16 (local.get $a)) (i32.const 3))
                       (i32.eq (i32.load offset=16 (local.get $a)) (i32.const 4)))
               (i32.gt_u (i32.load offset=4 (local.get $a)) (i32.const 1)))
    (then
      (local.set $lo (i32.load offset=12 (local.get $a)))
      (local.set $hi (i32.add (local.get $lo)
                              (i32.shl (i32.sub (i32.load offset=4 (local.get $a)) (i32.const 1)) (i32.const 3))))
      (block $t_end
        (loop $t_swap
          (br_if $t_end (i32.ge_u (local.get $lo) (local.get $hi)))
          (local.set $x (i64.load (local.get $lo)))
          (i64.store (local.get $lo) (i64.load (local.get $hi)))
          (i64.store (local.get $hi) (local.get $x))
          (local.set $lo (i32.add (local.get $lo) (i32.const 8)))
          (local.set $hi (i32.sub (local.get $hi) (i32.const 8)))
          (br $t_swap)))
      (return (i32.const 0) (i64.const 0))))
  local.get $self
  i32.wrap_i64
  call $col_untype
  local.get $self
  i32.wrap_i64
  local.tee $a
  i32.load offset=4
  i32.eqz
  if
    i32.const 0
    i64.const 0
    return
  end
  local.get $a
  i32.const 0
  call $col_slot
  local.set $lo
  local.get $a
  local.get $a
  i32.load offset=4
  i32.const 1
  i32.sub
  call $col_slot
  local.set $hi
  block $end
    loop $swap
      local.get $lo
      local.get $hi
      i32.ge_u
      br_if $end
      local.get $lo
      i64.load
      local.set $x
      local.get $lo
      i64.load offset=8
      local.set $y
      local.get $lo
      local.get $hi
      i64.load
      i64.store
      local.get $lo
      local.get $hi
      i64.load offset=8
      i64.store offset=8
      local.get $hi
      local.get $x
      i64.store
      local.get $hi
      local.get $y
      i64.store offset=8
      local.get $lo
      i32.const 16
      i32.add
      local.set $lo
      local.get $hi
      i32.const 16
      i32.sub
      local.set $hi
      br $swap
    end
  end
  i32.const 0
  i64.const 0)

;; slice(a, b): new ArrayBox with elements a..b-1.  Decision: a negative start counts
;; as 0, b is clamped to the length, and a >= b gives an empty array (no Python-style
;; negative indexing).
(func $m_Array_slice (param $self i64) (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32 i64)
  (local $a i32) (local $r i32) (local $i i64) (local $len i64)
  local.get $at
  i32.const 3
  i32.ne
  if
    ;; upstream answers with a string
    i32.const 5
    global.get $CS_slice_start
    i64.extend_i32_u
    return
  end
  local.get $bt
  i32.const 3
  i32.ne
  if
    ;; upstream answers with a string
    i32.const 5
    global.get $CS_slice_end
    i64.extend_i32_u
    return
  end
  local.get $self
  i32.wrap_i64
  local.tee $a
  i64.load32_u offset=4
  local.set $len
  local.get $ap
  i64.const 0
  i64.lt_s
  if
    i64.const 0
    local.set $ap
  end
  ;; upstream: a negative end means "to the end"
  local.get $bp
  i64.const 0
  i64.lt_s
  if
    local.get $len
    local.set $bp
  end
  local.get $bp
  local.get $len
  i64.gt_s
  if
    local.get $len
    local.set $bp
  end
  call $arr_new
  local.set $r
  local.get $ap
  local.get $bp
  i64.lt_s
  if
    local.get $r
    local.get $bp
    local.get $ap
    i64.sub
    i32.wrap_i64
    call $col_arr_reserve
  end
  local.get $ap
  local.set $i
  block $end
    loop $each
      local.get $i
      local.get $bp
      i64.ge_s
      br_if $end
      local.get $r
      local.get $a
      local.get $i
      call $arr_get_i
      call $col_push_owned
      local.get $i
      i64.const 1
      i64.add
      local.set $i
      br $each
    end
  end
  i32.const 6
  local.get $r
  i64.extend_i32_u)

;; Append an owned value (the array takes the caller's reference).
(func $col_push_owned (param $a i32) (param $vt i32) (param $vp i64)
  (local $n i32) (local $m i32) (local $s i32)
  (local.set $m (call $col_accept (local.get $a) (local.get $vt)))
  (local.set $n (i32.load offset=4 (local.get $a)))
  (if (i32.ge_u (local.get $n) (i32.load offset=8 (local.get $a)))
    (then (call $col_arr_reserve (local.get $a) (i32.add (local.get $n) (i32.const 1)))))
  (if (local.get $m)
    (then
      (i64.store (i32.add (i32.load offset=12 (local.get $a)) (i32.shl (local.get $n) (i32.const 3)))
                 (local.get $vp)))
    (else
      (local.set $s (call $col_slot (local.get $a) (local.get $n)))
      (i32.store (local.get $s) (local.get $vt))
      (i64.store offset=8 (local.get $s) (local.get $vp))))
  (i32.store offset=4 (local.get $a) (i32.add (local.get $n) (i32.const 1))))

;; ---- sort ----------------------------------------------------------------------

;; Sort order of two slots: -1, 0, 1, as upstream's ArrayBox.sort compares: two
;; numbers numerically (ints exactly, int/float mixes as floats; NaN compares equal),
;; any other pair by their string forms, byte-wise.  So numbers and strings interleave
;; by text ("10" < 9, "" and " z" before -3) and bools/null/void/arrays sort by their
;; printed forms too (the spec's example [banana, 2, apple, 1] -> [1, 2, apple, banana]
;; follows from it).  $val_cmp is exactly that, with 2 (unordered) for NaN.
(func $col_sort_cmp (param $x i32) (param $y i32) (result i32)
  (local $c i32)
  ;; two strings or two integers: compared directly ($val_cmp's first cases)
  (if (i32.and (i32.eq (i32.load (local.get $x)) (i32.const 5)) (i32.eq (i32.load (local.get $y)) (i32.const 5)))
    (then (return (call $str_cmp (i32.load offset=8 (local.get $x)) (i32.load offset=8 (local.get $y))))))
  (if (i32.and (i32.eq (i32.load (local.get $x)) (i32.const 3)) (i32.eq (i32.load (local.get $y)) (i32.const 3)))
    (then (return (i32.sub (i64.gt_s (i64.load offset=8 (local.get $x)) (i64.load offset=8 (local.get $y)))
                           (i64.lt_s (i64.load offset=8 (local.get $x)) (i64.load offset=8 (local.get $y)))))))
  local.get $x
  i32.load
  local.get $x
  i64.load offset=8
  local.get $y
  i32.load
  local.get $y
  i64.load offset=8
  call $val_cmp
  local.tee $c
  i32.const 0
  local.get $c
  i32.const 2
  i32.ne
  select)

;; Insertion sort of n slots at buf, element by element shifted left past every larger
;; predecessor: Rust's stable sort does exactly this for up to 20 elements, so short
;; arrays come out as upstream's even when the comparison is not a total order (a NaN,
;; or 2 < 10 < "1x" < 2 by the mixed rule above).
(func $col_insertion_sort (param $buf i32) (param $n i32)
  (local $i i32) (local $j i32) (local $t i32) (local $p i64) (local $prev i32)
  i32.const 1
  local.set $i
  block $done
    loop $outer
      local.get $i
      local.get $n
      i32.ge_u
      br_if $done
      local.get $buf
      local.get $i
      i32.const 4
      i32.shl
      i32.add
      local.tee $prev
      i32.load
      local.set $t
      local.get $prev
      i64.load offset=8
      local.set $p
      local.get $i
      local.set $j
      block $placed
        loop $shift
          local.get $j
          i32.eqz
          br_if $placed
          local.get $t
          local.get $p
          local.get $buf
          local.get $j
          i32.const 1
          i32.sub
          i32.const 4
          i32.shl
          i32.add
          local.tee $prev
          i32.load
          local.get $prev
          i64.load offset=8
          call $val_cmp
          i32.const -1
          i32.ne
          br_if $placed
          local.get $buf
          local.get $j
          i32.const 4
          i32.shl
          i32.add
          local.get $prev
          call $col_copy_slot
          local.get $j
          i32.const 1
          i32.sub
          local.set $j
          br $shift
        end
      end
      local.get $buf
      local.get $j
      i32.const 4
      i32.shl
      i32.add
      local.tee $prev
      local.get $t
      i32.store
      local.get $prev
      local.get $p
      i64.store offset=8
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      br $outer
    end
  end)

;; Copy one 16-byte slot.
(func $col_copy_slot (param $dst i32) (param $src i32)
  local.get $dst
  local.get $src
  i64.load
  i64.store
  local.get $dst
  local.get $src
  i64.load offset=8
  i64.store offset=8)

;; Merge sorted runs src[lo..mid) and src[mid..hi) into dst[lo..hi) (slot indices).
(func $col_merge (param $src i32) (param $dst i32) (param $lo i32) (param $mid i32) (param $hi i32)
  (local $i i32) (local $j i32) (local $k i32)
  local.get $lo
  local.tee $i
  local.set $k
  local.get $mid
  local.set $j
  block $end
    loop $each
      local.get $k
      local.get $hi
      i32.ge_u
      br_if $end
      ;; take from the left run when the right is exhausted or left <= right (stable)
      local.get $j
      local.get $hi
      i32.ge_u
      if (result i32)
        i32.const 1
      else
        local.get $i
        local.get $mid
        i32.lt_u
        if (result i32)
          local.get $src
          local.get $i
          i32.const 4
          i32.shl
          i32.add
          local.get $src
          local.get $j
          i32.const 4
          i32.shl
          i32.add
          call $col_sort_cmp
          i32.const 0
          i32.le_s
        else
          i32.const 0
        end
      end
      if
        local.get $dst
        local.get $k
        i32.const 4
        i32.shl
        i32.add
        local.get $src
        local.get $i
        i32.const 4
        i32.shl
        i32.add
        call $col_copy_slot
        local.get $i
        i32.const 1
        i32.add
        local.set $i
      else
        local.get $dst
        local.get $k
        i32.const 4
        i32.shl
        i32.add
        local.get $src
        local.get $j
        i32.const 4
        i32.shl
        i32.add
        call $col_copy_slot
        local.get $j
        i32.const 1
        i32.add
        local.set $j
      end
      local.get $k
      i32.const 1
      i32.add
      local.set $k
      br $each
    end
  end)

;; sort(): insertion sort up to 20 elements (as upstream, above), else a stable
;; bottom-up merge sort, O(n log n), with one temporary buffer.
;; Ascending sort of n i64 at buf: insertion sort of runs of 16, then bottom-up merges
;; through a scratch buffer.
(func $col_sort_i64 (param $buf i32) (param $n i32)
  (local $lo i32) (local $end i32) (local $i i32) (local $j i32) (local $v i64)
  (local $w i32) (local $mid i32) (local $hi i32) (local $src i32) (local $dst i32) (local $tmp i32)
  (local $p i32) (local $q i32) (local $k i32) (local $x i64) (local $y i64)
  (block $runs_end
    (loop $runs
      (br_if $runs_end (i32.ge_u (local.get $lo) (local.get $n)))
      (local.set $end (i32.add (local.get $lo) (i32.const 16)))
      (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
      (local.set $i (i32.add (local.get $lo) (i32.const 1)))
      (block $ins_end
        (loop $ins
          (br_if $ins_end (i32.ge_u (local.get $i) (local.get $end)))
          (local.set $v (i64.load (i32.add (local.get $buf) (i32.shl (local.get $i) (i32.const 3)))))
          (local.set $j (local.get $i))
          (block $shift_end
            (loop $shift
              (br_if $shift_end (i32.le_u (local.get $j) (local.get $lo)))
              (local.set $x (i64.load (i32.add (local.get $buf) (i32.shl (i32.sub (local.get $j) (i32.const 1)) (i32.const 3)))))
              (br_if $shift_end (i64.le_s (local.get $x) (local.get $v)))
              (i64.store (i32.add (local.get $buf) (i32.shl (local.get $j) (i32.const 3))) (local.get $x))
              (local.set $j (i32.sub (local.get $j) (i32.const 1)))
              (br $shift)))
          (i64.store (i32.add (local.get $buf) (i32.shl (local.get $j) (i32.const 3))) (local.get $v))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $ins)))
      (local.set $lo (local.get $end))
      (br $runs)))
  (if (i32.le_u (local.get $n) (i32.const 16)) (then (return)))
  (local.set $tmp (call $alloc (i32.shl (local.get $n) (i32.const 3))))
  (local.set $src (local.get $buf))
  (local.set $dst (local.get $tmp))
  (local.set $w (i32.const 16))
  (block $passes_end
    (loop $passes
      (br_if $passes_end (i32.ge_u (local.get $w) (local.get $n)))
      (local.set $lo (i32.const 0))
      (block $m_end
        (loop $m_each
          (br_if $m_end (i32.ge_u (local.get $lo) (local.get $n)))
          (local.set $mid (i32.add (local.get $lo) (local.get $w)))
          (if (i32.gt_u (local.get $mid) (local.get $n)) (then (local.set $mid (local.get $n))))
          (local.set $hi (i32.add (local.get $mid) (local.get $w)))
          (if (i32.gt_u (local.get $hi) (local.get $n)) (then (local.set $hi (local.get $n))))
          (local.set $p (local.get $lo))
          (local.set $q (local.get $mid))
          (local.set $k (local.get $lo))
          (block $mg_end
            (loop $mg
              (if (i32.ge_u (local.get $p) (local.get $mid))
                (then
                  (memory.copy (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 3)))
                               (i32.add (local.get $src) (i32.shl (local.get $q) (i32.const 3)))
                               (i32.shl (i32.sub (local.get $hi) (local.get $q)) (i32.const 3)))
                  (br $mg_end)))
              (if (i32.ge_u (local.get $q) (local.get $hi))
                (then
                  (memory.copy (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 3)))
                               (i32.add (local.get $src) (i32.shl (local.get $p) (i32.const 3)))
                               (i32.shl (i32.sub (local.get $mid) (local.get $p)) (i32.const 3)))
                  (br $mg_end)))
              (local.set $x (i64.load (i32.add (local.get $src) (i32.shl (local.get $p) (i32.const 3)))))
              (local.set $y (i64.load (i32.add (local.get $src) (i32.shl (local.get $q) (i32.const 3)))))
              (if (i64.le_s (local.get $x) (local.get $y))
                (then
                  (i64.store (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 3))) (local.get $x))
                  (local.set $p (i32.add (local.get $p) (i32.const 1))))
                (else
                  (i64.store (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 3))) (local.get $y))
                  (local.set $q (i32.add (local.get $q) (i32.const 1)))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $mg)))
          (local.set $lo (local.get $hi))
          (br $m_each)))
      (local.set $k (local.get $src))
      (local.set $src (local.get $dst))
      (local.set $dst (local.get $k))
      (local.set $w (i32.shl (local.get $w) (i32.const 1)))
      (br $passes)))
  (if (i32.ne (local.get $src) (local.get $buf))
    (then (memory.copy (local.get $buf) (local.get $src) (i32.shl (local.get $n) (i32.const 3)))))
  (call $free (local.get $tmp)))

(func $col_arr_sort (param $self i64) (result i32 i64)
  (local $a i32) (local $n i32) (local $buf i32) (local $tmp i32) (local $src i32) (local $dst i32)
  (local $w i32) (local $lo i32) (local $mid i32) (local $hi i32) (local $x i32)
  ;; integer storage: equal integers are indistinguishable, so any ascending sort of the
  ;; payloads is the stable sort's result; the array stays typed
  (if (i32.and (i32.eq (i32.load offset=16 (i32.wrap_i64 (local.get $self))) (i32.const 3))
               (i32.ge_u (i32.load offset=4 (i32.wrap_i64 (local.get $self))) (i32.const 2)))
    (then
      (call $col_sort_i64 (i32.load offset=12 (i32.wrap_i64 (local.get $self)))
                          (i32.load offset=4 (i32.wrap_i64 (local.get $self))))
      (return (i32.const 0) (i64.const 0))))
  local.get $self
  i32.wrap_i64
  call $col_untype
  local.get $self
  i32.wrap_i64
  local.tee $a
  i32.load offset=4
  local.tee $n
  i32.const 2
  i32.lt_u
  if
    i32.const 0
    i64.const 0
    return
  end
  local.get $n
  i32.const 20
  i32.le_u
  if
    local.get $a
    i32.load offset=12
    local.get $n
    call $col_insertion_sort
    i32.const 0
    i64.const 0
    return
  end
  local.get $a
  i32.load offset=12
  local.tee $buf
  local.set $src
  local.get $n
  i32.const 4
  i32.shl
  call $alloc
  local.tee $tmp
  local.set $dst
  i32.const 1
  local.set $w
  block $passes_end
    loop $passes
      local.get $w
      local.get $n
      i32.ge_u
      br_if $passes_end
      i32.const 0
      local.set $lo
      block $runs_end
        loop $runs
          local.get $lo
          local.get $n
          i32.ge_u
          br_if $runs_end
          local.get $lo
          local.get $w
          i32.add
          local.tee $mid
          local.get $n
          i32.gt_u
          if
            local.get $n
            local.set $mid
          end
          local.get $mid
          local.get $w
          i32.add
          local.tee $hi
          local.get $n
          i32.gt_u
          if
            local.get $n
            local.set $hi
          end
          local.get $src
          local.get $dst
          local.get $lo
          local.get $mid
          local.get $hi
          call $col_merge
          local.get $hi
          local.set $lo
          br $runs
        end
      end
      local.get $src
      local.set $x
      local.get $dst
      local.set $src
      local.get $x
      local.set $dst
      local.get $w
      i32.const 1
      i32.shl
      local.set $w
      br $passes
    end
  end
  local.get $src
  local.get $buf
  i32.ne
  if
    local.get $buf
    local.get $src
    local.get $n
    i32.const 4
    i32.shl
    memory.copy
  end
  local.get $tmp
  call $free
  i32.const 0
  i64.const 0)

;; =================================================================================
;; MapBox: insertion-ordered hash map.
;;   object (32 bytes): +0 rc, +4 count (live entries; read by values.wat for printing),
;;     +8 entries ptr, +12 used (entries written, incl. deleted), +16 entry capacity,
;;     +20 index ptr, +24 index capacity (power of two, >= 2 * entry capacity),
;;     +28 number + 1 of the entry the last lookup found (0 = none; a one-entry cache
;;     that lets has-then-get and get-then-set skip hashing and probing)
;;   entry (32 bytes): +0 key tag (-1 = deleted), +4 key hash, +8 key payload,
;;     +16 value tag, +24 value payload. A string key of at most eight bytes is stored
;;     in the entry itself ($col_key_store): tag 16 + its length, payload its bytes
;;     (zero-padded), no reference to a string; +20 then holds the string keys() made
;;     of it (0 until then; the map owns that reference).
;;   index: i32 slots holding entry number + 1 (0 = empty) in the bits under the mask
;;     and the entry's hash bits above it, linear probing.
;; Deleted entries stay in place (their index slot keeps probe chains intact) until the
;; entry array fills up; then live entries are compacted into a fresh array sized
;; 2 * count (so memory shrinks after many deletes) and the index is rebuilt.
;; =================================================================================

(func $map_new (result i32)
  (local $m i32)
  i32.const 32
  call $alloc
  local.tee $m
  i32.const 0
  i32.const 32
  memory.fill
  local.get $m
  i32.const 1
  i32.store
  local.get $m)

;; Hash of a valid key (string or integer).
(func $col_key_hash (param $t i32) (param $p i64) (result i32)
  local.get $t
  i32.const 5
  i32.eq
  if
    local.get $p
    i32.wrap_i64
    call $str_hash
    return
  end
  local.get $p
  i64.const 0x9E3779B97F4A7C15
  i64.mul
  local.tee $p
  i64.const 32
  i64.shr_u
  local.get $p
  i64.xor
  i32.wrap_i64)

;; A string that is the string form of an integer ("0", "-12"; not "007", "-0", "+1",
;; " 1" or anything beyond i64): 1 and its value, else 0 and 0.
(func $col_canon_int (param $s i32) (result i32 i64)
  (local $p i32) (local $end i32) (local $neg i32) (local $n i32) (local $d i32) (local $v i64)
  (local.set $p (i32.add (local.get $s) (i32.const 8)))
  (local.set $end (i32.add (local.get $p) (i32.load offset=4 (local.get $s))))
  (if (i32.eq (local.get $p) (local.get $end)) (then (return (i32.const 0) (i64.const 0))))
  ;; most keys that are not numbers start with neither a digit nor '-'
  (local.set $d (i32.load8_u (local.get $p)))
  (if (i32.and (i32.gt_u (i32.sub (local.get $d) (i32.const 48)) (i32.const 9))
               (i32.ne (local.get $d) (i32.const 45)))
    (then (return (i32.const 0) (i64.const 0))))
  (if (i32.eq (local.get $d) (i32.const 45))
    (then (local.set $neg (i32.const 1))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))))
  (local.set $n (i32.sub (local.get $end) (local.get $p)))
  (if (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 19)))
    (then (return (i32.const 0) (i64.const 0))))
  (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 48))
    (then (return (i32.and (i32.eq (local.get $n) (i32.const 1)) (i32.eqz (local.get $neg)))
                  (i64.const 0))))
  ;; at most 19 digits: the magnitude fits in a u64
  (loop $digits
    (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
    (if (i32.gt_u (local.get $d) (i32.const 9)) (then (return (i32.const 0) (i64.const 0))))
    (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br_if $digits (i32.lt_u (local.get $p) (local.get $end))))
  (if (local.get $neg)
    (then
      (if (i64.gt_u (local.get $v) (i64.const 0x8000000000000000))
        (then (return (i32.const 0) (i64.const 0))))
      (return (i32.const 1) (i64.sub (i64.const 0) (local.get $v)))))
  (if (i64.gt_u (local.get $v) (i64.const 0x7FFFFFFFFFFFFFFF))
    (then (return (i32.const 0) (i64.const 0))))
  (i32.const 1) (local.get $v))

;; The stored key for a key value.  Upstream keys a MapBox by the key's string form, so
;; 1 and "1" are one key, 2.0 is "2" and null is "null": integers stay integers, a
;; string that is the string form of an integer becomes that integer, other strings
;; stay, anything else becomes its string form -- an owned string when the key came in
;; as neither integer nor string (the caller releases it: $col_key_release).
(func $col_key_norm (param $t i32) (param $p i64) (result i32 i64)
  (local $s i32) (local $ok i32) (local $v i64) (local $d i32)
  (if (i32.eq (local.get $t) (i32.const 3)) (then (return (local.get $t) (local.get $p))))
  (if (i32.eq (local.get $t) (i32.const 5))
    (then
      ;; most string keys start with neither a digit nor '-' (nor are empty): no call
      (local.set $s (i32.wrap_i64 (local.get $p)))
      (local.set $d (i32.load8_u offset=8 (local.get $s)))
      (if (i32.and (i32.ne (i32.load offset=4 (local.get $s)) (i32.const 0))
                   (i32.and (i32.gt_u (i32.sub (local.get $d) (i32.const 48)) (i32.const 9))
                            (i32.ne (local.get $d) (i32.const 45))))
        (then (return (local.get $t) (local.get $p))))
      (call $col_canon_int (i32.wrap_i64 (local.get $p)))
      (local.set $v)
      (local.set $ok)
      (if (local.get $ok) (then (return (i32.const 3) (local.get $v))))
      (return (local.get $t) (local.get $p))))
  (local.set $s (call $to_string (local.get $t) (local.get $p)))
  (call $col_canon_int (local.get $s))
  (local.set $v)
  (local.set $ok)
  (if (local.get $ok)
    (then
      (call $release (i32.const 5) (i64.extend_i32_u (local.get $s)))
      (return (i32.const 3) (local.get $v))))
  (i32.const 5) (i64.extend_i32_u (local.get $s)))

;; Release what $col_key_norm made for a key that came in with tag $t.
(func $col_key_release (param $t i32) (param $nt i32) (param $np i64)
  (if (i32.and (i32.ne (local.get $t) (i32.const 3)) (i32.ne (local.get $t) (i32.const 5)))
    (then (call $release (local.get $nt) (local.get $np)))))

;; The form a key is stored in: a string of at most eight bytes is kept in the entry
;; itself (tag 16 + its length, payload its bytes, zero-padded), so a map of short keys
;; keeps no key strings alive (a million "k" + i keys: 32 MiB less memory) and a lookup
;; compares one word without reading a key string; any other key as it is. Reading a
;; word at +8 stays inside the block of a string with at least one byte and inside the
;; data of an immortal one (see $col_same_str).
(func $col_key_store (param $t i32) (param $p i64) (result i32 i64)
  (local $s i32) (local $n i32)
  (if (i32.ne (local.get $t) (i32.const 5)) (then (return (local.get $t) (local.get $p))))
  (local.set $s (i32.wrap_i64 (local.get $p)))
  (local.set $n (i32.load offset=4 (local.get $s)))
  (if (i32.gt_u (local.get $n) (i32.const 8)) (then (return (local.get $t) (local.get $p))))
  (if (i32.eqz (local.get $n)) (then (return (i32.const 16) (i64.const 0))))
  (i32.add (i32.const 16) (local.get $n))
  (i64.and (i64.load offset=8 (local.get $s))
           (select (i64.const -1)
                   (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (local.get $n) (i32.const 3))))
                            (i64.const 1))
                   (i32.eq (local.get $n) (i32.const 8)))))

;; The string of a live entry's short key (borrowed: the map keeps it at +20, made at
;; the first keys() that needs it).
(func $col_key_string (param $ent i32) (result i32)
  (local $s i32)
  (local.set $s (i32.load offset=20 (local.get $ent)))
  (if (i32.eqz (local.get $s))
    (then
      (local.set $s (call $str_from_bytes (i32.add (local.get $ent) (i32.const 8))
                                          (i32.sub (i32.load (local.get $ent)) (i32.const 16))))
      (i32.store offset=20 (local.get $ent) (local.get $s))))
  (local.get $s))

;; Release the string keys() made of a live entry's short key (+20), if any.
(func $col_key_string_release (param $ent i32)
  (if (i32.and (i32.ge_u (i32.load (local.get $ent)) (i32.const 16))
               (i32.ne (i32.load offset=20 (local.get $ent)) (i32.const 0)))
    (then (call $release (i32.const 5) (i64.extend_i32_u (i32.load offset=20 (local.get $ent)))))))

;; Address of the empty index slot where the last probe of $col_find that missed stopped
;; (0: none): an insertion right after the miss stores there.
(global $col_slot (mut i32) (i32.const 0))

;; Address of the live entry for key, or 0.  A slot's bits above the mask hold the same
;; bits of its entry's hash (entry numbers + 1 fit under the mask: the index has at least
;; twice as many slots as the entry array), so a probe passing other keys' slots rarely
;; loads their entries.
(func $col_find (param $m i32) (param $kt i32) (param $kp i64) (param $h i32) (result i32)
  (local $mask i32) (local $idx i32) (local $slot i32) (local $e i32) (local $ent i32)
  (local $ents i32)
  (local.set $mask (i32.load offset=24 (local.get $m)))
  (if (i32.eqz (local.get $mask)) (then (global.set $col_slot (i32.const 0)) (return (i32.const 0))))
  (local.set $mask (i32.sub (local.get $mask) (i32.const 1)))
  (local.set $idx (i32.load offset=20 (local.get $m)))
  (local.set $ents (i32.sub (i32.load offset=8 (local.get $m)) (i32.const 32)))
  (local.set $slot (i32.and (local.get $h) (local.get $mask)))
  (loop $probe
    (local.set $e (i32.load (i32.add (local.get $idx) (i32.shl (local.get $slot) (i32.const 2)))))
    (if (i32.eqz (local.get $e))
      (then
        (global.set $col_slot (i32.add (local.get $idx) (i32.shl (local.get $slot) (i32.const 2))))
        (return (i32.const 0))))
    (if (i32.eqz (i32.and (i32.xor (local.get $e) (local.get $h)) (i32.xor (local.get $mask) (i32.const -1))))
      (then
        (local.set $ent (i32.add (local.get $ents)
                                 (i32.shl (i32.and (local.get $e) (local.get $mask)) (i32.const 5))))
        (if (i32.and (i32.eq (i32.load offset=4 (local.get $ent)) (local.get $h))
                     (i32.eq (i32.load (local.get $ent)) (local.get $kt)))
          (then
            (if (i64.eq (i64.load offset=8 (local.get $ent)) (local.get $kp))
              (then (return (local.get $ent))))
            (if (i32.eq (local.get $kt) (i32.const 5))
              (then
                (if (call $str_eq (i32.load offset=8 (local.get $ent)) (i32.wrap_i64 (local.get $kp)))
                  (then (return (local.get $ent))))))))))
    (local.set $slot (i32.and (i32.add (local.get $slot) (i32.const 1)) (local.get $mask)))
    (br $probe))
  (i32.const 0))

;; $str_eq for the one-entry cache of $col_lookup, which a run of lookups of other keys
;; misses every time: keys of under eight bytes (of equal length) are compared as one
;; masked word. Reading a word at +8 stays inside the block of a string with at least
;; one byte (16 bytes of room after the header) and inside the data of an immortal one.
(func $col_same_str (param $a i32) (param $b i32) (result i32)
  (local $n i32)
  (local.set $n (i32.load offset=4 (local.get $a)))
  (if (i32.ne (local.get $n) (i32.load offset=4 (local.get $b))) (then (return (i32.const 0))))
  (if (i32.ge_u (local.get $n) (i32.const 8)) (then (return (call $str_eq (local.get $a) (local.get $b)))))
  (i64.eqz (i64.and (i64.xor (i64.load offset=8 (local.get $a)) (i64.load offset=8 (local.get $b)))
                    (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (local.get $n) (i32.const 3))))
                             (i64.const 1)))))

;; Hash of the key of the last $col_lookup that missed its cache (for an insertion).
(global $col_h (mut i32) (i32.const 0))

;; Address of the live entry for key, or 0: the cached entry when it holds this key,
;; else hash and probe (and remember what was found).
(func $col_lookup (param $m i32) (param $kt i32) (param $kp i64) (result i32)
  (local $c i32) (local $ent i32) (local $st i32) (local $sp i64)
  (call $col_key_store (local.get $kt) (local.get $kp))
  (local.set $sp)
  (local.set $st)
  (local.set $c (i32.load offset=28 (local.get $m)))
  (if (local.get $c)
    (then
      (local.set $ent (i32.add (i32.load offset=8 (local.get $m))
                               (i32.shl (i32.sub (local.get $c) (i32.const 1)) (i32.const 5))))
      (if (i32.eq (i32.load (local.get $ent)) (local.get $st))
        (then
          (if (i64.eq (i64.load offset=8 (local.get $ent)) (local.get $sp))
            (then (return (local.get $ent))))
          (if (i32.eq (local.get $st) (i32.const 5))
            (then
              (if (call $col_same_str (i32.wrap_i64 (i64.load offset=8 (local.get $ent))) (i32.wrap_i64 (local.get $sp)))
                (then (return (local.get $ent))))))))))
  (global.set $col_h (call $col_key_hash (local.get $kt) (local.get $kp)))
  (local.set $ent (call $col_find (local.get $m) (local.get $st) (local.get $sp) (global.get $col_h)))
  (if (local.get $ent)
    (then (i32.store offset=28 (local.get $m)
            (i32.add (i32.shr_u (i32.sub (local.get $ent) (i32.load offset=8 (local.get $m))) (i32.const 5))
                     (i32.const 1)))))
  (local.get $ent))

;; Put entry number e (0-based) into the first free index slot of its probe chain, with
;; the hash's bits above the mask (see $col_find).
(func $col_index_put (param $idx i32) (param $mask i32) (param $h i32) (param $e i32)
  (local $slot i32) (local $a i32)
  (local.set $slot (i32.and (local.get $h) (local.get $mask)))
  (block $found
    (loop $probe
      (local.set $a (i32.add (local.get $idx) (i32.shl (local.get $slot) (i32.const 2))))
      (br_if $found (i32.eqz (i32.load (local.get $a))))
      (local.set $slot (i32.and (i32.add (local.get $slot) (i32.const 1)) (local.get $mask)))
      (br $probe)))
  (i32.store (local.get $a)
    (i32.or (i32.add (local.get $e) (i32.const 1))
            (i32.and (local.get $h) (i32.xor (local.get $mask) (i32.const -1))))))

;; Compact live entries into a new array of capacity max(8, 2*count) and rebuild the index.
(func $col_map_rebuild (param $m i32)
  (local $cap i32) (local $icap i32) (local $ents i32) (local $idx i32) (local $old i32)
  (local $used i32) (local $i i32) (local $j i32) (local $src i32) (local $dst i32)
  local.get $m
  i32.const 0
  i32.store offset=28
  local.get $m
  i32.load offset=4
  i32.const 1
  i32.shl
  local.tee $cap
  i32.const 8
  i32.lt_u
  if
    i32.const 8
    local.set $cap
  end
  i32.const 16
  local.set $icap
  block $sized
    loop $grow
      local.get $icap
      local.get $cap
      i32.const 1
      i32.shl
      i32.ge_u
      br_if $sized
      local.get $icap
      i32.const 1
      i32.shl
      local.set $icap
      br $grow
    end
  end
  local.get $cap
  i32.const 5
  i32.shl
  call $alloc
  local.set $ents
  local.get $icap
  i32.const 2
  i32.shl
  call $alloc
  local.tee $idx
  i32.const 0
  local.get $icap
  i32.const 2
  i32.shl
  memory.fill
  local.get $m
  i32.load offset=8
  local.set $old
  local.get $m
  i32.load offset=12
  local.set $used
  (if (i32.eq (i32.load offset=4 (local.get $m)) (local.get $used))
    (then
      ;; no deleted entries: one block copy, then index the entries in place
      (memory.copy (local.get $ents) (local.get $old) (i32.shl (local.get $used) (i32.const 5)))
      (local.set $src (local.get $ents))
      (block $end
        (loop $each
          (br_if $end (i32.ge_u (local.get $j) (local.get $used)))
          (call $col_index_put (local.get $idx) (i32.sub (local.get $icap) (i32.const 1))
                               (i32.load offset=4 (local.get $src)) (local.get $j))
          (local.set $src (i32.add (local.get $src) (i32.const 32)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $each))))
    (else
      ;; live entries move down over the deleted ones
      (block $end
        (loop $each
          (br_if $end (i32.ge_u (local.get $i) (local.get $used)))
          (local.set $src (i32.add (local.get $old) (i32.shl (local.get $i) (i32.const 5))))
          (if (i32.ne (i32.load (local.get $src)) (i32.const -1))
            (then
              (local.set $dst (i32.add (local.get $ents) (i32.shl (local.get $j) (i32.const 5))))
              (i64.store (local.get $dst) (i64.load (local.get $src)))
              (i64.store offset=8 (local.get $dst) (i64.load offset=8 (local.get $src)))
              (i64.store offset=16 (local.get $dst) (i64.load offset=16 (local.get $src)))
              (i64.store offset=24 (local.get $dst) (i64.load offset=24 (local.get $src)))
              (call $col_index_put (local.get $idx) (i32.sub (local.get $icap) (i32.const 1))
                                   (i32.load offset=4 (local.get $src)) (local.get $j))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $each)))))
  local.get $old
  if
    local.get $old
    call $free
    local.get $m
    i32.load offset=20
    call $free
  end
  local.get $m
  local.get $ents
  i32.store offset=8
  local.get $m
  local.get $j
  i32.store offset=12
  local.get $m
  local.get $cap
  i32.store offset=16
  local.get $m
  local.get $idx
  i32.store offset=20
  local.get $m
  local.get $icap
  i32.store offset=24)

;; Store key -> value (both borrowed, retained here).  The key kind must be valid.
(func $col_map_put (param $m i32) (param $kt i32) (param $kp i64) (param $vt i32) (param $vp i64)
  (local $slot i32) (local $h i32) (local $ent i32) (local $ot i32) (local $op i64) (local $used i32)
  local.get $vt
  local.get $vp
  call $retain
  local.get $m
  local.get $kt
  local.get $kp
  call $col_lookup
  local.tee $ent
  if
    ;; update in place: keeps the insertion position
    local.get $ent
    i32.load offset=16
    local.set $ot
    local.get $ent
    i64.load offset=24
    local.set $op
    local.get $ent
    local.get $vt
    i32.store offset=16
    local.get $ent
    local.get $vp
    i64.store offset=24
    local.get $ot
    local.get $op
    call $release
    return
  end
  ;; a new key: $col_lookup missed, so it hashed the key
  global.get $col_h
  local.set $h
  (local.set $slot (global.get $col_slot))
  local.get $m
  i32.load offset=12
  local.get $m
  i32.load offset=16
  i32.ge_u
  if
    local.get $m
    call $col_map_rebuild
    (local.set $slot (i32.const 0))
  end
  local.get $m
  i32.load offset=12
  local.set $used
  ;; the stored form: a short string in the entry (nothing to retain), else the key
  (call $col_key_store (local.get $kt) (local.get $kp))
  local.set $kp
  local.set $kt
  local.get $kt
  local.get $kp
  call $retain
  local.get $m
  i32.load offset=8
  local.get $used
  i32.const 5
  i32.shl
  i32.add
  local.tee $ent
  local.get $kt
  i32.store
  local.get $ent
  local.get $h
  i32.store offset=4
  local.get $ent
  local.get $kp
  i64.store offset=8
  local.get $ent
  local.get $vt
  i32.store offset=16
  (i32.store offset=20 (local.get $ent) (i32.const 0))  ;; no keys() string yet
  local.get $ent
  local.get $vp
  i64.store offset=24
  (if (local.get $slot)
    (then
      ;; the empty slot where the probe of $col_find stopped
      (i32.store (local.get $slot)
        (i32.or (i32.add (local.get $used) (i32.const 1))
                (i32.and (local.get $h) (i32.sub (i32.const 0) (i32.load offset=24 (local.get $m)))))))
    (else
      (call $col_index_put (i32.load offset=20 (local.get $m))
                           (i32.sub (i32.load offset=24 (local.get $m)) (i32.const 1))
                           (local.get $h) (local.get $used))))
  local.get $m
  local.get $used
  i32.const 1
  i32.add
  i32.store offset=12
  local.get $m
  local.get $used
  i32.const 1
  i32.add
  i32.store offset=28
  local.get $m
  local.get $m
  i32.load offset=4
  i32.const 1
  i32.add
  i32.store offset=4)

(func $map_set_v (param $m i32) (param $kt i32) (param $kp i64) (param $vt i32) (param $vp i64)
  (local $nt i32) (local $np i64)
  (call $col_key_norm (local.get $kt) (local.get $kp))
  (local.set $np)
  (local.set $nt)
  (call $col_map_put (local.get $m) (local.get $nt) (local.get $np) (local.get $vt) (local.get $vp))
  (call $col_key_release (local.get $kt) (local.get $nt) (local.get $np)))

;; Owned string "<prefix><string form of key>".
(func $col_key_msg (param $prefix i32) (param $kt i32) (param $kp i64) (result i32)
  (local $sb i32)
  call $val_sb_new
  local.tee $sb
  local.get $prefix
  call $val_sb_add_str
  local.get $sb
  local.get $kt
  local.get $kp
  i32.const 0
  call $val_sb_add_value
  local.get $sb
  call $val_sb_finish)

;; Value for key (retained); a missing key gives the string "Key not found: K".
(func $map_get_v (param $m i32) (param $kt i32) (param $kp i64) (result i32 i64)
  (local $ent i32) (local $nt i32) (local $np i64)
  (call $col_key_norm (local.get $kt) (local.get $kp))
  (local.set $np)
  (local.set $nt)
  (local.set $ent (call $col_lookup (local.get $m) (local.get $nt) (local.get $np)))
  (call $col_key_release (local.get $kt) (local.get $nt) (local.get $np))
  local.get $ent
  i32.eqz
  if
    i32.const 5
    global.get $CS_key_nf
    local.get $kt
    local.get $kp
    call $col_key_msg
    i64.extend_i32_u
    return
  end
  local.get $ent
  i32.load offset=16
  local.get $ent
  i64.load offset=24
  call $retain
  local.get $ent
  i32.load offset=16
  local.get $ent
  i64.load offset=24)

;; Release all keys and values and free the tables; the map becomes empty.
(func $col_map_empty (param $m i32)
  (local $ents i32) (local $idx i32) (local $used i32) (local $i i32) (local $ent i32)
  local.get $m
  i32.load offset=8
  local.set $ents
  local.get $m
  i32.load offset=20
  local.set $idx
  local.get $m
  i32.load offset=12
  local.set $used
  local.get $m
  i32.const 4
  i32.add
  i32.const 0
  i32.const 28
  memory.fill
  block $end
    loop $each
      local.get $i
      local.get $used
      i32.ge_u
      br_if $end
      local.get $ents
      local.get $i
      i32.const 5
      i32.shl
      i32.add
      local.tee $ent
      i32.load
      i32.const -1
      i32.ne
      if
        local.get $ent
        i32.load
        local.get $ent
        i64.load offset=8
        call $release
        (call $col_key_string_release (local.get $ent))
        local.get $ent
        i32.load offset=16
        local.get $ent
        i64.load offset=24
        call $release
      end
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      br $each
    end
  end
  local.get $ents
  if
    local.get $ents
    call $free
    local.get $idx
    call $free
  end)

;; Called by $release when the reference count reaches zero.
(func $map_drop (param $m i32)
  local.get $m
  call $col_map_empty
  local.get $m
  call $free)

;; ---- MapBox methods ------------------------------------------------------------

(func $m_Map_set (param $self i64) (param $kt i32) (param $kp i64) (param $vt i32) (param $vp i64) (result i32 i64)
  local.get $self
  i32.wrap_i64
  local.get $kt
  local.get $kp
  local.get $vt
  local.get $vp
  call $map_set_v
  i32.const 5
  global.get $CS_set_key
  local.get $kt
  local.get $kp
  call $col_key_msg
  i64.extend_i32_u)

(func $m_Map_get (param $self i64) (param $kt i32) (param $kp i64) (result i32 i64)
  local.get $self
  i32.wrap_i64
  local.get $kt
  local.get $kp
  call $map_get_v)

(func $m_Map_has (param $self i64) (param $kt i32) (param $kp i64) (result i32 i64)
  (local $ent i32) (local $nt i32) (local $np i64)
  (call $col_key_norm (local.get $kt) (local.get $kp))
  (local.set $np)
  (local.set $nt)
  (local.set $ent (call $col_lookup (i32.wrap_i64 (local.get $self)) (local.get $nt) (local.get $np)))
  (call $col_key_release (local.get $kt) (local.get $nt) (local.get $np))
  (i32.const 2)
  (i64.extend_i32_u (i32.ne (local.get $ent) (i32.const 0))))

(func $m_Map_delete (param $self i64) (param $kt i32) (param $kp i64) (result i32 i64)
  (local $m i32) (local $ent i32) (local $vt i32) (local $vp i64) (local $msg i32)
  (local $nt i32) (local $np i64)
  (call $col_key_norm (local.get $kt) (local.get $kp))
  (local.set $np)
  (local.set $nt)
  (local.set $m (i32.wrap_i64 (local.get $self)))
  (local.set $ent (call $col_lookup (local.get $m) (local.get $nt) (local.get $np)))
  (call $col_key_release (local.get $kt) (local.get $nt) (local.get $np))
  local.get $ent
  i32.eqz
  if
    i32.const 5
    global.get $CS_key_nf
    local.get $kt
    local.get $kp
    call $col_key_msg
    i64.extend_i32_u
    return
  end
  ;; build the message before the key is released (the argument may be that very key)
  global.get $CS_del_key
  local.get $kt
  local.get $kp
  call $col_key_msg
  local.set $msg
  local.get $ent
  i32.load
  local.get $ent
  i64.load offset=8
  call $release
  (call $col_key_string_release (local.get $ent))
  local.get $ent
  i32.load offset=16
  local.set $vt
  local.get $ent
  i64.load offset=24
  local.set $vp
  local.get $ent
  i32.const -1
  i32.store
  local.get $m
  local.get $m
  i32.load offset=4
  i32.const 1
  i32.sub
  i32.store offset=4
  local.get $vt
  local.get $vp
  call $release
  i32.const 5
  local.get $msg
  i64.extend_i32_u)

(func $m_Map_size (param $self i64) (result i32 i64)
  i32.const 3
  local.get $self
  i32.wrap_i64
  i64.load32_u offset=4)

(func $m_Map_isEmpty (param $self i64) (result i32 i64)
  i32.const 2
  local.get $self
  i32.wrap_i64
  i32.load offset=4
  i32.eqz
  i64.extend_i32_u)

(func $col_map_clear (param $self i64) (result i32 i64)
  local.get $self
  i32.wrap_i64
  call $col_map_empty
  i32.const 0
  i64.const 0)

;; ArrayBox of the keys (field offset 0) or values (offset 16) in insertion order.
;; Keys are strings, as upstream's (integer keys are stored as integers: see
;; $col_key_norm).
(func $col_map_column (param $m i32) (param $off i32) (result i32 i64)
  (local $r i32) (local $i i32) (local $ent i32) (local $s i32)
  call $arr_new
  local.tee $r
  local.get $m
  i32.load offset=4
  call $col_arr_reserve
  block $end
    loop $each
      local.get $i
      local.get $m
      i32.load offset=12
      i32.ge_u
      br_if $end
      local.get $m
      i32.load offset=8
      local.get $i
      i32.const 5
      i32.shl
      i32.add
      local.tee $ent
      i32.load
      i32.const -1
      i32.ne
      if
        (if (i32.and (i32.eqz (local.get $off)) (i32.eq (i32.load (local.get $ent)) (i32.const 3)))
          (then
            (local.set $s (call $str_from_i64 (i64.load offset=8 (local.get $ent))))
            (call $arr_push_v (local.get $r) (i32.const 5) (i64.extend_i32_u (local.get $s)))
            (call $release (i32.const 5) (i64.extend_i32_u (local.get $s))))
        (else (if (i32.and (i32.eqz (local.get $off)) (i32.ge_u (i32.load (local.get $ent)) (i32.const 16)))
          (then
            (call $arr_push_v (local.get $r) (i32.const 5)
                              (i64.extend_i32_u (call $col_key_string (local.get $ent)))))
          (else
            (call $arr_push_v (local.get $r)
                  (i32.load (i32.add (local.get $ent) (local.get $off)))
                  (i64.load offset=8 (i32.add (local.get $ent) (local.get $off))))))))
      end
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      br $each
    end
  end
  i32.const 6
  local.get $r
  i64.extend_i32_u)

(func $m_Map_keys (param $self i64) (result i32 i64)
  local.get $self
  i32.wrap_i64
  i32.const 0
  call $col_map_column)

(func $m_Map_values (param $self i64) (result i32 i64)
  local.get $self
  i32.wrap_i64
  i32.const 16
  call $col_map_column)

(func $m_Map_toString (param $self i64) (result i32 i64)
  i32.const 5
  i32.const 7
  local.get $self
  call $to_string
  i64.extend_i32_u)

;; =================================================================================
;; ConsoleBox: log/warn/error print "[Console LOG] x" etc. on stdout, return void.
;; =================================================================================

(func $col_console (param $prefix i32) (param $vt i32) (param $vp i64) (result i32 i64)
  local.get $prefix
  i32.const 8
  i32.add
  local.get $prefix
  i32.load offset=4
  call $out_write
  local.get $vt
  local.get $vp
  call $print_value
  i32.const 0
  i64.const 0)

(func $m_Console_log (param $self i64) (param $vt i32) (param $vp i64) (result i32 i64)
  global.get $CS_con_log
  local.get $vt
  local.get $vp
  call $col_console)

(func $m_Console_warn (param $self i64) (param $vt i32) (param $vp i64) (result i32 i64)
  global.get $CS_con_warn
  local.get $vt
  local.get $vp
  call $col_console)

(func $m_Console_error (param $self i64) (param $vt i32) (param $vp i64) (result i32 i64)
  global.get $CS_con_error
  local.get $vt
  local.get $vp
  call $col_console)

;; clear/sort/reverse answer "ok" and MapBox.clear "Map cleared", as upstream does
(func $m_Array_clear (param $self i64) (result i32 i64)
  local.get $self
  call $col_arr_clear
  drop
  drop
  i32.const 5
  global.get $CS_ok
  i64.extend_i32_u)

(func $m_Array_sort (param $self i64) (result i32 i64)
  local.get $self
  call $col_arr_sort
  drop
  drop
  i32.const 5
  global.get $CS_ok
  i64.extend_i32_u)

(func $m_Array_reverse (param $self i64) (result i32 i64)
  local.get $self
  call $col_arr_reverse
  drop
  drop
  i32.const 5
  global.get $CS_ok
  i64.extend_i32_u)

(func $m_Map_clear (param $self i64) (result i32 i64)
  local.get $self
  call $col_map_clear
  drop
  drop
  i32.const 5
  global.get $CS_map_cleared
  i64.extend_i32_u)
