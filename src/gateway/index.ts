// The gateway's face: the composition root, which builds a gateway and serves it.
export { createGateway, serveGateway, TOOLS_CALL_FAST_PATH_ENV } from "./create-gateway.ts";
export type { Gateway, GatewayOptions } from "./create-gateway.ts";
export type { GatewayIO } from "./http/index.ts";
