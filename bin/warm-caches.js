// Fills the on-disk caches a start reads, so that the first start after an install is as quick as
// the next: Node's compile cache of the modules a serve run loads (the CLI now loads the gateway
// only once the configuration is read, so `--version` alone no longer reaches it), and the config
// validator ajv generates (src/config/schema-cache.ts). `prepare` runs it, and so does the image.
import "./compile-cache.js";

const { validateAgainstSchema } = await import("../src/config/schema-validate.ts");
for (const format of ["json", "toml"]) {
  try {
    validateAgainstSchema({}, format);
  } catch {
    // An empty configuration is refused; its validator is cached all the same.
  }
}
await import("../src/cli/main.ts");
await import("../src/gateway/index.ts");
