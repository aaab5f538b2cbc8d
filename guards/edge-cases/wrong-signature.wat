;; label_resource takes an i64 where the ABI has an i32: rejected at load.
(module
  (memory (export "memory") 1)
  (func (export "label_agent") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "label_resource") (param i32 i32 i32 i64) (result i32) i32.const 0)
  (func (export "label_response") (param i32 i32 i32 i32) (result i32) i32.const 0))
