// The log layer's face: the GatewayLogger every layer writes through, and its file implementation.
export { openFileLogger } from "./file-logger.ts";
export { secrecyMarker } from "./redaction.ts";
export { isSecretKey, Sanitizer } from "./sanitize.ts";
export type { DifcFilteredRecord, GatewayLogger, LogLevel, RpcLogRecord } from "./types.ts";
