import { DirectFlows, type AgentFlows } from "./agent-flows.ts";
import { formatIntegrityLevel, formatSecrecyLevel, goList } from "./format.ts";
import type { AgentLabels, EnforcementMode, Operation, ResourceLabels } from "./labels.ts";

export type Decision = "allow" | "deny" | "allow-with-propagate";

export interface Evaluation {
  readonly decision: Decision;
  /** Empty for a plain allow. */
  readonly reason: string;
  /** Secrecy tags the agent lacks (read) or carries too many of (write); sorted. */
  readonly secrecyToAdd: readonly string[];
  /** Integrity tags the agent would have to drop (read) or lacks (write); sorted. */
  readonly integrityToDrop: readonly string[];
}

const ALLOW: Evaluation = { decision: "allow", reason: "", secrecyToAdd: [], integrityToDrop: [] };

export function isAllowed(evaluation: Evaluation): boolean {
  return evaluation.decision !== "deny";
}

/**
 * Decides whether `agent` may perform `operation` on `resource`. Integrity is checked before
 * secrecy, so a flow failing both reports only the integrity failure. Propagate mode changes
 * reads only: they are always allowed and report what the agent must absorb.
 */
export function evaluate(agent: AgentLabels, resource: ResourceLabels, operation: Operation, mode: EnforcementMode): Evaluation {
  return evaluateWith(new DirectFlows(agent), resource, operation, mode);
}

/** evaluate() with the agent's flow checks supplied, so that a caller checking many items can cache them. */
export function evaluateWith(flows: AgentFlows, resource: ResourceLabels, operation: Operation, mode: EnforcementMode): Evaluation {
  switch (operation) {
    case "read":
      return mode === "propagate" ? evaluatePropagatingRead(flows, resource) : evaluateRead(flows, resource);
    case "write":
      return evaluateWrite(flows, resource);
    case "read-write": {
      const read = evaluateWith(flows, resource, "read", mode);
      if (!isAllowed(read)) return read;
      const write = evaluateWrite(flows, resource);
      // Like the reference, a passing read-write is a plain allow: propagation info of the read half is dropped.
      return isAllowed(write) ? ALLOW : write;
    }
  }
}

function evaluateRead(flows: AgentFlows, resource: ResourceLabels): Evaluation {
  const integrity = flows.readIntegrity(resource.integrity);
  if (!integrity.ok) {
    return deny(
      `Resource '${resource.description}' has lower integrity than agent requires. ` +
        `The agent cannot read data with integrity below ${formatIntegrityLevel(integrity.violating)}.`,
      [],
      integrity.violating,
    );
  }
  const secrecy = flows.readSecrecy(resource.secrecy);
  if (!secrecy.ok) {
    return deny(
      `Resource '${resource.description}' has secrecy requirements that agent doesn't meet. ` +
        `The agent is not authorized to access ${formatSecrecyLevel(secrecy.violating)}-scoped data.`,
      secrecy.violating,
      [],
    );
  }
  return ALLOW;
}

function evaluateWrite(flows: AgentFlows, resource: ResourceLabels): Evaluation {
  const integrity = flows.writeIntegrity(resource.integrity);
  if (!integrity.ok) {
    return deny(
      `Agent lacks required integrity to write to '${resource.description}'. ` +
        `The agent's integrity level is insufficient; it needs ${formatIntegrityLevel(integrity.violating)} integrity.`,
      [],
      integrity.violating,
    );
  }
  const secrecy = flows.writeSecrecy(resource.secrecy);
  if (!secrecy.ok) {
    return deny(
      `Agent carries ${formatSecrecyLevel(secrecy.violating)}-scoped data that cannot be written to ` +
        `'${resource.description}' due to secrecy constraints. ` +
        "The target resource is not authorized to receive this sensitive data.",
      secrecy.violating,
      [],
    );
  }
  return ALLOW;
}

function evaluatePropagatingRead(flows: AgentFlows, resource: ResourceLabels): Evaluation {
  const integrity = flows.readIntegrity(resource.integrity);
  const secrecy = flows.readSecrecy(resource.secrecy);
  if (integrity.ok && secrecy.ok) return ALLOW;
  const parts: string[] = [];
  if (!secrecy.ok) parts.push(`adding secrecy tags ${goList(secrecy.violating)}`);
  if (!integrity.ok) parts.push(`dropping integrity tags ${goList(integrity.violating)}`);
  return {
    decision: "allow-with-propagate",
    reason: `Read allowed with label propagation: ${parts.join(" and ")}`,
    secrecyToAdd: secrecy.violating,
    integrityToDrop: integrity.violating,
  };
}

function deny(reason: string, secrecyToAdd: readonly string[], integrityToDrop: readonly string[]): Evaluation {
  return { decision: "deny", reason, secrecyToAdd, integrityToDrop };
}
