import { describe, expect, it } from "vitest";
import { observedGuard } from "../../src/enforce/observed-guard.ts";
import { GuardError, NoopGuard, type Guard } from "../../src/guard/index.ts";
import type { ObservedEvent, Observer } from "../../src/shared/index.ts";

// Guard events leave the machine in traces: a failure is reported by its kind, never by the
// guard's message, which may quote the arguments the agent sent.
const SECRET = "/workspace/private/salaries-2026.md";

function failingOnce(error: unknown): Guard {
  const inner = new NoopGuard();
  let failed = false;
  return Object.assign(Object.create(inner) as Guard, {
    name: "files",
    labelResource: async (tool: string) => {
      if (!failed) {
        failed = true;
        throw error;
      }
      return inner.labelResource(tool);
    },
  });
}

describe("a guard's failures as the observer sees them", () => {
  it.each([
    ["a trap", new GuardError("files", "trap", `WASM guard 'files' label_resource failed: unreachable near ${SECRET}`), "trap"],
    ["a timeout", new GuardError("files", "timeout", `timed out reading ${SECRET}`), "timeout"],
    ["anything else", new Error(`cannot label ${SECRET}`), "error"],
  ])("reports %s by its kind alone, then the recovery", async (_what, error, kind) => {
    const events: ObservedEvent[] = [];
    const observer: Observer = { step: (_name, _attributes, work) => work({ set: () => undefined }), event: (event) => events.push(event) };
    const guard = observedGuard(failingOnce(error), "files", observer);
    await expect(guard.labelResource("read_text_file", { path: SECRET })).rejects.toBe(error);
    await guard.labelResource("read_text_file", { path: "/workspace/notes.md" });
    expect(events).toEqual([
      { kind: "guard", server: "files", what: "failed", function: "label_resource", reason: kind },
      { kind: "guard", server: "files", what: "recovered", function: "label_resource" },
    ]);
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });
});
