// The policy most filesystem guard tests run under, and a loader for the built guard.
import { builtGuardPath } from "../support/guards.ts";
import { GuardHarness, type HarnessOptions } from "../support/guard-harness.ts";

export const ROOT = "/srv/files";

export const POLICY = {
  "allow-only": {
    repos: "all",
    "min-integrity": "approved",
    "fs-root": ROOT,
    "fs-scope": "demo",
    "fs-private": ["private", "hr/payroll"],
    "fs-clearance": ["hr/payroll"],
    "fs-trust": { inbox: "none", "inbox/reviewed": "approved", releases: "merged", quarantine: "blocked" },
    "fs-mode": "filter",
  },
};

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
