import { checkIntegrityFlow, checkSecrecyFlow, type FlowCheck } from "./flow.ts";
import type { AgentLabels, Label } from "./labels.ts";

/** The four flow checks between one agent and a resource's labels. */
export interface AgentFlows {
  readonly agent: AgentLabels;
  /** Read: resource integrity ⊇ agent integrity. */
  readIntegrity(resource: Label): FlowCheck;
  /** Read: resource secrecy ⊆ agent secrecy. */
  readSecrecy(resource: Label): FlowCheck;
  /** Write: agent integrity ⊇ resource integrity. */
  writeIntegrity(resource: Label): FlowCheck;
  /** Write: agent secrecy ⊆ resource secrecy. */
  writeSecrecy(resource: Label): FlowCheck;
}

export class DirectFlows implements AgentFlows {
  readonly agent: AgentLabels;

  constructor(agent: AgentLabels) {
    this.agent = agent;
  }

  readIntegrity(resource: Label): FlowCheck {
    return checkIntegrityFlow(resource, this.agent.integrity);
  }

  readSecrecy(resource: Label): FlowCheck {
    return checkSecrecyFlow(resource, this.agent.secrecy);
  }

  writeIntegrity(resource: Label): FlowCheck {
    return checkIntegrityFlow(this.agent.integrity, resource);
  }

  writeSecrecy(resource: Label): FlowCheck {
    return checkSecrecyFlow(this.agent.secrecy, resource);
  }
}

/**
 * The same checks, remembered per label object for the life of this value (one response): the
 * items of a response mostly share a few labels, which labelResponse hands out as shared objects.
 */
export class CachedFlows implements AgentFlows {
  readonly agent: AgentLabels;
  readonly #direct: DirectFlows;
  readonly #caches = [new Map<Label, FlowCheck>(), new Map<Label, FlowCheck>(), new Map<Label, FlowCheck>(), new Map<Label, FlowCheck>()] as const;

  constructor(agent: AgentLabels) {
    this.agent = agent;
    this.#direct = new DirectFlows(agent);
  }

  // The cache is read before anything is built: a closure per check cost more than the check.
  readIntegrity(resource: Label): FlowCheck {
    return this.#caches[0].get(resource) ?? remember(this.#caches[0], resource, this.#direct.readIntegrity(resource));
  }

  readSecrecy(resource: Label): FlowCheck {
    return this.#caches[1].get(resource) ?? remember(this.#caches[1], resource, this.#direct.readSecrecy(resource));
  }

  writeIntegrity(resource: Label): FlowCheck {
    return this.#caches[2].get(resource) ?? remember(this.#caches[2], resource, this.#direct.writeIntegrity(resource));
  }

  writeSecrecy(resource: Label): FlowCheck {
    return this.#caches[3].get(resource) ?? remember(this.#caches[3], resource, this.#direct.writeSecrecy(resource));
  }
}

/**
 * Bounded: a response whose items all carry label objects of their own would only grow the map
 * (costing more than the checks it saves), so past this many distinct labels new ones are not kept.
 */
const MAX_REMEMBERED_LABELS = 256;

/** Keeps what was worked out for a labels object while the cache has room; returns it. */
export function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size < MAX_REMEMBERED_LABELS) cache.set(key, value);
  return value;
}
