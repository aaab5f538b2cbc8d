// A generated guard of a chosen size, for measuring what loading a big module costs (the issue's
// "3 MB guard"), shared by the guard benchmark and the comparison's cold start.
import wabtInit from "wabt";

/** Bytes of code each generated function adds, measured on wabt's output. */
const BYTES_PER_FUNCTION = 330;

/**
 * A valid guard of about `targetBytes` of code: many small arithmetic functions, reachable from
 * label_agent so no engine may drop them. `salt` changes constants, so two calls with different
 * salts give different bytes and V8 cannot reuse an earlier compile.
 */
export async function generatedGuard(targetBytes: number, salt: number): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await wabtInit();
  const body = Array.from({ length: 40 }, (_, i) => `(local.set 1 (i32.add (i32.mul (local.get 1) (i32.const ${i + 3})) (local.get 0)))`).join(" ");
  const count = Math.ceil(targetBytes / BYTES_PER_FUNCTION);
  const funcs = Array.from(
    { length: count },
    (_, i) => `(func $f${i} (param i32) (result i32) (local i32) ${body} (i32.add (local.get 1) (i32.const ${i + salt})))`,
  );
  const text = `(module (memory (export "memory") 1)
    ${funcs.join("\n")}
    (func (export "label_agent") (param i32 i32 i32 i32) (result i32) (call $f0 (local.get 0)) drop i32.const 0)
    (func (export "label_resource") (param i32 i32 i32 i32) (result i32) i32.const 0)
    (func (export "label_response") (param i32 i32 i32 i32) (result i32) i32.const 0))`;
  const module = wabt.parseWat("large-guard.wat", text);
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
