#!/usr/bin/env node
// Node 24 runs the TypeScript sources directly (type stripping), so there is no build step. The
// sources are imported only after the compile cache is on, so that they can come from it.
// Everything before the version check must load on any Node still in use: an older one should
// say which Node to install, not fail on a module it cannot link (so no static imports here).
const [major] = process.versions.node.split(".").map(Number);
if (major < 22 || !process.features.typescript) {
  process.stderr.write(
    `flowgate needs Node 22 or newer (22.18 or later, which runs TypeScript directly; Node 24 is what it is tested on). ` +
      `This is Node ${process.version} (${process.execPath}).\n`,
  );
  process.exit(1);
}

await import("./compile-cache.js");
const { run } = await import("../src/cli/main.ts");
await run();
