import type { Command } from "commander";
import type { EvaluationRequest } from "../difc/index.ts";
import { CliExit, type CliIO } from "./io.ts";

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
      // Imported here: the gateway's start should not wait for the evaluator.
      const { evaluate, isAllowed, parseEvaluationRequest } = await import("../difc/index.ts");
      let request: EvaluationRequest;
      try {
        request = parseEvaluationRequest(parseJson(text));
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`stdin is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
