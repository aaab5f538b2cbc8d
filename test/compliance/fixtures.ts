// The gateway most groups share: two stdio "containers" and two HTTP servers behind recording proxies.
import { startEverythingHttp } from "../support/mcp-servers.ts";
import { startRecordingProxy } from "../support/recording-proxy.ts";
import { base, echoServer, startGateway, type Gateway } from "./harness.ts";

export interface MainFixture {
  gateway: Gateway;
  r1: Awaited<ReturnType<typeof startRecordingProxy>>;
  r2: Awaited<ReturnType<typeof startRecordingProxy>>;
}

/**
 * s1 (`env A=1`) and s2 (`env B=2`) run the echo image; r1 and r2 are server-everything over
 * streamable HTTP behind recording proxies, with `Authorization: Bearer t1` (and `X-Api-Key: k1`)
 * and `Bearer t2`. The gateway's own environment has GW_SECRET=zzz.
 */
export function mainFixture(gateway: Record<string, unknown> = {}) {
  let started: Promise<MainFixture> | undefined;
  const stops: (() => Promise<unknown>)[] = [];
  const start = async (): Promise<MainFixture> => {
    const upstream = await startEverythingHttp();
    stops.push(() => upstream.stop());
    const r1 = await startRecordingProxy(upstream.url);
    const r2 = await startRecordingProxy(upstream.url);
    stops.push(
      () => r1.stop(),
      () => r2.stop(),
    );
    const config = base(
      {
        s1: echoServer({ env: { A: "1" } }),
        s2: echoServer({ env: { B: "2" } }),
        r1: { type: "http", url: r1.url, headers: { Authorization: "Bearer t1", "X-Api-Key": "k1" } },
        r2: { type: "http", url: r2.url, headers: { Authorization: "Bearer t2" } },
      },
      gateway,
    );
    const running = await startGateway(config, { env: { GW_SECRET: "zzz" } });
    stops.unshift(() => running.stop());
    return { gateway: running, r1, r2 };
  };
  return {
    get: () => (started ??= start()),
    stop: async () => {
      started = undefined;
      for (const stop of stops.splice(0)) await stop().catch(() => undefined);
    },
  };
}
