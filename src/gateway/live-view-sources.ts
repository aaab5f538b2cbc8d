// Where the live view (/ui) reads the servers and agents: the backends and guard states /health
// shows, and the agents' labels /reflect shows with what each spent of its tool-call budgets;
// and how it hears of guard failures while a page watches.
import type { Backend } from "../backends/index.ts";
import type { Enforcement } from "../enforce/index.ts";
import type { LiveViewSources } from "../telemetry/live-view/index.ts";

export function liveViewSources(backends: ReadonlyMap<string, Backend>, enforcement: Enforcement | undefined): LiveViewSources {
  return {
    servers() {
      const guards = enforcement?.guardStatus() ?? {};
      return [...backends.values()].map((backend) => {
        const guard = guards[backend.id];
        const error = backend.status === "error" ? backend.failureText() : undefined;
        return {
          id: backend.id,
          status: backend.status,
          tools: backend.tools.length,
          ...(error !== undefined ? { error } : {}),
          ...(guard ? { guard: { name: guard.name, state: guard.state } } : {}),
        };
      });
    },
    async agents(limit) {
      if (!enforcement) return { shown: [], total: 0 };
      const agents = Object.entries(await enforcement.reflect());
      const shown = await Promise.all(
        agents.slice(0, limit).map(async ([agent, labels]) => ({ agent, ...labels, budgets: await enforcement.toolCallBudgets(agent) })),
      );
      return { shown, total: agents.length };
    },
    reportGuardEvents() {
      return enforcement?.reportGuardEvents() ?? (() => undefined);
    },
  };
}
