;; values.wat — string forms, printing, truthiness, kind names and the operators
;; of spec section 5.  Module fields only (no enclosing module); flat instruction
;; syntax.  Functions borrow their arguments and return owned results (docs/design.md).
;; Private helpers are prefixed $val_; immortal strings live at 0x2C000..0x2DFFF.
;;
;; Decisions: ConsoleBox/MathBox print as "ConsoleBox"/"MathBox"; the internal "unset"
;; tag prints as "void"; an array nested deeper than 1000 levels (e.g. containing
;; itself) prints "[...]" there; comparisons of non-number, non-string pairs compare
;; string forms (spec table); unary minus on a non-number raises
;; "Negation not supported for XBox".

;; immortal strings 0x2C000..0x2C3A2 (generated layout; rc=-1, len, bytes)
(global $VS_kind_table i32 (i32.const 0x2C000))
(global $VS_void i32 (i32.const 0x2C040))  ;; "void"
(global $VS_null i32 (i32.const 0x2C050))  ;; "null"
(global $VS_true i32 (i32.const 0x2C060))  ;; "true"
(global $VS_false i32 (i32.const 0x2C070))  ;; "false"
(global $VS_IntegerBox i32 (i32.const 0x2C080))  ;; "IntegerBox"
(global $VS_FloatBox i32 (i32.const 0x2C098))  ;; "FloatBox"
(global $VS_StringBox i32 (i32.const 0x2C0A8))  ;; "StringBox"
(global $VS_BoolBox i32 (i32.const 0x2C0C0))  ;; "BoolBox"
(global $VS_NullBox i32 (i32.const 0x2C0D0))  ;; "NullBox"
(global $VS_VoidBox i32 (i32.const 0x2C0E0))  ;; "VoidBox"
(global $VS_ArrayBox i32 (i32.const 0x2C0F0))  ;; "ArrayBox"
(global $VS_MapBox i32 (i32.const 0x2C100))  ;; "MapBox"
(global $VS_ErrorBox i32 (i32.const 0x2C110))  ;; "ErrorBox"
(global $VS_ConsoleBox i32 (i32.const 0x2C120))  ;; "ConsoleBox"
(global $VS_MathBox i32 (i32.const 0x2C138))  ;; "MathBox"
(global $VS_MathBox_print i32 (i32.const 0x2C360))  ;; "MathBox()" (upstream's string form)
(global $VS_ConsoleBox_print i32 (i32.const 0x2C378))  ;; "[ConsoleBox - Mock Implementation]"
(global $VS_nl i32 (i32.const 0x2C148))  ;; "\0a"
(global $VS_comma i32 (i32.const 0x2C158))  ;; ", "
(global $VS_lbr i32 (i32.const 0x2C168))  ;; "["
(global $VS_rbr i32 (i32.const 0x2C178))  ;; "]"
(global $VS_map_open i32 (i32.const 0x2C188))  ;; "MapBox(size="
(global $VS_rpar i32 (i32.const 0x2C1A0))  ;; ")"
(global $VS_err_open i32 (i32.const 0x2C1B0))  ;; "ErrorBox("
(global $VS_lt i32 (i32.const 0x2C1C8))  ;; "<"
(global $VS_inst_mid i32 (i32.const 0x2C1D8))  ;; " instance #"
(global $VS_gt i32 (i32.const 0x2C1F0))  ;; ">"
(global $VS_add_err i32 (i32.const 0x2C200))  ;; "Addition not supported between "
(global $VS_sub_err i32 (i32.const 0x2C228))  ;; "Subtraction not supported between "
(global $VS_mul_err i32 (i32.const 0x2C258))  ;; "Multiplication not supported between "
(global $VS_div_err i32 (i32.const 0x2C288))  ;; "Division not supported between "
(global $VS_mod_err i32 (i32.const 0x2C2B0))  ;; "Modulo not supported between "
(global $VS_and i32 (i32.const 0x2C2D8))  ;; " and "
(global $VS_div_zero i32 (i32.const 0x2C2E8))  ;; "Division by zero"
(global $VS_mod_zero i32 (i32.const 0x2C300))  ;; "Modulo by zero"
(global $VS_neg_err i32 (i32.const 0x2C318))  ;; "Negation not supported for "
(global $VS_empty i32 (i32.const 0x2C340))  ;; ""
(global $VS_cycle i32 (i32.const 0x2C348))  ;; "[...]"
(data (i32.const 0x2C000) "\e0\c0\02\00\d0\c0\02\00\c0\c0\02\00\80\c0\02\00\98\c0\02\00\a8\c0\02\00\f0\c0\02\00\00\c1\02\00\10\c1\02\00\e0\c0\02\00\e0\c0\02\00 \c1\02\008\c1\02\00\e0\c0\02\00")  ;; $VS_kind_table
(data (i32.const 0x2C040) "\ff\ff\ff\ff\04\00\00\00void")
(data (i32.const 0x2C050) "\ff\ff\ff\ff\04\00\00\00null")
(data (i32.const 0x2C060) "\ff\ff\ff\ff\04\00\00\00true")
(data (i32.const 0x2C070) "\ff\ff\ff\ff\05\00\00\00false")
(data (i32.const 0x2C080) "\ff\ff\ff\ff\0a\00\00\00IntegerBox")
(data (i32.const 0x2C098) "\ff\ff\ff\ff\08\00\00\00FloatBox")
(data (i32.const 0x2C0A8) "\ff\ff\ff\ff\09\00\00\00StringBox")
(data (i32.const 0x2C0C0) "\ff\ff\ff\ff\07\00\00\00BoolBox")
(data (i32.const 0x2C0D0) "\ff\ff\ff\ff\07\00\00\00NullBox")
(data (i32.const 0x2C0E0) "\ff\ff\ff\ff\07\00\00\00VoidBox")
(data (i32.const 0x2C0F0) "\ff\ff\ff\ff\08\00\00\00ArrayBox")
(data (i32.const 0x2C100) "\ff\ff\ff\ff\06\00\00\00MapBox")
(data (i32.const 0x2C110) "\ff\ff\ff\ff\08\00\00\00ErrorBox")
(data (i32.const 0x2C120) "\ff\ff\ff\ff\0a\00\00\00ConsoleBox")
(data (i32.const 0x2C138) "\ff\ff\ff\ff\07\00\00\00MathBox")
(data (i32.const 0x2C360) "\ff\ff\ff\ff\09\00\00\00MathBox()")
(data (i32.const 0x2C378) "\ff\ff\ff\ff\22\00\00\00[ConsoleBox - Mock Implementation]")
(data (i32.const 0x2C148) "\ff\ff\ff\ff\01\00\00\00\0a")
(data (i32.const 0x2C158) "\ff\ff\ff\ff\02\00\00\00, ")
(data (i32.const 0x2C168) "\ff\ff\ff\ff\01\00\00\00[")
(data (i32.const 0x2C178) "\ff\ff\ff\ff\01\00\00\00]")
(data (i32.const 0x2C188) "\ff\ff\ff\ff\0c\00\00\00MapBox(size=")
(data (i32.const 0x2C1A0) "\ff\ff\ff\ff\01\00\00\00)")
(data (i32.const 0x2C1B0) "\ff\ff\ff\ff\09\00\00\00ErrorBox(")
(data (i32.const 0x2C1C8) "\ff\ff\ff\ff\01\00\00\00<")
(data (i32.const 0x2C1D8) "\ff\ff\ff\ff\0b\00\00\00 instance #")
(data (i32.const 0x2C1F0) "\ff\ff\ff\ff\01\00\00\00>")
(data (i32.const 0x2C200) "\ff\ff\ff\ff\1f\00\00\00Addition not supported between ")
(data (i32.const 0x2C228) "\ff\ff\ff\ff\22\00\00\00Subtraction not supported between ")
(data (i32.const 0x2C258) "\ff\ff\ff\ff%\00\00\00Multiplication not supported between ")
(data (i32.const 0x2C288) "\ff\ff\ff\ff\1f\00\00\00Division not supported between ")
(data (i32.const 0x2C2B0) "\ff\ff\ff\ff\1d\00\00\00Modulo not supported between ")
(data (i32.const 0x2C2D8) "\ff\ff\ff\ff\05\00\00\00 and ")
(data (i32.const 0x2C2E8) "\ff\ff\ff\ff\10\00\00\00Division by zero")
(data (i32.const 0x2C300) "\ff\ff\ff\ff\0e\00\00\00Modulo by zero")
(data (i32.const 0x2C318) "\ff\ff\ff\ff\1b\00\00\00Negation not supported for ")
(data (i32.const 0x2C340) "\ff\ff\ff\ff\00\00\00\00")
(data (i32.const 0x2C348) "\ff\ff\ff\ff\05\00\00\00[...]")

;; ---------------------------------------------------------------------------------
;; String builder (private to values.wat / collections.wat).
;; Why: building array strings, join results and error messages by repeated
;; $str_concat would be quadratic; the builder appends into one growing buffer.
;; Layout of a builder (12 bytes from $alloc): +0 buffer ptr, +4 used, +8 capacity.
;; ---------------------------------------------------------------------------------
(func $val_sb_new (result i32)
  (local $sb i32)
  i32.const 12
  call $alloc
  local.set $sb
  local.get $sb
  i32.const 64
  call $alloc
  i32.store
  local.get $sb
  i32.const 0
  i32.store offset=4
  local.get $sb
  i32.const 64
  i32.store offset=8
  local.get $sb)

;; Make room for $extra more bytes (doubling growth keeps appends amortised O(1)).
(func $val_sb_reserve (param $sb i32) (param $extra i32)
  (local $need i32) (local $cap i32)
  local.get $sb
  i32.load offset=4
  local.get $extra
  i32.add
  local.tee $need
  local.get $sb
  i32.load offset=8
  local.tee $cap
  i32.le_u
  if
    return
  end
  local.get $cap
  i32.const 1
  i32.shl
  local.tee $cap
  local.get $need
  i32.lt_u
  if
    local.get $need
    local.set $cap
  end
  local.get $sb
  local.get $sb
  i32.load
  local.get $cap
  call $realloc
  i32.store
  local.get $sb
  local.get $cap
  i32.store offset=8)

(func $val_sb_add_bytes (param $sb i32) (param $ptr i32) (param $n i32)
  local.get $sb
  local.get $n
  call $val_sb_reserve
  local.get $sb
  i32.load
  local.get $sb
  i32.load offset=4
  i32.add
  local.get $ptr
  local.get $n
  call $mcopy
  local.get $sb
  local.get $sb
  i32.load offset=4
  local.get $n
  i32.add
  i32.store offset=4)

;; Append the bytes of string object $s (borrowed).
(func $val_sb_add_str (param $sb i32) (param $s i32)
  local.get $sb
  local.get $s
  i32.const 8
  i32.add
  local.get $s
  i32.load offset=4
  call $val_sb_add_bytes)

(func $val_sb_add_i64 (param $sb i32) (param $x i64)
  (local $start i32)
  local.get $x
  call $val_fmt_i64
  local.set $start
  local.get $sb
  local.get $start
  i32.const 0x400
  local.get $start
  i32.sub
  call $val_sb_add_bytes)

;; Turn the builder into an owned string object and free the builder.
(func $val_sb_finish (param $sb i32) (result i32)
  (local $s i32)
  local.get $sb
  i32.load offset=4
  call $str_new
  local.tee $s
  i32.const 8
  i32.add
  local.get $sb
  i32.load
  local.get $sb
  i32.load offset=4
  memory.copy
  local.get $sb
  i32.load
  call $free
  local.get $sb
  call $free
  local.get $s)

;; Format a signed i64 in decimal into the scratch area, ending at 0x400; returns the
;; start address (length = 0x400 - start).  Why: printing integers must not allocate.
;; Uses 0x3C0..0x3FF of the number-formatting scratch area (transient use only).
(func $val_fmt_i64 (param $x i64) (result i32)
  (local $p i32) (local $mag i64) (local $neg i32)
  i32.const 0x400
  local.set $p
  local.get $x
  i64.const 0
  i64.lt_s
  local.tee $neg
  if (result i64)
    i64.const 0
    local.get $x
    i64.sub
  else
    local.get $x
  end
  local.set $mag
  loop $digits
    local.get $p
    i32.const 1
    i32.sub
    local.tee $p
    local.get $mag
    i64.const 10
    i64.rem_u
    i32.wrap_i64
    i32.const 48
    i32.add
    i32.store8
    local.get $mag
    i64.const 10
    i64.div_u
    local.tee $mag
    i64.const 0
    i64.ne
    br_if $digits
  end
  local.get $neg
  if
    local.get $p
    i32.const 1
    i32.sub
    local.tee $p
    i32.const 45
    i32.store8
  end
  local.get $p)

;; Append the string form of a value.  Arrays recurse; $depth guards against
;; self-containing arrays (printed as "[...]" beyond 1000 levels instead of overflowing).
(func $val_sb_add_value (param $sb i32) (param $tag i32) (param $p i64) (param $depth i32)
  (local $a i32) (local $i i32) (local $n i32) (local $s i32) (local $slot i32)
  block $done
    block $b13
    block $b12
    block $b11
    block $b10
    block $b9
    block $b8
    block $b7
    block $b6
    block $b5
    block $b4
    block $b3
    block $b2
    block $b1
    block $b0
      local.get $tag
      br_table $b0 $b1 $b2 $b3 $b4 $b5 $b6 $b7 $b8 $b9 $b10 $b11 $b12 $b13 $b13
    end
    ;; 0 void
    local.get $sb
    global.get $VS_void
    call $val_sb_add_str
    br $done
    end
    ;; 1 null
    local.get $sb
    global.get $VS_null
    call $val_sb_add_str
    br $done
    end
    ;; 2 bool
    local.get $sb
    global.get $VS_true
    global.get $VS_false
    local.get $p
    i64.const 0
    i64.ne
    select
    call $val_sb_add_str
    br $done
    end
    ;; 3 integer
    local.get $sb
    local.get $p
    call $val_sb_add_i64
    br $done
    end
    ;; 4 float
    local.get $p
    f64.reinterpret_i64
    call $str_from_f64
    local.set $s
    local.get $sb
    local.get $s
    call $val_sb_add_str
    i32.const 5
    local.get $s
    i64.extend_i32_u
    call $release
    br $done
    end
    ;; 5 string
    local.get $sb
    local.get $p
    i32.wrap_i64
    call $val_sb_add_str
    br $done
    end
    ;; 6 ArrayBox
    local.get $depth
    i32.const 1000
    i32.gt_u
    if
      local.get $sb
      global.get $VS_cycle
      call $val_sb_add_str
      br $done
    end
    local.get $p
    i32.wrap_i64
    local.set $a
    local.get $sb
    global.get $VS_lbr
    call $val_sb_add_str
    i32.const 0
    local.set $i
    block $end_elems
      loop $elems
        local.get $i
        local.get $a
        i32.load offset=4
        i32.ge_u
        br_if $end_elems
        local.get $i
        if
          local.get $sb
          global.get $VS_comma
          call $val_sb_add_str
        end
        local.get $sb
        local.get $a
        local.get $i
        call $col_elem
        local.get $depth
        i32.const 1
        i32.add
        call $val_sb_add_value
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $elems
      end
    end
    local.get $sb
    global.get $VS_rbr
    call $val_sb_add_str
    br $done
    end
    ;; 7 MapBox: live entry count is at +4 (layout owned by collections.wat)
    local.get $sb
    global.get $VS_map_open
    call $val_sb_add_str
    local.get $sb
    local.get $p
    i32.wrap_i64
    i64.load32_u offset=4
    call $val_sb_add_i64
    local.get $sb
    global.get $VS_rpar
    call $val_sb_add_str
    br $done
    end
    ;; 8 ErrorBox: message string at +4
    local.get $sb
    global.get $VS_err_open
    call $val_sb_add_str
    local.get $sb
    local.get $p
    i32.wrap_i64
    i32.load offset=4
    call $val_sb_add_str
    local.get $sb
    global.get $VS_rpar
    call $val_sb_add_str
    br $done
    end
    ;; 9 instance: <Name instance #N>
    local.get $sb
    global.get $VS_lt
    call $val_sb_add_str
    local.get $sb
    local.get $p
    i32.wrap_i64
    i32.load offset=4
    call $class_name
    call $val_sb_add_str
    local.get $sb
    global.get $VS_inst_mid
    call $val_sb_add_str
    local.get $sb
    local.get $p
    i32.wrap_i64
    i64.load32_u offset=8
    call $val_sb_add_i64
    local.get $sb
    global.get $VS_gt
    call $val_sb_add_str
    br $done
    end
    ;; 10 builtin box object: its kind's string form (compiler-generated switch)
    local.get $p
    i32.wrap_i64
    call $box_to_string
    local.set $s
    local.get $sb
    local.get $s
    call $val_sb_add_str
    i32.const 5
    local.get $s
    i64.extend_i32_u
    call $release
    br $done
    end
    ;; 11 ConsoleBox
    local.get $sb
    global.get $VS_ConsoleBox_print
    call $val_sb_add_str
    br $done
    end
    ;; 12 MathBox
    local.get $sb
    global.get $VS_MathBox_print
    call $val_sb_add_str
    br $done
    end
    ;; 13 unset (and anything unknown): behaves like void
    local.get $sb
    global.get $VS_void
    call $val_sb_add_str
  end)

;; ---------------------------------------------------------------------------------
;; Conversions
;; ---------------------------------------------------------------------------------

;; Owned string form of a value (spec section 4).  Strings return themselves retained;
;; void/null/bools return immortal strings (releasing those is a no-op).
(func $to_string (param $tag i32) (param $p i64) (result i32)
  (local $sb i32)
  local.get $tag
  i32.const 5
  i32.eq
  if
    i32.const 5
    local.get $p
    call $retain
    local.get $p
    i32.wrap_i64
    return
  end
  local.get $tag
  i32.const 3
  i32.eq
  if
    local.get $p
    call $str_from_i64
    return
  end
  local.get $tag
  i32.const 4
  i32.eq
  if
    local.get $p
    f64.reinterpret_i64
    call $str_from_f64
    return
  end
  local.get $tag
  i32.const 0
  i32.eq
  if
    global.get $VS_void
    return
  end
  local.get $tag
  i32.const 1
  i32.eq
  if
    global.get $VS_null
    return
  end
  local.get $tag
  i32.const 2
  i32.eq
  if
    global.get $VS_true
    global.get $VS_false
    local.get $p
    i64.const 0
    i64.ne
    select
    return
  end
  call $val_sb_new
  local.tee $sb
  local.get $tag
  local.get $p
  i32.const 0
  call $val_sb_add_value
  local.get $sb
  call $val_sb_finish)

;; print(x): string form and "\n" on stdout.  Strings and integers do not allocate.
(func $print_value (param $tag i32) (param $p i64)
  (local $s i32)
  local.get $tag
  i32.const 5
  i32.eq
  if
    local.get $p
    i32.wrap_i64
    local.tee $s
    i32.const 8
    i32.add
    local.get $s
    i32.load offset=4
    call $out_write
  else
    local.get $tag
    i32.const 3
    i32.eq
    if
      local.get $p
      call $val_fmt_i64
      local.tee $s
      i32.const 0x400
      local.get $s
      i32.sub
      call $out_write
    else
      local.get $tag
      local.get $p
      call $to_string
      local.tee $s
      i32.const 8
      i32.add
      local.get $s
      i32.load offset=4
      call $out_write
      i32.const 5
      local.get $s
      i64.extend_i32_u
      call $release
    end
  end
  global.get $VS_nl
  i32.const 8
  i32.add
  i32.const 1
  call $out_write)

;; Truthiness (spec 5.1): false, 0, "", void (and unset) are false; everything else true.
(func $truthy (param $tag i32) (param $p i64) (result i32)
  local.get $tag
  i32.const 2
  i32.eq
  local.get $tag
  i32.const 3
  i32.eq
  i32.or
  if
    local.get $p
    i64.const 0
    i64.ne
    return
  end
  local.get $tag
  i32.const 5
  i32.eq
  if
    local.get $p
    i32.wrap_i64
    i32.load offset=4
    i32.const 0
    i32.ne
    return
  end
  local.get $tag
  i32.eqz
  local.get $tag
  i32.const 13
  i32.eq
  i32.or
  i32.eqz)

;; Immortal kind name used in error messages; instances give their class name.
(func $kind_name (param $tag i32) (param $p i64) (result i32)
  local.get $tag
  i32.const 9
  i32.eq
  if
    local.get $p
    i32.wrap_i64
    i32.load offset=4
    call $class_name
    return
  end
  local.get $tag
  i32.const 10
  i32.eq
  if
    local.get $p
    i32.wrap_i64
    call $box_kind_name
    return
  end
  local.get $tag
  i32.const 13
  i32.gt_u
  if
    global.get $VS_VoidBox
    return
  end
  global.get $VS_kind_table
  local.get $tag
  i32.const 2
  i32.shl
  i32.add
  i32.load)

;; ---------------------------------------------------------------------------------
;; Operators (spec section 5)
;; ---------------------------------------------------------------------------------

(func $val_is_num (param $tag i32) (result i32)
  local.get $tag
  i32.const 3
  i32.eq
  local.get $tag
  i32.const 4
  i32.eq
  i32.or)

(func $val_to_f64 (param $tag i32) (param $p i64) (result f64)
  local.get $tag
  i32.const 3
  i32.eq
  if (result f64)
    local.get $p
    f64.convert_i64_s
  else
    local.get $p
    f64.reinterpret_i64
  end)

;; Raise "<prefix>XBox and YBox" (e.g. "Addition not supported between IntegerBox and StringBox").
(func $val_op_error (param $prefix i32) (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64)
  (local $sb i32) (local $s i32)
  call $val_sb_new
  local.tee $sb
  local.get $prefix
  call $val_sb_add_str
  local.get $sb
  local.get $at
  local.get $ap
  call $kind_name
  call $val_sb_add_str
  local.get $sb
  global.get $VS_and
  call $val_sb_add_str
  local.get $sb
  local.get $bt
  local.get $bp
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

(func $op_add (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32 i64)
  (local $s i32) (local $r i32)
  local.get $at
  i32.const 3
  i32.eq
  local.get $bt
  i32.const 3
  i32.eq
  i32.and
  if
    i32.const 3
    local.get $ap
    local.get $bp
    i64.add
    return
  end
  local.get $at
  call $val_is_num
  local.get $bt
  call $val_is_num
  i32.and
  if
    i32.const 4
    local.get $at
    local.get $ap
    call $val_to_f64
    local.get $bt
    local.get $bp
    call $val_to_f64
    f64.add
    i64.reinterpret_f64
    return
  end
  local.get $at
  i32.const 5
  i32.eq
  if
    local.get $bt
    i32.const 5
    i32.eq
    if
      i32.const 5
      local.get $ap
      i32.wrap_i64
      local.get $bp
      i32.wrap_i64
      call $str_concat
      i64.extend_i32_u
      return
    end
    local.get $bt
    i32.const 3
    i32.eq
    if
      i32.const 5
      local.get $ap
      i32.wrap_i64
      local.get $bp
      call $str_concat_i64
      i64.extend_i32_u
      return
    end
    local.get $bt
    local.get $bp
    call $to_string
    local.set $s
    local.get $ap
    i32.wrap_i64
    local.get $s
    call $str_concat
    local.set $r
    i32.const 5
    local.get $s
    i64.extend_i32_u
    call $release
    i32.const 5
    local.get $r
    i64.extend_i32_u
    return
  end
  global.get $VS_add_err
  local.get $at
  local.get $ap
  local.get $bt
  local.get $bp
  call $val_op_error
  i32.const 0
  i64.const 0)

(func $op_sub (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32 i64)
  local.get $at
  i32.const 3
  i32.eq
  local.get $bt
  i32.const 3
  i32.eq
  i32.and
  if
    i32.const 3
    local.get $ap
    local.get $bp
    i64.sub
    return
  end
  local.get $at
  call $val_is_num
  local.get $bt
  call $val_is_num
  i32.and
  if
    i32.const 4
    local.get $at
    local.get $ap
    call $val_to_f64
    local.get $bt
    local.get $bp
    call $val_to_f64
    f64.sub
    i64.reinterpret_f64
    return
  end
  global.get $VS_sub_err
  local.get $at
  local.get $ap
  local.get $bt
  local.get $bp
  call $val_op_error
  i32.const 0
  i64.const 0)

(func $op_mul (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32 i64)
  local.get $at
  i32.const 3
  i32.eq
  local.get $bt
  i32.const 3
  i32.eq
  i32.and
  if
    i32.const 3
    local.get $ap
    local.get $bp
    i64.mul
    return
  end
  local.get $at
  call $val_is_num
  local.get $bt
  call $val_is_num
  i32.and
  if
    i32.const 4
    local.get $at
    local.get $ap
    call $val_to_f64
    local.get $bt
    local.get $bp
    call $val_to_f64
    f64.mul
    i64.reinterpret_f64
    return
  end
  ;; "ab" * n repeats; a negative count gives "" (spec decision 7)
  local.get $at
  i32.const 5
  i32.eq
  local.get $bt
  i32.const 3
  i32.eq
  i32.and
  if
    i32.const 5
    local.get $ap
    i32.wrap_i64
    local.get $bp
    i64.const 0
    local.get $bp
    i64.const 0
    i64.gt_s
    select
    call $str_repeat
    i64.extend_i32_u
    return
  end
  global.get $VS_mul_err
  local.get $at
  local.get $ap
  local.get $bt
  local.get $bp
  call $val_op_error
  i32.const 0
  i64.const 0)

(func $op_div (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32 i64)
  local.get $at
  i32.const 3
  i32.eq
  local.get $bt
  i32.const 3
  i32.eq
  i32.and
  if
    local.get $bp
    i64.eqz
    if
      global.get $VS_div_zero
      call $raise_error
      i32.const 0
      i64.const 0
      return
    end
    ;; i64 min / -1 would trap in wasm: it wraps to i64 min (same as negation)
    local.get $bp
    i64.const -1
    i64.eq
    if
      i32.const 3
      i64.const 0
      local.get $ap
      i64.sub
      return
    end
    i32.const 3
    local.get $ap
    local.get $bp
    i64.div_s
    return
  end
  local.get $at
  call $val_is_num
  local.get $bt
  call $val_is_num
  i32.and
  if
    i32.const 4
    local.get $at
    local.get $ap
    call $val_to_f64
    local.get $bt
    local.get $bp
    call $val_to_f64
    f64.div
    i64.reinterpret_f64
    return
  end
  global.get $VS_div_err
  local.get $at
  local.get $ap
  local.get $bt
  local.get $bp
  call $val_op_error
  i32.const 0
  i64.const 0)

(func $op_mod (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32 i64)
  local.get $at
  i32.const 3
  i32.eq
  local.get $bt
  i32.const 3
  i32.eq
  i32.and
  if
    local.get $bp
    i64.eqz
    if
      global.get $VS_mod_zero
      call $raise_error
      i32.const 0
      i64.const 0
      return
    end
    local.get $bp
    i64.const -1
    i64.eq
    if
      i32.const 3
      i64.const 0
      return
    end
    i32.const 3
    local.get $ap
    local.get $bp
    i64.rem_s
    return
  end
  local.get $at
  call $val_is_num
  local.get $bt
  call $val_is_num
  i32.and
  if
    i32.const 4
    local.get $at
    local.get $ap
    call $val_to_f64
    local.get $bt
    local.get $bp
    call $val_to_f64
    call $val_fmod
    i64.reinterpret_f64
    return
  end
  global.get $VS_mod_err
  local.get $at
  local.get $ap
  local.get $bt
  local.get $bp
  call $val_op_error
  i32.const 0
  i64.const 0)

;; C fmod semantics (result has the sign of x, |result| < |y|), exact.
;; Why this algorithm: wasm has no f64 remainder; x - trunc(x/y)*y is inexact.  Each
;; step subtracts y*2^k with y*2^k <= |x| < 2*y*2^k, which is exact (Sterbenz).
(func $val_fmod (param $x f64) (param $y f64) (result f64)
  (local $ax f64) (local $ay f64) (local $t f64)
  local.get $x
  f64.abs
  local.set $ax
  local.get $y
  f64.abs
  local.set $ay
  ;; NaN operands, y == 0 or x infinite (x - x is NaN) -> NaN
  local.get $x
  local.get $x
  f64.ne
  local.get $y
  local.get $y
  f64.ne
  i32.or
  local.get $ay
  f64.const 0
  f64.eq
  i32.or
  local.get $ax
  local.get $ax
  f64.sub
  f64.const 0
  f64.ne
  i32.or
  if
    f64.const 0
    f64.const 0
    f64.div
    return
  end
  local.get $ax
  local.get $ay
  f64.lt
  if
    local.get $x
    return
  end
  local.get $ay
  local.set $t
  block $up_done
    loop $up
      local.get $t
      f64.const 2
      f64.mul
      local.get $ax
      f64.gt
      br_if $up_done
      local.get $t
      f64.const 2
      f64.mul
      local.set $t
      br $up
    end
  end
  block $down_done
    loop $down
      local.get $ax
      local.get $t
      f64.ge
      if
        local.get $ax
        local.get $t
        f64.sub
        local.set $ax
      end
      local.get $t
      local.get $ay
      f64.eq
      br_if $down_done
      local.get $t
      f64.const 0.5
      f64.mul
      local.set $t
      br $down
    end
  end
  local.get $ax
  local.get $x
  f64.copysign)

(func $op_neg (param $t i32) (param $p i64) (result i32 i64)
  (local $sb i32) (local $s i32)
  local.get $t
  i32.const 3
  i32.eq
  if
    i32.const 3
    i64.const 0
    local.get $p
    i64.sub
    return
  end
  local.get $t
  i32.const 4
  i32.eq
  if
    i32.const 4
    local.get $p
    f64.reinterpret_i64
    f64.neg
    i64.reinterpret_f64
    return
  end
  call $val_sb_new
  local.tee $sb
  global.get $VS_neg_err
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
  call $release
  i32.const 0
  i64.const 0)

;; Sign of a $str_cmp-style result: -1, 0 or 1.
(func $val_sign (param $c i32) (result i32)
  local.get $c
  i32.const 0
  i32.gt_s
  local.get $c
  i32.const 0
  i32.lt_s
  i32.sub)

;; Three-way comparison for < <= > >=: -1, 0, 1, or 2 when unordered (NaN).
;; Numbers numerically (int/float mixes via f64), two strings byte-wise, any other
;; combination compares the string forms (spec section 5 table).
(func $val_cmp (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32)
  (local $fa f64) (local $fb f64) (local $sa i32) (local $sb i32) (local $c i32)
  local.get $at
  i32.const 3
  i32.eq
  local.get $bt
  i32.const 3
  i32.eq
  i32.and
  if
    local.get $ap
    local.get $bp
    i64.gt_s
    local.get $ap
    local.get $bp
    i64.lt_s
    i32.sub
    return
  end
  local.get $at
  call $val_is_num
  local.get $bt
  call $val_is_num
  i32.and
  if
    local.get $at
    local.get $ap
    call $val_to_f64
    local.set $fa
    local.get $bt
    local.get $bp
    call $val_to_f64
    local.set $fb
    local.get $fa
    local.get $fb
    f64.lt
    if
      i32.const -1
      return
    end
    local.get $fa
    local.get $fb
    f64.gt
    if
      i32.const 1
      return
    end
    local.get $fa
    local.get $fb
    f64.eq
    if
      i32.const 0
      return
    end
    i32.const 2
    return
  end
  local.get $at
  i32.const 5
  i32.eq
  local.get $bt
  i32.const 5
  i32.eq
  i32.and
  if
    local.get $ap
    i32.wrap_i64
    local.get $bp
    i32.wrap_i64
    call $str_cmp
    call $val_sign
    return
  end
  local.get $at
  local.get $ap
  call $to_string
  local.set $sa
  local.get $bt
  local.get $bp
  call $to_string
  local.set $sb
  local.get $sa
  local.get $sb
  call $str_cmp
  call $val_sign
  local.set $c
  i32.const 5
  local.get $sa
  i64.extend_i32_u
  call $release
  i32.const 5
  local.get $sb
  i64.extend_i32_u
  call $release
  local.get $c)

(func $op_lt (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32)
  local.get $at
  local.get $ap
  local.get $bt
  local.get $bp
  call $val_cmp
  i32.const -1
  i32.eq)

(func $op_le (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32)
  local.get $at
  local.get $ap
  local.get $bt
  local.get $bp
  call $val_cmp
  i32.const 1
  i32.add
  i32.const 1
  i32.le_u)

(func $op_gt (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32)
  local.get $at
  local.get $ap
  local.get $bt
  local.get $bp
  call $val_cmp
  i32.const 1
  i32.eq)

(func $op_ge (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32)
  local.get $at
  local.get $ap
  local.get $bt
  local.get $bp
  call $val_cmp
  i32.const 1
  i32.le_u)

;; Equality (spec section 5): an integer and a float compare as numbers (1 == 1.0);
;; other different kinds are never equal (void == null is false); numbers, bools, strings by value; arrays element-wise;
;; errors by message; maps and instances by identity; ConsoleBox/MathBox equal to their
;; own kind.
(func $op_eq (param $at i32) (param $ap i64) (param $bt i32) (param $bp i64) (result i32)
  (local $a i32) (local $b i32) (local $n i32) (local $i i32) (local $sa i32) (local $sb i32)
  local.get $at
  local.get $bt
  i32.ne
  if
    ;; an integer and a float compare as numbers, in either order (spec section 11 row 18)
    local.get $at
    local.get $bt
    i32.add
    i32.const 7
    i32.eq
    local.get $at
    i32.const 3
    i32.sub
    i32.const 2
    i32.lt_u
    i32.and
    if
      local.get $at
      local.get $ap
      call $val_to_f64
      local.get $bt
      local.get $bp
      call $val_to_f64
      f64.eq
      return
    end
    i32.const 0
    return
  end
  local.get $at
  i32.const 4
  i32.eq
  if
    local.get $ap
    f64.reinterpret_i64
    local.get $bp
    f64.reinterpret_i64
    f64.eq
    return
  end
  ;; identical payload: equal for every remaining kind (same object / same value)
  local.get $ap
  local.get $bp
  i64.eq
  if
    i32.const 1
    return
  end
  local.get $at
  i32.const 5
  i32.eq
  if
    local.get $ap
    i32.wrap_i64
    local.get $bp
    i32.wrap_i64
    call $str_eq
    return
  end
  ;; two builtin box objects: same kind and the kind's own equality (compiler-generated)
  local.get $at
  i32.const 10
  i32.eq
  if
    local.get $ap
    i32.wrap_i64
    local.get $bp
    i32.wrap_i64
    call $box_eq
    return
  end
  ;; two ErrorBoxes are equal when their messages are (upstream compares the message)
  local.get $at
  i32.const 8
  i32.eq
  if
    local.get $ap
    i32.wrap_i64
    i32.load offset=4
    local.get $bp
    i32.wrap_i64
    i32.load offset=4
    call $str_eq
    return
  end
  local.get $at
  i32.const 6
  i32.eq
  if
    local.get $ap
    i32.wrap_i64
    local.set $a
    local.get $bp
    i32.wrap_i64
    local.set $b
    local.get $a
    i32.load offset=4
    local.tee $n
    local.get $b
    i32.load offset=4
    i32.ne
    if
      i32.const 0
      return
    end
    block $differ
      loop $elems
        local.get $i
        local.get $n
        i32.ge_u
        if
          i32.const 1
          return
        end
        local.get $a
        local.get $i
        call $col_elem
        local.get $b
        local.get $i
        call $col_elem
        call $op_eq
        i32.eqz
        br_if $differ
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $elems
      end
    end
    i32.const 0
    return
  end
  ;; ints/bools with different payloads, maps/errors/instances with different
  ;; addresses: not equal
  i32.const 0)
