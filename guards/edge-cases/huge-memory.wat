;; Declares a minimum memory of 600 pages, over the default cap of 512: rejected at load.
(module
  (memory (export "memory") 600)
  (func (export "label_agent") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "label_resource") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "label_response") (param i32 i32 i32 i32) (result i32) i32.const 0))
