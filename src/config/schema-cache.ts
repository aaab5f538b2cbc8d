// Ajv turns a schema into JavaScript, and for the config schema that takes 100–150 ms of every
// start, all of it before anything else can happen (the backends are spawned only once the config
// is valid). So the generated code (ajv's standalone output) is kept in the package's own
// node_modules/.cache, named by a hash of the schemas, the options and ajv's version, and later
// starts load it in about 10 ms. Like the compile cache (bin/compile-cache.js) it never lives in a
// shared temporary directory; if it cannot be read or written, the schema is compiled in memory.
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Ajv2020, Options, ValidateFunction } from "ajv/dist/2020.js";

// ajv is CommonJS: require keeps the load synchronous and skips it entirely on a cache hit.
const require = createRequire(import.meta.url);
const DEFAULT_CACHE_DIR = fileURLToPath(new URL("../../node_modules/.cache/flowgate-schema/", import.meta.url));

/** The validator of `schema` (which may refer to `dependencies`), from the cache or compiled and then cached. */
export function cachedValidator(schema: object, dependencies: readonly object[], options: Options, cacheDir = DEFAULT_CACHE_DIR): ValidateFunction {
  const { version } = require("ajv/package.json") as { version: string };
  const key = createHash("sha256")
    .update(JSON.stringify([version, options, dependencies, schema]))
    .digest("hex")
    .slice(0, 32);
  const file = `${cacheDir.replace(/\/?$/, "/")}${key}.cjs`;
  try {
    return require(file) as ValidateFunction;
  } catch {
    // Not cached yet (or unreadable): compile it.
  }
  const { Ajv2020: Ajv } = require("ajv/dist/2020.js") as { Ajv2020: typeof Ajv2020 };
  const ajv = new Ajv({ ...options, code: { ...options.code, source: true } });
  for (const dependency of dependencies) ajv.addSchema(dependency);
  const validate = ajv.compile(schema);
  try {
    const standalone = (require("ajv/dist/standalone/index.js") as { default: (ajv: Ajv2020, validate: ValidateFunction) => string }).default;
    mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed, so a concurrent start never loads half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, standalone(ajv, validate));
    renameSync(temporary, file);
  } catch {
    // No cache: the next start compiles again.
  }
  return validate;
}
