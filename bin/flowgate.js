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

// V8 sizes the main thread's young generation for the gateway's garbage rate, up to 2 × 32 MiB
// of semi-spaces under load, and keeps it: the largest part of the gateway's memory under load
// (docs/performance.md, "Memory, second round"). Its cap is a V8 flag that takes effect only at
// process start, so flowgate replaces itself once with the cap added (execve: same pid, same
// stdio, nothing read or written yet). Not when the cap is already given (by this re-exec, or by
// the user in NODE_OPTIONS or node's arguments), with --inspect (a debugger would attach to the
// process being replaced), where Node has no execve, or with FLOWGATE_NODE_FLAGS=off.
const HEAP_FLAGS = ["--max-semi-space-size=8"];
const nodeFlagsSetting = process.env.FLOWGATE_NODE_FLAGS ?? "";
if (nodeFlagsSetting !== "" && nodeFlagsSetting !== "off") {
  process.stderr.write(
    `flowgate: FLOWGATE_NODE_FLAGS=${JSON.stringify(nodeFlagsSetting)} is not understood: set it to "off" to run without flowgate's V8 heap flags, ` +
      `or leave it unset; to choose your own, give them in NODE_OPTIONS (e.g. NODE_OPTIONS=--max-semi-space-size=8).\n`,
  );
  process.exit(1);
}
const nodeOptionGiven = (pattern) => process.execArgv.some((arg) => pattern.test(arg)) || pattern.test(process.env.NODE_OPTIONS ?? "");
if (
  nodeFlagsSetting !== "off" &&
  typeof process.execve === "function" &&
  !nodeOptionGiven(/--max[-_]semi[-_]space[-_]size/) &&
  !nodeOptionGiven(/--inspect/) &&
  executable(process.execPath)
) {
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...HEAP_FLAGS, ...process.argv.slice(1)], process.env);
}

/** Node aborts the process when execve fails; the one failure it could meet here is ruled out first. */
function executable(path) {
  const fs = process.getBuiltinModule("node:fs");
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

await import("./compile-cache.js");
const { run } = await import("../src/cli/main.ts");
await run();
