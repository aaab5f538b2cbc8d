;; Imports env.host_log with a result the host function does not have: rejected at load.
(module
  (import "env" "host_log" (func (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "label_agent") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "label_resource") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "label_response") (param i32 i32 i32 i32) (result i32) i32.const 0))
