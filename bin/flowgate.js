#!/usr/bin/env node
// Node 24 runs the TypeScript sources directly (type stripping), so there is no build step. The
// sources are imported only after the compile cache is on, so that they can come from it.
import "./compile-cache.js";

const { run } = await import("../src/cli/main.ts");
await run();
