  ;; world.wat: what a program gets from its host (docs/design.md "World interface"):
  ;; command-line arguments, environment, exit status, standard input, and the UTF-8
  ;; repair every text that comes from outside goes through.  SystemBox lives here.
  ;; Module fields only.  Scratch memory 0x0800-0x08FF belongs to this file (transient
  ;; WASI out-parameters and iovecs; never live across a call into other code).
  ;; Imports are one per line (the runtime test harness hoists them).

  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))

  (global $w_args (mut i32) (i32.const 0))     ;; the arguments ArrayBox, built once
  ;; SystemBox.exit(n) with n >= 126 under our hosts: WASI hosts refuse proc_exit with
  ;; such statuses, so the status is left here and the module traps; the host exits
  ;; with it silently (docs/design.md "World interface", exit).
  (global $exit_status (export "nyash_exit_status") (mut i32) (i32.const -1))
  (global $in_buf (mut i32) (i32.const 0))     ;; stdin buffer (64 KiB, allocated on first read)
  (global $in_pos (mut i32) (i32.const 0))
  (global $in_len (mut i32) (i32.const 0))
  (global $in_eof (mut i32) (i32.const 0))

  ;; ---------------------------------------------------------------- small helpers
  ;; Immortal text of a WASI errno ("No such file or directory"; 76 -> "access denied").
  (func $errno_text (param $e i32) (result i32)
    (if (i32.gt_u (local.get $e) (i32.const 76)) (then (return (global.get $strtab_w_unknown_errno))))
    (i32.load (i32.add (global.get $strtab_w_errno) (i32.shl (local.get $e) (i32.const 2)))))

  ;; Raise the runtime error a + b (borrowed strings).
  (func $w_raise2 (param $a i32) (param $b i32)
    (local $m i32)
    (local.set $m (call $str_concat (local.get $a) (local.get $b)))
    (call $raise_error (local.get $m))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $m))))

  ;; Raise a + b + c (borrowed strings).
  (func $w_raise3 (param $a i32) (param $b i32) (param $c i32)
    (local $m i32) (local $n i32)
    (local.set $m (call $str_concat (local.get $a) (local.get $b)))
    (local.set $n (call $str_concat (local.get $m) (local.get $c)))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $m)))
    (call $raise_error (local.get $n))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $n))))

  ;; Raise prefix + (string form of a value).
  ;; Raise prefix + what the value is: an integer as itself; a string, float, bool,
  ;; null or void as its string form and kind (`got 3 (StringBox)`: the string "3" is
  ;; not the integer 3); anything else (arrays, maps, instances, boxes) by its kind.
  (func $w_raise_value (param $prefix i32) (param $t i32) (param $v i64)
    (local $s i32) (local $k i32)
    (if (i32.gt_u (local.get $t) (i32.const 5))
      (then (call $w_raise2 (local.get $prefix) (call $kind_name (local.get $t) (local.get $v))) (return)))
    (local.set $s (call $to_string (local.get $t) (local.get $v)))
    (if (i32.ne (local.get $t) (i32.const 3))
      (then
        (local.set $k (call $str_concat (local.get $s) (global.get $strtab_w_kind_open)))
        (call $release (i32.const 5) (i64.extend_i32_u (local.get $s)))
        (local.set $s (call $str_concat (local.get $k) (call $kind_name (local.get $t) (local.get $v))))
        (call $release (i32.const 5) (i64.extend_i32_u (local.get $k)))
        (call $w_raise3 (local.get $prefix) (local.get $s) (global.get $strtab_close_paren))
        (call $release (i32.const 5) (i64.extend_i32_u (local.get $s)))
        (return)))
    (call $w_raise2 (local.get $prefix) (local.get $s))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $s))))

  (func $w_strlen (param $p i32) (result i32)
    (local $q i32)
    (local.set $q (local.get $p))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $q) (local.get $p)))

  ;; 1 when the n bytes at a and b are equal.
  (func $w_memeq (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $i i32)
    (block $end
      (loop $next
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i)))
                    (i32.load8_u (i32.add (local.get $b) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 1))

  ;; Index of the first byte $c in [p, p+n), or -1.
  (func $w_memchr (param $p i32) (param $n i32) (param $c i32) (result i32)
    (local $i i32)
    (block $end
      (loop $next
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $i))) (local.get $c))
          (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; Free a string builder without making a string of it.
  (func $w_sb_discard (param $sb i32)
    (call $free (i32.load (local.get $sb)))
    (call $free (local.get $sb)))

  ;; ---------------------------------------------------------------- UTF-8 repair
  ;; Length of the well-formed UTF-8 sequence at p (p < end), or -k when the first k
  ;; bytes (k >= 1) are the maximal ill-formed prefix (Unicode's "maximal subpart",
  ;; which is what Rust's from_utf8_lossy replaces with one U+FFFD).
  (func $utf8_seq (param $p i32) (param $end i32) (result i32)
    (local $b i32) (local $n i32) (local $lo i32) (local $hi i32) (local $k i32) (local $c i32)
    (local.set $b (i32.load8_u (local.get $p)))
    (if (i32.lt_u (local.get $b) (i32.const 0x80)) (then (return (i32.const 1))))
    (local.set $lo (i32.const 0x80))
    (local.set $hi (i32.const 0xBF))
    (if (i32.lt_u (local.get $b) (i32.const 0xC2)) (then (return (i32.const -1))))
    (if (i32.lt_u (local.get $b) (i32.const 0xE0))
      (then (local.set $n (i32.const 2)))
      (else
        (if (i32.lt_u (local.get $b) (i32.const 0xF0))
          (then
            (local.set $n (i32.const 3))
            (if (i32.eq (local.get $b) (i32.const 0xE0)) (then (local.set $lo (i32.const 0xA0))))
            (if (i32.eq (local.get $b) (i32.const 0xED)) (then (local.set $hi (i32.const 0x9F)))))
          (else
            (if (i32.gt_u (local.get $b) (i32.const 0xF4)) (then (return (i32.const -1))))
            (local.set $n (i32.const 4))
            (if (i32.eq (local.get $b) (i32.const 0xF0)) (then (local.set $lo (i32.const 0x90))))
            (if (i32.eq (local.get $b) (i32.const 0xF4)) (then (local.set $hi (i32.const 0x8F))))))))
    (local.set $k (i32.const 1))
    (block $bad
      (loop $cont
        (br_if $bad (i32.ge_u (i32.add (local.get $p) (local.get $k)) (local.get $end)))
        (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $k))))
        (br_if $bad (i32.lt_u (local.get $c) (local.get $lo)))
        (br_if $bad (i32.gt_u (local.get $c) (local.get $hi)))
        (local.set $lo (i32.const 0x80))
        (local.set $hi (i32.const 0xBF))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $cont (i32.lt_u (local.get $k) (local.get $n))))
      (return (local.get $n)))
    (i32.sub (i32.const 0) (local.get $k)))

  ;; Consume the owned string s; return it, or (when it holds bytes that are not UTF-8)
  ;; a copy with each ill-formed part replaced by U+FFFD.  Every text that enters from
  ;; outside (stdin, files, arguments, environment) goes through here, so strings stay
  ;; well-formed UTF-8.
  (func $str_lossy (param $s i32) (result i32)
    (local $p i32) (local $end i32) (local $n i32) (local $sb i32) (local $r i32)
    (local.set $p (i32.add (local.get $s) (i32.const 8)))
    (local.set $end (i32.add (local.get $p) (i32.load offset=4 (local.get $s))))
    (block $invalid
      (loop $scan
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (local.get $s))))
        (local.set $n (call $utf8_seq (local.get $p) (local.get $end)))
        (br_if $invalid (i32.lt_s (local.get $n) (i32.const 0)))
        (local.set $p (i32.add (local.get $p) (local.get $n)))
        (br $scan)))
    (local.set $sb (call $val_sb_new))
    (call $val_sb_add_bytes (local.get $sb) (i32.add (local.get $s) (i32.const 8))
                            (i32.sub (local.get $p) (i32.add (local.get $s) (i32.const 8))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $n (call $utf8_seq (local.get $p) (local.get $end)))
        (if (i32.lt_s (local.get $n) (i32.const 0))
          (then
            ;; U+FFFD is EF BF BD
            (i32.store8 (i32.const 0x8F0) (i32.const 0xEF))
            (i32.store8 (i32.const 0x8F1) (i32.const 0xBF))
            (i32.store8 (i32.const 0x8F2) (i32.const 0xBD))
            (call $val_sb_add_bytes (local.get $sb) (i32.const 0x8F0) (i32.const 3))
            (local.set $n (i32.sub (i32.const 0) (local.get $n))))
          (else (call $val_sb_add_bytes (local.get $sb) (local.get $p) (local.get $n))))
        (local.set $p (i32.add (local.get $p) (local.get $n)))
        (br $next)))
    (local.set $r (call $val_sb_finish (local.get $sb)))
    (call $release (i32.const 5) (i64.extend_i32_u (local.get $s)))
    (local.get $r))

  ;; Owned well-formed string from n bytes at p.
  (func $str_from_outside (param $p i32) (param $n i32) (result i32)
    (call $str_lossy (call $str_from_bytes (local.get $p) (local.get $n))))

  ;; ---------------------------------------------------------------- arguments
  ;; The program's arguments (argv without argv[0]) as an ArrayBox of strings; built on
  ;; first use and shared: main(args) and every SystemBox.args() get this same array.
  (func $world_args (result i32)
    (local $argc i32) (local $ptrs i32) (local $buf i32) (local $i i32) (local $s i32) (local $p i32)
    (if (i32.eqz (global.get $w_args))
      (then
        (global.set $w_args (call $arr_new))
        (if (i32.eqz (call $args_sizes_get (i32.const 0x800) (i32.const 0x804)))
          (then
            (local.set $argc (i32.load (i32.const 0x800)))
            (local.set $ptrs (call $alloc (i32.shl (local.get $argc) (i32.const 2))))
            (local.set $buf (call $alloc (i32.load (i32.const 0x804))))
            (if (i32.eqz (call $args_get (local.get $ptrs) (local.get $buf)))
              (then
                (local.set $i (i32.const 1))
                (block $done
                  (loop $next
                    (br_if $done (i32.ge_u (local.get $i) (local.get $argc)))
                    (local.set $p (i32.load (i32.add (local.get $ptrs) (i32.shl (local.get $i) (i32.const 2)))))
                    (local.set $s (call $str_from_outside (local.get $p) (call $w_strlen (local.get $p))))
                    (call $arr_push_v (global.get $w_args) (i32.const 5) (i64.extend_i32_u (local.get $s)))
                    (call $release (i32.const 5) (i64.extend_i32_u (local.get $s)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $next)))))
            (call $free (local.get $ptrs))
            (call $free (local.get $buf))))))
    (call $retain (i32.const 6) (i64.extend_i32_u (global.get $w_args)))
    (global.get $w_args))

  ;; ---------------------------------------------------------------- environment
  ;; Owned value of environment variable $name (a string object), or 0 when unset.
  (func $world_env (param $name i32) (result i32)
    (local $count i32) (local $ptrs i32) (local $buf i32) (local $i i32) (local $p i32)
    (local $n i32) (local $r i32)
    (local.set $n (i32.load offset=4 (local.get $name)))
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (if (i32.ge_s (call $w_memchr (i32.add (local.get $name) (i32.const 8)) (local.get $n) (i32.const 61))
                  (i32.const 0))
      (then (return (i32.const 0))))
    (if (call $environ_sizes_get (i32.const 0x800) (i32.const 0x804)) (then (return (i32.const 0))))
    (local.set $count (i32.load (i32.const 0x800)))
    (local.set $ptrs (call $alloc (i32.shl (local.get $count) (i32.const 2))))
    (local.set $buf (call $alloc (i32.load (i32.const 0x804))))
    (if (i32.eqz (call $environ_get (local.get $ptrs) (local.get $buf)))
      (then
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $p (i32.load (i32.add (local.get $ptrs) (i32.shl (local.get $i) (i32.const 2)))))
            (if (call $w_memeq (local.get $p) (i32.add (local.get $name) (i32.const 8)) (local.get $n))
              (then
                (if (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $n))) (i32.const 61))
                  (then
                    (local.set $p (i32.add (local.get $p) (i32.add (local.get $n) (i32.const 1))))
                    (local.set $r (call $str_from_outside (local.get $p) (call $w_strlen (local.get $p))))
                    (br $done)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))))
    (call $free (local.get $ptrs))
    (call $free (local.get $buf))
    (local.get $r))

  ;; ---------------------------------------------------------------- SystemBox
  (func $m_System_args (param $self i64) (result i32 i64)
    (i32.const 6) (i64.extend_i32_u (call $world_args)))

  ;; env(name): the variable's value, or null when it is not set
  (func $m_System_env (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (local $r i32)
    (if (i32.ne (local.get $t) (i32.const 5))
      (then (call $raise_error (global.get $strtab_w_env_name)) (return (i32.const 0) (i64.const 0))))
    (local.set $r (call $world_env (i32.wrap_i64 (local.get $v))))
    (if (i32.eqz (local.get $r)) (then (return (i32.const 1) (i64.const 0))))
    (i32.const 5) (i64.extend_i32_u (local.get $r)))

  ;; exit(code): flush output and end the process with status 0-255 (finally blocks
  ;; do not run); any other value is a runtime error
  (func $m_System_exit (param $self i64) (param $t i32) (param $v i64) (result i32 i64)
    (if (i32.and (i32.eq (local.get $t) (i32.const 3))
                 (i64.le_u (local.get $v) (i64.const 255)))
      (then
        (call $out_flush)
        (global.set $exit_status (i32.wrap_i64 (local.get $v)))
        (if (i32.and (global.get $trap_mode) (i64.ge_u (local.get $v) (i64.const 126)))
          (then (unreachable)))
        (call $proc_exit (i32.wrap_i64 (local.get $v)))
        (unreachable)))
    (call $w_raise_value (global.get $strtab_w_exit_status) (local.get $t) (local.get $v))
    (i32.const 0) (i64.const 0))

  ;; ---------------------------------------------------------------- standard input
  ;; Refill the stdin buffer: 1 when bytes arrived, 0 at end of input (or after raising
  ;; a read error).  A missing stdin (EBADF) is end of input; EINTR is retried.
  (func $w_in_fill (result i32)
    (local $err i32) (local $n i32)
    (if (global.get $in_eof) (then (return (i32.const 0))))
    (if (i32.eqz (global.get $in_buf)) (then (global.set $in_buf (call $alloc (i32.const 65536)))))
    (global.set $in_pos (i32.const 0))
    (global.set $in_len (i32.const 0))
    (loop $retry
      (i32.store (i32.const 0x810) (global.get $in_buf))
      (i32.store (i32.const 0x814) (i32.const 65536))
      (local.set $err (call $fd_read (i32.const 0) (i32.const 0x810) (i32.const 1) (i32.const 0x818)))
      (br_if $retry (i32.eq (local.get $err) (i32.const 27))))
    (if (local.get $err)
      (then
        (global.set $in_eof (i32.const 1))
        (if (i32.ne (local.get $err) (i32.const 8))
          (then (call $w_raise2 (global.get $strtab_w_stdin) (call $errno_text (local.get $err)))))
        (return (i32.const 0))))
    (local.set $n (i32.load (i32.const 0x818)))
    (if (i32.eqz (local.get $n))
      (then (global.set $in_eof (i32.const 1)) (return (i32.const 0))))
    (global.set $in_len (local.get $n))
    (i32.const 1))

  ;; readLine(): the next line without its "\n" or "\r\n", null at end of input.
  ;; Output printed so far is flushed first, so a prompt shows before the program waits.
  (func $m_Console_readLine (param $self i64) (result i32 i64)
    (local $sb i32) (local $base i32) (local $avail i32) (local $i i32) (local $nl i32) (local $n i32)
    (call $out_flush)
    (local.set $sb (call $val_sb_new))
    (block $line
      (loop $more
        (if (i32.ge_u (global.get $in_pos) (global.get $in_len))
          (then (br_if $line (i32.eqz (call $w_in_fill)))))
        (local.set $base (i32.add (global.get $in_buf) (global.get $in_pos)))
        (local.set $avail (i32.sub (global.get $in_len) (global.get $in_pos)))
        (local.set $i (call $w_memchr (local.get $base) (local.get $avail) (i32.const 10)))
        (if (i32.ge_s (local.get $i) (i32.const 0))
          (then
            (call $val_sb_add_bytes (local.get $sb) (local.get $base) (local.get $i))
            (global.set $in_pos (i32.add (global.get $in_pos) (i32.add (local.get $i) (i32.const 1))))
            (local.set $nl (i32.const 1))
            (br $line)))
        (call $val_sb_add_bytes (local.get $sb) (local.get $base) (local.get $avail))
        (global.set $in_pos (global.get $in_len))
        (br $more)))
    (local.set $n (i32.load offset=4 (local.get $sb)))
    (if (i32.or (global.get $exc_pending) (i32.and (i32.eqz (local.get $nl)) (i32.eqz (local.get $n))))
      (then
        (call $w_sb_discard (local.get $sb))
        (if (global.get $exc_pending) (then (return (i32.const 0) (i64.const 0))))
        (return (i32.const 1) (i64.const 0))))
    (if (i32.and (local.get $nl) (i32.gt_u (local.get $n) (i32.const 0)))
      (then
        (if (i32.eq (i32.load8_u (i32.add (i32.load (local.get $sb)) (i32.sub (local.get $n) (i32.const 1))))
                    (i32.const 13))
          (then (i32.store offset=4 (local.get $sb) (i32.sub (local.get $n) (i32.const 1)))))))
    (i32.const 5) (i64.extend_i32_u (call $str_lossy (call $val_sb_finish (local.get $sb)))))

  ;; readAll(): the rest of standard input ("" at end of input).
  (func $m_Console_readAll (param $self i64) (result i32 i64)
    (local $sb i32)
    (call $out_flush)
    (local.set $sb (call $val_sb_new))
    (block $end
      (loop $more
        (if (i32.lt_u (global.get $in_pos) (global.get $in_len))
          (then
            (call $val_sb_add_bytes (local.get $sb) (i32.add (global.get $in_buf) (global.get $in_pos))
                                    (i32.sub (global.get $in_len) (global.get $in_pos)))
            (global.set $in_pos (global.get $in_len))))
        (br_if $more (call $w_in_fill))))
    (if (global.get $exc_pending)
      (then (call $w_sb_discard (local.get $sb)) (return (i32.const 0) (i64.const 0))))
    (i32.const 5) (i64.extend_i32_u (call $str_lossy (call $val_sb_finish (local.get $sb)))))

  ;; ---------------------------------------------------------------- WASI for C parts
  ;; C runtime parts can only call runtime functions, so each WASI function they use
  ;; has a wrapper of the same signature here.
  (func $wasi_fd_prestat_get (param i32 i32) (result i32)
    (call $fd_prestat_get (local.get 0) (local.get 1)))
  (func $wasi_fd_prestat_dir_name (param i32 i32 i32) (result i32)
    (call $fd_prestat_dir_name (local.get 0) (local.get 1) (local.get 2)))
  (func $wasi_path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)
    (call $path_open (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                     (local.get 5) (local.get 6) (local.get 7) (local.get 8)))
  (func $wasi_fd_read (param i32 i32 i32 i32) (result i32)
    (call $fd_read (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func $wasi_fd_write (param i32 i32 i32 i32) (result i32)
    (call $fd_write (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func $wasi_fd_close (param i32) (result i32)
    (call $fd_close (local.get 0)))
  (func $wasi_fd_seek (param i32 i64 i32 i32) (result i32)
    (call $fd_seek (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func $wasi_fd_filestat_get (param i32 i32) (result i32)
    (call $fd_filestat_get (local.get 0) (local.get 1)))
  (func $wasi_path_filestat_get (param i32 i32 i32 i32 i32) (result i32)
    (call $path_filestat_get (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func $wasi_path_unlink_file (param i32 i32 i32) (result i32)
    (call $path_unlink_file (local.get 0) (local.get 1) (local.get 2)))
  (func $wasi_path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $path_readlink (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)))

  ;; ---------------------------------------------------------------- FileBox
  ;; Object layout and methods: runtime/c/world_fs.c.  new FileBox() has no file yet;
  ;; new FileBox(path) takes the string form of its argument.
  (func $new_File_0 (result i32)
    (local $p i32)
    (local.set $p (call $box_alloc (global.get $kid_File) (i32.const 24)))
    (i32.store offset=16 (local.get $p) (i32.const -1))
    (local.get $p))
  (func $new_File_1 (param $t i32) (param $v i64) (result i32)
    (local $p i32)
    (local.set $p (call $new_File_0))
    (i32.store offset=8 (local.get $p) (call $to_string (local.get $t) (local.get $v)))
    (local.get $p))

  ;; ---------------------------------------------------------------- time and randomness
  ;; Methods and formats: runtime/c/world_time.c and world_random.c.
  (func $wasi_clock_time_get (param i32 i64 i32) (result i32)
    (call $clock_time_get (local.get 0) (local.get 1) (local.get 2)))
  (func $wasi_poll_oneoff (param i32 i32 i32 i32) (result i32)
    (call $poll_oneoff (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func $wasi_random_get (param i32 i32) (result i32)
    (call $random_get (local.get 0) (local.get 1)))

  ;; a DateTimeBox at an instant: +8 seconds since the epoch, +16 nanoseconds
  (func $new_DateTime_at (param $secs i64) (param $nanos i32) (result i32)
    (local $p i32)
    (local.set $p (call $box_alloc (global.get $kid_DateTime) (i32.const 24)))
    (i64.store offset=8 (local.get $p) (local.get $secs))
    (i32.store offset=16 (local.get $p) (local.get $nanos))
    (local.get $p))

  ;; new TimerBox(): +8 start (monotonic ns), +16 object id (printed as TimerBox(id=N))
  (func $new_Timer (result i32)
    (local $p i32)
    (local.set $p (call $box_alloc (global.get $kid_Timer) (i32.const 24)))
    (i64.store offset=8 (local.get $p) (call $timer_now))
    (i32.store offset=16 (local.get $p) (global.get $next_obj_id))
    (global.set $next_obj_id (i32.add (global.get $next_obj_id) (i32.const 1)))
    (local.get $p))

  ;; new RandomBox(): +8 the generator state (0 object after a bad NYASH_RANDOM_SEED)
  (func $new_Random (result i32)
    (local $p i32) (local $s i64)
    (local.set $s (call $random_initial_state))
    (if (global.get $exc_pending) (then (return (i32.const 0))))
    (local.set $p (call $box_alloc (global.get $kid_Random) (i32.const 16)))
    (i64.store offset=8 (local.get $p) (local.get $s))
    (local.get $p))
