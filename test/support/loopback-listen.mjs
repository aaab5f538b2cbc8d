// Preloaded (node --import) into MCP servers from npm that listen on every interface with a
// fixed PORT: binds them to 127.0.0.1 instead, so tests take port 0, and reports the port the
// kernel chose on stderr ("loopback-listen: <port>") for the test to read.
import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === "number" || typeof args[0] === "string") {
    const callback = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    args = [Number(args[0]), "127.0.0.1", ...(callback ? [callback] : [])];
  }
  this.once("listening", () => process.stderr.write(`loopback-listen: ${this.address().port}\n`));
  return listen.apply(this, args);
};
