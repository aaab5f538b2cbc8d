// What every layer needs and no layer owns. It imports nothing of ours, so any folder may import
// it; src/difc keeps its own few helpers instead, to stay pure.
export { readBoundedBody } from "./bounded-body.ts";
export { envBoolean } from "./env-boolean.ts";
export { CodedError, errorText, rpcErrorOf } from "./errors.ts";
export { hostAllowed, originAllowed } from "./host-check.ts";
export { closeConnections, withinMs } from "./http-drain.ts";
export { isObject } from "./is-object.ts";
export { stringOrUndefined } from "./string-or-undefined.ts";
export { MCP_REQUEST_METHODS, OTHER, shownMethod, shownTool } from "./mcp-methods.ts";
export { MAX_JSON_NESTING, nestsDeeperThan } from "./nesting-depth.ts";
export { goLogTimestamp, rfc3339Seconds } from "./timestamp.ts";
export { unsafeDirectoryReason } from "./safe-directory.ts";
export { urlWithoutSecrets } from "./url-without-secrets.ts";
export { utf8Prefix } from "./utf8.ts";
export { workerEnv } from "./worker-env.ts";
export {
  combineObservers,
  eventObserver,
  observesSteps,
  quietObserver,
  type BackendEvent,
  type DecisionEvent,
  type GuardEvent,
  type ObservedAttributes,
  type ObservedEvent,
  type Observer,
  type StepHandle,
  type StepName,
} from "./observer.ts";
