import { join } from "node:path";
import { guardsDir } from "../../scripts/build-guards.ts";

/** Path of a guard binary compiled by the test global setup: guards/<guard>/build/<file>.wasm. */
export function builtGuardPath(guard: string, file: string = guard): string {
  return join(guardsDir, guard, "build", `${file}.wasm`);
}
