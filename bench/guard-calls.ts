// Time per call of the pass-through and filesystem guards, called directly through the test
// harness (no gateway, no worker thread): what the guard code itself costs.
// Run: npm run bench:guards
import { buildGuards } from "../scripts/build-guards.ts";
import { builtGuardPath } from "../test/support/guards.ts";
import { GuardHarness, type GuardFunction } from "../test/support/guard-harness.ts";

const POLICY = {
  "allow-only": { repos: "all", "min-integrity": "approved" },
  "guard-config": { "fs-root": "/srv", "fs-private": ["private"], "fs-trust": { inbox: "none" } },
};

function listing(entries: number): unknown {
  const text = Array.from({ length: entries }, (_, i) => `[FILE] file-${i}.md`).join("\n");
  return { content: [{ type: "text", text }], structuredContent: { content: text } };
}

function fileRead(bytes: number): unknown {
  const text = "x".repeat(bytes);
  return { content: [{ type: "text", text }], structuredContent: { content: text } };
}

interface Case {
  name: string;
  guard: GuardHarness;
  fn: GuardFunction;
  input: unknown;
  calls: number;
}

function microsPerCall({ guard, fn, input, calls }: Case): number {
  for (let i = 0; i < Math.min(calls, 20); i++) guard.call(fn, input);
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) guard.call(fn, input);
  return Number(process.hrtime.bigint() - start) / 1000 / calls;
}

await buildGuards();
// The host offers 4 MiB first; a smaller first buffer would measure the −2 retry instead.
const passthrough = await GuardHarness.load(builtGuardPath("passthrough"));
const filesystem = await GuardHarness.load(builtGuardPath("filesystem"));
filesystem.callJson("label_agent", POLICY);

const cases: Case[] = [
  { name: "passthrough label_resource", guard: passthrough, fn: "label_resource", input: { tool_name: "echo", tool_args: { message: "hi" } }, calls: 20_000 },
  {
    name: "filesystem label_resource read_text_file",
    guard: filesystem,
    fn: "label_resource",
    input: { tool_name: "read_text_file", tool_args: { path: "/srv/private/a.md" } },
    calls: 20_000,
  },
  {
    name: "filesystem label_response list_directory, 100 entries",
    guard: filesystem,
    fn: "label_response",
    input: { tool_name: "list_directory", tool_args: { path: "/srv" }, tool_result: listing(100) },
    calls: 2_000,
  },
  {
    name: "filesystem label_response read_text_file, 1 MiB",
    guard: filesystem,
    fn: "label_response",
    input: { tool_name: "read_text_file", tool_args: { path: "/srv/a.md" }, tool_result: fileRead(1 << 20) },
    calls: 50,
  },
];

for (const benchCase of cases) {
  console.log(`${benchCase.name.padEnd(58)} ${microsPerCall(benchCase).toFixed(1).padStart(10)} µs/call`);
}
