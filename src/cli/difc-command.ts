import type { Command } from "commander";
import {
  ENFORCEMENT_MODES,
  OPERATIONS,
  evaluate,
  isAllowed,
  type AgentLabels,
  type EnforcementMode,
  type Operation,
  type ResourceLabels,
} from "../difc/index.ts";
import { CliExit, type CliIO } from "./main.ts";

const EXIT_DENIED = 3;
const EXIT_BAD_INPUT = 1;

/** `flowgate difc evaluate`: one evaluator decision from JSON on stdin, for people debugging a policy. */
export function registerDifcCommand(program: Command, io: CliIO): void {
  const difc = program.command("difc").description("inspect DIFC decisions");
  difc
    .command("evaluate")
    .description(
      "read {agent:{secrecy,integrity}, resource:{secrecy,integrity,description?}, operation, mode?} as JSON\n" +
        "on stdin and print the decision, its reason, the secrecy tags to add and the integrity tags to drop.\n" +
        "operation: read | write | read-write; mode: strict (default) | filter | propagate.\n" +
        "Exit code: 0 allowed, 3 denied, 1 bad input.",
    )
    .action(async () => {
      const text = await readAll(io.stdin ?? process.stdin);
      let request: EvaluateRequest;
      try {
        request = parseRequest(text);
      } catch (error) {
        io.err(`flowgate difc evaluate: ${(error as Error).message}\n`);
        throw new CliExit(EXIT_BAD_INPUT);
      }
      const result = evaluate(request.agent, request.resource, request.operation, request.mode);
      const output = {
        decision: result.decision,
        reason: result.reason,
        secrecy_to_add: result.secrecyToAdd,
        integrity_to_drop: result.integrityToDrop,
      };
      io.out(`${JSON.stringify(output, null, 2)}\n`);
      if (!isAllowed(result)) throw new CliExit(EXIT_DENIED);
    });
}

interface EvaluateRequest {
  agent: AgentLabels;
  resource: ResourceLabels;
  operation: Operation;
  mode: EnforcementMode;
}

function parseRequest(text: string): EvaluateRequest {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new Error(`stdin is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isRecord(input)) throw new Error("stdin must hold a JSON object with agent, resource, operation and mode");
  const agent = labels(input, "agent");
  const resource = labels(input, "resource");
  const description = (input["resource"] as Record<string, unknown>)["description"] ?? "resource";
  if (typeof description !== "string") throw new Error("resource.description must be a string");
  return {
    agent,
    resource: { ...resource, description },
    operation: oneOf(input, "operation", OPERATIONS, undefined),
    mode: oneOf(input, "mode", ENFORCEMENT_MODES, "strict"),
  };
}

function labels(input: Record<string, unknown>, field: "agent" | "resource"): AgentLabels {
  const value = input[field];
  if (!isRecord(value)) throw new Error(`${field} must be an object with secrecy and integrity arrays`);
  return { secrecy: new Set(tags(value, field, "secrecy")), integrity: new Set(tags(value, field, "integrity")) };
}

function tags(object: Record<string, unknown>, field: string, kind: string): string[] {
  const value = object[kind] ?? [];
  if (!Array.isArray(value) || value.some((tag) => typeof tag !== "string")) {
    throw new Error(`${field}.${kind} must be an array of strings`);
  }
  return value as string[];
}

function oneOf<T extends string>(input: Record<string, unknown>, field: string, allowed: readonly T[], fallback: T | undefined): T {
  const value = input[field] ?? fallback;
  const found = allowed.find((known) => known === value);
  if (found === undefined) throw new Error(`${field} must be one of: ${allowed.join(", ")}; got ${JSON.stringify(value ?? null)}`);
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
