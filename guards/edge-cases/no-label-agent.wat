;; Lacks label_agent, which the reference made mandatory.
(module
  (memory (export "memory") 1)
  (func (export "label_resource") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "label_response") (param i32 i32 i32 i32) (result i32) i32.const 0))
