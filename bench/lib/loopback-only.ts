// Preloaded (node --import) into peer gateways that have no host option, so that every server
// the benchmark starts binds 127.0.0.1 only: a listen() given just a port gets the loopback host.
import net from "node:net";

const originalListen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(this: net.Server, ...args: unknown[]) {
  if (typeof args[0] === "number" && typeof args[1] !== "string") args.splice(1, 0, "127.0.0.1");
  else if (args[0] && typeof args[0] === "object" && !("host" in args[0]) && "port" in args[0]) {
    args[0] = { ...args[0], host: "127.0.0.1" };
  }
  return (originalListen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;
