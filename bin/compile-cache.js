// Turns on Node's on-disk compile cache before any TypeScript source is loaded. A warm cache holds
// each module's type-stripped text and V8 code, so a start skips the TypeScript stripper (about
// 17 MB of memory per thread) and most of the parsing. Entries are checked against the source
// text, so an edited file is simply compiled again. The cache lives in the package's own
// node_modules (never a shared temporary directory another user could fill); when that cannot be
// written Node carries on without a cache.
import { enableCompileCache } from "node:module";

enableCompileCache(new URL("../node_modules/.cache/flowgate-compile/", import.meta.url).pathname);
