import { readFileSync } from "node:fs";

const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

/** The package version: what /health reports as gatewayVersion and initialize as serverInfo.version. */
export const VERSION: string = manifest.version;

/**
 * What `--version` prints. It is the reference's wording, not flowgate's name, because deployment
 * scripts written for gh-aw-mcpg parse this line.
 */
export const VERSION_TEXT = `MCPG Gateway ${VERSION}`;
