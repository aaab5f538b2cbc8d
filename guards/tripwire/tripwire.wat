;; A guard that misbehaves on request, for the enforcement tests: label_resource traps when the
;; call's input contains "TRIP" and never returns when it contains "SPIN"; otherwise every call
;; is an unlabelled read and responses are left unlabelled. It has no allocator, so the host
;; uses the direct-memory fallback.
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "{\"agent\":{\"secrecy\":[],\"integrity\":[]},\"difc_mode\":\"filter\"}")
  (data (i32.const 128) "{\"resource\":{\"description\":\"tripwire\",\"secrecy\":[],\"integrity\":[]},\"operation\":\"read\"}")

  (func $out (param $src i32) (param $len i32) (param $dst i32) (param $size i32) (result i32)
    (if (i32.gt_u (local.get $len) (local.get $size)) (then (return (i32.const -1))))
    (memory.copy (local.get $dst) (local.get $src) (local.get $len))
    local.get $len)

  ;; 1 when the 4 bytes `word` (little-endian) occur in [in, in+len)
  (func $contains (param $in i32) (param $len i32) (param $word i32) (result i32)
    (local $i i32)
    (if (i32.lt_u (local.get $len) (i32.const 4)) (then (return (i32.const 0))))
    (loop $scan
      (if (i32.eq (i32.load (i32.add (local.get $in) (local.get $i))) (local.get $word)) (then (return (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $scan (i32.le_u (local.get $i) (i32.sub (local.get $len) (i32.const 4)))))
    (i32.const 0))

  (func (export "label_agent") (param $in i32) (param $len i32) (param $dst i32) (param $size i32) (result i32)
    (call $out (i32.const 0) (i32.const 60) (local.get $dst) (local.get $size)))

  (func (export "label_resource") (param $in i32) (param $len i32) (param $dst i32) (param $size i32) (result i32)
    ;; "TRIP"
    (if (call $contains (local.get $in) (local.get $len) (i32.const 0x50495254)) (then unreachable))
    ;; "SPIN"
    (if (call $contains (local.get $in) (local.get $len) (i32.const 0x4E495053)) (then (loop $forever (br $forever))))
    (call $out (i32.const 128) (i32.const 86) (local.get $dst) (local.get $size)))

  (func (export "label_response") (param $in i32) (param $len i32) (param $dst i32) (param $size i32) (result i32)
    (i32.const 0)))
