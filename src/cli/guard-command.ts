// `flowgate guard inspect` and `flowgate guard call`: tools for guard authors to see what the
// host sees in a .wasm file and to run one call exactly as the gateway would. The guard host is
// imported when one of them runs, not on every start of the CLI (the gateway's start waits for
// what the CLI imports); only its limits are read to show the defaults in the help.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { BackendCaller, GuardCallOptions, GuardInput, WasmGuard } from "../guard/index.ts";
// Lazy: the limits alone, for the help text; the guard host loads when a command runs.
import * as limits from "../guard/limits.ts";
import { CliExit, type CliIO } from "./io.ts";

const FUNCTIONS = ["label_agent", "label_resource", "label_response"] as const;
type GuardFunctionName = (typeof FUNCTIONS)[number];

/** Reads a JSON option given inline or as @file; the error names the option and the problem. */
function jsonOption(option: string, value: string): unknown {
  let text = value;
  if (value.startsWith("@")) {
    try {
      text = readFileSync(value.slice(1), "utf8");
    } catch (error) {
      throw new Error(`${option}: cannot read ${value.slice(1)}: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${option}: not valid JSON (${(error as Error).message}); pass JSON text or @path/to/file.json`, { cause: error });
  }
}

function objectField(input: unknown, field: string): unknown {
  return input !== null && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>)[field] : undefined;
}

function backendFromFile(path: string): BackendCaller {
  const map = jsonOption("--backend", `@${path}`);
  if (map === null || typeof map !== "object" || Array.isArray(map)) {
    throw new Error(`--backend: ${path} must hold a JSON object mapping tool names to results`);
  }
  const results = map as Record<string, unknown>;
  return async (toolName) => {
    if (!Object.hasOwn(results, toolName)) throw new Error(`--backend has no result for tool ${toolName}`);
    return results[toolName];
  };
}

async function inspect(file: string, options: { memoryLimitPages: string }, io: CliIO): Promise<void> {
  const cap = Number(options.memoryLimitPages);
  if (!Number.isInteger(cap) || cap < 1 || cap > 65_536) {
    throw new Error(`--memory-limit-pages: expected a whole number from 1 to 65536, got ${options.memoryLimitPages}`);
  }
  const { inspectGuardBytes, readGuardBytes } = await import("../guard/index.ts");
  const bytes = await readGuardBytes(file);
  const report = inspectGuardBytes(bytes, cap);
  const lines = [`file: ${file} (${bytes.length} bytes)`];
  if (report.layout) {
    const signature = (t?: { params: string[]; results: string[] }) => (t ? ` (${t.params.join(",")})->(${t.results.join(",")})` : "");
    lines.push("imports:", ...report.layout.imports.map((i) => `  ${i.module}.${i.name} ${i.kind}${signature(i.type)}`));
    lines.push("exports:", ...report.layout.exports.map((e) => `  ${e.name} ${e.kind}${signature(e.type)}`));
    for (const m of report.layout.memories) {
      lines.push(`memory: min ${m.min} pages, max ${m.max ?? "none"} declared, ${Math.min(m.max ?? cap, cap)} pages after the host's cap of ${cap}`);
    }
  }
  if (report.problems.length === 0) {
    io.out(`${lines.join("\n")}\nverdict: valid guard\n`);
    return;
  }
  io.out(`${lines.join("\n")}\nverdict: invalid guard\n`);
  io.err(report.problems.map((p) => `  - ${p}\n`).join(""));
  throw new CliExit(1);
}

/** The guard input `--input` describes for `fn`. */
function guardInput(fn: GuardFunctionName, input: unknown): GuardInput {
  if (fn === "label_agent") return { func: fn, policy: input };
  const toolName = objectField(input, "tool_name");
  if (typeof toolName !== "string") throw new Error(`--input for ${fn} must be an object with a string "tool_name"`);
  const toolArgs = objectField(input, "tool_args") ?? null;
  if (fn === "label_resource") return { func: fn, toolName, toolArgs };
  return { func: fn, toolName, toolArgs, toolResult: objectField(input, "tool_result") ?? null };
}

/** The call's result as the gateway reads it: the typed labels, or the response labels object. */
function typedResult(guard: WasmGuard, input: GuardInput, call: GuardCallOptions): Promise<unknown> {
  if (input.func === "label_agent") return guard.labelAgent(input.policy, call);
  if (input.func === "label_resource") return guard.labelResource(input.toolName, input.toolArgs, call);
  return guard.labelResponse(input.toolName, input.toolResult, input.toolArgs, call);
}

interface CallOptions {
  input: string;
  policy?: string;
  timeout: string;
  backend?: string;
  raw?: boolean;
  /** -v; the root command takes it wherever it is written, so it is read with the globals. */
  verbose?: boolean | number;
}

async function call(file: string, fn: string, options: CallOptions, io: CliIO): Promise<void> {
  if (!(FUNCTIONS as readonly string[]).includes(fn)) {
    throw new Error(`unknown guard function ${fn}: use one of ${FUNCTIONS.join(", ")}`);
  }
  const timeoutMs = Number(options.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`--timeout: expected a positive number of milliseconds, got ${options.timeout}`);
  const input = guardInput(fn as GuardFunctionName, jsonOption("--input", options.input));
  const policy = options.policy === undefined ? undefined : jsonOption("--policy", options.policy);
  const backend = options.backend === undefined ? undefined : backendFromFile(options.backend);
  const { GuardError, loadWasmGuard } = await import("../guard/index.ts");
  const guard = await loadWasmGuard(file, {
    name: "cli",
    poolSize: 1,
    moduleCache: null,
    logger: {
      // The host's own debug lines (output buffer regrowth) and a guard's debug logs are noise unless asked for.
      log: (level, name, message) => {
        if (level !== "debug" || Boolean(options.verbose)) io.err(`[guard:${name}] ${level.toUpperCase()}: ${message}\n`);
      },
    },
  });
  try {
    const callOptions = (): GuardCallOptions => ({ deadline: Date.now() + timeoutMs, ...(backend ? { backend } : {}) });
    if (policy !== undefined && fn !== "label_agent") await guard.labelAgent(policy, callOptions());
    if (options.raw === true) {
      const text = await guard.outputText(input, callOptions());
      if (text === "") io.err("flowgate guard call: the guard returned 0 (no output)\n");
      else io.out(`${text}\n`);
      return;
    }
    io.out(`${JSON.stringify(await typedResult(guard, input, callOptions()), null, 2)}\n`);
  } catch (error) {
    if (!(error instanceof GuardError)) throw error;
    io.err(`flowgate guard call: ${error.message}\n`);
    throw new CliExit(1);
  } finally {
    await guard.close();
  }
}

export function registerGuardCommand(program: Command, io: CliIO): void {
  const guard = program.command("guard").description("inspect WebAssembly guards and run single guard calls");
  guard
    .command("inspect")
    .description("print a guard's imports, exports, signatures and memory limits, and whether the host accepts it")
    .argument("<file>", "the guard .wasm file")
    .option("--memory-limit-pages <pages>", "memory cap in 64 KiB pages", String(limits.DEFAULT_MEMORY_LIMIT_PAGES))
    .action((file: string, options: { memoryLimitPages: string }) => inspect(file, options, io));
  guard
    .command("call")
    .description(
      "run one guard function the way the gateway would and print its result\n" +
        'input: label_agent takes the policy; label_resource {"tool_name","tool_args"}; label_response {"tool_name","tool_result","tool_args"}',
    )
    .argument("<file>", "the guard .wasm file")
    .argument("<function>", FUNCTIONS.join(" | "))
    .requiredOption("--input <json>", "the call's input, as JSON text or @file")
    .option("--policy <json>", "a policy sent with label_agent before the call, as JSON text or @file")
    .option("--timeout <ms>", "deadline of each guard call in milliseconds", String(limits.DEFAULT_CALL_TIMEOUT_MS))
    .option("--backend <file>", "JSON file mapping tool names to results, answering call_backend")
    .option("--raw", "print the guard's output JSON exactly as the guard returned it, instead of the result as the gateway reads it")
    .option("-v, --verbose", "also print debug lines: the guard's own and the host's (such as an output buffer grown and the call retried)")
    // -v is the root's flag too: written before `guard` it counts there, after `call` here (and
    // optsWithGlobals lets the root's default 0 win over this command's own value).
    .action((file: string, fn: string, options: CallOptions, command: Command) =>
      call(file, fn, { ...options, verbose: Boolean(options.verbose) || Boolean(command.optsWithGlobals<CallOptions>().verbose) }, io),
    );
}
