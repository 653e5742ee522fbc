  ;; databox.wat: allocation of the data boxes' objects (BufferBox, StreamBox,
  ;; DebugBox).  Their methods are C (runtime/c/data_*.c); these few functions are
  ;; here because only WAT can name the compiler-defined kind ids.  Module fields only.

  ;; A BufferBox on the data block $data (one more holder already counted by the caller).
  (func $buffer_obj (param $data i32) (result i32)
    (local $p i32)
    (local.set $p (call $box_alloc (global.get $kid_Buffer) (i32.const 16)))
    (i32.store offset=8 (local.get $p) (local.get $data))
    (local.get $p))

  (func $buffer_kid (result i32) (global.get $kid_Buffer))

  ;; new StreamBox(): no bytes, position 0 (layout: runtime/c/data_bytes.c)
  (func $new_Stream (result i32)
    (call $box_alloc (global.get $kid_Stream) (i32.const 24)))

  ;; new DebugBox(): not tracking, nothing recorded (layout: runtime/c/data_debug.c)
  (func $new_Debug (result i32)
    (call $box_alloc (global.get $kid_Debug) (i32.const 48)))

  ;; The declared field names of user instance $p, "a, b" (immortal; compiler-made table).
  (func $inst_field_names (param $p i32) (result i32)
    (call $class_fields (i32.load offset=4 (local.get $p))))
