;; A command-style module (only _start), as standard Go produces: rejected with a hint.
(module
  (memory (export "memory") 1)
  (func (export "_start")))
