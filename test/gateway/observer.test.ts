// What the gateway reports to an observer (the port traces, metrics and the live view plug into):
// every forwarded call is a step holding its guard calls and its backend call, and every DIFC
// decision is an event naming the agent by digest, never by credential.
import { AsyncLocalStorage } from "node:async_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  combineObservers,
  eventObserver,
  observesSteps,
  quietObserver,
  type ObservedAttributes,
  type ObservedEvent,
  type Observer,
  type StepName,
} from "../../src/shared/index.ts";
import { serveDemoInProcess, type InProcessDemo } from "../support/demo-gateway.ts";

interface RecordedStep {
  name: StepName;
  attributes: Record<string, unknown>;
  parent: RecordedStep | undefined;
  events: ObservedEvent[];
  failed: boolean;
}

/** Records steps with their parent (the step running when each started) and the events inside them. */
class RecordingObserver implements Observer {
  readonly steps: RecordedStep[] = [];
  readonly events: ObservedEvent[] = [];
  readonly #running = new AsyncLocalStorage<RecordedStep>();

  async step<T>(name: StepName, attributes: ObservedAttributes, work: (step: { set(more: ObservedAttributes): void }) => Promise<T>): Promise<T> {
    const step: RecordedStep = { name, attributes: { ...attributes }, parent: this.#running.getStore(), events: [], failed: false };
    this.steps.push(step);
    return this.#running.run(step, async () => {
      try {
        return await work({ set: (more) => Object.assign(step.attributes, more) });
      } catch (error) {
        step.failed = true;
        throw error;
      }
    });
  }

  event(event: ObservedEvent): void {
    this.events.push(event);
    this.#running.getStore()?.events.push(event);
  }
}

const observer = new RecordingObserver();
let demo: InProcessDemo;

beforeAll(async () => {
  demo = await serveDemoInProcess("propagate", { gateway: { observer } });
});

afterAll(async () => {
  await demo?.close();
});

describe("what the gateway reports to its observer", () => {
  it("reports each call as a step holding its guard calls, its backend call and its decision, and a refused write without a backend call", async () => {
    await demo.readPrivateThenWritePublic();

    const calls = observer.steps.filter((step) => step.name === "mcp.call" && step.attributes["method"] === "tools/call");
    const read = calls.find((step) => step.attributes["tool"] === "read_text_file")!;
    const write = calls.find((step) => step.attributes["tool"] === "create_entities")!;
    const inside = (call: RecordedStep, name: StepName) => observer.steps.filter((step) => step.name === name && step.parent === call);

    expect(read.attributes).toMatchObject({ server: "files", outcome: "ok" });
    expect(inside(read, "guard.call").map((step) => step.attributes["function"])).toEqual(
      expect.arrayContaining(["label_agent", "label_resource", "label_response"]),
    );
    expect(inside(read, "backend.call")).toHaveLength(1);
    expect(read.events).toEqual([expect.objectContaining({ kind: "decision", decision: "allowed", phase: "response", tool: "read_text_file" })]);

    expect(write.failed).toBe(true);
    expect(write.attributes).toMatchObject({ server: "memory", outcome: "error", "rpc.error_code": expect.any(Number) });
    expect(inside(write, "backend.call")).toEqual([]);
    expect(write.events).toEqual([expect.objectContaining({ kind: "decision", decision: "denied", phase: "coarse", reason: "secrecy", server: "memory" })]);

    const agents = new Set(observer.events.flatMap((event) => (event.kind === "decision" ? [event.agent] : [])));
    expect([...agents]).toHaveLength(1);
    expect([...agents][0]).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(observer.steps.map((step) => step.attributes))).not.toContain(demo.gateway.agentId);
  });

  it("leaves observers of events alone out of every step, and steps as quietly as no observer when all are such", async () => {
    const order: string[] = [];
    const stepping: Observer = {
      step: (name, _attributes, work) => (order.push(`step:${name}`), work({ set: () => undefined })),
      event: (event) => order.push(`stepping:event:${event.kind}`),
    };
    const eventsOnly = eventObserver((event) => order.push(`events-only:event:${event.kind}`));
    const mixed = combineObservers([eventsOnly, stepping]);
    expect(await mixed.step("mcp.call", {}, async () => 7)).toBe(7);
    mixed.event({ kind: "guard", server: "s", what: "failed" });
    expect(order).toEqual(["step:mcp.call", "events-only:event:guard", "stepping:event:guard"]);
    expect([observesSteps(eventsOnly), observesSteps(mixed), observesSteps(quietObserver)]).toEqual([false, true, false]);
    expect(observesSteps(combineObservers([eventsOnly, eventObserver(() => undefined)]))).toBe(false);
  });

  it("combines observers so each sees every step, nested in the same order, and every attribute set later", async () => {
    const order: string[] = [];
    const seen: Array<Record<string, unknown>> = [{}, {}];
    const make = (index: number): Observer => ({
      step: async (name, attributes, work) => {
        order.push(`${index}:start:${name}`);
        Object.assign(seen[index]!, attributes);
        try {
          return await work({ set: (more) => Object.assign(seen[index]!, more) });
        } finally {
          order.push(`${index}:end:${name}`);
        }
      },
      event: (event) => order.push(`${index}:event:${event.kind}`),
    });
    const both = combineObservers([make(0), make(1)]);
    const value = await both.step("mcp.call", { server: "s" }, async (step) => {
      step.set({ outcome: "ok" });
      both.event({ kind: "backend", server: "s", what: "launched" });
      return 42;
    });
    expect(value).toBe(42);
    expect(order).toEqual(["0:start:mcp.call", "1:start:mcp.call", "0:event:backend", "1:event:backend", "1:end:mcp.call", "0:end:mcp.call"]);
    expect(seen).toEqual([
      { server: "s", outcome: "ok" },
      { server: "s", outcome: "ok" },
    ]);
  });
});
