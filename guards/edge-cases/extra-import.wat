;; Imports a host function the gateway does not provide: rejected at load.
(module
  (import "env" "read_file" (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "label_agent") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "label_resource") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "label_response") (param i32 i32 i32 i32) (result i32) i32.const 0))
