import { builtGuardPath } from "../support/guards.ts";
import { loadWasmGuard } from "../../src/guard/index.ts";
import type { Guard, GuardLogger, WasmGuardOptions } from "../../src/guard/index.ts";

export interface LogLine {
  level: string;
  guard: string;
  message: string;
}

export function memoryLogger(): GuardLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, log: (level, guard, message) => lines.push({ level, guard, message }) };
}

/** Loads guards/edge-cases/build/<file>.wasm through the process-wide module cache. */
export function loadEdgeGuard(file: string, options: Partial<WasmGuardOptions> = {}): Promise<Guard> {
  return loadWasmGuard(builtGuardPath("edge-cases", file), { name: file, ...options });
}

/** The scripted guard picks its label_resource behaviour from the tool name's last letter. */
export function command(letter: string): string {
  return `cmd-${letter}`;
}
