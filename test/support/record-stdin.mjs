// A preload for a stdio MCP server (`node --import <this> server.js`): appends every chunk the
// server reads on stdin to $RECORD_STDIN_DIR/<pid>, so a test sees the bytes the gateway wrote to
// it. It wraps the stream's emit instead of listening, so the stream does not start flowing
// before the server itself reads it.
import { appendFileSync } from "node:fs";
import { join } from "node:path";

const file = join(process.env.RECORD_STDIN_DIR, String(process.pid));
const stdin = process.stdin;
const emit = stdin.emit;
stdin.emit = function (event, ...args) {
  if (event === "data") appendFileSync(file, args[0]);
  return emit.call(this, event, ...args);
};
