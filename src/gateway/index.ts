// The gateway's face: what the CLI starts.
export { runGateway } from "./run.ts";
