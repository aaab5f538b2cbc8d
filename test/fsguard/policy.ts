// The policy most filesystem guard tests run under, a loader for the built guard, and the demo's files.
import { readFile } from "node:fs/promises";
import { parse } from "smol-toml";
import { builtGuardPath } from "../support/guards.ts";
import { GuardHarness, type HarnessOptions } from "../support/guard-harness.ts";

export const ROOT = "/srv/files";

/** The gateway's label_agent input: the allow-only policy, and the guard's config beside it. */
export interface Payload {
  "allow-only": Record<string, unknown>;
  "guard-config"?: Record<string, unknown>;
}

export const POLICY = {
  "allow-only": { repos: "all", "min-integrity": "approved" },
  "guard-config": {
    "fs-root": ROOT,
    "fs-scope": "demo",
    "fs-private": ["private", "hr/payroll"],
    "fs-clearance": ["hr/payroll"],
    "fs-trust": { inbox: "none", "inbox/reviewed": "approved", releases: "merged", quarantine: "blocked" },
    "fs-mode": "filter",
  },
} satisfies Payload;

/** POLICY with some guard-config settings replaced or added. */
export function withConfig(settings: Record<string, unknown>): Payload {
  return { ...POLICY, "guard-config": { ...POLICY["guard-config"], ...settings } };
}

/** POLICY without fs-root, so the guard must learn the root from the server. */
export function withoutRoot(): Payload {
  const { "fs-root": _root, ...config } = POLICY["guard-config"];
  return { ...POLICY, "guard-config": config };
}

export const APPROVED = ["none:demo", "unapproved:demo", "approved:demo"];
export const UNTRUSTED = ["none:demo"];
export const MERGED = [...APPROVED, "merged:demo"];
export const BLOCKED = ["blocked:demo"];
export const PRIVATE = "private:demo/private";
export const PAYROLL = "private:demo/hr/payroll";

/** The filesystem guard, freshly instantiated and configured with policy. */
export async function configuredGuard(policy: unknown = POLICY, options: HarnessOptions = {}): Promise<GuardHarness> {
  const guard = await GuardHarness.load(builtGuardPath("filesystem"), options);
  guard.callJson("label_agent", policy);
  return guard;
}

export interface WireLabels {
  description: string;
  secrecy: string[];
  integrity: string[];
}

/** The label_agent input the gateway builds from demo/flowgate.toml's `[guards.files]` entry. */
export async function demoGuardPayload(): Promise<Record<string, unknown>> {
  const toml = parse(await readFile(new URL("../../demo/flowgate.toml", import.meta.url), "utf8")) as {
    guards: { files: { policy: { "allow-only": unknown }; config: unknown } };
  };
  return { "allow-only": toml.guards.files.policy["allow-only"], "guard-config": toml.guards.files.config };
}
