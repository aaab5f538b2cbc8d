;; The pass-through guard: labels nothing and allows every call, for benchmarks that measure
;; what the guard machinery itself costs. Every answer is a constant; label_response is never
;; reached because each call is labelled a write, which the gateway does not label afterwards.
;;
;; Why a write, with secrecy ["*"] and no integrity: the write check asks that the agent's
;; integrity cover the resource's (empty: always) and that the agent's secrecy fit inside the
;; resource's ("*" accepts every tag). So no agent, however labelled, is ever refused, and a write
;; neither taints the agent nor sends the response back through the guard.
(module
  (memory (export "memory") 1)

  ;; label_agent answer at 0, label_resource answer at 128; the heap starts at 1024.
  (data (i32.const 0) "{\"agent\":{\"secrecy\":[],\"integrity\":[]},\"difc_mode\":\"strict\"}")
  (data (i32.const 128) "{\"resource\":{\"description\":\"passthrough\",\"secrecy\":[\"*\"],\"integrity\":[]},\"operation\":\"write\"}")
  (global $heap_base i32 (i32.const 1024))
  (global $top (mut i32) (i32.const 1024))

  ;; Copies a constant answer into the host's buffer, or asks for a bigger one (−2 + size).
  (func $answer (param $src i32) (param $len i32) (param $out i32) (param $size i32) (result i32)
    (if (i32.lt_u (local.get $size) (local.get $len))
      (then
        (if (i32.ge_u (local.get $size) (i32.const 4))
          (then (i32.store (local.get $out) (local.get $len))))
        (return (i32.const -2))))
    (memory.copy (local.get $out) (local.get $src) (local.get $len))
    (local.get $len))

  (func (export "label_agent") (param i32 i32 i32 i32) (result i32)
    (call $answer (i32.const 0) (i32.const 60) (local.get 2) (local.get 3)))

  (func (export "label_resource") (param i32 i32 i32 i32) (result i32)
    (call $answer (i32.const 128) (i32.const 93) (local.get 2) (local.get 3)))

  ;; 0 bytes: no labels for the response (the gateway only asks for reads anyway).
  (func (export "label_response") (param i32 i32 i32 i32) (result i32)
    (i32.const 0))

  ;; A bump allocator: the host allocates input and output for one call and frees both after it,
  ;; so freeing the first block or the last one rewinds the heap and memory never creeps up.
  (func (export "alloc") (param $size i32) (result i32)
    (local $ptr i32)
    (local $end i32)
    (local $have i32)
    (local.set $ptr (global.get $top))
    (local.set $end
      (i32.and (i32.add (i32.add (local.get $ptr) (local.get $size)) (i32.const 7)) (i32.const -8)))
    (if (i32.lt_u (local.get $end) (local.get $ptr)) (then (return (i32.const 0))))
    (local.set $have (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow
                (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535)) (i32.const 16)))
              (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $top (local.get $end))
    (local.get $ptr))

  (func (export "dealloc") (param $ptr i32) (param $size i32)
    (if (i32.or
          (i32.eq (local.get $ptr) (global.get $heap_base))
          (i32.eq
            (i32.and (i32.add (i32.add (local.get $ptr) (local.get $size)) (i32.const 7)) (i32.const -8))
            (global.get $top)))
      (then (global.set $top (local.get $ptr)))))
)
