// The HTTP front end's face: the listener, which serves what the composition root assembled.
export { shareDigestKey } from "./auth.ts";
export { dialableHost } from "./dialable-host.ts";
export { announce, listen } from "./listener.ts";
export type { GatewayIO, ListeningGateway } from "./listener.ts";
export type { ReflectAgents } from "./router.ts";
