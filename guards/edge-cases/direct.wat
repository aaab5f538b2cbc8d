;; A guard without alloc/dealloc: the host must use the direct-memory fallback (buffers at the
;; end of a grown memory). label_resource echoes its input so the placement is observable.
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "{\"agent\":{\"secrecy\":[],\"integrity\":[]},\"difc_mode\":\"strict\"}")
  (func $copy (param $src i32) (param $len i32) (param $dst i32) (param $size i32) (result i32)
    (if (i32.gt_u (local.get $len) (local.get $size)) (then (return (i32.const -1))))
    (memory.copy (local.get $dst) (local.get $src) (local.get $len))
    local.get $len)
  (func (export "label_agent") (param i32 i32 i32 i32) (result i32)
    (call $copy (i32.const 0) (i32.const 60) (local.get 2) (local.get 3)))
  (func (export "label_resource") (param i32 i32 i32 i32) (result i32)
    (call $copy (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "label_response") (param i32 i32 i32 i32) (result i32)
    i32.const 0))
