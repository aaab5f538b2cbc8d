;; A guard whose label_resource misbehaves on command: the last character of the tool name
;; (just before the closing quote and brace of the input JSON) picks the behaviour, so one
;; module covers every edge case the host must survive. label_agent records that a policy was
;; set, and the default label_resource answer says whether it was, which makes policy replay
;; observable. alloc/dealloc are a LIFO bump allocator; dealloc logs "dealloc" via host_log.
(module
  (import "env" "call_backend" (func $call_backend (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "host_log" (func $host_log (param i32 i32 i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (global $policy (mut i32) (i32.const 0))
  (data (i32.const 256) "{\"resource\":{\"description\":\"no-policy\",\"secrecy\":[],\"integrity\":[]},\"operation\":\"read\"}")
  (data (i32.const 512) "{\"resource\":{\"description\":\"policy-set\",\"secrecy\":[\"s\"],\"integrity\":[\"i\"]},\"operation\":\"read\"}")
  (data (i32.const 768) "{\"agent\":{\"secrecy\":[\"s\"],\"integrity\":[\"i\"]},\"difc_mode\":\"filter\"}")
  (data (i32.const 1024) "dealloc")
  (data (i32.const 1040) "echo")
  (data (i32.const 1048) "lvl")
  (data (i32.const 1056) "hello from stdout\n")
  ;; iovec for fd_write: pointer 1056, length 18
  (data (i32.const 1088) "\20\04\00\00\12\00\00\00")

  (func $align (param $n i32) (result i32)
    local.get $n i32.const 7 i32.add i32.const -8 i32.and)

  (func (export "alloc") (param $size i32) (result i32)
    (local $ptr i32) (local $end i32) (local $have i32)
    global.get $heap local.set $ptr
    local.get $ptr local.get $size call $align i32.add local.set $end
    memory.size i32.const 16 i32.shl local.set $have
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535)) (i32.const 16)))
              (i32.const -1))
          (then (return (i32.const 0))))))
    local.get $end global.set $heap
    local.get $ptr)

  (func (export "dealloc") (param $ptr i32) (param $size i32)
    (if (i32.eq (i32.add (local.get $ptr) (call $align (local.get $size))) (global.get $heap))
      (then (global.set $heap (local.get $ptr))))
    (call $host_log (i32.const 1) (i32.const 1024) (i32.const 7)))

  (func $out (param $src i32) (param $len i32) (param $dst i32) (param $size i32) (result i32)
    (if (i32.gt_u (local.get $len) (local.get $size)) (then (return (i32.const -1))))
    (memory.copy (local.get $dst) (local.get $src) (local.get $len))
    local.get $len)

  (func $labels (param $dst i32) (param $size i32) (result i32)
    (if (result i32) (global.get $policy)
      (then (call $out (i32.const 512) (i32.const 94) (local.get $dst) (local.get $size)))
      (else (call $out (i32.const 256) (i32.const 87) (local.get $dst) (local.get $size)))))

  (func $recurse (param $n i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  (func (export "label_agent") (param $in i32) (param $len i32) (param $dst i32) (param $size i32) (result i32)
    (global.set $policy (i32.const 1))
    (call $out (i32.const 768) (i32.const 66) (local.get $dst) (local.get $size)))

  (func (export "label_response") (param $in i32) (param $len i32) (param $dst i32) (param $size i32) (result i32)
    (call $out (local.get $in) (local.get $len) (local.get $dst) (local.get $size)))

  (func (export "label_resource") (param $in i32) (param $len i32) (param $dst i32) (param $size i32) (result i32)
    (local $cmd i32) (local $i i32) (local $ok i32) (local $r i32)
    (local.set $cmd (i32.load8_u (i32.sub (i32.add (local.get $in) (local.get $len)) (i32.const 3))))
    ;; L: never return
    (if (i32.eq (local.get $cmd) (i32.const 76)) (then (loop $spin (br $spin))))
    ;; T: trap
    (if (i32.eq (local.get $cmd) (i32.const 84)) (then unreachable))
    ;; S: stack overflow
    (if (i32.eq (local.get $cmd) (i32.const 83)) (then (return (call $recurse (i32.const 0)))))
    ;; E: proc_exit(1); Z: proc_exit(0)
    (if (i32.eq (local.get $cmd) (i32.const 69)) (then (call $proc_exit (i32.const 1)) unreachable))
    (if (i32.eq (local.get $cmd) (i32.const 90)) (then (call $proc_exit (i32.const 0)) unreachable))
    ;; N: error code -1
    (if (i32.eq (local.get $cmd) (i32.const 78)) (then (return (i32.const -1))))
    ;; M: grow memory 16 pages at a time; -3 when growth is refused, -4 past 1024 pages
    (if (i32.eq (local.get $cmd) (i32.const 77))
      (then
        (loop $grow
          (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then (return (i32.const -3))))
          (if (i32.ge_u (memory.size) (i32.const 1024)) (then (return (i32.const -4))))
          (br $grow))))
    ;; B: 51 call_backend calls; returns -1000 - successes - (100 if the last one got -1)
    (if (i32.eq (local.get $cmd) (i32.const 66))
      (then
        (loop $calls
          (local.set $r (call $call_backend (i32.const 1040) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 1536) (i32.const 64)))
          (if (i32.gt_s (local.get $r) (i32.const 0)) (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $calls (i32.lt_u (local.get $i) (i32.const 51))))
        (return (i32.sub (i32.sub (i32.const -1000) (local.get $ok))
          (select (i32.const 100) (i32.const 0) (i32.eq (local.get $r) (i32.const -1)))))))
    ;; C: call_backend("echo", <this input>) straight into the output buffer
    (if (i32.eq (local.get $cmd) (i32.const 67))
      (then (return (call $call_backend (i32.const 1040) (i32.const 4) (local.get $in) (local.get $len) (local.get $dst) (local.get $size)))))
    ;; K: call_backend into a 4-byte buffer; -10000 - the size hint it wrote when it got -2
    (if (i32.eq (local.get $cmd) (i32.const 75))
      (then
        (local.set $r (call $call_backend (i32.const 1040) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 1536) (i32.const 4)))
        (if (i32.ne (local.get $r) (i32.const -2)) (then (return (i32.const -5))))
        (return (i32.sub (i32.const -10000) (i32.load (i32.const 1536))))))
    ;; J: call_backend into a 2-byte buffer; -3 when it got -2 and the buffer is untouched
    (if (i32.eq (local.get $cmd) (i32.const 74))
      (then
        (i32.store16 (i32.const 1536) (i32.const 30583))
        (local.set $r (call $call_backend (i32.const 1040) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 1536) (i32.const 2)))
        (return (select (i32.const -3) (i32.const -4)
          (i32.and (i32.eq (local.get $r) (i32.const -2)) (i32.eq (i32.load16_u (i32.const 1536)) (i32.const 30583)))))))
    ;; H: -2 with a 5 MiB hint until the buffer is that big
    (if (i32.eq (local.get $cmd) (i32.const 72))
      (then (if (i32.lt_u (local.get $size) (i32.const 5242880))
        (then (i32.store (local.get $dst) (i32.const 5242880)) (return (i32.const -2))))))
    ;; D: -2 without a hint, always
    (if (i32.eq (local.get $cmd) (i32.const 68))
      (then (i32.store (local.get $dst) (i32.const 0)) (return (i32.const -2))))
    ;; G: -2 asking for 100 MiB
    (if (i32.eq (local.get $cmd) (i32.const 71))
      (then (i32.store (local.get $dst) (i32.const 104857600)) (return (i32.const -2))))
    ;; O: host_log at levels 0, 1, 2, 3 and 99, then with a pointer past the end of memory
    (if (i32.eq (local.get $cmd) (i32.const 79))
      (then
        (call $host_log (i32.const 0) (i32.const 1048) (i32.const 3))
        (call $host_log (i32.const 1) (i32.const 1048) (i32.const 3))
        (call $host_log (i32.const 2) (i32.const 1048) (i32.const 3))
        (call $host_log (i32.const 3) (i32.const 1048) (i32.const 3))
        (call $host_log (i32.const 99) (i32.const 1048) (i32.const 3))
        (call $host_log (i32.const 1) (i32.const -16) (i32.const 64))))
    ;; I: read stdin (one 16-byte iovec at 1152); -100 - the number of bytes read
    (if (i32.eq (local.get $cmd) (i32.const 73))
      (then
        (i32.store (i32.const 1152) (i32.const 1168))
        (i32.store (i32.const 1156) (i32.const 16))
        (i32.store (i32.const 1160) (i32.const 77))
        (drop (call $fd_read (i32.const 0) (i32.const 1152) (i32.const 1) (i32.const 1160)))
        (return (i32.sub (i32.const -100) (i32.load (i32.const 1160))))))
    ;; W: write to stdout and read random bytes through WASI, then answer normally
    (if (i32.eq (local.get $cmd) (i32.const 87))
      (then
        (drop (call $fd_write (i32.const 1) (i32.const 1088) (i32.const 1) (i32.const 1104)))
        (drop (call $random_get (i32.const 1120) (i32.const 16)))))
    (call $labels (local.get $dst) (local.get $size)))
)
