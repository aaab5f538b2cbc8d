import type { GatewayConfig, RuntimeOptions } from "../config/index.ts";
import { clientConfigDocument } from "./client-config.ts";
import { startGateway, type GatewayDeps } from "./http/listener.ts";
import { errorText } from "../shared/index.ts";

export interface ServeDeps extends GatewayDeps {
  /** Aborted on SIGINT/SIGTERM by the CLI: the gateway drains for runtime.shutdownTimeoutMs and exits. */
  signal?: AbortSignal;
}

/**
 * The serve command's startup protocol: launch backends, listen, write the client configuration
 * document to stdout (nothing else goes there), serve until /close or the signal. Returns the
 * exit code: 0 after a clean shutdown, 1 when startup fails or draining timed out.
 */
export async function serve(config: GatewayConfig, runtime: RuntimeOptions, deps: ServeDeps): Promise<number> {
  let handle;
  try {
    handle = await startGateway(config, runtime, deps, (started) => {
      deps.io.out(clientConfigDocument(config, runtime, started.port, started.agentId));
    });
  } catch (error) {
    const message = errorText(error);
    deps.io.err(`failed to start gateway on ${runtime.listenHost}:${runtime.listenPort}: ${message}\n`);
    deps.logger.log("error", "startup", `failed to start gateway: ${message}`, { markdown: true });
    return 1;
  }
  const started = handle;
  const onSignal = () => void started.close(runtime.shutdownTimeoutMs);
  if (deps.signal?.aborted) onSignal();
  else deps.signal?.addEventListener("abort", onSignal, { once: true });
  const code = await started.closed;
  deps.signal?.removeEventListener("abort", onSignal);
  return code;
}
