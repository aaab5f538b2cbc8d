import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { Protocol, type RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import * as z from "zod/v4";
import {
  CallToolRequestSchema,
  ErrorCode,
  type CallToolRequest,
  ResultSchema,
  RootsListChangedNotificationSchema,
  type ClientCapabilities,
  type Notification,
  type Request,
  type RequestId,
  type Result,
  type ServerCapabilities,
  type ServerNotification,
  type ServerRequest,
  type MessageExtraInfo,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import {
  sharedSchemaValidator,
  toolAllowed,
  type Backend,
  type BackendSession,
  type JoinedBackend,
  type SessionSide,
  type SharedBackendSessions,
} from "../../backends/index.ts";
import type { GatewayLogger } from "../../log/index.ts";
import type { Forward, ReplyCheck } from "../forward/index.ts";
import { cancelledError, errorResponse, type PlainToolCall } from "./fast-tools-call.ts";
import { RpcError } from "./rpc-error.ts";
import { normalizeInputSchema } from "./tool-schema.ts";

/**
 * Who an MCP session acts for. `credential` keys every piece of DIFC state (labels, tool-call
 * budgets, label_agent results): it is the keyed digest of the Authorization value the session
 * authenticated with, so a client cannot start afresh by naming itself differently. `agent` keys
 * what X-Agent-ID selects (backend pooling, the payload directory): the credential's digest, or
 * for a sub-agent that digest joined to the digest of its X-Agent-ID. Both are digests: neither
 * ever shows the credential, and both are safe path segments.
 */
export interface AgentIdentity {
  credential: string;
  agent: string;
}

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
export type ToolCallHandler = (request: CallToolRequest, extra: Extra) => Promise<Result>;

const ANY_TOOL_CALL = z.looseObject({ method: z.literal("tools/call") });

/** The first problem zod found, as "params.name: <what was wrong>". */
function firstIssue(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return "invalid request";
  return issue.path.length === 0 ? issue.message : `${issue.path.map(String).join(".")}: ${issue.message}`;
}

let lastWireProgressToken = 0;

/** How many of a backend's latest list cursors a session remembers as handed out by it (a limit, since an agent may page on and on). */
const REMEMBERED_CURSORS = 16;

interface InFlight {
  extra: Extra;
  since: number;
}

export interface SessionEnvironment {
  backends: ReadonlyMap<string, Backend>;
  /** The backend connections, one per agent (sub-agent of a credential) and server, shared by that agent's sessions. */
  backendSessions: SharedBackendSessions;
  forward: Forward;
  logger: GatewayLogger;
  version: string;
  /**
   * Servers whose guard may label a tool's result item by item. A filtered collection of such a
   * tool cannot always carry a `structuredContent` matching its output schema, and which tools
   * answer with collections is known only per call, so these servers' tools are listed without one.
   */
  itemLabelledServers?: ReadonlySet<string>;
  /** Checks the agent's answer to a backend's request before the backend gets it (the enforcement layer's write check). */
  checkReply?: ReplyCheck;
  /** Whether the agent (by credential) holds secrecy tags now; never, unless the enforcement layer says so. */
  agentHoldsSecrets?: (agentId: string) => Promise<boolean>;
  /** Whether plain tools/call requests skip the SDK's Protocol (fast-tools-call.ts); on unless false. */
  toolCallFastPath?: boolean;
}

/**
 * One MCP session with the gateway: the SDK server the agent talks to, and its place on the
 * agent's connection to each backend it uses (shared with the agent's other sessions). Backend-to-
 * client traffic routed to this session rides the stream of its request in flight to that backend
 * when there is one (that is where a streamable HTTP client listens for it).
 */
export class AgentSession {
  readonly server: Server;
  readonly identity: AgentIdentity;
  readonly env: SessionEnvironment;
  /** Rewrites a backend notification into the agent's namespace (unified mode); identity otherwise. */
  rewriteNotification: (serverId: string, notification: Notification) => Notification = (_id, n) => n;
  readonly #joined = new Map<string, JoinedBackend>();
  readonly #inflight = new Map<string, InFlight[]>();
  /** Agent requests waiting for progress, by the progress token the backend was given (it echoes it). */
  readonly #progressRelays = new Map<string | number, (notification: ServerNotification) => void>();
  /** The latest `nextCursor`s each backend handed this session: paging on with one sends the backend nothing of the agent's. */
  readonly #cursorsHandedOut = new Map<string, string[]>();
  #toolCallHandler?: ToolCallHandler;

  constructor(serverName: string, capabilities: ServerCapabilities, identity: AgentIdentity, env: SessionEnvironment, instructions?: string) {
    this.identity = identity;
    this.env = env;
    this.server = new Server(
      { name: serverName, version: env.version },
      { capabilities, jsonSchemaValidator: sharedSchemaValidator(), ...(instructions === undefined ? {} : { instructions }) },
    );
    this.server.setNotificationHandler(RootsListChangedNotificationSchema, async (notification) => {
      await Promise.all(
        [...this.#joined.values()].map(async ({ session }) => {
          const connection = await session.connect().catch(() => undefined);
          await connection?.client.notification(notification).catch(() => undefined);
        }),
      );
    });
  }

  /**
   * Registers the tools/call handler at the SDK's protocol layer, where the request is parsed once
   * against its schema. The SDK's Server wraps tools/call to parse the request a second time and to
   * deep-validate the result; the gateway forwards a backend's result as the backend sent it (the
   * agent's own client validates what it receives), so that wrapper would only copy every result
   * once more per call.
   */
  onToolCall(handler: ToolCallHandler): void {
    this.#toolCallHandler = handler;
    // Registered under a schema that only names the method, and parsed here: the SDK would answer
    // malformed params with -32603 and the whole zod error dump, where the client's mistake is -32602.
    Protocol.prototype.setRequestHandler.call(this.server, ANY_TOOL_CALL, ((request: unknown, extra: Extra) => {
      const parsed = CallToolRequestSchema.safeParse(request);
      if (!parsed.success) throw new RpcError(ErrorCode.InvalidParams, `Invalid params for tools/call: ${firstIssue(parsed.error.issues)}`);
      return handler(parsed.data, extra);
    }) as never);
  }

  /** Whether this session answers plain tools/call requests itself (answerToolCall) rather than through the SDK. */
  get answersToolCalls(): boolean {
    return this.env.toolCallFastPath !== false && this.#toolCallHandler !== undefined;
  }

  /**
   * Answers a plain tools/call (see plainToolCall) outside the SDK's Protocol: the handler the SDK
   * path runs, with the `extra` the SDK would build (cancellable by the agent's
   * notifications/cancelled, related messages on the call's own reply), and its result or error
   * sent on the transport as the SDK sends it.
   */
  answerToolCall(call: PlainToolCall, info: MessageExtraInfo): void {
    const handler = this.#toolCallHandler!;
    const { id } = call;
    const transport = this.server.transport;
    const abort = new AbortController();
    // The SDK's own table of cancellable requests: its notifications/cancelled handler and its
    // close() find this call there as they find one of its own.
    const cancellable = sdkCancellables(this.server);
    cancellable.set(id, abort);
    const extra: Extra = {
      signal: abort.signal,
      sessionId: transport?.sessionId,
      _meta: call.params._meta,
      requestId: id,
      requestInfo: info.requestInfo,
      sendNotification: async (notification) => {
        if (!abort.signal.aborted) await this.server.notification(notification, { relatedRequestId: id });
      },
      sendRequest: async (request, schema, options) => {
        if (abort.signal.aborted) throw cancelledError();
        return this.server.request(request, schema, { ...options, relatedRequestId: id });
      },
    };
    handler(call, extra)
      .then(
        // A cancelled call gets no answer, as on the SDK path.
        (result) => (abort.signal.aborted ? undefined : transport?.send({ result, jsonrpc: "2.0", id })),
        (error: unknown) => (abort.signal.aborted ? undefined : transport?.send(errorResponse(id, error))),
      )
      // The session closed under the call: its reply was already abandoned with an error.
      .catch(() => undefined)
      .finally(() => {
        if (cancellable.get(id) === abort) cancellable.delete(id);
      });
  }

  backendSession(serverId: string): BackendSession {
    let joined = this.#joined.get(serverId);
    if (!joined) {
      const backend = this.env.backends.get(serverId);
      if (!backend) throw new Error(`no backend "${serverId}"`);
      joined = this.env.backendSessions.join(backend, this.identity.agent, this.#sessionSide(serverId));
      this.#joined.set(serverId, joined);
    }
    return joined.session;
  }

  /** Forwards one agent request to a backend through the forward seam. */
  async call(serverId: string, method: string, params: Record<string, unknown> | undefined, extra: Extra): Promise<Result> {
    const stack = this.#inflight.get(serverId) ?? [];
    this.#inflight.set(serverId, stack);
    const call: InFlight = { extra, since: performance.now() };
    stack.push(call);
    const progressToken = extra._meta?.progressToken;
    // Progress relayed to the agent must leave before the result does, or its stream is closed under it.
    const relayed: Promise<void>[] = [];
    let forwarded = params;
    let wireToken: string | undefined;
    if (progressToken !== undefined) {
      // The agent's other sessions share the backend connection and may use the same token, so
      // the backend gets one of the gateway's own, and the agent gets its own token back.
      wireToken = `flowgate-progress-${++lastWireProgressToken}`;
      forwarded = { ...params, _meta: { ...(params?.["_meta"] as Record<string, unknown> | undefined), progressToken: wireToken } };
      this.#progressRelays.set(wireToken, (notification) => {
        const restored = { ...notification, params: { ...notification.params, progressToken } } as ServerNotification;
        relayed.push(extra.sendNotification(restored).catch(() => undefined));
      });
    }
    const cursor = params?.["cursor"];
    try {
      const result = await this.env.forward({
        serverId,
        method,
        params: forwarded,
        // DIFC state follows the credential, never the name a client picks for itself.
        agentId: this.identity.credential,
        agent: this.identity.agent,
        backend: this.backendSession(serverId),
        signal: extra.signal,
        ...(typeof cursor === "string" && this.#cursorsHandedOut.get(serverId)?.includes(cursor) ? { cursorFromBackend: true } : {}),
      });
      if (typeof result.nextCursor === "string") this.#rememberCursor(serverId, result.nextCursor);
      await Promise.all(relayed);
      return result;
    } finally {
      stack.splice(stack.lastIndexOf(call), 1);
      if (wireToken !== undefined) this.#progressRelays.delete(wireToken);
    }
  }

  /**
   * tools/list of one backend page: allowed tools only, input schemas repaired where needed,
   * output schemas dropped where the guard may filter results.
   */
  async listTools(serverId: string, params: Record<string, unknown> | undefined, extra: Extra): Promise<Result & { tools: Tool[] }> {
    const result = await this.call(serverId, "tools/list", params, extra);
    const backend = this.env.backends.get(serverId);
    const withoutOutputSchema = this.env.itemLabelledServers?.has(serverId) === true;
    const tools: Tool[] = [];
    for (const listed of (result.tools as Tool[] | undefined) ?? []) {
      if (backend && !toolAllowed(backend.config, listed.name)) continue;
      const { tool, change } = normalizeInputSchema(listed);
      if (change) this.env.logger.log("warn", "backend", `Tool schema normalized: ${serverId}/${tool.name} - ${change}`);
      if (withoutOutputSchema && tool.outputSchema !== undefined) {
        const { outputSchema: _dropped, ...rest } = tool;
        tools.push(rest);
      } else {
        tools.push(tool);
      }
    }
    return { ...result, tools };
  }

  #rememberCursor(serverId: string, cursor: string): void {
    const cursors = this.#cursorsHandedOut.get(serverId) ?? [];
    cursors.push(cursor);
    if (cursors.length > REMEMBERED_CURSORS) cursors.shift();
    this.#cursorsHandedOut.set(serverId, cursors);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#joined.values()].map((joined) => joined.leave()));
    await this.server.close().catch(() => undefined);
  }

  #sessionSide(serverId: string): SessionSide {
    const current = () => this.#inflight.get(serverId)?.at(-1)?.extra;
    const agentHoldsSecrets = this.env.agentHoldsSecrets;
    return {
      capabilities: relayedCapabilities(this.server.getClientCapabilities() ?? {}),
      ...(agentHoldsSecrets ? { agentHoldsSecrets: () => agentHoldsSecrets(this.identity.credential) } : {}),
      callInFlightSince: () => this.#inflight.get(serverId)?.at(-1)?.since,
      request: async (request: Request, signal: AbortSignal) => {
        const timeout = this.env.backends.get(serverId)?.toolTimeoutMs;
        const options = { signal, ...(timeout === undefined ? {} : { timeout }) };
        const extra = current();
        const result = await (extra
          ? extra.sendRequest(request as ServerRequest, ResultSchema, options)
          : this.server.request(request as ServerRequest, ResultSchema, options));
        await this.env.checkReply?.({
          serverId,
          method: request.method,
          result,
          agentId: this.identity.credential,
          backend: this.backendSession(serverId),
          signal,
        });
        return result;
      },
      notify: async (notification: Notification) => {
        const token = notification.params?.progressToken;
        if (notification.method === "notifications/progress" && (typeof token === "string" || typeof token === "number")) {
          this.#progressRelays.get(token)?.(notification as ServerNotification);
          return;
        }
        const rewritten = this.rewriteNotification(serverId, notification) as ServerNotification;
        const extra = current();
        try {
          await (extra ? extra.sendNotification(rewritten) : this.server.notification(rewritten));
        } catch (error) {
          this.env.logger.log("debug", "client", `dropped ${notification.method} from ${serverId}: ${String(error)}`);
        }
      },
    };
  }
}

/** The SDK Protocol's cancellable requests in progress, by request id (a field its types keep private). */
function sdkCancellables(server: Server): Map<RequestId, AbortController> {
  const internals = server as unknown as Record<string, unknown>;
  const table = internals["_requestHandlerAbortControllers"];
  if (!(table instanceof Map))
    throw new Error("the SDK's Protocol has no _requestHandlerAbortControllers: the SDK changed; update AgentSession.answerToolCall");
  return table as Map<RequestId, AbortController>;
}

/**
 * What the gateway declares to a backend on the agent's behalf: the requests it can relay to the
 * agent (sampling, elicitation, roots) and their options, as flags. The agent's own objects are
 * not passed on: what they hold, and `experimental` and `extensions`, is text of the agent's
 * choosing that would reach the backend in initialize, past every check.
 */
function relayedCapabilities(declared: ClientCapabilities): ClientCapabilities {
  const flags = (capability: Record<string, unknown>, options: readonly string[]) =>
    Object.fromEntries(options.filter((option) => capability[option] !== undefined).map((option) => [option, {}]));
  const form = declared.elicitation?.form;
  return {
    ...(declared.sampling ? { sampling: flags(declared.sampling, ["context", "tools"]) } : {}),
    ...(declared.elicitation
      ? {
          elicitation: {
            ...flags(declared.elicitation, ["url"]),
            ...(form ? { form: form.applyDefaults === true ? { applyDefaults: true } : {} } : {}),
          },
        }
      : {}),
    ...(declared.roots ? { roots: declared.roots.listChanged === true ? { listChanged: true } : {} } : {}),
  };
}
