import { runGateway } from "../gateway/run.ts";
import type { CliIO } from "./main.ts";
import type { ServeFunction } from "./serve-command.ts";
import { VERSION } from "./version.ts";

/** The real serve: the gateway on this process's environment, stopped by SIGINT or SIGTERM. */
export function gatewayServe(io: CliIO): ServeFunction {
  return async (config, runtime) => {
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      return await runGateway(config, runtime, { io, env: process.env, version: VERSION, signal: controller.signal });
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
  };
}
