  ;; JSONBox, RegexBox, ResultBox and the network boxes: the constructors, which need
  ;; the kind ids the compiler defines.  Methods, printed forms, equality and release:
  ;; runtime/c/data_boxes.c (engines: c/json.c, c/regex.c); contract: docs/data-boxes.md.

  ;; new JSONBox(text): the document parsed (a malformed one raises, naming line and column)
  (func $new_JSON (param $t i32) (param $v i64) (result i32)
    (call $json_box_new (global.get $kid_JSON) (local.get $t) (local.get $v)))

  ;; new RegexBox(pattern): compiled (an invalid pattern raises)
  (func $new_Regex (param $t i32) (param $v i64) (result i32)
    (call $regex_box_new (global.get $kid_Regex) (local.get $t) (local.get $v)))

  ;; new ResultBox(value): Ok(value); +8 tag, +16 payload (a reference of its own)
  (func $new_Result (param $t i32) (param $v i64) (result i32)
    (local $p i32)
    (local.set $p (call $box_alloc (global.get $kid_Result) (i32.const 24)))
    (i32.store offset=8 (local.get $p) (local.get $t))
    (i64.store offset=16 (local.get $p) (local.get $v))
    (call $retain (local.get $t) (local.get $v))
    (local.get $p))

  ;; SocketBox, HTTPClientBox, HTTPServerBox: +8 an object number (printed as id: N)
  (func $net_box_new (param $kid i32) (result i32)
    (local $p i32)
    (local.set $p (call $box_alloc (local.get $kid) (i32.const 16)))
    (i32.store offset=8 (local.get $p) (global.get $next_obj_id))
    (global.set $next_obj_id (i32.add (global.get $next_obj_id) (i32.const 1)))
    (local.get $p))
  (func $new_Socket (result i32) (call $net_box_new (global.get $kid_Socket)))
  (func $new_HTTPClient (result i32) (call $net_box_new (global.get $kid_HTTPClient)))
  (func $new_HTTPServer (result i32) (call $net_box_new (global.get $kid_HTTPServer)))

  ;; new P2PBox(node_id, transport)
  (func $new_P2P (param $at i32) (param $av i64) (param $bt i32) (param $bv i64) (result i32)
    (call $p2p_box_new (global.get $kid_P2P) (local.get $at) (local.get $av) (local.get $bt) (local.get $bv)))
