// Preloaded (node --expose-gc --import) into the gateway that `npm run soak` starts, and into
// nothing else: on SIGUSR2 it forces garbage collection and writes the main thread's
// process.memoryUsage() to stderr, so the soak reads the gateway's memory after a forced GC with
// no hook, endpoint or inspector in the gateway's own code. Two figures: after an ordinary full
// GC (V8 keeps the heap pages it grew into under load committed, so RSS barely moves), then after
// a last-resort GC (V8's collect-all-available-garbage, as under memory pressure: it also gives
// the free pages back), which is what shows whether anything is still held.
let collections = 0;

type GcOptions = { type: "major"; execution: "sync"; flavor: "regular" | "last-resort" };

process.on("SIGUSR2", () => {
  const gc = globalThis.gc as ((options?: GcOptions) => void) | undefined;
  if (typeof gc !== "function") {
    process.stderr.write("soak: SIGUSR2 but gc() is not exposed (start node with --expose-gc)\n");
    return;
  }
  gc({ type: "major", execution: "sync", flavor: "regular" });
  // A turn of the event loop between the collections, so that what finalizers released goes too.
  setImmediate(() => {
    gc({ type: "major", execution: "sync", flavor: "regular" });
    const regular = process.memoryUsage();
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
    collections += 1;
    process.stderr.write(`soak: forced gc ${collections} done ${JSON.stringify({ regular, lastResort: process.memoryUsage() })}\n`);
  });
});
